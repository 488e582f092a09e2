"""The task families and what generic code may ask of them.

A family is one folder under ``tasks/`` (``cultureval.tasks.<name>``) holding everything
specific to one evaluation; its ``family.py`` defines ``FAMILY``, a :class:`Family`. Generic
code (``cultureval judge``, ``cultureval report``, ``cultureval baseline``, ``cultureval score``,
``cultureval tasks``) asks :func:`family_of` which family a task belongs to — found from the
folder its YAML lives in, never from its name — and calls that family's hooks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cultureval.metric_table import MetricTable

FAMILY_NAMES = ("global_opinions", "cali", "wvs_polarity", "culturebank", "binary_settings")


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
def family(name: str) -> Family:
    if name not in FAMILY_NAMES:
        raise KeyError(f"no cultureval family {name!r}; known: {', '.join(FAMILY_NAMES)}")
    return importlib.import_module(f"cultureval.tasks.{name}.family").FAMILY


def families() -> list[Family]:
    return [family(name) for name in FAMILY_NAMES]


def family_of(task: str) -> Family | None:
    """The family whose folder holds the YAML of ``task`` (a task or group name); ``None``
    for a name cultureval does not define."""
    from cultureval.definitions import task_folders

    folder = task_folders().get(task)
    return family(folder) if folder in FAMILY_NAMES else None


def judge_of(task: str) -> JudgeHook | None:
    """The judge hook that scores ``task``'s generations, or ``None`` for a task read without one."""
    owner = family_of(task)
    hook = owner.judge if owner is not None else None
    if hook is None or (hook.tasks and task not in hook.tasks):
        return None
    return hook


@cache
def table_of(task: str) -> MetricTable:
    """The metric table of ``task``: the one its YAML's ``metric_list`` comes from (read once
    per process: scoring code asks for it per item, and the installed YAMLs do not change)."""
    from cultureval.definitions import task_definition

    metric_list = task_definition(task).function("metric_list")
    table = getattr(metric_list, "table", None)
    if not isinstance(table, MetricTable):
        raise TypeError(f"{task}: metric_list is not a cultureval metric table")
    return table
