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
from cultureval.metrics import softmax_logprobs
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


# ------------------------------------------------------------------------------ logged samples


def _flatten_text(value) -> list[str]:
    """Every string in a (nested) list of lm-eval responses, in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _flatten_text(item)]
    return []


def _choice_logprobs(sample: dict) -> list[float] | None:
    """A multiple_choice sample's log-likelihood per choice (``filtered_resps``: one
    ``[loglikelihood, is_greedy]`` per choice; ``resps``: the same wrapped once more)."""
    arguments = sample.get("arguments")
    if not isinstance(arguments, dict) or "gen_args_1" not in arguments:
        return None
    found = []
    for response in sample.get("filtered_resps") or sample.get("resps") or []:
        while isinstance(response, list) and response and isinstance(response[0], list):
            response = response[0]
        value = number(response[0]) if isinstance(response, list) and response else None
        if value is None:
            return None
        found.append(value)
    return found or None


def normalise_sample(sample: dict, judged: dict | None = None) -> dict:
    """One lm-eval sample line as the harness-neutral sample a :class:`Run` carries: ``id``,
    ``doc``, ``prompt`` (what the model read), ``outputs`` (generated texts; empty for
    log-likelihood tasks), ``choice_logprobs`` (multiple_choice: one per choice), ``choices``,
    ``values`` (the item's logged metric values), ``record`` (its judged-samples line, or the
    record ``cultureval score`` logged),
    ``model_distribution`` (multiple_choice: the softmax over ``choice_logprobs``)."""
    arguments = sample.get("arguments") if isinstance(sample.get("arguments"), dict) else {}
    first = arguments.get("gen_args_0") or {}
    logprobs = _choice_logprobs(sample)
    choices = [str((arguments[key] or {}).get("arg_1", "")) for key in sorted(arguments)] if logprobs else None
    return {
        "id": str(sample.get("doc_id", "")),
        "doc": sample.get("doc") if isinstance(sample.get("doc"), dict) else {},
        "prompt": str(first.get("arg_0", "")) if isinstance(first, dict) else "",
        "outputs": [] if logprobs else _flatten_text(sample.get("filtered_resps") or sample.get("resps")),
        "choice_logprobs": logprobs,
        "choices": choices,
        "values": {name: sample.get(name) for name in sample.get("metrics") or [] if name in sample},
        # the item's whole record where the run logged one: the judge's line (judged runs) or
        # the scored record (``cultureval score``)
        "record": judged if judged is not None else sample.get("record"),
        # multiple_choice: the softmax over the choices' log-likelihoods, as the tasks score it
        # (a baseline logs its predicted distribution itself)
        "model_distribution": softmax_logprobs(logprobs) if logprobs else sample.get("baseline_distribution"),
    }


def _judged_lines(parent: Path, task: str, stamp: str) -> dict[str, dict]:
    """``samples_judged_<task>_<stamp>.jsonl`` (what ``cultureval judge`` wrote) by doc id."""
    path = parent / f"samples_judged_{task}_{stamp}.jsonl"
    if not path.is_file():
        return {}
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(line.get("doc_id")): line for line in lines}


def _run_files(folder: Path) -> list[tuple[Path, Path, str]]:
    """``(folder, results file, stamp)`` per lm-eval run; a judged file supersedes its run's."""
    files = sorted(folder.rglob("results_*.json")) if folder.is_dir() else [folder]
    by_stamp: dict[tuple[Path, str], Path] = {}
    for path in files:
        match = _RESULTS_RE.match(path.name)
        if match and (match.group("judged") or (path.parent, match.group("stamp")) not in by_stamp):
            by_stamp[(path.parent, match.group("stamp"))] = path
    return [(parent, path, stamp) for (parent, stamp), path in sorted(by_stamp.items())]


def _items(samples_path: Path, task: str, judged: dict[str, dict]) -> tuple[list[dict], list[dict]]:
    """The report's per-item records and the normalised samples of one samples file."""
    items, samples = [], []
    for line in samples_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sample = json.loads(line)
            samples.append(normalise_sample(sample, judged.get(str(sample.get("doc_id")))))
            record = _item(task, sample.get("doc") or {}, sample)
            if record:
                items.append(record)
    return items, samples


def _epoch(value) -> float | None:
    """A results file's ``date`` as epoch seconds: lm-eval writes a number; older
    ``cultureval baseline`` files wrote ``%Y-%m-%dT%H-%M-%S.%f`` (UTC)."""
    if number(value) is not None:
        return number(value)
    from datetime import datetime, timezone

    for layout in ("%Y-%m-%dT%H-%M-%S.%f", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            parsed = datetime.strptime(str(value), layout)
        except ValueError:
            continue
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()
    return None


def _harness(results: dict, model: str) -> str:
    """What wrote an lm-eval-format results file: lm-eval, ``cultureval baseline`` or
    ``cultureval score``."""
    if model.startswith("baseline/"):
        return "baseline"
    return "score" if results.get("cultureval_score") else "lm-eval"


def _lm_eval_info(results: dict, task: str) -> dict:
    """How an lm-eval (or baseline) run of ``task`` was made, as its results file says."""
    config = results.get("config") or {}
    task_config = (results.get("configs") or {}).get(task) or {}
    judge = results.get("cultureval_judge") or {}
    owner = family_of(task)
    info = {
        "harness_version": str(results.get("lm_eval_version") or ""),
        "evaluated_at": _epoch(results.get("date")),
        "model_engine": str(config.get("model") or ""),
        # lm-eval records the transformers version beside its own (the engine of hf runs)
        "engine_version": str(results.get("transformers_version") or ""),
        "model_args": config.get("model_args"),
        "output_type": task_config.get("output_type"),
        "generation": task_config.get("generation_kwargs") or {},
        "repeats": task_config.get("repeats"),
        "num_fewshot": (results.get("n-shot") or {}).get(task, task_config.get("num_fewshot")),
        "n_original": ((results.get("n-samples") or {}).get(task) or {}).get("original"),
        "status": "success",
    }
    if judge and owner is not None and task in (judge.get("tasks") or {}):
        info["judge"] = {
            "name": judge.get("judge"),
            "model": judge.get("judge_model"),
            "prompt_version": (judge.get("prompt_versions") or {}).get(owner.name),
            "failures": (judge["tasks"][task] or {}).get("failures"),
        }
    if results.get("cultureval_baseline"):
        info["baseline"] = results["cultureval_baseline"]
    return info


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
            judged = _judged_lines(parent, task, stamp) if path.name.startswith("results_judged_") else {}
            items, samples = _items(found, task, judged) if found else (None, None)
            if items is None and _wants_items(task):
                notes.append(
                    f"{path}: no samples_{task}_{stamp}.jsonl (run lm-eval with --log_samples): per-country figures "
                    f"skip {model} on {task}"
                )
            block = (((results.get("configs") or {}).get(task) or {}).get("metadata") or {}).get("cultureval") or {}
            runs.append(
                Run(
                    model=model,
                    harness=_harness(results, model),
                    task=task,
                    metrics={key.split(",")[0]: number(value) for key, value in entry.items() if "," in key},
                    n=((results.get("n-samples") or {}).get(task) or {}).get("effective"),
                    items=items,
                    source=str(path),
                    version=_version(block),
                    rendering=_rendering(block.get("rendering")),
                    limit=limit,
                    model_path=model_path,
                    model_revision=revision,
                    cultureval_version=str(block.get("cultureval_version") or ""),
                    samples=samples,
                    provenance=block,
                    run_info=_lm_eval_info(results, task),
                )
            )
    return runs


def _inspect_sample(sample, score) -> dict:
    """One Inspect sample as the harness-neutral sample of :func:`normalise_sample`; its values
    are the item's record (:func:`cultureval.scorers.records.record_of`)."""
    from cultureval.scorers.records import record_of

    metadata = sample.metadata or {}
    prompt = sample.input if isinstance(sample.input, str) else "\n".join(str(m.text) for m in sample.input)
    output = sample.output.completion if sample.output is not None else ""
    return {
        "id": str(sample.id),
        "doc": metadata.get("doc") if isinstance(metadata.get("doc"), dict) else {},
        "prompt": prompt,
        "outputs": [output] if output else [],
        "choice_logprobs": None,
        "choices": None,
        "values": record_of(score) if score is not None else {},
        "record": record_of(score) if score is not None else None,
        "model_distribution": (score.metadata or {}).get("model_distribution") if score is not None else None,
    }


def _inspect_info(log, task: str) -> dict:
    """How an Inspect run was made, as its log says."""
    from datetime import datetime

    spec = log.eval
    generation = log.plan.config.model_dump(exclude_none=True) if log.plan else {}
    roles = spec.model_roles or {}
    info = {
        "harness_version": str((spec.packages or {}).get("inspect_ai", "")),
        "evaluated_at": datetime.fromisoformat(str(spec.created)).timestamp() if spec.created else None,
        "model_engine": str(spec.model).partition("/")[0],
        "model_args": spec.model_args or {},
        "generation": generation | spec.model_generate_config.model_dump(exclude_none=True),
        "epochs": getattr(spec.config, "epochs", None),
        "n_original": spec.dataset.samples if spec.dataset else None,
        "status": log.status,
    }
    owner = family_of(task)
    grader = roles.get("grader")
    if grader is not None and owner is not None and owner.judge is not None:
        grader = grader[0] if isinstance(grader, list) else grader
        info["judge"] = {
            "name": f"inspect/{grader.model}",
            "model": grader.model,
            "prompt_version": owner.judge.prompt_version,
        }
    return info


def _inspect_run(file: str, log, notes: list[str]) -> Run:
    task = log.eval.task.split("/")[-1]
    if log.status != "success":
        notes.append(f"{file}: Inspect log status {log.status!r}: {task} on {log.eval.model} is partial")
    metrics: dict[str, float | None] = {}
    for score in log.results.scores if log.results else []:
        for name, metric in score.metrics.items():
            metrics[name] = number(metric.value)
    items, renderings, samples = [], set(), []
    for sample in log.samples or []:
        renderings.add((sample.metadata or {}).get("rendering"))
        score = next(iter((sample.scores or {}).values()), None)
        samples.append(_inspect_sample(sample, score))
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
        source=file,
        version=_version(block),
        rendering=_rendering(resolved.pop() if len(resolved) == 1 else block.get("rendering")),
        limit=number(getattr(log.eval.config, "limit", None)),
        model_path=model_path,
        cultureval_version=str(block.get("cultureval_version") or ""),
        samples=samples,
        provenance=block,
        run_info=_inspect_info(log, task),
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
