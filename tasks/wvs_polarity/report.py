"""The WVS value polarity section of ``cultureval report``: ρ per language with its interval,
ρ per country beside the human ceiling, and alignment with the US vs the local countries."""

from __future__ import annotations

from collections import defaultdict

from cultureval.report_tools import Figures, Run, bar_figure, fmt, uncertainty

COUNTRY_PREFIX = "spearman_country_"
CEILING_PREFIX = "human_ceiling_"


def language_of(task: str) -> str:
    """``wvs_polarity_da`` -> ``da`` (this family's task names end in the prompt language)."""
    return task.rsplit("_", 1)[1]


def _local_mean(metrics: dict) -> float | None:
    local = [
        v for k, v in metrics.items() if k.startswith(COUNTRY_PREFIX) and k.count("_") == 2 and not k.endswith("_US")
    ]
    if not local or any(v is None for v in local):
        return None
    return sum(local) / len(local)


def section(by_task: dict[str, list[Run]], tables: dict, figures: Figures) -> list[str]:
    lines = [
        "## WVS value polarity",
        "",
        "| language | model | spearman_language | 95% CI | us_bias | self_consistency | human_ceiling | judge_parse_rate |",
        "|---|---|---|---|---|---|---|---|",
    ]
    country_series: dict[str, dict[str, float | None]] = defaultdict(dict)
    ceilings: dict[str, float] = {}
    side: dict[str, dict[str, list[float | None]]] = defaultdict(dict)
    for task in sorted(by_task):
        language = language_of(task)
        for run in by_task[task]:
            m = run.metrics
            lines.append(
                f"| {language} | {run.model} | {fmt(m.get('spearman_language'))} | {uncertainty(run, 'spearman_language')} | "
                f"{fmt(m.get('us_bias'))} | {fmt(m.get('self_consistency'))} | {fmt(m.get('human_ceiling'))} | "
                f"{fmt(m.get('judge_parse_rate'))} |"
            )
            label = f"{run.model} ({run.harness})"
            for key, value in m.items():
                if key.startswith(COUNTRY_PREFIX) and not key.endswith(("_ci_low", "_ci_high", "_n_topics")):
                    country = key.removeprefix(COUNTRY_PREFIX)
                    if language == "en" or country != "US":
                        country_series[label][f"{country} ({language})"] = value
                if key.startswith(CEILING_PREFIX):
                    ceilings[f"{key.removeprefix(CEILING_PREFIX)} ({language})"] = value
            side[label][language] = [m.get("spearman_country_US"), _local_mean(m)]
    countries = sorted({c for series in country_series.values() for c in series})
    name = bar_figure(
        "wvs_polarity_by_country",
        "WVS polarity: Spearman ρ with each country's survey",
        "country (prompt language)",
        "Spearman ρ over topics",
        countries,
        {label: [series.get(c) for c in countries] for label, series in country_series.items()},
        figures,
        reference=ceilings,
        reference_label="human ceiling",
    )
    lines += ["", f"![polarity by country]({name})", ""]
    languages = sorted({lang for values in side.values() for lang in values})
    series = {}
    for label, values in side.items():
        series[f"{label}: US"] = [values.get(lang, [None, None])[0] for lang in languages]
        series[f"{label}: local"] = [values.get(lang, [None, None])[1] for lang in languages]
    name = bar_figure(
        "wvs_polarity_us_vs_local",
        "WVS polarity: alignment with the US vs the local countries",
        "prompt language",
        "Spearman ρ over topics",
        languages,
        series,
        figures,
    )
    return lines + [f"![US vs local]({name})", ""]
