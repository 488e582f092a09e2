import logging

import pytest
from fixtures import GLOBAL_OPINION_ROWS, selections_repr, write_global_opinions

from cultureval.data_source import DataFileError
from cultureval.metrics import country_sim_std
from cultureval.tasks.global_opinions import lm_eval_hooks, loader, prompts
from cultureval.tasks.global_opinions.study_items import StudyItem, question_key, study_items


def test_parse_selections_reads_defaultdict_repr():
    cell = selections_repr({"India (Current national sample)": [0.5, 0.5], "Peru": [1, 0]})
    assert loader.parse_selections(cell) == {"India (Current national sample)": [0.5, 0.5], "Peru": [1.0, 0.0]}


def test_parse_options_mixed_strings_and_floats():
    cell = "['Not important at all', 1.0, 2.0, 'Very important', \"Don't know\"]"
    assert loader.parse_options(cell) == ["Not important at all", "1", "2", "Very important", "Don't know"]


@pytest.mark.parametrize(
    "cell",
    [
        "defaultdict(<class 'list'>, {'A': [0.1, __import__('os')]})",
        "{'A': 'not a list'}",
        "[1, 2]",
        "defaultdict(<class 'list'>, {'A': [0.1, 'x']})",
    ],
)
def test_parse_selections_rejects_non_literals(cell):
    with pytest.raises(ValueError):
        loader.parse_selections(cell)


def test_split_country():
    assert loader.split_country("India (Current national sample)") == ("India", "Current national sample")
    assert loader.split_country("China (Non-national sample)") == ("China", "Non-national sample")
    assert loader.split_country("S. Korea") == ("S. Korea", None)


def test_one_doc_per_question_and_sample_with_counted_skips(use_fixture_data, caplog):
    with caplog.at_level(logging.WARNING):
        loaded = loader.load()
    expected = sum(len(selections) for _, _, selections, _ in GLOBAL_OPINION_ROWS) - 2
    assert len(loaded.docs) == expected
    assert loaded.source.skipped == {"all_zero": 1, "length_mismatch": 1}
    assert "skipped 2" in caplog.text
    chinas = [d for d in loaded.docs if d["question_id"] == 0 and d["country"] == "China"]
    assert sorted(d["country_sample"] for d in chinas) == ["", "Non-national sample"]
    assert {d["survey_country"] for d in chinas} == {"China", "China (Non-national sample)"}
    for doc in loaded.docs:
        assert sum(doc["survey_distribution"]) == pytest.approx(1.0)
        assert len(doc["survey_distribution"]) == doc["n_options"] == len(doc["options"])
    assert loaded.source.partial is True
    assert len(loaded.source.sha256) == 64


def test_binary_subset_uses_current_national_samples(use_fixture_data):
    docs = loader.load("binary").docs
    assert all(d["n_options"] == 2 for d in docs)
    pairs = {(d["question_id"], d["survey_country"]) for d in docs}
    assert (2, "India (Current national sample)") in pairs
    assert (2, "India (Non-national sample)") not in pairs
    # question 3 has both a plain "India" and a current national sample: the plain name wins
    assert (3, "India") in pairs and (3, "India (Current national sample)") not in pairs
    assert {d["country"] for d in docs} <= set(loader.BINARY_COUNTRIES)
    assert not any(d["country"] == "Nigeria" for d in docs)


def _doc(question: str, survey_country: str, question_id: int) -> dict:
    country, sample = loader.split_country(survey_country)
    return {
        "question_id": question_id,
        "question": question,
        "country": country,
        "survey_country": survey_country,
        "country_sample": sample or "",
        "n_options": 2,
    }


def test_six_country_subset_is_the_study_items_in_study_order():
    docs = [
        _doc("Q one?", "Brazil", 0),
        _doc("Q one?", "Brazil (Non-national sample)", 0),
        _doc("Q two?", "China (Non-national sample)", 1),  # only a non-national sample: never used
        _doc("Q three?", "Nigeria (Current national sample)", 2),
        _doc("Q four?", "Sweden", 3),
    ]
    items = (
        StudyItem(0, "Sweden", question_key("Q four?")),
        StudyItem(1, "Brazil", question_key("  Q one?\n")),  # keys are of the stripped question
        StudyItem(2, "China", question_key("Q two?")),
        StudyItem(3, "Nigeria", question_key("Q three?")),
        StudyItem(4, "Pakistan", question_key("Q five?")),
    )
    chosen, notes = loader.study_subset(docs, items)
    assert [(d["question"], d["survey_country"]) for d in chosen] == [
        ("Q four?", "Sweden"),
        ("Q one?", "Brazil"),
        ("Q three?", "Nigeria (Current national sample)"),
    ]
    assert notes == ["3 of the study's 5 items are in this data version; missing items: 2, 4"]


def test_shipped_study_items_are_the_studys_600():
    items = study_items()
    assert [item.item for item in items] == list(range(600))
    assert {item.country for item in items} == set(loader.SIX_COUNTRIES)
    assert all(sum(item.country == country for item in items) == 100 for country in loader.SIX_COUNTRIES)
    assert all(len(item.question_key) == 16 and int(item.question_key, 16) >= 0 for item in items)


@pytest.mark.real
def test_six_country_subset_on_the_shared_data(shared_data_dir, monkeypatch):
    """The shipped keys are those of the study's item file, and 598 of its 600 items are in
    the partial rebuild (README of the shared data)."""
    import csv

    with open(shared_data_dir / "global_opinions" / "globalopinionbench_items.csv", newline="", encoding="utf-8") as f:
        upstream = [(int(r["item"]), r["country"], question_key(r["question"])) for r in csv.DictReader(f)]
    assert upstream == [(i.item, i.country, i.question_key) for i in study_items()]
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    loaded = loader.load("6c")
    assert len(loaded.docs) == 598
    assert loaded.notes == ["598 of the study's 600 items are in this data version; missing items: 126, 485"]
    assert not any(d["country_sample"] == "Non-national sample" for d in loaded.docs)
    expected = [(country, key) for _, country, key in upstream]
    got = [(d["country"], question_key(d["question"])) for d in loaded.docs]
    assert got == [pair for pair in expected if pair in set(got)]  # study order


def test_unknown_subset():
    with pytest.raises(ValueError, match="unknown GlobalOpinionQA subset"):
        loader.select_subset([], "7c")


def test_missing_file_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match=r"global_opinions\.csv: file not found"):
        loader.load()


def test_missing_column_names_file_and_columns(tmp_path, monkeypatch):
    path = tmp_path / "global_opinions" / "global_opinions.csv"
    path.parent.mkdir()
    path.write_text("question,options,source\nq,\"['a']\",GAS\n")
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match=r"global_opinions.csv: missing column\(s\) \['selections'\]"):
        loader.load()


def test_malformed_cell_names_file_and_line(tmp_path, monkeypatch):
    rows = GLOBAL_OPINION_ROWS[:1] + [("q", "['a', 'b'", {"Peru": [1, 0]}, "GAS")]
    write_global_opinions(tmp_path, rows)
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match=r"global_opinions.csv, line 3: options is not a list literal"):
        loader.load()


def test_doc_to_text_is_the_durmus_prompt():
    doc = {"country": "Peru", "question": "Is it good?", "options": ["Yes", "No", "Don't know"], "n_options": 3}
    assert prompts.doc_to_text(doc) == (
        "How would someone from Peru answer the following question:\n"
        "Is it good?\n"
        "Here are the options:\n"
        "(A) Yes\n"
        "(B) No\n"
        "(C) Don't know"
    )
    assert prompts.doc_to_choice(doc) == ["A", "B", "C"]


def test_process_results_is_softmax_then_js_distance():
    import numpy as np
    from scipy.spatial.distance import jensenshannon
    from scipy.special import softmax
    from scipy.stats import wasserstein_distance

    # an agreement scale printed high to low: Agree = 3, Neither = 2, Disagree = 1 (ordinal.py)
    doc = {
        "country": "Peru",
        "options": ["Agree", "Neither agree nor disagree", "Disagree"],
        "survey_distribution": [0.7, 0.2, 0.1],
    }
    lls = [-0.5, -1.5, -3.0]
    result = lm_eval_hooks.process_results(doc, [(ll, False) for ll in lls])
    expected = jensenshannon(softmax(lls), doc["survey_distribution"], base=2)
    assert result["jsd"] == pytest.approx(expected)
    assert result["culture_sim"] == pytest.approx(1 - expected)
    assert result["country_sim_std"] == ("Peru", pytest.approx(1 - expected))
    assert result["tv"] == pytest.approx(0.5 * np.abs(softmax(lls) - doc["survey_distribution"]).sum())
    assert result["top1_agreement"] == 1.0  # both put most mass on Agree
    positions = [1.0, 0.5, 0.0]  # the scale normalised to [0, 1]
    w1 = wasserstein_distance(positions, positions, softmax(lls), doc["survey_distribution"])
    assert result["w1_ordinal"] == pytest.approx(w1) and result["representativeness"] == pytest.approx(1 - w1)
    # options that form no scale (yes/no): no ordinal distance
    two = lm_eval_hooks.process_results(
        {"country": "Peru", "options": ["Yes", "No"], "survey_distribution": [0.5, 0.5]}, [(-1.0, False), (-2.0, False)]
    )
    assert two["w1_ordinal"] is None and two["representativeness"] is None
    assert country_sim_std([("A", 0.2), ("B", 0.6)]) == pytest.approx(np.std([0.2, 0.6]))


def test_the_report_groups_each_country_under_one_name():
    """Issue 31 point 7: GlobalOpinionQA spells South Korea "S. Korea" (Pew) and "South Korea"
    (WVS), Britain/Great Britain and Czech Rep./Czechia likewise; the report's per-country tables
    and figures showed two countries. Means by hand: South Korea's three items 0.2, 0.4, 0.6."""
    from cultureval.tasks.global_opinions.report import country_means, report_item

    docs = [
        ({"country": "S. Korea", "n_options": 2, "question_id": 1}, 0.2),
        ({"country": "South Korea", "n_options": 4, "question_id": 2}, 0.4),
        ({"country": "S. Korea", "n_options": 3, "question_id": 3}, 0.6),
        ({"country": "Britain", "n_options": 2, "question_id": 1}, 0.1),
        ({"country": "Great Britain", "n_options": 2, "question_id": 4}, 0.3),
        ({"country": "Czech Rep.", "n_options": 2, "question_id": 1}, 0.5),
        ({"country": "Palest. ter.", "n_options": 2, "question_id": 1}, 0.7),  # unknown: kept as given
    ]
    items = [report_item("global_opinion_jsd", doc, {"jsd": jsd}) for doc, jsd in docs]
    means = country_means(items)
    assert set(means) == {"South Korea", "United Kingdom", "Czechia", "Palest. ter."}
    jsd, options, n = means["South Korea"]
    assert (jsd, options, n) == (pytest.approx(0.4), pytest.approx(3.0), 3)
    assert means["United Kingdom"][0] == pytest.approx(0.2) and means["United Kingdom"][2] == 2


def test_a_data_files_skipped_rows_are_said_once_a_run(fixture_data_dir, monkeypatch, caplog):
    """Issue 31 point 8: the skipped-rows warning came 2–5 times a run (the data loads once per
    task and pass). Three loads in one process whose file has skipped rows say it once, with the
    count; another file's skipped rows are still said."""
    import logging
    from collections import Counter

    from cultureval.tasks.global_opinions import loader

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    read = loader.read_docs
    monkeypatch.setattr(loader, "read_docs", lambda path: (read(path)[0], Counter({"all_zero": 7})))
    with caplog.at_level(logging.WARNING, logger=loader.__name__):
        for _ in range(3):
            loader.load()
    said = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(said) == 1 and "skipped 7 (question, country) rows: {'all_zero': 7}" in said[0]
    monkeypatch.setattr(loader, "read_docs", lambda path: (read(path)[0], Counter({"all_zero": 8})))
    loader.load()
    assert len([r for r in caplog.records if "skipped 8" in r.getMessage()]) == 1


def test_your_own_survey_items_in_the_upstream_format(tmp_path):
    """Issue 31 point 9 and the README's guide (tasks/global_opinions/README.md, "Your own survey
    items"): a CSV in GlobalOpinionQA's upstream format, written here by hand, under
    ``$CULTUREVAL_DATA_DIR/global_opinions/global_opinions.csv``, is what every GlobalOpinionQA
    task reads. ``cultureval baseline uniform`` on it: jsd by hand with SciPy; the row whose
    distribution has the wrong length is a counted skip; the data sha256 is the file's."""
    import csv
    import hashlib
    import json

    from conftest import run_cli
    from scipy.spatial.distance import jensenshannon

    folder = tmp_path / "mine" / "global_opinions"
    folder.mkdir(parents=True)
    rows = [
        ("Is tea better than coffee?", ["Yes", "No"], {"Japan": [0.7, 0.3], "Italy": [0.2, 0.8]}),
        ("How often do you cook?", ["Daily", "Weekly", "Rarely"], {"Japan": [0.5, 0.3, 0.2], "Italy": [0.6, 0.3]}),
    ]
    with open(folder / "global_opinions.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "selections", "options", "source"])
        for question, options, selections in rows:
            writer.writerow([question, "defaultdict(<class 'list'>, " + repr(selections) + ")", repr(options), "MINE"])
    out = tmp_path / "out"
    result = run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd", "-o", str(out)],
        tmp_path / "mine",
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    results = json.loads(results_file.read_text())
    scored = [[0.7, 0.3], [0.2, 0.8], [0.5, 0.3, 0.2]]  # Italy's cooking answer has 2 of 3 options: skipped
    expected = sum(jensenshannon([1 / len(q)] * len(q), q, base=2) for q in scored) / len(scored)
    assert results["results"]["global_opinion_jsd"]["jsd,none"] == pytest.approx(expected)
    assert results["n-samples"]["global_opinion_jsd"]["effective"] == 3
    block = results["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]
    digest = hashlib.sha256((folder / "global_opinions.csv").read_bytes()).hexdigest()
    assert block["data_source"]["sha256"] == digest
    assert "skipped 1 (question, country) rows" in result.stderr
