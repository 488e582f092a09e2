"""The section of ``cultureval report`` for the three-setting binary study: per model, the
settings side by side per country (majority agreement, JS distance, non-answers)."""

from __future__ import annotations

import math
import re
from collections import defaultdict

from cultureval.report_tools import Figures, Run, bar_figure, fmt, yardsticks_of
from cultureval.tasks.binary_settings import baselines, scoring

SETTINGS = {
    "binary_settings_classify": "classification",
    "binary_settings_reasoning": "reasoning",
    "binary_settings_open": "open conversation",
}
SHOWN = ("majority_agreement", "jsd", "withhold_rate", "unclassifiable_rate")


def report_item(task: str, doc: dict, values: dict) -> dict | None:
    """An lm-eval sample's value (``[item, country, s1, s2, label]``, logged under every metric
    name); ``None`` elsewhere (Inspect scores and judged runs carry per-country metrics)."""
    value = values.get("majority_agreement")
    if isinstance(value, list) and len(value) == 5:
        return {"value": value}
    return None


def per_country(run: Run) -> dict[str, dict[str, float | None]]:
    """``{country: {metric: value}}`` from the run's per-country metrics, else its samples."""
    found: dict[str, dict[str, float | None]] = defaultdict(dict)
    for key, value in run.metrics.items():
        name, _, rest = key.partition("|country=")
        if rest and name in SHOWN:
            found[rest][name] = value
    if not found and run.items:
        summary = scoring.summarise([item["value"] for item in run.items])
        for key, value in summary.items():
            name, _, rest = key.partition("|country=")
            if rest and name in SHOWN:
                found[rest][name] = None if isinstance(value, float) and math.isnan(value) else value
    return dict(found)


def _cell(values: dict[str, float | None]) -> str:
    non_answer = [values.get(name) for name in ("withhold_rate", "unclassifiable_rate")]
    non_answer_text = "/".join(fmt(v) if v is not None else "–" for v in non_answer)
    strict = values.get("majority_agreement_strict")
    strict_text = f" [strict {fmt(strict)}]" if strict is not None else ""
    return f"{fmt(values.get('majority_agreement'))}{strict_text} ({fmt(values.get('jsd'))}; {non_answer_text})"


def run_yardsticks(task: str, run: Run) -> dict[str, dict]:
    """The yardsticks on the run's items: from its logged documents, else from its logged
    sample values (``[item, country, s1, s2, label]``)."""
    found = yardsticks_of(run)
    if not found and run.items:
        records = [
            {"item": v[0], "country": v[1], "survey_1": v[2], "survey_2": v[3]}
            for v in (item["value"] for item in run.items)
        ]
        found = baselines.yardsticks(task, [], records)
    return found


def section(by_task: dict[str, list[Run]], tables: dict, figures: Figures) -> list[str]:
    by_model: dict[str, dict[str, Run]] = defaultdict(dict)
    for task, runs in by_task.items():
        if task in SETTINGS:
            for run in runs:
                # one model's settings side by side, whatever each run's --limit (shown per setting)
                by_model[f"{run.model} ({run.harness})"][task] = run
    if not by_model:
        return []
    lines = [
        "## GlobalOpinionQA in three settings",
        "",
        "Bravansky, Trhlik & Barez (2025): the same two-option questions as a classification, after reasoning, "
        "and inside open requests. Each cell: majority_agreement [strict: withheld and unreadable samples count "
        "against the model] (jsd; withhold_rate/unclassifiable_rate); – = not applicable (open conversation has "
        "no withhold option). The yardstick rows score, on the same items, a model that always answers option 1 "
        "and one that gives every country the answer most chosen over all countries asked the question.",
        "",
    ]
    for label, by_setting in sorted(by_model.items()):
        tasks = [task for task in SETTINGS if task in by_setting]
        countries = {task: per_country(by_setting[task]) for task in tasks}
        names = sorted({country for values in countries.values() for country in values})
        limits = ", ".join(f"{SETTINGS[t]}: --limit {by_setting[t].limit:g}" for t in tasks if by_setting[t].limit)
        lines += [f"### {label}", ""] + ([f"Runs with a limit (first documents only): {limits}.", ""] if limits else [])
        lines += ["| country | " + " | ".join(SETTINGS[t] for t in tasks) + " |"]
        lines.append("|---" * (len(tasks) + 1) + "|")
        for country in names:
            cells = [_cell(countries[task].get(country, {})) for task in tasks]
            lines.append(f"| {country} | " + " | ".join(cells) + " |")
        overall = [_cell(by_setting[task].metrics) for task in tasks]
        lines += ["| all items | " + " | ".join(overall) + " |"]
        yardsticks = {task: run_yardsticks(task, by_setting[task]) for task in tasks}
        for yardstick in baselines.ABOUT:
            cells = [_cell(yardsticks[task].get(yardstick, {})) for task in tasks]
            lines.append(f"| yardstick: {yardstick} (all items) | " + " | ".join(cells) + " |")
        lines.append("")
        series = {
            SETTINGS[task]: [countries[task].get(country, {}).get("majority_agreement") for country in names]
            for task in tasks
        }
        name = bar_figure(
            "binary_settings_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_"),
            f"{label}: majority agreement by setting",
            "country",
            "majority agreement",
            names,
            series,
            figures,
            reference=dict.fromkeys(names, 0.5),
            reference_label="coin flip (0.5)",
        )
        if name:
            lines += [f"![{label} by setting]({name})", ""]
    return lines
