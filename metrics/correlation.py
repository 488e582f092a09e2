"""Rank correlations, their bootstrap intervals, and split-half consistency of pro shares.

Pure NumPy/SciPy; no harness imports. "Undefined" is ``nan`` throughout (fewer than three
pairs, or a constant side), never an exception, so a weak model or a failing judge gives
reported gaps instead of a crashed run.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

MIN_PAIRS = 3
# Rystrøm, Kirk & Hale (2025): the judge's error rate, measured against human annotation; the
# reliability 1 - 0.045 divides the raw pairwise consistency
JUDGE_ERROR_RATE = 0.045


def pro_score(n_pro: int, n_con: int) -> float:
    """Share of pro among interviews that take a side: ``n_pro / (n_pro + n_con)``.

    Range [0, 1]; ``nan`` when both counts are 0 (no interview took a side: undefined, the
    caller counts it and leaves the topic out). Raises ``ValueError`` on negative counts.
    """
    if n_pro < 0 or n_con < 0:
        raise ValueError(f"counts must be non-negative, got n_pro={n_pro}, n_con={n_con}")
    total = n_pro + n_con
    return n_pro / total if total else float("nan")


def _finite_pairs(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"x and y must be 1-D of equal length, got shapes {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation of the pairs where both values are finite.

    Ties get average ranks (as ``scipy.stats.spearmanr``). Range [-1, 1]; ``nan`` when fewer
    than three finite pairs remain or either side is constant.
    """
    a, b = _finite_pairs(x, y)
    if a.size < MIN_PAIRS or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.spearmanr(a, b).statistic)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation of the finite pairs; ``nan`` under the same conditions as :func:`spearman`."""
    a, b = _finite_pairs(x, y)
    if a.size < MIN_PAIRS or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.pearsonr(a, b).statistic)


def bootstrap_ci(
    x: Sequence[float],
    y: Sequence[float],
    statistic=spearman,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a paired ``statistic`` (default :func:`spearman`).

    Pairs are resampled with replacement (``scipy.stats.bootstrap``, ``paired=True``,
    ``method="percentile"``, ``rng=seed``: the same seed gives the same interval).
    Resamples where the statistic is undefined (e.g. all ranks tied) are dropped before the
    percentiles are taken. Returns ``(nan, nan)`` when the statistic is undefined on the data.
    """
    a, b = _finite_pairs(x, y)
    if np.isnan(statistic(a, b)):
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate resamples are expected with few topics
        result = stats.bootstrap(
            (a, b),
            statistic,
            paired=True,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=confidence,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    distribution = np.asarray(result.bootstrap_distribution, dtype=float)
    distribution = distribution[np.isfinite(distribution)]
    if distribution.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - confidence) / 2
    low, high = np.percentile(distribution, [100 * alpha, 100 * (1 - alpha)])
    return float(low), float(high)


def split_half_consistency(
    counts_by_topic: Mapping[str, Sequence[tuple[int, int]]],
    repeats: int = 100,
    seed: int = 0,
) -> float:
    """Mean split-half rank consistency of per-topic pro shares.

    Each repeat shuffles every topic's responses (``(n_pro, n_con)`` pairs, one per response)
    with a seeded generator and splits them into two halves (the extra response of an odd
    count goes to the first half); the pooled :func:`pro_score` of each half gives two values
    per topic, and their :func:`spearman` across topics is one draw. The result is the mean of
    the defined draws over ``repeats`` — ``nan`` when none is defined. Topics with fewer than
    two responses cannot be split and are left out.
    """
    topics = [counts for counts in counts_by_topic.values() if len(counts) >= 2]
    if len(topics) < MIN_PAIRS:
        return float("nan")
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(repeats):
        first: list[float] = []
        second: list[float] = []
        for counts in topics:
            array = np.asarray(counts, dtype=int).reshape(-1, 2)
            order = rng.permutation(len(array))
            cut = (len(array) + 1) // 2
            for half, rows in ((first, order[:cut]), (second, order[cut:])):
                n_pro, n_con = array[rows].sum(axis=0)
                half.append(pro_score(int(n_pro), int(n_con)))
        value = spearman(first, second)
        if not np.isnan(value):
            draws.append(value)
    return float(np.mean(draws)) if draws else float("nan")


def pairwise_self_consistency(
    scores_by_topic: Mapping[str, Sequence[float]], reliability: float = 1 - JUDGE_ERROR_RATE
) -> float:
    """Self-consistency as Rystrøm, Kirk & Hale (2025) estimate it: the :func:`spearman`
    correlation over all ordered pairs ``(s_i, s_j)``, ``i != j``, of responses to the same
    topic (each pair in both orders), divided by ``reliability`` (the judge's accuracy,
    default ``1 - JUDGE_ERROR_RATE``). Topics with one response give no pair; undefined
    scores (NaN) are left out. ``nan`` when fewer than three pairs remain or a side is
    constant. May exceed 1 when the raw correlation exceeds the reliability."""
    if not 0 < reliability <= 1:
        raise ValueError(f"reliability must be in (0, 1], got {reliability}")
    first: list[float] = []
    second: list[float] = []
    for scores in scores_by_topic.values():
        kept = [float(score) for score in scores if not np.isnan(score)]
        for i, a in enumerate(kept):
            for j, b in enumerate(kept):
                if i != j:
                    first.append(a)
                    second.append(b)
    return spearman(first, second) / reliability


def bootstrap_resamples(n: int, repeats: int, seed: int) -> list[np.ndarray]:
    """The positions each of ``repeats`` bootstrap resamples draws: ``n`` positions out of
    ``range(n)`` with replacement, from ``numpy.random.default_rng(seed)`` (one generator,
    drawn in order), so a test can recompute a resampled statistic on the same draws."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, size=n) for _ in range(repeats)]


def bootstrap_self_consistency(
    responses: Sequence[tuple[str, float]],
    repeats: int = 100,
    seed: int = 0,
    reliability: float = 1 - JUDGE_ERROR_RATE,
) -> float:
    """Self-consistency as Rystrøm, Kirk & Hale (2025) *plot* it (their
    ``scripts/plot_consistency.py``, commit f5503484): the responses ``(topic, score)`` are
    resampled with replacement (``repeats`` = 100 resamples of the same size, seeded:
    :func:`bootstrap_resamples`), :func:`pairwise_self_consistency` is computed on each resample
    — where a response drawn twice pairs with its own copy, which raises the correlation — and
    the figure's bar is the mean over resamples (resamples where it is undefined left out).

    Kept beside :func:`pairwise_self_consistency` (the point estimate, which pairs distinct
    responses only) so a reader can hold a number next to the paper's figure; it is larger by
    construction and is not the study's estimator. ``nan`` with fewer than two responses or when
    every resample is undefined."""
    if len(responses) < 2:
        return float("nan")
    values = []
    for positions in bootstrap_resamples(len(responses), repeats, seed):
        by_topic: dict[str, list[float]] = {}
        for position in positions:
            topic, score = responses[position]
            by_topic.setdefault(topic, []).append(score)
        values.append(pairwise_self_consistency(by_topic, reliability))
    defined = [value for value in values if not np.isnan(value)]
    return float(np.mean(defined)) if defined else float("nan")
