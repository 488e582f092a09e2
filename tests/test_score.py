"""``cultureval score FAMILY FILE``: outputs produced elsewhere, re-scored with cultureval's code
and checked against independent computations (scipy, sklearn, written-out protocols)."""

from __future__ import annotations

import collections
import csv
import itertools
import json

import numpy as np
import pytest
from conftest import run_cli
from fixtures import CALI_ROWS, WVS_TRUTH_COUNTRY, WVS_TRUTH_LANGUAGE
from scipy import stats
from scipy.spatial.distance import jensenshannon
from sklearn.metrics import f1_score

from cultureval.score import read_rows, score_rows


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ------------------------------------------------------------------------------ GlobalOpinionQA


def test_global_opinions_distributions_text_and_unmatched_rows(use_fixture_data, tmp_path):
    from cultureval.definitions import task_definition

    docs = list(task_definition("global_opinion_jsd_binary").load_dataset())
    rows = []
    expected_jsd = []
    for i, doc in enumerate(docs):
        model = [0.3 + 0.1 * i, 0.7 - 0.1 * i]
        rows.append(["m1", doc["question"], doc["country"], json.dumps(model), ""])
        expected_jsd.append(jensenshannon(model, doc["survey_distribution"], base=2))
    # the same items written out by a second model: two readable, one truncated, the rest unreadable
    texts = ["<think>ok</think> {0.5, 0.5}", "Yes: 70%\nNo: 30%", "<think>I would say {0.1, 0.9} bu"]
    for doc, text in itertools.zip_longest(docs, texts, fillvalue="no idea"):
        rows.append(["m2", doc["question"], doc["country"], "", text])
    rows += [
        ["m1", "A question nobody asked?", "China", "[0.5, 0.5]", ""],
        # the first item again: only its first row counts (tests/test_outside_input.py has the
        # rows whose distribution does not fit their item)
        ["m1", docs[0]["question"], docs[0]["country"], "[0.5, 0.5]", ""],
        ["m1", docs[0]["question"], docs[0]["country"], "[0.9, 0.1]", ""],
    ]
    path = _write_csv(tmp_path / "out.csv", ["model", "question", "country", "distribution", "text"], rows)
    scores, unmatched, _ = score_rows("global_opinions", read_rows(path), "global_opinion_jsd_binary")

    m1 = scores["m1"]["global_opinion_jsd_binary"]
    assert m1["jsd"] == pytest.approx(np.mean(expected_jsd))
    assert m1["jsd_stderr"] == pytest.approx(stats.sem(expected_jsd))
    assert m1["n_rows_scored"] == len(docs) and m1["n_rows_unmatched"] == 3
    assert unmatched["m1"]["global_opinion_jsd_binary"] == {"no_such_item": 1, "duplicate": 2}

    m2 = scores["m2"]["global_opinion_jsd_binary:text"]
    readable = [
        jensenshannon([0.5, 0.5], docs[0]["survey_distribution"], base=2),
        jensenshannon([0.7, 0.3], docs[1]["survey_distribution"], base=2),
    ]
    assert m2["parse_rate"] == pytest.approx(2 / len(docs))
    assert m2["jsd"] == pytest.approx(np.mean(readable))
    assert m2["jsd_strict"] == pytest.approx((sum(readable) + len(docs) - 2) / len(docs))
    assert m2["n_truncated"] == 1 and m2["n_unparsed"] == len(docs) - 2


def test_plain_country_matches_the_current_national_sample_and_jsonl_reads(use_fixture_data, tmp_path):
    path = tmp_path / "out.jsonl"
    lines = [
        # 'India' is asked as 'India (Current national sample)' for this question
        {"question": "Should the government do more to help the poor?", "country": "India", "distribution": [1, 0]},
        {"question": "Should the government do more to help the poor?", "country": "India (Non-national sample)",
         "distribution": [1, 0]},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    scores, _, _ = score_rows("global_opinions", read_rows(path), "global_opinion_jsd")
    metrics = scores["model"]["global_opinion_jsd"]
    expected = [jensenshannon([1, 0], [0.7, 0.3], base=2), jensenshannon([1, 0], [0.9, 0.1], base=2)]
    assert metrics["jsd"] == pytest.approx(np.mean(expected)) and metrics["n_rows_scored"] == 2


def _expected_by_hand(distribution, scores):
    kept = [(p, s) for p, s in zip(distribution, scores) if s is not None]
    total = sum(p for p, _ in kept)
    return sum(p * s for p, s in kept) / total


def test_value_probing_rows_are_scored_as_the_expected_score_task(use_fixture_data, tmp_path):
    """`cultureval score value_probing`: the WVS items' rows scored as global_opinion_wvs_pearson
    scores a model (abs_error recomputed by hand); the opinion family refuses that task (before
    0.2.0 it scored it, and a task of another family would be scored with the wrong records)."""
    from cultureval.definitions import task_definition

    docs = list(task_definition("global_opinion_wvs_pearson").load_dataset())
    assert docs
    rows, errors = [], []
    for i, doc in enumerate(docs):
        model = [1.0 if k == i % doc["n_options"] else 0.0 for k in range(doc["n_options"])]
        rows.append({"question": doc["question"], "country": doc["survey_country"], "distribution": model})
        defined = [s for s in doc["option_scores"] if s is not None]
        if doc["option_scores"][i % doc["n_options"]] is None:
            continue  # all mass on a non-substantive option: no expected score
        error = abs(
            _expected_by_hand(model, doc["option_scores"])
            - _expected_by_hand(doc["survey_distribution"], doc["option_scores"])
        )
        errors.append(error / (max(defined) - min(defined)))
    path = tmp_path / "wvs.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    scores, unmatched, _ = score_rows("value_probing", read_rows(path))
    metrics = scores["model"]["global_opinion_wvs_pearson"]
    assert metrics["n_rows_scored"] == len(docs) and not unmatched["model"]
    assert errors and metrics["abs_error"] == pytest.approx(np.mean(errors))
    with pytest.raises(ValueError, match="global_opinion_wvs_pearson is a task of value_probing"):
        score_rows("global_opinions", read_rows(path), "global_opinion_wvs_pearson")


# ------------------------------------------------------------------------------ CALI


def _published_tuned_f1(ratings: list[tuple[str, str, str]], p_entail: dict[tuple[str, str], float]) -> float:
    """The published CALI protocol written out: one row per (premise, hypothesis), the last one;
    the majority by Counter.most_common (first-listed wins a tie); gold = majority is E;
    best macro-F1 over P(E) > t for t in 0.6 ... 1.0."""
    data = {}
    for premise, hypothesis, labels in ratings:
        data[(premise, hypothesis)] = collections.Counter(labels).most_common(1)[0][0]
    keys = list(data)
    golds = [int(data[k] == "E") for k in keys]
    return max(
        f1_score(golds, [int(p_entail[k] > t) for k in keys], average="macro") for t in (0.6, 0.7, 0.8, 0.9, 1.0)
    )


def test_cali_by_pair_id_and_by_text_against_sklearn_and_the_published_protocol(use_fixture_data, tmp_path):
    p_e = [0.95, 0.65, 0.2, 0.85, 0.1]
    rows = []
    for pair_id, ((premise, hypothesis, _, _), e) in enumerate(zip(CALI_ROWS, p_e)):
        rest = (1 - e) / 2
        if pair_id % 2:
            rows.append(
                {"premise": premise, "hypothesis": hypothesis, "culture": "us", "p_e": e, "p_n": rest, "p_c": rest}
            )
        else:
            rows.append({"pair_id": pair_id, "culture": "us", "p_e": e, "p_n": rest + 0.01, "p_c": rest - 0.01})
    rows += [
        {"pair_id": 99, "culture": "us", "p_e": 1, "p_n": 0, "p_c": 0},
        {"pair_id": 0, "culture": "fr", "p_e": 1, "p_n": 0, "p_c": 0},
        {"pair_id": 1, "culture": "us", "p_e": "x", "p_n": 0, "p_c": 0},  # pair 1 again: only its first row counts
    ]
    path = tmp_path / "cali.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    scores, unmatched, _ = score_rows("cali", read_rows(path))
    metrics = scores["model"]["cali_nli_us"]

    # majority without ties (the fixture's third pair ties 2-2 under the US annotators)
    majorities = [collections.Counter(us).most_common() for _, _, us, _ in CALI_ROWS]
    kept = [i for i, m in enumerate(majorities) if len(m) == 1 or m[0][1] > m[1][1]]
    golds = [majorities[i][0][0] == "E" for i in kept]
    predicted = [p_e[i] > 0.5 for i in kept]  # E is the argmax iff P(E) beats the even split of the rest
    assert metrics["macro_f1_binary"] == pytest.approx(f1_score(golds, predicted, average="macro"))
    published = [(premise, hypothesis, list(us)) for premise, hypothesis, us, _ in CALI_ROWS]
    p_by_text = {(premise, hypothesis): e for (premise, hypothesis, _, _), e in zip(CALI_ROWS, p_e)}
    assert metrics["macro_f1_binary_tuned"] == pytest.approx(_published_tuned_f1(published, p_by_text))
    assert metrics["n_ties"] == 1 and metrics["n_rows_scored"] == 5
    assert unmatched["model"] == {
        "cali_nli_us": {"no_such_pair": 1, "duplicate": 1},
        "": {"unknown_culture": 1},
    }


# ------------------------------------------------------------------------------ WVS polarity


def test_wvs_polarity_response_level_against_scipy(use_fixture_data, tmp_path):
    rng = np.random.default_rng(4)
    keys = list(WVS_TRUTH_LANGUAGE["da"])
    rows = []
    for key in keys:
        for _ in range(3):
            rows.append(["olmo", "survey_hypothetical", "da", "da", key.lower(), round(float(rng.uniform()), 3)])
    rows.append(["olmo", "survey_hypothetical", "da", "en", "F118", 0.0])  # wrong language: left out
    rows.append(["olmo", "argument", "da", "da", "F118", 0.5])  # another template type: unmatched
    rows.append(["olmo", "survey_hypothetical", "xx", "xx", "F118", 0.5])  # unknown language
    rows.append(["olmo", "survey_hypothetical", "da", "da", "F118", 1.5])  # not a share
    header = ["model_name", "template_type", "language", "response_language", "question_key", "response_pro_score"]
    path = _write_csv(tmp_path / "released.csv", header, rows)
    scores, unmatched, _ = score_rows("wvs_polarity", read_rows(path))
    metrics = scores["olmo"]["wvs_polarity_da"]

    usable = [r for r in rows[: len(keys) * 3]]
    x = [r[5] for r in usable]
    assert metrics["spearman_language"] == pytest.approx(
        stats.spearmanr(x, [WVS_TRUTH_LANGUAGE["da"][r[4].upper()] for r in usable]).statistic
    )
    assert metrics["spearman_country_DK"] == pytest.approx(
        stats.spearmanr(x, [WVS_TRUTH_COUNTRY["DK"][r[4].upper()] for r in usable]).statistic
    )
    # every ordered pair of responses to one topic, the wrong-language one included (prompt language)
    by_topic = collections.defaultdict(list)
    for r in rows[: len(keys) * 3 + 1]:
        by_topic[r[4].lower()].append(r[5])
    pairs = [(a, b) for scores_ in by_topic.values() for a, b in itertools.permutations(scores_, 2)]
    assert metrics["self_consistency"] == pytest.approx(stats.spearmanr(*zip(*pairs)).statistic / 0.955)
    assert metrics["n_wrong_language"] == 1 and metrics["n_rows_scored"] == len(keys) * 3 + 1
    assert unmatched["olmo"] == {
        "wvs_polarity_da": {"other_template_type": 1, "bad_pro_score": 1},
        "": {"unknown_language": 1},
    }


def test_score_cli_json_table_and_errors(use_fixture_data, tmp_path):
    path = _write_csv(
        tmp_path / "rows.csv",
        ["language", "question_key", "n_pro", "n_con"],
        [["en", k, p, 10 - p] for k, p in zip(WVS_TRUTH_LANGUAGE["en"], (2, 4, 9, 1, 6))],
    )
    result = run_cli(["cultureval", "score", "wvs_polarity", str(path), "--json"], use_fixture_data, tmp_path)
    scores = json.loads(result.stdout)
    assert set(scores) == {"model"} and set(scores["model"]) == {"wvs_polarity_en"}
    shares = [p / 10 for p in (2, 4, 9, 1, 6)]
    truth = [WVS_TRUTH_LANGUAGE["en"][k] for k in WVS_TRUTH_LANGUAGE["en"]]
    assert scores["model"]["wvs_polarity_en"]["spearman_language"] == pytest.approx(
        stats.spearmanr(shares, truth).statistic
    )
    table = run_cli(["cultureval", "score", "wvs_polarity", str(path)], use_fixture_data, tmp_path).stdout
    assert "spearman_language" in table and "↑ higher is better" in table and "5 rows scored" in table
    bad = _write_csv(tmp_path / "bad.csv", ["language", "question_key"], [["xx", "f118"]])
    failed = run_cli(["cultureval", "score", "wvs_polarity", str(bad)], use_fixture_data, tmp_path, check=False)
    assert failed.returncode == 2 and "unknown_language: 1" in failed.stderr and "no row" in failed.stderr
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"language": "en"}\nnot json\n')
    failed = run_cli(["cultureval", "score", "wvs_polarity", str(broken)], use_fixture_data, tmp_path, check=False)
    assert failed.returncode == 2 and "broken.jsonl, line 2: not JSON" in failed.stderr


def test_score_prints_the_yardsticks_on_the_matched_items(use_fixture_data, tmp_path):
    """``cultureval score`` shows the family's yardsticks scored on the items the rows matched
    (table and --json), computed here by hand."""
    from cultureval.definitions import task_definition

    docs = list(task_definition("global_opinion_jsd_binary").load_dataset())[:3]  # three of the six items
    rows = [["m1", d["question"], d["country"], json.dumps([0.9, 0.1])] for d in docs]
    path = _write_csv(tmp_path / "out.csv", ["model", "question", "country", "distribution"], rows)
    result = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_jsd_binary", "--json"],
        use_fixture_data,
        tmp_path,
    )
    found = json.loads(result.stdout)["m1"]["global_opinion_jsd_binary"]["yardsticks"]
    uniform = np.mean([jensenshannon([0.5, 0.5], d["survey_distribution"], base=2) for d in docs])
    assert found["uniform"]["jsd"] == pytest.approx(uniform) and found["uniform"]["n"] == 3
    table = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--task", "global_opinion_jsd_binary"],
        use_fixture_data,
        tmp_path,
    ).stdout
    header = next(line for line in table.splitlines() if line.startswith("metric"))
    assert "uniform" in header and "US prior" in header and "survey n=100" in header
    jsd_row = next(line for line in table.splitlines() if line.startswith("jsd "))
    assert f"{uniform:.4f}" in jsd_row


@pytest.mark.parametrize("family", ["global_opinions", "cali", "wvs_polarity", "value_probing"])
def test_columns_named_otherwise_are_said_with_the_columns_read(family, use_fixture_data, tmp_path):
    """A file whose columns are named otherwise matched nothing and said only ``no_such_item`` (or
    ``unknown_culture``...): the line now names the file's columns and the ones the family reads,
    and prints no empty table."""
    from cultureval.families import family as family_named

    path = _write_csv(tmp_path / "rows.csv", ["q", "c", "dist"], [["foo", "Japan", "[0.5, 0.5]"]])
    failed = run_cli(["cultureval", "score", family, str(path)], use_fixture_data, tmp_path, check=False)
    [line] = [line for line in failed.stderr.splitlines() if "matched an item" in line]
    assert failed.returncode == 2 and line.startswith(f"cultureval score: no row of {path} matched an item")
    assert "its columns: c, dist, q;" in line and family_named(family).rescore.columns in line
    assert failed.stdout == ""


def test_an_output_that_cannot_be_written_is_said_before_scoring(use_fixture_data, tmp_path):
    """``-o FILE/x``: the scores were printed, then the write failed; now one line, nothing else."""
    path = _write_csv(
        tmp_path / "rows.csv",
        ["language", "question_key", "n_pro", "n_con"],
        [["en", k, 5, 5] for k in WVS_TRUTH_LANGUAGE["en"]],
    )
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    failed = run_cli(
        ["cultureval", "score", "wvs_polarity", str(path), "-o", str(blocker / "x")],
        use_fixture_data,
        tmp_path,
        check=False,
    )
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.strip().splitlines() == [
        f"cultureval score: -o {blocker / 'x'}: {blocker} is a file, not a folder; choose another -o"
    ]


def test_a_column_mapping_is_to_a_column_the_file_has(use_fixture_data, tmp_path):
    """The trial: ``--column distribution=nope`` on a file with a ``distribution`` column scored
    the file's own column, silently. A mapped column the file lacks is one line naming both; a
    mapping that exists wins over the file's column of the same name (checked against the
    uniform row: its jsd is that of [0.5, 0.5], not of the file's [1, 0])."""
    from cultureval.definitions import task_definition

    doc = next(iter(task_definition("global_opinion_jsd_binary").load_dataset()))
    path = _write_csv(
        tmp_path / "rows.csv",
        ["question", "country", "distribution", "uniform"],
        [[doc["question"], doc["country"], "[1, 0]", "[0.5, 0.5]"]],
    )
    failed = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--column", "distribution=nope", "--json"],
        use_fixture_data,
        tmp_path,
        check=False,
    )
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.strip().splitlines() == [
        f"cultureval score: {path}: --column distribution=nope: the file has no column 'nope' "
        "(its columns: country, distribution, question, uniform)"
    ]
    mapped = run_cli(
        ["cultureval", "score", "global_opinions", str(path), "--column", "distribution=uniform", "--json"]
        + ["--task", "global_opinion_jsd_binary"],
        use_fixture_data,
        tmp_path,
    )
    scores = json.loads(mapped.stdout)["model"]["global_opinion_jsd_binary"]
    assert scores["jsd"] == pytest.approx(jensenshannon([0.5, 0.5], doc["survey_distribution"], base=2))


def test_a_header_only_file_says_it_has_no_rows(use_fixture_data, tmp_path):
    path = _write_csv(tmp_path / "rows.csv", ["question", "country", "distribution"], [])
    failed = run_cli(["cultureval", "score", "global_opinions", str(path)], use_fixture_data, tmp_path, check=False)
    assert failed.returncode == 2 and failed.stderr.strip().splitlines() == [
        f"cultureval score: {path}: no rows to score (an empty file, or a header line only)"
    ]
