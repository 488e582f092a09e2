"""``cultureval judge``: score lm-eval's logged generations with a judge, after the run.

lm-eval runs the judge-scored tasks as plain generation (with ``--log_samples``). This step
finds each ``results_<timestamp>.json`` under the given folders, reads the matching
``samples_<task>_<timestamp>.jsonl`` of the judge-scored tasks (``wvs_polarity_*``,
``culturebank_*``), asks the judge about every response, and writes next to the original:

* ``results_judged_<timestamp>.json`` — the original results file (lm-eval's schema) with the
  judged metrics added to each task's entry as ``"<metric>,none"`` and to the groups
  ``wvs_polarity`` / ``culturebank`` as unweighted means over their tasks; the judge model,
  prompt versions and failure counts under ``cultureval_judge``;
* ``samples_judged_<task>_<timestamp>.jsonl`` — one line per sample: ``doc_id`` and the
  judge's labels or score, for per-item analysis and the report.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from pathlib import Path

from cultureval import judge as judges

logger = logging.getLogger(__name__)

JUDGED_PREFIXES = ("wvs_polarity_", "culturebank_")
_RESULTS_RE = re.compile(r"^results_(?!judged_)(?P<stamp>.+)\.json$")
FILTER = "none"
GROUP_MEANS = {
    "wvs_polarity": ("spearman_language", "spearman_global", "us_bias", "self_consistency", "judge_parse_rate"),
    "culturebank": ("entailment_score", "entail_rate", "judge_parse_rate"),
}


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


async def _judge_wvs(transport, cache, samples: list[dict]) -> tuple[list[dict], list[dict]]:
    from cultureval.tasks.wvs_polarity.utils import response_record

    async def one(sample: dict):
        doc, response = sample["doc"], _response(sample)
        judgement = await judges.judge_polarity(transport, response, doc["pro_statement"], doc["con_statement"], cache=cache)
        record = response_record(doc, response) | {
            "n_pro": judgement.n_pro,
            "n_con": judgement.n_con,
            "parsed": judgement.labels is not None,
        }
        line = {"doc_id": sample.get("doc_id"), "question_key": doc["question_key"]} | judgement.as_dict()
        return record, line

    pairs = await _gather(one, samples)
    return [p[0] for p in pairs], [p[1] for p in pairs]


async def _judge_culturebank(transport, cache, samples: list[dict]) -> tuple[list[dict], list[dict]]:
    async def one(sample: dict):
        doc = sample["doc"]
        judgement = await judges.judge_entailment(
            transport, doc["eval_question"], _response(sample), doc["eval_whole_desc"], cache=cache
        )
        record = {"score": judgement.score, "topic": doc["topic"], "cultural_group": doc["cultural_group"]}
        line = {"doc_id": sample.get("doc_id"), "topic": doc["topic"], "cultural_group": doc["cultural_group"]}
        return record, line | judgement.as_dict()

    pairs = await _gather(one, samples)
    return [p[0] for p in pairs], [p[1] for p in pairs]


async def _gather(function, samples: list[dict]) -> list:
    from tqdm.asyncio import tqdm_asyncio

    return await tqdm_asyncio.gather(*(function(sample) for sample in samples), desc="judging", leave=False)


def _jsonable(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _write_metrics(entry: dict, metrics: dict) -> None:
    for name, value in metrics.items():
        entry[f"{name},{FILTER}"] = _jsonable(value)


async def judge_run(results_path: Path, stamp: str, transport, cache: judges.JudgeCache, seed: int = 0) -> Path | None:
    """Judge one lm-eval run; returns the path of the judged results file (``None`` when the
    run has no judge-scored task)."""
    from cultureval.tasks.culturebank.utils import summarise as summarise_culturebank
    from cultureval.tasks.wvs_polarity.utils import summarise as summarise_wvs

    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise JudgeInputError(f"{results_path}: not a readable lm-eval results file ({error})") from None
    tasks = [name for name in results.get("results", {}) if name.startswith(JUDGED_PREFIXES)]
    if not tasks:
        logger.info("%s: no judge-scored task (%s)", results_path, ", ".join(JUDGED_PREFIXES))
        return None
    report = {
        "judge": transport.name,
        "prompt_versions": {"wvs_polarity": judges.POLARITY_PROMPT_VERSION, "culturebank": judges.ENTAILMENT_PROMPT_VERSION},
        "tasks": {},
    }
    for task in tasks:
        samples_path = results_path.parent / f"samples_{task}_{stamp}.jsonl"
        if not samples_path.is_file():
            raise JudgeInputError(f"{samples_path}: missing; rerun lm-eval with --log_samples to judge {task}")
        samples = read_samples(samples_path)
        hits_before = cache.hits
        if task.startswith("wvs_polarity_"):
            records, lines = await _judge_wvs(transport, cache, samples)
            metrics = summarise_wvs(records, task.rsplit("_", 1)[1], seed=seed)
        else:
            records, lines = await _judge_culturebank(transport, cache, samples)
            metrics = summarise_culturebank(records)
        _write_metrics(results["results"][task], metrics)
        failures: dict[str, int] = {}
        for line in lines:
            if line.get("failure"):
                failures[line["failure"]] = failures.get(line["failure"], 0) + 1
        report["tasks"][task] = {"n_samples": len(samples), "failures": failures, "cache_hits": cache.hits - hits_before}
        judged_samples = results_path.parent / f"samples_judged_{task}_{stamp}.jsonl"
        judged_samples.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    for group, names in GROUP_MEANS.items():
        members = [task for task in results.get("group_subtasks", {}).get(group, []) if task in results["results"]]
        if group in results["results"] and members:
            for name in names:
                values = [results["results"][task].get(f"{name},{FILTER}") for task in members]
                defined = [v for v in values if isinstance(v, (int, float))]
                results["results"][group][f"{name},{FILTER}"] = (
                    sum(defined) / len(defined) if defined and len(defined) == len(values) else None
                )
    results["cultureval_judge"] = report
    target = results_path.parent / f"results_judged_{stamp}.json"
    target.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return target


def judge_outputs(folders: list[Path], config: judges.JudgeConfig, cache_enabled: bool = True, seed: int = 0) -> list[Path]:
    """Judge every lm-eval run under ``folders``; the judged results files written."""
    runs = find_runs(folders)
    cache = judges.JudgeCache(enabled=cache_enabled)

    async def run_all() -> list[Path]:
        transport = judges.OpenAICompatibleJudge(config)
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
        raise JudgeInputError(
            f"none of {len(runs)} lm-eval runs has a judge-scored task ({', '.join(p + '*' for p in JUDGED_PREFIXES)})"
        )
    return written
