"""The GlobalOpinionQA section of ``cultureval report``: per-country similarity, error vs number
of options (item-level and GlobalOpinionBench's country-level R²), difficulty-adjusted
similarity, representativeness with its coverage, the yardsticks on the same items,
GlobalOpinionBench's per-country true score and world map; the expression modes side by side and
the steering gain per country."""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import MetricTable
from cultureval.report_tools import (
    Figures,
    Run,
    colours,
    distinct_item_sets,
    fmt,
    new_figure,
    outside_legend,
    yardsticks_of,
)
from cultureval.tasks.global_opinions.continents import country_name

GOBENCH_R2 = 0.19  # GlobalOpinionBench: R^2 of error vs number of options


def report_item(task: str, doc: dict, values: dict) -> dict | None:
    """The per-item record the figures need, from a logged sample (lm-eval: the sample line;
    Inspect: the score value); ``None`` for items without a JS distance."""
    jsd = values.get("jsd")
    if isinstance(jsd, bool) or not isinstance(jsd, (int, float)) or math.isnan(jsd):
        return None
    return {
        # one name per country (the data spells some twice: "S. Korea" / "South Korea")
        "country": country_name(doc.get("country")),
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
    for offset, (model, by_country) in enumerate(per_model.items()):
        ys = [i for i, c in enumerate(countries) if c in by_country]
        shift = (offset - (len(per_model) - 1) / 2) * 0.12
        axes.errorbar(
            [by_country[countries[i]][0] for i in ys],
            [i + shift for i in ys],
            xerr=[by_country[countries[i]][1] for i in ys],
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
    outside_legend(axes)
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
        items = run.items or []
        fit = options_fit(items)
        if fit is None:
            continue
        fits[label] = fit
        xs = np.array([item["n_options"] for item in items], dtype=np.float64)
        ys = np.array([item["jsd"] for item in items])
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
    outside_legend(axes)
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
    for index, (run, items) in enumerate((r, r.items) for r in runs if r.items):
        means = {country: jsd for country, (jsd, _, _) in country_means(items).items()}
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


# --- steering gain and expression modes -----------------------------------------------------

STEERING = {"global_opinion_steer_fewshot": "few-shot", "global_opinion_steer_persona": "persona"}
MODES = {
    "global_opinion_jsd_6c": "log-probabilities",
    "global_opinion_sampled_6c": "sampled",
    "global_opinion_cot_6c": "reasoning",
    "global_opinion_verbalized_6c": "verbalised (JSON)",
}


def _clean(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


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
    lines: list[str] = []
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
            if best is None or not gain:  # no plain run: gain is empty
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
            mode_run = runs.get(task)
            if mode_run is None:
                cells.append("–")
                continue
            m = mode_run.metrics
            strict = m.get("jsd_strict", m.get("jsd"))
            parse = m.get("parse_rate", 1.0 if "jsd" in m else None)
            cells.append(f"{fmt(_clean(m.get('jsd')))} / {fmt(_clean(strict))} / {fmt(_clean(parse))}")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return lines + [""]


def section(by_task: dict[str, list[Run]], tables: dict[str, MetricTable], figures: Figures) -> list[str]:
    """The family's part of the report (``Family.report_section``): every run's similarity
    table and figures, the expression modes side by side, and the steering gain."""
    lines = _opinion_section(by_task, figures) if by_task else []
    return lines + modes_section(by_task) + steering_section(by_task)


# --- the results site's per-item view ------------------------------------------------------------


def written_distribution(task: str, doc: dict, answers: list[str], rendering: str) -> list[float] | None:
    """The distribution the model's written answers give, read as the task reads them (the
    task's ``process_results`` says which reading: sampled letters, a JSON object, or a
    distribution after reasoning); ``None`` when unreadable."""
    from cultureval.definitions import task_definition
    from cultureval.tasks.global_opinions import lm_eval_hooks, scoring
    from cultureval.tasks.global_opinions.parser import read_distribution
    from cultureval.tasks.global_opinions.prompts import option_letters
    from cultureval.tasks.global_opinions.verbalized import read_json_distribution

    process = task_definition(task).function("process_results")
    if process is lm_eval_hooks.sampled_process_results:
        letters = option_letters(doc["n_options"])
        given = [scoring.answer_letter(text, letters, after_stem=rendering != "instruction") for text in answers]
        return scoring.sampled_distribution(given, doc["n_options"])
    if process is lm_eval_hooks.verbalized_process_results:
        return read_json_distribution(answers[0], doc["options"])
    return read_distribution(answers[0], doc["options"]).distribution


def item_view(task: str, sample, rendering: str):
    """``Family.item_view``: one (question, country) item of a logged sample
    (:class:`cultureval.runs.Sample`): the country's survey distribution beside the model's (from
    the option log-likelihoods, or read from its written answers as the task reads them; an
    Inspect sampling run's answers are the ones its solver drew)."""
    from cultureval.families import ItemView

    doc = sample.doc
    options = tuple(str(option) for option in doc.get("options") or ())
    model = sample.model_distribution
    answers = sample.metadata.get("sampled_answers") or list(sample.answers)
    if model is None and answers and "survey_distribution" in doc:
        model = written_distribution(task, doc, [str(answer) for answer in answers], rendering)
    return ItemView(
        question=str(doc.get("question", "")),
        group=str(doc.get("survey_country") or doc.get("country") or ""),
        options=options,
        reference=tuple(doc["survey_distribution"]) if doc.get("survey_distribution") else None,
        model=tuple(model) if model is not None and len(model) == len(options) else None,
    )
