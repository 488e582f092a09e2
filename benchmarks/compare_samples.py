"""Are two lm-eval runs' logged samples the same, item by item? (The check that moving code
between folders changed no number: run the same command before and after, then compare.)

    python benchmarks/compare_samples.py BEFORE_DIR AFTER_DIR [--renamed old=new ...]

Each folder is an lm-eval ``--output_path`` (searched recursively for ``samples_<task>_*.jsonl``;
one file per task, the newest if there are several). Per task and ``(doc_id, filter)`` it
compares every field of the sample line — ``doc``, ``arguments`` (the rendered prompt),
``resps``, ``filtered_resps``, ``target``, the hashes and every metric value — exactly (floats
by their JSON text), and the per-task metrics of the results file (``results.<task>``, with
``alias`` and ``name``, the task's name, left out). Nothing is ignored in a sample line: lm-eval writes no timestamp or path
there. ``--renamed`` pairs a task name of the first run with its new name in the second.
Prints one line per task (items compared, fields differing) and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TASK_FIELDS = ("doc", "arguments", "resps", "filtered_resps", "target", "doc_hash", "prompt_hash", "target_hash")


def samples_files(folder: Path) -> dict[str, Path]:
    """task -> its newest samples file under ``folder``."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("samples_*.jsonl")):
        task = path.name[len("samples_") :].rsplit("_", 1)[0]
        found[task] = path  # sorted: the newest stamp last
    return found


def results_metrics(folder: Path) -> dict[str, dict]:
    metrics: dict[str, dict] = {}
    for path in sorted(folder.rglob("results_*.json")):
        for task, values in json.loads(path.read_text(encoding="utf-8")).get("results", {}).items():
            metrics[task] = {key: value for key, value in values.items() if key not in ("alias", "name")}
    return metrics


def read_lines(path: Path) -> dict[tuple, dict]:
    lines = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                sample = json.loads(line)
                lines[(str(sample["doc_id"]), sample.get("filter"))] = sample
    return lines


def compare_task(before: Path, after: Path) -> tuple[int, list[str]]:
    """(items compared, differences as ``doc_id field`` strings)."""
    a, b = read_lines(before), read_lines(after)
    differences = [f"{key[0]} missing after" for key in a.keys() - b.keys()]
    differences += [f"{key[0]} new after" for key in b.keys() - a.keys()]
    for key in sorted(a.keys() & b.keys()):
        left, right = a[key], b[key]
        for name in sorted(set(left) | set(right)):
            if json.dumps(left.get(name), sort_keys=True) != json.dumps(right.get(name), sort_keys=True):
                differences.append(f"{key[0]} {name}")
    return len(a.keys() & b.keys()), differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--renamed", action="append", default=[], help="old=new task name")
    options = parser.parse_args(argv)
    renamed = dict(pair.split("=", 1) for pair in options.renamed)
    before, after = samples_files(options.before), samples_files(options.after)
    metrics_before, metrics_after = results_metrics(options.before), results_metrics(options.after)
    failed = False
    total_items = total_fields = 0
    for task in sorted(before):
        new = renamed.get(task, task)
        if new not in after:
            print(f"{task}: no samples after")
            failed = True
            continue
        items, differences = compare_task(before[task], after[new])
        fields = sum(len(line) for line in read_lines(before[task]).values())
        total_items, total_fields = total_items + items, total_fields + fields
        same_metrics = json.dumps(metrics_before.get(task), sort_keys=True) == json.dumps(
            metrics_after.get(new), sort_keys=True
        )
        name = task if new == task else f"{task} -> {new}"
        print(
            f"{name}: {items} items, {fields} fields compared, {len(differences)} differing"
            f"{'' if same_metrics else ', task metrics DIFFER'}" + (f": {differences[:5]}" if differences else "")
        )
        failed |= bool(differences) or not same_metrics
    for task in sorted(set(after) - {renamed.get(t, t) for t in before}):
        print(f"{task}: only after")
    print(
        f"total: {len(before)} tasks, {total_items} items, {total_fields} fields; {'DIFFERENT' if failed else 'identical'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
