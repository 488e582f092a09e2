"""lm-eval output folders written by hand, in lm-eval 0.4's or 0.5's layout, for the tests of
the run reader (:mod:`cultureval.runs`) and the commands over it. Only what lm-eval writes and
the reader reads: ``results_<stamp>.json`` (results, configs with cultureval's provenance block,
n-samples, versions, config with model_args, model_name, date) and one
``samples_<task>_<stamp>.jsonl`` per task (0.5: ``samples_<group>::<task>_<stamp>.jsonl``, and
results keys ``<group>::<task>``)."""

from __future__ import annotations

import json
from pathlib import Path

DATA_SOURCE = {"dataset": "fixture", "location": "/data/x.csv", "sha256": "ab" * 32}


def cali_doc(pair_id: int, majority: str, contested: bool = True) -> dict:
    return {"pair_id": pair_id, "premise": f"p{pair_id}", "majority": majority, "contested": contested}


def choice_line(doc_id: int, doc: dict, loglikelihoods: list[float], values: dict, layout: str) -> dict:
    """A multiple-choice sample line: one request per choice."""
    contexts = [("context", f" {label}") for label in "ENC"[: len(loglikelihoods)]]
    arguments = (
        {f"gen_args_{i}": {"arg_0": c, "arg_1": x} for i, (c, x) in enumerate(contexts)}
        if layout == "0.4"
        else [list(pair) for pair in contexts]
    )
    return {
        "doc_id": doc_id,
        "doc": doc,
        "target": 0,
        "arguments": arguments,
        # lm-eval 0.4.13 writes each (loglikelihood, is_greedy) as strings
        "resps": [[[str(ll), "False"]] if layout == "0.4" else [[ll, False]] for ll in loglikelihoods],
        "filtered_resps": [[str(ll), "False"] if layout == "0.4" else [ll, False] for ll in loglikelihoods],
        "filter": "none",
        "metrics": list(values),
        "doc_hash": "h",
        "prompt_hash": "h",
        "target_hash": "h",
    } | values


def generation_line(doc_id: int, doc: dict, prompt: str, text: str, values: dict, layout: str) -> dict:
    """A generate_until sample line (0.5 nests the filtered text one list deeper)."""
    arguments = {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": []}}} if layout == "0.4" else [[prompt, {}]]
    return {
        "doc_id": doc_id,
        "doc": doc,
        "target": "",
        "arguments": arguments,
        "resps": [[text]],
        "filtered_resps": [text] if layout == "0.4" else [[text]],
        "filter": "none",
        "metrics": list(values),
    } | values


def write_output(
    folder: Path,
    model: str,
    tasks: dict[str, tuple[dict, list[dict]]],
    stamp: str = "2026-01-01T00-00-00.000000",
    layout: str = "0.4",
    group: str | None = None,
    rendering: str = "plain",
    adapter: str = "",
) -> Path:
    """``results_<stamp>.json`` and the samples files of ``tasks`` (``{task: (metrics,
    sample lines)}``) for ``model`` in ``folder``; the results file."""
    folder.mkdir(parents=True, exist_ok=True)
    key = {task: f"{group}::{task}" if group and layout == "0.5" else task for task in tasks}
    model_args = f"pretrained={model}" + (f",peft={adapter}" if adapter else "")
    results: dict = {
        "results": {},
        "configs": {},
        "versions": {},
        "n-samples": {},
        "n-shot": {},
        "config": {"model": "hf", "model_args": model_args, "limit": None},
        "model_name": model,
        "date": 1767225600.0,
        "lm_eval_version": "0.4.13" if layout == "0.4" else "0.5.0.dev1",
    }
    for task, (metrics, lines) in tasks.items():
        block = {"task_version": 1.0, "data_source": DATA_SOURCE, "rendering": rendering, "cultureval_version": "9.9"}
        results["results"][key[task]] = {"alias": task} | {f"{name},none": value for name, value in metrics.items()}
        results["configs"][key[task]] = {"task": task, "metadata": {"version": 1.0, "cultureval": block}}
        results["versions"][key[task]] = 1.0
        results["n-samples"][key[task]] = {"original": len(lines), "effective": len(lines)}
        results["n-shot"][key[task]] = 0
        text = "".join(json.dumps(line) + "\n" for line in lines)
        (folder / f"samples_{key[task]}_{stamp}.jsonl").write_text(text, encoding="utf-8")
    if group:
        results["results"][group] = {"alias": group}
        results["group_subtasks"] = {group: [key[task] for task in tasks]}
    path = folder / f"results_{stamp}.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return path


def cali_output(
    folder: Path, model: str, right: bool, layout: str = "0.4", stamp: str = "2026-01-01T00-00-00.0"
) -> Path:
    """Both CALI cultures' runs of one model on two contested pairs (US majority E, Indian
    majority C) and one uncontested pair: ``right`` answers each culture's majority (culture
    shift 1.0), otherwise the other culture's (0.0)."""
    us_pick, in_pick = ([0.0, -5.0, -9.0], [-9.0, -5.0, 0.0]) if right else ([-9.0, -5.0, 0.0], [0.0, -5.0, -9.0])
    tasks = {}
    for task, majority, pick in (("cali_nli_us", "E", us_pick), ("cali_nli_in", "C", in_pick)):
        lines = [choice_line(i, cali_doc(i, majority), pick, {"accuracy": 0.0}, layout) for i in range(2)]
        lines.append(choice_line(2, cali_doc(2, "N", contested=False), [-1.0, 0.0, -1.0], {"accuracy": 1.0}, layout))
        tasks[task] = ({"accuracy": 1.0 if right else 0.0}, lines)
    return write_output(folder, model, tasks, stamp=stamp, layout=layout, group="cali_nli")


def binary_output(folder: Path, model: str, label: str, stamp: str = "2026-01-01T00-00-00.0") -> Path:
    """The classification and reasoning settings of the three-setting study for one model: two
    items (survey 0.7 / 0.3, majority option 1), three samples each, every sample ``label``."""
    tasks = {}
    for task in ("binary_settings_classify", "binary_settings_reasoning"):
        lines = []
        for index in range(6):
            item, country = f"q{index // 3}|Japan", "Japan"
            value = [item, country, 0.7, 0.3, label]
            doc = {"item": item, "country": country, "survey_distribution": [0.7, 0.3]}
            lines.append(generation_line(index, doc, "prompt", label, {"majority_agreement": value}, "0.4"))
        tasks[task] = ({"majority_agreement": 1.0 if label == "1" else 0.0}, lines)
    return write_output(folder, model, tasks, stamp=stamp, rendering="chat")
