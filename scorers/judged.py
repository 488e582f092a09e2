"""Inspect scorers for the judge-scored tasks (WVS polarity, CultureBank).

The judge is the ``grader`` model role (``--model-role grader=...``); without one the
evaluated model judges itself, with a warning. Per-sample values are numbers (Inspect's epoch
reducer needs them), the judge's labels go to the score's metadata, and the corpus metrics
call the same summaries as ``cultureval judge`` does for lm-eval.
"""

from __future__ import annotations

import logging
import math

from inspect_ai.model import get_model, model_roles
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState

from cultureval import judge as judges

logger = logging.getLogger(__name__)
GRADER_ROLE = "grader"
_warned: set[str] = set()


def grader_transport() -> judges.InspectModelJudge:
    if GRADER_ROLE not in model_roles():
        model = get_model()
        if str(model) not in _warned:
            _warned.add(str(model))
            logger.warning(
                "no --model-role grader=... given: %s judges its own responses; pass a judge model for real scores", model
            )
    return judges.InspectModelJudge(get_model(role=GRADER_ROLE))


def _judge_cache() -> judges.JudgeCache:
    return judges.JudgeCache()


def _value(sample: SampleScore, key: str) -> float:
    value = sample.score.value
    return float(value.get(key, math.nan)) if isinstance(value, dict) else math.nan


# --------------------------------------------------------------------------------------------
# WVS polarity


def _polarity_records(scores: list[SampleScore]) -> list[dict]:
    records = []
    for sample in scores:
        metadata = sample.score.metadata or {}
        wrong = _value(sample, "wrong_language")
        records.append(
            {
                "question_key": metadata.get("question_key"),
                "language": metadata.get("language"),
                "template_id": metadata.get("template_id"),
                "n_pro": _value(sample, "n_pro"),
                "n_con": _value(sample, "n_con"),
                "parsed": _value(sample, "parsed") == 1.0,
                "wrong_language": None if math.isnan(wrong) else wrong == 1.0,
            }
        )
    return records


@metric
def polarity_metrics() -> Metric:
    """The corpus-level WVS-polarity metrics of :func:`cultureval.tasks.wvs_polarity.utils.summarise`
    for the language of the scored samples (undefined values are reported as NaN)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        from cultureval.tasks.wvs_polarity.utils import summarise

        records = _polarity_records(scores)
        if not records:
            return {"n_responses": 0.0}
        languages = {record["language"] for record in records}
        if len(languages) != 1:
            raise ValueError(f"polarity metrics need the samples of one language, got {sorted(map(str, languages))}")
        summary = summarise(records, languages.pop())
        return {name: math.nan if value is None else float(value) for name, value in summary.items()}

    return compute


@scorer(metrics=[polarity_metrics()])
def polarity_scorer() -> Scorer:
    """Judge labels of one response: ``n_pro``, ``n_con``, ``n_null``, ``parsed`` and the
    language check; the labels and any failure reason are in the metadata."""
    from cultureval.tasks.wvs_polarity.utils import response_record

    async def score(state: TaskState, target: Target) -> Score:
        doc = state.metadata["doc"]
        response = state.output.completion if state.output else ""
        record = response_record(doc, response)
        judgement = await judges.judge_polarity(
            grader_transport(), response, doc["pro_statement"], doc["con_statement"], cache=_judge_cache()
        )
        wrong = record["wrong_language"]
        return Score(
            value={
                "n_pro": judgement.n_pro,
                "n_con": judgement.n_con,
                "n_null": judgement.n_null,
                "parsed": int(judgement.labels is not None),
                "wrong_language": math.nan if wrong is None else int(wrong),
            },
            answer=" ".join(judgement.labels) if judgement.labels else None,
            explanation=judgement.failure and f"judge failure: {judgement.failure} {judgement.detail}",
            metadata={
                "question_key": doc["question_key"],
                "language": doc["language"],
                "template_id": doc["template_id"],
                "labels": judgement.labels,
                "judge_failure": judgement.failure,
            },
        )

    return score


# --------------------------------------------------------------------------------------------
# CultureBank


@metric
def entailment_metrics() -> Metric:
    """:func:`cultureval.tasks.culturebank.utils.summarise` over the judged answers (NaN = undefined)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        from cultureval.tasks.culturebank.utils import summarise

        records = []
        for sample in scores:
            metadata = sample.score.metadata or {}
            value = _value(sample, "entailment")
            records.append(
                {
                    "score": None if math.isnan(value) else value,
                    "topic": metadata.get("topic"),
                    "cultural_group": metadata.get("cultural_group"),
                }
            )
        if not records:
            return {"n_judged": 0.0}
        return {name: math.nan if value is None else float(value) for name, value in summarise(records).items()}

    return compute


@scorer(metrics=[entailment_metrics()])
def entailment_scorer() -> Scorer:
    """Judge score that the answer entails the item's cultural knowledge: P(Yes) over Yes/No
    when the grader returns log-probabilities, else 1/0 from its reply; NaN on failure."""

    async def score(state: TaskState, target: Target) -> Score:
        doc = state.metadata["doc"]
        answer = state.output.completion if state.output else ""
        judgement = await judges.judge_entailment(
            grader_transport(), doc["eval_question"], answer, doc["eval_whole_desc"], cache=_judge_cache()
        )
        return Score(
            value={"entailment": math.nan if judgement.score is None else judgement.score},
            answer=None if judgement.score is None else f"{judgement.score:.3f}",
            explanation=judgement.failure and f"judge failure: {judgement.failure} {judgement.detail}",
            metadata={
                "topic": doc["topic"],
                "cultural_group": doc["cultural_group"],
                "judge_method": judgement.method,
                "judge_failure": judgement.failure,
            },
        )

    return score
