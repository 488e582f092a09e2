"""``cultureval tasks``: every task with its family, harnesses, kind, items and cost per item,
read from the task definitions themselves (the YAMLs) and, for the item counts, the data; the
measured CPU seconds per item come from ``cpu_cost.json`` (``benchmarks/engines.py``, since
replaced by ``benchmarks/speed.py``, on a small model; a task not measured there shows its
measured sibling of the same family and kind, or of the family its ``Family.cost_as`` names)."""

from __future__ import annotations

import json
import textwrap
from functools import cache
from pathlib import Path

from cultureval.data_source import DataFileError, DownloadError
from cultureval.definitions import task_definition, task_names
from cultureval.families import family_of, judge_of


def describe(task: str) -> dict:
    """Kind and cost of one task, from its definition."""
    definition = task_definition(task)
    config = definition.config
    owner = family_of(task)
    judged = judge_of(task) is not None
    generation = config.get("generation_kwargs") or {}
    repeats = int(config.get("repeats", 1) or 1)
    if config.get("output_type") == "multiple_choice":
        kind, cost = "log-probabilities", "1 forward pass (scores every option letter)"
    elif repeats > 1:
        kind = "sampling"
        cost = f"{repeats} generations of ≤ {generation.get('max_gen_toks')} tokens (temperature {generation.get('temperature', 1.0)})"
    elif definition.metadata.get("n_samples"):
        # one document per sample (the three-setting binary study): the items column says
        # items × documents per item, the cost is per document
        kind = "sampling"
        cost = (
            f"1 generation of ≤ {generation.get('max_gen_toks')} tokens per document (temperature "
            f"{generation.get('temperature', 1.0)})"
        )
    else:
        kind, cost = "generation", f"1 generation of ≤ {generation.get('max_gen_toks')} tokens"
    if judged:
        kind += " + judge"
        cost += " + 1 judge call"
    return {
        "task": task,
        "family": owner.title if owner else "",
        "harnesses": "lm-eval + cultureval judge, Inspect" if judged else "lm-eval, Inspect",
        "kind": kind,
        "cost per item": cost,
    }


@cache
def measured_costs() -> dict:
    return json.loads((Path(__file__).parent / "cpu_cost.json").read_text(encoding="utf-8"))


def _cost_shape(task: str) -> tuple:
    """What a task's cost per item depends on, beside its data: family, output type, samples per
    item, token limit and whether a judge follows."""
    config = task_definition(task).config
    generation = config.get("generation_kwargs") or {}
    owner = family_of(task)
    return (
        owner.name if owner else "",
        config.get("output_type"),
        int(config.get("repeats", 1) or 1),
        generation.get("max_gen_toks"),
        judge_of(task) is not None,
    )


def measured_cost(task: str) -> tuple[str, dict] | None:
    """``(measured task, its cpu_cost.json entry)``: the task's own measurement, else that of a
    measured task of the same family and the same cost shape (output type, samples per item,
    token limit, judge) — a sibling on other items of the same kind — else of such a task in the
    family the task's ``Family.cost_as`` names; ``None`` when none is."""
    measured = measured_costs()["measured"]
    if task in measured:
        return task, measured[task]
    shape = _cost_shape(task)
    owner = family_of(task)
    stand_ins = [shape] + ([(owner.cost_as, *shape[1:])] if owner and owner.cost_as else [])
    for wanted in stand_ins:
        for other, cost in measured.items():
            if other in task_names() and _cost_shape(other) == wanted:
                return other, cost
    return None


def cpu_seconds(task: str, rows: dict[str, dict] | None = None) -> str:
    """Measured CPU seconds per item: the task's own, else ``≈`` a measured sibling's
    (:func:`measured_cost`)."""
    found = measured_cost(task)
    if found is None:
        return "not measured"
    other, cost = found
    return f"{cost['seconds_per_item']:g}" if other == task else f"≈{cost['seconds_per_item']:g} (as {other})"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def cost_lines(items: dict[str, int]) -> list[str]:
    """The estimate of a run's cost printed before it starts: per task, items × the measured
    CPU seconds per item (:func:`measured_cost`) and the tokens per item (what a hosted model
    bills); one line saying what was measured on which model and hardware. ``items``: task ->
    the items the run evaluates (after ``--limit``); for a task with one document per sampled
    answer (``n_samples`` in its metadata: the three settings) its documents, and said so."""
    lines, total = [], 0.0
    for task, n in items.items():
        # a task with one document per sampled answer (the three settings) counts documents
        unit = "document" if task_definition(task).metadata.get("n_samples") else "item"
        units = f"{n} {unit}{'s' if n != 1 else ''}"
        found = measured_cost(task)
        if found is None:
            lines.append(f"{task}: {units}; cost per {unit} not measured")
            continue
        other, cost = found
        seconds = n * cost["seconds_per_item"]
        total += seconds
        sibling = "" if other == task else f", as measured on {other}"
        lines.append(
            f"{task}: about {units} × {cost['seconds_per_item']:g} s ≈ {_duration(seconds)}; "
            f"{cost['prompt_tokens_per_item']:.0f} prompt + {cost['generated_tokens_per_item']:.0f} generated tokens "
            f"per {unit} ≈ {n * cost['prompt_tokens_per_item']:,.0f} + {n * cost['generated_tokens_per_item']:,.0f} "
            f"tokens{sibling}"
        )
    if not lines:
        return []
    head = f"cost estimate (about {_duration(total)} in all): " if len(items) > 1 else "cost estimate: "
    return [head + lines[0], *lines[1:], f"(an estimate: measured with {measured_costs()['setup']})"]


def task_rows(count_items: bool = True, notes: list[str] | None = None) -> list[dict]:
    """One row per task (:func:`describe`, its measured CPU seconds per item, its items counted
    from the data unless ``count_items`` is false). A task whose data cannot be read shows ``no
    data``; after the first download that fails (no network) the remaining tasks are not
    counted (``-``), and ``notes`` gets the one line saying why — each would wait on the same
    failing download."""
    described = {task: describe(task) for task in task_names()}
    rows = []
    failed: DownloadError | None = None
    for task in task_names():
        row = described[task] | {"CPU s/item": cpu_seconds(task, described)}
        items = "-"
        if count_items and failed is None:
            try:
                definition = task_definition(task)
                documents = len(definition.load_dataset())
                per_item = definition.metadata.get("n_samples")  # one document per sample: items × samples
                items = f"{documents // per_item} × {per_item}" if per_item else str(documents)
            except DownloadError as error:
                failed, items = error, "no data"
            except DataFileError:
                items = "no data"
        rows.append(row | {"items": items})
    if failed is not None and notes is not None:
        reason = str(failed) if len(str(failed)) <= 240 else str(failed)[:240] + "..."
        notes.append(f"items not counted after the first failed download: {reason}")
    return rows


COLUMNS = ("task", "kind", "items", "cost per item", "CPU s/item")


def format_rows(rows: list[dict]) -> str:
    """The rows as the console table of ``cultureval tasks``: one table, a heading line per
    family (``== <family> ==``) above its tasks, the harnesses in a footnote (every task runs in
    both; a judged task's lm-eval run is judged by ``cultureval judge``), so lines stay short."""
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip(), "  ".join("-" * widths[c] for c in COLUMNS)]
    family = None
    for row in rows:
        if row["family"] != family:
            family = row["family"]
            lines.append(f"== {family or 'other'} ==")
        lines.append("  ".join(str(row[c]).ljust(widths[c]) for c in COLUMNS).rstrip())
    lines += [
        "",
        "Every task runs in lm-eval and Inspect; a '+ judge' task's lm-eval run is judged afterwards by "
        "`cultureval judge`.",
        "items: a count, or items × documents per item where each sampled answer is a document.",
        *textwrap.wrap(f"CPU s/item: {measured_costs()['setup']}.", 100),
    ]
    return "\n".join(lines)
