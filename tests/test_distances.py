"""The distances beside JS distance (total variation, top-1 agreement, ordinal 1-Wasserstein)
against scipy and hand-worked examples, including long and degenerate inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cityblock
from scipy.stats import wasserstein_distance

from cultureval.metrics import (
    culturebank_country_std,
    culturebank_similarity,
    js_distance,
    ordinal_wasserstein,
    top1_agreement,
    total_variation,
)

weights = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=400).filter(
    lambda xs: sum(xs) > 0
)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_total_variation_is_half_the_l1_distance_of_the_normalised_distributions(data):
    p = data.draw(weights)
    q = data.draw(st.lists(st.floats(min_value=0, max_value=1e6), min_size=len(p), max_size=len(p)).filter(sum))
    expected = cityblock(np.array(p) / sum(p), np.array(q) / sum(q)) / 2
    assert total_variation(p, q) == pytest.approx(expected, abs=1e-9)
    assert 0 <= total_variation(p, q) <= 1 + 1e-12


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_ordinal_wasserstein_equals_scipy_on_the_normalised_scale(data):
    p = data.draw(weights)
    n = len(p)
    q = data.draw(st.lists(st.floats(min_value=0, max_value=1e6), min_size=n, max_size=n).filter(sum))
    scores = data.draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n).filter(lambda s: len(set(s)) > 1))
    positions = (np.array(scores) - min(scores)) / (max(scores) - min(scores))
    expected = wasserstein_distance(positions, positions, p, q)
    assert ordinal_wasserstein(p, q, scores) == pytest.approx(expected, abs=1e-9)


def test_ordinal_wasserstein_hand_worked_and_degenerate_cases():
    # all mass at the two ends of a 5-point scale: the whole scale apart
    assert ordinal_wasserstein([1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    # one step of a 5-point scale is a quarter of it
    assert ordinal_wasserstein([0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 2, 3, 4, 5]) == pytest.approx(0.25)
    # a "Don't know" option (score None) is dropped and the rest renormalised
    assert ordinal_wasserstein([0.5, 0, 0.5], [0, 0.5, 0.5], [1, 2, None]) == pytest.approx(1.0)
    # the options' listing order does not matter, their scores do (a scale printed high to low)
    assert ordinal_wasserstein([0.7, 0.3, 0], [0, 0.3, 0.7], [3, 2, 1]) == pytest.approx(0.7)
    assert ordinal_wasserstein([0.5, 0.5], [0.5, 0.5], [None, 1]) is None  # fewer than two scored options
    assert ordinal_wasserstein([0, 0, 1], [0.5, 0.5, 0], [1, 2, None]) is None  # no mass on the scale
    assert ordinal_wasserstein([0.5, 0.5], [0.5, 0.5], [2, 2]) is None  # no spread
    with pytest.raises(ValueError, match="length mismatch"):
        ordinal_wasserstein([1, 0], [1, 0], [1, 2, 3])


def test_top1_agreement_hand_worked_cases():
    assert top1_agreement([0.6, 0.4], [0.7, 0.3]) == 1.0
    assert top1_agreement([0.4, 0.6], [0.7, 0.3]) == 0.0
    assert top1_agreement([0.5, 0.5, 0], [0.5, 0.2, 0.3]) == 0.5  # model tie: half the draws agree
    assert top1_agreement([0.5, 0.5, 0], [0.4, 0.4, 0.2]) == 0.5  # both tie on the same two: 2 / (2 * 2)
    long = [1.0] * 10_000
    assert top1_agreement(long, [2.0] + [1.0] * 9_999) == pytest.approx(1 / 10_000)
    with pytest.raises(ValueError, match="all zero"):
        top1_agreement([0, 0], [1, 0])


def _culturebank_torch(p, q, eps=1e-12):
    """CultureBank's ``JSDist`` (evaluation/downstream_tasks/world_value_survey.py) as they wrote
    it, with torch's kl_div, in float64; similarity = 1 - JSDist."""
    import torch
    import torch.nn.functional as F

    p = torch.tensor(np.asarray(p, dtype=float) / np.sum(p))
    q = torch.tensor(np.asarray(q, dtype=float) / np.sum(q))
    log_m = torch.log(0.5 * (p + q) + eps)
    jsd = 0.5 * (F.kl_div(log_m, p, reduction="batchmean") + F.kl_div(log_m, q, reduction="batchmean"))
    return 1.0 - torch.sqrt(jsd).item()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_culturebank_similarity_equals_their_torch_code(data):
    p = data.draw(weights)
    q = data.draw(st.lists(st.floats(min_value=0, max_value=1e6), min_size=len(p), max_size=len(p)).filter(sum))
    expected = _culturebank_torch(p, q)
    got = culturebank_similarity(p, q)
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-9)


def test_culturebank_similarity_hand_worked_and_not_culture_sim():
    # disjoint two-option answers: JSD = ln 2 nats, divided by k = 2 -> 1 - sqrt(ln(2) / 2)
    assert culturebank_similarity([1, 0], [0, 1]) == pytest.approx(1 - np.sqrt(np.log(2) / 2), abs=1e-9)
    # Durmus et al.'s culture_sim of the same pair is 0 (base 2, not divided by k)
    assert 1 - js_distance([1, 0], [0, 1]) == pytest.approx(0.0)
    # the same disjoint pair among 4 options scores higher: the divergence is divided by k
    assert culturebank_similarity([1, 0, 0, 0], [0, 1, 0, 0]) == pytest.approx(1 - np.sqrt(np.log(2) / 4), abs=1e-9)
    # identical answers: eps tips the divergence below 0 and CultureBank's code drops the item (nan)
    assert np.isnan(culturebank_similarity([0.3, 0.7], [0.3, 0.7]))


def test_culturebank_country_std_is_the_sample_std_of_country_means():
    import statistics

    pairs = [("A", 0.9), ("A", 0.7), ("B", 0.6), ("C (Non-national sample)", 0.5), ("C", float("nan"))]
    means = [0.8, 0.6, 0.5]  # C's only value is nan: C is left out, its non-national sample stays
    assert culturebank_country_std(pairs) == pytest.approx(statistics.stdev(means))
    assert np.isnan(culturebank_country_std([("A", 0.5)]))


# --- OpinionQA's ordinal scales on the Pew items ------------------------------------------------


@pytest.mark.parametrize(
    "options, scale, scores",
    [
        (
            ["Very favorable", "Somewhat favorable", "Somewhat unfavorable", "Very unfavorable", "DK/Refused"],
            "favorability",
            [4, 3, 2, 1, None],
        ),
        (
            ["A lot of confidence", "Some confidence", "Not too much confidence", "No confidence at all"],
            "confidence",
            [4, 3, 2, 1],
        ),
        (["Very good", "Somewhat good", "Somewhat bad", "Very bad", "DK/Refused"], "goodness", [4, 3, 2, 1, None]),
        (["Completely agree", "Mostly agree", "Mostly disagree", "Completely disagree"], "agreement", [4, 3, 2, 1]),
        (["Major threat", "Minor threat", "Not a threat", "DK/Refused"], "threat", [3, 2, 1, None]),
        (["Great deal", "Fair amount", "Not too much", "No influence at all"], "amount", [4, 3, 2, 1]),
        # volunteered answers and "Never heard of" are no position on the scale (OpinionQA's refusals)
        (
            ["Very good influence", "Good influence", "Bad influence", "Very bad influence", "No influence (VOL)"],
            "influence",
            [4, 3, 2, 1, None],
        ),
        (
            ["Very favorable", "Somewhat favorable", "Somewhat unfavorable", "Very unfavorable", "Never heard of"],
            "favorability",
            [4, 3, 2, 1, None],
        ),
        (["Better", "Worse", "About the same", "DK/Refused"], "change", [3, 1, 2, None]),
        (["Too much", "Not enough", "Right amount"], "degree", [3, 1, 2]),
        # Pew's 0-10 scales: labels at 0 and 10, or the numbers alone
        (["Not important at all", *map(str, range(1, 10)), "Very important"], "numbered", list(range(11))),
        ([str(i) for i in range(11)], "numbered", list(range(11))),
        (
            ["Very favorable", "Mostly favorable", "Mostly unfavorable", "Very unfavorable", "DK/Refused", "Total  N="],
            "favorability",
            [4, 3, 2, 1, None, None],
        ),
    ],
)
def test_pew_scales_are_ordinal(options, scale, scores):
    from cultureval.tasks.global_opinions.ordinal import ordinal_scores

    assert ordinal_scores(options) == (scale, [None if s is None else float(s) for s in scores])


@pytest.mark.parametrize(
    "options",
    [
        ["Good", "Bad", "Neither"],  # "Neither" left out: two levels remain
        ["Optimistic", "Pessimistic", "Neither (DO NOT READ)", "DK/Refused"],
        ["Approve", "Disapprove", "DK/Refused"],
        ["Favors", "Opposes", "Both/neither (VOL)"],
        ["Not important at all", "1", "Very important", "2", "3", "4", "5", "6", "7", "8", "9"],  # labels out of place
        ["1", "3", "2"],  # numbers out of order
    ],
)
def test_pew_lists_that_are_not_scales(options):
    from cultureval.tasks.global_opinions.ordinal import ordinal_scores

    assert ordinal_scores(options) is None


def test_representativeness_on_a_pew_item_leaves_the_refusal_out_as_opinionqa_does():
    """OpinionQA (tatsu-lab/opinions_qa helpers.py): both distributions renormalised over the
    ordinal options, W1 on their positions divided by the largest possible W1."""
    from cultureval.tasks.global_opinions import scoring

    doc = {
        "options": ["Very favorable", "Somewhat favorable", "Somewhat unfavorable", "Very unfavorable", "DK/Refused"],
        "survey_distribution": [0.1, 0.2, 0.3, 0.2, 0.2],
        "country": "Kenya",
        "survey_country": "Kenya",
    }
    model = [0.4, 0.3, 0.1, 0.1, 0.1]
    record = scoring.score_distribution(doc, model)
    positions = [4, 3, 2, 1]  # very unfavorable lowest
    survey, answer = np.array(doc["survey_distribution"][:4]), np.array(model[:4])
    w1 = wasserstein_distance(positions, positions, answer / answer.sum(), survey / survey.sum()) / (4 - 1)
    assert record["w1_ordinal"] == pytest.approx(w1)
    assert record["representativeness"] == pytest.approx(1 - w1)
    assert record["ordinal_scale"] is True
    assert scoring.score_distribution(doc | {"options": ["Yes", "No", "A", "B", "C"]}, model)["ordinal_scale"] is False


def test_ordinal_coverage_is_items_scored_over_items():
    from cultureval.tasks.global_opinions import scoring

    def doc(options):
        k = len(options)
        return {"options": options, "survey_distribution": [1 / k] * k, "country": "X", "survey_country": "X"}

    docs = [
        doc(["Very good", "Somewhat good", "Somewhat bad", "Very bad"]),
        doc(["Yes", "No"]),
        doc(["A great deal", "Fair amount", "Not too much", "Not at all"]),
        doc(["France", "China", "India"]),
    ]
    records = [scoring.score_parsed(d, [0.5] + [0.5 / (len(d["options"]) - 1)] * (len(d["options"]) - 1)) for d in docs]
    # an unreadable written answer still counts in the coverage (the scale is the options')
    records.append(scoring.score_parsed(docs[0], None))
    metrics = scoring.GENERATIVE_METRICS.compute(records, lm_eval_only=True)
    assert metrics["ordinal_coverage"] == pytest.approx(3 / 5)
    on_scale = [r["representativeness"] for r in records if r["representativeness"] is not None]
    assert len(on_scale) == 2 and metrics["representativeness"] == pytest.approx(np.mean(on_scale))


def test_ordinal_coverage_the_readme_states_is_the_codes(shared_data_dir, monkeypatch):
    """The coverage table of the GlobalOpinionQA README, recounted on the shared data."""
    import re
    from pathlib import Path

    from cultureval.tasks.global_opinions import loader
    from cultureval.tasks.global_opinions.ordinal import ordinal_scores

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    readme = (Path(loader.__file__).parent / "README.md").read_text()

    def count(docs):
        scored = [ordinal_scores([str(o) for o in d["options"]]) is not None for d in docs]
        by_source = {
            source: (
                sum(s for s, d in zip(scored, docs) if d["source"] == source),
                sum(d["source"] == source for d in docs),
            )
            for source in ("GAS", "WVS")
        }
        return sum(scored), len(docs), by_source

    def number(text):
        return int(text.replace(",", ""))

    for label, subset in (("all (`global_opinion_jsd`)", None), ("`_6c`", "6c")):
        row = re.search(
            re.escape(f"| {label} | ") + r"([\d,]+) of ([\d,]+) .*?\| ([\d,]+) of ([\d,]+) \| ([\d,]+) of ([\d,]+) \|",
            readme,
        )
        assert row, label
        scored, total, by_source = count(loader.load(subset).docs)
        stated = [number(g) for g in row.groups()]
        assert stated == [scored, total, *by_source["GAS"], *by_source["WVS"]], label


def test_country_sim_std_of_one_country_is_undefined_not_perfect():
    """Issue 31 point 8: ``country_sim_std`` 0 with one country looked perfect. One country: NaN;
    two countries with means 0.2 and 0.6 (by hand): population std 0.2."""
    import math

    from cultureval.metrics import country_sim_std

    assert math.isnan(country_sim_std([("Japan", 0.3), ("Japan", 0.5)]))
    assert country_sim_std([("Japan", 0.1), ("Japan", 0.3), ("Chile", 0.6)]) == pytest.approx(0.2)
