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
    # the judge's prompt template (what ``cultureval export`` records as the judge's input prompt)
    prompt: str = ""


@dataclass(frozen=True)
class Paper:
    """The paper a family implements (the register entry's title and arXiv link)."""

    title: str
    arxiv: str = ""  # the arXiv id ("2306.16388"); empty for a paper without one
    url: str = ""  # the paper's page where there is no arXiv version


@dataclass(frozen=True)
class PinnedData:
    """One upstream data source as the family's loader pins it (the register's external assets)."""

    kind: str  # "huggingface" (a Hub dataset) or "url" (a file at a pinned commit)
    source: str  # the Hub dataset id, or the URL
    revision: str  # the commit the loader reads


@dataclass(frozen=True)
class ItemView:
    """One item as a reader compares it: the question, the group it asks about (a country, a
    culture), the options, the reference answer distribution (the survey's, the annotators')
    and the model's over the same options (``None`` when the answer could not be read)."""

    question: str
    group: str = ""
    options: tuple[str, ...] = ()
    reference: tuple[float, ...] | None = None
    reference_label: str = "survey"
    model: tuple[float, ...] | None = None


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
    # the results site's per-item view and EEE's instance records: ``item_view(task, sample,
    # rendering) -> ItemView`` for a normalised logged sample (cultureval.report_inputs)
    item_view: Callable[[str, dict, str], ItemView] | None = None
    # the register entry (``cultureval.register``): the paper, a one-paragraph description, the
    # pinned upstream data
    paper: Paper | None = None
    description: str = ""
    data: tuple[PinnedData, ...] = ()


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


def table_of(task: str) -> MetricTable:
    """The metric table of ``task``: the one its YAML's ``metric_list`` comes from."""
    from cultureval.definitions import task_definition

    metric_list = task_definition(task).function("metric_list")
    table = getattr(metric_list, "table", None)
    if not isinstance(table, MetricTable):
        raise TypeError(f"{task}: metric_list is not a cultureval metric table")
    return table
