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
from pathlib import Path

from cultureval import identity
from cultureval.comparability import comparable_sets, comparison_key, ranked
from cultureval.definitions import renamed_message
from cultureval.families import families, family_of, table_of
from cultureval.report_inputs import Inputs, read_inputs
from cultureval.report_tools import ARROW, Figures, Run, fmt, metric_rows, uncertainty

logger = logging.getLogger(__name__)

__all__ = ["read_inputs", "write_report"]

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
    "judge",
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
    return ranked(runs, metric, higher_is_better)


def _ranked_sets(runs: list[Run]) -> list[tuple[str, int | None, Run]]:
    """``(set label, rank, run)`` for every run of a cultureval task: each task's runs split into
    comparable sets (labelled 1, 2, ... when there are several, else empty), each ranked."""
    sets, _ = comparable_sets([run for run in runs if family_of(run.task) is not None])
    rows = []
    for task in sorted(sets):
        groups = sets[task]
        for index, group in enumerate(groups, 1):
            label = str(index) if len(groups) > 1 else ""
            rows += [(label, rank, run) for rank, run in _ranked(group)]
    return rows


def judge_label(run: Run) -> str:
    """Who scored a judged run: the judge's name, ``self-judged (<model>)`` when the evaluated
    model judged its own answers (an Inspect run without ``--model-role grader=...``), ``""``
    for a run scored without a judge."""
    judge = (run.provenance or {}).get("judge")
    if not isinstance(judge, dict):
        return ""
    name = judge.get("name") or judge.get("path") or "judge"
    return f"self-judged ({name})" if judge.get("self_judged") else str(name)


def self_judged_notes(runs: list[Run]) -> list[str]:
    """One note per self-judged run: its scores are the model's verdicts on its own answers."""
    return [
        f"{run.model} on {run.task} ({run.harness}) is self-judged: no grader model was given, so the model "
        "scored its own answers; its judged metrics say little and rank only with runs of the same judge"
        for run in runs
        if judge_label(run).startswith("self-judged")
    ]


def _summary(runs: list[Run]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "Ranked by each task's leaderboard metric in its own direction (↑ higher / ↓ lower is better), only "
        "among runs on the same task version, data, documents, prompt, rendering, shots, judge and --limit; a task whose "
        "runs differ in any of these has numbered sets, each ranked on its own (the notes say what differs).",
        "",
        "| task | rendering | rank | set | model | harness | limit | ranked by | value | uncertainty | headline "
        "| value | n | parse rate | judge |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, rank, run in _ranked_sets(runs):
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
            f"{fmt(run.metrics.get(table.parse_metric))} | {judge_label(run) or '—'} |"
        )
    return lines + [""]


def summary_rows(runs: list[Run]) -> list[dict]:
    """One row per run × metric (the task table's metrics, without stderr/CI companions), with
    the run's rank in its comparable set (``leaderboard`` marks the metric the rank follows,
    ``higher_is_better`` its direction) and the identity fields that define the set."""
    rows = []
    for _, rank, run in _ranked_sets(runs):
        owner = family_of(run.task)
        table = table_of(run.task)
        block = run.provenance or {}
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
                    "rank": rank,
                    "comparable_set": identity.sha256_of([run.task, *comparison_key(run)])[:12],
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
                    "judge": judge_label(run) or None,
                }
            )
    return rows


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
    for owner in families():
        if owner.name in by_family and owner.report_section is not None:
            by_task = dict(by_family[owner.name])
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


def write_report(paths: list[Path], output: Path) -> Path:
    inputs = read_inputs(paths)
    inputs.notes.extend(renamed_notes(inputs.runs))
    inputs.notes.extend(self_judged_notes(inputs.runs))
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
    if inputs.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in inputs.notes] + [""]
    lines += _summary(runs)
    lines += _sections(inputs, figures)
    (output / "figures.json").write_text(json.dumps(figures.manifest, indent=2))
    write_summary_files(runs, output)
    path = output / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
