"""Reading what ``cultureval report`` compares: lm-eval output folders (``results_*.json`` — or
``results_judged_*.json`` of the same run when ``cultureval judge`` wrote one — and
``samples_*.jsonl``; baselines are lm-eval output too) and Inspect logs, into one
:class:`~cultureval.report_tools.Run` per task run, with what makes two runs comparable or not:
the model (normalised from the recorded model path, so ``hf/smollm2 -M model_path=F`` and
lm-eval's ``pretrained=F`` are one model), the rendering, the limit, task and data versions.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.families import family_of
from cultureval.lm_eval_compat import read_results, samples_path
from cultureval.report_tools import Run

_RESULTS_RE = re.compile(r"^results_(?P<judged>judged_)?(?P<stamp>.+)\.json$")
LOCAL_PROVIDERS = ("hf", "vllm", "sglang", "transformers")


class ReportInputError(ValueError):
    """An input is missing or unreadable (the message names it)."""


@dataclass
class Inputs:
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def _is_local_path(value: str) -> bool:
    return value.startswith(("/", ".", "~")) or value.count("/") >= 2 or Path(value).expanduser().exists()


def model_identity(path: str, adapter: str = "") -> str:
    """A model's name across harnesses: a local folder by its folder name, a Hub id as is; with
    an adapter, ``base+adapter``."""
    name = Path(path.rstrip("/")).name if _is_local_path(path) else path
    if adapter:
        name += "+" + (Path(adapter.rstrip("/")).name if _is_local_path(adapter) else adapter)
    return name


def _lm_eval_model(results: dict) -> tuple[str, str, str]:
    """(identity, model path, revision) of an lm-eval results file."""
    config = results.get("config") or {}
    args = config.get("model_args") or {}
    if isinstance(args, str):
        args = dict(item.split("=", 1) for item in args.split(",") if "=" in item)
    path = str(args.get("pretrained") or results.get("model_name") or "unknown")
    if str(results.get("model_name", "")).startswith("baseline/"):
        return str(results["model_name"]), "", ""
    adapter = str(args.get("peft") or args.get("lora_local_path") or "")
    revision = str(config.get("model_sha") or config.get("model_revision") or "")
    return model_identity(path, adapter), path + (f" + {adapter}" if adapter else ""), revision


def _inspect_model(log) -> tuple[str, str]:
    """(identity, model path) of an Inspect log: a local provider's model folder
    (``-M model_path=``) or its model name without the provider; a hosted model as named."""
    name = str(log.eval.model)
    provider, _, rest = name.partition("/")
    args = log.eval.model_args or {}
    if provider in LOCAL_PROVIDERS:
        path = str(args.get("model_path") or rest)
        base, _, adapter = path.partition(":") if not Path(path).exists() else (path, "", "")
        return model_identity(base, adapter), path
    return name, name


def _rendering(value) -> str:
    """``plain (human_assistant)`` -> ``plain``; unknown -> ``""``."""
    return str(value).split(" ")[0] if value and str(value) != "auto" else ""


def _item(task: str, doc: dict, values: dict) -> dict | None:
    owner = family_of(task)
    return owner.report_item(task, doc, values) if owner and owner.report_item else None


def _wants_items(task: str) -> bool:
    owner = family_of(task)
    return bool(owner and owner.report_item)


def _version(block: dict) -> tuple:
    return (block.get("task_version"), (block.get("data_source") or {}).get("sha256"))


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


def _run_files(folder: Path) -> list[tuple[Path, Path, str]]:
    """``(folder, results file, stamp)`` per lm-eval run; a judged file supersedes its run's."""
    files = sorted(folder.rglob("results_*.json")) if folder.is_dir() else [folder]
    by_stamp: dict[tuple[Path, str], Path] = {}
    for path in files:
        match = _RESULTS_RE.match(path.name)
        if match and (match.group("judged") or (path.parent, match.group("stamp")) not in by_stamp):
            by_stamp[(path.parent, match.group("stamp"))] = path
    return [(parent, path, stamp) for (parent, stamp), path in sorted(by_stamp.items())]


def _items(samples_path: Path, task: str) -> tuple[list[dict], list[dict]]:
    """The family's per-item records and the logged documents of one samples file."""
    items, docs = [], []
    for line in samples_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sample = json.loads(line)
            doc = sample.get("doc") or {}
            if isinstance(doc, dict) and doc:
                docs.append(doc)
            record = _item(task, doc, sample)
            if record:
                items.append(record)
    return items, docs


def read_lm_eval(folder: Path, notes: list[str]) -> list[Run]:
    runs = []
    for parent, path, stamp in _run_files(folder):
        try:
            results = read_results(path)
        except (OSError, ValueError) as error:
            raise ReportInputError(f"{path}: not a readable lm-eval results file ({error})") from None
        model, model_path, revision = _lm_eval_model(results)
        _note_failed_judgements(path, results, notes)
        limit = number((results.get("config") or {}).get("limit"))
        groups = set(results.get("group_subtasks") or {})
        for task, entry in (results.get("results") or {}).items():
            if task in groups:
                continue
            found = samples_path(parent / f"results_{stamp}.json", task)
            items, docs = _items(found, task) if found else (None, None)
            if items is None and _wants_items(task):
                notes.append(
                    f"{path}: no samples_{task}_{stamp}.jsonl (run lm-eval with --log_samples): per-country figures "
                    f"skip {model} on {task}"
                )
            block = (((results.get("configs") or {}).get(task) or {}).get("metadata") or {}).get("cultureval") or {}
            runs.append(
                Run(
                    model=model,
                    harness="baseline" if model.startswith("baseline/") else "lm-eval",
                    task=task,
                    metrics={key.split(",")[0]: number(value) for key, value in entry.items() if "," in key},
                    n=((results.get("n-samples") or {}).get(task) or {}).get("effective"),
                    items=items,
                    docs=docs or None,
                    source=str(path),
                    version=_version(block),
                    rendering=_rendering(block.get("rendering")),
                    limit=limit,
                    model_path=model_path,
                    model_revision=revision,
                    cultureval_version=str(block.get("cultureval_version") or ""),
                )
            )
    return runs


def _inspect_run(file: str, log, notes: list[str]) -> Run:
    task = log.eval.task.split("/")[-1]
    if log.status != "success":
        notes.append(f"{file}: Inspect log status {log.status!r}: {task} on {log.eval.model} is partial")
    metrics: dict[str, float | None] = {}
    for score in log.results.scores if log.results else []:
        for name, metric in score.metrics.items():
            metrics[name] = number(metric.value)
    items, docs, renderings = [], [], set()
    for sample in log.samples or []:
        renderings.add((sample.metadata or {}).get("rendering"))
        if isinstance((sample.metadata or {}).get("doc"), dict):
            docs.append(sample.metadata["doc"])
        score = next(iter((sample.scores or {}).values()), None)
        if score is not None and isinstance(score.value, dict):
            record = _item(task, (sample.metadata or {}).get("doc") or {}, score.value)
            if record:
                items.append(record)
    block = log.eval.metadata or {}
    resolved = {r for r in renderings if r}
    model, model_path = _inspect_model(log)
    return Run(
        model=model,
        harness="inspect",
        task=task,
        metrics=metrics,
        n=log.results.completed_samples if log.results else None,
        items=items,
        docs=docs or None,
        source=file,
        version=_version(block),
        rendering=_rendering(resolved.pop() if len(resolved) == 1 else block.get("rendering")),
        limit=number(getattr(log.eval.config, "limit", None)),
        model_path=model_path,
        cultureval_version=str(block.get("cultureval_version") or ""),
    )


def read_inspect(path: Path, notes: list[str]) -> list[Run]:
    from inspect_ai.log import list_eval_logs, read_eval_log

    files = [info.name for info in list_eval_logs(str(path))] if path.is_dir() else [str(path)]
    return [_inspect_run(file, read_eval_log(file), notes) for file in files]


def _comparability_notes(runs: list[Run]) -> list[str]:
    """Runs of one task whose task version or data differ; and one model's runs of one task in
    different renderings (the numbers then answer different prompts)."""
    notes = []
    by_task: dict[str, set] = defaultdict(set)
    renderings: dict[tuple[str, str], set] = defaultdict(set)
    for run in runs:
        if run.version != (None, None):
            by_task[run.task].add(run.version)
        if run.rendering:
            renderings[(run.model, run.task)].add((run.rendering, run.harness))
    for task, versions in sorted(by_task.items()):
        if len(versions) > 1:
            shown = "; ".join(f"task version {v}, data sha256 {str(s)[:12]}" for v, s in sorted(versions, key=str))
            notes.append(
                f"{task}: runs differ in task version or data ({shown}); comparisons across them are not like for like"
            )
    for (model, task), seen in sorted(renderings.items()):
        if len({rendering for rendering, _ in seen}) > 1:
            shown = ", ".join(f"{rendering} ({harness})" for rendering, harness in sorted(seen))
            notes.append(
                f"{model} on {task} was run with different renderings — {shown}: the model read different "
                "prompts, so these rows differ for that reason and are not a harness disagreement"
            )
    return notes


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
    inputs.notes += _comparability_notes(inputs.runs)
    limited = sorted({f"{run.label} on {run.task}" for run in inputs.runs if run.limit})
    if limited:
        inputs.notes.append(
            "run with --limit (the first items only; not comparable with full runs): " + "; ".join(limited)
        )
    return inputs
