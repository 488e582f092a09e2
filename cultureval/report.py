"""``cultureval report RESULTS... -o DIR``: tables and figures across models.

Reads lm-eval output folders (``results_*.json`` — or ``results_judged_*.json`` of the same
run when ``cultureval judge`` wrote one — and ``samples_*.jsonl``; baselines written by
``cultureval baseline`` are lm-eval output too) and Inspect logs (``.eval``/``.json`` files
or folders of them, through ``inspect_ai.log``). Writes ``report.md``, PNG figures and
``figures.json`` (each figure's title, axis labels and legend) into DIR, one section per task
family present.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.families import FAMILY_NAMES, family, family_of, table_of
from cultureval.report_tools import Figures, Run, fmt, uncertainty

logger = logging.getLogger(__name__)

_RESULTS_RE = re.compile(r"^results_(?P<judged>judged_)?(?P<stamp>.+)\.json$")


class ReportInputError(ValueError):
    """An input is missing or unreadable (the message names it)."""


@dataclass
class Inputs:
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _model_label(name: str) -> str:
    """Shorten local paths to their last two parts; Hub ids and provider names stay."""
    if name.startswith("/") or name.startswith("."):
        parts = Path(name).parts
        return "/".join(parts[-2:])
    return name


def _item(task: str, doc: dict, values: dict) -> dict | None:
    """Per-item record of a logged sample, for the families whose figures need items."""
    owner = family_of(task)
    return owner.report_item(task, doc, values) if owner and owner.report_item else None


def _wants_items(task: str) -> bool:
    owner = family_of(task)
    return bool(owner and owner.report_item)


def _version(config: dict) -> tuple:
    block = (config.get("metadata") or {}).get("cultureval") or {}
    source = block.get("data_source") or {}
    return (block.get("task_version"), source.get("sha256"))


def _note_failed_judgements(path: Path, results: dict, notes: list[str]) -> None:
    """A judged results file where a task got no judgement at all: its judged metrics are empty
    because the judge failed, not because the model scored nothing."""
    for task, info in ((results.get("cultureval_judge") or {}).get("tasks") or {}).items():
        judged = info.get("n_judged", info.get("n_samples", 0) - sum((info.get("failures") or {}).values()))
        if info.get("n_samples") and not judged:
            failures = ", ".join(f"{kind} {count}" for kind, count in (info.get("failures") or {}).items())
            notes.append(
                f"{path}: {task}: not one of {info['n_samples']} judgements succeeded ({failures}); "
                "its judged metrics are missing, not zero — rerun cultureval judge against a working judge"
            )


def read_lm_eval(folder: Path, notes: list[str]) -> list[Run]:
    files = sorted(folder.rglob("results_*.json")) if folder.is_dir() else [folder]
    by_stamp: dict[tuple[Path, str], Path] = {}
    for path in files:
        match = _RESULTS_RE.match(path.name)
        if not match:
            continue
        key = (path.parent, match.group("stamp"))
        if match.group("judged") or key not in by_stamp:
            by_stamp[key] = path  # a judged file supersedes the plain one of the same run
    runs = []
    for (parent, stamp), path in sorted(by_stamp.items()):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ReportInputError(f"{path}: not a readable lm-eval results file ({error})") from None
        model = _model_label(
            str(results.get("model_name") or (results.get("config") or {}).get("model_args") or "unknown")
        )
        _note_failed_judgements(path, results, notes)
        groups = set(results.get("group_subtasks") or {})
        for task, entry in (results.get("results") or {}).items():
            if task in groups:
                continue
            metrics = {key.split(",")[0]: _number(value) for key, value in entry.items() if "," in key}
            n = ((results.get("n-samples") or {}).get(task) or {}).get("effective")
            samples_path = parent / f"samples_{task}_{stamp}.jsonl"
            items = None
            if samples_path.is_file():
                items = []
                for line in samples_path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        sample = json.loads(line)
                        record = _item(task, sample.get("doc") or {}, sample)
                        if record:
                            items.append(record)
            elif _wants_items(task):
                notes.append(
                    f"{path}: no {samples_path.name} (run lm-eval with --log_samples): per-country figures skip {model} on {task}"
                )
            runs.append(
                Run(
                    model,
                    "baseline" if model.startswith("baseline/") else "lm-eval",
                    task,
                    metrics,
                    n,
                    items,
                    str(path),
                    _version((results.get("configs") or {}).get(task) or {}),
                )
            )
    return runs


def read_inspect(path: Path, notes: list[str]) -> list[Run]:
    from inspect_ai.log import list_eval_logs, read_eval_log

    files = [info.name for info in list_eval_logs(str(path))] if path.is_dir() else [str(path)]
    runs = []
    for file in files:
        log = read_eval_log(file)
        task = log.eval.task.split("/")[-1]
        if log.status != "success":
            notes.append(f"{file}: Inspect log status {log.status!r}: {task} on {log.eval.model} is partial")
        metrics: dict[str, float | None] = {}
        for score in log.results.scores if log.results else []:
            for name, metric in score.metrics.items():
                metrics[name] = _number(metric.value)
        items = []
        for sample in log.samples or []:
            score = next(iter((sample.scores or {}).values()), None)
            if score is not None and isinstance(score.value, dict):
                record = _item(task, (sample.metadata or {}).get("doc") or {}, score.value)
                if record:
                    items.append(record)
        n = log.results.completed_samples if log.results else None
        version = _version({"metadata": {"cultureval": log.eval.metadata or {}}})
        runs.append(Run(_model_label(str(log.eval.model)), "inspect", task, metrics, n, items, file, version))
    return runs


def read_inputs(paths: list[Path]) -> Inputs:
    from tqdm import tqdm

    inputs = Inputs()
    for path in tqdm(paths, desc="reading results", unit="input", leave=False):
        if not path.exists():
            raise ReportInputError(f"{path}: no such file or folder")
        is_inspect = path.suffix in (".eval", ".json") and not path.name.startswith("results_")
        if path.is_dir():
            is_inspect = not any(path.rglob("results_*.json")) and (
                any(path.rglob("*.eval")) or any(path.rglob("*.json"))
            )
        found = read_inspect(path, inputs.notes) if is_inspect else read_lm_eval(path, inputs.notes)
        if not found:
            raise ReportInputError(f"{path}: holds neither lm-eval results_*.json nor Inspect logs")
        inputs.runs += found
    by_task: dict[str, set] = defaultdict(set)
    for run in inputs.runs:
        if run.version != (None, None):
            by_task[run.task].add(run.version)
    for task, versions in sorted(by_task.items()):
        if len(versions) > 1:
            shown = "; ".join(f"task version {v}, data sha256 {str(s)[:12]}" for v, s in sorted(versions, key=str))
            inputs.notes.append(
                f"{task}: runs differ in task version or data ({shown}); comparisons across them are not like for like"
            )
    return inputs


# ------------------------------------------------------------------------------------ report


def _summary(runs: list[Run]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "| task | model | harness | metric | value | uncertainty | n | parse rate |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in sorted(runs, key=lambda r: (r.task, r.model, r.harness)):
        if family_of(run.task) is None:
            continue
        table = table_of(run.task)
        metric = table.headline
        lines.append(
            f"| {run.task} | {run.model} | {run.harness} | {metric} | {fmt(run.metrics.get(metric))} | "
            f"{uncertainty(run, metric)} | {run.n if run.n is not None else 'n/a'} | "
            f"{fmt(run.metrics.get(table.parse_metric))} |"
        )
    return lines + [""]


def write_report(paths: list[Path], output: Path) -> Path:
    inputs = read_inputs(paths)
    output.mkdir(parents=True, exist_ok=True)
    figures = Figures(output)
    runs = inputs.runs
    lines = [
        "# cultureval report",
        "",
        f"Inputs: {len(paths)} path(s), {len(runs)} task run(s), {len({r.model for r in runs})} model(s).",
        "",
    ]
    if inputs.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in inputs.notes] + [""]
    lines += _summary(runs)
    by_family: dict[str, dict[str, list[Run]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        owner = family_of(run.task)
        if owner is not None:
            by_family[owner.name][run.task].append(run)
    for name in FAMILY_NAMES:
        owner = family(name)
        if name in by_family and owner.report_section is not None:
            by_task = dict(by_family[name])
            lines += owner.report_section(by_task, {task: table_of(task) for task in by_task}, figures)
    (output / "figures.json").write_text(json.dumps(figures.manifest, indent=2))
    path = output / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
