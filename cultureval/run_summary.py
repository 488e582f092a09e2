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


def unlogged_docs(run: Run) -> list[dict] | None:
    """The documents an lm-eval run evaluated when it logged no samples: the task's documents
    read again (with the run's recorded filter) — only when their fingerprint equals the run's
    recorded ``docs_sha256`` (the same documents in the same order: :mod:`cultureval.identity`)
    — cut to the run's ``--limit`` as lm-eval cuts them (the first ``limit``, or ``ceil(n ×
    limit)`` for a fraction). ``None`` when the run recorded no fingerprint, the data cannot be
    read here, or it no longer matches: no yardstick is then better than one on other items."""
    import math

    from cultureval.data_source import DataFileError
    from cultureval.identity import docs_fingerprint

    block = run.provenance or {}
    recorded = block.get("docs_sha256")
    if run.harness != "lm-eval" or not recorded:
        return None
    data_filter = (block.get("data_source") or {}).get("filter") or {}
    try:
        docs = [dict(row) for row in task_definition(run.task).load_dataset(**data_filter)]
    except (DataFileError, InputError, OSError, ValueError, KeyError, TypeError):
        return None
    if docs_fingerprint(docs) != recorded:
        return None
    if run.limit:
        docs = docs[: math.ceil(len(docs) * run.limit) if run.limit < 1 else int(run.limit)]
    return docs


def _yardsticks(run: Run) -> tuple[dict[str, dict], str]:
    """The family's yardsticks on the run's items and a line saying where the items came from
    (``""`` when from the logged samples)."""
    yardsticks = yardsticks_of(run)  # the report's function, on the same logged documents
    owner = family_of(run.task)
    if yardsticks or run.docs or owner is None or owner.yardsticks is None:
        return yardsticks, ""
    docs = unlogged_docs(run)
    if docs is None:
        return {}, "  (no yardsticks: the run logged no samples; add --log_samples to score them on the same items)"
    return owner.yardsticks(run.task, docs), (
        f"  (yardsticks on the task's first {len(docs)} documents, read again: the run logged no samples; "
        "their fingerprint equals the run's docs_sha256)"
    )


def task_table(run: Run) -> str:
    """One block for a cultureval task run: a header naming the task, its item count, limit
    and rendering, then :func:`~cultureval.report_tools.metrics_table` with the family's
    yardsticks on the same items (the logged documents, or without samples the task's documents
    read again when their fingerprint matches: :func:`unlogged_docs`)."""
    yardsticks, said = _yardsticks(run)
    header = f"{run.task}: {run.n} items" + (f" (--limit {run.limit:g})" if run.limit else "")
    rendering = run.provenance.get("rendering")
    header += f", rendering {rendering}" if rendering else ""
    if rendering and run.harness in ("lm-eval", "inspect"):  # the harnesses' defaults differ
        stemmed = bool(task_definition(run.task).config.get("gen_prefix"))
        header += f"\n  ({in_other_harness(run.harness, rendering, stemmed)})"
    return header + "\n" + metrics_table(run.task, run.metrics, yardsticks, n=run.n) + (f"\n{said}" if said else "")


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
