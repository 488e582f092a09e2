"""How fast the one reader of logged runs (:mod:`cultureval.runs`) and ``cultureval report`` are
on a large run: an lm-eval output folder of ``global_opinion_jsd`` with N logged samples in
lm-eval 0.4.13's own line format (five requests per item, log-likelihoods written as strings),
and optionally an Inspect log of the same size.

    python benchmarks/reader.py                 # 50,000 samples
    python benchmarks/reader.py --samples 5000 --inspect

Prints, side by side: finding and reading the runs (no samples), streaming every sample,
building the report's per-item records, ``write_report`` in this process, and the
``cultureval report`` command end to end (a fresh process: imports included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LETTERS = "ABCDEFGHIJ"
STAMP = "2026-01-01T00-00-00.000000"


def _line(index: int) -> dict:
    """One lm-eval 0.4.13 sample line of global_opinion_jsd (the shape of a real one)."""
    n_options = 2 + index % 9
    country = f"Country {index % 50}"
    options = [f"Option {k} of question {index // 50}" for k in range(n_options)]
    survey = [1.0 / n_options] * n_options
    prompt = (
        f"Human: How would someone from {country} answer the following question:\nQuestion {index // 50}?\n"
        "Here are the options:\n"
        + "\n".join(f"({LETTERS[k]}) {o}" for k, o in enumerate(options))
        + "\nAssistant: If I had to select one of the options, my answer would be ("
    )
    jsd = 0.1 + (index % 97) / 200
    doc = {
        "question_id": index // 50,
        "question": f"Question {index // 50}?",
        "options": options,
        "n_options": n_options,
        "source": "GAS",
        "country": country,
        "survey_country": country,
        "country_sample": "",
        "survey_distribution": survey,
    }
    return {
        "doc_id": index,
        "doc": doc,
        "target": "1",
        "arguments": {f"gen_args_{k}": {"arg_0": prompt, "arg_1": LETTERS[k]} for k in range(n_options)},
        "resps": [[[str(-5.0 - k / 7), "False"]] for k in range(n_options)],
        "filtered_resps": [[str(-5.0 - k / 7), "False"] for k in range(n_options)],
        "filter": "none",
        "metrics": ["jsd", "culture_sim", "country_sim_std", "tv", "top1_agreement"],
        "doc_hash": "0" * 64,
        "prompt_hash": "0" * 64,
        "target_hash": "0" * 64,
        "jsd": jsd,
        "culture_sim": 1 - jsd,
        "country_sim_std": [country, 1 - jsd],
        "tv": jsd,
        "top1_agreement": 0.0,
    }


def write_lm_eval_output(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    task = "global_opinion_jsd"
    with open(folder / f"samples_{task}_{STAMP}.jsonl", "w", encoding="utf-8") as handle:
        for index in range(n):
            handle.write(json.dumps(_line(index)) + "\n")
    block = {"task_version": 3.0, "rendering": "plain (human_assistant)", "data_source": {"sha256": "0" * 64}}
    results = {
        "results": {task: {"alias": task, "jsd,none": 0.34, "jsd_stderr,none": 0.001, "culture_sim,none": 0.66}},
        "configs": {task: {"task": task, "metadata": {"version": 3.0, "cultureval": block}}},
        "n-samples": {task: {"original": n, "effective": n}},
        "config": {"model": "hf", "model_args": "pretrained=/models/bench-model", "limit": None},
        "model_name": "/models/bench-model",
        "date": 1767225600.0,
    }
    path = folder / f"results_{STAMP}.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    return path


def write_inspect_log(folder: Path, n: int) -> Path:
    """An Inspect log of N samples of global_opinion_jsd (scores as the task's scorer writes them)."""
    from inspect_ai.log import EvalLog, EvalSample, EvalSpec, write_eval_log
    from inspect_ai.log._log import EvalConfig, EvalDataset
    from inspect_ai.model import ModelOutput
    from inspect_ai.scorer import Score

    samples = []
    for index in range(n):
        line = _line(index)
        value = {"jsd": line["jsd"], "culture_sim": 1 - line["jsd"], "tv": line["jsd"], "top1_agreement": 0.0}
        samples.append(
            EvalSample(
                id=index,
                epoch=1,
                input=line["arguments"]["gen_args_0"]["arg_0"],
                target="A",
                metadata={"doc": line["doc"], "rendering": "instruction"},
                output=ModelOutput.from_content("hf/bench", "A"),
                scores={"distribution": Score(value=value, answer="A", metadata={"country": line["doc"]["country"]})},
            )
        )
    spec = EvalSpec(
        created="2026-01-01T00:00:00+00:00",
        task="cultureval/global_opinion_jsd",
        dataset=EvalDataset(samples=n, sample_ids=list(range(n))),
        model="hf/bench",
        config=EvalConfig(),
        metadata={"task_version": 3.0, "rendering": "auto"},
    )
    path = folder / "2026-01-01T00-00-00+00-00_global-opinion-jsd_bench.eval"
    folder.mkdir(parents=True, exist_ok=True)
    write_eval_log(EvalLog(eval=spec, samples=samples, status="success"), str(path))
    return path


def _cpu() -> float:
    """CPU seconds of this process and its finished children (what a shared machine's load
    does not inflate, unlike wall-clock time)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(label: str, function, timings: dict):
    started, cpu = time.perf_counter(), _cpu()
    result = function()
    timings[label] = (time.perf_counter() - started, _cpu() - cpu)
    return result


def measure(path: Path, work: Path) -> dict:
    from cultureval.report import write_report
    from cultureval.runs import read_runs

    timings: dict[str, float] = {}
    runs = _timed("read runs (no samples)", lambda: read_runs([path]), timings)
    _timed("stream every sample", lambda: sum(1 for run in runs for _ in run.samples()), timings)
    fresh = read_runs([path])
    _timed("report items", lambda: [run.items for run in fresh], timings)
    _timed("write_report (in process)", lambda: write_report([path], work / "report-in-process"), timings)
    command = [str(Path(sys.executable).parent / "cultureval"), "report", str(path), "-o", str(work / "report-cli")]
    _timed("cultureval report (command)", lambda: subprocess.run(command, check=True, capture_output=True), timings)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=50_000)
    parser.add_argument("--inspect", action="store_true", help="also an Inspect .eval log of the same size")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cultureval-reader-bench-") as tmp:
        work = Path(tmp)
        columns = {}
        started = time.perf_counter()
        lm_eval = write_lm_eval_output(work / "lm-eval", options.samples)
        size = (work / "lm-eval" / f"samples_global_opinion_jsd_{STAMP}.jsonl").stat().st_size
        print(
            f"lm-eval output: {options.samples} samples, {size / 1e6:.0f} MB (written in {time.perf_counter() - started:.1f} s)"
        )
        columns["lm-eval"] = measure(lm_eval.parent, work / "out-lm-eval")
        if options.inspect:
            started = time.perf_counter()
            log = write_inspect_log(work / "inspect", options.samples)
            print(
                f"Inspect log: {options.samples} samples, {log.stat().st_size / 1e6:.0f} MB "
                f"(written in {time.perf_counter() - started:.1f} s)"
            )
            columns["Inspect"] = measure(log.parent, work / "out-inspect")
        labels = list(next(iter(columns.values())))
        header = "".join(f"{name + ' wall':>15}{name + ' CPU':>15}" for name in columns)
        print(f"\n{'seconds':<30}{header}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        for label in labels:
            print(
                f"{label:<30}" + "".join(f"{columns[n][label][0]:>15.2f}{columns[n][label][1]:>15.2f}" for n in columns)
            )


if __name__ == "__main__":
    main()
