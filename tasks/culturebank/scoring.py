"""CultureBank metrics: the judged entailment scores of the answers, summarised per split.

An item's record holds ``score`` (the judge's P(Yes) in [0, 1], or ``None`` when the judge
failed), ``topic``, ``cultural_group`` and ``empty_response``. lm-eval counts empty answers
while generating; ``cultureval judge`` and the Inspect scorer add :func:`summarise`.
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import COUNT, DIAGNOSTIC, UNIT, Metric, MetricTable
from cultureval.metrics.aggregate import count_true, mean_defined, stderr


def summarise(records: list[dict], seed: int = 0) -> dict[str, float | None]:
    """CultureBank metrics from per-answer records (deterministic: ``seed`` is unused).

    ``entailment_score`` = mean score over judged answers (with ``entailment_score_stderr`` =
    sample sd / sqrt(n)); ``entail_rate`` = share of judged answers with score > 0.5 (the
    CultureBank study reports both); ``judge_parse_rate`` = judged / all; per-topic and
    per-cultural-group means as ``entailment_score|topic=...`` and
    ``entailment_score|group=...``. Undefined values are ``None``.
    """
    scores = [float(record["score"]) for record in records if record.get("score") is not None]
    n = len(scores)
    result: dict[str, float | None] = {
        "entailment_score": mean_defined(scores),
        "entailment_score_stderr": stderr(scores),
        "entail_rate": mean_defined([float(s > 0.5) for s in scores]),
        "judge_parse_rate": n / len(records) if records else math.nan,
        "n_judge_failures": len(records) - n,
        "n_judged": n,
    }
    for field, label in (("topic", "topic"), ("cultural_group", "group")):
        groups: dict[str, list[float]] = defaultdict(list)
        for record in records:
            if record.get("score") is not None:
                groups[str(record.get(field))].append(float(record["score"]))
        for name in sorted(groups):
            result[f"entailment_score|{label}={name}"] = mean_defined(groups[name])
    return {key: None if isinstance(value, float) and math.isnan(value) else value for key, value in result.items()}


def _judge_score(record: dict) -> float | None:
    return record.get("score")


def _empty_response(record: dict) -> bool:
    return bool(record.get("empty_response"))


METRICS = MetricTable(
    metrics=(
        Metric(
            "n_empty_responses",
            None,
            "answers that are empty (counted while generating)",
            count_true,
            item=_empty_response,
            kind=COUNT,
        ),
        Metric(
            "entailment_score",
            True,
            "mean judge P(Yes) that the answer entails the cultural knowledge",
            None,
            item=_judge_score,  # an answer's own value (EEE instance records)
            bounds=UNIT,
            stderr="analytic",  # sample sd / sqrt(n) over the judged answers (summarise)
        ),
        Metric("entail_rate", True, "share of judged answers with score > 0.5", None, bounds=UNIT),
        Metric("judge_parse_rate", True, "share of answers the judge scored", None, kind=DIAGNOSTIC, bounds=UNIT),
        Metric("n_judge_failures", None, "answers the judge could not score (counted, left out)", None, kind=COUNT),
        Metric("n_judged", None, "answers the judge scored", None, kind=COUNT),
        Metric("entailment_score|topic={topic}", True, "entailment_score per topic", None, bounds=UNIT),
        Metric("entailment_score|group={group}", True, "entailment_score per cultural group", None, bounds=UNIT),
    ),
    summary=summarise,
    headline="entailment_score",
    parse_metric="judge_parse_rate",
)
