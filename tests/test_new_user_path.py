"""The path a new user walks, from the first command to the next ones (issue 31). Each case the
issue names is a test here:

1. work never lost with exit 0 — ``test_output_path_that_cannot_be_written_is_refused_before_the_model_loads``,
   ``test_results_lm_eval_could_not_save_exit_1``, ``test_limit_0_is_refused_everywhere``
2. Inspect pre-run checks — ``test_cultureval_inspect_eval_checks_before_the_model_loads``,
   ``test_plain_inspect_eval_says_a_data_error_in_one_line``, ``test_no_loader_reaches_the_network_offline``
3. rendering said, and the same rendering gives the same numbers —
   ``test_lm_eval_hint_gives_inspect_the_same_rendering_and_numbers_on_cali``,
   ``test_inspect_output_says_its_rendering``
5. judged tasks — ``test_lm_eval_run_of_a_judged_task_prints_the_judge_command_that_works``,
   ``test_judged_task_without_logged_samples_is_refused``, ``test_self_judging_is_warned_per_task_recorded_and_reported``
6. ``cultureval run`` — ``test_cultureval_run_takes_the_next_options_and_prints_its_command``,
   ``test_cultureval_run_resumes_from_its_answer_cache``
9. filters and cost — ``test_countries_and_questions_filter_the_items``, ``test_filters_in_both_harnesses_are_never_ranked_with_unfiltered_runs``,
   ``test_a_filter_a_task_would_ignore_is_refused``, ``test_cost_estimate_is_items_times_measured_seconds``
"""

from __future__ import annotations

import json
import math
import re
import shlex
from pathlib import Path

import pytest
from conftest import run_cli
from scipy.special import softmax

# --- helpers -----------------------------------------------------------------------------------


def _fake_model(tmp_path: Path) -> Path:
    """A folder the pre-run checks accept as a model folder that no engine can load: a refusal
    that names the problem proves the check ran before any model load."""
    folder = tmp_path / "unloadable-model"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text("{}")
    return folder


def _one_line(result, prefix: str) -> str:
    """The single ``prefix`` line on stderr of a command that exited 2 without a traceback (the
    data loaders' own log lines about skipped rows may precede it)."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("cultureval")]
    assert len(lines) == 1 and lines[0].startswith(prefix), result.stderr[-3000:]
    return lines[0]


# --- 1. work is never lost with exit 0 -----------------------------------------------------------


def test_output_path_that_cannot_be_written_is_refused_before_the_model_loads(fixture_data_dir, tmp_path):
    model = _fake_model(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    base = ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={model}"]
    base += ["--tasks", "global_opinion_jsd", "--log_samples"]
    for output in (blocker / "out", blocker / "out" / "results.json", blocker):
        line = _one_line(
            run_cli([*base, "--output_path", str(output)], fixture_data_dir, tmp_path, check=False),
            "cultureval lm-eval: ",
        )
        assert f"--output_path {output}: {blocker} is a file, not a folder" in line
    if Path("/sys").is_dir():  # a read-only file system, unwritable even for root
        line = _one_line(
            run_cli([*base, "--output_path", "/sys/cultureval-out"], fixture_data_dir, tmp_path, check=False),
            "cultureval lm-eval: ",
        )
        assert "--output_path /sys/cultureval-out: cannot write there" in line


def test_a_model_path_too_long_for_lm_evals_results_folder_is_refused(fixture_data_dir, tmp_path):
    """lm-eval names the results folder after the model path with each '/' as '__': a path over
    255 bytes ran every item and then could not save. Refused before the model loads; the same
    model at a shorter path (a link) passes the check."""
    deep = tmp_path
    for part in ("a" * 90, "b" * 90, "c" * 90):
        deep = deep / part
    deep.mkdir(parents=True)
    model = _fake_model(deep)
    args = ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={model}"]
    args += ["--tasks", "global_opinion_jsd", "--limit", "1", "--output_path", str(tmp_path / "out")]
    line = _one_line(run_cli(args, fixture_data_dir, tmp_path, check=False), "cultureval lm-eval: ")
    assert f"pretrained={str(model)[:32]}...: lm-eval names the results folder after it" in line
    assert f"({len(str(model).replace('/', '__').encode())} bytes" in line
    from cultureval.preflight import check_results_folder_name, parse_request

    link = tmp_path / "m"
    link.symlink_to(model)
    check_results_folder_name(parse_request([*args[3:-4], "--model_args", f"pretrained={link}", *args[-4:]]))


def test_output_check_leaves_no_folder_behind(tmp_path):
    from cultureval.preflight import check_output_path

    check_output_path(str(tmp_path / "new" / "deeper"))
    assert not (tmp_path / "new").exists()
    (tmp_path / "kept").mkdir()
    check_output_path(str(tmp_path / "kept"))
    assert (tmp_path / "kept").is_dir() and not list((tmp_path / "kept").iterdir())


@pytest.mark.e2e
def test_results_lm_eval_could_not_save_exit_1(tiny_model, use_fixture_data, tmp_path, monkeypatch, capsys):
    """The folder passes the check, then becomes unwritable while the model runs (here: lm-eval's
    own save is pointed under a file, as in the issue): lm-eval warns "Could not save results" and
    returns 0; cultureval exits 1 with one line."""
    from lm_eval.loggers.evaluation_tracker import EvaluationTracker

    from cultureval.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    save = EvaluationTracker.save_results_aggregated

    def save_under_a_file(self, *args, **kwargs):
        self.output_path = str(blocker / "out")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(EvaluationTracker, "save_results_aggregated", save_under_a_file)
    monkeypatch.setattr("sys.argv", ["cultureval"])
    status = main(
        ["lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "global_opinion_jsd"]
        + ["--limit", "2", "--output_path", str(tmp_path / "out"), "--log_samples"]
    )
    assert status == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("cultureval lm-eval: ")]
    assert len(lines) == 1 and "lm-eval could not save the results" in lines[0], lines
    assert not list((tmp_path / "out").rglob("results_*.json"))


def test_limit_0_is_refused_everywhere(fixture_data_dir, tmp_path):
    """One meaning for ``--limit 0``: refused, before any model loads, in lm-eval, ``cultureval
    run``, ``cultureval baseline`` and ``cultureval inspect eval``."""
    model = _fake_model(tmp_path)
    commands = {
        "lm-eval": ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={model}"]
        + ["--tasks", "global_opinion_jsd", "--limit", "0"],
        "run": ["cultureval", "run", "--model-path", str(model), "--limit", "0"],
        "baseline": ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd", "--limit", "0", "-o", "b"],
        "inspect": ["cultureval", "inspect", "eval", "cultureval/global_opinion_jsd", "--model", "hf/x"]
        + ["-M", f"model_path={model}", "--limit", "0"],
    }
    for name, command in commands.items():
        line = _one_line(run_cli(command, fixture_data_dir, tmp_path, check=False), f"cultureval {name}: ")
        assert "--limit 0: evaluates no item" in line, line
    assert not (tmp_path / "b").exists()  # the baseline wrote nothing
    line = _one_line(
        run_cli([*commands["lm-eval"][:-1], "-3"], fixture_data_dir, tmp_path, check=False), "cultureval lm-eval: "
    )
    assert "--limit -3: evaluates no item" in line


# --- 2. Inspect's pre-run checks -------------------------------------------------------------------


def _inspect_case(case: str, tmp_path: Path, data_dir: Path) -> tuple[list[str], dict, str]:
    model = _fake_model(tmp_path)
    task = "cultureval/global_opinion_jsd"
    args, env = [task, "--model", "hf/x", "-M", f"model_path={model}"], {}
    if case == "misspelt task":
        args[0] = "cultureval/global_opinions_jsd"
        expected = "unknown task 'cultureval/global_opinions_jsd'; did you mean 'cultureval/global_opinion_jsd'?"
    elif case == "missing data folder":
        env = {"CULTUREVAL_DATA_DIR": str(tmp_path / "no-data")}
        expected = "no-data is no folder"
    elif case == "empty data folder":
        (tmp_path / "empty-data").mkdir()
        env = {"CULTUREVAL_DATA_DIR": str(tmp_path / "empty-data")}
        expected = "empty-data is an empty folder"
    elif case == "missing model folder":
        args[4] = f"model_path={tmp_path / 'no-model'}"
        expected = f"-M model_path={tmp_path / 'no-model'}: no such file or folder"
    elif case == "adapter without adapter_config.json":
        adapter = tmp_path / "adapter"
        adapter.mkdir()
        (adapter / "adapter_model.safetensors").write_bytes(b"\0" * 8)
        args[4] = f"model_path={adapter}"
        expected = "holds neither config.json (a transformers model folder) nor adapter_config.json"
    elif case == "negative limit":  # the trial: -1 passed as a range, then Inspect's traceback
        args += ["--limit", "-1"]
        expected = "--limit"
    elif case == "misspelt option":
        args += ["-T", "country=Japan"]
        expected = "-T country: no task of this run takes it"
    else:  # a country no item has
        args += ["-T", "countries=Brasil"]
        expected = "countries: no item of this task has country 'Brasil'; did you mean 'Brazil'?"
    return args, env, expected


@pytest.mark.parametrize(
    "case",
    [
        "misspelt task",
        "missing data folder",
        "empty data folder",
        "missing model folder",
        "adapter without adapter_config.json",
        "misspelt option",
        "unknown country",
        "negative limit",
    ],
)
def test_cultureval_inspect_eval_checks_before_the_model_loads(case, fixture_data_dir, tmp_path):
    args, env, expected = _inspect_case(case, tmp_path, fixture_data_dir)
    result = run_cli(["cultureval", "inspect", "eval", *args], fixture_data_dir, tmp_path, check=False, env_extra=env)
    line = _one_line(result, "cultureval inspect: ")
    assert expected in line, line


def test_lm_eval_refuses_an_adapter_folder_without_its_config(fixture_data_dir, tmp_path):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    model = _fake_model(tmp_path)
    result = run_cli(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={model},peft={adapter}"]
        + ["--tasks", "global_opinion_jsd"],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    assert "holds no adapter_config.json, so it is not a PEFT adapter folder" in _one_line(
        result, "cultureval lm-eval: "
    )


@pytest.mark.e2e
def test_plain_inspect_eval_says_a_data_error_in_one_line(tiny_model, tmp_path):
    """Under a plain ``inspect eval`` the task's own check says it (after the model loaded: Inspect
    creates tasks then), as Inspect's one-line prerequisite error, not a traceback."""
    result = run_cli(
        ["inspect", "eval", "cultureval/cali_nli_us", "--model", "hf/tiny", "-M", f"model_path={tiny_model}"]
        + ["--log-dir", str(tmp_path / "logs")],
        tmp_path / "no-data",
        tmp_path,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output[-3000:]
    assert "cultureval/cali_nli_us:" in output and "no-data is no folder" in " ".join(output.split())


def test_a_failed_download_is_tried_once_per_file(monkeypatch, capsys):
    """No data folder, no network: ``cultureval tasks`` waited on the Hub's retries (about 23 s)
    for each of ~30 tasks. A file whose download failed fails at once for the next task of the
    process, and the listing stops counting after the first failure and says why."""
    import huggingface_hub

    from cultureval import data_source
    from cultureval.task_list import task_rows

    calls = []

    def unreachable(**kwargs):
        calls.append(kwargs["filename"])
        raise ConnectionError("Name or service not known")

    monkeypatch.delenv("CULTUREVAL_DATA_DIR", raising=False)
    for flag in data_source.OFFLINE_ENV:
        monkeypatch.delenv(flag, raising=False)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", unreachable)
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: (_ for _ in ()).throw(OSError("unreachable")))
    notes: list[str] = []
    rows = task_rows(notes=notes)
    counted = [row["items"] for row in rows]
    assert counted.count("no data") == 1 and counted.count("-") == len(rows) - 1
    assert len(calls) <= 1 and len(notes) == 1
    assert notes[0].startswith("items not counted after the first failed download: ") and "download failed" in notes[0]
    # the same file again, as the next task of a run would ask: the same error, no new request
    from cultureval.definitions import task_definition

    before = len(calls)
    for task in ("global_opinion_jsd", "global_opinion_jsd_binary"):
        with pytest.raises(data_source.DownloadError):
            task_definition(task).load_dataset()
    assert len(calls) == before == 1


def test_no_loader_reaches_the_network_offline(monkeypatch, tmp_path):
    """With ``HF_HUB_OFFLINE=1`` and no ``CULTUREVAL_DATA_DIR`` every dataset (Hub and GitHub ones)
    is one line saying it is not available offline, and no connection is opened."""
    import socket

    from cultureval.data_source import DataFileError
    from cultureval.definitions import task_definition

    def no_network(*args, **kwargs):
        raise AssertionError(f"a loader opened a connection offline: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.delenv("CULTUREVAL_DATA_DIR", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("CULTUREVAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    for task, dataset in [
        ("global_opinion_jsd", "global_opinions"),
        ("cali_nli_us", "cali"),
        ("wvs_polarity_en", "wvs_polarity"),
        ("culturebank_tiktok", "culturebank"),
    ]:
        with pytest.raises(DataFileError) as caught:
            task_definition(task).load_dataset()
        message = str(caught.value)
        assert "\n" not in message
        assert message.startswith(f"{dataset}: not available offline (HF_HUB_OFFLINE is set")
        assert f"set CULTUREVAL_DATA_DIR to a folder holding {dataset}/" in message


# --- 3. the rendering, said and matched --------------------------------------------------------------


def _lm_eval(tiny_model, data_dir, tmp_path, task, *extra):
    out = tmp_path / "lm-out"
    result = run_cli(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", task]
        + ["--output_path", str(out), "--log_samples", "--batch_size", "4", *extra],
        data_dir,
        tmp_path,
    )
    [results] = out.rglob("results_*.json")
    [samples] = out.rglob(f"samples_{task}_*.jsonl")
    return result, json.loads(results.read_text()), [json.loads(line) for line in samples.read_text().splitlines()]


def _console_text(result) -> str:
    """A command's output as one line of words, without the source locations Inspect's console
    prints in a column beside wrapped log messages (``inspect_tasks.py:303``)."""
    words = (result.stdout + result.stderr).split()
    return " ".join(word for word in words if not re.fullmatch(r"[\w.]+\.py:\d+", word))


def _inspect_log(tiny_model, data_dir, tmp_path, task, *extra, display="none"):
    from inspect_ai.log import list_eval_logs, read_eval_log

    log_dir = tmp_path / "logs"
    result = run_cli(
        ["inspect", "eval", f"cultureval/{task}", "--model", "hf/tiny", "-M", f"model_path={tiny_model}"]
        + ["--log-dir", str(log_dir), "--display", display, *extra],
        data_dir,
        tmp_path,
    )
    logs = [read_eval_log(info) for info in list_eval_logs(str(log_dir))]
    assert all(log.status == "success" for log in logs), [log.error for log in logs]
    return result, logs


@pytest.mark.e2e
def test_lm_eval_hint_gives_inspect_the_same_rendering_and_numbers_on_cali(tiny_model, fixture_data_dir, tmp_path):
    """The issue measured SmolLM2 ``cali_nli_us`` macro_f1_binary 0.400 (lm-eval) vs 0.250 (Inspect),
    each harness's default rendering. lm-eval's table says its rendering and the flags that give
    it in Inspect; following them gives the same distribution per item (1e-3) and metric."""
    from transformers import AutoTokenizer

    task = "cali_nli_us"
    result, results, samples = _lm_eval(tiny_model, fixture_data_dir, tmp_path / "lm", task)
    [hint] = [line for line in result.stdout.splitlines() if "Inspect gives this rendering with" in line]
    assert f"{task}: " in result.stdout and "rendering plain (paragraph)" in result.stdout
    flags = shlex.split(re.search(r"with (-T .*?\.yaml\")", hint).group(1).replace("$(cultureval configs-dir)", "/C"))
    from cultureval.paths import configs_dir

    flags = [flag.replace("/C", str(configs_dir()), 1) if flag.startswith("/C") else flag for flag in flags]
    assert flags[:2] == ["-T", "rendering=plain"] and flags[2] == "--model-config"
    vocab = len(AutoTokenizer.from_pretrained(tiny_model))
    _, [log] = _inspect_log(
        tiny_model, fixture_data_dir, tmp_path / "inspect", task, *flags, "-T", f"top_logprobs={vocab}"
    )
    assert log.eval.metadata["rendering"] == "plain"
    expected = {
        (s["doc"]["premise"], s["doc"]["hypothesis"]): softmax([float(r[0][0]) for r in s["resps"]]).tolist()
        for s in samples
    }
    assert len(log.samples) == len(expected)
    for sample in log.samples:
        doc = sample.metadata["doc"]
        score = next(iter(sample.scores.values()))
        assert score.metadata["model_distribution"] == pytest.approx(
            expected[(doc["premise"], doc["hypothesis"])], abs=1e-3
        )
    lm_metric = results["results"][task]["macro_f1_binary,none"]
    assert log.results.scores[0].metrics["macro_f1_binary"].value == pytest.approx(lm_metric, abs=1e-6)


@pytest.mark.e2e
def test_inspect_output_says_its_rendering(tiny_model, fixture_data_dir, tmp_path):
    """Inspect's printed task header carries the rendering (a task tag), and where it is not
    lm-eval's default a warning says how to get lm-eval's."""
    result, [log] = _inspect_log(tiny_model, fixture_data_dir, tmp_path, "cali_nli_us", "--limit", "2", display="plain")
    output = _console_text(result)
    assert "tags: rendering:instruction" in output
    assert "cali_nli_us: rendering instruction; lm-eval's default is plain" in output
    assert "-T rendering=plain --model-config" in output
    assert log.eval.tags == ["rendering:instruction"]


# --- 5. judged tasks -------------------------------------------------------------------------------


@pytest.mark.e2e
def test_lm_eval_run_of_a_judged_task_prints_the_judge_command_that_works(tiny_model, fixture_data_dir, tmp_path):
    from fake_judge import FakeJudge

    result, _, samples = _lm_eval(
        tiny_model, fixture_data_dir, tmp_path / "lm", "culturebank_tiktok", "--gen_kwargs", "max_gen_toks=4"
    )
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("cultureval judge ")]
    assert len(lines) == 2, result.stdout[-3000:]
    out = tmp_path / "lm" / "lm-out"
    local = shlex.split(lines[0])  # a judge served locally: the shipped judge config
    assert local[:4] == ["cultureval", "judge", str(out), "--judge-config"] and Path(local[4]).is_file()
    hosted = shlex.split(lines[1])
    assert hosted[:3] == ["cultureval", "judge", str(out)]
    with FakeJudge() as server:
        # the printed hosted-judge command, pointed at the test's server
        command = [*hosted[:3], "--judge-model", "fake-judge", "--judge-base-url", server.base_url]
        judged = run_cli(
            command, fixture_data_dir, tmp_path, env_extra={"OPENAI_API_KEY": "", "CULTUREVAL_JUDGE_API_KEY": ""}
        )
        assert len(server.requests) == len(samples)
    assert "entailment_score" in judged.stdout and list(out.rglob("results_judged_*.json"))


def test_judged_task_without_logged_samples_is_refused(fixture_data_dir, tmp_path):
    model = _fake_model(tmp_path)
    result = run_cli(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={model}"]
        + ["--tasks", "culturebank_tiktok", "--output_path", str(tmp_path / "out")],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    line = _one_line(result, "cultureval lm-eval: ")
    assert "culturebank_tiktok are scored by `cultureval judge` from the logged responses: add --log_samples" in line


@pytest.mark.e2e
def test_self_judging_is_warned_per_task_recorded_and_reported(tiny_model, fixture_data_dir, tmp_path):
    """Two judged tasks in one Inspect run without a grader: each is warned about (the issue saw
    only the first), each log records ``judge.self_judged``, and the report's summary names the
    judge as self-judged with a note."""
    result, logs = _inspect_log(
        tiny_model,
        fixture_data_dir,
        tmp_path,
        "culturebank_tiktok",
        "cultureval/culturebank_reddit",
        "--limit",
        "1",
        "-T",
        "max_tokens=4",
        display="plain",
    )
    output = _console_text(result)
    for task in ("culturebank_tiktok", "culturebank_reddit"):
        assert f"{task}: no --model-role grader=... given: hf/tiny judges its own responses" in output
    assert len(logs) == 2
    for log in logs:
        assert log.eval.metadata["judge"]["self_judged"] is True
        assert "self-judged" in log.eval.tags
    report = tmp_path / "report"
    run_cli(["cultureval", "report", str(tmp_path / "logs"), "-o", str(report)], fixture_data_dir, tmp_path)
    text = (report / "report.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| culturebank_")]
    assert len(rows) == 2 and all(row.rstrip().endswith("| self-judged (hf/tiny) |") for row in rows), rows
    assert text.count("is self-judged: no grader model was given") == 2
    import csv

    summary = list(csv.DictReader((report / "summary.csv").read_text().splitlines()))
    assert {row["judge"] for row in summary} == {"self-judged (hf/tiny)"}


# --- 6. cultureval run --------------------------------------------------------------------------------


def test_cultureval_run_takes_the_next_options_and_prints_its_command(fixture_data_dir, tmp_path):
    """``cultureval run`` takes the chat template, generation settings, device and cache; the
    command it prints is the lm-eval request it runs; an option it does not take is answered with
    that command, the option in it — never "add --apply_chat_template" and then a rejection."""
    from cultureval.preflight import parse_request

    model = _fake_model(tmp_path)
    options = ["--model-path", str(model), "--tasks", "global_opinion_cot_binary", "--limit", "3"]
    options += ["--apply_chat_template", "--gen_kwargs", "max_gen_toks=8", "--device", "cpu"]
    options += ["--use-cache", str(tmp_path / "cache"), "--metadata", '{"countries": ["Japan"]}']
    printed = run_cli(["cultureval", "run", *options, "--print-command"], fixture_data_dir, tmp_path).stdout.strip()
    argv = shlex.split(printed)
    assert argv[:3] == ["cultureval", "lm-eval", "run"]
    request = parse_request(argv[3:])
    assert request.model == "hf" and request.model_args["pretrained"] == str(model)
    assert request.tasks == ["global_opinion_cot_binary"] and request.limit == 3
    assert request.apply_chat_template and request.log_samples and request.use_cache == str(tmp_path / "cache")
    assert request.metadata == {"countries": ["Japan"]}
    assert argv[argv.index("--gen_kwargs") + 1] == "max_gen_toks=8" and argv[argv.index("--device") + 1] == "cpu"

    result = run_cli(["cultureval", "run", *options, "--num_fewshot", "2"], fixture_data_dir, tmp_path, check=False)
    line = _one_line(result, "cultureval run: ")
    assert "--num_fewshot 2: not an option of cultureval run" in line
    assert line.endswith(f"{printed} --num_fewshot 2")


@pytest.mark.parametrize("tasks", ["", " ", ",", " , ,"])
def test_cultureval_run_with_no_task_named_is_refused(tasks, fixture_data_dir, tmp_path):
    """``--tasks ""`` ran the default job (every default task, minutes of work) unasked; now one
    line and exit 2, before any download or model load (the model folder holds no weights)."""
    model = _fake_model(tmp_path)
    result = run_cli(
        ["cultureval", "run", "--model-path", str(model), "--tasks", tasks, "--print-command"],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    assert f"--tasks {tasks!r}: names no task" in _one_line(result, "cultureval run: ")


@pytest.mark.e2e
def test_cultureval_run_resumes_from_its_answer_cache(tiny_model, fixture_data_dir, tmp_path):
    """An interrupted run rerun with the same ``--use-cache`` reuses every finished answer (lm-eval
    counts them) and gives the same numbers for the items both runs share."""
    cache = tmp_path / "answers"
    common = ["cultureval", "run", "--model-path", str(tiny_model), "--tasks", "global_opinion_jsd"]
    common += ["--use-cache", str(cache), "--batch-size", "4"]
    first = run_cli([*common, "--limit", "2", "--output-path", str(tmp_path / "a")], fixture_data_dir, tmp_path)
    second = run_cli([*common, "--limit", "4", "--output-path", str(tmp_path / "b")], fixture_data_dir, tmp_path)

    def requests(result):
        found = re.findall(r"Cached requests: (\d+), Requests remaining: (\d+)", result.stdout + result.stderr)
        assert found, (result.stdout + result.stderr)[-3000:]
        return int(found[-1][0]), int(found[-1][1])

    assert requests(first)[0] == 0
    [samples_a] = (tmp_path / "a").rglob("samples_*.jsonl")
    [samples_b] = (tmp_path / "b").rglob("samples_*.jsonl")
    a = [json.loads(line) for line in samples_a.read_text().splitlines()]
    b = [json.loads(line) for line in samples_b.read_text().splitlines()]
    cached, remaining = requests(second)
    assert cached == sum(len(s["resps"]) for s in a) and cached + remaining == sum(len(s["resps"]) for s in b)
    for old in a:
        new = next(s for s in b if s["doc"] == old["doc"])
        assert new["resps"] == old["resps"]


# --- 9. filters and the cost estimate -----------------------------------------------------------------


def test_countries_and_questions_filter_the_items(use_fixture_data):
    from cultureval.definitions import task_definition
    from cultureval.provenance import read_provenance
    from cultureval.tasks.global_opinions.item_filter import ItemFilterError

    definition = task_definition("global_opinion_jsd")
    everything = list(definition.load_dataset())
    japan_brazil = definition.load_dataset(countries=["Brazil", "Japan"])
    assert list(japan_brazil) == [doc for doc in everything if doc["country"] in ("Brazil", "Japan")]
    assert read_provenance(japan_brazil)["filter"] == {"countries": ["Brazil", "Japan"]}
    assert "filter" not in read_provenance(definition.load_dataset())
    # a sample's full name keeps that sample only; a plain name keeps every sample of the country
    india = [doc["survey_country"] for doc in definition.load_dataset(countries="India")]
    assert set(india) == {"India", "India (Current national sample)", "India (Non-national sample)"}
    one = [doc["survey_country"] for doc in definition.load_dataset(countries="India (Non-national sample)")]
    assert one == ["India (Non-national sample)"]
    # questions by question_id (as logged in each sample's doc) or by text; both may combine
    first = everything[0]
    by_id = list(definition.load_dataset(questions=[str(first["question_id"])]))
    by_text = list(definition.load_dataset(questions=[first["question"]]))
    assert by_id == by_text == [doc for doc in everything if doc["question_id"] == first["question_id"]]
    both = list(definition.load_dataset(countries=["Brazil"], questions=[first["question_id"]]))
    assert both == [d for d in everything if d["question_id"] == first["question_id"] and d["country"] == "Brazil"]
    with pytest.raises(ItemFilterError, match="country 'Brasil'; did you mean 'Brazil'"):
        definition.load_dataset(countries="Brasil")
    with pytest.raises(ItemFilterError, match="question_id '99'"):
        definition.load_dataset(questions="99")
    with pytest.raises(ItemFilterError, match="countries: empty"):
        definition.load_dataset(countries=[])
    # the families built on GlobalOpinionQA's data take the same options
    default = task_definition("global_opinion_default").load_dataset(countries=["Japan", "Nigeria"])
    assert {country for doc in default for country in doc["countries"]} <= {"Japan", "Nigeria"}
    binary = task_definition("binary_settings_classify").load_dataset(countries="Japan", n_samples=2)
    assert {doc["country"] for doc in binary} == {"Japan"}


def test_a_filter_a_task_would_ignore_is_refused(fixture_data_dir, tmp_path):
    model = _fake_model(tmp_path)
    result = run_cli(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={model}"]
        + ["--tasks", "global_opinion_jsd,cali_nli_us", "--metadata", '{"countries": ["Japan"]}'],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    line = _one_line(result, "cultureval lm-eval: ")
    assert "--metadata countries: cali_nli_us do not take it" in line


@pytest.mark.e2e
def test_filters_in_both_harnesses_are_never_ranked_with_unfiltered_runs(tiny_model, fixture_data_dir, tmp_path):
    from cultureval.comparability import comparable_sets
    from cultureval.runs import read_runs

    task = "global_opinion_jsd"
    metadata = ("--metadata", '{"countries": ["Japan", "Brazil"]}')
    _, results, samples = _lm_eval(tiny_model, fixture_data_dir, tmp_path / "lm", task, *metadata)
    assert {s["doc"]["country"] for s in samples} == {"Japan", "Brazil"}
    block = results["configs"][task]["metadata"]["cultureval"]
    assert block["data_source"]["filter"] == {"countries": ["Japan", "Brazil"]}
    _, results_all, samples_all = _lm_eval(tiny_model, fixture_data_dir, tmp_path / "lm-all", task)
    assert len(samples_all) > len(samples)
    assert results_all["configs"][task]["metadata"]["cultureval"]["docs_sha256"] != block["docs_sha256"]
    _, [log] = _inspect_log(tiny_model, fixture_data_dir, tmp_path / "inspect", task, "-T", "countries=Japan,Brazil")
    assert {s.metadata["doc"]["country"] for s in log.samples} == {"Japan", "Brazil"}
    assert log.eval.metadata["docs_sha256"] == block["docs_sha256"]  # the same items in both harnesses
    assert log.eval.metadata["data_source"]["filter"] == {"countries": ["Japan", "Brazil"]}
    runs = read_runs([tmp_path / "lm" / "lm-out", tmp_path / "lm-all" / "lm-out"])
    sets, notes = comparable_sets(runs)
    assert len(sets[task]) == 2 and any("documents (docs_sha256)" in note for note in notes)


def test_cost_estimate_is_items_times_measured_seconds(use_fixture_data, capsys):
    """The estimate printed before a run: items (after --limit) × the measured seconds per item of
    cpu_cost.json, and tokens per item; it says it is an estimate and what it was measured on."""
    from cultureval.preflight import prepare_run
    from cultureval.task_list import cost_lines, measured_costs

    measured = measured_costs()["measured"]
    seconds = 598 * measured["global_opinion_jsd_6c"]["seconds_per_item"]
    [line, about] = cost_lines({"global_opinion_jsd_6c": 598})
    assert f"about 598 items × {measured['global_opinion_jsd_6c']['seconds_per_item']:g} s" in line
    assert f"≈ {seconds / 60:.0f} min" in line
    tokens = 598 * measured["global_opinion_jsd_6c"]["prompt_tokens_per_item"]
    assert f"≈ {tokens:,.0f} + 0 tokens" in line
    assert about.startswith("(an estimate: measured with SmolLM2-135M-Instruct") and "2 CPU cores" in about
    # a sibling without its own measurement says whose it borrows
    assert cost_lines({"cali_nli_in": 10})[0].endswith("as measured on cali_nli_us")

    prepare_run(["--model", "hf", "--model_args", "pretrained=org/model", "--tasks", "cali_nli_us", "--limit", "0.5"])
    from cultureval.definitions import task_definition

    n = math.ceil(0.5 * len(task_definition("cali_nli_us").load_dataset()))
    printed = capsys.readouterr().err
    assert f"cultureval: cost estimate: cali_nli_us: about {n} item" in printed


@pytest.mark.parametrize("harness", ["lm-eval", "inspect"])
def test_a_limit_that_cuts_an_items_sampled_answers_is_refused(harness, use_fixture_data, capsys):
    """The three settings have one document per sampled answer, an item's answers in a row, and
    ``--limit`` counts documents: ``--limit 5`` with 2 answers per item scored the third item on
    one answer of two, and the cost line said "5 items". Refused in one line, before a model
    loads; a multiple of the answers per item runs, and its cost line counts documents."""
    from cultureval.inspect_preflight import check_eval
    from cultureval.preflight import PreflightError, prepare_run

    task = "binary_settings_classify"

    def check(limit: str) -> None:
        if harness == "lm-eval":
            prepare_run(
                ["--model", "hf", "--model_args", "pretrained=org/model", "--tasks", task, "--limit", limit]
                + ["--metadata", '{"n_samples": 2}']
            )
        else:
            check_eval([f"cultureval/{task}", "--model", "openai/x", "-T", "n=2", "--limit", limit])

    with pytest.raises(PreflightError) as refused:
        check("5")
    assert "\n" not in str(refused.value)
    assert str(refused.value).startswith(f"--limit 5: {task} has 2 documents per item")
    assert "score its last item on 1 of its 2 answers" in str(refused.value) and "--limit 4" in str(refused.value)
    capsys.readouterr()
    check("6")
    printed = capsys.readouterr().err
    assert f"cultureval: cost estimate: {task}: about 6 documents ×" in printed and "per document" in printed


def test_short_options_are_read_as_lm_eval_reads_them(use_fixture_data, tmp_path):
    """The trial: ``-L 5`` (and -t, -a, -o, -s) passed every check unseen — ``-L 5`` scored a
    three-setting item on 5 of its 10 answers. The short forms now read as the long ones; the
    table of short options is lm-eval's own (its ``run`` parser)."""
    import argparse

    from lm_eval._cli.run import Run

    from cultureval.preflight import SHORT_OPTIONS, PreflightError, parse_request, prepare_run

    parser = argparse.ArgumentParser()
    Run(parser.add_subparsers())
    [run_parser] = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices.values()
    lm_eval_short = {}
    for action in run_parser._actions:
        longs = [o for o in action.option_strings if o.startswith("--")]
        for short in (o for o in action.option_strings if not o.startswith("--") and o != "-h"):
            lm_eval_short[short] = (longs[0], action.nargs != 0)
    # every short option of the installed lm-eval, read as lm-eval reads it (0.5 adds -r)
    assert lm_eval_short and {k: SHORT_OPTIONS[k] for k in lm_eval_short} == lm_eval_short

    out = tmp_path / "out"
    long = parse_request(
        ["--tasks", "cali_nli_us", "--model_args", "pretrained=m", "--limit", "5"]
        + ["--output_path", str(out), "--log_samples", "--samples", '{"cali_nli_us": [1]}']
    )
    for short in (
        ["-t", "cali_nli_us", "-a", "pretrained=m", "-L", "5", "-o", str(out), "-s", "-E", '{"cali_nli_us": [1]}'],
        ["-tcali_nli_us", "-apretrained=m", "-L5", f"-o{out}", "-s", '-E={"cali_nli_us": [1]}'],
        ["-t=cali_nli_us", "-a=pretrained=m", "-L=5", f"-o={out}", "-sw", "-E", '{"cali_nli_us": [1]}'],
    ):
        assert parse_request(short) == long, short
    with pytest.raises(PreflightError, match="--limit 5: binary_settings_classify has 10 documents per item"):
        prepare_run(["--model", "hf", "-a", "pretrained=org/model", "-t", "binary_settings_classify", "-L", "5"])
    with pytest.raises(PreflightError, match="--limit 0: evaluates no item"):
        prepare_run(["--model", "hf", "-a", "pretrained=org/model", "-t", "cali_nli_us", "-L0"])


@pytest.mark.parametrize("tasks", ["", " , ", ","])
def test_lm_eval_tasks_naming_nothing_is_refused(tasks, use_fixture_data):
    """``--tasks " , "`` ended in lm-eval's traceback; ``--tasks ""`` made lm-eval read a YAML file
    of the current folder as a task."""
    from cultureval.preflight import PreflightError, prepare_run

    with pytest.raises(PreflightError, match="--tasks names no task"):
        prepare_run(["--model", "hf", "--model_args", "pretrained=org/model", "--tasks", tasks])


def test_samples_must_select_whole_three_setting_items(use_fixture_data, tmp_path):
    """``--samples {"binary_settings_classify": [0, 1, 2]}`` scored item 0 on 3 of its answers.
    With 2 answers per item (documents 0-1 item 0, 2-3 item 1): [0, 1, 2] is refused, naming
    item 1; [0, 1, 2, 3] and another task's single indices pass; a JSON file reads alike."""
    import json

    from cultureval.preflight import PreflightError, prepare_run

    base = ["--model", "hf", "--model_args", "pretrained=org/model", "--metadata", '{"n_samples": 2}']
    task = "binary_settings_classify"
    with pytest.raises(PreflightError) as refused:
        prepare_run([*base, "--tasks", task, "--samples", json.dumps({task: [0, 1, 2]})])
    assert str(refused.value).startswith(f"--samples {task}: selects 1 of the 2 documents of item 1 (documents 2-3")
    prepare_run([*base, "--tasks", task, "--samples", json.dumps({task: [0, 1, 2, 3]})])
    file = tmp_path / "samples.json"
    file.write_text(json.dumps({task: [3]}))
    with pytest.raises(PreflightError, match="selects 1 of the 2 documents of item 1"):
        prepare_run([*base, "--tasks", task, "-E", str(file)])
    prepare_run([*base, "--tasks", "cali_nli_us", "--samples", json.dumps({"cali_nli_us": [3]})])


def test_inspect_ranges_and_sample_ids_must_take_whole_three_setting_items(use_fixture_data):
    """The trial: ``--limit 1-5`` (Inspect's 1-based inclusive range) and ``--sample-id`` were
    accepted on the three settings, scoring an item on part of its answers. With 2 answers per
    item: 1-2 and 3-6 are whole items; 1-3 and 2-3 are not; a sample id is refused."""
    from cultureval.inspect_preflight import check_eval
    from cultureval.preflight import PreflightError

    base = ["cultureval/binary_settings_classify", "--model", "openai/x", "-T", "n=2"]
    check_eval([*base, "--limit", "1-2"])
    check_eval([*base, "--limit", "3-6"])
    for span in ("1-3", "2-3", "2-4"):
        with pytest.raises(PreflightError, match=f"--limit {span}: cultureval/binary_settings_classify has 2 samples"):
            check_eval([*base, "--limit", span])
    with pytest.raises(PreflightError, match="--sample-id: cultureval/binary_settings_classify has 2 samples per item"):
        check_eval([*base, "--sample-id", "abc"])
    check_eval(["cultureval/cali_nli_us", "--model", "openai/x", "--limit", "2-3"])  # one document per item


def test_cultureval_inspect_eval_exits_1_when_a_task_errored(fixture_data_dir, tmp_path):
    """The trial: a task that errored (Inspect's ``mockllm`` model gives no log-probabilities,
    and offline it cannot even count tokens) left Inspect's exit status 0, and cultureval printed
    an empty table ("None items"). Now one line per failed log, naming its status and the log,
    exit 1, and no table."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    log_dir = tmp_path / "logs"
    result = run_cli(
        ["cultureval", "inspect", "eval", "cultureval/global_opinion_jsd", "--model", "mockllm/model"]
        + ["--limit", "1", "--log-dir", str(log_dir), "--display", "none"],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    [info] = list_eval_logs(str(log_dir))
    assert read_eval_log(info, header_only=True).status == "error"
    failed = [line for line in result.stderr.splitlines() if line.startswith("cultureval inspect: ")]
    assert result.returncode == 1 and len(failed) == 1, result.stderr[-2000:]
    assert failed[0].startswith("cultureval inspect: global_opinion_jsd: the run ended with status error (")
    assert failed[0].endswith(f"log: {info.name}")
    assert "None items" not in result.stdout and "yardsticks on the same items" not in result.stdout


def _printed_table(stdout: str, task: str) -> dict[str, dict[str, str]]:
    """cultureval's table of ``task`` as printed after a run: metric -> {column: cell}."""
    block = stdout.split(f"\n{task}: ", 1)[1].split("\n\n", 1)[0].splitlines()
    start = next(i for i, line in enumerate(block) if line.startswith("metric "))
    header = re.split(r"\s{2,}", block[start].strip())
    rows = {}
    for line in block[start + 2 :]:
        if line.startswith("  "):
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = dict(zip(header, cells))
    return rows


@pytest.mark.e2e
def test_cultureval_inspect_eval_prints_the_yardsticks(tiny_model, fixture_data_dir, tmp_path):
    """Issue 31 point 4: after ``inspect eval`` no yardstick was printed. ``cultureval inspect
    eval`` prints cultureval's table with the family's yardsticks on the run's items; the
    never-entail column's macro_f1_binary is recomputed here with scikit-learn from the logged
    items (never predicting entailment), and the model's value is the log's."""
    from inspect_ai.log import list_eval_logs, read_eval_log
    from sklearn.metrics import f1_score

    log_dir = tmp_path / "logs"
    task = "cali_nli_us"
    result = run_cli(
        ["cultureval", "inspect", "eval", f"cultureval/{task}", "--model", "hf/tiny", "-M", f"model_path={tiny_model}"]
        + ["--log-dir", str(log_dir), "--display", "none", "--limit", "6"],
        fixture_data_dir,
        tmp_path,
    )
    [log] = [read_eval_log(info) for info in list_eval_logs(str(log_dir))]
    table = _printed_table(result.stdout, task)
    # gold: each pair's majority label (a tied majority left out, as CALI's metric does)
    gold = [s.metadata["doc"]["majority"] == "E" for s in log.samples if s.metadata["doc"]["majority"]]
    never = f1_score(gold, [False] * len(gold), average="macro", zero_division=0)
    assert float(table["macro_f1_binary"]["never-entail"]) == pytest.approx(never, abs=5e-4)
    model = log.results.scores[0].metrics["macro_f1_binary"].value
    assert float(table["macro_f1_binary"]["value"].split()[0]) == pytest.approx(model, abs=5e-4)
    assert table["n (items)"]["value"] == str(len(log.samples)) == table["n (items)"]["never-entail"]
