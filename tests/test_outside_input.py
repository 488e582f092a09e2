"""Outside input, round 2: ``cultureval score`` counts every row under one reason and never lets a
hard item vanish; data files with a topic twice, a cut row or duplicate rows are errors or
counted; deep or huge input is a one-line error naming the file and line, never a traceback."""

from __future__ import annotations

import csv
import json
import re
import signal
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from fixtures import WVS_TRUTH_GLOBAL, write_culturebank, write_fixture_data, write_wvs_polarity
from scipy.spatial.distance import jensenshannon

from cultureval import score
from cultureval.data_source import DataFileError
from cultureval.definitions import task_definition
from cultureval.tasks.culturebank import loader as culturebank_loader
from cultureval.tasks.wvs_polarity import loader as wvs_loader

README = Path(__file__).resolve().parents[1] / "tasks" / "global_opinions" / "README.md"


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _docs(task):
    return list(task_definition(task).load_dataset())


def _jsd(p, q):
    return float(jensenshannon(p, q, base=2))


# ------------------------------------------------------------------------------ cultureval score


def test_a_distribution_that_does_not_fit_its_item_is_an_unreadable_answer(use_fixture_data, tmp_path):
    # before: such rows were "unmatched" and left the strict scores: the hard items vanished
    docs = _docs("global_opinion_cot_binary")
    good = [[0.3, 0.7], [0.5, 0.5]]
    rows = [["m", d["question"], d["country"], json.dumps(p)] for d, p in zip(docs, good)]
    bad = ["[0.2, 0.3, 0.5]", "[]", "[0.5]", "[-0.5, 1.5]", "not a list"]
    rows += [["m", d["question"], d["country"], cell] for d, cell in zip(docs[2:], bad)]
    path = _write_csv(tmp_path / "rows.csv", ["model", "question", "country", "distribution"], rows)
    metrics = score.score_rows("global_opinions", score.read_rows(path), "global_opinion_cot_binary")[0]["m"]
    metrics = metrics["global_opinion_cot_binary"]

    readable = [_jsd(p, d["survey_distribution"]) for d, p in zip(docs, good)]
    n_bad = min(len(bad), len(docs) - 2)
    assert metrics["n_rows_scored"] == 2 + n_bad and metrics["n_rows_unmatched"] == 0
    assert metrics["rows"] == {"scored": 2, "bad_distribution": n_bad}
    assert metrics["parse_rate"] == pytest.approx(2 / (2 + n_bad))
    assert metrics["jsd"] == pytest.approx(np.mean(readable))
    assert metrics["jsd_strict"] == pytest.approx((sum(readable) + n_bad) / (2 + n_bad))  # 1.0 each


@pytest.mark.parametrize("bad", ["[0.2, 0.3, 0.5]", "[1e308, 1e308]"])  # too long; a sum no float holds
def test_an_option_task_row_whose_distribution_does_not_fit_is_an_error_naming_the_line(
    bad, use_fixture_data, tmp_path
):
    docs = _docs("global_opinion_jsd_binary")
    rows = [["m", docs[0]["question"], docs[0]["country"], "[0.5, 0.5]"]]
    rows += [["m", docs[1]["question"], docs[1]["country"], bad]]
    path = _write_csv(tmp_path / "rows.csv", ["model", "question", "country", "distribution"], rows)
    result = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_jsd_binary"],
        use_fixture_data,
        tmp_path,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]  # after the data loader's own notes
    assert line.startswith(f"cultureval score: {path}, line 3: distribution {bad!r} does not fit")


def test_the_json_output_counts_rows_per_reason(use_fixture_data, tmp_path):
    # before: "no such item" and "bad distribution" were lumped as unmatched
    docs = _docs("global_opinion_cot_binary")
    lines = [
        {"question": docs[0]["question"], "country": docs[0]["country"], "distribution": [0.5, 0.5]},
        {"question": docs[1]["question"], "country": docs[1]["country"], "distribution": [1, 2, 3]},  # bad, scored
        {"question": "A question nobody asked?", "country": "Peru", "distribution": [0.5, 0.5]},
        {"question": docs[0]["question"], "country": docs[0]["country"], "distribution": [0.9, 0.1]},  # again
        {"question": docs[2]["question"], "country": docs[2]["country"]},  # neither distribution nor text
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_cot_binary", "--json"],
        use_fixture_data,
        tmp_path,
    )
    metrics = json.loads(result.stdout)["model"]["global_opinion_cot_binary"]
    assert metrics["rows"] == {
        "scored": 1,
        "bad_distribution": 1,
        "no_such_item": 1,
        "duplicate": 1,
        "no_distribution_or_text": 1,
    }
    assert sum(metrics["rows"].values()) == len(lines)
    assert (metrics["n_rows_scored"], metrics["n_rows_unmatched"]) == (2, 3)


def test_the_same_item_given_ten_times_counts_once(use_fixture_data, tmp_path):
    # before: ten copies of one item weighed it ten times (jsd 0.175 -> 0.299 on the file)
    docs = _docs("global_opinion_jsd_binary")
    once = [["m", d["question"], d["country"], json.dumps([0.5, 0.5])] for d in docs]
    repeated = once + [["m", docs[0]["question"], docs[0]["country"], json.dumps([1.0, 0.0])]] * 9
    header = ["model", "question", "country", "distribution"]
    first = score.score_rows(
        "global_opinions", score.read_rows(_write_csv(tmp_path / "a.csv", header, once)), "global_opinion_jsd_binary"
    )
    again = score.score_rows(
        "global_opinions",
        score.read_rows(_write_csv(tmp_path / "b.csv", header, repeated)),
        "global_opinion_jsd_binary",
    )
    expected = np.mean([_jsd([0.5, 0.5], d["survey_distribution"]) for d in docs])
    assert first[0]["m"]["global_opinion_jsd_binary"]["jsd"] == pytest.approx(expected)
    assert again[0]["m"]["global_opinion_jsd_binary"]["jsd"] == pytest.approx(expected)
    assert again[1]["m"]["global_opinion_jsd_binary"] == {"duplicate": 9}


def test_score_prints_the_yardsticks_on_the_same_items(use_fixture_data, tmp_path):
    docs = _docs("global_opinion_jsd_binary")
    rows = [["m", d["question"], d["country"], json.dumps([0.6, 0.4])] for d in docs]
    path = _write_csv(tmp_path / "rows.csv", ["model", "question", "country", "distribution"], rows)
    table = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_jsd_binary"],
        use_fixture_data,
        tmp_path,
    ).stdout
    header = next(line for line in table.splitlines() if line.startswith("metric"))
    assert "uniform" in header and "US prior" in header and "survey n=100" in header
    jsd_row = next(line for line in table.splitlines() if line.startswith("jsd "))
    uniform = np.mean([_jsd([0.5, 0.5], d["survey_distribution"]) for d in docs])
    assert f"{uniform:.4f}" in jsd_row  # the uniform yardstick, computed independently


@contextmanager
def _hang_guard(seconds: int):
    def expired(signum, frame):
        raise TimeoutError(f"scoring ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_hundred_thousand_rows_finish(use_fixture_data, tmp_path):
    # before: each row re-read the task's YAML (6 minutes for 100,000 rows); the speed itself is
    # measured by benchmarks/score.py, this only guards against that coming back
    docs = _docs("global_opinion_jsd")
    rows = [
        [f"m{i // len(docs)}", docs[i % len(docs)]["question"], docs[i % len(docs)]["survey_country"], ""]
        for i in range(100_000)
    ]
    for row, i in zip(rows, range(len(rows))):
        n = docs[i % len(docs)]["n_options"]
        row[3] = json.dumps([1 / n] * n)
    path = _write_csv(tmp_path / "rows.csv", ["model", "question", "country", "distribution"], rows)
    with _hang_guard(300):
        scored = score.score_file("global_opinions", score.read_rows(path), "global_opinion_jsd")
    rows_counted = sum(sum(m["rows"].values()) for by_task in scored.scores.values() for m in by_task.values())
    assert rows_counted == len(rows)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_number_of_400_digits_is_an_error_naming_file_and_line(use_fixture_data, tmp_path, suffix):
    doc = _docs("global_opinion_jsd_binary")[0]
    huge = "1" + "0" * 399
    path = tmp_path / f"rows{suffix}"
    if suffix == ".csv":
        _write_csv(path, ["question", "country", "distribution"], [[doc["question"], doc["country"], f"[{huge}, 0]"]])
    else:
        path.write_text(
            f'{{"question": {json.dumps(doc["question"])}, "country": "{doc["country"]}", "distribution": [{huge}, 0]}}\n'
        )
    result = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_jsd_binary"],
        use_fixture_data,
        tmp_path,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = 2 if suffix == ".csv" else 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"cultureval score: {path}, line {line}: a number of 400 digits is not a probability or count"
    )


@pytest.mark.parametrize("family", ["global_opinions", "cali", "wvs_polarity"])
def test_a_cell_over_the_csv_limit_is_an_error_naming_file_and_line(use_fixture_data, tmp_path, family):
    path = _write_csv(
        tmp_path / "rows.csv", ["question", "country", "text"], [["q", "c", "ok"], ["q", "c", "x" * 131_073]]
    )
    result = run_cli(["cultureval", "score", family, str(path)], use_fixture_data, tmp_path, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.fullmatch(
        rf"cultureval score: {re.escape(str(path))}, line 3: field larger than field limit \(131072\)\n", result.stderr
    )


def test_cali_probabilities_that_do_not_fit_are_an_error_naming_the_line(use_fixture_data, tmp_path):
    path = tmp_path / "cali.jsonl"
    lines = [
        {"pair_id": 0, "culture": "us", "p_e": 0.9, "p_n": 0.05, "p_c": 0.05},
        {"pair_id": 1, "culture": "us", "p_e": "n/a", "p_n": 0.5, "p_c": 0.5},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(DataFileError, match=rf"{re.escape(str(path))}, line 2: pair 1 has no usable probabilities"):
        score.score_rows("cali", score.read_rows(path))


def test_the_globalopinionbench_recipe_scores_the_final_list_not_the_stripped_reasoning(use_fixture_data, tmp_path):
    """A synthetic row of the study's released shape: ``llm_reasoning`` holds only the reasoning
    (with a draft), ``llm_distribution`` the final list the study parsed. The README's recipe
    must score the final list."""
    recipe = next(
        line
        for line in README.read_text().splitlines()
        if line.startswith("cultureval score global_opinions gpt4.1.csv")
    )
    docs = _docs("global_opinion_cot_binary")
    final, draft = [0.2, 0.8], [0.9, 0.1]
    rows = [
        [
            d["question"],
            d["country"],
            json.dumps(d["survey_distribution"]),
            repr(list(d["options"])),
            f"Thinking about {d['country']}: my first guess was {{{draft[0]}, {draft[1]}}}, but on reflection opinion leans the other way.",
            json.dumps(final),
        ]
        for d in docs
    ]
    header = ["question", "country", "selections", "options", "llm_reasoning", "llm_distribution"]
    path = _write_csv(tmp_path / "gpt4.1.csv", header, rows)
    args = recipe.split()[1:]
    args[args.index("gpt4.1.csv")] = str(path)
    args[args.index("--task") + 1] = "global_opinion_cot_binary"  # the fixture data has no study items
    result = run_cli(["cultureval", *args, "--json"], use_fixture_data, tmp_path)
    metrics = json.loads(result.stdout)["model"]["global_opinion_cot_binary"]
    assert metrics["jsd_strict"] == pytest.approx(np.mean([_jsd(final, d["survey_distribution"]) for d in docs]))
    # what the old recipe (llm_reasoning as text) read instead: the draft
    wrong = run_cli(
        [
            "cultureval",
            "score",
            "global_opinions",
            str(path),
            "--task",
            "global_opinion_cot_binary",
            "--column",
            "text=llm_reasoning",
            "--json",
        ],
        use_fixture_data,
        tmp_path,
    )
    drafts = json.loads(wrong.stdout)["model"]["global_opinion_cot_binary"]["jsd_strict"]
    assert drafts == pytest.approx(np.mean([_jsd(draft, d["survey_distribution"]) for d in docs]))
    assert drafts != pytest.approx(metrics["jsd_strict"])


def test_the_distribution_recipe_gives_the_posters_padded_distance_whatever_the_list_length(use_fixture_data, tmp_path):
    """The study's lists as ``distribution``: ``jsd_padded`` pads a short or long list as the
    study did (numpy, written out here), skips what it could not read; ``jsd_strict`` still
    counts a list that does not fit its item as 1.0."""
    docs = _docs("global_opinion_cot_binary")[:4]
    lists = [[0.2, 0.8], [1.0], [0.1, 0.2, 0.7], [1e308, 1e308]]  # fits, short, long, sum overflows
    rows = [[d["question"], d["country"], json.dumps(values)] for d, values in zip(docs, lists)]
    path = _write_csv(tmp_path / "lists.csv", ["question", "country", "llm_distribution"], rows)
    args = ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_cot_binary"]
    result = run_cli([*args, "--column", "distribution=llm_distribution", "--json"], use_fixture_data, tmp_path)
    metrics = json.loads(result.stdout)["model"]["global_opinion_cot_binary"]

    def study(values, survey):
        p, q = np.array(values, dtype=float), np.array(survey, dtype=float)
        n = max(len(p), len(q))
        p, q = np.pad(p, (0, n - len(p))), np.pad(q, (0, n - len(q)))
        return jensenshannon(p / p.sum(), q / q.sum(), base=2)

    padded = [study(values, d["survey_distribution"]) for d, values in zip(docs[:3], lists[:3])]
    assert metrics["jsd_padded"] == pytest.approx(np.mean(padded))
    strict = [_jsd(lists[0], docs[0]["survey_distribution"]), 1.0, 1.0, 1.0]
    assert metrics["jsd_strict"] == pytest.approx(np.mean(strict))
    assert metrics["rows"] == {"bad_distribution": 3, "scored": 1}


def test_a_column_option_that_is_not_name_equals_column_is_a_one_line_error(use_fixture_data, tmp_path):
    path = _write_csv(tmp_path / "rows.csv", ["question", "country", "distribution"], [["q", "c", "[1, 0]"]])
    result = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--column", "distribution"],
        use_fixture_data,
        tmp_path,
        check=False,
    )
    assert result.returncode == 2 and result.stderr.strip().endswith(
        "expected NAME=COLUMN, e.g. distribution=llm_distribution"
    )


# ------------------------------------------------------------------------------ data files


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    write_fixture_data(tmp_path)
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    wvs_loader.load_ground_truth.cache_clear()
    yield tmp_path
    wvs_loader.load_ground_truth.cache_clear()


@pytest.mark.parametrize(
    "name, row",
    [
        ("ground_truth_global.csv", "F118,0.999"),
        ("ground_truth_every_country.csv", "US,F118,0.999,en"),
        ("ground_truth_per_language.csv", "en,f118,0.999"),  # key case differs: the same topic
        ("country_languages.csv", "US,da"),
        ("gt_self_consistency.csv", "US,0.1"),
    ],
)
def test_a_ground_truth_key_given_twice_is_an_error_naming_both_lines(data_dir, name, row):
    # before: the last value was kept silently (0.536 -> 0.999 on the file)
    path = data_dir / "wvs_polarity" / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + row + "\r\n", encoding="utf-8")
    last = len(text.splitlines()) + 1
    with pytest.raises(DataFileError, match=rf"{name}, line {last}: .* is given again \(first at line \d+\)"):
        wvs_loader.load_ground_truth("twice")


@pytest.mark.parametrize(
    "name", ["ground_truth_global.csv", "ground_truth_every_country.csv", "gt_self_consistency.csv"]
)
def test_a_ground_truth_file_cut_mid_row_is_an_error(data_dir, name):
    # before: the rows before the cut loaded, and the cut number was read (0.89 -> 0.8)
    path = data_dir / "wvs_polarity" / name
    text = path.read_text(encoding="utf-8").rstrip("\r\n")
    path.write_text(text[:-1], encoding="utf-8")  # the last row loses its last character and line break
    lines = len(text.splitlines())
    with pytest.raises(DataFileError, match=rf"{name}, line {lines}: the file ends inside this row"):
        wvs_loader.load_ground_truth("cut")


def test_an_intact_ground_truth_loads_unchanged(data_dir):
    truth = wvs_loader.load_ground_truth("intact")
    assert truth.global_ == {key.lower(): value for key, value in WVS_TRUTH_GLOBAL.items()}


def test_duplicate_prompt_rows_are_counted(data_dir):
    path = data_dir / "wvs_polarity" / "translated_prompts_with_english_no_controversy.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    first_en = next(row for row in body if row[1] == "en" and row[2] == "survey_hypothetical")
    copy = list(first_en)  # the same row again, its index included: a copy
    repeat = [str(len(body) + 100), *first_en[1:]]  # the same prompt under another index: kept
    _write_csv(path, header, [*body, copy, repeat])
    before = wvs_loader.read_prompts(path, "en", wvs_loader.read_stance_labels(path.parent / "stance_labels.json"))
    docs, source = wvs_loader.load("en")
    assert source.skipped.get("duplicate_row") == 1
    assert source.repeated == {"repeated_prompt": 1}
    assert len(docs) == len(before[0]) and sum(doc["prompt"] == docs[0]["prompt"] for doc in docs) >= 2


def test_duplicate_culturebank_rows_are_counted_and_left_out(data_dir):
    path = write_culturebank(data_dir, "tiktok")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    _write_csv(path, header, [*body, body[0], body[1]])
    docs, source = culturebank_loader.load("tiktok")
    assert source.skipped.get("duplicate") == 2
    questions = [(doc["eval_question"], doc["eval_whole_desc"]) for doc in docs]
    assert len(questions) == len(set(questions)) == len(body) - 1  # the fixture's malformed row is skipped too


def test_stance_labels_nested_100k_deep_is_a_one_line_error(data_dir):
    write_wvs_polarity(data_dir)
    path = data_dir / "wvs_polarity" / "stance_labels.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataFileError) as caught:
        wvs_loader.load("en")
    message = str(caught.value)
    assert message == f"{path}: brackets nested too deep to be an object of topic -> [pro, con]"
    assert "\n" not in message


def test_a_stance_topic_given_twice_is_an_error(data_dir):
    path = data_dir / "wvs_polarity" / "stance_labels.json"
    path.write_text('{"f118": ["a", "b"], "F118": ["c", "d"]}')
    with pytest.raises(DataFileError, match="topic 'F118' is given twice"):
        wvs_loader.load("en")
