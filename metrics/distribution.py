"""Distances between answer distributions (plain Python and NumPy, no harness imports)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np


def _as_distribution(values: Sequence[float], name: str) -> list[float]:
    """``values`` as floats divided by their sum. Plain Python: the inputs are an item's few
    options, where NumPy's per-call overhead dominated scoring 10,402 items; ``math.fsum``
    sums exactly, and a non-finite sum sends the input to the checks that name the problem."""
    try:
        array = list(map(float, values))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, got {str(values)[:80]}") from None
    if not array:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got an empty one")
    try:
        total = math.fsum(array)
    except OverflowError:
        raise ValueError(f"{name} is too large to normalise (its sum overflows): {str(values)[:80]}") from None
    except ValueError:  # inf + -inf
        total = math.nan
    if not math.isfinite(total):
        if any(value != value for value in array):
            raise ValueError(f"{name} contains NaN: {list(values)}")
        raise ValueError(f"{name} contains an infinite value: {list(values)}")
    if min(array) < 0:
        raise ValueError(f"{name} contains a negative value: {list(values)}")
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
    ``scipy.spatial.distance.jensenshannon(p, q, base=2)`` (tests/test_metrics.py compares).

    Raises ``ValueError`` when the lengths differ, or either input is empty, all zero, or
    contains a negative, NaN or infinite value.
    """
    if len(p) != len(q):
        raise ValueError(f"length mismatch: {len(p)} vs {len(q)}")
    divergence = 0.0
    for a, b in zip(_as_distribution(p, "p"), _as_distribution(q, "q")):
        # a / m as 2a / (a + b): m = (a + b) / 2 underflows to 0 for a subnormal a (a value
        # 1e-323 times its distribution's total) where the ratio is a plain 2
        if a > 0:  # scipy.special.rel_entr: a * log(a / m), 0 for a = 0
            divergence += a * math.log(2.0 * a / (a + b))
        if b > 0:
            divergence += b * math.log(2.0 * b / (a + b))
    divergence /= 2.0 * math.log(2.0)
    # rounding can leave a tiny negative or a value a hair above 1
    return math.sqrt(min(max(divergence, 0.0), 1.0))


def culture_sim(p: Sequence[float], q: Sequence[float]) -> float:
    """Similarity ``1 - js_distance(p, q)`` (Durmus et al. 2023), in [0, 1]; higher is closer."""
    return 1.0 - js_distance(p, q)


CULTUREBANK_EPS = 1e-12


def culturebank_similarity(p: Sequence[float], q: Sequence[float], eps: float = CULTUREBANK_EPS) -> float:
    """The GlobalOpinionQA similarity of the CultureBank line (Shi et al. 2024, ``SALT-NLP/CultureBank``
    ``evaluation/downstream_tasks/world_value_survey.py``, ``JSDist``): ``1 - sqrt(D)`` with

    ``D = (KL_e(p || m) + KL_e(q || m)) / (2 k)``, ``m = (p + q) / 2``,
    ``KL_e(a || m) = sum_i a_i (ln a_i - ln(m_i + eps))`` (terms with ``a_i = 0`` are 0),

    i.e. the natural-log Jensen–Shannon divergence divided by the number of options ``k`` (what
    ``torch.nn.functional.kl_div(..., reduction="batchmean")`` does to a 1-D tensor) with
    ``eps = 1e-12`` inside the mixture's log. Not :func:`culture_sim`: the divergence is in nats,
    not bits, and divided by ``k``, so it is higher (a uniform answer scores about 0.85 on
    GlobalOpinionQA where ``culture_sim`` gives 0.62) and not comparable across option counts.
    Inputs are renormalised as in :func:`js_distance`; ``nan`` when ``D`` is negative (``p``
    equal to ``q``, where ``eps`` tips it below 0: CultureBank's code leaves such items out).
    Raises ``ValueError`` as :func:`js_distance` does."""
    if len(p) != len(q):
        raise ValueError(f"length mismatch: {len(p)} vs {len(q)}")
    # plain Python over an item's few options, as js_distance
    total = 0.0
    for a, b in zip(_as_distribution(p, "p"), _as_distribution(q, "q")):
        log_mixture = math.log((a + b) / 2.0 + eps)
        if a > 0:
            total += a * (math.log(a) - log_mixture)
        if b > 0:
            total += b * (math.log(b) - log_mixture)
    value = total / (2.0 * len(p))
    return math.nan if value < 0 else 1.0 - math.sqrt(value)


def per_country_mean(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Mean value per country from ``(country, value)`` pairs, countries sorted by name."""
    totals: dict[str, list[float]] = {}
    for country, value in pairs:
        totals.setdefault(country, []).append(float(value))
    return {country: float(np.mean(values)) for country, values in sorted(totals.items())}


def culturebank_country_std(pairs: Iterable[tuple[str, float]]) -> float:
    """The CultureBank line's spread across countries: the *sample* standard deviation
    (``statistics.stdev``, ddof=1) of the per-country mean :func:`culturebank_similarity`, each
    survey sample its own country, ``nan`` values left out (their ``world_value_survey.py``).
    Not :func:`country_sim_std` (population std of 1 - JS distance in bits). ``nan`` with fewer
    than two countries."""
    means = list(per_country_mean((country, value) for country, value in pairs if not np.isnan(value)).values())
    return float(np.std(means, ddof=1)) if len(means) >= 2 else float("nan")


def country_sim_std(pairs: Iterable[tuple[str, float]]) -> float:
    """Balance across countries: population standard deviation (ddof=0) of the per-country
    mean similarity, each country weighted equally whatever its number of items.

    0 means the model is equally close to every country's survey answers; larger values mean
    it represents some countries better than others. NaN with fewer than two countries: the
    spread of one country is not a balance (a 0 there read as perfect).
    """
    means = list(per_country_mean(pairs).values())
    if len(means) < 2:
        return float("nan")
    return float(np.std(means, ddof=0))


def softmax_logprobs(logprobs: Sequence[float]) -> list[float]:
    """Normalise log-probabilities (natural log) over a set of options into probabilities.

    Computed as ``exp(l_i - max l) / sum_j exp(l_j - max l)`` so very negative values do not
    underflow. Raises ``ValueError`` on an empty input or a NaN.
    """
    values = [float(value) for value in logprobs]
    if not values:
        raise ValueError("no log-probabilities to normalise")
    if any(value != value for value in values):
        raise ValueError(f"NaN log-probability: {list(logprobs)}")
    top = max(values)
    shifted = [math.exp(value - top) for value in values]
    total = math.fsum(shifted)
    return [value / total for value in shifted]


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
    p_top, q_top = max(p_norm) - tolerance, max(q_norm) - tolerance
    modal_p = {i for i, value in enumerate(p_norm) if value >= p_top}
    modal_q = {i for i, value in enumerate(q_norm) if value >= q_top}
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
    values = [float(score) for score in scores if score is not None]
    low = min(values)
    span = max(values) - low
    if span <= 0:
        return None
    positions = [(value - low) / span for value in values]
    p_kept = [float(p[i]) for i in kept]
    q_kept = [float(q[i]) for i in kept]
    if sum(p_kept) <= 0 or sum(q_kept) <= 0:
        return None
    p_kept, q_kept = _as_distribution(p_kept, "p"), _as_distribution(q_kept, "q")
    order = sorted(range(len(kept)), key=positions.__getitem__)  # stable
    # W1 on the line: the integral of |F_p - F_q| between consecutive positions
    total = cdf_p = cdf_q = 0.0
    for here, following in itertools.pairwise(order):
        cdf_p += p_kept[here]
        cdf_q += q_kept[here]
        total += abs(cdf_p - cdf_q) * (positions[following] - positions[here])
    return min(max(total, 0.0), 1.0)
