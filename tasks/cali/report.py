"""The CALI section of ``cultureval report``: entailment F1 against each culture's annotators."""

from __future__ import annotations

from cultureval.report_tools import Figures, Run, bar_figure

CULTURE_TASKS = (("cali_nli_us", "United States"), ("cali_nli_in", "India"))


def section(by_task: dict[str, list[Run]], tables: dict, figures: Figures) -> list[str]:
    labels = sorted({f"{r.label}, n={r.n}" for runs in by_task.values() for r in runs})
    values: dict[str, list[float | None]] = {label: [None, None] for label in labels}
    for index, (task, _) in enumerate(CULTURE_TASKS):
        for run in by_task.get(task, []):
            values[f"{run.label}, n={run.n}"][index] = run.metrics.get("macro_f1_binary")
    name = bar_figure(
        "cali_f1",
        "CALI: macro-F1 over {E, not-E} against each culture's annotators",
        "culture",
        "macro_f1_binary",
        [culture for _, culture in CULTURE_TASKS],
        values,
        figures,
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
