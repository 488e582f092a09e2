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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cultureval.errors import InputError
from cultureval.families import JudgeHook, families, family_of, judge_of, table_of
from cultureval.judge import JudgeCache, JudgeConfig, OpenAICompatibleJudge
from cultureval.metrics.aggregate import nan_to_none
from cultureval.runs import LmEvalOutput, Run, Sample, read_runs

logger = logging.getLogger(__name__)

FILTER = "none"


def _response(sample: Sample) -> str:
    """The generated text of a logged ``generate_until`` sample."""
    if sample.answer is None:
        raise InputError(f"{sample.where}: no generated text in filtered_resps/resps")
    return sample.answer


async def _judge_samples(hook, transport, cache, samples: list[Sample]) -> tuple[list[dict], list[dict]]:
    """Ask the judge about every sample (concurrently, bounded by the transport); the items'
    records and their judged-samples lines, in sample order."""
    from tqdm.asyncio import tqdm_asyncio

    async def one(sample: Sample):
        record, line = await hook.judge_item(transport, cache, sample.doc, _response(sample))
        return record, {"doc_id": sample.doc_id} | line

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


@dataclass
class PlannedRun:
    """One lm-eval run to judge: its results, and per judged task the logged samples."""

    results_path: Path
    stamp: str
    results: dict
    samples: dict[str, list[Sample]]
    hooks: dict[str, JudgeHook]


@dataclass
class JudgedRun:
    path: Path  # the results_judged_*.json written
    results: dict  # its content
    n_judged: int  # judgements that were read, over all tasks
    n_items: int
    records: dict[str, list[dict]]  # per judged task, its items' records (yardsticks)


def plan_run(output: LmEvalOutput, runs: list[Run]) -> PlannedRun:
    """Read one lm-eval run and every sample its judged tasks need, before any judge call: a
    missing samples file or an unreadable line is an error now, not after the judge was paid."""
    hooks: dict[str, JudgeHook] = {}
    for run in runs:
        hook = judge_of(run.task)
        if hook is None:  # plan_runs passes judged tasks only
            raise ValueError(f"{run.task} has no judge")
        hooks[run.task] = hook
    samples = {run.task: list(run.samples()) for run in runs}
    for found in samples.values():
        for sample in found:
            _response(sample)  # every sample has its generated text, checked before the first call
    for hook in {id(h): h for h in hooks.values()}.values():
        if hook.preflight is not None:
            hook.preflight()
    return PlannedRun(output.results_file, output.stamp, output.read(original=True), samples, hooks)


def _record_judge(results: dict, task: str, judge: str, prompt_version: str) -> None:
    """The judge in the task's provenance block (``configs.<task>.metadata.cultureval.judge``),
    where the run's other identity fields are."""
    config = (results.get("configs") or {}).get(task)
    if isinstance(config, dict):
        block = (config.setdefault("metadata", {}) or {}).setdefault("cultureval", {})
        if isinstance(block, dict):
            block["judge"] = {"name": judge, "prompt_version": prompt_version}


def _family_name(task: str) -> str:
    owner = family_of(task)
    return owner.name if owner is not None else task


async def judge_run(run: PlannedRun, transport, cache: JudgeCache, seed: int = 0) -> JudgedRun:
    """Judge one planned run and write ``results_judged_<stamp>.json`` beside it."""
    results = run.results
    report = {
        "judge": transport.name,
        "judge_model": getattr(getattr(transport, "config", None), "model", None),
        "prompt_versions": {_family_name(task): hook.prompt_version for task, hook in run.hooks.items()},
        "tasks": {},
    }
    n_judged = n_items = 0
    all_records = {}
    for task, hook in run.hooks.items():
        samples = run.samples[task]
        hits_before = cache.hits
        records, lines = await _judge_samples(hook, transport, cache, samples)
        all_records[task] = records
        table = table_of(task)
        if table.summary is None:  # a judged family's table sums its judged records up
            raise ValueError(f"{task}: the metric table of a judged task has no summary")
        _write_metrics(results["results"][task], table.summary(records, seed=seed))
        _record_judge(results, task, transport.name, hook.prompt_version)
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
    if cache.write_error:
        report["cache_write_error"] = cache.write_error
    results["cultureval_judge"] = report
    target = run.results_path.parent / f"results_judged_{run.stamp}.json"
    target.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return JudgedRun(target, results, n_judged, n_items, all_records)


def plan_runs(folders: list[Path]) -> list[PlannedRun]:
    """Every lm-eval run under ``folders`` (:func:`cultureval.runs.read_runs`) that has a
    judge-scored task, read and checked. Inspect logs are left alone (Inspect judges inside the
    run, with a grader model role)."""
    by_output: dict[LmEvalOutput, list[Run]] = {}
    found_lm_eval = False
    for run in read_runs(folders):
        found_lm_eval = found_lm_eval or run.output is not None
        if run.output is not None and judge_of(run.task) is not None:
            by_output.setdefault(run.output, []).append(run)
    if not found_lm_eval:
        raise InputError(f"no lm-eval results_*.json under {', '.join(map(str, folders))}")
    if not by_output:
        judged_families = ", ".join(f.title for f in families() if f.judge is not None)
        raise InputError(f"none of the lm-eval runs found has a judge-scored task ({judged_families})")
    return [plan_run(output, runs) for output, runs in by_output.items()]


def task_problems(judged: list[JudgedRun]) -> list[str]:
    """One line per judged task that must not pass silently: a task whose samples got no
    judgement at all, or one where most judge requests failed (``"<task> in <file>: 5 of 6
    judgements failed (transport 5)"``). Empty when every task was judged well enough."""
    problems = []
    for run in judged:
        for task, info in run.results["cultureval_judge"]["tasks"].items():
            failed = sum(info["failures"].values())
            if not failed or (info["n_judged"] and failed * 2 <= info["n_samples"]):
                continue
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(info["failures"].items()))
            what = "no judgement" if not info["n_judged"] else "most judgements failed"
            problems.append(
                f"{task} in {run.path}: {what}: {failed} of {info['n_samples']} judgements failed ({kinds})"
            )
    return problems


def judge_outputs(
    folders: list[Path], config: JudgeConfig, cache_enabled: bool = True, seed: int = 0
) -> list[JudgedRun]:
    """Judge every lm-eval run under ``folders``; the judged runs written. Everything is read
    and checked before the first judge call."""
    planned = plan_runs(folders)
    cache = JudgeCache(enabled=cache_enabled)

    async def run_all() -> list[JudgedRun]:
        transport = OpenAICompatibleJudge(config)
        try:
            return [await judge_run(run, transport, cache, seed=seed) for run in planned]
        finally:
            await transport.aclose()

    return asyncio.run(run_all())
