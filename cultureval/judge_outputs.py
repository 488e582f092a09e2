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
from pathlib import Path

from cultureval.families import JudgeHook, families, family_of, table_of
from cultureval.judge import JudgeCache, JudgeConfig, OpenAICompatibleJudge
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
        owner = family_of(task)
        if owner is not None and owner.judge is not None and task not in results.get("group_subtasks", {}):
            found[task] = owner.judge
    return found


async def judge_run(results_path: Path, stamp: str, transport, cache: JudgeCache, seed: int = 0) -> Path | None:
    """Judge one lm-eval run; returns the path of the judged results file (``None`` when the
    run has no judge-scored task)."""
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise JudgeInputError(f"{results_path}: not a readable lm-eval results file ({error})") from None
    judged = _judged_tasks(results)
    if not judged:
        logger.info("%s: no judge-scored task", results_path)
        return None
    report = {
        "judge": transport.name,
        "prompt_versions": {family_of(task).name: hook.prompt_version for task, hook in judged.items()},
        "tasks": {},
    }
    for task, hook in judged.items():
        samples_path = results_path.parent / f"samples_{task}_{stamp}.jsonl"
        if not samples_path.is_file():
            raise JudgeInputError(f"{samples_path}: missing; rerun lm-eval with --log_samples to judge {task}")
        samples = read_samples(samples_path)
        hits_before = cache.hits
        records, lines = await _judge_samples(hook, transport, cache, samples)
        _write_metrics(results["results"][task], table_of(task).summary(records, seed=seed))
        failures: dict[str, int] = {}
        for line in lines:
            if line.get("failure"):
                failures[line["failure"]] = failures.get(line["failure"], 0) + 1
        report["tasks"][task] = {
            "n_samples": len(samples),
            "failures": failures,
            "cache_hits": cache.hits - hits_before,
        }
        judged_samples = results_path.parent / f"samples_judged_{task}_{stamp}.jsonl"
        judged_samples.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    _group_means(results, judged)
    results["cultureval_judge"] = report
    target = results_path.parent / f"results_judged_{stamp}.json"
    target.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return target


def judge_outputs(folders: list[Path], config: JudgeConfig, cache_enabled: bool = True, seed: int = 0) -> list[Path]:
    """Judge every lm-eval run under ``folders``; the judged results files written."""
    runs = find_runs(folders)
    cache = JudgeCache(enabled=cache_enabled)

    async def run_all() -> list[Path]:
        transport = OpenAICompatibleJudge(config)
        try:
            written = []
            for results_path, stamp in runs:
                target = await judge_run(results_path, stamp, transport, cache, seed=seed)
                if target:
                    written.append(target)
            return written
        finally:
            await transport.aclose()

    written = asyncio.run(run_all())
    if not written:
        judged_families = ", ".join(f.title for f in families() if f.judge is not None)
        raise JudgeInputError(f"none of {len(runs)} lm-eval runs has a judge-scored task ({judged_families})")
    return written
