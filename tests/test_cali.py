"""CALI: loader quirks and errors, metrics against sklearn and by hand, both harnesses."""

import json

import pytest
from conftest import run_cli
from fixtures import CALI_ROWS, write_cali
from sklearn.metrics import f1_score

from cultureval.data_source import DataFileError
from cultureval.lm_eval_compat import read_results
from cultureval.metrics import accuracy, binary_f1, culture_shift_rate, macro_f1
from cultureval.metrics.classification import macro_f1_binary, tuned_macro_f1_binary
from cultureval.tasks.cali import lm_eval_hooks, loader, prompts, scoring
from cultureval.tasks.cali.shift import shift_rates


def test_loader_reads_crlf_quote_none_rows(use_fixture_data):
    docs, source = loader.load("us")
    assert len(docs) == len(CALI_ROWS)
    assert docs[0]["premise"] == 'He said "fine" and left the dinner early.'
    assert docs[0]["ratings"] == list("EEENN") and docs[0]["in_ratings"] == list("NNNCE")
    assert [d["majority"] for d in docs] == ["E", "N", "", "E", "C"]
    assert [d["contested"] for d in docs] == [True, True, False, False, False]
    assert docs[0]["label_distribution"] == pytest.approx([0.6, 0.4, 0.0])
    india, _ = loader.load("in")
    assert [d["majority"] for d in india] == ["N", "E", "N", "E", "C"]
    assert india[0]["culture_name"] == "India" and docs[0]["culture_name"] == "the United States"
    assert source.revision is None and len(source.sha256) == 64


def test_majority_and_ties():
    assert loader.majority_label(list("EENNC")) is None
    assert loader.majority_label(list("EEN")) == "E"
    assert loader.majority_label(list("C")) == "C"


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("p", "h", "EEX", "EEE")], r"line 2: ratings cell is not a list"),
        ([("p", "h", "EEE", "EEE"), ("p", "h", "EN", "EE")], None),
    ],
)
def test_bad_ratings_cell_names_the_line(tmp_path, monkeypatch, rows, message):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    write_cali(tmp_path, rows)
    if message is None:
        assert len(loader.load("in")[0]) == 2
    else:
        with pytest.raises(DataFileError, match=message):
            loader.load("us")


def test_wrong_columns_and_cell_count(tmp_path, monkeypatch):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    path = tmp_path / "cali" / "data.tsv"
    path.parent.mkdir()
    path.write_text("premise\thypothesis\tratings\r\n")
    with pytest.raises(DataFileError, match=r"data.tsv, line 1: expected tab-separated columns"):
        loader.load("us")
    path.write_text("premise\thypothesis\tus_ratings\tin_ratings\r\np\th\t['E']\r\n")
    with pytest.raises(DataFileError, match=r"data.tsv, line 2: expected 4 tab-separated cells, found 3"):
        loader.load("us")


def test_prompt_is_the_culturebank_evaluation_prompt(use_fixture_data):
    # character for character the published evaluation's template: a typographic apostrophe in
    # "Let’s" and a space after "Entail"
    docs, _ = loader.load("in")
    assert prompts.doc_to_text(docs[3]) == (
        "Premise: The guest brought a gift.\n"
        "Hypothesis: The guest was polite.\n"
        "\n"
        "Let\u2019s think as someone who lives in India. What do you think is the relationship between the "
        "premise and the hypothesis?\n"
        "(E) Entail \n"
        "(N) Neutral\n"
        "(C) Contradict"
    )


def test_classification_metrics_against_sklearn_and_by_hand():
    predictions = ["E", "E", "N", "C", "E", "N"]
    golds = ["E", "N", "N", "C", "C", "E"]
    # entailment: TP=1, FP=2, FN=1 -> F1 = 2/(2+2+1) = 0.4
    assert binary_f1(predictions, golds, "E") == pytest.approx(0.4)
    assert binary_f1(predictions, golds, "E") == pytest.approx(
        f1_score([g == "E" for g in golds], [p == "E" for p in predictions])
    )
    assert macro_f1(predictions, golds, ["E", "N", "C"]) == pytest.approx(
        f1_score(golds, predictions, labels=["E", "N", "C"], average="macro")
    )
    assert accuracy(predictions, golds) == pytest.approx(3 / 6)
    assert culture_shift_rate([("E", "E", "N", "N"), ("E", "E", "E", "N")]) == 0.5


def test_binary_macro_f1_by_hand_and_against_sklearn():
    golds = [True, False, False, True, False]
    predictions = [True, True, False, False, False]
    # E: TP 1, FP 1, FN 1 -> 0.5; not-E: TP 2, FP 1, FN 1 -> 2/3; macro 7/12
    assert macro_f1_binary(golds, predictions) == pytest.approx(7 / 12)
    assert macro_f1_binary(golds, predictions) == pytest.approx(f1_score(golds, predictions, average="macro"))
    # never predicting E scores p / (1 + p), p the not-E share: the published floor
    assert macro_f1_binary(golds, [False] * 5) == pytest.approx((3 / 5) / (1 + 3 / 5))
    # thresholds chosen on the items themselves, strictly above: 0.95 > 0.9 but 0.65 > 0.6 only
    p_e = [0.95, 0.65, 0.3, 0.62, 0.1]
    by_threshold = {t: f1_score(golds, [p > t for p in p_e], average="macro") for t in (0.6, 0.7, 0.8, 0.9, 1.0)}
    assert tuned_macro_f1_binary(golds, p_e) == pytest.approx(max(by_threshold.values()))
    assert tuned_macro_f1_binary(golds, [1.0] * 5) == pytest.approx(macro_f1_binary(golds, [False] * 5))


def test_process_results_and_aggregations(use_fixture_data):
    docs, _ = loader.load("us")
    # model always prefers E: log-likelihoods for E, N, C
    results = [[(-0.1, True), (-2.0, False), (-3.0, False)] for _ in docs]
    items = [lm_eval_hooks.process_results(doc, r) for doc, r in zip(docs, results)]
    assert [i["n_ties"] for i in items] == [0, 0, 1, 0, 0]
    assert items[2]["f1_entail"] is None and items[2]["accuracy"] is None
    # scored (non-tie) golds: E, N, E, C; predictions all E -> TP=2, FP=2, FN=0 -> F1 = 4/6
    assert scoring.aggregate_f1_entail([i["f1_entail"] for i in items]) == pytest.approx(2 / 3)
    assert scoring.aggregate_accuracy([i["accuracy"] for i in items]) == pytest.approx(0.5)
    # contested pairs under the US prompt: golds E, N -> accuracy 1/2
    assert scoring.aggregate_accuracy([i["contested_accuracy"] for i in items]) == pytest.approx(0.5)
    from scipy.spatial.distance import jensenshannon
    from scipy.special import softmax

    expected = jensenshannon(softmax([-0.1, -2.0, -3.0]), [0.6, 0.4, 0.0], base=2)
    assert items[0]["label_jsd"] == pytest.approx(expected)
    # the main metric: macro-F1 over {E, not-E}; golds E, N, E, C, all predicted E
    assert scoring.aggregate_macro_f1_binary([i["macro_f1_binary"] for i in items]) == pytest.approx(
        f1_score([True, False, True, False], [True] * 4, average="macro")
    )
    # the published protocol: the tied pair counts with its first-listed label (N: "NNEE")
    p_entail = softmax([-0.1, -2.0, -3.0])[0]
    tuned = scoring.aggregate_macro_f1_binary_tuned([i["macro_f1_binary_tuned"] for i in items])
    thresholds = (0.6, 0.7, 0.8, 0.9, 1.0)
    golds = [True, False, False, True, False]
    assert tuned == pytest.approx(max(f1_score(golds, [p_entail > t] * 5, average="macro") for t in thresholds))


@pytest.mark.e2e
def test_both_harnesses_and_the_shift_rate(tiny_model, fixture_data_dir, tmp_path):
    from inspect_ai.log import list_eval_logs, read_eval_log

    out = tmp_path / "lm"
    run_cli(
        [
            "cultureval",
            "lm-eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={tiny_model}",
            "--tasks",
            "cali_nli",
            "--output_path",
            str(out),
            "--log_samples",
        ],
        fixture_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    results = read_results(results_file)["results"]  # lm-eval 0.5 names the members cali_nli::cali_nli_us
    for task in ("cali_nli_us", "cali_nli_in"):
        for name in ("f1_entail", "macro_f1", "accuracy", "label_jsd", "n_ties", "contested_accuracy"):
            assert f"{name},none" in results[task]
    assert results["cali_nli_us"]["n_ties,none"] == 1 and results["cali_nli_in"]["n_ties,none"] == 0
    assert results["cali_nli"]["label_jsd,none"] == pytest.approx(
        (results["cali_nli_us"]["label_jsd,none"] + results["cali_nli_in"]["label_jsd,none"]) / 2
    )
    [shift], notes = shift_rates([out])
    assert not notes and shift["model"] == tiny_model.name
    # recomputed from the logged samples by hand: the argmax of the E/N/C log-likelihoods per
    # pair, then the share of contested pairs where both cultures' answers match their majority
    chosen = {}
    for culture in ("us", "in"):
        [samples_file] = [
            *out.rglob(f"samples_cali_nli_{culture}_*.jsonl"),
            *out.rglob(f"samples_*::cali_nli_{culture}_*"),
        ]
        for line in samples_file.read_text().splitlines():
            sample = json.loads(line)
            lls = [float(resp[0][0]) for resp in sample["resps"]]
            doc = sample["doc"]
            chosen[(culture, doc["pair_id"])] = ("ENC"[lls.index(max(lls))] == doc["majority"], doc["contested"])
    contested = [pair for (culture, pair), (_, flag) in chosen.items() if culture == "us" and flag]
    both = [chosen[("us", pair)][0] and chosen[("in", pair)][0] for pair in contested]
    assert shift["n_contested"] == len(both) == 2
    assert shift["culture_shift_rate"] == pytest.approx(sum(both) / len(both))
    assert shift["us_match_rate"] == pytest.approx(sum(chosen[("us", p)][0] for p in contested) / 2)

    for task in ("cali_nli_us", "cali_nli_in"):
        log_dir = tmp_path / task
        run_cli(
            [
                "inspect",
                "eval",
                f"cultureval/{task}",
                "--model",
                "hf/tiny",
                "-M",
                f"model_path={tiny_model}",
                "--log-dir",
                str(log_dir),
                "--display",
                "none",
            ],
            fixture_data_dir,
            tmp_path,
        )
        log = read_eval_log(list_eval_logs(str(log_dir))[0])
        metrics = log.results.scores[0].metrics
        assert {"f1_entail", "macro_f1", "accuracy", "label_jsd", "n_ties", "contested_accuracy"} <= set(metrics)
        assert metrics["n_ties"].value == (1 if task == "cali_nli_us" else 0)


@pytest.mark.real
def test_shared_file_has_2228_rows_and_smollm2_runs(shared_data_dir, smollm2, tmp_path, monkeypatch):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    docs, _ = loader.load("us")
    assert len(docs) == 2228
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
            "cali_nli",
            "--limit",
            "5",
            "--output_path",
            str(out),
        ],
        shared_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    assert "f1_entail,none" in read_results(results_file)["results"]["cali_nli_in"]


@pytest.mark.real
def test_trivial_predictors_reproduce_the_published_floor(shared_data_dir, tmp_path):
    """Never predicting E under the published protocol scores p / (1 + p), p the not-E share
    of the distinct pairs' tie-broken majorities: 39.2 (US) / 39.5 (IN) in the CultureBank
    study, where Llama-2-7b-chat scored exactly that."""
    import csv
    from collections import Counter

    out = tmp_path / "baselines"
    run_cli(
        ["cultureval", "baseline", "never-entail", "--tasks", "cali_nli_us,cali_nli_in", "-o", str(out)],
        shared_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    results = json.loads(results_file.read_text())["results"]
    with open(shared_data_dir / "cali" / "data.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    for culture, column, published in (("us", 2, 0.392), ("in", 3, 0.395)):
        last = {}
        for row in rows:
            labels = [label.strip(" '") for label in row[column].strip().strip("[]").split(",")]
            last[(row[0].strip(), row[1].strip())] = Counter(labels).most_common(1)[0][0]
        p = sum(label != "E" for label in last.values()) / len(last)
        entry = results[f"cali_nli_{culture}"]
        assert entry["macro_f1_binary_tuned,none"] == pytest.approx(p / (1 + p))
        assert round(entry["macro_f1_binary_tuned,none"], 3) == published
        assert entry["f1_entail,none"] == 0.0  # the E-class F1 of a model that never says E
