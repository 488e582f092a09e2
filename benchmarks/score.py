"""Throughput of ``cultureval score global_opinions`` on a large outside file (prints numbers).

    CULTUREVAL_DATA_DIR=../shared/data python benchmarks/score.py [--rows 100000] [--task global_opinion_jsd]

Writes a CSV of ``--rows`` rows (models x the task's items, a seeded random distribution each,
one item in 50 written as text), then times reading it, scoring it (``score_file``) and
printing the tables with their yardsticks (``format_scored``), each on its own line, in wall
and CPU seconds (CPU time is the fairer figure on a busy machine). Target: 100,000 rows in
under 10 s in all (once 6 minutes: the task's YAML was read again for every row).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import tempfile
import time
from pathlib import Path

from cultureval.definitions import task_definition
from cultureval.score import format_scored, read_rows, score_file


def write_rows(path: Path, docs: list[dict], n_rows: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "question", "country", "distribution", "text"])
        for number in range(n_rows):
            doc = docs[number % len(docs)]
            weights = [rng.random() for _ in range(doc["n_options"])]
            distribution = [w / sum(weights) for w in weights]
            model = f"model-{number // len(docs)}"
            if number % len(docs) % 50 == 0:  # the same items written out by every model
                text = "<think>ok</think> {" + ", ".join(f"{v:.3f}" for v in distribution) + "}"
                writer.writerow([model, doc["question"], doc["country"], "", text])
            else:
                writer.writerow([model, doc["question"], doc["country"], json.dumps(distribution), ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--task", default="global_opinion_jsd")
    args = parser.parse_args()
    docs = list(task_definition(args.task).load_dataset())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        write_rows(path, docs, args.rows)
        marks = [(time.perf_counter(), time.process_time())]
        rows = read_rows(path)
        marks.append((time.perf_counter(), time.process_time()))
        scored = score_file("global_opinions", rows, args.task)
        marks.append((time.perf_counter(), time.process_time()))
        tables = format_scored("global_opinions", scored)
        marks.append((time.perf_counter(), time.process_time()))
    print(f"{args.rows:,} rows ({len(docs):,} items x {len(scored.scores)} models) of {args.task}")
    print(f"  {'':8s} {'wall s':>8s} {'CPU s':>8s}")
    steps = ("read", "score", f"tables ({len(tables.splitlines())} lines, yardsticks included)")
    for step, (before, after) in zip(steps, itertools.pairwise(marks)):
        print(f"  {step.split(' ')[0]:8s} {after[0] - before[0]:8.2f} {after[1] - before[1]:8.2f}")
    print(f"  {'total':8s} {marks[-1][0] - marks[0][0]:8.2f} {marks[-1][1] - marks[0][1]:8.2f}")


if __name__ == "__main__":
    main()
