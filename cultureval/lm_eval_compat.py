"""The one place cultureval reaches past lm-eval's public task API, for the lm-eval versions
it supports (0.4.13 and the 0.5 pre-releases); everything here is tested on both
(``tests/test_lm_eval_compat.py``; CI runs the end-to-end tier on each).

- lm-eval resolves a YAML field such as ``description`` against a document (a document key, a
  Jinja template, or a callable) with a task method that 0.5 renamed: ``resolve_field`` (0.4)
  → ``_resolve_field`` (0.5). :class:`cultureval.lm_eval_task.CulturevalTask` needs it to keep
  a task's ``description`` in its plain prompt layout.
- lm-eval's ``run`` command indexes its own ~14,700 task YAMLs before every run (about 10 s
  on two quiet CPU cores, 50 s on busy ones) and has no flag to skip them, although its
  ``TaskManager`` has one (``include_defaults``): :func:`without_default_tasks`.
- 0.4 has one task class for every output type (``ConfigurableTask``); 0.5 builds requests in
  one subclass per output type (``MultipleChoiceTask``, ``GenerateTask``, ...), chosen from
  the YAML's ``output_type`` by ``Task.from_config`` — which a YAML ``class:`` bypasses, so a
  ``class:`` task must pick its own: :func:`output_type_base`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def resolve_field(task: Any, doc: dict, field: Any) -> Any:
    """``field`` resolved against ``doc`` by the task's own lm-eval method."""
    for name in ("_resolve_field", "resolve_field"):  # 0.5, 0.4
        method = getattr(task, name, None)
        if callable(method):
            return method(doc, field)
    import lm_eval

    raise RuntimeError(
        f"lm-eval {getattr(lm_eval, '__version__', '?')}: its tasks have neither _resolve_field (0.5) nor "
        "resolve_field (0.4); cultureval supports lm-eval 0.4.13 to 0.5"
    )


def output_type_base(output_type: str | None) -> type | None:
    """The class lm-eval 0.5 builds ``output_type`` tasks with (its ``Task._registry``, which
    ``Task.from_config`` reads); ``None`` on 0.4, where ``ConfigurableTask`` serves them all."""
    from lm_eval.api.task import ConfigurableTask

    registry = getattr(ConfigurableTask, "_registry", None)
    if not isinstance(registry, dict) or not registry:
        return None
    if output_type not in registry:
        raise ValueError(f"lm-eval has no task class for output_type {output_type!r}; it has {sorted(registry)}")
    return registry[output_type]


@contextmanager
def without_default_tasks() -> Iterator[bool]:
    """Within: lm-eval's ``TaskManager`` indexes only the folders it is given (``--include_path``),
    not lm-eval's own tasks. For runs of cultureval tasks only (``cultureval run``/``lm-eval``;
    :func:`cultureval.preflight.only_cultureval_tasks`); the tasks, requests and results are the
    same. lm-eval 0.4's command line leaves ``include_defaults`` unset; 0.5's
    (``EvaluatorConfig.process_tasks``) always passes its default ``True``, so it is set here,
    not defaulted. Yields whether it applied (an lm-eval whose ``TaskManager`` has no
    ``include_defaults`` is left as it is)."""
    import lm_eval.tasks as tasks_module

    original = getattr(tasks_module, "TaskManager", None)
    if original is None or "include_defaults" not in inspect.signature(original.__init__).parameters:
        yield False
        return

    class TaskManager(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            kwargs["include_defaults"] = False
            super().__init__(*args, **kwargs)

    tasks_module.TaskManager = TaskManager
    try:
        yield True
    finally:
        tasks_module.TaskManager = original


# ------------------------------------------------------------------ reading lm-eval's output
# lm-eval 0.5 names a group's member tasks ``group::task`` (results keys, configs, n-samples,
# samples file names); 0.4 names them ``task``. cultureval's readers (run summary, judge, report,
# CALI shift) read either through these three functions.


def task_key(name: str) -> str:
    """The task's own name from an lm-eval 0.4 or 0.5 results key."""
    return name.rsplit("::", 1)[-1]


SECTIONS = ("results", "configs", "n-samples", "versions", "higher_is_better", "n-shot")


def read_results(path) -> dict:
    """An lm-eval ``results_*.json`` with group members under their own task names."""
    import json
    from pathlib import Path

    return normalise_results(json.loads(Path(path).read_text(encoding="utf-8")))


def normalise_results(results: dict) -> dict:
    """lm-eval results (0.4 or 0.5) with group members under their own task names (in place)."""
    for section in SECTIONS:
        if isinstance(results.get(section), dict):
            results[section] = {task_key(key): value for key, value in results[section].items()}
    if isinstance(results.get("group_subtasks"), dict):
        results["group_subtasks"] = {
            task_key(group): [task_key(str(member)) for member in members] if isinstance(members, list) else members
            for group, members in results["group_subtasks"].items()
        }
    return results


def samples_path(results_path, task: str):
    """The ``samples_<task>_<stamp>.jsonl`` beside ``results_<stamp>.json`` (0.5:
    ``samples_<group>::<task>_<stamp>.jsonl``), or ``None``."""
    from pathlib import Path

    results_path = Path(results_path)
    stamp = results_path.stem.removeprefix("results_")
    plain = results_path.parent / f"samples_{task}_{stamp}.jsonl"
    if plain.is_file():
        return plain
    for candidate in results_path.parent.glob(f"samples_*::{task}_{stamp}.jsonl"):
        return candidate
    return None
