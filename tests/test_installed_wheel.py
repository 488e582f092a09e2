"""The wheel tier: cultureval installed from its built wheel (not editable) in a fresh venv,
run from outside the checkout — what a user of ``pip install cultureval`` gets. ``.ci/run``
builds the wheel, installs it into a venv of its own and runs ``pytest -m wheel`` there; in an
editable install these tests fail at the first check rather than pass by accident.

Every family is exercised: its tasks are listed by Inspect from the installed files and through
the entry point, ``cultureval tasks`` lists them, and one task per family runs through lm-eval
and through Inspect on the tiny model, its per-item values recomputed from the logged samples."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import run_cli

pytestmark = pytest.mark.wheel

CHECKOUT = Path(__file__).resolve().parents[1]


def _one_task_per_family() -> dict[str, str]:
    """family -> its first task (sorted), from the installed task definitions."""
    from cultureval.definitions import task_folders, task_names

    folders = task_folders()
    chosen: dict[str, str] = {}
    for task in task_names():
        chosen.setdefault(folders[task], task)
    return chosen


def test_cultureval_is_the_installed_wheel_not_the_checkout():
    import importlib.metadata

    import cultureval

    location = Path(cultureval.__file__).resolve()
    assert CHECKOUT not in location.parents, f"cultureval imported from the checkout: {location}"
    assert "site-packages" in location.parts
    direct_url = importlib.metadata.distribution("cultureval").read_text("direct_url.json")
    assert not (direct_url and json.loads(direct_url).get("dir_info", {}).get("editable")), direct_url


def test_inspect_lists_every_task_from_the_installed_package(tmp_path):
    from cultureval.definitions import task_names

    package = Path(__import__("cultureval").__file__).parent
    listed = run_cli(["inspect", "list", "tasks", "tasks"], tmp_path, package, check=True).stdout
    found = {line.rsplit("@", 1)[-1].strip() for line in listed.splitlines() if "@" in line}
    assert found == set(task_names())


def test_the_entry_point_registers_every_task():
    from inspect_ai._util.entrypoints import ensure_entry_points
    from inspect_ai._util.registry import registry_find, registry_info

    from cultureval.definitions import task_names

    ensure_entry_points("cultureval")
    registered = {registry_info(t).name for t in registry_find(lambda info: info.type == "task")}
    assert {f"cultureval/{task}" for task in task_names()} <= registered


def test_cultureval_tasks_lists_every_task(fixture_data_dir, tmp_path):
    from cultureval.definitions import task_names

    listed = run_cli(["cultureval", "tasks"], fixture_data_dir, tmp_path).stdout
    rows = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert set(task_names()) <= rows


def _number_or_none(value) -> bool:
    """A metric value as lm-eval writes it: a number (NaN where undefined) or null."""
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def test_one_task_per_family_through_lm_eval(tiny_model, fixture_data_dir, tmp_path):
    from cultureval.families import judge_of, table_of

    tasks = sorted(_one_task_per_family().values())
    out = tmp_path / "out"
    run_cli(
        [
            "cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model}",
            "--tasks", ",".join(tasks), "--limit", "2", "--output_path", str(out), "--log_samples",
            "--gen_kwargs", "max_gen_toks=8", "--batch_size", "4",
            # two answers per three-setting item, so --limit 2 is one whole item (a limit that
            # cuts an item's answers short is refused)
            "--metadata", '{"n_samples": 2}',
        ],
        fixture_data_dir,
        tmp_path,
    )  # fmt: skip
    [results_file] = out.rglob("results_*.json")
    results = json.loads(results_file.read_text())
    for task in tasks:
        [samples_file] = out.rglob(f"samples_*{task}_*.jsonl")
        samples = [json.loads(line) for line in samples_file.read_text().splitlines() if line.strip()]
        assert samples, task
        block = results["configs"][next(k for k in results["configs"] if k.endswith(task))]["metadata"]["cultureval"]
        assert block["cultureval_version"] == __import__("cultureval").__version__
        assert block["data_source"]["sha256"]
        entry = results["results"][next(k for k in results["results"] if k.endswith(task))]
        names = {key.split(",")[0] for key in entry if "," in key}
        declared = {m["metric"] for m in table_of(task).lm_eval_metric_list()}
        assert judge_of(task) or declared <= names, (task, declared - names)
        assert all(_number_or_none(v) for k, v in entry.items() if "," in k and "stderr" not in k), entry
        assert not any(isinstance(v, float) and math.isinf(v) for v in entry.values()), entry


def test_one_task_per_family_through_inspect(tiny_model, fixture_data_dir, tmp_path):
    from inspect_ai.log import list_eval_logs, read_eval_log

    tasks = sorted(_one_task_per_family().values())
    grader = f"grader={{model: hf/tiny, model_args: {{model_path: {tiny_model}, do_sample: false}}}}"
    # the evaluated model samples (hf's default): the three settings sample, and a sampling task
    # on -M do_sample=false is refused; -T n=2 makes --limit 2 one whole three-setting item
    run_cli(
        [
            "inspect", "eval", *(f"cultureval/{task}" for task in tasks), "--model", "hf/tiny",
            "-M", f"model_path={tiny_model}", "-T", "n=2", "--limit", "2", "--max-tokens", "8",
            "--model-role", grader, "--log-dir", str(tmp_path / "logs"), "--display", "none",
        ],
        fixture_data_dir,
        tmp_path,
    )  # fmt: skip
    logs = [read_eval_log(info.name) for info in list_eval_logs(str(tmp_path / "logs"))]
    assert sorted(log.eval.task.split("/")[-1] for log in logs) == tasks
    for log in logs:
        assert log.status == "success", (log.eval.task, log.error)
        assert log.samples and all(sample.scores for sample in log.samples)
        assert log.eval.metadata["cultureval_version"] == __import__("cultureval").__version__
