"""Label agreement between a model's answers and annotators' majority labels (scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.metrics import f1_score


def binary_f1(predictions: Sequence[str], golds: Sequence[str], positive: str) -> float:
    """F1 of ``positive`` vs everything else: ``2·TP / (2·TP + FP + FN)``.

    0.0 when there is no positive prediction and no positive gold label (sklearn's
    ``zero_division=0``); NaN for no items.
    """
    if not predictions:
        return float("nan")
    return float(f1_score([g == positive for g in golds], [p == positive for p in predictions], zero_division=0))


def macro_f1(predictions: Sequence[str], golds: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted mean over ``labels`` of each label's one-vs-rest F1 (labels absent from both
    predictions and golds count 0.0, sklearn's ``zero_division=0``). NaN for no items."""
    if not predictions:
        return float("nan")
    return float(f1_score(list(golds), list(predictions), labels=list(labels), average="macro", zero_division=0))


def accuracy(predictions: Sequence[str], golds: Sequence[str]) -> float:
    """Share of items where the prediction equals the gold label; NaN for no items."""
    if not predictions:
        return float("nan")
    return sum(p == g for p, g in zip(predictions, golds)) / len(predictions)


def culture_shift_rate(pairs: Sequence[tuple[str, str, str, str]]) -> float:
    """Over contested pairs ``(pred_a, gold_a, pred_b, gold_b)`` — the same premise/hypothesis
    judged under culture A's and culture B's prompt, with different majorities — the share
    where the model matches *both* cultures' majorities. NaN when there are none."""
    if not pairs:
        return float("nan")
    return sum(pa == ga and pb == gb for pa, ga, pb, gb in pairs) / len(pairs)
