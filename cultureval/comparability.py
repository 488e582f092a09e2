"""Which runs may be ranked together, and ranking them the right way round.

Two runs of a task are ranked together only when every number-defining part of their identity
(:mod:`cultureval.identity`) is equal: task version, data (``data_source.sha256``), documents
(``docs_sha256``), prompt (``prompt_sha256``), rendering, shots, the judge of a judged task
(name, folder fingerprint, prompt version), and the ``--limit`` that chose their items. Runs missing a part (results written before cultureval recorded it) have ``None``
there and are ranked only with runs missing it too. A run record needs ``task``, ``model``,
``harness``, ``rendering`` (normalised: ``plain``, ``chat``, ``instruction`` or ``""``),
``limit``, ``metrics`` and ``provenance`` (the run's ``metadata.cultureval`` block, or the
Inspect eval metadata); :class:`cultureval.report_tools.Run` is one.

A leaderboard metric is ranked by its own direction (``Metric.higher_is_better``): best first,
lowest first for a lower-is-better one such as ``country_sim_gap``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

# (name said in the report, how a run's value is read); the order is the report's
PARTS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("task version", lambda run: _block(run).get("task_version")),
    ("data sha256", lambda run: (_block(run).get("data_source") or {}).get("sha256")),
    ("documents (docs_sha256)", lambda run: _block(run).get("docs_sha256")),
    ("prompt (prompt_sha256)", lambda run: _block(run).get("prompt_sha256")),
    ("rendering", lambda run: run.rendering or None),
    ("shots", lambda run: _block(run).get("shots")),
    ("judge", lambda run: _judge(_block(run).get("judge"))),
    ("--limit", lambda run: run.limit or None),
)


def _judge(judge) -> str | None:
    """A judged run's judge as one value: its name, content fingerprint and prompt version."""
    if not isinstance(judge, dict):
        return None
    parts = [judge.get("name"), (judge.get("sha256") or "")[:12], judge.get("prompt_version")]
    return " ".join(str(part) for part in parts if part) or None


def _block(run) -> dict:
    block = getattr(run, "provenance", None)
    return block if isinstance(block, dict) else {}


def comparison_key(run) -> tuple:
    """The values of :data:`PARTS` for ``run``: equal keys (and task) = rankable together."""
    return tuple(read(run) for _, read in PARTS)


def shown(value) -> str:
    """A part's value as the notes print it: ``not recorded`` for ``None``, a sha256 by its first 12 characters."""
    if value is None:
        return "not recorded"
    text = str(value)
    return text[:12] if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else text


def comparable_sets(runs: Sequence) -> tuple[dict[str, list[list]], list[str]]:
    """``({task: [set of runs, ...]}, notes)``: each task's runs split into sets that may be
    ranked together (in order of first appearance), and one note per task split in more than one
    set naming each part that differs and which runs have which value."""
    by_task: dict[str, dict[tuple, list]] = defaultdict(dict)
    for run in runs:
        by_task[run.task].setdefault(comparison_key(run), []).append(run)
    sets = {task: list(groups.values()) for task, groups in by_task.items()}
    notes = []
    for task, groups in sorted(by_task.items()):
        if len(groups) < 2:
            continue
        keys = list(groups)
        differing = []
        for index, (name, _) in enumerate(PARTS):
            values = {key[index] for key in keys}
            if len(values) > 1:
                said = "; ".join(
                    f"{shown(value)}: "
                    + ", ".join(f"{r.model} ({r.harness})" for r in _runs_with(groups, index, value))
                    for value in sorted(values, key=lambda v: (v is None, str(v)))
                )
                differing.append(f"{name} ({said})")
        notes.append(f"{task}: {len(groups)} sets of runs not ranked together — they differ in " + "; ".join(differing))
    return sets, notes


def differences(run, reference, parts: Sequence[str] | None = None) -> list[tuple[str, Any, Any]]:
    """``(part, run's value, reference's value)`` for each part of :data:`PARTS` (named as the
    report names them; ``parts``: only these) in which ``run`` and ``reference`` differ: why the
    two are not ranked together. Empty for two runs of one comparable set."""
    return [
        (name, read(run), read(reference))
        for name, read in PARTS
        if (parts is None or name in parts) and read(run) != read(reference)
    ]


def _runs_with(groups: dict[tuple, list], index: int, value) -> list:
    return [run for key, members in groups.items() if key[index] == value for run in members]


def ranked(runs: Sequence, metric: str, higher_is_better: bool | None) -> list[tuple[int | None, Any]]:
    """``runs`` (one comparable set) best first by ``metric``: descending when
    ``higher_is_better``, ascending when not; runs without a value last, unranked (``None``);
    ties by model name. Raises ``ValueError`` for a metric without a direction."""
    if higher_is_better is None:
        raise ValueError(f"{metric}: a leaderboard metric needs a direction (higher_is_better True or False)")
    sign = -1.0 if higher_is_better else 1.0

    def order(run) -> tuple:
        value = run.metrics.get(metric)
        return (value is None, sign * value if value is not None else 0.0, run.model)

    ordered = sorted(runs, key=order)
    return [(rank if run.metrics.get(metric) is not None else None, run) for rank, run in enumerate(ordered, 1)]


def rendering_notes(runs: Sequence) -> list[str]:
    """One model's runs of one task in different renderings: said in words, since the rows then
    differ because the model read different prompts, not because the harnesses disagree."""
    renderings: dict[tuple[str, str], set] = defaultdict(set)
    for run in runs:
        if run.rendering:
            renderings[(run.model, run.task)].add((run.rendering, run.harness))
    notes = []
    for (model, task), seen in sorted(renderings.items()):
        if len({rendering for rendering, _ in seen}) > 1:
            shown = ", ".join(f"{rendering} ({harness})" for rendering, harness in sorted(seen))
            notes.append(
                f"{model} on {task} was run with different renderings — {shown}: the model read different "
                "prompts, so these rows differ for that reason and are not a harness disagreement"
            )
    return notes


def comparability_notes(runs: Sequence) -> list[str]:
    """Every note on comparability the report prints: the sets a task's runs split into
    (:func:`comparable_sets`) and one model in several renderings (:func:`rendering_notes`)."""
    return comparable_sets(runs)[1] + rendering_notes(runs)
