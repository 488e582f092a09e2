"""CulturallyAwareNLI (CALI) scoring: one record per premise/hypothesis pair and the metric table.

The model's distribution over E/N/C comes from the letters' log-probabilities after the stem.
Every metric compares it with the annotators of the culture named in the prompt; a tied
majority leaves the pair out of the label metrics (counted in ``n_ties``).
"""

from __future__ import annotations

from cultureval.metric_table import COUNT, DIAGNOSTIC, UNIT, Metric, MetricTable
from cultureval.metrics import accuracy, binary_f1, js_distance, macro_f1
from cultureval.metrics.aggregate import count_true
from cultureval.metrics.classification import macro_f1_binary, tuned_macro_f1_binary
from cultureval.tasks.cali.loader import LABELS


def score_distribution(doc: dict, model_distribution: list[float]) -> dict:
    """The record of one pair, shared by lm-eval and Inspect.

    ``prediction`` is the argmax label (E on exact ties, by label order). ``majority`` is
    ``None`` for a tied majority: such items are left out of f1_entail, macro_f1 and accuracy
    and counted in ``n_ties``; ``label_jsd`` uses every item.
    """
    prediction = LABELS[max(range(len(LABELS)), key=model_distribution.__getitem__)]
    majority = doc["majority"] or None
    total = sum(model_distribution)
    return {
        "prediction": prediction,
        "majority": majority,
        "label_jsd": js_distance(model_distribution, doc["label_distribution"]),
        "tie": int(majority is None),
        "contested": bool(doc["contested"]),
        # the published protocol's inputs: P(E), the tie-broken majority, one row per pair text
        "p_entail": model_distribution[LABELS.index("E")] / total,
        "majority_first": doc["majority_first"],
        "last_of_duplicates": bool(doc["last_of_duplicates"]),
    }


def _pairs(items: list) -> tuple[list[str], list[str]]:
    kept = [item for item in items if item is not None]
    return [p for p, _ in kept], [g for _, g in kept]


def aggregate_macro_f1_binary(items: list) -> float:
    """Macro-F1 over {E, not-E}: argmax E vs not, against the majority label (ties left out)."""
    predictions, golds = _pairs(items)
    return macro_f1_binary([g == "E" for g in golds], [p == "E" for p in predictions])


def aggregate_macro_f1_binary_tuned(items: list) -> float:
    """The published protocol exactly: one item per distinct (premise, hypothesis), gold = the
    tie-broken majority is E, prediction = P(E) above the best of thresholds 0.6 ... 1.0 chosen
    on these items themselves."""
    kept = [item for item in items if item is not None]
    return tuned_macro_f1_binary([gold == "E" for gold, _ in kept], [p for _, p in kept])


def aggregate_f1_entail(items: list) -> float:
    """Binary F1 of "entailment" (argmax E vs not) against the majority label."""
    return binary_f1(*_pairs(items), positive="E")


def aggregate_macro_f1(items: list) -> float:
    return macro_f1(*_pairs(items), labels=list(LABELS))


def aggregate_accuracy(items: list) -> float:
    return accuracy(*_pairs(items))


def _published(record: dict):
    return (record["majority_first"], record["p_entail"]) if record.get("last_of_duplicates") else None


def _labelled(record: dict):
    return (record["prediction"], record["majority"]) if record.get("majority") else None


def _contested(record: dict):
    return _labelled(record) if record.get("contested") else None


def _tie(record: dict) -> int:
    return int(record["tie"])


AGAINST = "against the culture's majority label (ties left out)"
METRICS = MetricTable(
    metrics=(
        Metric(
            "macro_f1_binary",
            True,
            f"macro-F1 over {{E, not-E}} at the argmax, no threshold tuned, {AGAINST}",
            aggregate_macro_f1_binary,
            item=_labelled,
            bounds=UNIT,
        ),
        Metric(
            "macro_f1_binary_tuned",
            True,
            "the published protocol: macro-F1 over {E, not-E} with the best of P(E) thresholds 0.6-1.0 "
            "chosen on the scored items (tuned on test data), ties to the first-listed label, one row per pair",
            aggregate_macro_f1_binary_tuned,
            item=_published,
            bounds=UNIT,
        ),
        Metric(
            "f1_entail",
            True,
            f"F1 of the E class alone (argmax E vs not), {AGAINST}; not the published macro-F1",
            aggregate_f1_entail,
            item=_labelled,
            bounds=UNIT,
        ),
        Metric(
            "macro_f1",
            True,
            f"mean of the E, N, C one-vs-rest F1s, {AGAINST}",
            aggregate_macro_f1,
            item=_labelled,
            bounds=UNIT,
        ),
        Metric(
            "accuracy",
            True,
            f"argmax label = majority label, {AGAINST}",
            aggregate_accuracy,
            item=_labelled,
            bounds=UNIT,
        ),
        Metric(
            "label_jsd",
            False,
            "JS distance (base 2) between the model's E/N/C distribution and the annotators'",
            bounds=UNIT,
        ),
        Metric(
            "n_ties",
            None,
            "pairs whose annotators tie for the majority (left out of the label metrics)",
            count_true,
            item=_tie,
            kind=COUNT,
        ),
        Metric(
            "contested_accuracy",
            True,
            "accuracy on pairs whose US and Indian majorities differ",
            aggregate_accuracy,
            item=_contested,
            bounds=UNIT,
        ),
        Metric(
            "letter_coverage",
            True,
            "share of E/N/C among the returned top log-probabilities",
            lm_eval=False,
            kind=DIAGNOSTIC,
            bounds=UNIT,
        ),
    ),
    headline="macro_f1_binary",
    parse_metric="letter_coverage",
)


def score_for_task(task: str, doc: dict, distribution: list[float]) -> dict:
    """``Family.score_distribution``: both CALI tasks score a distribution the same way
    (:func:`score_distribution`)."""
    return score_distribution(doc, distribution)
