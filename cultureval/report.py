"""``cultureval report RESULTS... -o DIR``: tables and figures across models.

Reads lm-eval output folders and Inspect logs (:mod:`cultureval.report_inputs`) and writes into
DIR: ``report.md`` (notes on comparability, a summary that ranks the runs of each task ×
rendering by its headline metric, one section per task family), PNG figures with
``figures.json`` (each figure's title, axis labels and legend), and the leaderboard files
``summary.csv`` and ``summary.json`` (one row per model × task × metric).
"""

from __future__ import annotations

import csv
import json
import logging
from collections import defaultdict
from pathlib import Path

from cultureval.data_source import DataFileError
from cultureval.families import FAMILY_NAMES, family, family_of, table_of
from cultureval.report_inputs import Inputs, ReportInputError, read_inputs
from cultureval.report_tools import (
    ARROW,
    Figures,
    Run,
    distinct_item_sets,
    fmt,
    metric_rows,
    uncertainty,
    yardsticks_of,
)

logger = logging.getLogger(__name__)

__all__ = ["ReportInputError", "read_inputs", "write_report"]

SUMMARY_COLUMNS = (
    "model",
    "task",
    "family",
    "harness",
    "rendering",
    "limit",
    "metric",
    "value",
    "stderr",
    "ci_low",
    "ci_high",
    "higher_is_better",
    "headline",
    "leaderboard",
    "n",
    "parse_rate",
    "model_path",
    "model_revision",
    "cultureval_version",
    "task_version",
    "data_sha256",
    "source",
    "yardstick",
)


def _ranked(runs: list[Run]) -> list[tuple[int | None, Run]]:
    """The runs of one task × rendering, best first by the task's leaderboard metric (higher is
    better; generative GlobalOpinionQA: ``culture_sim_strict``, so unreadable answers cost)."""
    if not runs:
        return []
    metric = table_of(runs[0].task).leaderboard_metric
    scored = sorted(runs, key=lambda r: (r.metrics.get(metric) is None, -(r.metrics.get(metric) or 0.0), r.model))
    return [(rank if run.metrics.get(metric) is not None else None, run) for rank, run in enumerate(scored, 1)]


def _summary(runs: list[Run]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "Ranked within each task and rendering by the task's headline; ↑/↓: higher/lower is better. "
        "Runs of one task in different renderings read different prompts and are not ranked together. "
        "Rows `yardstick: …` are unranked: the family's reference predictors (knowing nothing, a US-centric "
        "answer, the world's answer, the survey's own noise) scored by the same code on the same items.",
        "",
        "| task | rendering | rank | model | harness | limit | headline | value | uncertainty | n | parse rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in runs:
        if family_of(run.task) is not None:
            groups[(run.task, run.rendering)].append(run)
    for (task, rendering), group in sorted(groups.items()):
        table = table_of(task)
        metric = table.headline
        arrow = ARROW[table.describe(metric).higher_is_better][0] if table.describe(metric) else ""
        for rank, run in _ranked(group):
            lines.append(
                f"| {task} | {rendering or 'n/a'} | {rank or '—'} | {run.model} | {run.harness} | "
                f"{f'{run.limit:g}' if run.limit else '—'} | {metric} {arrow} | {fmt(run.metrics.get(metric))} | "
                f"{uncertainty(run, metric)} | {run.n if run.n is not None else 'n/a'} | "
                f"{fmt(run.metrics.get(table.parse_metric))} |"
            )
        lines += _yardstick_lines(task, rendering, group, metric, arrow)
    return lines + [""]


def _yardstick_lines(task: str, rendering: str, group: list[Run], metric: str, arrow: str) -> list[str]:
    """Unranked rows under a group: each yardstick of the family scored on the group's items
    (once per distinct item set), with the headline metric."""
    lines = []
    for run in distinct_item_sets(group):
        for label, values in yardsticks_of(run).items():
            lines.append(
                f"| {task} | {rendering or 'n/a'} | — | yardstick: {label} | on {run.model}'s items | "
                f"{f'{run.limit:g}' if run.limit else '—'} | {metric} {arrow} | {fmt(values.get(metric))} | n/a | "
                f"{values.get('n', 'n/a')} | |"
            )
    return lines


def _yardstick_summary_rows(runs: list[Run]) -> list[dict]:
    """The yardstick rows of the leaderboard files: one per yardstick × metric, scored on a run's
    items (once per distinct item set); ``model`` is ``yardstick: <label>``, the ``yardstick``
    column names it and ``source`` is the run whose items it was scored on."""
    rows = []
    for run in distinct_item_sets([r for r in runs if family_of(r.task) is not None]):
        table = table_of(run.task)
        for label, values in yardsticks_of(run).items():
            for name in metric_rows(run.task, values, table):
                described = table.describe(name)
                rows.append(
                    dict.fromkeys(SUMMARY_COLUMNS)
                    | {
                        "model": f"yardstick: {label}",
                        "task": run.task,
                        "family": family_of(run.task).name,
                        "harness": "yardstick",
                        "limit": run.limit,
                        "metric": name,
                        "value": values.get(name),
                        "higher_is_better": described.higher_is_better if described else None,
                        "headline": name == table.headline,
                        "leaderboard": name == table.leaderboard_metric,
                        "n": values.get("n"),
                        "task_version": run.version[0] if run.version else None,
                        "data_sha256": run.version[1] if run.version else None,
                        "source": run.source,
                        "yardstick": label,
                    }
                )
    return rows


def summary_rows(runs: list[Run]) -> list[dict]:
    """One row per run × metric (the task table's metrics, without stderr/CI companions), then
    the yardstick rows (:func:`_yardstick_summary_rows`)."""
    rows = []
    for run in runs:
        owner = family_of(run.task)
        if owner is None:
            continue
        table = table_of(run.task)
        for name in metric_rows(run.task, run.metrics, table):
            described = table.describe(name)
            rows.append(
                {
                    "model": run.model,
                    "task": run.task,
                    "family": owner.name,
                    "harness": run.harness,
                    "rendering": run.rendering,
                    "limit": run.limit,
                    "metric": name,
                    "value": run.metrics.get(name),
                    "stderr": run.metrics.get(f"{name}_stderr"),
                    "ci_low": run.metrics.get(f"{name}_ci_low"),
                    "ci_high": run.metrics.get(f"{name}_ci_high"),
                    "higher_is_better": described.higher_is_better if described else None,
                    "headline": name == table.headline,
                    "leaderboard": name == table.leaderboard_metric,
                    "n": run.n,
                    "parse_rate": run.metrics.get(table.parse_metric),
                    "model_path": run.model_path,
                    "model_revision": run.model_revision,
                    "cultureval_version": run.cultureval_version,
                    "task_version": run.version[0] if run.version else None,
                    "data_sha256": run.version[1] if run.version else None,
                    "source": run.source,
                    "yardstick": "",
                }
            )
    return rows + _yardstick_summary_rows(runs)


def write_summary_files(runs: list[Run], output: Path) -> None:
    rows = summary_rows(runs)
    with open(output / "summary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)
    (output / "summary.json").write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")


def _sections(inputs: Inputs, figures: Figures) -> list[str]:
    by_family: dict[str, dict[str, list[Run]]] = defaultdict(lambda: defaultdict(list))
    for run in inputs.runs:
        owner = family_of(run.task)
        if owner is not None:
            by_family[owner.name][run.task].append(run)
    lines = []
    for name in FAMILY_NAMES:
        owner = family(name)
        if name in by_family and owner.report_section is not None:
            by_task = dict(by_family[name])
            lines += owner.report_section(by_task, {task: table_of(task) for task in by_task}, figures)
    return lines


def _compute_yardsticks(runs: list[Run]) -> list[str]:
    """Score every run's yardsticks once (the summary, the leaderboard files and the family
    sections read them); a yardstick that needs data this machine cannot read is left out with a
    note, never a crash of the report."""
    notes = []
    for run in runs:
        try:
            yardsticks_of(run)
        except (DataFileError, OSError, ValueError, KeyError) as error:
            run.yardsticks = {}
            notes.append(f"{run.label} on {run.task}: yardsticks not computed ({error})")
    return notes


def write_report(paths: list[Path], output: Path) -> Path:
    inputs = read_inputs(paths)
    output.mkdir(parents=True, exist_ok=True)
    figures = Figures(output)
    runs = inputs.runs
    lines = [
        "# cultureval report",
        "",
        f"Inputs: {len(paths)} path(s), {len(runs)} task run(s), {len({r.model for r in runs})} model(s). "
        "Leaderboard rows: `summary.csv`, `summary.json`.",
        "",
    ]
    inputs.notes += _compute_yardsticks(runs)
    if inputs.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in inputs.notes] + [""]
    lines += _summary(runs)
    lines += _sections(inputs, figures)
    (output / "figures.json").write_text(json.dumps(figures.manifest, indent=2))
    write_summary_files(runs, output)
    path = output / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
