"""The CALI section of ``cultureval report``: entailment F1 against each culture's annotators."""

from __future__ import annotations

from cultureval.report_tools import Figures, Run, bar_figure, distinct_item_sets, interval, yardsticks_of

CULTURE_TASKS = (("cali_nli_us", "United States"), ("cali_nli_in", "India"))


def _never_entail(runs: list[Run]) -> float | None:
    """The never-entail yardstick's macro_f1_binary on the items of the first of ``runs`` that
    logged them (the floor a model that never says "entailment" scores)."""
    for run in distinct_item_sets(runs)[:1]:
        return (yardsticks_of(run).get("never-entail") or {}).get("macro_f1_binary")
    return None


def section(by_task: dict[str, list[Run]], tables: dict, figures: Figures) -> list[str]:
    """The family's part of the report (``Family.report_section``): macro_f1_binary per culture
    and run, with its interval where the run recorded one and the never-entail floor as a dashed
    line on each culture's items."""
    labels = sorted({f"{r.label}, n={r.n}" for runs in by_task.values() for r in runs})
    values: dict[str, list[float | None]] = {label: [None, None] for label in labels}
    errors: dict[str, list[tuple[float, float] | None]] = {label: [None, None] for label in labels}
    floor: dict[str, float] = {}
    for index, (task, culture) in enumerate(CULTURE_TASKS):
        for run in by_task.get(task, []):
            values[f"{run.label}, n={run.n}"][index] = run.metrics.get("macro_f1_binary")
            errors[f"{run.label}, n={run.n}"][index] = interval(run.metrics, "macro_f1_binary")
        never = _never_entail(by_task.get(task, []))
        if never is not None:
            floor[culture] = never
    name = bar_figure(
        "cali_f1",
        "CALI: macro-F1 over {E, not-E} against each culture's annotators",
        "culture",
        "macro_f1_binary",
        [culture for _, culture in CULTURE_TASKS],
        values,
        figures,
        reference=floor,
        reference_label="never-entail (the floor, on the same items)",
        errors=errors,
    )
    return ["## CulturallyAwareNLI", "", f"![CALI F1]({name})" if name else "(no macro_f1_binary to plot)", ""]


def item_view(task: str, sample, rendering: str):
    """``Family.item_view``: one premise/hypothesis pair of a logged sample
    (:class:`cultureval.runs.Sample`): the culture's annotators' E/N/C shares beside the model's."""
    from cultureval.families import ItemView
    from cultureval.tasks.cali.loader import LABELS

    doc = sample.doc
    model = sample.model_distribution
    return ItemView(
        question=f"Premise: {doc.get('premise', '')}\nHypothesis: {doc.get('hypothesis', '')}",
        group=dict(CULTURE_TASKS).get(task, ""),
        options=tuple(LABELS),
        reference=tuple(doc["label_distribution"]) if doc.get("label_distribution") else None,
        reference_label="annotators",
        model=tuple(model) if model is not None and len(model) == len(LABELS) else None,
    )
