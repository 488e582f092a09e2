"""``cultureval compare RESULTS... --models A B``: is model A better than model B, task by task?

For each task both models ran in one comparable set (:func:`cultureval.report.ranked_runs`: same
task version, data, documents, prompt, rendering, shots, judge and ``--limit``), the paired
difference of the leaderboard metric over the items both runs logged: each item's value for A
minus its value for B (items matched by their document, :func:`item_key`), the mean difference
with its 95% interval (Student's t on the paired differences, ``scipy.stats.t``), the number of
pairs, and which model is better in the metric's own direction — or that the interval holds 0.

Only a leaderboard metric that is a mean of per-item values (``culture_sim``,
``culture_sim_strict``, ``majority_agreement``, an entailment score, ...) has a per-item
difference; a corpus-level one (macro-F1, a correlation) is listed as not paired. A task the
models ran in different comparable sets is listed apart, with no number: its items or prompts
differ, so a difference would not be the models'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from cultureval.errors import InputError, NothingProduced
from cultureval.families import table_of
from cultureval.identity import canonical_json
from cultureval.metric_table import MEAN, Metric
from cultureval.metrics.aggregate import mean_defined
from cultureval.runs import Run

CONFIDENCE = 0.95


@dataclass
class Paired:
    """One task's paired comparison: ``difference`` = mean of (A − B) over ``n`` items, its 95%
    interval ``(low, high)`` (``None`` with fewer than two pairs), the two means on the same
    items, and ``verdict``: which model is better in the metric's direction, or ``"no
    difference at 95%"``; ``note`` says why a task has no number."""

    task: str
    metric: str
    higher_is_better: bool | None
    n: int = 0
    mean_a: float | None = None
    mean_b: float | None = None
    difference: float | None = None
    interval: tuple[float, float] | None = None
    verdict: str = ""
    note: str = ""
    set_label: str = ""
    used: tuple[str, str] = ("", "")
    runs_in_set: tuple[int, int] = (0, 0)


def item_key(doc: dict) -> str:
    """An item's identity across runs: its document as canonical JSON (runs in one comparable
    set share ``docs_sha256``, so equal documents are the same item)."""
    return canonical_json(doc)


def item_values(run: Run, metric: Metric) -> dict[str, float]:
    """``{item key: the item's value of metric}`` over the run's logged samples; items without a
    finite number (unreadable answers where the metric leaves them out) are not in it."""
    found: dict[str, float] = {}
    for sample in run.samples():
        values = sample.values
        value = values[metric.name] if metric.name in values else metric.item_value(sample.record or {})
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        found[item_key(sample.doc)] = float(value)
    return found


def paired_difference(a: list[float], b: list[float]) -> tuple[float, tuple[float, float] | None]:
    """Mean of ``a[i] - b[i]`` and its two-sided 95% Student-t interval (``None`` for fewer than
    two pairs; a zero-width interval when every difference is equal). ``a`` and ``b``: equal
    lengths, one value per item."""
    from scipy import stats

    differences = [x - y for x, y in zip(a, b, strict=True)]
    n = len(differences)
    mean = sum(differences) / n
    if n < 2:
        return mean, None
    variance = sum((d - mean) ** 2 for d in differences) / (n - 1)
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * math.sqrt(variance / n)
    return mean, (mean - half, mean + half)


def compare_pair(task: str, run_a: Run, run_b: Run, names: tuple[str, str]) -> Paired:
    """:class:`Paired` for one task's two runs (one comparable set)."""
    table = table_of(task)
    metric = table.describe(table.leaderboard_metric)
    result = Paired(task, table.leaderboard_metric, metric.higher_is_better if metric else None)
    if metric is None or metric.aggregation not in (MEAN, mean_defined):
        result.note = "not paired: the leaderboard metric is not a mean of per-item values (see the report)"
        return result
    if not (run_a.has_samples and run_b.has_samples):
        result.note = "not paired: a run logged no samples (--log_samples)"
        return result
    values_a, values_b = item_values(run_a, metric), item_values(run_b, metric)
    common = sorted(set(values_a) & set(values_b))
    if not common:
        result.note = "not paired: no item has a value in both runs"
        return result
    a, b = [values_a[key] for key in common], [values_b[key] for key in common]
    result.n, result.mean_a, result.mean_b = len(common), sum(a) / len(a), sum(b) / len(b)
    result.difference, result.interval = paired_difference(a, b)
    if result.interval is None or result.interval[0] <= 0 <= result.interval[1] or result.higher_is_better is None:
        result.verdict = "no difference at 95%"
    else:
        a_higher = result.interval[0] > 0
        result.verdict = f"{names[0] if a_higher == result.higher_is_better else names[1]} better"
    return result


def compare_runs(runs: list[Run], model_a: str, model_b: str) -> list[Paired]:
    """One :class:`Paired` per task both models ran (their runs ranked by the report, so in
    comparable sets). Raises :class:`InputError` when a model has no run."""
    from cultureval.report import ranked_runs

    if model_a == model_b:
        raise InputError(f"--models {model_a} {model_b}: compare needs two different models")
    ranked = ranked_runs(runs)
    for name in (model_a, model_b):
        if not any(member.run.model == name for member in ranked):
            known = sorted({member.run.model for member in ranked})
            raise InputError(f"no run of model {name!r} in the results; models there: {', '.join(known) or 'none'}")
    found = []
    for task in sorted({member.run.task for member in ranked}):
        members = [m for m in ranked if m.run.task == task]
        runs_a = [m for m in members if m.run.model == model_a]
        runs_b = [m for m in members if m.run.model == model_b]
        if not runs_a or not runs_b:
            continue
        shared = sorted({m.comparable_set for m in runs_a} & {m.comparable_set for m in runs_b})
        if not shared:
            table = table_of(task)
            found.append(
                Paired(
                    task,
                    table.leaderboard_metric,
                    None,
                    note="not compared: the runs are in different comparable sets (the report's notes say what differs)",
                )
            )
            continue
        for comparable_set in shared:  # a row per set both ran in (two renderings: two rows)
            in_set_a = [m for m in runs_a if m.comparable_set == comparable_set]
            in_set_b = [m for m in runs_b if m.comparable_set == comparable_set]
            x, y = _latest(in_set_a), _latest(in_set_b)
            paired = compare_pair(task, x.run, y.run, (model_a, model_b))
            paired.set_label = x.set_label if len(shared) > 1 or x.set_label else ""
            paired.used = (x.run.source, y.run.source)
            paired.runs_in_set = (len(in_set_a), len(in_set_b))
            found.append(paired)
    if not found:
        raise NothingProduced(f"{model_a} and {model_b} ran no task in common")
    return found


def _latest(members: list):
    """The most recent of one model's runs in one comparable set (by completion, then start
    time, then source path: the same identity, so a rerun; which one was used is printed)."""
    return max(members, key=lambda m: (m.run.completed_at or "", m.run.started_at or "", m.run.source))


def _number(value: float | None) -> str:
    """Four decimals; a value that rounds to zero is ``0.0000``, never ``-0.0000``."""
    if value is None:
        return "—"
    text = f"{value:.4f}"
    return "0.0000" if float(text) == 0 else text


def format_comparison(found: list[Paired], model_a: str, model_b: str) -> str:
    """The comparison as a console table, one row per task."""
    header = ["task", "metric", model_a, model_b, "A − B", "95% interval", "items", "verdict"]
    rows = []
    for paired in found:
        arrow = (
            {True: " ↑", False: " ↓"}.get(paired.higher_is_better, "") if paired.higher_is_better is not None else ""
        )
        interval = "—" if paired.interval is None else f"[{_number(paired.interval[0])}, {_number(paired.interval[1])}]"
        rows.append(
            [
                paired.task + (f" (set {paired.set_label})" if paired.set_label else ""),
                paired.metric + arrow,
                _number(paired.mean_a),
                _number(paired.mean_b),
                _number(paired.difference),
                interval,
                str(paired.n) if paired.n else "—",
                paired.verdict or paired.note,
            ]
        )
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(
        f"A = {model_a}, B = {model_b}: the means over the items both runs scored; the interval is Student's t "
        "on the per-item differences"
    )
    for paired in found:
        for model, source, count in zip((model_a, model_b), paired.used, paired.runs_in_set, strict=True):
            if source:
                label = paired.task + (f" (set {paired.set_label})" if paired.set_label else "")
                again = f" (the latest of {count} runs with the same identity)" if count > 1 else ""
                lines.append(f"used for {label}: {model} from {source}{again}")
    return "\n".join(lines)


def compare_command(results: list[str], model_a: str, model_b: str) -> int:
    """``cultureval compare``: read, compare, print; exit 0, or 1 (:class:`NothingProduced`) when
    no task has a paired difference (errors raise, :mod:`cultureval.errors`)."""
    from cultureval.report import read_report_inputs

    inputs = read_report_inputs([Path(path) for path in results])
    found = compare_runs(inputs.runs, model_a, model_b)
    print(format_comparison(found, model_a, model_b))
    if not any(paired.difference is not None for paired in found):
        # the table says why per task; exit 1: ran, produced no comparison (cultureval.errors)
        raise NothingProduced(f"no task has a paired difference of {model_a} and {model_b} (the last column says why)")
    return 0
