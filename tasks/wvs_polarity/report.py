"""The WVS value polarity section of ``cultureval report``: ρ per language with its interval,
ρ per country, the model's self-consistency beside the human ceiling (the same granularity:
one response vs 10 resampled respondents), and alignment with the US vs the local countries."""

from __future__ import annotations

from collections import defaultdict

from cultureval.report_tools import Figures, Run, bar_figure, fmt, interval, uncertainty

COUNTRY_PREFIX = "spearman_country_"


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
        "ρ: response level (the study's definition). The human ceiling bounds `self_consistency`, "
        "which has its granularity (one response vs 10 resampled respondents); it is not a ceiling "
        "of the ρ with the survey. `self_consistency (figure)` is `self_consistency_bootstrap_mean`, the study's "
        "plotted variant (mean of 100 bootstrap resamples, a response drawn twice pairing with itself): hold it "
        "next to the paper's figure, not next to the ceiling.",
        "",
        "| language | model | spearman_language | 95% CI | us_bias | us_bias_random_adjusted | self_consistency "
        "| self_consistency (figure) | human_ceiling | judge_parse_rate | n_wrong_language |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    country_series: dict[str, dict[str, float | None]] = defaultdict(dict)
    country_errors: dict[str, dict[str, tuple[float, float] | None]] = defaultdict(dict)
    consistency: dict[str, dict[str, float | None]] = defaultdict(dict)
    ceilings: dict[str, float] = {}
    side: dict[str, dict[str, list[float | None]]] = defaultdict(dict)
    for task in sorted(by_task):
        language = language_of(task)
        for run in by_task[task]:
            m = run.metrics
            lines.append(
                f"| {language} | {run.model} | {fmt(m.get('spearman_language'))} | {uncertainty(run, 'spearman_language')} | "
                f"{fmt(m.get('us_bias'))} | {fmt(m.get('us_bias_random_adjusted'))} | {fmt(m.get('self_consistency'))} | "
                f"{fmt(m.get('self_consistency_bootstrap_mean'))} | {fmt(m.get('human_ceiling'))} | {fmt(m.get('judge_parse_rate'))} | {fmt(m.get('n_wrong_language'))} |"
            )
            label = run.label
            for key, value in m.items():
                country = key.removeprefix(COUNTRY_PREFIX)
                if key.startswith(COUNTRY_PREFIX) and "_" not in country and (language == "en" or country != "US"):
                    country_series[label][f"{country} ({language})"] = value
                    country_errors[label][f"{country} ({language})"] = interval(m, key)
            consistency[label][language] = m.get("self_consistency")
            ceiling = m.get("human_ceiling")
            if ceiling is not None:
                ceilings[language] = ceiling
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
        errors={label: [country_errors[label].get(c) for c in countries] for label in country_series},
    )
    lines += ["", f"![polarity by country]({name})" if name else "(no per-country ρ to plot)", ""]
    languages = sorted({lang for values in side.values() for lang in values})
    name = bar_figure(
        "wvs_polarity_self_consistency",
        "WVS polarity: the model's self-consistency beside the human ceiling",
        "prompt language",
        "Spearman ρ between responses to one topic / 0.955",
        languages,
        {label: [values.get(lang) for lang in languages] for label, values in consistency.items()},
        figures,
        reference=ceilings,
        reference_label="human ceiling (10 resampled respondents)",
    )
    lines += [f"![self-consistency]({name})" if name else "(no self-consistency to plot)", ""]
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
    return lines + [f"![US vs local]({name})" if name else "(no US and local ρ to plot)", ""]
