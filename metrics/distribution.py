"""Distances between answer distributions (pure Python and NumPy, no harness imports)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np


def _as_distribution(values: Sequence[float], name: str) -> list[float]:
    """``values`` as floats normalised to sum 1, checked. Plain Python: the inputs are a few
    options long, where NumPy's per-call cost is most of the time (scoring 100,000 outside rows
    calls this half a million times)."""
    try:
        array = [float(value) for value in values]
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers ({error})") from None
    if not array:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got an empty one")
    total = math.fsum(array)
    if not math.isfinite(total) or min(array) < 0:  # a NaN, an infinity or a negative value
        if any(value != value for value in array):
            raise ValueError(f"{name} contains NaN: {list(values)}")
        if any(math.isinf(value) for value in array):
            raise ValueError(f"{name} contains an infinite value: {list(values)}")
        if min(array) < 0:
            raise ValueError(f"{name} contains a negative value: {list(values)}")
        raise ValueError(f"{name} sums beyond the floating-point range: {list(values)}")
    if total <= 0:
        raise ValueError(f"{name} is all zero: it is not a distribution")
    return [value / total for value in array]


def js_distance(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen–Shannon distance between two discrete distributions, base 2.

    ``JSD(p, q) = sqrt( (KL(p || m) + KL(q || m)) / 2 )`` with ``m = (p + q) / 2`` and
    ``KL(a || b) = sum_i a_i * log2(a_i / b_i)``; terms with ``a_i = 0`` contribute 0.
    Inputs are renormalised to sum to 1 first, so counts or unnormalised scores are fine.

    Range [0, 1]: 0 iff ``p`` and ``q`` are equal after normalising, 1 iff their supports
    are disjoint. This is the *distance* (square root of the divergence), as in
    ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.

    Raises ``ValueError`` when the lengths differ, or either input is empty, all zero, or
    contains a negative, NaN or infinite value.
    """
    if len(p) != len(q):
        raise ValueError(f"length mismatch: {len(p)} vs {len(q)}")
    divergence = 0.0
    for a, b in zip(_as_distribution(p, "p"), _as_distribution(q, "q")):
        mixture = (a + b) / 2.0  # > 0 wherever a > 0 or b > 0: the terms below are finite
        if a > 0:
            divergence += a * math.log(a / mixture)
        if b > 0:
            divergence += b * math.log(b / mixture)
    divergence /= 2.0 * math.log(2.0)
    # rounding can leave a tiny negative or a value a hair above 1
    return math.sqrt(min(max(divergence, 0.0), 1.0))


def culture_sim(p: Sequence[float], q: Sequence[float]) -> float:
    """Similarity ``1 - js_distance(p, q)`` (Durmus et al. 2023), in [0, 1]; higher is closer."""
    return 1.0 - js_distance(p, q)


def per_country_mean(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Mean value per country from ``(country, value)`` pairs, countries sorted by name."""
    totals: dict[str, list[float]] = {}
    for country, value in pairs:
        totals.setdefault(country, []).append(float(value))
    return {country: float(np.mean(values)) for country, values in sorted(totals.items())}


def country_sim_std(pairs: Iterable[tuple[str, float]]) -> float:
    """Balance across countries: population standard deviation (ddof=0) of the per-country
    mean similarity, each country weighted equally whatever its number of items.

    0 means the model is equally close to every country's survey answers; larger values mean
    it represents some countries better than others. NaN when there are no pairs.
    """
    means = list(per_country_mean(pairs).values())
    if not means:
        return float("nan")
    return float(np.std(means, ddof=0))


def softmax_logprobs(logprobs: Sequence[float]) -> list[float]:
    """Normalise log-probabilities (natural log) over a set of options into probabilities.

    Computed as ``exp(l_i - max l) / sum_j exp(l_j - max l)`` so very negative values do not
    underflow. Raises ``ValueError`` on an empty input or a NaN.
    """
    array = np.asarray(logprobs, dtype=float)
    if array.size == 0:
        raise ValueError("no log-probabilities to normalise")
    if np.isnan(array).any():
        raise ValueError(f"NaN log-probability: {list(logprobs)}")
    shifted = np.exp(array - array.max())
    return (shifted / shifted.sum()).tolist()


def total_variation(p: Sequence[float], q: Sequence[float]) -> float:
    """Total variation distance ``1/2 * sum_i |p_i - q_i|`` after normalising both, in [0, 1]."""
    if len(p) != len(q):
        raise ValueError(f"length mismatch: {len(p)} vs {len(q)}")
    return 0.5 * math.fsum(abs(a - b) for a, b in zip(_as_distribution(p, "p"), _as_distribution(q, "q")))


def top1_agreement(p: Sequence[float], q: Sequence[float], tolerance: float = 1e-12) -> float:
    """Whether ``p``'s most likely option is ``q``'s: 1.0 or 0.0, and with ties the chance that
    one of ``p``'s modal options and one of ``q``'s, each drawn uniformly, are the same option
    (``|A ∩ B| / (|A| |B|)``; ``tolerance`` decides what is a tie)."""
    if len(p) != len(q):
        raise ValueError(f"length mismatch: {len(p)} vs {len(q)}")
    p_norm, q_norm = _as_distribution(p, "p"), _as_distribution(q, "q")
    modal_p = {i for i, value in enumerate(p_norm) if value >= max(p_norm) - tolerance}
    modal_q = {i for i, value in enumerate(q_norm) if value >= max(q_norm) - tolerance}
    return len(modal_p & modal_q) / (len(modal_p) * len(modal_q))


def ordinal_wasserstein(p: Sequence[float], q: Sequence[float], scores: Sequence[float | None]) -> float | None:
    """The 1-Wasserstein distance between ``p`` and ``q`` on an ordinal scale normalised to
    [0, 1]: option *i* sits at ``(scores[i] - min) / (max - min)``; options whose score is
    ``None`` (non-substantive: "Don't know") are dropped and both distributions renormalised
    over the rest. ``None`` when fewer than two scored options remain or either distribution
    puts no mass on them. In [0, 1]; OpinionQA's representativeness is ``1 -`` this."""
    if not len(p) == len(q) == len(scores):
        raise ValueError(f"length mismatch: {len(p)}, {len(q)}, {len(scores)}")
    kept = [i for i, score in enumerate(scores) if score is not None]
    if len(kept) < 2:
        return None
    values = [float(scores[i]) for i in kept]
    low, span = min(values), max(values) - min(values)
    if span <= 0:
        return None
    p_kept, q_kept = [float(p[i]) for i in kept], [float(q[i]) for i in kept]
    if sum(p_kept) <= 0 or sum(q_kept) <= 0:
        return None
    p_kept, q_kept = _as_distribution(p_kept, "p"), _as_distribution(q_kept, "q")
    order = sorted(range(len(kept)), key=values.__getitem__)  # stable, as the scale's order
    positions = [(values[i] - low) / span for i in order]
    # W1 on the line: the integral of |F_p - F_q| between consecutive positions
    total = cdf_p = cdf_q = 0.0
    for step, i in enumerate(order[:-1]):
        cdf_p += p_kept[i]
        cdf_q += q_kept[i]
        total += abs(cdf_p - cdf_q) * (positions[step + 1] - positions[step])
    return min(max(total, 0.0), 1.0)
