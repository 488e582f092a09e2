"""The default-prompting section of ``cultureval report``: whose opinions the default answer
represents — countries ranked by similarity (a dot plot), best, worst and the gap, and the mean
per continent."""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import MetricTable
from cultureval.report_tools import Figures, Run, distinct_item_sets, fmt, new_figure, outside_legend, yardsticks_of
from cultureval.tasks.default_prompting.scoring import MIN_QUESTIONS, summarise_default
from cultureval.tasks.global_opinions.continents import continent_of

DEFAULT_TASKS = ("global_opinion_default", "global_opinion_default_cot")
_COUNTRY = "culture_sim|country="


def report_item(task: str, doc: dict, values: dict) -> dict | None:
    """The per-question value a logged sample holds: lm-eval logs each question's
    ``[readable, [[country, jsd], ...]]`` under every metric name (Inspect: the score value);
    ``None`` for anything else."""
    jsd = values.get("jsd")
    return {"value": jsd} if isinstance(jsd, list) and len(jsd) == 2 else None


def _clean(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _count(value) -> str:
    value = _clean(value)
    return "n/a" if value is None else f"{value:g}"


def default_country_sims(run: Run) -> dict[str, float]:
    """Per-country culture_sim of a default-prompting run (its metrics, else its samples)."""
    found = {key[len(_COUNTRY) :]: value for key, value in run.metrics.items() if key.startswith(_COUNTRY)}
    if not found and run.items:
        summary = summarise_default([item["value"] for item in run.items if "value" in item])
        found = {key[len(_COUNTRY) :]: value for key, value in summary.items() if key.startswith(_COUNTRY)}
    return {
        country: value
        for country, value in found.items()
        if value is not None and not (isinstance(value, float) and math.isnan(value))
    }


def country_spread(run: Run) -> dict[str, tuple[float, float | None, int]]:
    """Per country, from the run's logged questions (``report_item``): ``(mean culture_sim, its
    standard error over the country's questions (``None`` for one question), questions)``, over
    the readable answers; ``{}`` without samples."""
    import numpy as np

    by_country: dict[str, list[float]] = defaultdict(list)
    for item in run.items or []:
        readable, pairs = item.get("value") or (False, [])
        if readable:
            for country, jsd in pairs:
                if jsd is not None:
                    by_country[country].append(1.0 - jsd)
    return {
        country: (float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1 else None, len(v))
        for country, v in by_country.items()
    }


def rankable(run: Run, sims: dict[str, float]) -> dict[str, float]:
    """The countries of ``sims`` the run may name as best or worst: those with at least
    :data:`MIN_QUESTIONS` questions (counted from the logged samples, :func:`country_spread`);
    without samples, none when the run ranked none (``n_countries_ranked`` 0), else all. The
    table named a country of one question best while saying 0 countries ranked."""
    spread = country_spread(run)
    if spread:
        return {c: v for c, v in sims.items() if c in spread and spread[c][2] >= MIN_QUESTIONS}
    return {} if run.metrics.get("n_countries_ranked") == 0 else sims


def _dot_plot(name: str, title: str, runs: dict[str, Run], figures: Figures) -> str | None:
    """The countries ranked by the first run's culture_sim (± standard error over the
    country's questions, where the samples were logged), each labelled with its number of
    questions; only countries with at least :data:`MIN_QUESTIONS` questions are ranked (the
    others are too few to place)."""
    from cultureval.report_tools import colours

    spreads = {label: country_spread(run) for label, run in runs.items()}
    sims = {label: default_country_sims(run) for label, run in runs.items()}
    if not any(sims.values()):
        return None
    counts: dict[str, int] = {}
    for spread in spreads.values():
        for country, (_, _, n) in spread.items():
            counts[country] = max(counts.get(country, 0), n)
    first = next(iter(sims.values()))
    countries = sorted(
        {c for found in sims.values() for c in found if counts.get(c, MIN_QUESTIONS) >= MIN_QUESTIONS},
        key=lambda c: first.get(c, -1.0),
    )
    if not countries:
        return None
    figure, axes = new_figure(height=max(3.0, 0.2 * len(countries) + 1.2))
    palette = colours(list(runs))
    for offset, (label, found) in enumerate(sims.items()):
        ys = [i for i, c in enumerate(countries) if c in found]
        errors = [(spreads[label].get(countries[i]) or (0.0, None, 0))[1] or 0.0 for i in ys]
        axes.errorbar(
            [found[countries[i]] for i in ys],
            [i + 0.15 * offset for i in ys],
            xerr=errors,
            fmt="o",
            markersize=3,
            elinewidth=0.8,
            color=palette[label],
            label=label,
        )
    labels = [f"{c} (n={counts[c]})" if c in counts else c for c in countries]
    axes.set_yticks(range(len(countries)), labels, fontsize=6)
    axes.set_xlabel("culture_sim of the default answer (1 − JS distance; ± s.e. over the country's questions)")
    axes.set_ylabel(f"country (ranked; ≥ {MIN_QUESTIONS} questions)")
    axes.set_title(title)
    outside_legend(axes)
    return figures.save(figure, name)


def _continent_lines(sims_by_run: dict[str, dict[str, float]]) -> list[str]:
    lines = ["", "Per continent (mean of its countries' culture_sim):", ""]
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
    return lines


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
        runs_by_label = {run.label: run for run in runs}
        for run in runs:
            sims = default_country_sims(run)
            sims_by_run[run.label] = sims
            ranked = sorted(rankable(run, sims).items(), key=lambda kv: kv[1])
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
        lines += _continent_lines(sims_by_run)
        name = _dot_plot(
            f"{task}_countries", f"{task}: whose opinions does the default answer match?", runs_by_label, figures
        )
        lines += ["", f"![{task} countries ranked]({name})" if name else "", ""]
    return lines


def section(by_task: dict[str, list[Run]], tables: dict[str, MetricTable], figures: Figures) -> list[str]:
    """The family's part of the report (``Family.report_section``)."""
    lines = default_section(by_task, figures)
    return ["## Default prompting: whose opinions? (GlobalOpinionQA)", "", *lines] if lines else []


def item_view(task: str, sample, rendering: str):
    """``Family.item_view``: one question of a logged sample (:class:`cultureval.runs.Sample`)
    with the model's one answer distribution (from its option log-likelihoods, or read from its
    written answer as ``global_opinion_default_cot`` reads it). A question has no single
    reference: every country's survey is compared with it (the task page's metrics)."""
    from cultureval.families import ItemView
    from cultureval.tasks.global_opinions.parser import read_distribution

    doc = sample.doc
    options = tuple(str(option) for option in doc.get("options") or ())
    model = sample.model_distribution
    if model is None and sample.answers and options:
        model = read_distribution(sample.answers[0], list(options)).distribution
    countries = doc.get("countries") or []
    return ItemView(
        question=str(doc.get("question", "")),
        group=f"{len(countries)} countries" if countries else "",
        options=options,
        model=tuple(model) if model is not None and len(model) == len(options) else None,
    )
