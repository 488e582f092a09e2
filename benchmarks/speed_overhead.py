"""The pack's own overhead, without a model (``benchmarks/speed.py`` prints it):

* start-up of ``cultureval --help`` and ``cultureval tasks-dir`` (whole processes; the second
  runs inside every ``lm_eval --include_path "$(cultureval tasks-dir)"``);
* what ``import cultureval`` and ``import cultureval.cli`` import (``python -X importtime``):
  no scikit-learn, torch or harness;
* loading, expanding and scoring every item of ``global_opinion_jsd`` with simulated option
  log-likelihoods through the task's own ``custom_dataset``, ``process_results`` and
  aggregations (what lm-eval calls), in a fresh process;
* ``cultureval report`` on ``--report-samples`` synthetic samples in lm-eval's output layout
  (several models' ``results_*.json`` + ``samples_*.jsonl``, each sample scored by the task).

    python benchmarks/speed_overhead.py [--report-samples 50000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HEAVY = ("sklearn", "torch", "lm_eval", "inspect_ai", "transformers", "datasets", "scipy", "pandas")
SCORED_TASK = "global_opinion_jsd"


def console_script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def process_seconds(command: list[str], runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def imported(statement: str) -> tuple[set[str], float]:
    """Top-level modules a fresh interpreter imports for ``statement``, and their total seconds."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True, check=True
    )
    names, total = set(), 0.0
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, module = line.split("|")
            if cumulative.strip().isdigit() and not module.startswith("  "):
                total += int(cumulative) / 1e6  # top-level imports: their cumulative time
            names.add(module.strip().split(".")[0])
    return names, total


def load_and_score(task: str = SCORED_TASK, seed: int = 0) -> dict:
    """Seconds to load + expand the task's data (its ``custom_dataset``: parse the CSV, one
    document per (question, country), the ``datasets.Dataset`` lm-eval reads), read its
    documents, score every one (``process_results`` on simulated log-likelihoods) and
    aggregate (the task's aggregation functions), imports apart; and, apart too, the time
    lm-eval spends iterating the ``Dataset`` row by row."""
    from cultureval.definitions import task_definition

    started = time.perf_counter()
    import datasets  # noqa: F401  (lm-eval has imported it before any task loads)

    definition = task_definition(task)
    load, score = definition.function("custom_dataset"), definition.function("process_results")
    imported, cpu_started = time.perf_counter(), time.process_time()
    dataset = load(**(definition.metadata | (definition.config.get("dataset_kwargs") or {})))["test"]
    loaded = time.perf_counter()
    docs = dataset.to_list()  # lm-eval iterates the Dataset row by row instead: timed apart
    read = time.perf_counter()
    rng = random.Random(seed)
    records = [score(doc, [(rng.uniform(-8, 0), False) for _ in range(doc["n_options"])]) for doc in docs]
    scored = time.perf_counter()
    started_rows, cpu_rows = time.perf_counter(), time.process_time()
    for _ in dataset:
        pass
    rows_seconds, cpu_rows = time.perf_counter() - started_rows, time.process_time() - cpu_rows
    metric_list = definition.config["metric_list"]
    metric_list = metric_list.resolve() if hasattr(metric_list, "resolve") else metric_list
    aggregated = {}
    for metric in metric_list:
        aggregate = metric["aggregation"]
        if callable(aggregate):
            aggregated[metric["metric"]] = aggregate([record[metric["metric"]] for record in records])
    done = time.perf_counter() - rows_seconds
    cpu = time.process_time() - cpu_started - cpu_rows
    return {
        "items": len(docs),
        "imports_s": imported - started,
        "load_expand_s": loaded - imported,
        "read_docs_s": read - loaded,
        "score_s": scored - read,
        "aggregate_s": done - scored,
        "total_s": done - imported,
        "total_cpu_s": cpu,
        "lm_eval_row_iteration_s": rows_seconds,
        "metrics": sorted(aggregated),
    }


def synthetic_run(folder: Path, model: int, docs: list[dict], config: dict, rng: random.Random) -> int:
    """One model's lm-eval output folder of ``global_opinion_jsd``: random option
    distributions, scored by the task's ``process_results``."""
    from cultureval.definitions import task_definition

    score = task_definition(SCORED_TASK).function("process_results")
    stamp = f"2026-01-01T00-00-{model:02d}.000000"
    run = folder / f"synthetic__model-{model}"
    run.mkdir(parents=True)
    with open(run / f"samples_{SCORED_TASK}_{stamp}.jsonl", "w") as handle:
        for doc_id, doc in enumerate(docs):
            lls = [(rng.uniform(-8, 0), False) for _ in range(doc["n_options"])]
            values = score(doc, lls)
            sample = {"doc_id": doc_id, "doc": doc, "target": 0, "arguments": [], "resps": [[list(v)] for v in lls]}
            sample |= {"filtered_resps": [list(v) for v in lls], "filter": "none", "metrics": sorted(values)}
            handle.write(json.dumps(sample | values) + "\n")
    results = {
        "results": {SCORED_TASK: {"alias": SCORED_TASK}},
        "configs": {SCORED_TASK: config},
        "versions": {SCORED_TASK: config.get("metadata", {}).get("version")},
        "n-samples": {SCORED_TASK: {"original": len(docs), "effective": len(docs)}},
        "config": {"model": "hf", "model_args": f"pretrained=/synthetic/model-{model}", "limit": None},
        "model_name": f"/synthetic/model-{model}",
        "date": 0.0,
    }
    (run / f"results_{stamp}.json").write_text(json.dumps(results, default=str))  # callables as text, as lm-eval
    return len(docs)


def report_seconds(samples: int, seed: int = 0) -> tuple[int, float, int]:
    """(samples written, seconds of ``cultureval report`` on them, its exit status)."""
    from speed_items import task_manager

    task = task_manager().load_task_or_group([SCORED_TASK])[SCORED_TASK]
    docs = list(task.test_docs())
    config = task.dump_config()
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="cultureval-speed-report-"))
    written, model = 0, 0
    while written < samples:
        written += synthetic_run(folder / "runs", model, docs[: samples - written], config, rng)
        model += 1
    started = time.perf_counter()
    result = subprocess.run(
        [console_script("cultureval"), "report", str(folder / "runs"), "-o", str(folder / "report")],
        capture_output=True,
        text=True,
    )
    return written, time.perf_counter() - started, result.returncode


def _spread(times: list[float]) -> str:
    return f"min {min(times):.2f} s, median {statistics.median(times):.2f} s over {len(times)} runs"


def overhead_lines(report_samples: int, record: dict) -> Iterator[str]:
    for args in (["--help"], ["tasks-dir"]):
        times = process_seconds([console_script("cultureval"), *args])
        record[f"cultureval {args[0]}"] = times
        yield f"cultureval {args[0]:<10} {_spread(times)} (whole process)"
    for statement in ("import cultureval", "import cultureval.cli"):
        names, seconds = imported(statement)
        heavy = sorted(set(HEAVY) & names)
        record[statement] = {"seconds": seconds, "heavy": heavy}
        yield f"{statement:<22} {seconds * 1000:.0f} ms of imports; heavy packages imported: {', '.join(heavy) or 'none'}"
    child = subprocess.run([sys.executable, __file__, "--load-and-score"], capture_output=True, text=True, check=True)
    parts = json.loads(child.stdout.strip().splitlines()[-1])
    record["load_and_score"] = parts
    yield (
        f"{SCORED_TASK}: {parts['items']} items loaded + expanded {parts['load_expand_s']:.2f} s, documents read "
        f"{parts['read_docs_s']:.2f} s, scored {parts['score_s']:.2f} s, aggregated {parts['aggregate_s']:.2f} s: "
        f"{parts['total_s']:.2f} s in all, {parts['total_cpu_s']:.2f} s of CPU (fresh process; imports {parts['imports_s']:.2f} s apart; lm-eval's "
        f"row-by-row iteration of the Dataset {parts['lm_eval_row_iteration_s']:.2f} s apart)"
    )
    if report_samples:
        written, seconds, status = report_seconds(report_samples)
        record["report"] = {"samples": written, "seconds": seconds, "exit": status}
        yield f"cultureval report on {written} synthetic samples ({SCORED_TASK}, lm-eval layout): {seconds:.1f} s (exit {status})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report-samples", type=int, default=50_000)
    parser.add_argument("--load-and-score", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.load_and_score:
        print(json.dumps(load_and_score()))
        return 0
    for line in overhead_lines(options.report_samples, {}):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
