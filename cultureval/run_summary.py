"""The human table that ends every command producing metrics: each task's metrics with their
uncertainty and direction, the number of items, the rendering (and how the other harness gives
the same one: :func:`cultureval.rendering.in_other_harness`), and the family's yardsticks computed on the
same items (``Family.yardsticks(task, docs)``: what knowing nothing, a US-centric answer or the
survey's own sampling noise would score here). Runs are read by :func:`cultureval.runs.read_runs`;
each results file is summarised under its model, so an output folder holding several models'
runs shows each model's own numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cultureval.definitions import task_definition
from cultureval.errors import InputError
from cultureval.families import family_of
from cultureval.rendering import in_other_harness
from cultureval.report_tools import metrics_table, yardsticks_of
from cultureval.runs import Run, read_runs


def task_table(run: Run) -> str:
    """One block for a cultureval task run: a header naming the task, its item count, limit
    and rendering, then :func:`~cultureval.report_tools.metrics_table` with the family's
    yardsticks on the same items (when the samples were logged)."""
    yardsticks = yardsticks_of(run)  # the report's function, on the same logged documents
    header = f"{run.task}: {run.n} items" + (f" (--limit {run.limit:g})" if run.limit else "")
    rendering = run.provenance.get("rendering")
    header += f", rendering {rendering}" if rendering else ""
    if rendering and run.harness in ("lm-eval", "inspect"):  # the harnesses' defaults differ
        stemmed = bool(task_definition(run.task).config.get("gen_prefix"))
        header += f"\n  ({in_other_harness(run.harness, rendering, stemmed)})"
    return header + "\n" + metrics_table(run.task, run.metrics, yardsticks, n=run.n)


def summary_text(runs: list[Run]) -> str:
    """The tables of ``runs`` (cultureval's tasks only), grouped by results file or log in the
    order given: a line naming the model, the tasks' blocks, and the file; ``""`` when none is
    a cultureval task."""
    by_source: dict[str, list[Run]] = {}
    for run in runs:
        if family_of(run.task) is not None:
            by_source.setdefault(run.source, []).append(run)
    parts = []
    for source, found in by_source.items():
        blocks = "\n\n".join(task_table(run) for run in found)
        parts.append(f"model {found[0].model} ({found[0].harness})\n\n{blocks}\n\n(results: {source})")
    return "\n\n".join(parts)


def print_run_summary(output_path: Path, since: float) -> None:
    """Print the tables of the results an lm-eval run wrote under ``output_path`` at or after
    ``since`` (a ``time.time()``). The run already succeeded, so output that cannot be read is
    said in one line on stderr rather than failing it."""
    if not output_path.exists():
        return
    try:
        runs = read_runs([output_path], since=since)
        text = summary_text(sorted(runs, key=lambda run: Path(run.source).stat().st_mtime))
    except InputError as error:
        print(f"cultureval: no summary table: {error}", file=sys.stderr)
        return
    if text:
        print("\ncultureval: metrics, direction, and yardsticks on the same items\n")
        print(text)
