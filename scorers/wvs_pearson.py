"""Inspect scorer and metric for ``global_opinion_wvs_pearson``.

The option distribution is read as for ``global_opinion_jsd``; each sample's record comes from
:func:`cultureval.tasks.global_opinions.wvs_pearson.score_distribution` and the corpus metrics
from the same aggregations lm-eval uses (the per-question Pearson needs every country of a
question, so it is computed in the metric, not per sample).
"""

from __future__ import annotations

import math

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState

from cultureval.scorers.distribution import letter_coverage, read_option_distribution
from cultureval.tasks.global_opinions import wvs_pearson


def _number(value) -> float:
    return math.nan if value is None else float(value)


@metric
def wvs_pearson_metrics() -> Metric:
    def compute(scores: list[SampleScore]) -> dict[str, float]:
        records = []
        for sample in scores:
            value, metadata = sample.score.value, sample.score.metadata or {}
            if not isinstance(value, dict):
                continue

            def optional(key):
                number = float(value.get(key, math.nan))
                return None if math.isnan(number) else number

            records.append(
                {
                    "question_id": metadata.get("question_id"),
                    "country": metadata.get("country"),
                    "continent": metadata.get("continent"),
                    "model_score": optional("model_score"),
                    "survey_score": optional("survey_score"),
                    "abs_error": optional("abs_error"),
                }
            )
        return {name: float(aggregate(records)) for name, aggregate in wvs_pearson.AGGREGATIONS.items()}

    return compute


@scorer(metrics=[wvs_pearson_metrics(), letter_coverage()])
def wvs_pearson_scorer() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        distribution, missing = read_option_distribution(state)
        record = wvs_pearson.score_distribution(state.metadata["doc"], distribution)
        return Score(
            value={
                "model_score": _number(record["model_score"]),
                "survey_score": _number(record["survey_score"]),
                "abs_error": _number(record["abs_error"]),
                "letter_coverage": 1.0 - missing / len(distribution),
            },
            explanation=f"E[model] {record['model_score']}, E[survey] {record['survey_score']}",
            metadata={k: record[k] for k in ("question_id", "country", "continent")} | {"model_distribution": distribution},
        )

    return score
