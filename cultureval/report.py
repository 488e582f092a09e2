"""``cultureval report RESULTS... -o DIR``: tables and figures across models.

Reads lm-eval output folders and Inspect logs (:mod:`cultureval.runs`, with the report's notes from
:mod:`cultureval.report_inputs`) and writes into DIR: ``report.md`` (notes on comparability, a
summary that ranks each task's comparable runs by its leaderboard metric in that metric's
direction — :mod:`cultureval.comparability` — one section per task family), PNG figures with
``figures.json`` (each figure's title, axis labels and legend), and the leaderboard files
``summary.csv`` and ``summary.json`` (one row per model × task × metric, with the run's rank in
its comparable set). Beside each comparable set, unranked, the family's yardsticks
(``Family.yardsticks``: knowing nothing, a US-centric answer, the world's answer, the survey's
own noise) scored on the set's own logged items by :func:`cultureval.report_tools.yardsticks_of`
— the function ``cultureval run``'s table uses: rows ``yardstick: <label>`` in the summary, rows
with a ``yardstick`` column in the leaderboard files. A yardstick is never ranked.
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
from cultureval.errors import InputError, one_line
from cultureval.families import families, family_of, table_of
from cultureval.report_inputs import Inputs, read_inputs
from cultureval.report_tools import (
    ARROW,
    Figures,
    Run,
    distinct_item_sets,
    fmt,
    item_set_key,
    metric_rows,
    missing_samples,
    uncertainty,
    yardsticks_of,
)
from cultureval.runs import BASELINE

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
    "yardstick",  # "" for a model's row; the yardstick's label on an unranked reference row
    "judge",
    # a model's row: the yardstick that knows nothing it scores worse than (then never ranked)
    "below_yardstick",
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
    fingerprint), its rank in that set (``None`` without a value of the leaderboard metric, for a
    baseline, and for a model that scores worse than a yardstick that knows nothing, whose label
    is then ``below``) and its ``summary.json`` rows. The report, the results site and the EEE
    export all take their numbers and ranks from these (:func:`ranked_runs`)."""

    run: Run
    rank: int | None
    set_label: str
    comparable_set: str
    rows: list[dict] = field(default_factory=list)
    below: str = ""


def _safe_yardsticks(run: Run) -> dict[str, dict]:
    """:func:`yardsticks_of`, or ``{}`` when the data they need cannot be read (the report's
    notes say so: :func:`compute_yardsticks`)."""
    try:
        return yardsticks_of(run)
    except (InputError, OSError, ValueError, KeyError):
        run.yardsticks = {}
        return {}


def knows_nothing_floor(runs: list[Run], metric: str, higher_is_better: bool) -> tuple[str, float] | None:
    """``(label, value)`` of the best yardstick that knows nothing (``"knows_nothing": True`` in
    its ``Family.yardsticks`` entry: uniform, always the first option, random scores, ...) on the
    items of ``runs`` (one comparable set: the first run with logged documents), by ``metric`` in
    its direction; ``None`` when no run logged its items or no such yardstick has a value."""
    best: tuple[str, float] | None = None
    for run in distinct_item_sets(runs)[:1]:
        for label, values in _safe_yardsticks(run).items():
            value = values.get(metric)
            if not values.get("knows_nothing") or value is None or value != value:
                continue
            if best is None or (value > best[1] if higher_is_better else value < best[1]):
                best = (label, float(value))
    return best


def _worse(value: float, floor: float, higher_is_better: bool) -> bool:
    return value < floor if higher_is_better else value > floor


def ranked_runs(runs: list[Run]) -> list[RankedRun]:
    """Every run of a cultureval task, by task, each task's runs split into comparable sets
    (:func:`cultureval.comparability.comparable_sets`), each set's model runs ranked by the task's
    leaderboard metric in its own direction; with each run's ``summary.json`` rows
    (:func:`summary_rows`). Never ranked: baselines (reference rows), and a model whose value is
    worse than a yardstick that knows nothing on the same items (:func:`knows_nothing_floor`:
    a model below uniform is never shown first), listed after the ranked ones with ``below``."""
    sets, _ = comparable_sets([run for run in runs if family_of(run.task) is not None])
    found = []
    for task in sorted(sets):
        groups = sets[task]
        metric, higher_is_better = _leaderboard(task)
        for index, group in enumerate(groups, 1):
            label = str(index) if len(groups) > 1 else ""
            fingerprint = identity.sha256_of([task, *comparison_key(group[0])])[:12]
            models = [run for run in group if run.harness != BASELINE]
            floor = knows_nothing_floor(group, metric, bool(higher_is_better)) if higher_is_better is not None else None
            below = {
                id(run): floor[0]
                for run in models
                if floor is not None
                and run.metrics.get(metric) is not None
                and _worse(run.metrics[metric], floor[1], bool(higher_is_better))
            }
            members = [
                RankedRun(run, rank, label, fingerprint)
                for rank, run in _ranked([r for r in models if id(r) not in below])
            ]
            members += [
                RankedRun(run, None, label, fingerprint, below=below[id(run)])
                for _, run in _ranked([r for r in models if id(r) in below])
            ]
            members += [
                RankedRun(run, None, label, fingerprint)
                for _, run in _ranked([r for r in group if r.harness == BASELINE])
            ]
            for member in members:
                member.rows = _rows(member)
                found.append(member)
    return found


def set_groups(ranked_list: list[RankedRun]) -> list[list[RankedRun]]:
    """The ranked runs grouped by comparable set (task and set label), in ranking order."""
    groups: dict[tuple[str, str], list[RankedRun]] = {}
    for member in ranked_list:
        groups.setdefault((member.run.task, member.set_label), []).append(member)
    return list(groups.values())


def _summary_line(run: Run, rank: str, label: str, model: str, harness: str, values: dict) -> str:
    """One row of the report's summary table: a model's run (``values`` is ``run.metrics``) or a
    yardstick scored on its items (no uncertainty, parse rate or judge of its own)."""
    table = table_of(run.task)
    metric, higher_is_better = _leaderboard(run.task)
    arrow = ARROW[higher_is_better][0] if higher_is_better is not None else ""
    headline = table.headline
    described = table.describe(headline)
    headline_arrow = ARROW[described.higher_is_better][0] if described else ""
    spread = uncertainty(run, metric) if values is run.metrics else "n/a"
    n = run.n if values is run.metrics else values.get("n")
    parse = fmt(values.get(table.parse_metric)) if values is run.metrics else "—"
    return (
        f"| {run.task} | {run.rendering or 'n/a'} | {rank} | {label or '—'} | {model} | {harness} | "
        f"{f'{run.limit:g}' if run.limit else '—'} | {metric} {arrow} | {fmt(values.get(metric))} | {spread} | "
        f"{headline} {headline_arrow} | {fmt(values.get(headline))} | {n if n is not None else 'n/a'} | {parse} | "
        f"{(judge_label(run) or '—') if values is run.metrics else '—'} |"
    )


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


def _summary(ranked_list: list[RankedRun]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "Ranked by each task's leaderboard metric in its own direction (↑ higher / ↓ lower is better), only "
        "among runs on the same task version, data, documents, prompt, rendering, shots, judge and --limit; a task whose "
        "runs differ in any of these has numbered sets, each ranked on its own (the notes say what differs). "
        "Rows `yardstick: …` under a set are unranked: the family's reference predictors (knowing nothing, a "
        "US-centric answer, the world's answer, the survey's own noise) scored by the same code on the set's items.",
        "",
        "| task | rendering | rank | set | model | harness | limit | ranked by | value | uncertainty | headline "
        "| value | n | parse rate | judge |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for members in set_groups(ranked_list):
        label = members[0].set_label
        for member in members:
            run = member.run
            rank = str(member.rank) if member.rank else f"— (below {member.below})" if member.below else "—"
            lines.append(_summary_line(run, rank, label, run.model, run.harness, run.metrics))
        for run in distinct_item_sets([member.run for member in members]):
            for name, values in yardsticks_of(run).items():
                lines.append(_summary_line(run, "—", label, f"yardstick: {name}", f"on {run.model}'s items", values))
    return lines + [""]


def _family_name(task: str) -> str:
    """The family of a ranked run's task (:func:`ranked_runs` ranks only cultureval's tasks)."""
    owner = family_of(task)
    if owner is None:
        raise ValueError(f"{task}: not a task of a cultureval family")
    return owner.name


def _yardstick_rows(run: Run) -> list[dict]:
    """The leaderboard files' rows of the yardsticks scored on ``run``'s items: one per yardstick
    × metric, unranked (``rank`` empty), in the run's comparable set; ``model`` is ``yardstick:
    <label>``, ``harness`` ``yardstick``, the ``yardstick`` column the label, ``source`` the run
    whose items it was scored on. A yardstick reads no prompt: its ``prompt_sha256`` and
    ``shots`` are empty."""
    table = table_of(run.task)
    block = run.provenance or {}
    rows = []
    for label, values in yardsticks_of(run).items():
        for name in metric_rows(run.task, values, table):
            described = table.describe(name)
            rows.append(
                dict.fromkeys(SUMMARY_COLUMNS)
                | {
                    "model": f"yardstick: {label}",
                    "task": run.task,
                    "family": _family_name(run.task),
                    "harness": "yardstick",
                    "rendering": run.rendering,
                    "limit": run.limit,
                    "metric": name,
                    "value": values.get(name),
                    "higher_is_better": described.higher_is_better if described else None,
                    "headline": name == table.headline,
                    "leaderboard": name == table.leaderboard_metric,
                    "comparable_set": identity.sha256_of([run.task, *comparison_key(run)])[:12],
                    "n": values.get("n"),
                    "parse_rate": values.get(table.parse_metric),
                    "task_version": run.version[0] if run.version else None,
                    "data_sha256": run.version[1] if run.version else None,
                    "docs_sha256": block.get("docs_sha256"),
                    "source": run.source,
                    "yardstick": label,
                }
            )
    return rows


def summary_rows(runs: list[Run]) -> list[dict]:
    """One row per run × metric (the task table's metrics, without stderr/CI companions), with
    the run's rank in its comparable set (``leaderboard`` marks the metric the rank follows,
    ``higher_is_better`` its direction) and the identity fields that define the set; after each
    set's runs, its unranked yardstick rows (:func:`_yardstick_rows`, once per distinct item set;
    a yardstick whose data cannot be read is left out, :func:`compute_yardsticks`)."""
    compute_yardsticks(runs)
    return set_rows(ranked_runs(runs))


def set_rows(ranked_list: list[RankedRun]) -> list[dict]:
    """:func:`summary_rows` of runs already ranked."""
    rows = []
    for members in set_groups(ranked_list):
        rows += [row for member in members for row in member.rows]
        for run in distinct_item_sets([member.run for member in members]):
            rows += _yardstick_rows(run)
    return rows


def _rows(member: RankedRun) -> list[dict]:
    """The ``summary.json`` rows of one ranked run (:data:`SUMMARY_COLUMNS`)."""
    run = member.run
    family_name = _family_name(run.task)
    table = table_of(run.task)
    block = run.provenance or {}
    rows = []
    for name in metric_rows(run.task, run.metrics, table):
        described = table.describe(name)
        rows.append(
            {
                "model": run.model,
                "task": run.task,
                "family": family_name,
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
                "yardstick": "",
                "judge": judge_label(run) or None,
                "below_yardstick": member.below or None,
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


def compute_yardsticks(runs: list[Run]) -> list[str]:
    """Score the yardsticks of every run once per distinct item set (:func:`yardsticks_of`; the
    summary, the leaderboard files and the family sections then read them); a yardstick that
    needs data this machine cannot read is left out with a note, never a crash of the report."""
    notes = []
    found: dict[tuple, dict] = {}
    for run in runs:
        if family_of(run.task) is None:
            continue
        key = item_set_key(run)
        if key is not None and key in found:
            run.yardsticks = found[key]
            continue
        short = missing_samples(run)
        if short:
            notes.append(
                f"{run.label} on {run.task}: yardsticks not computed ({short}), and the run is not ranked below one"
            )
        try:
            computed = yardsticks_of(run)
        except (InputError, OSError, ValueError, KeyError) as error:
            computed = run.yardsticks = {}
            notes.append(f"{run.label} on {run.task}: yardsticks not computed ({one_line(error)})")
        if key is not None:
            found[key] = computed
    return notes


def read_report_inputs(paths: list[Path]) -> Inputs:
    """The runs under ``paths`` with the report's notes (:func:`read_inputs`) and a note for each
    run of a renamed task (:func:`renamed_notes`): what the report, the site and the export read."""
    inputs = read_inputs(paths)
    inputs.notes.extend(renamed_notes(inputs.runs))
    inputs.notes.extend(self_judged_notes(inputs.runs))
    inputs.notes.extend(compute_yardsticks(inputs.runs))
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
    write_summary_files(set_rows(ranked), output)
    path = output / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
