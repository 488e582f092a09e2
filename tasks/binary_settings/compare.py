"""``cultureval binary-settings``: does the setting change the verdict? A post-step over the
logged samples of the three settings' runs (it needs several tasks' outputs, so no single
harness task can compute it).

Reads lm-eval output folders (``samples_global_opinion_binary_{classify,cot}_*.jsonl`` written
with ``--log_samples``, and ``samples_judged_global_opinion_binary_open_*.jsonl`` written by
``cultureval judge``) and Inspect logs of the three tasks. Per item and setting the *verdict* is
the modal sampled option (``1``, ``2``, ``tie`` or ``none``); the comparison reports, over the
items present in every setting given, the share whose settings agree on the verdict, and per
pair of settings the mean difference in ``majority_agreement`` over their common items.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from pathlib import Path

from cultureval.lm_eval_compat import read_results, samples_path
from cultureval.metrics.aggregate import mean_defined
from cultureval.tasks.binary_settings import baselines, scoring
from cultureval.tasks.binary_settings.report import SETTINGS


class CompareInputError(ValueError):
    """An input is missing or unreadable (the message names it)."""


def _lm_eval_values(folder: Path) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for results_path in sorted(folder.rglob("results_*.json")):
        if results_path.name.startswith("results_judged_"):
            continue
        stamp = results_path.stem.removeprefix("results_")
        try:
            tasks = read_results(results_path).get("results") or {}
        except (OSError, ValueError) as error:
            raise CompareInputError(f"{results_path}: not a readable lm-eval results file ({error})") from None
        for task in tasks:
            if task not in SETTINGS:
                continue
            if task == "global_opinion_binary_open":
                judged = results_path.parent / f"samples_judged_{task}_{stamp}.jsonl"
                if not judged.exists():
                    raise CompareInputError(f"{judged}: missing; run `cultureval judge {folder}` first")
                lines = [json.loads(line) for line in judged.read_text(encoding="utf-8").splitlines() if line.strip()]
                found[task] += [
                    [ln["item"], ln["country"], ln["survey_1"], ln["survey_2"], ln["label"]] for ln in lines
                ]
                continue
            path = samples_path(results_path, task)
            if path is None:
                raise CompareInputError(f"{results_path}: no samples file for {task} (run lm-eval with --log_samples)")
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    found[task].append(json.loads(line)["majority_agreement"])
    return found


def _inspect_values(path: Path) -> dict[str, list]:
    from inspect_ai.log import list_eval_logs, read_eval_log

    from cultureval.scorers.records import record_of

    files = [info.name for info in list_eval_logs(str(path))] if path.is_dir() else [str(path)]
    found: dict[str, list] = defaultdict(list)
    for file in files:
        log = read_eval_log(file)
        task = log.eval.task.split("/")[-1]
        if task not in SETTINGS:
            continue
        for sample in log.samples or []:
            score = next(iter((sample.scores or {}).values()), None)
            if score is not None:
                found[task].append(scoring.sample_value(record_of(score)))
    return found


def read_values(paths: list[Path]) -> dict[str, list]:
    """Per setting (task name), the sample values of every input."""
    merged: dict[str, list] = defaultdict(list)
    for path in paths:
        if not path.exists():
            raise CompareInputError(f"{path}: no such file or folder")
        is_lm_eval = path.is_dir() and any(path.rglob("results_*.json"))
        for task, values in (_lm_eval_values(path) if is_lm_eval else _inspect_values(path)).items():
            merged[task] += values
    if len(merged) < 2:
        found = ", ".join(sorted(merged)) or "none"
        raise CompareInputError(f"need the outputs of at least two settings of {', '.join(SETTINGS)}; found: {found}")
    return dict(merged)


def compare(values: dict[str, list]) -> dict:
    """The cross-setting comparison of the settings' sample values."""
    tallies = {task: {tally.item: tally for tally in scoring.tallies(v)} for task, v in values.items()}
    settings = [task for task in SETTINGS if task in tallies]
    common = sorted(set.intersection(*(set(tallies[task]) for task in settings)))
    rows = []
    for item in common:
        verdicts = {task: tallies[task][item].verdict() for task in settings}
        first = tallies[settings[0]][item]
        rows.append(
            {
                "item": item,
                "country": first.country,
                "survey_majority": first.survey_majority() or "split",
                **{f"verdict_{SETTINGS[task]}": verdicts[task] for task in settings},
                **{
                    f"majority_agreement_{SETTINGS[task]}": tallies[task][item].metrics()["majority_agreement"]
                    for task in settings
                },
                "settings_agree": len(set(verdicts.values())) == 1,
            }
        )
    pairs = {}
    for a, b in itertools.combinations(settings, 2):
        both = sorted(set(tallies[a]) & set(tallies[b]))
        differences = []
        for item in both:
            x, y = tallies[a][item].metrics()["majority_agreement"], tallies[b][item].metrics()["majority_agreement"]
            if x is not None and y is not None:
                differences.append(x - y)
        pairs[f"{SETTINGS[a]} - {SETTINGS[b]}"] = {
            "mean_majority_agreement_difference": mean_defined(differences),
            "n_items": len(differences),
        }
    per_setting, yardsticks = {}, {}
    for task in settings:
        summary = {key: value for key, value in scoring.summarise(values[task]).items() if "|" not in key}
        if task == "global_opinion_binary_open":
            summary["withhold_rate"] = None  # no withhold option in open conversation
        per_setting[SETTINGS[task]] = summary
        records = [{"item": v[0], "country": v[1], "survey_1": v[2], "survey_2": v[3]} for v in values[task]]
        yardsticks[SETTINGS[task]] = {
            label: {key: value for key, value in found.items() if "|" not in key and key != "about"}
            for label, found in baselines.yardsticks(task, [], records).items()
        }
    by_country: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        by_country[row["country"]].append(row["settings_agree"])
    return {
        "settings": [SETTINGS[task] for task in settings],
        "n_common_items": len(rows),
        "verdict_agreement_rate": mean_defined(row["settings_agree"] for row in rows),
        "verdict_agreement_rate_by_country": {c: mean_defined(v) for c, v in sorted(by_country.items())},
        "pairs": pairs,
        "per_setting": per_setting,
        "yardsticks": yardsticks,
        "items": rows,
    }


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _row(name: str, metrics: dict) -> str:
    return (
        f"{name:<46} {metrics.get('n_items', 'n/a'):>5}  {_fmt(metrics.get('majority_agreement')):>18}  "
        f"{_fmt(metrics.get('majority_agreement_strict')):>6}  {_fmt(metrics.get('jsd')):>5}  "
        f"{_fmt(metrics.get('withhold_rate')):>13}  {_fmt(metrics.get('unclassifiable_rate')):>19}"
    )


def format_comparison(result: dict) -> str:
    lines = [
        f"{'setting':<46} items  majority_agreement  strict  jsd    withhold_rate  unclassifiable_rate",
    ]
    for name, metrics in result["per_setting"].items():
        lines.append(_row(name, metrics))
        for label, values in (result.get("yardsticks") or {}).get(name, {}).items():
            lines.append(_row(f"  yardstick on its items: {label}", values))
    lines += [
        "",
        f"items in every setting: {result['n_common_items']}; the settings agree on the verdict (modal option) "
        f"for {_fmt(result['verdict_agreement_rate'])} of them",
    ]
    for country, rate in result["verdict_agreement_rate_by_country"].items():
        lines.append(f"  {country}: {_fmt(rate)}")
    lines.append("mean difference in majority_agreement (per item, items answered in both):")
    for pair, info in result["pairs"].items():
        lines.append(f"  {pair}: {_fmt(info['mean_majority_agreement_difference'])} (n={info['n_items']})")
    return "\n".join(lines)
