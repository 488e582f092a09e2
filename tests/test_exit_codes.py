"""One exit-code rule for every command (:mod:`cultureval.errors`): 2 and one line naming the
input for bad input, 1 and one line when the command ran and produced nothing, 0 otherwise."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from run_outputs import binary_output, cali_output, generation_line, write_output
from test_runs import one_line_error, run_main

# each post-run command on an input path (and what else it needs to get as far as reading it)
COMMANDS = {
    "report": lambda path, tmp: ["report", path, "-o", tmp / "report"],
    "judge": lambda path, tmp: ["judge", path, "--judge-model", "m", "--judge-base-url", "http://127.0.0.1:9/v1"],
    "cali-shift": lambda path, tmp: ["cali-shift", path],
    "binary-settings": lambda path, tmp: ["binary-settings", path],
    "export-sft": lambda path, tmp: ["export-sft", path, "-o", tmp / "train.jsonl"],
    "score": lambda path, tmp: ["score", "global_opinions", path],
    "export": lambda path, tmp: (
        ["export", path, "-o", tmp / "report", "--organization", "o"] + ["--evaluator-relationship", "other"]
    ),
    "report --site": lambda path, tmp: ["report", path, "--site", tmp / "report"],
}


def _missing(tmp_path):
    return tmp_path / "nowhere", "nowhere: no such file or folder"


def _empty(tmp_path):
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty", "empty"


def _junk(tmp_path):
    """What another tool leaves in a folder: JSON that is not an Inspect log by name, text, a
    samples file without its results."""
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "config.json").write_text('{"a": 1}')
    (folder / "run.log").write_text("step 1\n")
    (folder / "samples_x_2026.jsonl").write_text("{}\n")
    return folder, "junk"


def _junk_eval(tmp_path):
    """A ``.eval`` file that is not an Inspect log (not a zip archive)."""
    folder, _ = _junk(tmp_path)
    (folder / "2026-01-01T00-00-00_task_x.eval").write_bytes(b"not a zip archive")
    return folder, "2026-01-01T00-00-00_task_x.eval"


@pytest.mark.parametrize("make", [_missing, _empty, _junk, _junk_eval], ids=["missing", "empty", "junk", "junk.eval"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_input_is_exit_2_and_one_line_naming_it(command, make, tmp_path, capsys, use_fixture_data):
    path, named = make(tmp_path)
    code, _, err = run_main(COMMANDS[command](path, tmp_path), capsys)
    # score reads one file: it names the path it was given; the run readers name the bad file
    assert (path.name if command == "score" else named) in one_line_error(code, err, command.split()[0])
    assert not (tmp_path / "report").exists() and not (tmp_path / "train.jsonl").exists()


def test_cali_shift_on_a_missing_folder_is_one_line_not_a_traceback(tmp_path):
    result = run_cli(["cultureval", "cali-shift", "/nonexistent"], tmp_path, tmp_path, check=False)
    assert result.returncode == 2 and result.stderr == "cultureval cali-shift: /nonexistent: no such file or folder\n"


# ------------------------------------------------------------------ ran, produced nothing


def test_export_of_runs_of_no_cultureval_task_is_exit_1(tmp_path, capsys):
    """Readable lm-eval output of a task cultureval does not define: nothing to export."""
    write_output(tmp_path / "out", "org/m", {"hellaswag": ({"acc": 0.5}, [])})
    code, out, err = run_main(
        [
            "export",
            tmp_path / "out",
            "-o",
            tmp_path / "eee",
            "--organization",
            "o",
            "--evaluator-relationship",
            "other",
        ],
        capsys,
    )
    assert "no run of a cultureval task" in one_line_error(code, err, "export", expected_code=1)
    assert out == "" and not list(tmp_path.glob("eee/**/*.json"))


def test_cali_shift_without_a_pair_in_both_cultures_is_exit_1(tmp_path, capsys):
    results = cali_output(tmp_path / "out", "/models/m", right=True)
    [india] = tmp_path.glob("out/samples_cali_nli_in_*.jsonl")
    lines = [json.loads(line) for line in india.read_text().splitlines()]
    for line in lines:  # the Indian run answered other pairs than the US run
        line["doc"]["pair_id"] += 100
    india.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = run_main(["cali-shift", results], capsys)
    assert "no pair was answered in both" in one_line_error(code, err, "cali-shift", expected_code=1)
    assert json.loads(out)[0]["n_pairs_in_both"] == 0


def test_binary_settings_without_a_common_item_is_exit_1(tmp_path, capsys):
    results = binary_output(tmp_path / "out", "/models/m", "1")
    [cot] = tmp_path.glob("out/samples_binary_settings_reasoning_*.jsonl")
    lines = [json.loads(line) for line in cot.read_text().splitlines()]
    for line in lines:
        line["majority_agreement"][0] = "other-" + line["majority_agreement"][0]
    cot.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, _, err = run_main(["binary-settings", results], capsys)
    assert "no item was answered in two settings" in one_line_error(code, err, "binary-settings", expected_code=1)


def test_export_sft_keeping_nothing_is_exit_1(tmp_path, capsys, use_fixture_data):
    doc = {"question_id": 1, "question": "q?", "options": ["Yes", "No"], "country": "Japan"}
    line = generation_line(0, doc, "prompt", "no distribution here", {"jsd": None}, "0.4")
    write_output(tmp_path / "out", "/models/m", {"global_opinion_cot_binary": ({"jsd": None}, [line])})
    args = ["export-sft", tmp_path / "out", "-o", tmp_path / "t.jsonl", "--exclude-task", "none"]
    code, out, err = run_main(args, capsys)
    assert "no answer kept" in one_line_error(code, err, "export-sft", expected_code=1)
    assert "1 unreadable" in out and (tmp_path / "t.jsonl").read_text() == ""


def test_baseline_for_a_task_without_that_kind_or_no_task_is_one_line_and_writes_nothing(fixture_data_dir, tmp_path):
    """The new-user trial: ``baseline uniform --tasks global_opinion_jsd_6c,cali_nli_us`` ended in a
    ValueError traceback after writing the first task's samples; a misspelt task likewise. Now:
    exit 2, one line, before any file is written."""
    from conftest import run_cli

    for tasks, said in (
        ("global_opinion_jsd_6c,cali_nli_us", "(cali_nli_us) has no 'uniform' baseline; its baselines: "),
        ("global_opinion_jsd_6cc", "'global_opinion_jsd_6cc' is not a cultureval task"),
    ):
        out = tmp_path / tasks.replace(",", "_")
        result = run_cli(
            ["cultureval", "baseline", "uniform", "--tasks", tasks, "-o", str(out)],
            fixture_data_dir,
            tmp_path,
            check=False,
        )
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and said in lines[0], result.stderr
        assert not out.exists() or not any(out.rglob("*.json*"))
