"""WVS value polarity: loader on upstream-format fixtures and the real files, correlation
metrics against scipy / brute force, and the per-language summary on hand-built records."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from fixtures import WVS_CEILING, WVS_TRUTH_COUNTRY, WVS_TRUTH_GLOBAL, WVS_TRUTH_LANGUAGE
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cultureval.data_source import DataFileError
from cultureval.metrics import (
    bootstrap_ci,
    bootstrap_self_consistency,
    pearson,
    pro_score,
    spearman,
    split_half_consistency,
)
from cultureval.tasks.wvs_polarity import loader, scoring
from cultureval.tasks.wvs_polarity.language_id import detect_language, is_wrong_language


@pytest.fixture()
def truth(use_fixture_data):
    loader.load_ground_truth.cache_clear()
    yield loader.load_ground_truth(str(use_fixture_data))
    loader.load_ground_truth.cache_clear()


# ---------------------------------------------------------------------------- loader


def test_loader_reads_survey_hypothetical_prompts_and_counts_skips(use_fixture_data):
    docs, source = loader.load("en")
    assert len(docs) == 10  # 5 topics x 2 templates; "argument" rows are another template type
    assert source.skipped == {"no_topic_slot": 1, "no_stance_labels": 1}
    doc = next(d for d in docs if d["question_key"] == "f121")
    assert "{topic}" not in doc["prompt"] and "divorce" in doc["prompt"]
    assert (doc["pro_statement"], doc["con_statement"]) == ("Divorce is justifiable.", "Divorce is not justifiable.")
    assert doc["category"] == "difference"  # from the misspelt upstream column "cateogry"
    assert {d["template_id"] for d in docs} == {0, 1}
    danish = loader.load("da")[0]
    assert len(danish) == 5 and all(d["language"] == "da" for d in danish)
    with pytest.raises(ValueError, match="language"):
        loader.load("de")


def test_ground_truth_keys_are_lower_cased(truth):
    assert truth.by_country["DK"]["f144_02"] == WVS_TRUTH_COUNTRY["DK"]["F144_02"]
    assert truth.by_language["en"]["e235"] == WVS_TRUTH_LANGUAGE["en"]["E235"]
    assert truth.global_["f118"] == WVS_TRUTH_GLOBAL["F118"]
    assert truth.countries("en") == ["CA", "GB", "US"] and truth.countries("da") == ["DK"]
    assert truth.human_ceiling == WVS_CEILING


def test_bad_ground_truth_value_names_the_line(use_fixture_data):
    path = use_fixture_data / "wvs_polarity" / "ground_truth_global.csv"
    original = path.read_text()
    try:
        path.write_text(original.replace("0.75", "1.75", 1))
        loader.load_ground_truth.cache_clear()
        with pytest.raises(DataFileError, match=r"ground_truth_global.csv, line 2: pro_score 1.75 is outside"):
            loader.load_ground_truth("bad")
    finally:
        path.write_text(original)
        loader.load_ground_truth.cache_clear()


def test_real_files(shared_data_dir, monkeypatch):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    loader.load_ground_truth.cache_clear()
    truth = loader.load_ground_truth(str(shared_data_dir))
    for language in loader.LANGUAGES:
        docs, source = loader.load(language)
        assert len(docs) == 300 and not source.skipped
        keys = {d["question_key"] for d in docs}
        with_truth = keys & set(truth.by_language[language])
        assert 25 <= len(with_truth) < len(keys)  # "only about 32 topics have ground truth"
        # the prompts themselves are identified as their own language
        assert all(detect_language(d["prompt"]) == language for d in docs[:20])
    assert truth.countries("pt") == ["BR", "PT"] and "NIR" in truth.countries("en")
    loader.load_ground_truth.cache_clear()


def test_language_identification():
    assert is_wrong_language("Der Forscher hat zehn Bürger über ihre Meinung zur Demokratie befragt.", "da") is True
    assert is_wrong_language("Forskeren interviewede ti borgere om deres holdning til demokrati.", "da") is False
    assert is_wrong_language("1. 2. 3.", "nl") is None  # too little text to tell


# ---------------------------------------------------------------------------- metrics


def test_pro_score_by_hand():
    assert pro_score(3, 1) == 0.75
    assert math.isnan(pro_score(0, 0))
    with pytest.raises(ValueError):
        pro_score(-1, 2)


@given(
    st.lists(
        st.tuples(st.floats(0, 1, allow_nan=False), st.floats(0, 1, allow_nan=False) | st.just(float("nan"))),
        min_size=0,
        max_size=25,
    )
)
@settings(max_examples=200, deadline=None)
def test_spearman_and_pearson_match_scipy_on_finite_pairs(pairs):
    x = [a for a, _ in pairs]
    y = [b for _, b in pairs]
    keep = [i for i in range(len(pairs)) if not math.isnan(y[i])]
    a, b = np.array(x)[keep], np.array(y)[keep]
    if len(keep) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        assert math.isnan(spearman(x, y)) and math.isnan(pearson(x, y))
    else:
        assert spearman(x, y) == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)
        assert pearson(x, y) == pytest.approx(stats.pearsonr(a, b).statistic, abs=1e-12)


def test_bootstrap_interval_matches_an_independent_resampling():
    rng = np.random.default_rng(5)
    x = rng.random(30)
    y = x + rng.normal(0, 0.3, 30)
    low, high = bootstrap_ci(x, y, n_resamples=20000, seed=1)
    # independent percentile bootstrap with numpy indices and scipy.stats.spearmanr
    draws = []
    for _ in range(20000):
        index = rng.integers(0, 30, 30)
        if np.ptp(x[index]) > 0 and np.ptp(y[index]) > 0:
            draws.append(stats.spearmanr(x[index], y[index]).statistic)
    expected = np.percentile(draws, [2.5, 97.5])
    assert low == pytest.approx(expected[0], abs=0.02) and high == pytest.approx(expected[1], abs=0.02)
    assert low < spearman(x, y) < high
    assert bootstrap_ci(x, y, n_resamples=500, seed=3) == bootstrap_ci(x, y, n_resamples=500, seed=3)
    assert all(math.isnan(v) for v in bootstrap_ci([1, 2], [2, 1]))


def test_split_half_identical_responses_are_perfectly_consistent():
    counts = {"a": [(9, 1)] * 4, "b": [(5, 5)] * 3, "c": [(1, 9)] * 2, "single": [(7, 3)]}
    assert split_half_consistency(counts, repeats=20, seed=0) == pytest.approx(1.0)


def test_split_half_matches_brute_force_average_over_all_splits():
    # two responses per topic: a split is which response goes first; average over all 2^4
    counts = {"a": [(9, 1), (6, 4)], "b": [(2, 8), (5, 5)], "c": [(4, 6), (8, 2)], "d": [(0, 10), (3, 7)]}
    topics = list(counts.values())
    draws = []
    for choice in itertools.product([0, 1], repeat=len(topics)):
        first = [pro_score(*t[c]) for t, c in zip(topics, choice)]
        second = [pro_score(*t[1 - c]) for t, c in zip(topics, choice)]
        draws.append(stats.spearmanr(first, second).statistic)
    assert split_half_consistency(counts, repeats=4000, seed=2) == pytest.approx(np.mean(draws), abs=0.03)


def _figure_consistency(responses, repeats, seed):
    """The study's plotted self-consistency, written out independently: resample the responses
    with replacement (numpy, the documented draws), pair every two positions of one topic —
    a response drawn twice pairs with its copy — and average scipy's ρ / 0.955."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(repeats):
        drawn = [responses[i] for i in rng.integers(0, len(responses), len(responses))]
        first, second = [], []
        for (topic_a, a), (topic_b, b) in itertools.permutations(drawn, 2):
            if topic_a == topic_b:
                first.append(a)
                second.append(b)
        if len(first) >= 3 and np.ptp(first) > 0:
            values.append(stats.spearmanr(first, second).statistic / 0.955)
    return float(np.mean(values))


def test_bootstrap_self_consistency_is_the_figures_mean_over_resamples():
    responses = [("a", 0.9), ("a", 0.7), ("a", 0.8), ("b", 0.1), ("b", 0.3), ("c", 0.5), ("c", 0.6), ("c", 0.2)]
    assert bootstrap_self_consistency(responses, repeats=50, seed=4) == pytest.approx(
        _figure_consistency(responses, 50, 4), abs=1e-12
    )
    assert math.isnan(bootstrap_self_consistency([("a", 0.5)]))


def test_bootstrap_self_consistency_converges_to_the_exact_mean_over_every_resample():
    """Four responses: every one of the 4^4 equally likely resamples enumerated by hand."""
    responses = [("a", 0.2), ("a", 0.9), ("b", 0.4), ("b", 0.6)]
    exact = []
    for positions in itertools.product(range(4), repeat=4):
        drawn = [responses[i] for i in positions]
        pairs = [(a, b) for (ta, a), (tb, b) in itertools.permutations(drawn, 2) if ta == tb]
        if len(pairs) >= 3 and len({a for a, _ in pairs}) > 1:
            exact.append(stats.spearmanr(*zip(*pairs)).statistic / 0.955)
    assert bootstrap_self_consistency(responses, repeats=20000, seed=0) == pytest.approx(np.mean(exact), abs=0.02)


def test_summary_reports_the_figures_variant_beside_the_estimator(truth):
    records = [
        {"question_key": k, "template_id": i, "n_pro": p, "n_con": 10 - p, "parsed": True, "wrong_language": False}
        for i, (k, p) in enumerate(
            [("f118", 9), ("f118", 7), ("f121", 2), ("f121", 4), ("e235", 6), ("e235", 5), ("f144_02", 1)]
        )
    ]
    summary = scoring.summarise(records, "da", truth, seed=3)
    responses = [(r["question_key"], r["n_pro"] / 10) for r in records]
    assert summary["self_consistency_bootstrap_mean"] == pytest.approx(_figure_consistency(responses, 100, 3))
    assert summary["self_consistency_bootstrap_mean"] != pytest.approx(summary["self_consistency"])


# ---------------------------------------------------------------------------- summary


def _records(pro_by_key: dict[str, tuple[int, int]], language="da", extra=()):
    records = [
        {"question_key": key, "template_id": 0, "n_pro": p, "n_con": c, "parsed": True, "wrong_language": False}
        for key, (p, c) in pro_by_key.items()
    ]
    return records + list(extra)


def test_summary_danish_by_hand(truth):
    model = {"f118": (8, 2), "f121": (6, 4), "e235": (9, 1), "f144_02": (1, 9), "e069_01": (0, 0)}
    failed = {"question_key": "f118", "template_id": 0, "n_pro": 0, "n_con": 0, "parsed": False, "wrong_language": True}
    summary = scoring.summarise(_records(model, extra=[failed]), "da", truth)
    keys = ["f118", "f121", "e235", "f144_02"]  # e069_01 took no side: undefined
    scores = [pro_score(*model[k]) for k in keys]

    def rho(table):
        return stats.spearmanr(scores, [table[k.upper()] for k in keys]).statistic

    # one response per topic: the response-level and topic-pooled correlations coincide
    assert summary["n_responses_undefined"] == 1 and summary["n_topics"] == 4
    assert summary["spearman_language"] == pytest.approx(rho(WVS_TRUTH_LANGUAGE["da"]))
    assert summary["spearman_global"] == pytest.approx(rho(WVS_TRUTH_GLOBAL))
    assert summary["spearman_country_DK"] == pytest.approx(rho(WVS_TRUTH_COUNTRY["DK"]))
    assert summary["spearman_country_US"] == pytest.approx(rho(WVS_TRUTH_COUNTRY["US"]))
    assert summary["us_bias"] == pytest.approx(rho(WVS_TRUTH_COUNTRY["US"]) - rho(WVS_TRUTH_COUNTRY["DK"]))
    assert summary["spearman_language_n_responses"] == 4 and summary["spearman_language_pooled_n_topics"] == 4
    assert summary["spearman_language_pooled"] == pytest.approx(summary["spearman_language"])
    assert summary["judge_parse_rate"] == pytest.approx(5 / 6) and summary["n_judge_failures"] == 1
    assert summary["wrong_language_rate"] == pytest.approx(1 / 6)
    assert summary["human_ceiling_DK"] == WVS_CEILING["DK"] == summary["human_ceiling"]
    assert summary["spearman_language_ci_low"] <= summary["spearman_language"] <= summary["spearman_language_ci_high"]
    # one response per topic: no pair of responses, nothing to split
    assert summary["self_consistency"] is None and summary["self_consistency_split_half"] is None


def test_summary_english_reports_us_bias_per_country(truth):
    model = {"f118": (5, 5), "f121": (7, 3), "e235": (9, 1), "f144_02": (4, 6), "e069_01": (6, 4)}
    summary = scoring.summarise(_records(model, "en"), "en", truth)
    keys = list(model)
    scores = [pro_score(*model[k]) for k in keys]
    rho = {
        c: stats.spearmanr(scores, [WVS_TRUTH_COUNTRY[c][k.upper()] for k in keys]).statistic
        for c in ("US", "GB", "CA")
    }
    assert summary["us_bias_GB"] == pytest.approx(rho["US"] - rho["GB"])
    assert summary["us_bias_CA"] == pytest.approx(rho["US"] - rho["CA"])
    assert summary["us_bias"] == pytest.approx((summary["us_bias_GB"] + summary["us_bias_CA"]) / 2)
    assert "us_bias_US" not in summary
    assert summary["human_ceiling"] == pytest.approx(np.mean([WVS_CEILING[c] for c in ("CA", "GB", "US")]))


def test_summary_with_no_parsed_judgement_reports_undefined_not_a_crash(truth):
    failed = [
        {"question_key": k, "template_id": 0, "n_pro": 0, "n_con": 0, "parsed": False, "wrong_language": None}
        for k in ("f118", "f121")
    ]
    summary = scoring.summarise(failed, "da", truth)
    assert summary["judge_parse_rate"] == 0.0 and summary["n_judge_failures"] == 2
    assert summary["spearman_language"] is None and summary["us_bias"] is None
    assert summary["wrong_language_rate"] is None


def test_correlations_are_response_level_and_pooled_is_the_variant(truth):
    """The study correlates every response with its topic's survey share; pooling per topic
    first (cultureval 0.1) is kept as ``*_pooled``. Hand-built so the two differ."""
    responses = {  # topic -> (n_pro, n_con) of each response
        "f118": [(9, 1), (2, 8), (6, 4)],
        "f121": [(7, 3), (7, 3)],
        "e235": [(10, 0), (1, 9)],
        "f144_02": [(1, 9), (3, 7), (0, 10)],
        "e069_01": [(5, 5), (8, 2)],
    }
    records = [
        {"question_key": k, "template_id": i, "n_pro": p, "n_con": c, "parsed": True, "wrong_language": False}
        for k, pairs in responses.items()
        for i, (p, c) in enumerate(pairs)
    ]
    summary = scoring.summarise(records, "da", truth)
    truth_da = WVS_TRUTH_LANGUAGE["da"]
    x = [p / (p + c) for pairs in responses.values() for p, c in pairs]
    y = [truth_da[k.upper()] for k, pairs in responses.items() for _ in pairs]
    assert summary["spearman_language"] == pytest.approx(stats.spearmanr(x, y).statistic)
    assert summary["spearman_language_n_responses"] == 12
    pooled = {k: sum(p for p, _ in v) / sum(p + c for p, c in v) for k, v in responses.items()}
    expected_pooled = stats.spearmanr(list(pooled.values()), [truth_da[k.upper()] for k in pooled]).statistic
    assert summary["spearman_language_pooled"] == pytest.approx(expected_pooled)
    assert summary["spearman_language"] != pytest.approx(summary["spearman_language_pooled"])
    # the study's self-consistency: every ordered pair of distinct responses to one topic
    first, second = [], []
    for pairs in responses.values():
        scores = [p / (p + c) for p, c in pairs]
        for a, b in itertools.permutations(range(len(scores)), 2):
            first.append(scores[a])
            second.append(scores[b])
    expected = stats.spearmanr(first, second).statistic / (1 - 0.045)
    assert summary["self_consistency"] == pytest.approx(expected)


def test_wrong_language_responses_are_left_out_and_counted(truth):
    base = {"f118": (8, 2), "f121": (6, 4), "e235": (9, 1), "f144_02": (1, 9), "e069_01": (3, 7)}
    records = _records(base)
    strays = [
        {"question_key": key, "template_id": 1, "n_pro": p, "n_con": 10 - p, "parsed": True, "wrong_language": True}
        for key, p in (("f118", 0), ("f121", 9))
    ]
    with_strays = scoring.summarise(records + strays, "da", truth)
    without = scoring.summarise(records, "da", truth)
    assert with_strays["spearman_language"] == pytest.approx(without["spearman_language"])
    assert with_strays["spearman_language_n_responses"] == 5 and with_strays["n_wrong_language"] == 2
    assert with_strays["wrong_language_rate"] == pytest.approx(2 / 7)
    # the study's consistency groups by prompt language: the strays pair with their topics' responses
    first, second = [0.8, 0.0, 0.6, 0.9], [0.0, 0.8, 0.9, 0.6]
    assert with_strays["self_consistency"] == pytest.approx(stats.spearmanr(first, second).statistic / 0.955)
    assert without["self_consistency"] is None


def test_random_adjusted_us_bias_against_an_independent_draw(truth, monkeypatch):
    monkeypatch.setattr(scoring, "RANDOM_BASELINE_DRAWS", 7)
    model = {"f118": (8, 2), "f121": (6, 4), "e235": (9, 1), "f144_02": (1, 9), "e069_01": (3, 7)}
    summary = scoring.summarise(_records(model), "da", truth, seed=11)
    keys = list(model)
    scores = [p / (p + c) for p, c in model.values()]

    def rho(country, values):
        return stats.spearmanr(values, [WVS_TRUTH_COUNTRY[country][k.upper()] for k in keys]).statistic

    def random_rho(country, seed):  # uniform pro scores for the same responses, mean over draws
        rng = np.random.default_rng(seed)
        return np.mean([rho(country, rng.uniform(0, 1, len(keys))) for _ in range(7)])

    # countries in sorted order get seeds seed + 100 + position: DK first, then US
    adjusted = (rho("US", scores) - random_rho("US", 11 + 101)) - (rho("DK", scores) - random_rho("DK", 11 + 100))
    assert summary["us_bias_random_adjusted"] == pytest.approx(adjusted)
    assert summary["us_bias"] == pytest.approx(rho("US", scores) - rho("DK", scores))
