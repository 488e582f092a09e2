"""What ``cultureval report`` adds to the runs it reads (:func:`cultureval.runs.read_runs`): the
notes on what makes two runs comparable or not — task and data versions, renderings, limits,
results without samples — beside each run's own notes (failed judgements, partial logs). The
runs' per-item records are read here, so a bad samples line stops the report before it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cultureval.comparability import comparability_notes
from cultureval.runs import Run, read_runs


@dataclass
class Inputs:
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _without_samples(run: Run) -> str | None:
    from cultureval.families import family_of

    owner = family_of(run.task)
    if run.has_samples or owner is None or owner.report_item is None:
        return None
    return (
        f"{run.source}: no {Path(run.samples_source).name} (run lm-eval with --log_samples): per-country figures "
        f"skip {run.model} on {run.task}"
    )


def read_inputs(paths: list[Path]) -> Inputs:
    """The runs under ``paths`` with their per-item records read, and the report's notes.
    Raises :class:`cultureval.errors.InputError` (one line naming the file) on bad input."""
    runs = read_runs(paths)
    for run in runs:
        _ = run.items  # read now: a bad line stops the report before anything is written
    notes = [note for run in runs for note in run.notes]
    notes += [note for note in map(_without_samples, runs) if note]
    notes += comparability_notes(runs)
    limited = sorted({f"{run.label} on {run.task}" for run in runs if run.limit})
    if limited:
        notes.append("run with --limit (the first items only; not comparable with full runs): " + "; ".join(limited))
    return Inputs(runs, notes)
