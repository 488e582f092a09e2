"""``culture_shift_rate`` for CALI: a post-step over the logged samples of both cultures' tasks
(it needs two tasks' outputs, so no single harness task can compute it).

Reads the ``cali_nli_us`` and ``cali_nli_in`` runs of lm-eval output folders (``--log_samples``)
and Inspect logs through :mod:`cultureval.runs`, and computes the rate per model (and
rendering): a model's US answers are paired with its own Indian answers only.
"""

from __future__ import annotations

from pathlib import Path

from cultureval.errors import InputError
from cultureval.metrics import culture_shift_rate
from cultureval.runs import Run, Sample, model_label, read_runs, runs_by_model
from cultureval.tasks.cali.loader import LABELS

TASKS = {"us": "cali_nli_us", "in": "cali_nli_in"}


def _prediction(sample: Sample) -> str:
    """The label the model chose: lm-eval, the argmax of the E/N/C log-likelihoods (E on ties,
    by label order, as the task scores it); Inspect, the score's answer."""
    if sample.loglikelihoods is not None:
        if len(sample.loglikelihoods) != len(LABELS):
            raise InputError(f"{sample.where}: {len(sample.loglikelihoods)} log-likelihoods, expected {len(LABELS)}")
        return LABELS[max(range(len(LABELS)), key=sample.loglikelihoods.__getitem__)]
    if sample.score_answer is None:
        raise InputError(f"{sample.where}: neither log-likelihoods nor a scored answer")
    return sample.score_answer


def predictions(run: Run) -> dict[int, tuple[str, dict]]:
    """``{pair_id: (predicted label, doc)}`` of one culture's run."""
    found = {}
    for sample in run.samples():
        sample.doc_field("contested")
        sample.doc_field("majority")
        found[sample.doc_field("pair_id")] = (_prediction(sample), sample.doc)
    return found


def shift_of(us: Run, india: Run) -> dict:
    """Culture shift rate over the contested pairs present in both runs (one model's)."""
    by_culture = {"us": predictions(us), "in": predictions(india)}
    both = sorted(set(by_culture["us"]) & set(by_culture["in"]), key=str)
    contested = [pair_id for pair_id in both if by_culture["us"][pair_id][1]["contested"]]
    rows = [
        (
            by_culture["us"][p][0],
            by_culture["us"][p][1]["majority"],
            by_culture["in"][p][0],
            by_culture["in"][p][1]["majority"],
        )
        for p in contested
    ]
    return {  # undefined without a contested pair: null, not NaN (which is not JSON)
        "culture_shift_rate": culture_shift_rate(rows) if rows else None,
        "n_contested": len(rows),
        "n_pairs_in_both": len(both),
        "us_match_rate": sum(r[0] == r[1] for r in rows) / len(rows) if rows else None,
        "in_match_rate": sum(r[2] == r[3] for r in rows) / len(rows) if rows else None,
    }


def shift_rates(paths: list[Path]) -> tuple[list[dict], list[str]]:
    """One result per model (and rendering) with runs of both cultures: ``model``,
    ``rendering``, the sources read, and :func:`shift_of`'s numbers; and a note per model with
    one culture only. No model with both is an :class:`~cultureval.errors.InputError`."""
    grouped = runs_by_model(read_runs(paths, tasks=TASKS.values()), TASKS.values())
    results, notes = [], []
    for key, by_task in grouped.items():
        if len(by_task) < 2:
            notes.append(f"{model_label(key)}: only {', '.join(by_task)}")
            continue
        us, india = by_task[TASKS["us"]], by_task[TASKS["in"]]
        sources = {"sources": {TASKS["us"]: us.source, TASKS["in"]: india.source}}
        results.append({"model": key[0], "rendering": key[1]} | shift_of(us, india) | sources)
    if not results:
        shown = "; ".join(f"{model_label(key)}: {', '.join(by_task)}" for key, by_task in grouped.items()) or "none"
        raise InputError(f"no model has runs of both cali_nli_us and cali_nli_in; found: {shown}")
    return results, notes
