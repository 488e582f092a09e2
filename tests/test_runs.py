"""The one reader of logged runs (:mod:`cultureval.runs`) and the commands over it: runs kept
apart by model, lm-eval 0.4 and 0.5 layouts read alike, a judged file replacing its original,
bad input named by file and line, and metrics recomputed from the samples the reader returns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from run_outputs import binary_output, cali_output, generation_line, write_output
from scipy.spatial.distance import jensenshannon

from cultureval.cli import main
from cultureval.errors import InputError
from cultureval.runs import read_runs, runs_by_model


def run_main(args: list, capsys) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(code: int, err: str, command: str, expected_code: int = 2) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == expected_code and len(lines) == 1, err
    assert lines[0].startswith(f"cultureval {command}: ") and "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------ two models in one folder


def test_cali_shift_reports_each_model_of_a_folder(tmp_path, capsys):
    # model A answers each culture's majority on both contested pairs (shift 1.0), model B the
    # other culture's (0.0); the one folder used to report the last model's value for both
    cali_output(tmp_path / "runs" / "model-a", "/models/model-a", right=True, stamp="2026-01-01T00-00-00.0")
    cali_output(tmp_path / "runs" / "model-b", "/models/model-b", right=False, stamp="2026-01-02T00-00-00.0")
    code, out, _ = run_main(["cali-shift", tmp_path / "runs"], capsys)
    by_model = {result["model"]: result for result in json.loads(out)}
    assert code == 0 and set(by_model) == {"model-a", "model-b"}
    assert by_model["model-a"]["culture_shift_rate"] == 1.0 and by_model["model-a"]["n_contested"] == 2
    assert by_model["model-b"]["culture_shift_rate"] == 0.0 and by_model["model-b"]["us_match_rate"] == 0.0
    # each model alone gives the same number as in the shared folder
    code, out, _ = run_main(["cali-shift", tmp_path / "runs" / "model-a"], capsys)
    assert [r["culture_shift_rate"] for r in json.loads(out)] == [1.0]


def test_binary_settings_compares_each_model_with_itself(tmp_path, capsys, use_fixture_data):
    # survey majority option 1 on both items: A always answers 1 (agreement 1), B always 2 (0)
    binary_output(tmp_path / "runs" / "a", "/models/model-a", "1", stamp="2026-01-01T00-00-00.0")
    binary_output(tmp_path / "runs" / "b", "/models/model-b", "2", stamp="2026-01-02T00-00-00.0")
    code, out, _ = run_main(["binary-settings", tmp_path / "runs", "--json"], capsys)
    by_model = {result["model"]: result for result in json.loads(out)}
    assert code == 0 and set(by_model) == {"model-a", "model-b"}
    for model, expected in (("model-a", 1.0), ("model-b", 0.0)):
        result = by_model[model]
        assert result["rendering"] == "chat" and result["n_common_items"] == 2
        assert result["verdict_agreement_rate"] == 1.0  # each model's two settings agree
        assert result["per_setting"]["classification"]["majority_agreement"] == expected
        assert result["per_setting"]["reasoning"]["majority_agreement"] == expected
        # the yardstick that always answers option 1 scores what model A scores (survey majority 1)
        assert result["yardsticks"]["classification"]["always option 1"]["majority_agreement"] == 1.0


def test_binary_settings_says_when_its_yardsticks_cannot_be_computed(tmp_path, capsys, monkeypatch):
    """Without GlobalOpinionQA (the all-country majority reads every country's answers) the
    comparison still runs and says on stderr, in one line, that the yardsticks are missing."""
    binary_output(tmp_path / "runs" / "a", "/models/model-a", "1", stamp="2026-01-01T00-00-00.0")
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path / "no-data"))
    code, out, err = run_main(["binary-settings", tmp_path / "runs", "--json"], capsys)
    [result] = json.loads(out)
    assert code == 0 and result["per_setting"]["classification"]["majority_agreement"] == 1.0
    assert result["yardsticks"] == {} and result["yardsticks_note"].startswith("yardsticks not computed: ")
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"cultureval binary-settings: {result['yardsticks_note']}"]


def test_run_summary_shows_each_model_written_since(fixture_data_dir, tmp_path, capsys, monkeypatch):
    from cultureval.baselines import write_baseline
    from cultureval.run_summary import print_run_summary

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    paths = {kind: write_baseline(kind, ["global_opinion_jsd_binary"], tmp_path) for kind in ("uniform", "us-prior")}
    capsys.readouterr()
    print_run_summary(tmp_path, since=0.0)
    out = capsys.readouterr().out
    for kind, path in paths.items():
        jsd = json.loads(path.read_text())["results"]["global_opinion_jsd_binary"]["jsd,none"]
        block = out[out.index(f"model baseline/{kind} (baseline)") :]
        row = next(line for line in block.splitlines() if line.startswith("jsd "))
        assert float(row.split()[1]) == pytest.approx(jsd, abs=5e-5), (kind, row)
        assert f"(results: {path})" in out


def test_report_and_export_sft_keep_each_model(tmp_path, capsys, use_fixture_data):
    from cultureval.tasks.global_opinions.prompts import cot_doc_to_text

    doc = {"question_id": 1, "question": "Is it acceptable to eat meat?", "options": ["Yes", "No"], "country": "Japan"}
    for model, jsd, stamp in (("model-a", 0.05, "2026-01-01T00-00-00.0"), ("model-b", 0.10, "2026-01-02T00-00-00.0")):
        line = generation_line(0, doc, cot_doc_to_text(doc), "<think>r</think>{0.9, 0.1}", {"jsd": jsd}, "0.4")
        write_output(
            tmp_path / "runs" / model, f"/models/{model}", {"global_opinion_cot_binary": ({"jsd": jsd}, [line])}, stamp
        )
    code, _, _ = run_main(
        ["export-sft", tmp_path / "runs", "-o", tmp_path / "t.jsonl", "--exclude-task", "none"], capsys
    )
    rows = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert code == 0 and {(r["metadata"]["model"], r["metadata"]["jsd"]) for r in rows} == {
        ("model-a", 0.05),
        ("model-b", 0.10),
    }
    code, _, _ = run_main(["report", tmp_path / "runs", "-o", tmp_path / "report"], capsys)
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    jsd = {(row["model"], row["metric"]): row["value"] for row in summary}
    assert code == 0 and jsd[("model-a", "jsd")] == 0.05 and jsd[("model-b", "jsd")] == 0.10


def test_two_runs_of_one_task_for_one_model_are_an_error(tmp_path):
    cali_output(tmp_path / "one", "/models/m", right=True, stamp="2026-01-01T00-00-00.0")
    cali_output(tmp_path / "two", "/models/m", right=False, stamp="2026-01-02T00-00-00.0")
    with pytest.raises(InputError, match="m has two runs of cali_nli_us"):
        runs_by_model(read_runs([tmp_path]), ["cali_nli_us", "cali_nli_in"])


# ------------------------------------------------------------------ layouts, judged files


def _as_compared(run) -> tuple:
    samples = [(s.doc, s.values, s.answer, s.prompt, s.loglikelihoods, s.doc_id) for s in run.samples()]
    fields = (run.model, run.model_path, run.harness, run.task, run.metrics, run.n, run.rendering, run.shots)
    return (*fields, run.task_version, run.data_source, run.provenance, samples)


def test_lm_eval_04_and_05_layouts_read_the_same(tmp_path):
    cali_output(tmp_path / "old", "/models/m", right=True, layout="0.4")
    new = cali_output(tmp_path / "new", "/models/m", right=True, layout="0.5")
    assert "cali_nli::cali_nli_us" in json.loads(new.read_text())["results"]
    assert list((tmp_path / "new").glob("samples_cali_nli::cali_nli_us_*.jsonl"))
    read_old, read_new = read_runs([tmp_path / "old"]), read_runs([tmp_path / "new"])
    assert [run.task for run in read_old] == [run.task for run in read_new] == ["cali_nli_us", "cali_nli_in"]
    assert [_as_compared(run) for run in read_old] == [_as_compared(run) for run in read_new]
    us = read_new[0]
    assert us.harness_version == "0.5.0.dev1" and us.started_at.startswith("2026-01-01T00:00:00")
    assert next(s.loglikelihoods for s in us.samples()) == (0.0, -5.0, -9.0)


def test_a_judged_file_replaces_its_original(tmp_path):
    task = "culturebank_tiktok"
    doc = {"question": "q", "persona": "p"}
    lines = [generation_line(i, doc, "prompt", f"reply {i}", {}, "0.4") for i in range(2)]
    original = write_output(tmp_path / "out", "/models/m", {task: ({"n_empty_responses": 0}, lines)})
    judged = json.loads(original.read_text())
    judged["results"][task]["entailment_score,none"] = 0.75
    judged["cultureval_judge"] = {
        "judge": "j",
        "prompt_versions": {"culturebank": "1"},
        "tasks": {task: {"n_samples": 2}},
    }
    stamp = original.stem.removeprefix("results_")
    (tmp_path / "out" / f"results_judged_{stamp}.json").write_text(json.dumps(judged))
    judged_lines = [{"doc_id": 1, "score": 1.0}, {"doc_id": 0, "score": 0.5}]  # the judge's order, not the log's
    (tmp_path / "out" / f"samples_judged_{task}_{stamp}.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in judged_lines)
    )
    for named in (tmp_path / "out", original):  # the folder, or the original file named
        [run] = read_runs([named])
        assert run.source.endswith(f"results_judged_{stamp}.json") and run.metrics["entailment_score"] == 0.75
        assert run.judge["judge"] == "j"
        assert [(s.answer, s.judged["score"]) for s in run.samples()] == [("reply 0", 0.5), ("reply 1", 1.0)]


def test_which_files_count(tmp_path):
    cali_output(tmp_path / "a", "/models/m", right=True)
    (tmp_path / "a" / "summary.json").write_text("[]")  # a report's own output, not a log
    (tmp_path / "a" / "notes.txt").write_text("x")
    assert {run.task for run in read_runs([tmp_path])} == {"cali_nli_us", "cali_nli_in"}
    assert read_runs([tmp_path], tasks=["cali_nli_in"])[0].task == "cali_nli_in"
    assert read_runs([tmp_path], since=4e9) == []  # written before then
    with pytest.raises(InputError, match="neither an lm-eval results_"):
        read_runs([tmp_path / "a" / "notes.txt"])


# ------------------------------------------------------------------ bad input, named


def _bad_output(tmp_path: Path, raw_line: bytes, task: str = "global_opinion_cot_binary") -> Path:
    doc = {"question_id": 1, "question": "q?", "options": ["Yes", "No"], "country": "Japan"}
    line = generation_line(0, doc, "prompt", "{0.5, 0.5}", {"jsd": 0.1}, "0.4")
    write_output(tmp_path / "out", "/models/m", {task: ({"jsd": 0.1}, [line])})
    [samples] = (tmp_path / "out").glob("samples_*.jsonl")
    samples.write_bytes(samples.read_bytes() + raw_line + b"\n")
    return samples


BAD_LINES = {
    "not JSON": (b'{"doc": ', "line 2: not JSON"),
    "a JSON array": (b"[1, 2]", "line 2: an array, not the JSON object of one sample"),
    "not UTF-8": (b'{"doc": {"q": "\xff"}}', "line 2: not UTF-8 (byte 0xff)"),
    "a string doc": (b'{"doc": "Japan", "filter": "none"}', "line 2: 'doc' is a string, not an object"),
    "nested 100k deep": (b"[" * 100_000 + b"]" * 100_000, "line 2: not JSON (RecursionError)"),
    "a doc without country": (
        json.dumps({"doc": {"question": "q?"}, "filter": "none", "jsd": 0.1}).encode(),
        "line 2: the logged doc has no 'country'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_export_sft_names_a_bad_samples_line(case, tmp_path, capsys, use_fixture_data):
    raw, message = BAD_LINES[case]
    samples = _bad_output(tmp_path, raw)
    code, _, err = run_main(["export-sft", tmp_path / "out", "-o", tmp_path / "t.jsonl"], capsys)
    assert one_line_error(code, err, "export-sft").startswith(f"cultureval export-sft: {samples}, {message}")
    assert not (tmp_path / "t.jsonl").exists()


@pytest.mark.parametrize("case", ["not JSON", "not UTF-8", "a string doc"])
def test_report_names_a_bad_samples_line(case, tmp_path, capsys):
    raw, message = BAD_LINES[case]
    samples = _bad_output(tmp_path, raw)
    code, _, err = run_main(["report", tmp_path / "out", "-o", tmp_path / "report"], capsys)
    assert one_line_error(code, err, "report").startswith(f"cultureval report: {samples}, {message}")
    assert not (tmp_path / "report" / "report.md").exists()


def test_judge_names_a_non_utf8_samples_file_before_any_call(tmp_path, capsys):
    samples = _bad_output(tmp_path, BAD_LINES["not UTF-8"][0], task="culturebank_tiktok")
    args = ["judge", tmp_path / "out", "--judge-model", "m", "--judge-base-url", "http://127.0.0.1:9/v1"]
    code, _, err = run_main(args, capsys)
    assert one_line_error(code, err, "judge") == f"cultureval judge: {samples}, line 2: not UTF-8 (byte 0xff)"


def test_a_results_file_that_is_not_json_names_its_line(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "results_x.json").write_text('{\n  "results": {\n    "a": [1,\n')
    code, _, err = run_main(["cali-shift", tmp_path / "out"], capsys)
    assert "results_x.json, line 4: not JSON" in one_line_error(code, err, "cali-shift")


# ------------------------------------------------------------------ Inspect logs


@pytest.fixture(scope="module")
def inspect_cot_log(fixture_data_dir, tmp_path_factory) -> tuple[Path, str]:
    """An Inspect log of ``global_opinion_cot_binary`` answered by Inspect's scripted model."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from cultureval.tasks.global_opinions.inspect_tasks import global_opinion_cot_binary

    reply = "<think>Most would agree.</think>\n{0.7, 0.3}"
    outputs = [ModelOutput.from_content("mockllm/model", reply) for _ in range(50)]
    for output in outputs:  # usage given, so the mock does not fetch a tokenizer
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    folder = tmp_path_factory.mktemp("inspect-logs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
        model = get_model("mockllm/model", custom_outputs=outputs)
        [log] = inspect_eval(global_opinion_cot_binary(), model=model, log_dir=str(folder), display="none")
    assert log.status == "success"
    return Path(log.location.removeprefix("file://")), reply


def test_inspect_log_metric_recomputed_from_the_samples(inspect_cot_log):
    path, reply = inspect_cot_log
    [run] = read_runs([path.parent])
    assert run.harness == "inspect" and run.model == "mockllm/model" and run.task == "global_opinion_cot_binary"
    samples = list(run.samples())
    assert len(samples) == run.n and all(sample.answer == reply for sample in samples)
    # the model wrote (0.7, 0.3) for every item: its JS distance to each survey, by scipy
    by_hand = [jensenshannon([0.7, 0.3], sample.doc["survey_distribution"], base=2) for sample in samples]
    assert [sample.values["jsd"] for sample in samples] == pytest.approx(by_hand)
    assert run.metrics["jsd"] == pytest.approx(np.mean(by_hand))
    assert run.data_source["sha256"] and run.harness_version


def test_a_truncated_eval_log_is_named(inspect_cot_log, tmp_path, capsys):
    path, _ = inspect_cot_log
    cut = tmp_path / "logs" / path.name
    cut.parent.mkdir()
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    code, _, err = run_main(["report", cut.parent, "-o", tmp_path / "report"], capsys)
    assert f"cultureval report: {cut}: not a readable Inspect log (" in one_line_error(code, err, "report")


# ------------------------------------------------------------------ recomputed from samples


def test_baseline_metric_recomputed_from_the_samples_the_reader_returns(fixture_data_dir, tmp_path, monkeypatch):
    from cultureval.baselines import write_baseline

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    write_baseline("us-prior", ["global_opinion_jsd_binary"], tmp_path / "out")
    [run] = read_runs([tmp_path / "out"])
    assert run.model == "baseline/us-prior" and run.harness == "baseline"
    samples = list(run.samples())
    # the predicted distribution as the baseline logged it (the reader's model_distribution)
    assert all(list(s.model_distribution) == s.raw["baseline_distribution"] for s in samples)
    by_hand = [jensenshannon(s.model_distribution, s.doc["survey_distribution"], base=2) for s in samples]
    assert len(samples) == run.n == 3 and run.metrics["jsd"] == pytest.approx(np.mean(by_hand))
    assert run.metrics["jsd_stderr"] == pytest.approx(np.std(by_hand, ddof=1) / np.sqrt(len(by_hand)))


# ------------------------------------------------------------------ what the publishing commands read


@pytest.mark.parametrize("layout", ["0.4", "0.5"])
def test_a_sample_gives_the_models_distribution_and_every_answer(layout, tmp_path):
    """Multiple choice: the softmax of the logged log-likelihoods (lm-eval 0.4.13 logs them as
    strings), by scipy; a generation: no distribution, every text of the line in order (a sampled
    task's repeats), the first as ``answer``."""
    from run_outputs import choice_line
    from scipy.special import softmax

    lls = [-0.5, -1.25, -4.0]
    lines = [choice_line(0, {"pair_id": 0}, lls, {"accuracy": 1.0}, layout)]
    generation = generation_line(0, {"q": 1}, "prompt", "A", {}, layout)
    generation["resps"] = [["A", "B", "A"]]
    generation["filtered_resps"] = [["A", "B", "A"]] if layout == "0.5" else ["A", "B", "A"]
    write_output(
        tmp_path, "/models/m", {"cali_nli_us": ({}, lines), "global_opinion_sampled": ({}, [generation])}, layout=layout
    )
    choice, sampled = read_runs([tmp_path])
    [sample] = choice.samples()
    assert sample.model_distribution == pytest.approx(softmax(lls)) and sample.answers == ()
    [sample] = sampled.samples()
    assert sample.model_distribution is None and sample.answers == ("A", "B", "A") and sample.answer == "A"


def test_how_an_lm_eval_run_was_made_is_read(tmp_path):
    """Engine, its version, model arguments, output type and generation settings as lm-eval's
    results file records them (what an EEE record publishes)."""
    path = write_output(tmp_path, "/models/m", {"global_opinion_cot": ({"jsd": 0.5}, [])})
    results = json.loads(path.read_text())
    results["transformers_version"] = "4.99.0"
    results["configs"]["global_opinion_cot"] |= {
        "output_type": "generate_until",
        "generation_kwargs": {"max_gen_toks": 12, "do_sample": True, "temperature": 0.7},
        "repeats": 3,
    }
    path.write_text(json.dumps(results))
    [run] = read_runs([tmp_path])
    assert (run.harness, run.engine, run.engine_version, run.model_args) == (
        "lm-eval",
        "hf",
        "4.99.0",
        "pretrained=/models/m",
    )
    assert run.output_type == "generate_until" and run.status == "success"
    assert run.generation == {"max_gen_toks": 12, "do_sample": True, "temperature": 0.7, "repeats": 3}


def test_score_output_is_read_as_a_run_with_its_records(tmp_path):
    """``cultureval score -o`` output: harness ``score``, each item's whole record."""
    path = write_output(tmp_path, "outside-org/m", {"cali_nli_us": ({"accuracy": 1.0}, [])})
    results = json.loads(path.read_text())
    results["cultureval_score"] = {"family": "cali", "file": "rows.jsonl", "seed": 0, "rows": {}}
    path.write_text(json.dumps(results))
    line = {"doc_id": 0, "doc": {"pair_id": 0}, "filter": "none", "metrics": ["accuracy"], "accuracy": 1.0}
    line["record"] = {"accuracy": 1.0, "prediction": "E"}
    next(tmp_path.glob("samples_*.jsonl")).write_text(json.dumps(line) + "\n")
    [run] = read_runs([tmp_path])
    [sample] = run.samples()
    assert run.harness == "score" and run.model == "outside-org/m"
    assert sample.values == {"accuracy": 1.0} and sample.record == {"accuracy": 1.0, "prediction": "E"}


def test_the_string_date_of_old_baselines_is_a_time(tmp_path):
    """``cultureval baseline`` wrote ``%Y-%m-%dT%H-%M-%S.%f`` before it wrote epoch seconds as
    lm-eval does: both read as the same ISO time (UTC)."""
    path = write_output(tmp_path, "/models/m", {"cali_nli_us": ({"accuracy": 1.0}, [])})
    results = json.loads(path.read_text())
    results["date"] = "2026-01-01T00-00-00.000000"
    path.write_text(json.dumps(results))
    [old] = read_runs([tmp_path])
    results["date"] = 1767225600.0
    path.write_text(json.dumps(results))
    [new] = read_runs([tmp_path])
    assert old.started_at == new.started_at == "2026-01-01T00:00:00+00:00"
