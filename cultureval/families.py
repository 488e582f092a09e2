"""The task families and what generic code may ask of them.

A family is one folder under ``tasks/`` (``cultureval.tasks.<name>``) holding everything
specific to one evaluation; its ``family.py`` defines ``FAMILY``, a :class:`Family`. Families are
discovered, never listed: :func:`family_names` is every subpackage of ``cultureval.tasks`` that
has a ``family`` module, so a new folder is a new family in the registry, the Inspect entry point
(:mod:`cultureval._registry`), the CLI (its :class:`Command` s, baseline kinds and ``score``
choices), ``cultureval tasks`` and the report. Generic code (``cultureval judge``, ``cultureval
report``, ``cultureval baseline``, ``cultureval score``, ``cultureval tasks``) asks
:func:`family_of` which family a task belongs to — found from the folder its YAML lives in, never
from its name — and calls that family's hooks. ``tasks/README.md`` ("Adding a family") says what
a family folder holds.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from cultureval.metric_table import MetricTable

if TYPE_CHECKING:  # annotations only: the report and judge modules are not imported for them
    from cultureval.judge import JudgeCache, Transport
    from cultureval.report_tools import Figures, Run
    from cultureval.runs import Sample
    from cultureval.score import Rescored

# the baseline's answer distribution for each document, or for a document without one the
# reason as a string (counted by ``cultureval baseline`` as ``n_skipped_<reason>``)
Predictions = list[list[float]] | list[list[float] | str]


class Predictor(Protocol):
    def __call__(self, docs: list[dict], n: int, seed: int) -> Predictions:
        """One prediction per document; ``n`` (respondents) and ``seed`` for sampled baselines."""
        ...


class Yardsticks(Protocol):
    def __call__(self, task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
        """``{label: {metric: value, "n": items, "about": text}}``: reference points scored on a
        run's own documents (``docs``) or, for judged families, its judged ``records``."""
        ...


# (task, doc, distribution) -> the item's record, as ``task`` scores a model's distribution
ScoreDistribution = Callable[[str, dict, list[float]], dict]
# (task, logged doc, logged values) -> the per-item record the family's report section reads
ReportItem = Callable[[str, dict, dict], dict | None]
# (runs by task, metric table by task, figures) -> the family's markdown lines
ReportSection = Callable[["dict[str, list[Run]]", "dict[str, MetricTable]", "Figures"], list[str]]
# (transport, cache, logged doc, response) -> (record for the task's table, samples_judged line)
JudgeItem = Callable[["Transport", "JudgeCache | None", dict, str], Awaitable[tuple[dict, dict]]]
# (task, logged sample, the run's rendering) -> the item as the site and EEE's instance records show it
ItemViewHook = Callable[[str, "Sample", str], "ItemView"]


class Lazy:
    """A callable that stands for ``module:attribute`` and imports it on first call.

    A family's ``family.py`` names its hooks with :func:`lazy` instead of importing its scoring,
    report and judge modules (NumPy, SciPy, scikit-learn, httpx): building the CLI's parser reads
    every family, and ``cultureval --help`` or ``cultureval tasks-dir`` must not pay for code they
    never call (issue 25)."""

    def __init__(self, target: str):
        module, separator, attribute = target.partition(":")
        if not separator or not module or not attribute:
            raise ValueError(f"lazy({target!r}): expected 'package.module:attribute'")
        self.target = target
        self._module, self._attribute = module, attribute
        self._resolved: Callable[..., Any] | None = None

    def resolve(self) -> Callable[..., Any]:
        """The named attribute (imported once)."""
        if self._resolved is None:
            self._resolved = getattr(importlib.import_module(self._module), self._attribute)
        return self._resolved

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.target!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lazy) and other.target == self.target

    def __hash__(self) -> int:
        return hash(self.target)


def lazy(target: str) -> Any:
    """``module:attribute`` as a callable imported on first call (:class:`Lazy`); typed ``Any``
    so it stands for any hook's callable type."""
    return Lazy(target)


class Constant(Lazy):
    """A value (a judge's prompt template, a loader's pinned data) named as ``module:attribute``:
    calling it returns the attribute, imported on first call, so declaring it imports nothing."""

    def __call__(self) -> Any:
        return self.resolve()

    def __repr__(self) -> str:
        return f"constant({self.target!r})"


def constant(target: str) -> Any:
    """``module:attribute`` as a no-argument callable returning the attribute (:class:`Constant`)."""
    return Constant(target)


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
    judge_item: JudgeItem
    group: str
    group_means: tuple[str, ...]
    # reads what the summary will need (ground truth) before the first judge call, so a missing
    # data file fails the command at once instead of after every call was paid for
    preflight: Callable[[], object] | None = None
    # the family's tasks the judge scores; empty: all of them (binary_settings judges only its
    # open-conversation task, the other settings read their answers themselves)
    tasks: tuple[str, ...] = ()
    # the judge's prompt template, read when called (``constant("module:NAME")``): what
    # ``cultureval export`` records as the judge's input prompt
    prompt: Callable[[], str] | None = None


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
class Baseline:
    """A reference "model" of ``cultureval baseline KIND``: ``predict(docs, n, seed)`` gives each
    document's answer distribution, scored by the family's ``score_distribution``; ``about``
    is its line in ``cultureval baseline --help``."""

    kind: str
    about: str
    predict: Predictor


@dataclass(frozen=True)
class Rescorer:
    """``cultureval score FAMILY FILE``: ``run(rows_by_model, task)`` matches outside per-item
    outputs to the family's items (``task``: ``--task``, ``None`` for the family's default)
    and returns ``{model: Rescored}``; ``columns`` describes the input for ``--help``."""

    run: Callable[[dict[str, list[dict]], str | None], dict[str, Rescored]]
    columns: str


@dataclass(frozen=True)
class Command:
    """A subcommand a family adds to ``cultureval`` (``cultureval NAME ...``): ``add_arguments``
    declares its options on its own parser, ``run(options)`` does the work and returns the exit
    status. Family commands read the family's outputs (a cross-setting comparison, a post-step
    over two runs, an export); generic ones live in :mod:`cultureval.cli`."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str = ""  # the longer text of ``cultureval NAME --help`` (default: ``help``)


@dataclass(frozen=True)
class Family:
    """What a family declares in its ``family.py`` (``FAMILY = Family(...)``); every hook is
    optional, and generic code skips a family without it."""

    name: str  # the folder's name under tasks/
    title: str  # how people name it: ``cultureval tasks``, the report, messages
    judge: JudgeHook | None = None
    # report: the per-item record of a logged sample (lm-eval: its line; Inspect: the score
    # value), or None for a sample without one; a family without it has no items in the report
    report_item: ReportItem | None = None
    # report: the family's section from its runs, their metric tables and the figure folder
    report_section: ReportSection | None = None
    # cultureval baseline: the reference models the family offers
    baselines: tuple[Baseline, ...] = ()
    # families whose answer is a distribution: the record of ``doc`` for a given distribution, as
    # the task scores a model's (baselines, yardsticks)
    score_distribution: ScoreDistribution | None = None
    # cultureval score: outside outputs re-scored
    rescore: Rescorer | None = None
    # the reference points printed beside a run's metrics, computed on the same items
    yardsticks: Yardsticks | None = None
    # the family's own cultureval subcommands
    commands: tuple[Command, ...] = ()
    # the results site's per-item view and EEE's instance records: the item as a reader compares
    # it, from a logged sample (cultureval.runs.Sample) and the run's rendering
    item_view: ItemViewHook | None = None
    # the register entry (``cultureval.register``): the paper, a one-paragraph description, the
    # pinned upstream data, read from the loader when called (``constant("module:NAME")``)
    paper: Paper | None = None
    description: str = ""
    data: Callable[[], tuple[PinnedData, ...]] | None = None
    # cultureval tasks: the family whose measured CPU cost per item (cultureval/cpu_cost.json) stands
    # in for this family's unmeasured tasks of the same kind (same prompts and lengths, another scoring)
    cost_as: str = ""

    def baseline(self, kind: str) -> Baseline | None:
        """The baseline of that kind, or ``None`` when the family offers none."""
        return next((baseline for baseline in self.baselines if baseline.kind == kind), None)


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
