"""``cultureval run`` / ``cultureval lm-eval run`` of cultureval tasks only: lm-eval's task index
covers cultureval's folder, not lm-eval's own ~14,700 tasks (issue 30: tens of seconds of every
run on a busy two-core machine); a run naming any other task indexes lm-eval's as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from cultureval.lm_eval_compat import without_default_tasks
from cultureval.paths import tasks_dir
from cultureval.preflight import only_cultureval_tasks


def test_only_cultureval_tasks():
    assert only_cultureval_tasks(["global_opinion_jsd_6c"])
    assert only_cultureval_tasks(["cali_nli", "cultureval"])  # a group and a tag
    assert not only_cultureval_tasks(["global_opinion_jsd", "hellaswag"])
    assert not only_cultureval_tasks(["./my_task.yaml"])
    assert not only_cultureval_tasks([])


def test_without_default_tasks_indexes_the_given_folder_only():
    import lm_eval.tasks

    original = lm_eval.tasks.TaskManager
    with without_default_tasks() as applied:
        assert applied
        manager = lm_eval.tasks.TaskManager(include_path=str(tasks_dir()))
        assert "global_opinion_jsd" in manager.all_tasks and "cali_nli" in manager.all_groups
        assert "hellaswag" not in manager.all_tasks and "mmlu" not in manager.all_tasks
    assert lm_eval.tasks.TaskManager is original


@pytest.mark.e2e
def test_cultureval_lm_eval_run_skips_lm_evals_own_tasks(tiny_model, use_fixture_data, tmp_path, monkeypatch):
    """The real command path (in process): the folders lm-eval's index is built from."""
    import lm_eval
    from lm_eval.tasks._index import TaskIndex

    from cultureval.cli import main

    indexed: list[Path] = []
    build = TaskIndex.build

    def recording_build(paths, *args, **kwargs):  # a staticmethod in lm-eval 0.4.13
        indexed.extend(Path(p) for p in paths)
        return build(paths, *args, **kwargs)

    monkeypatch.setattr(TaskIndex, "build", staticmethod(recording_build))
    monkeypatch.setattr("sys.argv", ["cultureval"])
    out = tmp_path / "out"
    status = main(
        [
            "lm-eval",
            "run",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={tiny_model}",
            "--tasks",
            "global_opinion_jsd",
            "--limit",
            "2",
            "--output_path",
            str(out),
            "--log_samples",
        ]
    )
    assert status == 0 and list(out.rglob("results_*.json"))
    lm_eval_tasks = Path(lm_eval.__file__).parent / "tasks"
    assert indexed and all(p.resolve() != lm_eval_tasks.resolve() for p in indexed), indexed
    assert tasks_dir() in [p.resolve() for p in indexed]
