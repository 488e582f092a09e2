"""``cultureval tasks``: every task with its family, harnesses, kind, items and cost per item,
read from the task definitions themselves (the YAMLs) and, for the item counts, the data; the
measured CPU seconds per item come from ``cpu_cost.json`` (``benchmarks/engines.py``, since
replaced by ``benchmarks/speed.py``, on a small model; a task not measured there shows its
measured sibling of the same family and kind, or of the family its ``Family.cost_as`` names)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from cultureval.data_source import DataFileError
from cultureval.definitions import task_definition, task_folders, task_names
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
        kind, cost = "log-probabilities", "1 forward pass (every option letter scored from it)"
    elif repeats > 1:
        kind = "sampling"
        cost = f"{repeats} generations of ≤ {generation.get('max_gen_toks')} tokens (temperature {generation.get('temperature', 1.0)})"
    elif definition.metadata.get("n_samples"):
        # one document per sample (the three-setting binary study): items are samples
        n = definition.metadata["n_samples"]
        kind = "sampling"
        cost = (
            f"1 generation of ≤ {generation.get('max_gen_toks')} tokens (temperature "
            f"{generation.get('temperature', 1.0)}); {n} documents per item"
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


def cpu_seconds(task: str, rows: dict[str, dict]) -> str:
    """Measured CPU seconds per item: the task's own, else ``≈`` a measured sibling's — a task
    of the same kind in the same family, else in the family its ``Family.cost_as`` names."""
    measured = measured_costs()["measured"]
    if task in measured:
        return f"{measured[task]['seconds_per_item']:g}"
    row = rows[task]
    owner = family_of(task)
    stand_ins = [owner.name, owner.cost_as] if owner and owner.cost_as else [owner.name] if owner else []
    folders = task_folders()
    for family_name in stand_ins:
        for other, cost in measured.items():
            if other in rows and folders.get(other) == family_name and rows[other]["kind"] == row["kind"]:
                return f"≈{cost['seconds_per_item']:g} (as {other})"
    return "not measured"


def task_rows(count_items: bool = True) -> list[dict]:
    described = {task: describe(task) for task in task_names()}
    rows = []
    for task in task_names():
        row = described[task] | {"CPU s/item": cpu_seconds(task, described)}
        items = "-"
        if count_items:
            try:
                items = str(len(task_definition(task).load_dataset()))
            except DataFileError:
                items = "no data"
        rows.append(row | {"items": items})
    return rows


def format_rows(rows: list[dict]) -> str:
    columns = ["task", "family", "harnesses", "kind", "items", "cost per item", "CPU s/item"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip(), "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns).rstrip() for r in rows]
    lines += ["", f"CPU s/item: {measured_costs()['setup']}."]
    return "\n".join(lines)
