"""``cultureval export``: Every Eval Ever (schema 0.3.0) records of every kind of run, validated
with jsonschema against the schema files in ../shared (offline), every exported score recomputed
from the run's logged samples (numpy, sklearn), and the metric facts behind them (direction,
bounds, counts without a direction)."""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from conftest import SHARED_DATA_DIR, run_cli
from published_runs import HOSTILE_MODEL, OUTSIDE_MODEL
from sklearn.metrics import accuracy_score, f1_score

from cultureval.definitions import task_names
from cultureval.families import table_of
from cultureval.metric_table import COUNT, MEAN, SCORE, Metric, MetricTable
from cultureval.metrics.aggregate import mean_defined


def _shared_schemas() -> Path | None:
    """The EEE schema files in the shared folder (beside the shared data, or ../shared)."""
    candidates = [Path(__file__).resolve().parents[2] / "shared"]
    if SHARED_DATA_DIR:
        candidates.insert(0, Path(SHARED_DATA_DIR).parent)
    found = [c / "schemas" / "every_eval_ever" for c in candidates if (c / "schemas" / "every_eval_ever").is_dir()]
    return found[0] if found else None


SHARED_SCHEMAS = _shared_schemas()
ORGANIZATION = ["--organization", "Test Org", "--evaluator-relationship", "third_party"]


def validators():
    """The schemas' validators: the shared copy, else (no shared folder here) the shipped one."""
    from cultureval.eee import SCHEMAS

    folder = SHARED_SCHEMAS or SCHEMAS
    load = lambda name: json.loads((folder / name).read_text())  # noqa: E731
    return (
        jsonschema.Draft7Validator(load("eval.schema.json")),
        jsonschema.Draft7Validator(load("instance_level_eval.schema.json")),
    )


def read_export(folder: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    """The evaluation records and, by file path, the instance records; each checked against the schema."""
    evaluation, instance = validators()
    records, instances = [], {}
    for path in sorted(folder.rglob("*.json")):
        record = json.loads(path.read_text())
        evaluation.validate(record)
        records.append(record)
        detailed = record.get("detailed_evaluation_results")
        if detailed:
            lines_path = folder / detailed["file_path"]
            lines = [json.loads(line) for line in lines_path.read_text().splitlines()]
            for line in lines:
                instance.validate(line)
            assert len(lines) == detailed["total_rows"]
            instances[detailed["file_path"]] = lines
    return records, instances


# ------------------------------------------------------------------------------ independent recomputation


def _numbers(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _country_sim_std(pairs) -> float:
    by_country = defaultdict(list)
    for pair in pairs:
        if pair is not None:
            by_country[pair[0]].append(pair[1])
    means = [np.mean(v) for v in by_country.values()]
    return float(np.std(means, ddof=0)) if len(means) >= 2 else float("nan")


def _labels(items):
    kept = [item for item in items if item is not None]
    return [gold for _, gold in kept], [prediction for prediction, _ in kept]


def _cali(name: str, items) -> float:
    gold, predicted = _labels(items)
    if name == "macro_f1_binary":
        return f1_score([g == "E" for g in gold], [p == "E" for p in predicted], average="macro")
    if name == "f1_entail":
        return f1_score([g == "E" for g in gold], [p == "E" for p in predicted])
    if name == "macro_f1":
        return f1_score(gold, predicted, labels=["E", "N", "C"], average="macro", zero_division=0)
    return accuracy_score(gold, predicted)  # accuracy, contested_accuracy


def _culturebank_country_std(pairs) -> float:
    """statistics.stdev (ddof=1) of the per-survey-sample mean similarity (Shi et al. 2024's
    world_value_survey.py spread)."""
    import statistics

    by_country = defaultdict(list)
    for pair in pairs:
        if pair is not None and not math.isnan(pair[1]):
            by_country[pair[0]].append(pair[1])
    means = [statistics.fmean(v) for v in by_country.values()]
    return statistics.stdev(means) if len(means) >= 2 else float("nan")


INDEPENDENT = {
    "country_sim_std": _country_sim_std,
    "culturebank_country_std": _culturebank_country_std,
    **{name: (lambda items, name=name: _cali(name, items)) for name in ("macro_f1_binary", "f1_entail", "macro_f1")},
    "accuracy": lambda items: _cali("accuracy", items),
    "contested_accuracy": lambda items: _cali("accuracy", items),
}


def item_values(metric: Metric, samples: list) -> list:
    """Each item's value of ``metric`` as the run logged it (lm-eval: under its name; Inspect:
    from the item's record)."""
    found = []
    for sample in samples:
        values = sample.values
        found.append(values[metric.name] if metric.name in values else metric.item_value(sample.record or {}))
    return [tuple(v) if isinstance(v, list) else v for v in found]


def recompute(metric: Metric, name: str, run) -> tuple[float, float | None]:
    """``(value, standard error or None)`` of one exported score from the run's samples."""
    samples = list(run.samples())
    if metric.aggregation is None:  # a judge's corpus-level summary: CultureBank's judged scores
        lines = [s.record for s in samples if s.record and s.record.get("score") is not None]
        parameters = metric.parameters(name)
        if parameters:
            key, value = next(iter(parameters.items()))
            lines = [line for line in lines if str(line["topic" if key == "topic" else "cultural_group"]) == value]
        scores = np.array([line["score"] for line in lines])
        if name.startswith("entail_rate"):
            return float(np.mean(scores > 0.5)), None
        stderr = float(np.std(scores, ddof=1) / np.sqrt(len(scores))) if len(scores) > 1 and not parameters else None
        return float(np.mean(scores)), stderr
    values = item_values(metric, samples)
    if metric.name in INDEPENDENT:
        return INDEPENDENT[metric.name](values), None
    if metric.aggregation in (MEAN, mean_defined):
        numbers = _numbers(values)
        numbers = numbers[~np.isnan(numbers)]
        stderr = float(np.std(numbers, ddof=1) / np.sqrt(len(numbers))) if metric.aggregation == MEAN else None
        return float(np.mean(numbers)), stderr
    # the only other aggregation exported here (CALI's published tuned-threshold protocol): the
    # family's own function over the logged values
    assert metric.name == "macro_f1_binary_tuned", metric.name
    return float(metric.aggregation(values)), None


def _run_of(record: dict, runs) -> object:
    details = record["source_metadata"]["additional_details"]
    [run] = [
        r
        for r in runs
        if r.source == details["source_file"]
        and r.task == record["evaluation_results"][0]["evaluation_name"]
        and r.model == record["model_info"]["name"]
        and r.harness == details["harness"]
    ]
    return run


@pytest.mark.e2e
def test_export_of_every_task_kind_validates_and_recomputes(
    published_runs, tiny_model, fixture_data_dir, tmp_path, monkeypatch
):
    from cultureval.report import summary_rows

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))  # the yardsticks of summary_rows read it
    from cultureval.runs import read_runs

    paths = [str(p) for p in published_runs]
    refused = run_cli(
        ["cultureval", "export", *paths, "-o", str(tmp_path / "no"), *ORGANIZATION],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    assert refused.returncode == 2 and f"--model-id {tiny_model.name}=ORG/NAME" in refused.stderr
    assert not list((tmp_path / "no").rglob("*.json"))

    ids = ["--model-id", f"{tiny_model.name}=test-org/tiny-llama", "--model-id", f"{HOSTILE_MODEL}=test-org/evil"]
    out = tmp_path / "eee"
    run_cli(["cultureval", "export", *paths, "-o", str(out), *ORGANIZATION, *ids], fixture_data_dir, tmp_path)
    records, instances = read_export(out)

    runs = read_runs(published_runs)
    kinds = {(_run_of(r, runs).harness, _run_of(r, runs).task) for r in records}
    assert kinds >= {
        ("lm-eval", "global_opinion_jsd_binary"),  # log-probabilities
        ("lm-eval", "global_opinion_cot_binary"),  # written-out answers
        ("lm-eval", "global_opinion_sampled"),  # sampled answers
        ("lm-eval", "culturebank_tiktok"),  # judged
        ("inspect", "global_opinion_jsd_binary"),
        ("baseline", "global_opinion_jsd_binary"),
        ("score", "cali_nli_us"),
    }, kinds
    summary = {(r["source"], r["model"], r["task"], r["harness"], r["metric"]): r for r in summary_rows(runs)}
    checked = 0
    for record in records:
        run = _run_of(record, runs)
        table = table_of(run.task)
        assert record["eval_library"]["version"] and record["evaluation_timestamp"].isdigit()
        details = record["source_metadata"]["additional_details"]
        assert (
            details["comparable_set"]
            == summary[(run.source, run.model, run.task, run.harness, table.leaderboard_metric)]["comparable_set"]
        )
        for result in record["evaluation_results"]:
            name = result["metric_config"]["metric_name"]
            metric = table.describe(name)
            assert metric.kind == SCORE  # counts and diagnostics are never scored results
            row = summary[(run.source, run.model, run.task, run.harness, name)]
            assert result["score_details"]["score"] == row["value"]  # the number summary.json holds
            assert result["metric_config"]["lower_is_better"] is (not metric.higher_is_better)
            assert (result["metric_config"]["min_score"], result["metric_config"]["max_score"]) == metric.bounds
            value, stderr = recompute(metric, name, run)
            assert result["score_details"]["score"] == pytest.approx(value, abs=1e-9), (run.task, name)
            reported = result["score_details"].get("uncertainty", {}).get("standard_error")
            if stderr is not None and not math.isnan(stderr):
                assert reported["value"] == pytest.approx(stderr, rel=1e-6) and reported["method"] == "analytic"
            checked += 1
        exported = {r["metric_config"]["metric_name"] for r in record["evaluation_results"]}
        defined = {
            n
            for (s, m, t, h, n), row in summary.items()
            if (s, m, t, h) == (run.source, run.model, run.task, run.harness)
            and table.describe(n).kind == SCORE
            and row["value"] is not None
        }
        assert exported == defined, (run.task, exported ^ defined)
        details = record["evaluation_results"][0]["score_details"]["details"]
        for name, value in run.metrics.items():
            described = table.describe(name)
            if described is not None and described.kind == COUNT and value is not None:
                assert details[name] == f"{value:g}"
    assert checked >= 30 and all(r["evaluation_results"] for r in records)

    by_task = {(_run_of(r, runs).harness, r["evaluation_results"][0]["evaluation_name"]): r for r in records}
    jsd = by_task[("lm-eval", "global_opinion_jsd_binary")]
    assert jsd["model_info"]["id"] == "test-org/tiny-llama"
    import transformers

    assert jsd["model_info"]["inference_engine"] == {"name": "transformers", "version": transformers.__version__}
    assert jsd["model_info"]["additional_details"]["deployment_type"] == "self_deployed"
    source = jsd["evaluation_results"][0]["source_data"]
    assert len(source["additional_details"]["sha256"]) == 64 and source["dataset_name"] == "global_opinions (binary)"
    judged = by_task[("lm-eval", "culturebank_tiktok")]["evaluation_results"][0]["metric_config"]["llm_scoring"]
    assert judged["judges"][0]["model_info"]["name"] == "fake-judge"
    assert judged["additional_details"]["prompt_version"] == "entailment-v1"
    assert "cultural knowledge" in judged["input_prompt"]
    cot = by_task[("lm-eval", "global_opinion_cot_binary")]["evaluation_results"][0]["generation_config"]
    assert cot["generation_args"]["max_tokens"] == 12
    score = by_task[("score", "cali_nli_us")]
    assert score["model_info"]["id"] == OUTSIDE_MODEL and score["eval_library"]["name"] == "cultureval"

    # instance records: one per item and scored result with a per-item value; each its item's logged value
    lines = instances[jsd["detailed_evaluation_results"]["file_path"]]
    run = _run_of(jsd, runs)
    assert {line["evaluation_result_id"] for line in lines} == {
        f"global_opinion_jsd_binary:{n}"
        for n in ("jsd", "culture_sim", "tv", "top1_agreement", "culturebank_similarity")
    }
    by_id = {str(s.doc_id): s for s in run.samples()}
    for line in lines:
        metric = line["evaluation_result_id"].split(":")[1]
        assert line["evaluation"]["score"] == pytest.approx(by_id[line["sample_id"]].values[metric])
        assert json.loads(line["input"]["reference"][0]) == by_id[line["sample_id"]].doc["survey_distribution"]
    # how each answer was read: the option letters' probabilities (lm-eval and Inspect), a baseline's
    # prediction, an outside output re-scored
    methods = {
        key: {
            attribution["extraction_method"]
            for line in instances[by_task[key]["detailed_evaluation_results"]["file_path"]]
            for attribution in line["answer_attribution"]
        }
        for key in (
            ("lm-eval", "global_opinion_jsd_binary"),
            ("inspect", "global_opinion_jsd_binary"),
            ("baseline", "global_opinion_jsd_binary"),
            ("score", "cali_nli_us"),
        )
    }
    assert methods == {
        ("lm-eval", "global_opinion_jsd_binary"): {"softmax over the option letters' log-probabilities"},
        ("inspect", "global_opinion_jsd_binary"): {"softmax over the option letters' log-probabilities"},
        ("baseline", "global_opinion_jsd_binary"): {"baseline prediction"},
        ("score", "cali_nli_us"): {"outside output re-scored (cultureval score)"},
    }


def test_baseline_export_by_hand(fixture_data_dir, tmp_path):
    """A uniform baseline: jsd per item by hand, counts as details, the date as epoch seconds."""
    started = time.time()
    run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd_binary", "-o", str(tmp_path / "b")],
        fixture_data_dir,
        tmp_path,
    )
    [results_path] = (tmp_path / "b").rglob("results_*.json")
    results = json.loads(results_path.read_text())
    assert isinstance(results["date"], float) and started - 1 <= results["date"] <= time.time() + 1
    run_cli(
        ["cultureval", "export", str(tmp_path / "b"), "-o", str(tmp_path / "eee"), *ORGANIZATION],
        fixture_data_dir,
        tmp_path,
    )
    [record], _ = read_export(tmp_path / "eee")
    assert record["model_info"]["id"] == "cultureval/baseline-uniform"
    assert record["evaluation_timestamp"] == str(int(results["date"]))
    scores = {r["metric_config"]["metric_name"]: r for r in record["evaluation_results"]}
    from test_report import MEAT, POOR, jsd_by_hand

    expected = [jsd_by_hand([0.5, 0.5], q) for q in [*POOR.values(), *MEAT.values()]]
    assert scores["jsd"]["score_details"]["score"] == pytest.approx(sum(expected) / len(expected))
    assert scores["jsd"]["metric_config"]["lower_is_better"] is True
    assert scores["jsd"]["score_details"]["uncertainty"]["standard_error"]["value"] == pytest.approx(
        np.std(expected, ddof=1) / np.sqrt(len(expected))
    )
    assert "n_skipped_no_prediction" not in scores
    assert scores["jsd"]["score_details"]["details"]["n_skipped_no_prediction"] == "0"


def test_an_old_baseline_with_a_string_date_is_read(fixture_data_dir, tmp_path):
    from cultureval.eee import evaluated_at
    from cultureval.runs import read_runs

    run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd_binary", "-o", str(tmp_path)],
        fixture_data_dir,
        tmp_path,
    )
    [path] = tmp_path.rglob("results_*.json")
    results = json.loads(path.read_text())
    results["date"] = "2026-01-02T03-04-05.000000"  # what cultureval baseline wrote before
    path.write_text(json.dumps(results))
    [run] = read_runs([tmp_path / "baseline__uniform"])
    assert run.started_at == "2026-01-02T03:04:05+00:00"
    assert evaluated_at(run) == 1767323045.0  # 2026-01-02 03:04:05 UTC


def test_score_output_is_a_run_the_report_and_export_read(fixture_data_dir, tmp_path):
    """``cultureval score cali FILE -o DIR``: the scores as a run (harness ``score``) with the
    numbers ``--json`` prints, every row counted under its reason (a duplicate, a pair that is
    not in the data), each scored item's document and record; the EEE export reads it."""
    from cultureval.runs import read_runs

    rows = [
        {"model": OUTSIDE_MODEL, "pair_id": i, "culture": "us", "p_e": 0.6, "p_n": 0.3, "p_c": 0.1} for i in range(4)
    ]
    rows += [rows[0], rows[0] | {"pair_id": 99}]  # the first pair again; a pair the data has not
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    printed = run_cli(
        ["cultureval", "score", "cali", str(path), "--json", "-o", str(tmp_path / "scored")], fixture_data_dir, tmp_path
    )
    scores = json.loads(printed.stdout)[OUTSIDE_MODEL]["cali_nli_us"]
    [run] = read_runs([tmp_path / "scored"])
    assert (run.harness, run.model, run.task, run.n) == ("score", OUTSIDE_MODEL, "cali_nli_us", 4)
    for name, value in scores.items():
        if name not in ("rows", "yardsticks"):
            assert run.metrics[name] == pytest.approx(value, nan_ok=True), name
    assert scores["rows"] == {"scored": 4, "duplicate": 1, "no_such_pair": 1}
    assert (run.metrics["n_rows_duplicate"], run.metrics["n_rows_no_such_pair"]) == (1, 1)
    samples = list(run.samples())
    assert [s.doc["pair_id"] for s in samples] == [0, 1, 2, 3]
    assert all(s.record["p_entail"] == pytest.approx(0.6) for s in samples)
    run_cli(
        ["cultureval", "export", str(tmp_path / "scored"), "-o", str(tmp_path / "eee"), *ORGANIZATION],
        fixture_data_dir,
        tmp_path,
    )
    [record], _ = read_export(tmp_path / "eee")
    assert record["model_info"]["id"] == OUTSIDE_MODEL and record["eval_library"]["name"] == "cultureval"
    details = record["evaluation_results"][0]["score_details"]["details"]
    assert details["n_rows_duplicate"] == "1" and details["n_rows_no_such_pair"] == "1"


# ------------------------------------------------------------------------------ the metric facts


def test_counts_have_no_direction_in_lm_evals_higher_is_better():
    seen = set()
    for task in task_names():
        table = table_of(task)
        for item in table.lm_eval_metric_list():
            metric = table.describe(item["metric"])
            if metric.kind == COUNT:
                assert item["higher_is_better"] is None, (task, item)
                seen.add(item["metric"])
            else:
                assert metric.kind != SCORE or isinstance(item["higher_is_better"], bool), (task, item)
    assert {"n_ties", "n_unparsed", "n_truncated"} <= seen  # n_ties was 'lower is better'


def test_every_score_has_a_direction_and_bounds():
    for task in task_names():
        for metric in table_of(task).metrics:
            if metric.kind == SCORE:
                low, high = metric.bounds
                assert isinstance(metric.higher_is_better, bool) and low < high, (task, metric.name)
            elif metric.kind == COUNT:
                assert metric.higher_is_better is None and metric.bounds is None, (task, metric.name)
            else:
                assert metric.bounds is not None, (task, metric.name)
    with pytest.raises(ValueError, match="a count has no direction"):
        Metric("n_things", False, "things", kind=COUNT)
    with pytest.raises(ValueError, match="a score needs a direction"):
        Metric("score", None, "a score")


def test_an_aggregation_named_by_another_string_is_refused_when_defined():
    # it used to be accepted and then called: "'str' object is not callable" at compute time
    with pytest.raises(ValueError, match="aggregation 'median' is neither 'mean' nor a function"):
        Metric("score", True, "a score", "median", bounds=(0.0, 1.0))
    records = [{"score": 0.25}, {"score": 0.75}, {"score": 1.0}]
    top = Metric("top", True, "", max, item=lambda record: record["score"])
    computed = MetricTable((Metric("score", True, "a score", MEAN, bounds=(0.0, 1.0)), top)).compute(records)
    assert computed["score"] == pytest.approx((0.25 + 0.75 + 1.0) / 3) and computed["top"] == 1.0


def test_metric_parameters_and_placeholders():
    metric = Metric("spearman_country_{country}", True, "ρ", None, bounds=(-1.0, 1.0))
    assert metric.parameters("spearman_country_DK") == {"country": "DK"}
    assert metric.parameters("spearman_country_DK_pooled") == {}
    assert Metric("entailment_score|topic={topic}", True, "", None, bounds=(0.0, 1.0)).parameters(
        "entailment_score|topic=Food and Dining"
    ) == {"topic": "Food and Dining"}


def test_ranking_follows_the_leaderboard_metrics_direction():
    """Default prompting ranks by culture_sim_strict, higher is better (an earlier ranking by
    country_sim_gap, lower is better, rewarded a uniformly bad answer); the EEE record carries
    the rank and set of summary.json."""
    from cultureval.eee import ExportOptions, evaluation_record
    from cultureval.report import ranked_runs
    from cultureval.runs import Run

    runs = [
        Run(model=m, harness="lm-eval", task="global_opinion_default", metrics={"culture_sim_strict": v})
        for m, v in (("a", 0.3), ("b", 0.1), ("c", None), ("d", 0.2))
    ]
    ranked = ranked_runs(runs)
    assert [(member.rank, member.run.model) for member in ranked] == [(1, "a"), (2, "d"), (3, "b"), (None, "c")]
    options = ExportOptions(organization="Org", evaluator_relationship="third_party", model_ids={"a": "org/a"})
    details = evaluation_record(ranked[0], options)["source_metadata"]["additional_details"]
    assert details["rank"] == "1" and details["comparable_set"] == ranked[0].rows[0]["comparable_set"]
    runs = [
        Run(model=m, harness="lm-eval", task="global_opinion_jsd", metrics={"culture_sim": v})
        for m, v in (("a", 0.3), ("b", 0.6))
    ]
    assert [member.run.model for member in ranked_runs(runs)] == ["b", "a"]


@pytest.mark.skipif(SHARED_SCHEMAS is None, reason="no shared folder with the EEE schemas on this machine")
def test_the_shipped_schema_is_the_shared_one():
    from cultureval.eee import SCHEMAS

    for name in ("eval.schema.json", "instance_level_eval.schema.json", "LICENSE.upstream"):
        assert (SCHEMAS / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes(), name


def test_no_secret_reaches_a_record():
    """Model arguments as a harness recorded them may hold a key; the record keeps the rest."""
    from cultureval.eee import ExportOptions, evaluation_record, validate
    from cultureval.report import ranked_runs
    from cultureval.runs import Run

    run = Run(
        model="openai/gpt-4o-mini",
        harness="inspect",
        task="global_opinion_jsd_6c",
        metrics={"culture_sim": 0.6, "jsd": 0.4},
        n=10,
        source="log.eval",
        model_path="openai/gpt-4o-mini",
        engine="openai",
        model_args={"api_key": "sk-secret-1", "base_url": "https://x"},
    )
    options = ExportOptions(organization="Org", evaluator_relationship="third_party")
    [ranked] = ranked_runs([run])
    record = evaluation_record(ranked, options)
    validate(record)
    text = json.dumps(record)
    assert "sk-secret-1" not in text and "https://x" in text
    assert record["model_info"]["additional_details"]["deployment_type"] == "externally_managed"
    lm_eval = Run(
        model="org/m",
        harness="lm-eval",
        task="global_opinion_jsd_6c",
        metrics={"culture_sim": 0.6},
        n=3,
        engine="local-completions",
        model_args="model=org/m,api_key=sk-secret-2,base_url=u",
    )
    [ranked] = ranked_runs([lm_eval])
    assert "sk-secret-2" not in json.dumps(evaluation_record(ranked, options))


def test_an_undefined_leaderboard_metric_is_said_not_dropped(fixture_data_dir, tmp_path):
    """A run whose leaderboard metric is NaN (no item had a readable answer) has no EEE result
    for it: the record lists it under ``undefined_scores`` and the export says so on stderr,
    naming the record — it was left out without a line."""
    from run_outputs import choice_line, write_output

    from cultureval.families import table_of

    task = "global_opinion_jsd"
    leaderboard = table_of(task).leaderboard_metric
    doc = {"question_id": 0, "country": "Japan", "n_options": 2, "survey_distribution": [0.5, 0.5]}
    line = choice_line(0, doc, [-0.5, -1.0], {"culture_sim": 0.7, "jsd": 0.3}, "0.4")
    metrics = {"culture_sim": 0.7, "jsd": 0.3} | {leaderboard: float("nan")}
    write_output(tmp_path / "run", "org/model", {task: (metrics, [line])})
    result = run_cli(
        ["cultureval", "export", str(tmp_path / "run"), "-o", str(tmp_path / "eee"), *ORGANIZATION],
        fixture_data_dir,
        tmp_path,
    )
    [record], _ = read_export(tmp_path / "eee")
    names = {r["metric_config"]["metric_name"] for r in record["evaluation_results"]}
    assert leaderboard not in names
    assert leaderboard in record["source_metadata"]["additional_details"]["undefined_scores"].split(", ")
    [note] = [line for line in result.stderr.splitlines() if "undefined" in line]
    assert note.startswith("note: ") and f"no value for its leaderboard metric {leaderboard}" in note
    assert str(tmp_path / "eee") in note
