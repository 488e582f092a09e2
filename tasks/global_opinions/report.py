"""The GlobalOpinionQA sections of ``cultureval report``: per-country similarity, error vs number
of options, difficulty-adjusted similarity, and the WVS expected-score (Pearson) results."""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import MetricTable
from cultureval.report_tools import (
    Figures,
    Run,
    bar_figure,
    colours,
    distinct_item_sets,
    fmt,
    new_figure,
    yardsticks_of,
)
from cultureval.tasks.global_opinions import wvs_pearson

GOBENCH_R2 = 0.19  # GlobalOpinionBench: R^2 of error vs number of options


def report_item(task: str, doc: dict, values: dict) -> dict | None:
    """The per-item record the figures need, from a logged sample (lm-eval: the sample line;
    Inspect: the score value); ``None`` for items without a JS distance."""
    jsd = values.get("jsd")
    if task in ("global_opinion_default", "global_opinion_default_cot"):
        # lm-eval logs each question's [readable, [[country, jsd], ...]] under every metric name
        return {"value": jsd} if isinstance(jsd, list) and len(jsd) == 2 else None
    if isinstance(jsd, bool) or not isinstance(jsd, (int, float)) or math.isnan(jsd):
        return None
    return {
        "country": doc.get("country"),
        "n_options": doc.get("n_options"),
        "jsd": jsd,
        "culture_sim": 1.0 - jsd,
        # pairs a steered run's items with the plain run's (the steering gain)
        "item": f"{doc.get('question_id')}|{doc.get('survey_country', doc.get('country'))}",
    }


def difficulty_adjusted(items: list[dict]) -> float | None:
    """Σ_i w_i · culture_sim_i / Σ_i w_i with w_i = log2(k_i), k_i the item's number of options
    (the information in a uniform guess: a binary item weighs 1, a 4-option item 2, a
    10-option item 3.32), so items where a lucky guess is easy count less."""
    weights = [
        (math.log2(item["n_options"]), item["culture_sim"]) for item in items if (item.get("n_options") or 0) >= 2
    ]
    total = sum(w for w, _ in weights)
    return sum(w * s for w, s in weights) / total if total else None


def options_fit(items: list[dict]) -> tuple[float, float, float] | None:
    """(slope, intercept, R²) of the least-squares line jsd ~ number of options."""
    from scipy import stats

    points = [(item["n_options"], item["jsd"]) for item in items if item.get("n_options")]
    if len(points) < 3 or len({x for x, _ in points}) < 2:
        return None
    fit = stats.linregress(*zip(*points))
    return float(fit.slope), float(fit.intercept), float(fit.rvalue**2)


def country_means(items: list[dict]) -> dict[str, tuple[float, float, int]]:
    """Per country: (mean JS distance, mean number of options, items)."""
    found: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for item in items:
        if item.get("n_options"):
            found[item["country"]].append((item["jsd"], item["n_options"]))
    return {
        country: (sum(j for j, _ in rows) / len(rows), sum(k for _, k in rows) / len(rows), len(rows))
        for country, rows in found.items()
    }


def country_options_fit(items: list[dict]) -> tuple[float, float, float] | None:
    """GlobalOpinionBench's R² (``responses/question_feat.ipynb``): the least-squares line
    through one point per country — its mean JS distance against its mean number of options —
    as (slope, intercept, R²); ``None`` with fewer than 3 countries or one mean option count.
    The study fitted 108 countries of GPT-4.1's answers (R² = 0.19); :func:`options_fit` fits
    the items themselves, a different (item-level) number."""
    from scipy import stats

    points = [(options, jsd) for jsd, options, _ in country_means(items).values()]
    if len(points) < 3 or len({x for x, _ in points}) < 2:
        return None
    fit = stats.linregress(*zip(*points))
    return float(fit.slope), float(fit.intercept), float(fit.rvalue**2)


def true_scores(items: list[dict]) -> dict[str, float]:
    """GlobalOpinionBench's per-country "true score" (``responses/question_feat.ipynb``:
    ``(1 / jsd) * num_selections``): the country's mean number of options divided by its mean JS
    distance — the error weighted by how hard the items are (more options, a harder guess);
    higher is better. Countries with a mean distance of 0 have none."""
    return {c: options / jsd for c, (jsd, options, _) in country_means(items).items() if jsd > 0}


def country_figure(task: str, runs: list[Run], figures: Figures) -> str | None:
    """Mean culture_sim per country (± its standard error over the country's items), one colour
    per run, countries in alphabetical order so figures of different runs line up."""
    import numpy as np

    per_model: dict[str, dict[str, tuple[float, float]]] = {}
    for run in runs:
        values: dict[str, list[float]] = defaultdict(list)
        for item in run.items or []:
            values[item["country"]].append(item["culture_sim"])
        if values:
            label = f"{run.label}, n={sum(len(v) for v in values.values())}"
            per_model[label] = {
                country: (float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1 else 0.0)
                for country, v in values.items()
            }
    if not per_model:
        return None
    countries = sorted({c for values in per_model.values() for c in values}, reverse=True)
    figure, axes = new_figure(height=max(3.0, 0.22 * len(countries) + 1.2))
    palette = colours(list(per_model))
    for offset, (model, values) in enumerate(per_model.items()):
        ys = [i for i, c in enumerate(countries) if c in values]
        shift = (offset - (len(per_model) - 1) / 2) * 0.12
        axes.errorbar(
            [values[countries[i]][0] for i in ys],
            [i + shift for i in ys],
            xerr=[values[countries[i]][1] for i in ys],
            fmt="o",
            markersize=3,
            elinewidth=0.7,
            color=palette[model],
            label=model,
        )
    axes.set_yticks(range(len(countries)), countries, fontsize=7)
    axes.set_xlabel("culture_sim = 1 - JS distance (mean ± s.e. over the country's items)")
    axes.set_ylabel("country (alphabetical)")
    axes.set_title(f"{task}: similarity to each country's survey answers")
    axes.legend(fontsize=7, loc="lower right")
    return figures.save(figure, f"{task}_culture_sim_by_country")


def options_figure(task: str, runs: list[Run], figures: Figures) -> tuple[str | None, dict]:
    import numpy as np

    fits = {}
    figure, axes = new_figure()
    palette = colours([r.label for r in runs])
    rng = np.random.default_rng(0)
    plotted = False
    for run in runs:
        label = run.label
        fit = options_fit(run.items or [])
        if fit is None:
            continue
        fits[label] = fit
        xs = np.array([item["n_options"] for item in run.items], dtype=float)
        ys = np.array([item["jsd"] for item in run.items])
        axes.scatter(xs + rng.uniform(-0.15, 0.15, len(xs)), ys, s=6, alpha=0.35, color=palette[label])
        line = np.linspace(xs.min(), xs.max(), 2)
        axes.plot(line, fit[0] * line + fit[1], color=palette[label], label=f"{label}: R² = {fit[2]:.2f}")
        plotted = True
    if not plotted:
        import matplotlib.pyplot as plt

        plt.close(figure)
        return None, fits
    axes.set_xlabel("number of answer options")
    axes.set_ylabel("JS distance to the survey")
    axes.set_title(
        f"{task}: error vs number of options, item-level (GlobalOpinionBench's country-level R² = {GOBENCH_R2})"
    )
    axes.legend(fontsize=7)
    return figures.save(figure, f"{task}_error_vs_options"), fits


def _opinion_row(task: str, run: Run) -> str:
    items = run.items or []
    fit, country_fit = options_fit(items), country_options_fit(items)
    m = run.metrics
    coverage = m.get("ordinal_coverage")
    representativeness = fmt(m.get("representativeness")) + (f" ({coverage:.0%} of items)" if coverage else "")
    return (
        f"| {task} | {run.model} | {run.harness} | {run.rendering or 'n/a'} | {fmt(m.get('culture_sim'))} | "
        f"{fmt(difficulty_adjusted(items))} | {representativeness} | {fmt(fit[2] if fit else None)} | "
        f"{fmt(fit[0] if fit else None)} | {fmt(country_fit[2] if country_fit else None)} |"
    )


def _yardstick_rows(task: str, runs: list[Run]) -> list[str]:
    lines = []
    for run in distinct_item_sets(runs):
        for label, m in yardsticks_of(run).items():
            coverage = m.get("ordinal_coverage")
            shown = fmt(m.get("representativeness")) + (f" ({coverage:.0%} of items)" if coverage else "")
            lines.append(
                f"| {task} | yardstick: {label} | on {run.model}'s items | | {fmt(m.get('culture_sim'))} | | "
                f"{shown} | | | |"
            )
    return lines


def true_score_lines(task: str, runs: list[Run]) -> list[str]:
    """Per country and run: mean JS distance, mean number of options and GlobalOpinionBench's true score."""
    per_run = {run.label: (country_means(run.items or []), true_scores(run.items or [])) for run in runs if run.items}
    countries = sorted({c for means, _ in per_run.values() for c in means})
    if not countries:
        return []
    lines = [
        f"Per country on `{task}`: mean JS distance / mean number of options / GlobalOpinionBench's true score "
        "(mean options ÷ mean distance: the error weighted by how many options the items have; higher is better).",
        "",
        "| country | " + " | ".join(per_run) + " |",
        "|---" * (len(per_run) + 1) + "|",
    ]
    for country in countries:
        cells = []
        for means, scores in per_run.values():
            if country in means:
                jsd, options, _ = means[country]
                cells.append(f"{jsd:.3f} / {options:.1f} / {fmt(scores.get(country))}")
            else:
                cells.append("–")
        lines.append(f"| {country} | " + " | ".join(cells) + " |")
    return lines + [""]


def map_lines(task: str, runs: list[Run], figures: Figures) -> list[str]:
    """A world map of each run's per-country mean JS distance (GlobalOpinionBench's map)."""
    from cultureval.tasks.global_opinions.world_map import choropleth

    lines = []
    for index, run in enumerate(r for r in runs if r.items):
        means = {country: jsd for country, (jsd, _, _) in country_means(run.items).items()}
        name, missing = choropleth(
            means,
            f"{task}: mean JS distance per country, {run.label}",
            "mean JS distance (lower is closer)",
            f"{task}_map_{index}",
            figures,
        )
        if name:
            lines += [f"![{task} map, {run.label}]({name})", ""]
        if missing:
            lines += [f"Not on the map ({run.label}): {', '.join(missing)}.", ""]
    return lines


def _opinion_section(by_task: dict[str, list[Run]], figures: Figures) -> list[str]:
    tasks = sorted(by_task)
    lines = ["## GlobalOpinionQA", ""]
    lines += [
        "Difficulty-adjusted similarity: `Σ_i log2(k_i)·culture_sim_i / Σ_i log2(k_i)`, k_i the "
        "item's number of options (a binary item weighs 1, a 10-option item 3.3). Representativeness "
        "(OpinionQA) is scored on the items with an ordinal scale only: its coverage is beside it. Two R² of "
        "error against the number of options: item-level (one point per item, cultureval's) and country-level "
        f"(one point per country: its mean distance against its mean option count, GlobalOpinionBench's, which "
        f"found R² = {GOBENCH_R2} over 108 countries).",
        "",
    ]
    lines += [
        "| task | model | harness | rendering | culture_sim | difficulty-adjusted | representativeness (coverage) "
        "| R² item-level | slope (item-level) | R² country-level |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for task in tasks:
        lines += [_opinion_row(task, run) for run in by_task[task]]
        lines += _yardstick_rows(task, by_task[task])
    lines.append("")
    for task in tasks:
        name = country_figure(task, by_task[task], figures)
        if name:
            lines += [f"![{task} by country]({name})", ""]
        name, _ = options_figure(task, by_task[task], figures)
        if name:
            lines += [f"![{task} error vs options]({name})", ""]
        lines += true_score_lines(task, by_task[task]) + map_lines(task, by_task[task], figures)
    return lines


CONTINENT_KEYS = ["africa", "asia", "europe", "north_america", "oceania", "south_america"]


def _pearson_row(label: str, harness: str, m: dict) -> str:
    return (
        f"| {label} | {harness} | {fmt(m.get('pearson_mean'))} | {fmt(m.get('n_questions'))} | "
        f"{fmt(m.get('pearson_country_mean'))} | {fmt(m.get('pearson_country_deviation_mean'))} | "
        f"{fmt(m.get('abs_error_western'))} | {fmt(m.get('abs_error_rest'))} | {fmt(m.get('western_bias'))} |"
    )


def _pearson_section(runs: list[Run], figures: Figures) -> list[str]:
    lines = [
        "## WVS value probing (expected score, Pearson)",
        "",
        "`pearson_country_mean` is mostly which questions sit high or low everywhere: read it against the "
        "country-blind yardstick (every country gets the question's cross-country mean distribution). "
        "`pearson_country_deviation_mean` credits only knowledge of the country (the country-blind predictor "
        "scores 0). Yardstick rows are scored on the items of the run named.",
        "",
        "| model | harness | pearson_mean | n_questions | pearson_country_mean | pearson_country_deviation_mean "
        "| abs_error western | abs_error rest | western_bias |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(_pearson_row(run.model, run.harness, run.metrics))
    for run in distinct_item_sets(runs):
        for label, values in yardsticks_of(run).items():
            lines.append(_pearson_row(f"yardstick: {label} (on {run.model}'s items)", "—", values))
    series = {r.label: [r.metrics.get(f"abs_error_{c}") for c in CONTINENT_KEYS] for r in runs}
    name = bar_figure(
        "wvs_pearson_error_by_continent",
        "global_opinion_wvs_pearson: error by continent",
        "continent",
        "mean |E_model - E_survey| / scale range",
        CONTINENT_KEYS,
        series,
        figures,
    )
    return lines + ["", f"![error by continent]({name})" if name else "(no continent errors to plot)", ""]


def section(by_task: dict[str, list[Run]], tables: dict[str, MetricTable], figures: Figures) -> list[str]:
    """The family's part of the report: opinion tasks (option and generative tables) and the
    WVS expected-score task, told apart by their metric tables."""
    from cultureval.tasks.global_opinions import conditions, conditions_report

    opinion = {
        task: runs
        for task, runs in by_task.items()
        if tables[task] is not wvs_pearson.METRICS and tables[task] is not conditions.DEFAULT_METRICS
    }
    pearson = [run for task, runs in sorted(by_task.items()) if tables[task] is wvs_pearson.METRICS for run in runs]
    lines = _opinion_section(opinion, figures) if opinion else []
    lines += conditions_report.modes_section(by_task) + conditions_report.steering_section(by_task)
    lines += conditions_report.default_section(by_task, figures)
    return lines + (_pearson_section(pearson, figures) if pearson else [])
