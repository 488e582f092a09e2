import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

import cultureval
from cultureval.metrics import country_sim_std, culture_sim, js_distance, per_country_mean, softmax_logprobs


def distributions(min_size=1, max_size=12):
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(0, 1e3, allow_nan=False), min_size=n, max_size=n).filter(lambda v: sum(v) > 1e-9),
            st.lists(st.floats(0, 1e3, allow_nan=False), min_size=n, max_size=n).filter(lambda v: sum(v) > 1e-9),
        )
    )


def test_public_api_is_the_metric():
    assert cultureval.js_distance is js_distance


def test_hand_worked_example():
    # p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4)
    # KL(p||m) = log2(4/3); KL(q||m) = 1/2 log2(2/3) + 1/2 log2(2)
    divergence = (math.log2(4 / 3) + 0.5 * math.log2(2 / 3) + 0.5) / 2
    assert js_distance([1, 0], [0.5, 0.5]) == pytest.approx(math.sqrt(divergence), abs=1e-12)


def test_disjoint_supports_are_at_distance_one():
    assert js_distance([1, 0, 0], [0, 0.3, 0.7]) == pytest.approx(1.0)


def test_renormalises_inputs():
    assert js_distance([2, 2], [10, 30]) == pytest.approx(js_distance([0.5, 0.5], [0.25, 0.75]))


@given(distributions())
@settings(max_examples=300, deadline=None)
def test_matches_scipy(pair):
    p, q = pair
    assert js_distance(p, q) == pytest.approx(jensenshannon(p, q, base=2), abs=1e-7)


@given(distributions())
@settings(max_examples=200, deadline=None)
def test_symmetric_and_bounded(pair):
    p, q = pair
    d = js_distance(p, q)
    assert 0.0 <= d <= 1.0
    assert d == pytest.approx(js_distance(q, p), abs=1e-12)
    assert culture_sim(p, q) == pytest.approx(1.0 - d)


@given(st.lists(st.floats(1e-6, 1e3), min_size=1, max_size=12), st.floats(1e-3, 1e3))
@settings(max_examples=200, deadline=None)
def test_zero_iff_equal_after_normalising(p, scale):
    assert js_distance(p, [x * scale for x in p]) == pytest.approx(0.0, abs=1e-6)


def test_positive_when_different():
    assert js_distance([0.5, 0.5], [0.6, 0.4]) > 0


@pytest.mark.parametrize(
    "p, q, message",
    [
        ([0.5, 0.5], [1.0], "length mismatch"),
        ([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], "negative"),
        ([0.5, float("nan")], [0.5, 0.5], "NaN"),
        ([0.0, 0.0], [0.5, 0.5], "all zero"),
        ([], [], "non-empty"),
    ],
)
def test_rejects_bad_input(p, q, message):
    with pytest.raises(ValueError, match=message):
        js_distance(p, q)


def test_country_sim_std_by_hand():
    # A: mean(0.2, 0.4) = 0.3; B: 0.7 -> population std of (0.3, 0.7) = 0.2, whatever the counts
    pairs = [("A", 0.2), ("A", 0.4), ("B", 0.7)]
    assert per_country_mean(pairs) == pytest.approx({"A": 0.3, "B": 0.7})
    assert country_sim_std(pairs) == pytest.approx(0.2)
    assert country_sim_std(pairs) == pytest.approx(np.std([0.3, 0.7], ddof=0))
    assert math.isnan(country_sim_std([]))


def test_softmax_logprobs_matches_scipy():
    from scipy.special import softmax

    values = [-1.0, -2.5, -0.1, -900.0]
    assert softmax_logprobs(values) == pytest.approx(softmax(values).tolist())
    with pytest.raises(ValueError):
        softmax_logprobs([])
