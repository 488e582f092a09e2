"""Register-ready metadata (``tasks/<family>/eval.yml``, the Inspect Evals register's
``eval.yaml``): regenerated from the task definitions and compared with the committed files, so
they cannot drift; the task list against the Inspect registry; the sample counts against the
data (real tier)."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from cultureval.definitions import task_definition, task_names
from cultureval.families import family_names, family_of
from cultureval.register import entry_path, register_entry, register_version, render


def committed(name: str) -> dict:
    path = entry_path(name)
    assert path.is_file(), f"{path}: missing; run python -m cultureval.register"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _without_counts(entry: dict) -> dict:
    entry = dict(entry, tasks=[{k: v for k, v in task.items() if k != "dataset_samples"} for task in entry["tasks"]])
    entry["metadata"] = {k: v for k, v in entry["metadata"].items() if k != "samples_counted_on_partial_copies"}
    return entry


@pytest.mark.parametrize("name", family_names())
def test_the_committed_entry_is_what_the_definitions_give(name):
    entry = committed(name)
    assert _without_counts(entry) == _without_counts(register_entry(name, count=False, source=entry.get("source")))
    assert entry_path(name).read_text(encoding="utf-8").startswith("# Inspect Evals register entry")


@pytest.mark.parametrize("name", family_names())
def test_the_tasks_are_the_familys_inspect_tasks_at_their_versions(name):
    registry = importlib.import_module("cultureval._registry")
    entry = committed(name)
    expected = {task for task in task_names() if family_of(task).name == name and hasattr(registry, task)}
    assert {task["name"] for task in entry["tasks"]} == expected and expected
    for task in entry["tasks"]:
        # the YAML's version MAJOR.MINOR as the register writes it: MAJOR-<MINOR-th letter>
        major, _, minor = str(task_definition(task["name"]).version).partition(".")
        assert task["version"] == f"{int(major)}-{'ABCDEFGHIJ'[int(minor or 0)]}"
        assert (
            getattr(registry, task["name"])
            .__module__.replace(".", "/")
            .endswith(task["task_path"].removesuffix(".py").split("/", 1)[1])
        )
    assert entry["version"] == max((t["version"] for t in entry["tasks"]), key=lambda v: (int(v[:-2]), v[-1]))
    assert re.fullmatch(
        r"https://arxiv\.org/abs/\d{4}\.\d{4,5}", entry.get("arxiv", "https://arxiv.org/abs/0000.00000")
    )
    assert entry["metadata"]["changelog"] == "CHANGELOG.md"
    for asset in entry["external_assets"]:
        assert asset["state"] == "pinned" and re.fullmatch(r"[0-9a-f]{40}", asset["revision"])


def test_register_versions():
    assert [register_version(v) for v in (1.0, "2.0", 2, "2.1", "3.25")] == ["1-A", "2-A", "2-A", "2-B", "3-Z"]
    for bad in ("x", "1.2.3", "", "-1", "1.26"):
        with pytest.raises(ValueError):
            register_version(bad)


def test_the_source_block_needs_url_and_a_full_commit():
    from cultureval.register import main

    with pytest.raises(SystemExit):
        main(["--repository-url", "https://github.com/org/cultureval", "--commit", "abc123", "--no-counts"])
    entry = register_entry("cali", count=False, source={"repository_url": "u", "repository_commit": "0" * 40})
    assert yaml.safe_load(render(entry))["source"]["repository_commit"] == "0" * 40


@pytest.mark.real
@pytest.mark.parametrize("name", family_names())
def test_the_sample_counts_are_the_datas(name, shared_data_dir, monkeypatch):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    for task in committed(name)["tasks"]:
        assert task["dataset_samples"] == len(task_definition(task["name"]).load_dataset()), task["name"]
