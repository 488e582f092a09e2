"""``cultureval binary-settings``: does the setting change the verdict? A post-step over the
logged samples of the three settings' runs (it needs several tasks' outputs, so no single
harness task can compute it).

Reads lm-eval output folders (``samples_binary_settings_{classify,reasoning}_*.jsonl`` written
with ``--log_samples``, and ``samples_judged_binary_settings_open_*.jsonl`` written by
``cultureval judge``) and Inspect logs of the three tasks, through :mod:`cultureval.runs`; each
model (and rendering) is compared with itself only. Per item and setting the *verdict* is
the modal sampled option (``1``, ``2``, ``tie`` or ``none``); the comparison reports, over the
items present in every setting given, the share whose settings agree on the verdict, and per
pair of settings the mean difference in ``majority_agreement`` over their common items.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from pathlib import Path

from cultureval.errors import InputError, one_line
from cultureval.metrics.aggregate import mean_defined
from cultureval.runs import INSPECT, Run, Sample, model_label, read_runs, runs_by_model
from cultureval.tasks.binary_settings import baselines, scoring
from cultureval.tasks.binary_settings.report import SETTINGS

OPEN = "binary_settings_open"


def _checked(sample: Sample, value) -> list:
    """``value`` if it is a sample value ``[item, country, s1, s2, label]`` with a known label;
    else an :class:`~cultureval.errors.InputError` naming the sample."""
    if not isinstance(value, (list, tuple)) or len(value) != 5:
        raise InputError(f"{sample.where}: {value!r} is not a sample value [item, country, s1, s2, label]")
    if value[4] is not None and value[4] not in scoring.LABELS:
        raise InputError(f"{sample.where}: unknown label {value[4]!r} (expected one of {', '.join(scoring.LABELS)})")
    return list(value)


def _value(run: Run, sample: Sample) -> list:
    record: dict | None
    if run.harness == INSPECT:  # the item's record from its score
        record = sample.values
        keys = ("item", "country", "survey_1", "survey_2", "label")
    elif run.task == OPEN:  # the judged line ``cultureval judge`` wrote for it
        record = sample.judged
        if record is None:
            raise InputError(
                f"{sample.where}: no judged line (doc_id {sample.doc_id}) in samples_judged_{OPEN}_*.jsonl"
            )
        keys = ("item", "country", "survey_1", "survey_2", "label")
    else:  # lm-eval logs the value under every metric name
        return _checked(sample, sample.values.get("majority_agreement"))
    missing = [key for key in keys if key not in record]
    if missing:
        raise InputError(f"{sample.where}: its record has no {missing[0]!r}")
    return _checked(sample, [record[key] for key in keys])


def setting_values(run: Run) -> list:
    """The sample values of one setting's run (``[item, country, s1, s2, label]`` per sample):
    lm-eval's logged ``majority_agreement``, the judged lines of the open setting, or Inspect's
    score records."""
    if run.task == OPEN and run.harness != INSPECT and run.judge is None:
        raise InputError(f"{run.source}: {OPEN} is not judged; run `cultureval judge` on its folder first")
    return [_value(run, sample) for sample in run.samples() if run.harness != INSPECT or sample.values]


def read_values(paths: list[Path]) -> tuple[dict[tuple[str, str], dict[str, list]], list[str]]:
    """Per model and rendering (:func:`cultureval.runs.runs_by_model`), per setting (task
    name), the sample values of its run; and a note per model left out for having fewer than
    two settings. None with two is an :class:`~cultureval.errors.InputError`."""
    grouped = runs_by_model(read_runs(paths, tasks=SETTINGS), SETTINGS)
    found = {key: by_task for key, by_task in grouped.items() if len(by_task) >= 2}
    notes = [f"{model_label(key)}: only {', '.join(by_task)}" for key, by_task in grouped.items() if key not in found]
    if not found:
        shown = "; ".join(f"{model_label(key)}: {', '.join(by_task)}" for key, by_task in grouped.items()) or "none"
        raise InputError(
            f"need the outputs of at least two settings of {', '.join(SETTINGS)} for one model; found: {shown}"
        )
    values = {key: {task: setting_values(run) for task, run in by_task.items()} for key, by_task in found.items()}
    return values, notes


def _yardsticks(values: dict[str, list], settings: list[str]) -> tuple[dict[str, dict], str | None]:
    """Per setting, the family's yardsticks (:func:`baselines.yardsticks`, as ``cultureval run``
    and the report print them) on the setting's own samples, without per-country keys; and
    ``None``, or why they could not be computed (GlobalOpinionQA unreadable: the all-country
    majority needs it), which the command says on stderr."""
    found = {}
    for task in settings:
        records = [{"item": v[0], "country": v[1], "survey_1": v[2], "survey_2": v[3]} for v in values[task]]
        try:
            scored = baselines.yardsticks(task, [], records)
        except (InputError, OSError) as error:
            return {}, f"yardsticks not computed: {one_line(error)}"
        found[SETTINGS[task]] = {
            label: {key: value for key, value in metrics.items() if "|" not in key and key != "about"}
            for label, metrics in scored.items()
        }
    return found, None


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
    per_setting: dict[str, dict[str, float | None]] = {}
    for task in settings:
        summary: dict[str, float | None] = {
            key: value for key, value in scoring.summarise(values[task]).items() if "|" not in key
        }
        if task == OPEN:
            summary["withhold_rate"] = None  # no withhold option in open conversation
        per_setting[SETTINGS[task]] = summary
    yardsticks, yardsticks_note = _yardsticks(values, settings)
    by_country: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        by_country[str(row["country"])].append(bool(row["settings_agree"]))
    return {
        "settings": [SETTINGS[task] for task in settings],
        "n_common_items": len(rows),
        "verdict_agreement_rate": mean_defined(row["settings_agree"] for row in rows),
        "verdict_agreement_rate_by_country": {c: mean_defined(v) for c, v in sorted(by_country.items())},
        "pairs": pairs,
        "per_setting": per_setting,
        "yardsticks": yardsticks,
        "yardsticks_note": yardsticks_note,
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
