"""Reference "models" for GlobalOpinionQA, written as lm-eval output so the report treats them
like any model (``cultureval baseline KIND --tasks ... -o DIR``).

* ``uniform`` — every option equally likely: what a model that knows nothing scores.
* ``us-prior`` — the United States' survey distribution of the same question, used for every
  country: what a fully US-centric model scores. Questions without a US sample (plain name or
  current national sample) have no prediction; their items are skipped and counted.
* ``survey-resample`` — the answers of ``n`` respondents drawn (multinomial, seeded) from the
  country's own survey distribution: the sampling-noise ceiling of a survey of that size.

Scores are computed by the task's own ``score_distribution``, so the numbers are comparable
with model runs of the same task and data version.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cultureval import provenance
from cultureval.definitions import task_definition

KINDS = ("uniform", "us-prior", "survey-resample")
US = "United States"
SUPPORTED_PREFIX = "global_opinion_jsd"


def _us_distributions(docs: list[dict]) -> dict[int, list[float]]:
    """question_id -> the US survey distribution (plain name preferred over the current
    national sample; never a non-national one)."""
    found: dict[int, tuple[int, list[float]]] = {}
    for doc in docs:
        if doc["country"] != US or doc["country_sample"] not in ("", "Current national sample"):
            continue
        rank = 0 if doc["country_sample"] == "" else 1
        if doc["question_id"] not in found or rank < found[doc["question_id"]][0]:
            found[doc["question_id"]] = (rank, list(doc["survey_distribution"]))
    return {question: distribution for question, (_, distribution) in found.items()}


def predict(
    kind: str, docs: list[dict], n: int = 100, seed: int = 0, all_docs: list[dict] | None = None
) -> list[list[float] | None]:
    """The baseline's distribution for each document (``None`` = no prediction). ``us-prior``
    looks the US answers up in ``all_docs`` (default ``docs``): a subset such as ``_6c`` holds
    the US sample of only the US's own questions."""
    if kind == "uniform":
        return [[1.0 / doc["n_options"]] * doc["n_options"] for doc in docs]
    if kind == "us-prior":
        us = _us_distributions(all_docs if all_docs is not None else docs)
        return [us.get(doc["question_id"]) for doc in docs]
    if kind == "survey-resample":
        if n < 1:
            raise ValueError(f"survey-resample needs n >= 1 respondents, got {n}")
        rng = np.random.default_rng(seed)
        predictions = []
        for doc in docs:
            p = np.asarray(doc["survey_distribution"], dtype=float)
            counts = rng.multinomial(n, p / p.sum())
            predictions.append((counts / n).tolist())
        return predictions
    raise ValueError(f"unknown baseline {kind!r}; known: {', '.join(KINDS)}")


def _stderr(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1) / len(values))


def write_baseline(kind: str, tasks: list[str], output_dir: Path, n: int = 100, seed: int = 0) -> Path:
    """Score the baseline on each task and write ``<output_dir>/baseline__<kind>/results_<stamp>.json``
    and ``samples_<task>_<stamp>.jsonl`` in lm-eval's format."""
    from cultureval.tasks.global_opinions.utils import country_sim_std, score_distribution

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S.%f")
    folder = output_dir / f"baseline__{kind}"
    folder.mkdir(parents=True, exist_ok=True)
    model_name = f"baseline/{kind}" + (f"-n{n}" if kind == "survey-resample" else "")
    results: dict = {
        "results": {}, "configs": {}, "versions": {}, "n-samples": {}, "higher_is_better": {},
        "config": {"model": "cultureval-baseline", "model_args": {"kind": kind, "n": n, "seed": seed}},
        "model_name": model_name, "date": stamp, "cultureval_baseline": {"kind": kind, "n": n, "seed": seed},
    }  # fmt: skip
    for task in tasks:
        if not task.startswith(SUPPORTED_PREFIX):
            raise ValueError(f"baselines are defined for the {SUPPORTED_PREFIX}* tasks, not {task!r}")
        definition = task_definition(task)
        dataset = definition.load_dataset()
        docs = list(dataset)
        all_docs = list(task_definition(SUPPORTED_PREFIX).load_dataset()) if kind == "us-prior" else None
        predictions = predict(kind, docs, n=n, seed=seed, all_docs=all_docs)
        lines, jsd, sims, skipped = [], [], [], 0
        for index, (doc, distribution) in enumerate(zip(docs, predictions)):
            if distribution is None:
                skipped += 1
                continue
            item = score_distribution(doc, distribution)
            jsd.append(item["jsd"])
            sims.append(item["country_sim_std"])
            lines.append({"doc_id": index, "doc": doc, "target": "", "filter": "none",
                          "baseline_distribution": distribution, **item})  # fmt: skip
        (folder / f"samples_{task}_{stamp}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
        mean_jsd = sum(jsd) / len(jsd) if jsd else None
        results["results"][task] = {
            "alias": task,
            "jsd,none": mean_jsd,
            "jsd_stderr,none": _stderr(jsd),
            "culture_sim,none": None if mean_jsd is None else 1.0 - mean_jsd,
            "culture_sim_stderr,none": _stderr(jsd),
            "country_sim_std,none": country_sim_std(sims) if sims else None,
            "n_skipped_no_prediction,none": skipped,
        }
        results["configs"][task] = {
            "task": task,
            "metadata": (definition.metadata or {})
            | {"cultureval": provenance.record(definition.version, provenance.read_provenance(dataset), rendering=None)},
        }
        results["versions"][task] = definition.version
        results["n-samples"][task] = {"original": len(docs), "effective": len(lines)}
        results["higher_is_better"][task] = {"jsd": False, "culture_sim": True, "country_sim_std": False}
    path = folder / f"results_{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    return path
