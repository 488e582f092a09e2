"""``cultureval score FAMILY FILE``: re-score outputs produced elsewhere with cultureval's code.

A CSV or JSONL file of per-item outputs (another harness, a paper's released outputs) is read,
split by its optional ``model`` column (``model_name`` is read as a synonym; absent = one model
named ``model``), matched to the family's dataset by the family's ``rescore`` hook
(``Family.rescore(rows_by_model, task) -> {model: Rescored}``, which reads the dataset once) and
scored with the same metric tables the tasks use (the lm-eval metrics and judged summaries).
Rows that match no item are counted per reason and reported, never dropped silently.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.data_source import DataFileError, open_data_file
from cultureval.families import FAMILY_NAMES, family
from cultureval.metric_table import MetricTable
from cultureval.metrics.aggregate import nan_to_none

DEFAULT_MODEL = "model"
MODEL_COLUMNS = ("model", "model_name")


@dataclass
class Rescored:
    """What a family made of one model's rows: per task its metric table and item records, and
    the rows that matched nothing, counted per reason (keyed by task, or ``""`` when a row names
    no task the family has)."""

    tables: dict[str, MetricTable] = field(default_factory=dict)
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    unmatched: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # the dataset items the rows matched, for the family's yardsticks on the same items
    docs: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def add(self, task: str, table: MetricTable, record: dict, doc: dict | None = None) -> None:
        self.tables[task] = table
        self.records[task].append(record)
        if doc is not None:
            self.docs[task].append(doc)

    def skip(self, task: str, reason: str) -> None:
        self.unmatched[task][reason] += 1


def read_rows(path: Path) -> list[dict]:
    """The rows of a CSV (header line) or JSONL (one object per line) file; a line that is not
    a JSON object is an error naming the file and line."""
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        rows = []
        with open_data_file(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as error:
                    raise DataFileError(f"{path}, line {number}: not JSON ({error})") from None
                if not isinstance(row, dict):
                    raise DataFileError(f"{path}, line {number}: a JSON object per line is expected")
                rows.append(row)
        return rows
    with open_data_file(path) as handle:
        return list(csv.DictReader(handle))


def _model_of(row: dict) -> str:
    for column in MODEL_COLUMNS:
        value = row.get(column)
        if value not in (None, ""):
            return str(value)
    return DEFAULT_MODEL


def score_rows(
    family_name: str, rows: list[dict], task: str | None = None, seed: int = 0, yardsticks: bool = False
) -> tuple[dict, dict, dict]:
    """``({model: {task: {metric: value}}}, {model: {task: {reason: count}}}, {task: table})``.

    With ``yardsticks``, each task's entry also holds ``"yardsticks"``: the family's yardsticks
    (``Family.yardsticks``) scored on the items the rows matched, ``{label: {metric: value, "n":
    items, "about": text}}``."""
    if family_name not in FAMILY_NAMES:
        raise ValueError(f"unknown family {family_name!r}; known: {', '.join(FAMILY_NAMES)}")
    owner = family(family_name)
    if owner.rescore is None:
        raise ValueError(f"{owner.title} has no re-scoring of outside outputs")
    by_model: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_model[_model_of(row)].append(row)
    scores: dict[str, dict] = {}
    unmatched: dict[str, dict] = {}
    tables: dict[str, MetricTable] = {}
    for model, rescored in owner.rescore(dict(by_model), task).items():
        scores[model] = {}
        for name, table in sorted(rescored.tables.items()):
            metrics = table.compute(rescored.records[name], lm_eval_only=True, seed=seed)
            metrics["n_rows_scored"] = len(rescored.records[name])
            metrics["n_rows_unmatched"] = sum(rescored.unmatched.get(name, Counter()).values())
            scores[model][name] = {key: _json_number(value) for key, value in metrics.items()}
            if yardsticks and owner.yardsticks is not None:
                found = owner.yardsticks(name.split(":")[0], rescored.docs.get(name, []), rescored.records[name])
                scores[model][name]["yardsticks"] = {
                    label: {key: _json_number(value) for key, value in values.items()}
                    for label, values in found.items()
                }
        unmatched[model] = {name: dict(counts) for name, counts in rescored.unmatched.items() if counts}
        tables |= rescored.tables
    return scores, unmatched, tables


def _json_number(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return nan_to_none(value)
