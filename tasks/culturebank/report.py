"""The CultureBank section of ``cultureval report``: the entailment score by topic."""

from __future__ import annotations

from cultureval.report_tools import Figures, Run, bar_figure

TOPIC = "entailment_score|topic="


def section(by_task: dict[str, list[Run]], tables: dict, figures: Figures) -> list[str]:
    lines = ["## CultureBank", ""]
    for task in sorted(by_task):
        runs = by_task[task]
        topics = sorted({key[len(TOPIC) :] for run in runs for key in run.metrics if key.startswith(TOPIC)})
        if not topics:
            continue
        series = {f"{r.label}, n={r.n}": [r.metrics.get(f"{TOPIC}{t}") for t in topics] for r in runs}
        name = bar_figure(
            f"{task}_by_topic",
            f"{task}: entailment score by topic",
            "topic",
            "mean entailment score",
            topics,
            series,
            figures,
        )
        if name:
            lines += [f"![{task} by topic]({name})", ""]
    return lines
