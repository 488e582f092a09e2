"""``cultureval report RESULTS... -o DIR``: tables and figures across models.

Reads lm-eval output folders and Inspect logs (:mod:`cultureval.runs`, with the report's notes from
:mod:`cultureval.report_inputs`) and writes into DIR: ``report.md`` (notes on comparability, a
summary that ranks each task's comparable runs by its leaderboard metric in that metric's
direction — :mod:`cultureval.comparability` — one section per task family), PNG figures with
``figures.json`` (each figure's title, axis labels and legend), and the leaderboard files
``summary.csv`` and ``summary.json`` (one row per model × task × metric, with the run's rank in
its comparable set).
"""

from __future__ import annotations

import csv
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cultureval import identity
from cultureval.comparability import comparable_sets, comparison_key
from cultureval.comparability import ranked as rank_by_metric
from cultureval.definitions import renamed_message
from cultureval.families import families, family_of, table_of
from cultureval.report_inputs import Inputs, read_inputs
from cultureval.report_tools import ARROW, Figures, Run, fmt, metric_rows, uncertainty

logger = logging.getLogger(__name__)

__all__ = ["ranked_runs", "read_inputs", "read_report_inputs", "summary_rows", "write_report", "write_report_files"]

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
    "rank",
    "comparable_set",
    "n",
    "parse_rate",
    "model_path",
    "model_revision",
    "cultureval_version",
    "task_version",
    "data_sha256",
    "docs_sha256",
    "prompt_sha256",
    "shots",
    "source",
)


def _leaderboard(task: str) -> tuple[str, bool | None]:
    """The metric ``task`` is ranked by and its direction."""
    table = table_of(task)
    metric = table.leaderboard_metric
    described = table.describe(metric)
    return metric, described.higher_is_better if described else None


def _ranked(runs: list[Run]) -> list[tuple[int | None, Run]]:
    """The runs of one comparable set (:func:`cultureval.comparability.comparable_sets`), best
    first by the task's leaderboard metric in its own direction (``country_sim_gap``: lowest
    first; generative GlobalOpinionQA: ``culture_sim_strict``, so unreadable answers cost)."""
    if not runs:
        return []
    metric, higher_is_better = _leaderboard(runs[0].task)
    return rank_by_metric(runs, metric, higher_is_better)


@dataclass
class RankedRun:
    """One run of a cultureval task as the report ranks it: its comparable set (``set_label``
    1, 2, ... when its task's runs split into several, else empty; ``comparable_set`` the set's
    fingerprint), its rank in that set (``None`` without a value of the leaderboard metric) and
    its ``summary.json`` rows. The report, the results site and the EEE export all take their
    numbers and ranks from these (:func:`ranked_runs`)."""

    run: Run
    rank: int | None
    set_label: str
    comparable_set: str
    rows: list[dict] = field(default_factory=list)


def ranked_runs(runs: list[Run]) -> list[RankedRun]:
    """Every run of a cultureval task, by task, each task's runs split into comparable sets
    (:func:`cultureval.comparability.comparable_sets`), each set ranked by the task's leaderboard
    metric in its own direction; with each run's ``summary.json`` rows (:func:`summary_rows`)."""
    sets, _ = comparable_sets([run for run in runs if family_of(run.task) is not None])
    found = []
    for task in sorted(sets):
        groups = sets[task]
        for index, group in enumerate(groups, 1):
            label = str(index) if len(groups) > 1 else ""
            fingerprint = identity.sha256_of([task, *comparison_key(group[0])])[:12]
            for rank, run in _ranked(group):
                member = RankedRun(run, rank, label, fingerprint)
                member.rows = _rows(member)
                found.append(member)
    return found


def _summary(ranked_list: list[RankedRun]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "Ranked by each task's leaderboard metric in its own direction (↑ higher / ↓ lower is better), only "
        "among runs on the same task version, data, documents, prompt, rendering, shots, judge and --limit; a task whose "
        "runs differ in any of these has numbered sets, each ranked on its own (the notes say what differs).",
        "",
        "| task | rendering | rank | set | model | harness | limit | ranked by | value | uncertainty | headline "
        "| value | n | parse rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for member in ranked_list:
        label, rank, run = member.set_label, member.rank, member.run
        table = table_of(run.task)
        metric, higher_is_better = _leaderboard(run.task)
        arrow = ARROW[higher_is_better][0] if higher_is_better is not None else ""
        headline = table.headline
        headline_arrow = ARROW[table.describe(headline).higher_is_better][0] if table.describe(headline) else ""
        lines.append(
            f"| {run.task} | {run.rendering or 'n/a'} | {rank or '—'} | {label or '—'} | {run.model} | "
            f"{run.harness} | {f'{run.limit:g}' if run.limit else '—'} | {metric} {arrow} | "
            f"{fmt(run.metrics.get(metric))} | {uncertainty(run, metric)} | {headline} {headline_arrow} | "
            f"{fmt(run.metrics.get(headline))} | {run.n if run.n is not None else 'n/a'} | "
            f"{fmt(run.metrics.get(table.parse_metric))} |"
        )
    return lines + [""]


def summary_rows(runs: list[Run]) -> list[dict]:
    """One row per run × metric (the task table's metrics, without stderr/CI companions), with
    the run's rank in its comparable set (``leaderboard`` marks the metric the rank follows,
    ``higher_is_better`` its direction) and the identity fields that define the set."""
    return [row for member in ranked_runs(runs) for row in member.rows]


def _rows(member: RankedRun) -> list[dict]:
    """The ``summary.json`` rows of one ranked run (:data:`SUMMARY_COLUMNS`)."""
    run = member.run
    owner = family_of(run.task)
    table = table_of(run.task)
    block = run.provenance or {}
    rows = []
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
                "rank": member.rank,
                "comparable_set": member.comparable_set,
                "n": run.n,
                "parse_rate": run.metrics.get(table.parse_metric),
                "model_path": run.model_path + (f" + {run.adapter}" if run.adapter else ""),
                "model_revision": run.model_revision,
                "cultureval_version": run.cultureval_version,
                "task_version": run.version[0] if run.version else None,
                "data_sha256": run.version[1] if run.version else None,
                "docs_sha256": block.get("docs_sha256"),
                "prompt_sha256": block.get("prompt_sha256"),
                "shots": block.get("shots"),
                "source": run.source,
            }
        )
    return rows


def write_summary_files(rows: list[dict], output: Path) -> None:
    """``summary.csv`` and ``summary.json`` of :func:`summary_rows` into ``output``."""
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
    for owner in families():
        if owner.name in by_family and owner.report_section is not None:
            by_task = dict(by_family[owner.name])
            figures.family = owner.name  # the manifest says which family drew each figure
            lines += owner.report_section(by_task, {task: table_of(task) for task in by_task}, figures)
    return lines


def renamed_notes(runs: list[Run]) -> list[str]:
    """A run of a task since renamed (``cultureval.definitions.RENAMED``) is in no family and
    left out of every table: say so, once per run, rather than drop it silently."""
    notes = []
    for run in runs:
        message = renamed_message(run.task)
        if message:
            notes.append(f"{run.source}: {run.model} on {message}; left out — rerun under the new name")
    return list(dict.fromkeys(notes))


def read_report_inputs(paths: list[Path]) -> Inputs:
    """The runs under ``paths`` with the report's notes (:func:`read_inputs`) and a note for each
    run of a renamed task (:func:`renamed_notes`): what the report, the site and the export read."""
    inputs = read_inputs(paths)
    inputs.notes.extend(renamed_notes(inputs.runs))
    return inputs


def write_report(paths: list[Path], output: Path) -> Path:
    """Read the runs under ``paths`` and write the report into ``output`` (:func:`write_report_files`)."""
    return write_report_files(read_report_inputs(paths), output)


def write_report_files(inputs: Inputs, output: Path, ranked: list[RankedRun] | None = None) -> Path:
    """``report.md``, the figures with ``figures.json``, ``summary.csv`` and ``summary.json`` of
    runs already read (``ranked``: their :func:`ranked_runs`, when already ranked); the path of
    ``report.md``."""
    paths = sorted({run.source for run in inputs.runs})
    output.mkdir(parents=True, exist_ok=True)
    figures = Figures(output)
    runs = inputs.runs
    lines = [
        "# cultureval report",
        "",
        f"Inputs: {len(paths)} results file(s) or log(s), {len(runs)} task run(s), "
        f"{len({r.model for r in runs})} model(s). "
        "Leaderboard rows: `summary.csv`, `summary.json`.",
        "",
    ]
    if inputs.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in inputs.notes] + [""]
    ranked = ranked_runs(runs) if ranked is None else ranked
    lines += _summary(ranked)
    lines += _sections(inputs, figures)
    (output / "figures.json").write_text(json.dumps(figures.manifest, indent=2))
    write_summary_files([row for run in ranked for row in run.rows], output)
    path = output / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
