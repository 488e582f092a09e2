"""The parts of ``cultureval report`` for GlobalOpinionQA's other conditions: whose opinions the
default answer represents (ranked countries, per continent), the steering gain per country, and
the expression modes side by side."""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.report_tools import Figures, Run, distinct_item_sets, fmt, new_figure, yardsticks_of
from cultureval.tasks.global_opinions import conditions
from cultureval.tasks.global_opinions.continents import continent_of

DEFAULT_TASKS = ("global_opinion_default", "global_opinion_default_cot")
STEERING = {"global_opinion_steer_fewshot": "few-shot", "global_opinion_steer_persona": "persona"}
MODES = {
    "global_opinion_jsd_6c": "log-probabilities",
    "global_opinion_sampled_6c": "sampled",
    "global_opinion_cot_6c": "reasoning",
    "global_opinion_verbalized_6c": "verbalised (JSON)",
}
_COUNTRY = "culture_sim|country="


def _clean(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _count(value) -> str:
    value = _clean(value)
    return "n/a" if value is None else f"{value:g}"


def default_country_sims(run: Run) -> dict[str, float]:
    """Per-country culture_sim of a default-prompting run (its metrics, else its samples)."""
    found = {key[len(_COUNTRY) :]: value for key, value in run.metrics.items() if key.startswith(_COUNTRY)}
    if not found and run.items:
        summary = conditions.summarise_default([item["value"] for item in run.items if "value" in item])
        found = {key[len(_COUNTRY) :]: value for key, value in summary.items() if key.startswith(_COUNTRY)}
    return {country: value for country, value in found.items() if _clean(value) is not None}


def _dot_plot(name: str, title: str, runs: dict[str, dict[str, float]], figures: Figures) -> str | None:
    from cultureval.report_tools import colours

    if not any(runs.values()):
        return None
    first = next(iter(runs.values()))
    countries = sorted(set().union(*runs.values()), key=lambda c: first.get(c, -1.0))
    figure, axes = new_figure(height=max(3.0, 0.2 * len(countries) + 1.2))
    palette = colours(list(runs))
    for label, sims in runs.items():
        ys = [i for i, c in enumerate(countries) if c in sims]
        axes.plot([sims[countries[i]] for i in ys], ys, "o", markersize=3, color=palette[label], label=label)
    axes.set_yticks(range(len(countries)), countries, fontsize=6)
    axes.set_xlabel("culture_sim of the default answer (1 − JS distance)")
    axes.set_ylabel("country (ranked)")
    axes.set_title(title)
    axes.legend(fontsize=7)
    return figures.save(figure, name)


def default_section(by_task: dict[str, list[Run]], figures: Figures) -> list[str]:
    lines = []
    for task in DEFAULT_TASKS:
        runs = by_task.get(task) or []
        if not runs:
            continue
        lines += [
            f"### Whose opinions? `{task}` (default prompting, Durmus et al. 2023)",
            "",
            "The headline is `culture_sim_strict` (1 − JS distance over every (question, country) pair, an unreadable "
            "answer 0; higher is better). The gap between the best and the worst country is read beside it: a "
            "uniformly bad answer is even. Yardstick rows are scored on the items of the run named.",
            "",
            "| model | harness | culture_sim_strict ↑ | jsd | best country | worst country | gap | countries ranked |",
            "|---|---|---|---|---|---|---|---|",
        ]
        sims_by_run = {}
        for run in runs:
            sims = default_country_sims(run)
            sims_by_run[run.label] = sims
            ranked = sorted(sims.items(), key=lambda kv: kv[1])
            best = f"{ranked[-1][0]} {ranked[-1][1]:.3f}" if ranked else "n/a"
            worst = f"{ranked[0][0]} {ranked[0][1]:.3f}" if ranked else "n/a"
            lines.append(
                f"| {run.model} | {run.harness} | {fmt(_clean(run.metrics.get('culture_sim_strict')))} | "
                f"{fmt(_clean(run.metrics.get('jsd')))} | {best} | {worst} | "
                f"{fmt(_clean(run.metrics.get('country_sim_gap')))} | {_count(run.metrics.get('n_countries_ranked'))} |"
            )
        for run in distinct_item_sets(runs):
            for label, m in yardsticks_of(run).items():
                lines.append(
                    f"| yardstick: {label} (on {run.model}'s items) | — | {fmt(_clean(m.get('culture_sim_strict')))} | "
                    f"{fmt(_clean(m.get('jsd')))} | | | {fmt(_clean(m.get('country_sim_gap')))} | "
                    f"{_count(m.get('n_countries_ranked'))} |"
                )
        lines += ["", "Per continent (mean of its countries' culture_sim):", ""]
        continents = sorted(
            {continent_of(c) or "unknown" for sims in sims_by_run.values() for c in sims},
            key=lambda c: (c == "unknown", c),
        )
        lines += ["| model | " + " | ".join(continents) + " |", "|---" * (len(continents) + 1) + "|"]
        for label, sims in sims_by_run.items():
            groups: dict[str, list[float]] = defaultdict(list)
            for country, sim in sims.items():
                groups[continent_of(country) or "unknown"].append(sim)
            cells = [fmt(sum(groups[c]) / len(groups[c])) if groups[c] else "n/a" for c in continents]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        name = _dot_plot(
            f"{task}_countries", f"{task}: whose opinions does the default answer match?", sims_by_run, figures
        )
        lines += ["", f"![{task} countries ranked]({name})" if name else "", ""]
    return lines


PLAIN_TASKS = ("global_opinion_jsd_6c", "global_opinion_jsd_binary", "global_opinion_jsd")


def _similarities(run: Run) -> dict[str, tuple[str, float]]:
    return {item["item"]: (item["country"], item["culture_sim"]) for item in run.items or [] if "item" in item}


def steering_gain(steered: Run, plain: Run) -> dict[str, tuple[float, int]]:
    """Per country, the mean over the items both runs scored of culture_sim(steered) −
    culture_sim(plain), with the number of paired items; ``"all"`` over every paired item."""
    a, b = _similarities(steered), _similarities(plain)
    gains: dict[str, list[float]] = defaultdict(list)
    for key in sorted(set(a) & set(b)):
        country = a[key][0]
        gains[country].append(a[key][1] - b[key][1])
        gains["all"].append(a[key][1] - b[key][1])
    return {country: (sum(v) / len(v), len(v)) for country, v in gains.items()}


def steering_section(by_task: dict[str, list[Run]]) -> list[str]:
    lines = []
    for task, name in STEERING.items():
        for run in by_task.get(task) or []:
            plains = [p for t in PLAIN_TASKS for p in by_task.get(t) or [] if p.model == run.model]
            best = max(plains, key=lambda p: steering_gain(run, p).get("all", (0.0, 0))[1], default=None)
            gain = steering_gain(run, best) if best is not None else {}
            if not lines:
                lines = [
                    "### Steering gain over the plain cross-national prompt",
                    "",
                    "culture_sim(steered) − culture_sim(plain) per item, mean over the items both runs scored:",
                    "",
                ]
            if not gain:
                lines += [
                    f"{run.label}: `{task}` has no plain run of the same model on the same items (with samples).",
                    "",
                ]
                continue
            lines += [
                f"{run.label}, {name} steering (`{task}` − `{best.task}`):",
                "",
                "| country | gain | paired items |",
                "|---|---|---|",
            ]
            for country in sorted(c for c in gain if c != "all"):
                lines.append(f"| {country} | {gain[country][0]:+.3f} | {gain[country][1]} |")
            lines += [f"| all | {gain['all'][0]:+.3f} | {gain['all'][1]} |", ""]
    return lines


def modes_section(by_task: dict[str, list[Run]]) -> list[str]:
    by_model: dict[str, dict[str, Run]] = defaultdict(dict)
    for task in MODES:
        for run in by_task.get(task) or []:
            by_model[run.model][task] = run
    rows = {model: runs for model, runs in by_model.items() if len(runs) >= 2}
    if not rows:
        return []
    lines = [
        "### Expression modes side by side (Meister et al. 2025)",
        "",
        "jsd of readable answers / jsd_strict (an unreadable answer = 1.0) / parse rate, on the six-country items:",
        "",
        "| model | " + " | ".join(MODES.values()) + " |",
        "|---" * (len(MODES) + 1) + "|",
    ]
    for model, runs in sorted(rows.items()):
        cells = []
        for task in MODES:
            run = runs.get(task)
            if run is None:
                cells.append("–")
                continue
            m = run.metrics
            strict = m.get("jsd_strict", m.get("jsd"))
            parse = m.get("parse_rate", 1.0 if "jsd" in m else None)
            cells.append(f"{fmt(_clean(m.get('jsd')))} / {fmt(_clean(strict))} / {fmt(_clean(parse))}")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return lines + [""]
