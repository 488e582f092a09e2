"""global_opinion_wvs_pearson: the ordinal rule (on option lists as they occur in the data),
expected scores, the Pearson aggregation against scipy, the continent breakdown, and both
harnesses end to end on the tiny model (and on SmolLM2 in the real tier)."""

from __future__ import annotations

import json
import math

import pytest
from conftest import run_cli
from fixtures import GLOBAL_OPINION_ROWS, write_global_opinions
from scipy import stats

from cultureval.tasks.global_opinions.continents import continent_of
from cultureval.tasks.global_opinions.ordinal import expected_score, ordinal_scores
from cultureval.tasks.value_probing import scoring as wvs_pearson

# option lists exactly as GlobalOpinionQA's WVS rows spell them
JUSTIFIABLE = [
    "Never justifiable",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "Always justifiable",
    "Don't know",
    "No answer",
    "Other missing; Multiple answers Mail (EVS)",
]
CONFIDENCE = [
    "A great deal",
    "Quite a lot",
    "Not very much",
    "None at all",
    "Don't know",
    "No answer",
    "Missing; Unknown",
]
HARD_TO_SAY = ["Disagree", "Hard to say", "Agree", "Don't know", "No answer", "Missing; Not available"]
SATISFIED_DESC = [
    "Satisfied",
    "9",
    "8",
    "7",
    "6",
    "5",
    "4",
    "3",
    "2",
    "Dissatisfied",
    "Don't know",
    "No answer",
    "Missing; Unknown",
]


@pytest.mark.parametrize(
    "options, scale, scores",
    [
        (JUSTIFIABLE, "numbered", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None, None, None]),
        (CONFIDENCE, "amount", [4, 3, 2, 1, None, None, None]),
        # levels present are numbered 1, 2, ... (agreement's "disagree" is level 2 of 5)
        (HARD_TO_SAY, "agreement", [1, 2, 3, None, None, None]),
        # a scale without its midpoint is scored evenly, not 5, 4, 2, 1
        (["Very good", "Fairly good", "Bad", "Very bad", "Don't know"], "goodness", [4, 3, 2, 1, None]),
        (
            ["A great deal of respect", "Fairly much respect", "Not much respect", "No respect at all", "No answer"],
            "respect",
            [4, 3, 2, 1, None],
        ),
        # here the WVS prints "Rather bad" below "Quite bad"
        (
            ["Rather bad", "Quite bad", "Neither good, nor bad", "Quite good", "Very good", "Don't know"],
            "goodness (printed)",
            [1, 2, 3, 4, 5, None],
        ),
        # a volunteered answer beside a ten-point scale is not a level of it
        (
            [
                "It is against democracy (spontaneous)",
                "Not an essential characteristic of democracy",
                *[str(i) for i in range(2, 10)],
                "An essential characteristic of democracy",
                "Don't know",
            ],
            "numbered",
            [None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None],
        ),
        (SATISFIED_DESC, "numbered", [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, None, None, None]),
        (
            ["Have done", "Might do", "Would never do", "Don't know", "No answer", "INAP: No internet/no social media"],
            "action",
            [3, 2, 1, None, None, None],
        ),
        (
            [
                "1 There is no corruption in my country",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10 There is abundant corruption in my country",
                "Don't know",
                "No answer",
                "Missing; Not available",
            ],
            "numbered",
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None, None, None],
        ),
    ],
)
def test_ordinal_scales(options, scale, scores):
    assert ordinal_scores(options) == (scale, [None if s is None else float(s) for s in scores])


@pytest.mark.parametrize(
    "options",
    [
        ["Yes", "No", "Don't know", "No answer", "Missing; Not available"],  # two levels: not a scale
        ["Mentioned", "Not mentioned", "Don't know", "No answer"],
        ["France", "China", "India", "Don't know", "No answer", "Missing; Not available"],
        # "Very much" and "A great deal" are the same level: ambiguous, left out
        ["Very much", "A great deal", "Not much", "Not at all", "Don't know", "No answer"],
        # an answer outside the scale that is an opinion, not a non-answer
        ["this is not government’s responsibility", "Very bad", "Bad", "Good", "Very good", "No answer"],
    ],
)
def test_not_ordinal(options):
    assert ordinal_scores(options) is None


def test_ordinal_rule_on_the_real_wvs_items(shared_data_dir, monkeypatch):
    import re
    from collections import Counter
    from pathlib import Path

    from cultureval.tasks.global_opinions import loader

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    docs = loader.load("wvs_ordinal").docs
    questions = {d["question_id"]: d for d in docs}
    # the counts the family README states are the code's
    readme = (Path(wvs_pearson.__file__).parent / "README.md").read_text()
    stated = re.search(r"(\d+) ordinal\s+questions, (\d+) of them asked in 5 or more", readme)
    samples = Counter(d["question_id"] for d in docs)
    assert stated and (int(stated.group(1)), int(stated.group(2))) == (
        len(questions),
        sum(n >= wvs_pearson.MIN_COUNTRIES for n in samples.values()),
    )
    assert all(d["source"] == "WVS" for d in docs)
    assert len(questions) > 100  # most WVS questions have an ordinal scale
    lists = {tuple(d["options"]) for d in questions.values()}
    assert tuple(JUSTIFIABLE) in lists and tuple(CONFIDENCE) in lists
    for doc in questions.values():
        kept = [o for o, s in zip(doc["options"], doc["option_scores"]) if s is None]
        prefixes = (
            "Don't know",
            "Don’t know",
            "No answer",
            "Missing",
            "Other missing",
            "INAP",
            "Don't -",
            "Not allowed to vote",
        )
        assert all(o.startswith(prefixes) or o.endswith("(spontaneous)") for o in kept), kept
    # every WVS country resolves to a continent through country_converter
    assert {d["country"] for d in docs if continent_of(d["country"]) is None} == set()


def test_expected_score_renormalises_over_substantive_options():
    # hand-worked: p = (0.2, 0.2, 0.4 | 0.2 dropped) -> (0.25, 0.25, 0.5) . (1, 2, 3) = 2.25
    assert expected_score([0.2, 0.2, 0.4, 0.2], [1.0, 2.0, 3.0, None]) == pytest.approx(2.25)
    assert expected_score([0.0, 0.0, 1.0], [1.0, 2.0, None]) is None


def _record(question, country, model, survey, continent="Europe", span=3.0):
    return {
        "question_id": question,
        "country": country,
        "continent": continent,
        "model_score": model,
        "survey_score": survey,
        "abs_error": abs(model - survey) / span,
    }


def test_pearson_mean_against_scipy():
    q1 = [(1.0, 2.0), (2.0, 2.5), (3.0, 2.0), (4.0, 3.5), (2.5, 1.0)]
    q2 = [(3.0, 1.0), (2.0, 2.0), (1.0, 3.5), (2.5, 2.5), (3.5, 1.5), (1.5, 3.0)]
    q3 = [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]  # 3 countries < MIN_COUNTRIES: left out
    q4 = [(2.0, 1.0), (2.0, 2.0), (2.0, 3.0), (2.0, 1.5), (2.0, 2.5)]  # constant model: undefined
    records = []
    for question, pairs in enumerate((q1, q2, q3, q4)):
        records += [_record(question, f"C{i}", m, s) for i, (m, s) in enumerate(pairs)]
    expected = [stats.pearsonr(*zip(*q)).statistic for q in (q1, q2)]
    assert wvs_pearson.pearson_mean(records) == pytest.approx(sum(expected) / 2)
    assert wvs_pearson.n_questions(records) == 2
    assert wvs_pearson.n_questions_undefined(records) == 1


def test_continent_breakdown_by_hand():
    records = [
        _record(1, "Germany", 2.0, 2.3, "Europe"),  # error 0.1
        _record(1, "United States", 2.0, 2.6, "North America"),  # 0.2
        _record(1, "Nigeria", 2.0, 3.2, "Africa"),  # 0.4
        _record(1, "Japan", 2.0, 2.9, "Asia"),  # 0.3
        _record(1, "Atlantis", 2.0, 2.0, None),  # no continent: counted, only in abs_error
    ]
    assert wvs_pearson.abs_error_western(records) == pytest.approx(0.15)
    assert wvs_pearson.abs_error_rest(records) == pytest.approx(0.35)
    assert wvs_pearson.western_bias(records) == pytest.approx(0.2)
    assert wvs_pearson.abs_error_africa(records) == pytest.approx(0.4)
    assert math.isnan(wvs_pearson.abs_error_oceania(records))
    assert wvs_pearson.n_no_continent(records) == 1
    assert wvs_pearson.abs_error(records) == pytest.approx((0.1 + 0.2 + 0.4 + 0.3 + 0.0) / 5)
    assert continent_of("Great Britain") == "Europe" and continent_of("Northern Ireland") == "Europe"
    assert continent_of("Taiwan ROC") == "Asia" and continent_of("Atlantis") is None


# ---------------------------------------------------------------------------- end to end

AGREE = "['Strongly agree', 'Agree', 'Disagree', 'Strongly disagree', \"Don't know\", 'No answer/refused']"
WVS_ROWS = [
    (
        "Men make better political leaders than women do.",
        AGREE,
        {
            "Sweden": [0.02, 0.08, 0.4, 0.48, 0.01, 0.01],
            "Pakistan": [0.4, 0.35, 0.15, 0.05, 0.03, 0.02],
            "Brazil": [0.1, 0.2, 0.4, 0.28, 0.01, 0.01],
            "Nigeria": [0.45, 0.3, 0.15, 0.08, 0.01, 0.01],
            "United States": [0.05, 0.12, 0.43, 0.38, 0.01, 0.01],
            "Japan": [0.1, 0.3, 0.4, 0.15, 0.04, 0.01],
        },
        "WVS",
    ),
    (
        "University is more important for a boy than for a girl.",
        AGREE,
        {
            "Sweden": [0.01, 0.04, 0.3, 0.63, 0.01, 0.01],
            "Pakistan": [0.3, 0.3, 0.25, 0.1, 0.03, 0.02],
            "Brazil": [0.05, 0.1, 0.45, 0.38, 0.01, 0.01],
            "Nigeria": [0.35, 0.3, 0.2, 0.13, 0.01, 0.01],
            "Great Britain": [0.02, 0.05, 0.4, 0.51, 0.01, 0.01],
        },
        "WVS",
    ),
]


@pytest.fixture(scope="module")
def wvs_data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wvs-data")
    write_global_opinions(folder, GLOBAL_OPINION_ROWS + WVS_ROWS)
    return folder


@pytest.mark.e2e
def test_both_harnesses_on_the_tiny_model(tiny_model, wvs_data_dir, tmp_path):
    from test_e2e_global_opinions import inspect_run, lm_eval_run

    task = "global_opinion_wvs_pearson"
    results, samples = lm_eval_run(f"pretrained={tiny_model}", wvs_data_dir, tmp_path / "lm", task=task)
    entry = results["results"][task]
    # the fixture's WVS 0-10 item has only 3 countries: 2 questions with >= 5 countries remain
    assert entry["n_questions,none"] == 2
    records = [s["pearson_mean"] for s in samples]
    by_question = {}
    for r in records:
        by_question.setdefault(r["question_id"], []).append((r["model_score"], r["survey_score"]))
    expected = [stats.pearsonr(*zip(*pairs)).statistic for pairs in by_question.values() if len(pairs) >= 5]
    assert entry["pearson_mean,none"] == pytest.approx(sum(expected) / len(expected))
    assert -1 <= entry["pearson_mean,none"] <= 1

    log = inspect_run(tiny_model, wvs_data_dir, tmp_path / "inspect", task=task)
    metrics = log.results.scores[0].metrics
    assert set(wvs_pearson.METRICS.names) <= set(metrics)
    # a question whose model scores are all equal (letters missing from the tiny model's top
    # tokens read as uniform) is undefined, and counted as such
    assert metrics["n_questions"].value + metrics["n_questions_undefined"].value == 2
    assert metrics["n_questions"].value == 0 or -1 <= metrics["pearson_mean"].value <= 1


@pytest.mark.real
def test_smollm2_both_harnesses(smollm2, shared_data_dir, tmp_path):
    from inspect_ai.log import list_eval_logs, read_eval_log

    task = "global_opinion_wvs_pearson"
    out = tmp_path / "lm"
    run_cli(
        [
            "cultureval",
            "lm-eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={smollm2}",
            "--tasks",
            task,
            "--limit",
            "10",
            "--output_path",
            str(out),
        ],
        shared_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    entry = json.loads(results_file.read_text())["results"][task]
    assert entry["n_questions,none"] >= 1 and -1 <= entry["pearson_mean,none"] <= 1
    run_cli(
        [
            "inspect",
            "eval",
            f"cultureval/{task}",
            "--model",
            "hf/smollm2",
            "-M",
            f"model_path={smollm2}",
            "--limit",
            "10",
            "--log-dir",
            str(tmp_path / "logs"),
            "--display",
            "none",
        ],
        shared_data_dir,
        tmp_path,
    )
    log = read_eval_log(list_eval_logs(str(tmp_path / "logs"))[0])
    metrics = log.results.scores[0].metrics
    assert metrics["n_questions"].value >= 1 and 0 <= metrics["abs_error"].value <= 1


def test_per_country_pearson_against_scipy():
    """One r per country across its questions, on the items' scales placed in [0, 1]."""
    rng_pairs = {
        "Kenya": [(0.1, 0.2), (0.5, 0.4), (0.9, 0.7), (0.3, 0.5), (0.6, 0.6)],
        "Peru": [(0.2, 0.9), (0.4, 0.7), (0.6, 0.2), (0.8, 0.1), (0.5, 0.5), (0.3, 0.8)],
        "Chile": [(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)],  # 3 questions < 5: left out
        "Fiji": [(0.5, 0.1), (0.5, 0.2), (0.5, 0.3), (0.5, 0.4), (0.5, 0.5)],  # constant model: undefined
    }
    continents = {"Kenya": "Africa", "Peru": "South America", "Chile": "South America", "Fiji": "Oceania"}
    records = [
        {"question_id": q, "country": c, "continent": continents[c], "model_position": m, "survey_position": s}
        for c, pairs in rng_pairs.items()
        for q, (m, s) in enumerate(pairs)
    ]
    kenya = stats.pearsonr(*zip(*rng_pairs["Kenya"])).statistic
    peru = stats.pearsonr(*zip(*rng_pairs["Peru"])).statistic
    assert wvs_pearson.pearson_country_mean(records) == pytest.approx((kenya + peru) / 2)
    assert wvs_pearson.n_countries(records) == 2
    by_name = {m.name: m for m in wvs_pearson.METRICS.metrics}
    assert by_name["pearson_country_africa"].aggregation(records) == pytest.approx(kenya)
    assert by_name["pearson_country_south_america"].aggregation(records) == pytest.approx(peru)
    assert math.isnan(by_name["pearson_country_oceania"].aggregation(records))


def test_positions_place_items_on_a_zero_one_scale():
    doc = {
        "question_id": 7,
        "survey_country": "Kenya",
        "country": "Kenya",
        "option_scores": [1.0, 2.0, 3.0, 4.0, None],
        "survey_distribution": [0.0, 0.0, 0.5, 0.5, 0.0],
    }
    record = wvs_pearson.score_distribution(doc, [0.5, 0.5, 0.0, 0.0, 0.0])
    # hand-worked: E_model = 1.5 -> (1.5 - 1) / 3; E_survey = 3.5 -> 2.5 / 3; error = 2 / 3
    assert record["model_position"] == pytest.approx(0.5 / 3)
    assert record["survey_position"] == pytest.approx(2.5 / 3)
    assert record["abs_error"] == pytest.approx(2 / 3)


# --- the country-blind yardstick and the reading beyond it -------------------------------------


def _value_docs():
    """Two scales, six questions, five countries: every country's distribution differs."""
    import numpy as np

    rng = np.random.default_rng(3)
    docs = []
    countries = ["Kenya", "Peru", "Japan", "Germany", "Chile"]
    for question in range(100, 106):  # ids the fixture data does not use
        scores = [1.0, 2.0, 3.0, 4.0, None] if question % 2 else [1.0, 2.0, 3.0, None]
        for country in countries:
            raw = rng.random(len(scores))
            docs.append(
                {
                    "question_id": question,
                    "country": country,
                    "survey_country": country,
                    "option_scores": scores,
                    "survey_distribution": (raw / raw.sum()).tolist(),
                }
            )
    from cultureval.tasks.global_opinions.loader import cross_country_distributions

    means = cross_country_distributions(docs)
    return [doc | {"cross_country_distribution": means[doc["question_id"]]} for doc in docs]


def _positions(distribution, scores):
    kept = [(p, s) for p, s in zip(distribution, scores) if s is not None]
    low, high = min(s for _, s in kept), max(s for _, s in kept)
    expected = sum(p * s for p, s in kept) / sum(p for p, _ in kept)
    return (expected - low) / (high - low)


def test_deviation_reading_against_scipy_and_the_country_blind_predictor_scores_zero():
    docs = _value_docs()
    # a model that halves each country's deviation from the country-blind answer and adds noise
    model = {}
    for doc in docs:
        raw = [0.5 * a + 0.5 * b for a, b in zip(doc["survey_distribution"], doc["cross_country_distribution"])]
        model[(doc["question_id"], doc["country"])] = raw
    records = [wvs_pearson.score_distribution(d, model[(d["question_id"], d["country"])]) for d in docs]
    expected = []
    for country in {d["country"] for d in docs}:
        mine = [d for d in docs if d["country"] == country]
        blind = [_positions(d["cross_country_distribution"], d["option_scores"]) for d in mine]
        m = [_positions(model[(d["question_id"], country)], d["option_scores"]) - b for d, b in zip(mine, blind)]
        s = [_positions(d["survey_distribution"], d["option_scores"]) - b for d, b in zip(mine, blind)]
        expected.append(stats.pearsonr(m, s).statistic)
    assert wvs_pearson.pearson_country_deviation_mean(records) == pytest.approx(sum(expected) / len(expected))
    blind_records = [wvs_pearson.score_distribution(d, d["cross_country_distribution"]) for d in docs]
    # knows the world, not the country: high on the plain per-country reading, 0 beyond it
    plain = [
        stats.pearsonr(
            [_positions(d["cross_country_distribution"], d["option_scores"]) for d in docs if d["country"] == c],
            [_positions(d["survey_distribution"], d["option_scores"]) for d in docs if d["country"] == c],
        ).statistic
        for c in {d["country"] for d in docs}
    ]
    assert wvs_pearson.pearson_country_mean(blind_records) == pytest.approx(sum(plain) / len(plain))
    assert wvs_pearson.pearson_country_deviation_mean(blind_records) == 0.0
    # the per-question reading: a country-blind answer is constant across countries, r undefined
    assert wvs_pearson.n_questions(blind_records) == 0 and wvs_pearson.n_questions_undefined(blind_records) == 6


def test_records_logged_without_the_cross_country_distribution_are_left_out_of_the_deviation_reading():
    docs = [{k: v for k, v in d.items() if k != "cross_country_distribution"} for d in _value_docs()]
    records = [wvs_pearson.score_distribution(d, d["survey_distribution"]) for d in docs]
    assert all(r["blind_position"] is None for r in records)
    assert math.isnan(wvs_pearson.pearson_country_deviation_mean(records))
    assert wvs_pearson.pearson_country_mean(records) == pytest.approx(1.0)


def test_value_probing_yardsticks_on_the_runs_items(use_fixture_data):
    from cultureval.tasks.value_probing import baselines

    docs = _value_docs()
    found = baselines.yardsticks("global_opinion_wvs_pearson", docs)
    # no US sample among these questions: the US prior has no item to score and is not shown
    assert set(found) == {"country-blind", "survey n=100"}
    blind = found["country-blind"]
    records = [wvs_pearson.score_distribution(d, d["cross_country_distribution"]) for d in docs]
    assert blind["pearson_country_mean"] == pytest.approx(wvs_pearson.pearson_country_mean(records))
    assert blind["pearson_country_deviation_mean"] == 0.0 and blind["n"] == len(docs)


def test_country_blind_scores_the_readme_numbers_on_the_real_data(shared_data_dir, monkeypatch):
    import re
    from pathlib import Path

    from cultureval.tasks.global_opinions import loader
    from cultureval.tasks.value_probing import baselines

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    docs = loader.load("wvs_ordinal").docs
    found = baselines.yardsticks("global_opinion_wvs_pearson", docs)
    readme = (Path(wvs_pearson.__file__).parent / "README.md").read_text()
    row = re.search(r"\| country-blind \| n/a \(\d+ of \d+ undefined\) \| ([\d.]+) \| ([\d.]+) \|", readme)
    assert row, "the README's yardstick table"
    assert float(row.group(1)) == pytest.approx(found["country-blind"]["pearson_country_mean"], abs=5e-4)
    assert float(row.group(2)) == found["country-blind"]["pearson_country_deviation_mean"] == 0.0
