"""``cultureval judge``: score lm-eval's logged generations with a judge, after the run.

lm-eval runs the judge-scored tasks as plain generation (with ``--log_samples``). This step
finds each ``results_<timestamp>.json`` under the given folders, reads the matching
``samples_<task>_<timestamp>.jsonl`` of the tasks whose family has a judge (WVS polarity,
CultureBank: ``Family.judge``), asks the judge about every response through the family's
``judge_item``, and writes next to the original:

* ``results_judged_<timestamp>.json`` — the original results file (lm-eval's schema) with the
  judged metrics (the task table's summary) added to each task's entry as ``"<metric>,none"``
  and to the family's group as unweighted means over its tasks; the judge model,
  prompt versions and failure counts under ``cultureval_judge``;
* ``samples_judged_<task>_<timestamp>.jsonl`` — one line per sample: ``doc_id`` and the
  judge's labels or score, for per-item analysis and the report.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cultureval.families import JudgeHook, families, family_of, judge_of, table_of
from cultureval.judge import JudgeCache, JudgeConfig, OpenAICompatibleJudge
from cultureval.lm_eval_compat import read_results, samples_path
from cultureval.metrics.aggregate import nan_to_none

logger = logging.getLogger(__name__)

_RESULTS_RE = re.compile(r"^results_(?!judged_)(?P<stamp>.+)\.json$")
FILTER = "none"


class JudgeInputError(ValueError):
    """The folder holds no usable lm-eval output for the judge (the message says what is missing)."""


def find_runs(folders: list[Path]) -> list[tuple[Path, str]]:
    """``(results file, timestamp)`` of every lm-eval results file under ``folders``."""
    runs = []
    for folder in folders:
        if folder.is_file():
            candidates = [folder]
        elif folder.is_dir():
            candidates = sorted(folder.rglob("results_*.json"))
        else:
            raise JudgeInputError(f"{folder}: no such file or folder")
        for path in candidates:
            match = _RESULTS_RE.match(path.name)
            if match:
                runs.append((path, match.group("stamp")))
    if not runs:
        raise JudgeInputError(f"no lm-eval results_*.json under {', '.join(map(str, folders))}")
    return runs


def _response(sample: dict) -> str:
    """The generated text of a logged ``generate_until`` sample (``filtered_resps`` for the
    ``none`` filter, else the raw ``resps``)."""
    for key in ("filtered_resps", "resps"):
        value = sample.get(key)
        while isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str):
            return value
    raise JudgeInputError(f"sample {sample.get('doc_id')}: no generated text in filtered_resps/resps")


def read_samples(path: Path) -> list[dict]:
    samples = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except ValueError as error:
                raise JudgeInputError(f"{path}, line {number}: not JSON ({error})") from None
            if sample.get("filter", FILTER) != FILTER:
                continue
            if not isinstance(sample.get("doc"), dict):
                raise JudgeInputError(f"{path}, line {number}: no 'doc' (was lm-eval run with --log_samples?)")
            samples.append(sample)
    return samples


async def _judge_samples(hook, transport, cache, samples: list[dict]) -> tuple[list[dict], list[dict]]:
    """Ask the judge about every sample (concurrently, bounded by the transport); the items'
    records and their judged-samples lines, in sample order."""
    from tqdm.asyncio import tqdm_asyncio

    async def one(sample: dict):
        record, line = await hook.judge_item(transport, cache, sample["doc"], _response(sample))
        return record, {"doc_id": sample.get("doc_id")} | line

    pairs = await tqdm_asyncio.gather(*(one(sample) for sample in samples), desc="judging", leave=False)
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _write_metrics(entry: dict, metrics: dict) -> None:
    for name, value in metrics.items():
        entry[f"{name},{FILTER}"] = nan_to_none(value)


def _group_means(results: dict, judged: dict[str, JudgeHook]) -> None:
    """The judged metrics of each group: unweighted means over its tasks (``None`` unless every
    task's value is defined)."""
    for hook in {id(h): h for h in judged.values()}.values():
        members = [task for task in results.get("group_subtasks", {}).get(hook.group, []) if task in results["results"]]
        if hook.group not in results["results"] or not members:
            continue
        for name in hook.group_means:
            values = [results["results"][task].get(f"{name},{FILTER}") for task in members]
            defined = [v for v in values if isinstance(v, (int, float))]
            results["results"][hook.group][f"{name},{FILTER}"] = (
                sum(defined) / len(defined) if defined and len(defined) == len(values) else None
            )


def _judged_tasks(results: dict) -> dict[str, JudgeHook]:
    """The tasks of a results file whose family has a judge, with their family's judge hook."""
    found = {}
    for task in results.get("results", {}):
        hook = judge_of(task)
        if hook is not None and task not in results.get("group_subtasks", {}):
            found[task] = hook
    return found


@dataclass
class PlannedRun:
    """One lm-eval run to judge: its results, and per judged task the logged samples."""

    results_path: Path
    stamp: str
    results: dict
    samples: dict[str, list[dict]]
    hooks: dict[str, JudgeHook]


@dataclass
class JudgedRun:
    path: Path  # the results_judged_*.json written
    results: dict  # its content
    n_judged: int  # judgements that were read, over all tasks
    n_items: int
    records: dict[str, list[dict]]  # per judged task, its items' records (yardsticks)


def plan_run(results_path: Path, stamp: str) -> PlannedRun | None:
    """Read one run and everything its judged tasks need, before any judge call: a missing
    samples file or unreadable data is an error now, not after the judge has been paid."""
    try:
        results = read_results(results_path)
    except (OSError, ValueError) as error:
        raise JudgeInputError(f"{results_path}: not a readable lm-eval results file ({error})") from None
    hooks = _judged_tasks(results)
    if not hooks:
        logger.info("%s: no judge-scored task", results_path)
        return None
    samples = {}
    for task in hooks:
        path = samples_path(results_path, task)
        if path is None:
            expected = results_path.parent / f"samples_{task}_{stamp}.jsonl"
            raise JudgeInputError(f"{expected}: missing; rerun lm-eval with --log_samples to judge {task}")
        samples[task] = read_samples(path)
    for hook in {id(h): h for h in hooks.values()}.values():
        if hook.preflight is not None:
            hook.preflight()
    return PlannedRun(results_path, stamp, results, samples, hooks)


async def judge_run(run: PlannedRun, transport, cache: JudgeCache, seed: int = 0) -> JudgedRun:
    """Judge one planned run and write ``results_judged_<stamp>.json`` beside it."""
    results = run.results
    report = {
        "judge": transport.name,
        "judge_model": getattr(getattr(transport, "config", None), "model", None),
        "prompt_versions": {family_of(task).name: hook.prompt_version for task, hook in run.hooks.items()},
        "tasks": {},
    }
    n_judged = n_items = 0
    all_records = {}
    for task, hook in run.hooks.items():
        samples = run.samples[task]
        hits_before = cache.hits
        records, lines = await _judge_samples(hook, transport, cache, samples)
        all_records[task] = records
        _write_metrics(results["results"][task], table_of(task).summary(records, seed=seed))
        failures = Counter(line["failure"] for line in lines if line.get("failure"))
        report["tasks"][task] = {
            "n_samples": len(samples),
            "n_judged": len(samples) - sum(failures.values()),
            "failures": dict(failures),
            "cache_hits": cache.hits - hits_before,
        }
        n_judged += len(samples) - sum(failures.values())
        n_items += len(samples)
        judged_samples = run.results_path.parent / f"samples_judged_{task}_{run.stamp}.jsonl"
        judged_samples.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    _group_means(results, run.hooks)
    results["cultureval_judge"] = report
    target = run.results_path.parent / f"results_judged_{run.stamp}.json"
    target.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return JudgedRun(target, results, n_judged, n_items, all_records)


def judge_outputs(
    folders: list[Path], config: JudgeConfig, cache_enabled: bool = True, seed: int = 0
) -> list[JudgedRun]:
    """Judge every lm-eval run under ``folders``; the judged runs written. Everything is read
    and checked before the first judge call."""
    planned = [run for run in (plan_run(path, stamp) for path, stamp in find_runs(folders)) if run]
    if not planned:
        judged_families = ", ".join(f.title for f in families() if f.judge is not None)
        raise JudgeInputError(f"none of the lm-eval runs found has a judge-scored task ({judged_families})")
    cache = JudgeCache(enabled=cache_enabled)

    async def run_all() -> list[JudgedRun]:
        transport = OpenAICompatibleJudge(config)
        try:
            return [await judge_run(run, transport, cache, seed=seed) for run in planned]
        finally:
            await transport.aclose()

    return asyncio.run(run_all())
