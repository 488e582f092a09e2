"""``cultureval report RESULTS... -o DIR``: tables and figures across models.

Reads lm-eval output folders (``results_*.json`` — or ``results_judged_*.json`` of the same
run when ``cultureval judge`` wrote one — and ``samples_*.jsonl``; baselines written by
``cultureval baseline`` are lm-eval output too) and Inspect logs (``.eval``/``.json`` files
or folders of them, through ``inspect_ai.log``). Writes ``report.md``, PNG figures and
``figures.json`` (each figure's title, axis labels and legend) into DIR, one section per task
family present.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

_RESULTS_RE = re.compile(r"^results_(?P<judged>judged_)?(?P<stamp>.+)\.json$")
GOBENCH_R2 = 0.19  # GlobalOpinionBench: R^2 of error vs number of options


class ReportInputError(ValueError):
    """An input is missing or unreadable (the message names it)."""


@dataclass
class Run:
    model: str
    harness: str
    task: str
    metrics: dict[str, float | None]
    n: int | None = None
    items: list[dict] | None = None  # per-item records, when samples were logged
    source: str = ""
    version: tuple = ()  # (task version, data sha256) for the mixed-version check


@dataclass
class Inputs:
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _model_label(name: str) -> str:
    """Shorten local paths to their last two parts; Hub ids and provider names stay."""
    if name.startswith("/") or name.startswith("."):
        parts = Path(name).parts
        return "/".join(parts[-2:])
    return name


def _item(task: str, doc: dict, values: dict) -> dict | None:
    """Per-item record of the families whose figures need items."""
    if task.startswith("global_opinion_") and "wvs_pearson" not in task:
        jsd = _number(values.get("jsd"))
        if jsd is None:
            return None
        return {"country": doc.get("country"), "n_options": doc.get("n_options"), "jsd": jsd, "culture_sim": 1.0 - jsd}
    return None


def _version(config: dict) -> tuple:
    block = (config.get("metadata") or {}).get("cultureval") or {}
    source = block.get("data_source") or {}
    return (block.get("task_version"), source.get("sha256"))


def read_lm_eval(folder: Path, notes: list[str]) -> list[Run]:
    files = sorted(folder.rglob("results_*.json")) if folder.is_dir() else [folder]
    by_stamp: dict[tuple[Path, str], Path] = {}
    for path in files:
        match = _RESULTS_RE.match(path.name)
        if not match:
            continue
        key = (path.parent, match.group("stamp"))
        if match.group("judged") or key not in by_stamp:
            by_stamp[key] = path  # a judged file supersedes the plain one of the same run
    runs = []
    for (parent, stamp), path in sorted(by_stamp.items()):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ReportInputError(f"{path}: not a readable lm-eval results file ({error})") from None
        model = _model_label(str(results.get("model_name") or (results.get("config") or {}).get("model_args") or "unknown"))
        groups = set(results.get("group_subtasks") or {})
        for task, entry in (results.get("results") or {}).items():
            if task in groups:
                continue
            metrics = {key.split(",")[0]: _number(value) for key, value in entry.items() if "," in key}
            n = ((results.get("n-samples") or {}).get(task) or {}).get("effective")
            samples_path = parent / f"samples_{task}_{stamp}.jsonl"
            items = None
            if samples_path.is_file():
                items = []
                for line in samples_path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        sample = json.loads(line)
                        record = _item(task, sample.get("doc") or {}, sample)
                        if record:
                            items.append(record)
            elif task.startswith("global_opinion_"):
                notes.append(f"{path}: no {samples_path.name} (run lm-eval with --log_samples): per-country figures skip {model} on {task}")
            runs.append(Run(model, "baseline" if model.startswith("baseline/") else "lm-eval", task, metrics, n,
                            items, str(path), _version((results.get("configs") or {}).get(task) or {})))  # fmt: skip
    return runs


def read_inspect(path: Path, notes: list[str]) -> list[Run]:
    from inspect_ai.log import list_eval_logs, read_eval_log

    files = [info.name for info in list_eval_logs(str(path))] if path.is_dir() else [str(path)]
    runs = []
    for file in files:
        log = read_eval_log(file)
        task = log.eval.task.split("/")[-1]
        if log.status != "success":
            notes.append(f"{file}: Inspect log status {log.status!r}: {task} on {log.eval.model} is partial")
        metrics: dict[str, float | None] = {}
        for score in (log.results.scores if log.results else []):
            for name, metric in score.metrics.items():
                metrics[name] = _number(metric.value)
        items = []
        for sample in log.samples or []:
            score = next(iter((sample.scores or {}).values()), None)
            if score is not None and isinstance(score.value, dict):
                record = _item(task, (sample.metadata or {}).get("doc") or {}, score.value)
                if record:
                    items.append(record)
        n = log.results.completed_samples if log.results else None
        version = _version({"metadata": {"cultureval": log.eval.metadata or {}}})
        runs.append(Run(_model_label(str(log.eval.model)), "inspect", task, metrics, n, items, file, version))
    return runs


def read_inputs(paths: list[Path]) -> Inputs:
    from tqdm import tqdm

    inputs = Inputs()
    for path in tqdm(paths, desc="reading results", unit="input", leave=False):
        if not path.exists():
            raise ReportInputError(f"{path}: no such file or folder")
        is_inspect = path.suffix in (".eval", ".json") and not path.name.startswith("results_")
        if path.is_dir():
            is_inspect = not any(path.rglob("results_*.json")) and (any(path.rglob("*.eval")) or any(path.rglob("*.json")))
        found = read_inspect(path, inputs.notes) if is_inspect else read_lm_eval(path, inputs.notes)
        if not found:
            raise ReportInputError(f"{path}: holds neither lm-eval results_*.json nor Inspect logs")
        inputs.runs += found
    by_task: dict[str, set] = defaultdict(set)
    for run in inputs.runs:
        if run.version != (None, None):
            by_task[run.task].add(run.version)
    for task, versions in sorted(by_task.items()):
        if len(versions) > 1:
            shown = "; ".join(f"task version {v}, data sha256 {str(s)[:12]}" for v, s in sorted(versions, key=str))
            inputs.notes.append(f"{task}: runs differ in task version or data ({shown}); comparisons across them are not like for like")
    return inputs


# ------------------------------------------------------------------------------------ numbers

MAIN_METRIC = [
    ("global_opinion_wvs_pearson", "pearson_mean", "letter_coverage"),
    ("global_opinion_cot", "jsd", "parse_rate"),
    ("global_opinion_sampled", "jsd", "parse_rate"),
    ("global_opinion_jsd", "jsd", "letter_coverage"),
    ("cali_nli", "f1_entail", "letter_coverage"),
    ("wvs_polarity", "spearman_language", "judge_parse_rate"),
    ("culturebank", "entailment_score", "judge_parse_rate"),
]


def main_metric(task: str) -> tuple[str, str]:
    for prefix, metric, parse in MAIN_METRIC:
        if task.startswith(prefix):
            return metric, parse
    return "", ""


def uncertainty(run: Run, metric: str) -> str:
    stderr = run.metrics.get(f"{metric}_stderr")
    if stderr is not None:
        return f"± {stderr:.3f}"
    low, high = run.metrics.get(f"{metric}_ci_low"), run.metrics.get(f"{metric}_ci_high")
    if low is not None and high is not None:
        return f"95% CI [{low:.3f}, {high:.3f}]"
    return "n/a"


def difficulty_adjusted(items: list[dict]) -> float | None:
    """Σ_i w_i · culture_sim_i / Σ_i w_i with w_i = log2(k_i), k_i the item's number of options
    (the information in a uniform guess: a binary item weighs 1, a 4-option item 2, a
    10-option item 3.32), so items where a lucky guess is easy count less."""
    weights = [(math.log2(item["n_options"]), item["culture_sim"]) for item in items if (item.get("n_options") or 0) >= 2]
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


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


# ------------------------------------------------------------------------------------ figures


class Figures:
    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest: list[dict] = []

    def save(self, figure, name: str) -> str:
        axes = figure.axes[0]
        legend = axes.get_legend()
        entry = {
            "file": f"{name}.png",
            "title": axes.get_title(),
            "xlabel": axes.get_xlabel(),
            "ylabel": axes.get_ylabel(),
            "legend": [text.get_text() for text in legend.get_texts()] if legend else [],
        }
        figure.savefig(self.folder / entry["file"], dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(figure)
        self.manifest.append(entry)
        return entry["file"]


def _colours(models: list[str]) -> dict[str, str]:
    import matplotlib

    palette = matplotlib.colormaps["tab10"]
    return {model: matplotlib.colors.to_hex(palette(i % 10)) for i, model in enumerate(models)}


def _figure(height: float = 4.0, width: float = 7.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def country_figure(task: str, runs: list[Run], figures: Figures) -> str | None:
    per_model: dict[str, dict[str, float]] = {}
    for run in runs:
        sums: dict[str, list[float]] = defaultdict(list)
        for item in run.items or []:
            sums[item["country"]].append(item["culture_sim"])
        if sums:
            per_model[f"{run.model} ({run.harness})"] = {c: sum(v) / len(v) for c, v in sums.items()}
    if not per_model:
        return None
    countries = sorted({c for values in per_model.values() for c in values},
                       key=lambda c: sum(v.get(c, 0) for v in per_model.values()) / len(per_model))  # fmt: skip
    figure, axes = _figure(height=max(3.0, 0.22 * len(countries) + 1.2))
    colours = _colours(list(per_model))
    for model, values in per_model.items():
        ys = [i for i, c in enumerate(countries) if c in values]
        axes.scatter([values[countries[i]] for i in ys], ys, color=colours[model], label=model, s=18)
    axes.set_yticks(range(len(countries)), countries, fontsize=7)
    axes.set_xlabel("culture_sim = 1 - JS distance (mean over the country's items)")
    axes.set_ylabel("country (sorted by mean over models)")
    axes.set_title(f"{task}: similarity to each country's survey answers")
    axes.legend(fontsize=7, loc="lower right")
    return figures.save(figure, f"{task}_culture_sim_by_country")


def options_figure(task: str, runs: list[Run], figures: Figures) -> tuple[str | None, dict]:
    import numpy as np

    fits = {}
    figure, axes = _figure()
    colours = _colours([f"{r.model} ({r.harness})" for r in runs])
    rng = np.random.default_rng(0)
    plotted = False
    for run in runs:
        label = f"{run.model} ({run.harness})"
        fit = options_fit(run.items or [])
        if fit is None:
            continue
        fits[label] = fit
        xs = np.array([item["n_options"] for item in run.items], dtype=float)
        ys = np.array([item["jsd"] for item in run.items])
        axes.scatter(xs + rng.uniform(-0.15, 0.15, len(xs)), ys, s=6, alpha=0.35, color=colours[label])
        line = np.linspace(xs.min(), xs.max(), 2)
        axes.plot(line, fit[0] * line + fit[1], color=colours[label], label=f"{label}: R² = {fit[2]:.2f}")
        plotted = True
    if not plotted:
        import matplotlib.pyplot as plt

        plt.close(figure)
        return None, fits
    axes.set_xlabel("number of answer options")
    axes.set_ylabel("JS distance to the survey")
    axes.set_title(f"{task}: error vs number of options (GlobalOpinionBench R² = {GOBENCH_R2})")
    axes.legend(fontsize=7)
    return figures.save(figure, f"{task}_error_vs_options"), fits


def bar_figure(name: str, title: str, xlabel: str, ylabel: str, groups: list[str], series: dict[str, list[float | None]],
               figures: Figures, reference: dict[str, float] | None = None, reference_label: str = "") -> str:  # fmt: skip
    import numpy as np

    figure, axes = _figure(width=max(6.0, 0.6 * len(groups) * max(1, len(series)) + 2))
    colours = _colours(list(series))
    width = 0.8 / max(1, len(series))
    for index, (label, values) in enumerate(series.items()):
        xs = np.arange(len(groups)) + index * width - 0.4 + width / 2
        heights = [np.nan if v is None else v for v in values]
        axes.bar(xs, heights, width=width, color=colours[label], label=label)
    if reference:
        for i, group in enumerate(groups):
            if group in reference:
                axes.hlines(reference[group], i - 0.45, i + 0.45, colors="black", linestyles="dashed",
                            label=reference_label if i == 0 or reference_label not in axes.get_legend_handles_labels()[1] else None)  # fmt: skip
    axes.set_xticks(range(len(groups)), groups, rotation=30, ha="right", fontsize=8)
    axes.axhline(0, color="grey", linewidth=0.5)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=7)
    return figures.save(figure, name)


# ------------------------------------------------------------------------------------ report


def write_report(paths: list[Path], output: Path) -> Path:
    inputs = read_inputs(paths)
    output.mkdir(parents=True, exist_ok=True)
    figures = Figures(output)
    runs = inputs.runs
    lines = ["# cultureval report", "", f"Inputs: {len(paths)} path(s), {len(runs)} task run(s), "
             f"{len({r.model for r in runs})} model(s).", ""]  # fmt: skip
    if inputs.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in inputs.notes] + [""]

    lines += ["## Summary", "", "| task | model | harness | metric | value | uncertainty | n | parse rate |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for run in sorted(runs, key=lambda r: (r.task, r.model, r.harness)):
        metric, parse = main_metric(run.task)
        if not metric:
            continue
        parse_value = run.metrics.get(parse)
        lines.append(f"| {run.task} | {run.model} | {run.harness} | {metric} | {_fmt(run.metrics.get(metric))} | "
                     f"{uncertainty(run, metric)} | {run.n if run.n is not None else 'n/a'} | {_fmt(parse_value)} |")  # fmt: skip
    lines.append("")

    by_task: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_task[run.task].append(run)

    opinion_tasks = sorted(t for t in by_task if t.startswith("global_opinion_") and "wvs_pearson" not in t)
    if opinion_tasks:
        lines += ["## GlobalOpinionQA", ""]
        lines += ["Difficulty-adjusted similarity: `Σ_i log2(k_i)·culture_sim_i / Σ_i log2(k_i)`, k_i the "
                  "item's number of options (a binary item weighs 1, a 10-option item 3.3).", ""]  # fmt: skip
        lines += ["| task | model | harness | culture_sim | difficulty-adjusted | R² (error ~ options) | slope |", "|---|---|---|---|---|---|---|"]
        for task in opinion_tasks:
            for run in by_task[task]:
                fit = options_fit(run.items or [])
                lines.append(f"| {task} | {run.model} | {run.harness} | {_fmt(run.metrics.get('culture_sim'))} | "
                             f"{_fmt(difficulty_adjusted(run.items or []))} | {_fmt(fit[2] if fit else None)} | "
                             f"{_fmt(fit[0] if fit else None)} |")  # fmt: skip
        lines.append("")
        lines.append(f"The GlobalOpinionBench study found R² = {GOBENCH_R2} between error and number of options.")
        lines.append("")
        for task in opinion_tasks:
            name = country_figure(task, by_task[task], figures)
            if name:
                lines += [f"![{task} by country]({name})", ""]
            name, _ = options_figure(task, by_task[task], figures)
            if name:
                lines += [f"![{task} error vs options]({name})", ""]

    pearson_runs = by_task.get("global_opinion_wvs_pearson", [])
    if pearson_runs:
        lines += ["## WVS value probing (expected score, Pearson)", "",
                  "| model | harness | pearson_mean | n_questions | abs_error western | abs_error rest | western_bias |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for run in pearson_runs:
            m = run.metrics
            lines.append(f"| {run.model} | {run.harness} | {_fmt(m.get('pearson_mean'))} | {_fmt(m.get('n_questions'))} | "
                         f"{_fmt(m.get('abs_error_western'))} | {_fmt(m.get('abs_error_rest'))} | {_fmt(m.get('western_bias'))} |")  # fmt: skip
        continents = ["africa", "asia", "europe", "north_america", "oceania", "south_america"]
        name = bar_figure("wvs_pearson_error_by_continent", "global_opinion_wvs_pearson: error by continent",
                          "continent", "mean |E_model - E_survey| / scale range", continents,
                          {f"{r.model} ({r.harness})": [r.metrics.get(f"abs_error_{c}") for c in continents] for r in pearson_runs},
                          figures)  # fmt: skip
        lines += ["", f"![error by continent]({name})", ""]

    polarity = sorted(t for t in by_task if t.startswith("wvs_polarity_"))
    if polarity:
        lines += ["## WVS value polarity", "", "| language | model | spearman_language | 95% CI | us_bias | self_consistency | human_ceiling | judge_parse_rate |",
                  "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        country_series: dict[str, dict[str, float | None]] = defaultdict(dict)
        ceilings: dict[str, float] = {}
        side: dict[str, dict[str, list[float | None]]] = defaultdict(dict)
        for task in polarity:
            language = task.rsplit("_", 1)[1]
            for run in by_task[task]:
                m = run.metrics
                lines.append(f"| {language} | {run.model} | {_fmt(m.get('spearman_language'))} | {uncertainty(run, 'spearman_language')} | "
                             f"{_fmt(m.get('us_bias'))} | {_fmt(m.get('self_consistency'))} | {_fmt(m.get('human_ceiling'))} | "
                             f"{_fmt(m.get('judge_parse_rate'))} |")  # fmt: skip
                label = f"{run.model} ({run.harness})"
                for key, value in m.items():
                    if key.startswith("spearman_country_") and not key.endswith(("_ci_low", "_ci_high", "_n_topics")):
                        country = key.removeprefix("spearman_country_")
                        if language == "en" or country != "US":
                            country_series[label][f"{country} ({language})"] = value
                    if key.startswith("human_ceiling_"):
                        ceilings[f"{key.removeprefix('human_ceiling_')} ({language})"] = value
                local = [v for k, v in m.items() if k.startswith("spearman_country_") and k.count("_") == 2 and not k.endswith("_US")]
                local_mean = sum(v for v in local if v is not None) / len(local) if local and all(v is not None for v in local) else None
                us = m.get("spearman_country_US")
                side[label][language] = [us, local_mean]
        countries = sorted({c for series in country_series.values() for c in series})
        name = bar_figure("wvs_polarity_by_country", "WVS polarity: Spearman ρ with each country's survey",
                          "country (prompt language)", "Spearman ρ over topics", countries,
                          {label: [series.get(c) for c in countries] for label, series in country_series.items()},
                          figures, reference=ceilings, reference_label="human ceiling")  # fmt: skip
        lines += ["", f"![polarity by country]({name})", ""]
        languages = sorted({lang for values in side.values() for lang in values})
        series = {}
        for label, values in side.items():
            series[f"{label}: US"] = [values.get(lang, [None, None])[0] for lang in languages]
            series[f"{label}: local"] = [values.get(lang, [None, None])[1] for lang in languages]
        name = bar_figure("wvs_polarity_us_vs_local", "WVS polarity: alignment with the US vs the local countries",
                          "prompt language", "Spearman ρ over topics", languages, series, figures)  # fmt: skip
        lines += [f"![US vs local]({name})", ""]

    cali = {t: by_task[t] for t in ("cali_nli_us", "cali_nli_in") if t in by_task}
    if cali:
        labels = sorted({f"{r.model} ({r.harness})" for runs_ in cali.values() for r in runs_})
        values = {label: [None, None] for label in labels}
        for index, task in enumerate(("cali_nli_us", "cali_nli_in")):
            for run in cali.get(task, []):
                values[f"{run.model} ({run.harness})"][index] = run.metrics.get("f1_entail")
        name = bar_figure("cali_f1", "CALI: entailment F1 against each culture's annotators", "culture",
                          "f1_entail", ["United States", "India"], values, figures)  # fmt: skip
        lines += ["## CulturallyAwareNLI", "", f"![CALI F1]({name})", ""]

    bank = sorted(t for t in by_task if t.startswith("culturebank_"))
    if bank:
        lines += ["## CultureBank", ""]
        for task in bank:
            topics = sorted({k[len("entailment_score[topic="):-1] for r in by_task[task] for k in r.metrics
                             if k.startswith("entailment_score[topic=")})  # fmt: skip
            if not topics:
                continue
            name = bar_figure(f"{task}_by_topic", f"{task}: entailment score by topic", "topic", "mean entailment score",
                              topics, {f"{r.model} ({r.harness})": [r.metrics.get(f"entailment_score[topic={t}]") for t in topics]
                                       for r in by_task[task]}, figures)  # fmt: skip
            lines += [f"![{task} by topic]({name})", ""]

    (output / "figures.json").write_text(json.dumps(figures.manifest, indent=2))
    path = output / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
