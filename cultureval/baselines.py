"""``cultureval baseline KIND --tasks ... -o DIR``: reference "models" written as lm-eval output,
so the report treats them like any model.

A family offers baselines (``Family.baselines``, each a :class:`~cultureval.families.Baseline`
whose ``predict(docs, n, seed)`` returns one answer distribution per document, or for a document
without a prediction the reason as a string); this engine scores each prediction with the task's own scoring function and
aggregates with the task's metric table, so the numbers are comparable with model runs of the
same task and data version. Documents without a prediction are counted, in all
(``n_skipped_no_prediction``) and per reason (``n_skipped_<reason>``). ``limit`` scores the
first documents only, as lm-eval's ``--limit`` does, so a baseline sits on a limited run's items.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from cultureval import provenance
from cultureval.definitions import task_definition
from cultureval.errors import InputError
from cultureval.families import family_of, table_of
from cultureval.metrics.aggregate import nan_to_none


def _predictor(kind: str, task: str):
    owner = family_of(task)
    if owner is None:
        raise InputError(f"{task!r} is not a cultureval task (cultureval tasks lists them)")
    baseline = owner.baseline(kind)
    if baseline is None:
        offered = ", ".join(b.kind for b in owner.baselines) or "none"
        raise InputError(f"{owner.title} ({task}) has no {kind!r} baseline; its baselines: {offered}")
    if owner.score_distribution is None:
        raise InputError(f"{owner.title} does not score distributions")
    return owner, baseline.predict


def _results_skeleton(kind: str, n: int, seed: int, started: float, model_name: str, limit: int | None) -> dict:
    return {
        "results": {},
        "configs": {},
        "versions": {},
        "n-samples": {},
        "higher_is_better": {},
        "config": {"model": "cultureval-baseline", "model_args": {"kind": kind, "n": n, "seed": seed}, "limit": limit},
        "model_name": model_name,
        "date": started,  # epoch seconds, as lm-eval writes it
        "cultureval_baseline": {"kind": kind, "n": n, "seed": seed},
    }


def write_baseline(
    kind: str, tasks: list[str], output_dir: Path, n: int = 100, seed: int = 0, limit: int | None = None
) -> Path:
    """Score the baseline on each task and write ``<output_dir>/baseline__<kind>/results_<stamp>.json``
    and ``samples_<task>_<stamp>.jsonl`` in lm-eval's format."""
    predictors = {task: _predictor(kind, task) for task in tasks}  # every task checked before a file is written
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H-%M-%S.%f")  # file names, as lm-eval stamps them
    folder = output_dir / f"baseline__{kind}"
    folder.mkdir(parents=True, exist_ok=True)
    model_name = f"baseline/{kind}" + (f"-n{n}" if kind == "survey-resample" else "")
    results = _results_skeleton(kind, n, seed, now.timestamp(), model_name, limit)
    for task in tasks:
        owner, predict = predictors[task]
        definition = task_definition(task)
        table = table_of(task)
        dataset = definition.load_dataset()
        docs = list(dataset)[:limit] if limit else list(dataset)
        lines, records = [], []
        skipped: Counter[str] = Counter()
        for index, (doc, distribution) in enumerate(zip(docs, predict(docs, n, seed))):
            if isinstance(distribution, str) or distribution is None:
                skipped[distribution or "no_prediction"] += 1
                continue
            record = owner.score_distribution(task, doc, distribution)
            records.append(record)
            values = table.lm_eval_results(record)
            lines.append(
                {"doc_id": index, "doc": doc, "target": "", "filter": "none", "baseline_distribution": distribution}
                | {"metrics": list(values)}
                | values
            )
        (folder / f"samples_{task}_{stamp}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
        metrics = {name: nan_to_none(value) for name, value in table.compute(records, lm_eval_only=True).items()}
        entry = {"alias": task} | {f"{name},none": value for name, value in metrics.items()}
        counts = {f"n_skipped_{reason},none": count for reason, count in sorted(skipped.items())}
        results["results"][task] = entry | {"n_skipped_no_prediction,none": len(docs) - len(lines)} | counts
        block = provenance.record(definition.version, provenance.read_provenance(dataset), rendering=None)
        results["configs"][task] = {"task": task, "metadata": (definition.metadata or {}) | {"cultureval": block}}
        results["versions"][task] = definition.version
        results["n-samples"][task] = {"original": len(docs), "effective": len(lines)}
        results["higher_is_better"][task] = {m.name: m.higher_is_better for m in table.metrics if m.lm_eval}
    path = folder / f"results_{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    return path
