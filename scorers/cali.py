"""Inspect scorer and metrics for CALI (cali_nli_us, cali_nli_in).

The E/N/C distribution is read from the first generated token's ``top_logprobs``
(:func:`cultureval.scorers.distribution.read_option_distribution`) and scored by the task's
``score_distribution`` (shared with lm-eval). Labels are stored as indices into E/N/C and a
tied majority as NaN, so Inspect's epoch reducer keeps every value numeric.
"""

from __future__ import annotations

import math

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState

from cultureval.metrics import accuracy as accuracy_of
from cultureval.metrics import binary_f1, macro_f1 as macro_f1_of
from cultureval.scorers.distribution import letter_coverage, read_option_distribution
from cultureval.tasks.cali.utils import LABELS, score_distribution


def _labelled(scores: list[SampleScore], contested_only: bool = False) -> tuple[list[str], list[str]]:
    predictions, golds = [], []
    for sample in scores:
        value = sample.score.value
        if not isinstance(value, dict) or math.isnan(float(value["majority"])):
            continue
        if contested_only and not value["contested"]:
            continue
        predictions.append(LABELS[int(value["prediction"])])
        golds.append(LABELS[int(value["majority"])])
    return predictions, golds


@metric
def f1_entail() -> Metric:
    """Binary F1 of entailment (argmax E vs not) against the culture's majority label."""

    def compute(scores: list[SampleScore]) -> float:
        return binary_f1(*_labelled(scores), positive="E")

    return compute


@metric
def macro_f1() -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return macro_f1_of(*_labelled(scores), labels=LABELS)

    return compute


@metric
def accuracy() -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return accuracy_of(*_labelled(scores))

    return compute


@metric
def contested_accuracy() -> Metric:
    """Accuracy on pairs whose US and Indian majorities differ."""

    def compute(scores: list[SampleScore]) -> float:
        return accuracy_of(*_labelled(scores, contested_only=True))

    return compute


@metric
def label_jsd() -> Metric:
    """Mean JS distance (base 2) between the model's E/N/C distribution and the annotators'."""

    def compute(scores: list[SampleScore]) -> float:
        values = [float(s.score.value["label_jsd"]) for s in scores if isinstance(s.score.value, dict)]
        return sum(values) / len(values) if values else float("nan")

    return compute


@metric
def n_ties() -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        return float(sum(s.score.value["tie"] for s in scores if isinstance(s.score.value, dict)))

    return compute


@scorer(metrics=[f1_entail(), macro_f1(), accuracy(), label_jsd(), n_ties(), contested_accuracy(), letter_coverage()])
def cali_scorer() -> Scorer:
    async def score(state: TaskState, target: Target) -> Score:
        distribution, missing = read_option_distribution(state)
        item = score_distribution(state.metadata["doc"], distribution)
        return Score(
            value={
                "prediction": LABELS.index(item["prediction"]),
                "majority": LABELS.index(item["majority"]) if item["majority"] else float("nan"),
                "label_jsd": item["label_jsd"],
                "tie": item["tie"],
                "contested": int(item["contested"]),
                "letter_coverage": 1.0 - missing / len(LABELS),
            },
            answer=item["prediction"],
            explanation="E/N/C: " + ", ".join(f"{p:.3f}" for p in distribution),
            metadata={"model_distribution": distribution, "letters_missing": missing},
        )

    return score
