"""The WVS value-probing section of ``cultureval report``: Pearson agreement and the error by
continent (the study's Western-bias reading)."""

from __future__ import annotations

from cultureval.metric_table import MetricTable
from cultureval.report_tools import Figures, Run, bar_figure, distinct_item_sets, fmt, yardsticks_of

CONTINENT_KEYS = ["africa", "asia", "europe", "north_america", "oceania", "south_america"]
# the continents as the figure names them (country_converter's continent_7 names)
CONTINENT_NAMES = {key: key.replace("_", " ").title() for key in CONTINENT_KEYS}


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
        [CONTINENT_NAMES[key] for key in CONTINENT_KEYS],
        series,
        figures,
    )
    return lines + ["", f"![error by continent]({name})" if name else "(no continent errors to plot)", ""]


def section(by_task: dict[str, list[Run]], tables: dict[str, MetricTable], figures: Figures) -> list[str]:
    """The family's part of the report (``Family.report_section``)."""
    runs = [run for _, task_runs in sorted(by_task.items()) for run in task_runs]
    return _pearson_section(runs, figures) if runs else []
