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


def macro_f1_binary(golds: Sequence[bool], predictions: Sequence[bool]) -> float:
    """Macro-F1 over the two classes {positive, negative}: the unweighted mean of the positive
    class's F1 and the negative class's F1 (``sklearn.metrics.f1_score(average="macro")``, the
    classes being those present in golds or predictions, a class with no prediction and no gold
    scoring 0). Predicting "negative" for everything scores ``p / (1 + p)``, p the negative share
    of the golds. NaN for no items."""
    if not golds:
        return float("nan")
    return float(f1_score([bool(g) for g in golds], [bool(p) for p in predictions], average="macro", zero_division=0))


PUBLISHED_THRESHOLDS = (0.6, 0.7, 0.8, 0.9, 1.0)


def tuned_macro_f1_binary(
    golds: Sequence[bool], probabilities: Sequence[float], thresholds: Sequence[float] = PUBLISHED_THRESHOLDS
) -> float:
    """The best :func:`macro_f1_binary` over ``thresholds``, predicting positive when the
    probability is strictly above the threshold — the threshold chosen on the scored items
    themselves (the published CALI protocol), so the value is optimistic. NaN for no items."""
    if not golds:
        return float("nan")
    return max(macro_f1_binary(golds, [p > t for p in probabilities]) for t in thresholds)
