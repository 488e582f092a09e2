"""The human table that ends every command producing metrics: each task's metrics with their
uncertainty and direction, the number of items, and the family's yardsticks computed on the
same items (``Family.yardsticks(task, docs)``: what knowing nothing, a US-centric answer or the
survey's own sampling noise would score here).
"""

from __future__ import annotations

import json
from pathlib import Path

from cultureval.families import family_of
from cultureval.lm_eval_compat import read_results, samples_path
from cultureval.report_tools import metrics_table


def newest_results(output_path: Path, since: float = 0.0) -> list[Path]:
    """The lm-eval ``results_*.json`` files under ``output_path`` written at or after ``since``
    (a ``time.time()``), newest last; judged files are not lm-eval's own."""
    if not output_path.exists():
        return []
    found = [
        path
        for path in output_path.rglob("results_*.json")
        if not path.name.startswith("results_judged_") and path.stat().st_mtime >= since
    ]
    return sorted(found, key=lambda path: path.stat().st_mtime)


def _samples(results_path: Path, task: str) -> list[dict]:
    path = samples_path(results_path, task)
    if path is None:
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def task_tables(results_path: Path) -> list[str]:
    """One block per cultureval task of an lm-eval results file: a header naming the task, its
    rendering, item count and limit, then :func:`~cultureval.report_tools.metrics_table` with
    the family's yardsticks on the same items (when the samples were logged)."""
    results = read_results(results_path)
    limit = (results.get("config") or {}).get("limit")
    groups = set(results.get("group_subtasks") or {})
    blocks = []
    for task, entry in (results.get("results") or {}).items():
        owner = family_of(task)
        if owner is None or task in groups:
            continue
        metrics = {key.split(",")[0]: value for key, value in entry.items() if "," in key}
        config = (results.get("configs") or {}).get(task) or {}
        block = (config.get("metadata") or {}).get("cultureval") or {}
        n = ((results.get("n-samples") or {}).get(task) or {}).get("effective")
        docs = [sample["doc"] for sample in _samples(results_path, task) if isinstance(sample.get("doc"), dict)]
        yardsticks = owner.yardsticks(task, docs) if owner.yardsticks and docs else {}
        header = f"{task}: {n} items" + (f" (--limit {limit:g})" if limit else "")
        header += f", rendering {block.get('rendering')}" if block.get("rendering") else ""
        blocks.append(header + "\n" + metrics_table(task, metrics, yardsticks, n=n))
    return blocks


def print_run_summary(output_path: Path, since: float) -> None:
    """Print the tables of the results an lm-eval run just wrote under ``output_path``."""
    paths = newest_results(output_path, since)
    if not paths:
        return
    blocks = task_tables(paths[-1])
    if blocks:
        print("\ncultureval: metrics, direction, and yardsticks on the same items\n")
        print("\n\n".join(blocks))
        print(f"\n(results: {paths[-1]})")
