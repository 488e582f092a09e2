"""The task families and what generic code may ask of them.

A family is one folder under ``tasks/`` (``cultureval.tasks.<name>``) holding everything
specific to one evaluation; its ``family.py`` defines ``FAMILY``, a :class:`Family`. Families are
discovered, never listed: :func:`family_names` is every subpackage of ``cultureval.tasks`` that
has a ``family`` module, so a new folder is a new family in the registry, the Inspect entry point
(:mod:`cultureval._registry`), the CLI, ``cultureval tasks`` and the report. Generic code
(``cultureval judge``, ``cultureval report``, ``cultureval baseline``, ``cultureval score``,
``cultureval tasks``) asks :func:`family_of` which family a task belongs to — found from the
folder its YAML lives in, never from its name — and calls that family's hooks.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cultureval.metric_table import MetricTable


@dataclass(frozen=True)
class JudgeHook:
    """How a judged family's logged generations are scored (``cultureval judge``, and the
    Inspect scorer through the same ``judge_item``).

    ``judge_item(transport, cache, doc, response)`` returns ``(record, line)``: the item's record
    for the task table's summary and the line written to ``samples_judged_<task>_*.jsonl``
    (with a ``failure`` kind when the judgement failed). The judged group metrics are the
    unweighted means over the group's tasks of ``group_means``.
    """

    prompt_version: str
    judge_item: Callable
    group: str
    group_means: tuple[str, ...]
    # reads what the summary will need (ground truth) before the first judge call, so a missing
    # data file fails the command at once instead of after every call was paid for
    preflight: Callable[[], object] | None = None
    # the family's tasks the judge scores; empty: all of them (binary_settings judges only its
    # open-conversation task, the other settings read their answers themselves)
    tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    judge: JudgeHook | None = None
    # report: per-item record of a logged sample (the doc and its logged values) or None
    report_item: Callable[[str, dict, dict], dict | None] | None = None
    # report: the family's section, ``section(runs_by_task, figures) -> markdown lines``
    report_section: Callable[[dict, Any], list[str]] | None = None
    # cultureval baseline: kind -> predictor (see cultureval.baselines)
    baselines: dict[str, Callable] = field(default_factory=dict)
    # families whose answer is a distribution: ``score_distribution(task, doc, distribution)``
    # -> the item's record, as the task scores a model's distribution
    score_distribution: Callable[[str, dict, list[float]], dict] | None = None
    # cultureval score: ``rescore(rows_by_model, task) -> {model: cultureval.score.Rescored}``
    rescore: Callable | None = None
    # the reference points printed beside a run's metrics, computed on the same items:
    # ``yardsticks(task, docs, records=None) -> {label: {metric: value, "n": items}}``
    yardsticks: Callable | None = None


@cache
def family_names() -> tuple[str, ...]:
    """Every family: the subpackages of ``cultureval.tasks`` with a ``family`` module, by name
    (``pkgutil`` over the package's path, so an installed wheel and a source checkout agree)."""
    import cultureval.tasks

    found = []
    for module in pkgutil.iter_modules(cultureval.tasks.__path__):
        if module.ispkg and importlib.util.find_spec(f"cultureval.tasks.{module.name}.family") is not None:
            found.append(module.name)
    return tuple(sorted(found))


@cache
def family(name: str) -> Family:
    """The family in ``tasks/<name>/``; ``KeyError`` naming the known ones for any other name."""
    if name not in family_names():
        raise KeyError(f"no cultureval family {name!r}; known: {', '.join(family_names())}")
    declared = importlib.import_module(f"cultureval.tasks.{name}.family").FAMILY
    if not isinstance(declared, Family) or declared.name != name:
        raise TypeError(f"cultureval/tasks/{name}/family.py: FAMILY must be a Family named {name!r}")
    return declared


def families() -> list[Family]:
    """Every family, in :func:`family_names` order."""
    return [family(name) for name in family_names()]


def family_of(task: str) -> Family | None:
    """The family whose folder holds the YAML of ``task`` (a task or group name); ``None``
    for a name cultureval does not define."""
    from cultureval.definitions import task_folders

    folder = task_folders().get(task)
    return family(folder) if folder in family_names() else None


def judge_of(task: str) -> JudgeHook | None:
    """The judge hook that scores ``task``'s generations, or ``None`` for a task read without one."""
    owner = family_of(task)
    hook = owner.judge if owner is not None else None
    if hook is None or (hook.tasks and task not in hook.tasks):
        return None
    return hook


def table_of(task: str) -> MetricTable:
    """The metric table of ``task``: the one its YAML's ``metric_list`` comes from."""
    from cultureval.definitions import task_definition

    metric_list = task_definition(task).function("metric_list")
    table = getattr(metric_list, "table", None)
    if not isinstance(table, MetricTable):
        raise TypeError(f"{task}: metric_list is not a cultureval metric table")
    return table
