"""The distances in plain Python (issue 30: NumPy's per-call overhead dominated scoring the
10,402 items of global_opinion_jsd): the same values as SciPy on long, tiny and degenerate
inputs, and every bad input refused with its reason."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cityblock, jensenshannon
from scipy.special import softmax

from cultureval.metrics import js_distance, softmax_logprobs, top1_agreement, total_variation

weights = st.lists(st.floats(0, 1e300, allow_subnormal=True), min_size=1, max_size=300).filter(
    lambda xs: 0 < sum(xs) < float("inf")
)


def _jsd_exact(p: list[float], q: list[float]) -> float:
    """The JS distance (base 2) in 60-digit arithmetic (mpmath): the reference where SciPy's own
    float64 rounding fails (a mixture that underflows to 0 gives inf; a divergence that rounds
    below 0 gives nan)."""
    import mpmath

    with mpmath.workdps(60):
        pm, qm = [mpmath.mpf(x) for x in p], [mpmath.mpf(x) for x in q]
        pm, qm = [x / sum(pm) for x in pm], [x / sum(qm) for x in qm]
        divergence = mpmath.mpf(0)
        for a, b in zip(pm, qm, strict=True):
            m = (a + b) / 2
            divergence += (a * mpmath.log(a / m) if a else 0) + (b * mpmath.log(b / m) if b else 0)
        return float(mpmath.sqrt(divergence / (2 * mpmath.log(2))))


def _match_scipy(p: list[float], q: list[float]) -> None:
    if not 0 < sum(q) < float("inf"):
        return
    pn, qn = np.array(p) / np.sum(p), np.array(q) / np.sum(q)
    reference = jensenshannon(pn, qn, base=2)
    got = js_distance(p, q)
    assert got == pytest.approx(_jsd_exact(p, q), abs=1e-7)
    if np.isfinite(reference):  # SciPy where its rounding holds
        assert got == pytest.approx(reference, abs=1e-7)
    assert total_variation(p, q) == pytest.approx(cityblock(pn, qn) / 2, abs=1e-9)


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_distances_match_scipy_over_the_whole_float_range(data):
    p = data.draw(weights)
    q = data.draw(st.lists(st.floats(0, 1e300, allow_subnormal=True), min_size=len(p), max_size=len(p)))
    _match_scipy(p, q)


def test_a_value_that_normalises_to_a_subnormal_is_no_division_by_zero():
    """Found by the property test in CI: 3.4e-23 beside values near 1e300 normalises to ~6e-324,
    and half of it (the mixture m where q is 0) underflowed to 0: ZeroDivisionError. SciPy gives
    0.8192170346888635 here; the ratio a / m is computed as 2a / (a + b)."""
    p = [0.0, 1.2187074725058106e299, 3.2920197299554805e299, 3.553471346115767e299, 5.574312581696511e299]
    p += [6.649599272697614e299, 8.918456859517275e299, 9.256757453659917e299, 3.37442459891957e-23]
    p += [7.069418112980883e299]
    _match_scipy(p, [0.0] * 9 + [1.0])
    # the smallest subnormal itself: SciPy's own mixture underflows there (it answers inf); by
    # hand the divergence is 5e-324 · ln 2 / (2 ln 2), a distance of about 1e-162
    for p, q in (([5e-324, 1.0], [0.0, 1.0]), ([0.0, 1.0], [5e-324, 1.0])):
        assert 0 < js_distance(p, q) < 1e-160
    # SciPy's divergence rounds below 0 here (nan); the 60-digit value is 1.1e-8
    _match_scipy([0.0, 1.0], [1.0, 6243314768165359.0])


def test_long_and_array_inputs():
    rng = np.random.default_rng(0)
    p, q = rng.random(10_000), rng.random(10_000)
    assert js_distance(p, q) == pytest.approx(jensenshannon(p, q, base=2), abs=1e-9)
    assert js_distance(tuple(p), list(q)) == js_distance(p, q)
    assert top1_agreement(p, p) == 1.0
    values = rng.normal(size=1000) * 50
    assert softmax_logprobs(values) == pytest.approx(softmax(values).tolist(), abs=1e-12)


@pytest.mark.parametrize(
    "p, message",
    [
        ([[0.5, 0.5]], "1-D sequence of numbers"),
        (np.ones((2, 2)), "1-D sequence of numbers"),
        (["a", 1.0], "1-D sequence of numbers"),
        ([float("inf"), 1.0], "infinite"),
        ([float("inf"), float("-inf")], "infinite"),
        ([-1.0, float("nan")], "NaN"),
        ([1e308, 1e308], "overflows"),
        ([-0.5, 1.5], "negative"),
        ([0.0, -0.0], "all zero"),
    ],
)
def test_bad_inputs_are_refused_with_their_reason(p, message):
    with pytest.raises(ValueError, match=message):
        js_distance(p, [0.5] * len(p))
