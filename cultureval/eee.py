"""``cultureval export``: runs as Every Eval Ever (EEE) records, schema 0.3.0.

EEE (evaleval/every_eval_ever; the schema files ship in ``cultureval/schemas/every_eval_ever``)
stores one *evaluation record* per model × evaluation (``eval.schema.json``) and, beside it,
one JSONL file of *instance records*, one per item and scored result
(``instance_level_eval.schema.json``). This module builds both from the runs as
:mod:`cultureval.runs` reads them and the report ranks them (:func:`cultureval.report.ranked_runs`,
whose rows ``cultureval report`` writes to ``summary.json``): every number exported is a number
of ``summary.json``, every item a logged sample of the run (:meth:`cultureval.runs.Run.samples`).

What is exported from what the run recorded:

- the model (the run's model, or the Hub id given with ``--model-id`` for a local folder, an
  adapter, an outside model's name), its engine and version, the adapter;
- the harness and its version, when the run was evaluated, cultureval's version;
- the dataset: Hub id, file and revision, or URL and revision, or the local path; its sha256,
  the subset, whether it is a partial copy; the item count;
- per metric of kind ``score`` (:class:`cultureval.metric_table.Metric`): its value, direction,
  bounds, standard error and its method, confidence interval and its method, items; counts and
  diagnostics (parse rates, coverage) go into the result's ``details``, never as scores;
- the rendering and generation settings; for judged tasks the judge model and prompt version.

What a run cannot say — who publishes the record (``--organization``), the evaluator's relation
to the model (``--evaluator-relationship``) and whether the weights are public
(``--model-availability``, default ``unknown``) — comes from the command line.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cultureval.errors import InputError
from cultureval.families import family_of, judge_of, table_of
from cultureval.metric_table import COUNT, DIAGNOSTIC, SCORE, Metric
from cultureval.publish import AVAILABILITY, RELATIONSHIPS
from cultureval.runs import Run, Sample

if TYPE_CHECKING:
    from cultureval.report import RankedRun

SCHEMA_VERSION = "0.3.0"
# providers whose model runs on the evaluator's machine (Inspect's names, lm-eval's model types)
LOCAL_ENGINES = {"hf": "transformers", "vllm": "vllm", "sglang": "sglang", "transformers": "transformers"}
LOCAL_ENGINES |= {"hf-auto": "transformers", "huggingface": "transformers", "vllm-vlm": "vllm"}
LIBRARIES = {"lm-eval": "lm_eval", "inspect": "inspect_ai", "baseline": "cultureval", "score": "cultureval"}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class ExportError(InputError):
    """A run cannot be exported as it is (the message says what to add); exit 2."""


@dataclass
class ExportOptions:
    """What the runs cannot say: the publisher, its relation to the models, the models' Hub ids
    (``model_ids``: run model name -> Hub id; ``default_model_id`` when one model is exported)."""

    organization: str
    evaluator_relationship: str
    model_availability: str = "unknown"
    model_ids: dict[str, str] = field(default_factory=dict)
    default_model_id: str = ""
    retrieved: float = field(default_factory=time.time)


def _strings(mapping: dict) -> dict[str, str]:
    """EEE's ``additional_details``: every value a string (lists and dicts as JSON)."""
    out = {}
    for key, value in mapping.items():
        if value is None or value == "" or value == {}:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # counts read back from JSON as floats
        out[str(key)] = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return out


_SECRET = re.compile(r"key|token|secret|password|auth", re.IGNORECASE)


def public_args(args) -> dict | str | None:
    """Model arguments without anything that may be a secret (``api_key=``, ``token``, ...):
    lm-eval's ``k=v,k=v`` string or Inspect's ``-M`` dict."""
    if isinstance(args, str):
        kept = [item for item in args.split(",") if not _SECRET.search(item.partition("=")[0])]
        return ",".join(kept) or None
    if isinstance(args, dict):
        return {key: value for key, value in args.items() if not _SECRET.search(str(key))} or None
    return None


def model_id(run: Run, options: ExportOptions) -> str:
    """The model's id in Hugging Face form (``org/name``). A Hub id or hosted ``provider/model``
    the run recorded is used as is; a local folder, an adapter or an outside model's bare name
    needs ``--model-id`` (:class:`ExportError` otherwise: a folder name is not an id)."""
    if run.model in options.model_ids:
        return options.model_ids[run.model]
    if run.harness == "baseline":
        return "cultureval/" + run.model.replace("/", "-")
    if options.default_model_id:
        return options.default_model_id
    local = bool(run.model_path) and Path(run.model_path).expanduser().exists()
    if "+" not in run.model and _HUB_ID.match(run.model) and not local:
        return run.model
    raise ExportError(
        f"{run.source}: model {run.model!r} (recorded as {run.model_path or run.model!r}) has no Hub id; "
        f"give one with --model-id {run.model}=ORG/NAME"
    )


def _model_info(run: Run, options: ExportOptions) -> dict:
    engine = run.engine
    identity = model_id(run, options)
    details = {
        "deployment_type": "self_deployed" if engine in LOCAL_ENGINES or run.harness == "baseline" else "unknown",
        "model_availability": options.model_availability,
    }
    if engine and engine not in LOCAL_ENGINES and run.harness == "inspect":
        details["deployment_type"] = "externally_managed"  # a hosted provider (openai/..., anthropic/...)
    details |= _strings(
        {
            "recorded_as": run.model_path + (f" + {run.adapter}" if run.adapter else ""),
            "base_model": run.model_path if run.adapter else "",
            "adapter": run.adapter,
            "model_revision": run.model_revision,
            "model_args": None if run.harness == "baseline" else public_args(run.model_args),
            "baseline": run.model_args if run.harness == "baseline" else None,
        }
    )
    result: dict[str, Any] = {"name": run.model, "id": identity, "additional_details": details}
    if "/" in identity:
        result["developer"] = identity.split("/")[0]
    if engine in LOCAL_ENGINES:
        result["inference_engine"] = {"name": LOCAL_ENGINES[engine]}
        if LOCAL_ENGINES[engine] == "transformers" and run.engine_version not in ("", "N/A"):
            result["inference_engine"]["version"] = run.engine_version
        result["inference_platform"] = "local"
    elif engine and run.harness == "inspect":
        result["inference_platform"] = engine
    return result


def source_data(run: Run) -> dict:
    """EEE's ``source_data`` from the run's recorded data source: a Hub dataset (repo, split,
    revision, file), a pinned URL, or a local copy (path); each with its sha256."""
    data = (run.provenance or {}).get("data_source") or {}
    name = str(data.get("dataset") or run.task)
    subset = data.get("subset")
    dataset_name = f"{name} ({subset})" if subset and subset != "all" else name
    location = str(data.get("location") or "")
    details = _strings(
        {
            "sha256": data.get("sha256"),
            "revision": data.get("revision"),
            "partial": "true" if data.get("partial") else "",
            "skipped": data.get("skipped") or None,
            "notes": data.get("notes") or None,
            "task_version": (run.provenance or {}).get("task_version"),
        }
    )
    if location.startswith("hf://datasets/"):
        repo_and_file = location.removeprefix("hf://datasets/").split("/")
        result: dict[str, Any] = {
            "source_type": "hf_dataset",
            "hf_repo": "/".join(repo_and_file[:2]),
            "hf_split": "test",
        }
        details["file"] = "/".join(repo_and_file[2:])
    elif location.startswith(("http://", "https://")):
        result = {"source_type": "url", "url": [location]}
    else:
        result = {"source_type": "other"}
        if location:
            details["location"] = location
    result["dataset_name"] = dataset_name
    n_docs = (run.provenance or {}).get("n_docs")  # every document of the split (cultureval.identity)
    if isinstance(n_docs, int) and not isinstance(n_docs, bool) and result["source_type"] == "hf_dataset":
        result["samples_number"] = n_docs
    if details:
        result["additional_details"] = details
    return result


def _bound(value: float) -> float | str:
    return ("Infinity" if value > 0 else "-Infinity") if math.isinf(value) else value


def judge_info(run: Run) -> dict | None:
    """The judge of a judged run as the run recorded it: ``name`` (the transport, or Inspect's
    grader model), ``model``, ``prompt_version`` and ``failures`` (``cultureval judge``'s count
    per kind). From the provenance block's ``judge`` (both harnesses) and, for lm-eval runs
    judged by ``cultureval judge``, its ``cultureval_judge`` block (:attr:`cultureval.runs.Run.judge`);
    ``None`` for a run no judge scored."""
    owner = family_of(run.task)
    block = (run.provenance or {}).get("judge")
    block = block if isinstance(block, dict) else {}
    report = run.judge if isinstance(run.judge, dict) else {}
    if not block and not report:
        return None
    task = (report.get("tasks") or {}).get(run.task) or {}
    versions = report.get("prompt_versions") or {}
    return {
        "name": block.get("name") or report.get("judge"),
        "model": report.get("judge_model") or block.get("name"),
        "prompt_version": block.get("prompt_version") or (versions.get(owner.name) if owner else None),
        "failures": task.get("failures") or None,
    }


def _judge(run: Run, options: ExportOptions) -> dict | None:
    """EEE's ``llm_scoring`` for a judged task: the judge model and prompt (template, version)."""
    hook = judge_of(run.task)
    judge = judge_info(run)
    if hook is None or not judge:
        return None
    name = str(judge.get("model") or judge.get("name") or "unknown")
    details = {"deployment_type": "unknown", "model_availability": "unknown"}
    judge_model = {"name": name, "id": name, "additional_details": details | _strings({"transport": judge["name"]})}
    prompt = hook.prompt() if hook.prompt is not None else ""
    return {
        "judges": [{"model_info": judge_model}],
        "input_prompt": prompt or f"(prompt version {judge.get('prompt_version')})",
        "additional_details": _strings(
            {"prompt_version": judge.get("prompt_version"), "failures": judge.get("failures")}
        ),
    }


def _bounds(metric: Metric) -> tuple[float, float]:
    """A scored metric's bounds (every ``score`` metric declares them: :class:`Metric`)."""
    if metric.bounds is None:
        raise ValueError(f"metric {metric.name}: a score without bounds cannot be exported")
    return metric.bounds


def _metric_config(metric: Metric, name: str, run: Run, options: ExportOptions) -> dict:
    owner = family_of(run.task)
    if owner is None:
        raise ValueError(f"{run.task}: not a cultureval task")
    table = table_of(run.task)
    config = {
        "evaluation_description": metric.description,
        "metric_id": f"cultureval.{owner.name}.{metric.name}",
        "metric_name": name,
        "lower_is_better": not metric.higher_is_better,
        "score_type": "continuous",
        "min_score": _bound(_bounds(metric)[0]),
        "max_score": _bound(_bounds(metric)[1]),
        "additional_details": _strings(
            {
                "headline": "true" if name == table.headline else "",
                "leaderboard": "true" if name == table.leaderboard_metric else "",
                "family": owner.title,
            }
        ),
    }
    parameters = metric.parameters(name)
    if parameters:
        config["metric_parameters"] = parameters
    judge = _judge(run, options)
    if judge:
        config["llm_scoring"] = judge
    return config


def run_details(run: Run) -> dict[str, str]:
    """What stands beside every score of a run: its counts and diagnostics (by their metric
    table's kind), the rendering and the limit."""
    table = table_of(run.task)
    details: dict[str, Any] = {}
    for name, value in run.metrics.items():
        described = table.describe(name)
        if described is not None and described.kind in (COUNT, DIAGNOSTIC) and value is not None:
            details[name] = value
        elif described is None and name.startswith("n_") and value is not None:
            details[name] = value  # counts a writer adds beside the table (n_skipped_*, n_rows_*)
    details |= {"rendering": run.rendering, "limit": run.limit, "items": run.n}
    return _strings(details)


def generation_config(run: Run) -> dict:
    """The generation settings the harness recorded, and how the answer was elicited."""
    generation = dict(run.generation)
    repeats = generation.pop("repeats", None)
    epochs = generation.pop("epochs", None)
    args = {}
    for key, target in (("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k")):
        if isinstance(generation.get(key), (int, float)):
            args[target] = generation.pop(key)
    tokens = generation.pop("max_gen_toks", None) or generation.pop("max_tokens", None)
    if isinstance(tokens, int) and tokens >= 1:
        args["max_tokens"] = tokens
    details = {
        "rendering": (run.provenance or {}).get("rendering"),
        "output_type": run.output_type,
        "repeats": repeats,
        "shots": run.shots or None,
        "epochs": epochs,
        "other_generation_settings": generation or None,
    }
    if run.output_type == "multiple_choice":
        details["elicitation"] = "softmax over the option letters' log-likelihoods"
    result = {"additional_details": _strings(details)}
    if args:
        result["generation_args"] = args
    return result


SCHEMAS = Path(__file__).parent / "schemas" / "every_eval_ever"


@cache
def _validator(name: str):
    import jsonschema

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def validate(record: dict, instance: bool = False) -> None:
    """Check ``record`` against EEE's schema (the evaluation record's, or with ``instance`` the
    instance record's; the 0.3.0 files ship in ``cultureval/schemas/every_eval_ever``).
    Raises :class:`ExportError` naming the first field that breaks it."""
    validator = _validator("instance_level_eval.schema.json" if instance else "eval.schema.json")
    error = next(iter(sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(the record)"
        raise ExportError(f"EEE {'instance' if instance else 'evaluation'} record, {where}: {error.message}")


def _record_uuid(run: Run, identity: str) -> str:
    """A version-4-shaped UUID fixed by the run (source, task, model, harness, rendering), so
    exporting the same runs again names the same files."""
    key = "\n".join((run.source, run.task, identity, run.harness, run.rendering)).encode("utf-8")
    return str(uuid.UUID(bytes=hashlib.sha256(key).digest()[:16], version=4))


def evaluation_results(run: Run, rows: list[dict], options: ExportOptions) -> tuple[list[dict], list[str]]:
    """One EEE result per ``score`` metric of the run's summary rows with a defined value; and
    the names of the scores left out because their value is undefined (``None``)."""
    table = table_of(run.task)
    timestamp = evaluated_at(run)
    details = run_details(run)
    results, undefined = [], []
    for row in rows:
        metric = table.describe(row["metric"])
        if metric is None or metric.kind != SCORE:
            continue
        if row["value"] is None:
            undefined.append(row["metric"])
            continue
        uncertainty = _uncertainty(metric, row, run)
        result = {
            "evaluation_result_id": f"{run.task}:{row['metric']}",
            "evaluation_name": run.task,
            "source_data": source_data(run),
            "metric_config": _metric_config(metric, row["metric"], run, options),
            "score_details": {"score": row["value"], "details": details}
            | ({"uncertainty": uncertainty} if uncertainty else {}),
        }
        generation = generation_config(run)
        if generation.get("generation_args") or generation.get("additional_details"):
            result["generation_config"] = generation
        if timestamp is not None:
            result["evaluation_timestamp"] = str(int(timestamp))
        results.append(result)
    return results, undefined


def _uncertainty(metric: Metric, row: dict, run: Run) -> dict:
    """Standard error (with its method), the 95% interval (with its method), items."""
    found: dict = {}
    if row["stderr"] is not None:
        found["standard_error"] = {"value": row["stderr"], "method": metric.stderr_method}
    if row["ci_low"] is not None and row["ci_high"] is not None:
        found["confidence_interval"] = {"lower": row["ci_low"], "upper": row["ci_high"], "confidence_level": 0.95}
        if metric.interval:
            found["confidence_interval"]["method"] = metric.interval
    n = run.metrics.get(f"{row['metric']}_n_responses")
    n = n if n is not None else row["n"]
    if n is not None:
        found["num_samples"] = int(n)
    return found


def evaluated_at(run: Run) -> float | None:
    """When the run was evaluated, in epoch seconds (EEE's timestamps): the harness's start time
    (:attr:`cultureval.runs.Run.started_at`, ISO 8601); ``None`` when it recorded none."""
    if not run.started_at:
        return None
    try:
        return datetime.fromisoformat(str(run.started_at).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def evaluation_record(ranked: RankedRun, options: ExportOptions) -> dict:
    """The EEE evaluation record (``eval.schema.json``) of one ranked run of one task
    (:func:`cultureval.report.ranked_runs`: the run, its rank and its ``summary.json`` rows)."""
    run, rows = ranked.run, ranked.rows
    identity = model_id(run, options)
    retrieved = str(int(options.retrieved))
    results, undefined = evaluation_results(run, rows, options)
    record = {
        "schema_version": SCHEMA_VERSION,
        "evaluation_id": f"{run.task}/{identity}/{retrieved}/{_record_uuid(run, identity)[:8]}",
        "retrieved_timestamp": retrieved,
        "source_metadata": {
            "source_name": "cultureval",
            "source_type": "evaluation_run",
            "source_organization_name": options.organization,
            "evaluator_relationship": options.evaluator_relationship,
            "additional_details": _strings(
                {
                    "harness": run.harness,
                    "run_status": run.status,
                    "source_file": run.source,
                    "undefined_scores": ", ".join(undefined),
                    "limit": run.limit,
                    # the report's ranking (summary.json): the rank among the runs it may be compared with
                    "rank": ranked.rank,
                    "comparable_set": ranked.comparable_set,
                }
            ),
        },
        "eval_library": {
            "name": LIBRARIES.get(run.harness, run.harness),
            "version": str(run.harness_version or run.cultureval_version or "unknown"),
            "additional_details": _strings(
                {
                    "cultureval_version": run.cultureval_version,
                    "task_version": (run.provenance or {}).get("task_version"),
                }
            ),
        },
        "model_info": _model_info(run, options),
        "evaluation_results": results,
    }
    timestamp = evaluated_at(run)
    if timestamp is not None:
        record["evaluation_timestamp"] = str(int(timestamp))
    return record


def _item_value(metric: Metric, sample: Sample):
    """An item's own value of ``metric``: logged under its name, else taken from the item's record."""
    value = sample.values.get(metric.name)
    if value is None and sample.record:
        value = metric.item_value(sample.record)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def instance_records(run: Run, record: dict) -> tuple[list[dict], int]:
    """EEE instance records (``instance_level_eval.schema.json``): one per logged item and scored
    result with a per-item value (corpus-level metrics such as F1 or a correlation have none);
    and how many (item, result) pairs had no value (an unreadable answer), left out."""
    from cultureval.site_items import item_fields

    table = table_of(run.task)
    exported = {result["metric_config"]["metric_name"]: result for result in record["evaluation_results"]}
    metrics = [metric for metric in table.metrics if metric.name in exported]
    lines, missing = [], 0
    for sample in run.samples():
        fields = item_fields(run, sample)
        for metric in metrics:
            value = _item_value(metric, sample)
            if value is None:
                missing += 1
                continue
            best = _bounds(metric)[1] if metric.higher_is_better else _bounds(metric)[0]
            lines.append(_instance(run, record, exported[metric.name], sample, fields, value, value == best))
    return lines, missing


def _instance(run: Run, record: dict, result: dict, sample: Sample, fields: dict, value: float, best: bool) -> dict:
    raw = fields["question"] or sample.prompt
    reference = [json.dumps(fields["reference"])] if fields["reference"] is not None else []
    answer = json.dumps(fields["model"]) if fields["model"] is not None else " ".join(sample.answers)
    return {
        "schema_version": SCHEMA_VERSION,
        "evaluation_id": record["evaluation_id"],
        "model_id": record["model_info"]["id"],
        "evaluation_name": run.task,
        "evaluation_result_id": result["evaluation_result_id"],
        "sample_id": str(sample.doc_id),
        "sample_hash": hashlib.sha256(json.dumps({"raw": raw, "reference": reference}).encode()).hexdigest(),
        "interaction_type": "single_turn",
        "input": {
            "raw": raw,
            "formatted": sample.prompt or None,
            "reference": reference,
            "choices": list(fields["options"]) or None,
        },
        "output": {"raw": list(sample.answers) or [answer]},
        "answer_attribution": [
            {
                "turn_idx": 0,
                "source": "output.raw",
                "extracted_value": answer,
                "extraction_method": fields["extraction"],
                "is_terminal": True,
            }
        ],
        # a distribution task has no correct answer: "correct" = the best value the metric has
        "evaluation": {"score": value, "is_correct": best},
        "metadata": _strings({"group": fields["group"], "reference_label": fields["reference_label"]}),
    }


def export_runs(
    ranked: list[RankedRun], output: Path, options: ExportOptions, notes: list[str] | None = None
) -> list[Path]:
    """Write ``<output>/data/<task>/<developer>/<model>/<uuid>.json`` and ``<uuid>_samples.jsonl``
    (EEE's data layout) for every ranked run (:func:`cultureval.report.ranked_runs`: the runs of
    cultureval tasks); the evaluation records written. A score with no defined value (NaN: no
    readable answer, one country for a spread) has no EEE result: it is listed in the record's
    ``undefined_scores``, and a line naming the record is appended to ``notes`` (the leaderboard
    metric said first: a leaderboard shows the run without its headline). Raises
    :class:`ExportError` before anything is written when a model has no Hub id, and for a record
    the schema rejects."""
    if options.evaluator_relationship not in RELATIONSHIPS:
        raise ExportError(f"--evaluator-relationship must be one of {', '.join(RELATIONSHIPS)}")
    if options.model_availability not in AVAILABILITY:
        raise ExportError(f"--model-availability must be one of {', '.join(AVAILABILITY)}")
    for each in ranked:
        model_id(each.run, options)  # every model has an id before anything is written
    written = []
    for each in ranked:
        run = each.run
        record = evaluation_record(each, options)
        identity = record["model_info"]["id"]
        developer, _, name = identity.partition("/")
        folder_parts = ("data", _segment(run.task), _segment(developer), _segment(name or developer))
        folder = output.joinpath(*folder_parts)
        folder.mkdir(parents=True, exist_ok=True)
        stem = _record_uuid(run, identity)
        lines, missing = instance_records(run, record) if run.has_samples else ([], 0)
        for line in lines:
            validate(line, instance=True)
        if lines:
            samples_path = folder / f"{stem}_samples.jsonl"
            samples_path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
            record["detailed_evaluation_results"] = {
                "format": "jsonl",
                "file_path": "/".join((*folder_parts, samples_path.name)),
                "hash_algorithm": "sha256",
                "checksum": hashlib.sha256(samples_path.read_bytes()).hexdigest(),
                "total_rows": len(lines),
                "additional_details": _strings({"pairs_without_item_value": missing}),
            }
        elif not run.has_samples:
            record["source_metadata"]["additional_details"]["instance_level"] = "no samples logged (--log_samples)"
        else:
            record["source_metadata"]["additional_details"]["instance_level"] = (
                "none: no scored metric of this task has a per-item value (corpus-level metrics only)"
            )
        validate(record)
        path = folder / f"{stem}.json"
        path.write_text(json.dumps(record, indent=2), encoding="utf-8")
        written.append(path)
        undefined = record["source_metadata"]["additional_details"].get("undefined_scores")
        if undefined and notes is not None:
            leaderboard = table_of(run.task).leaderboard_metric
            headline = (
                f"no value for its leaderboard metric {leaderboard}; " if leaderboard in undefined.split(", ") else ""
            )
            notes.append(
                f"{path}: {run.task} of {identity}: {headline}undefined, so not among its evaluation results: {undefined} "
                "(listed under source_metadata.additional_details.undefined_scores)"
            )
    return written


def _segment(text: str) -> str:
    """A path segment of EEE's layout: no slash, nothing a file system trips on."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", text).strip("._") or "_"
