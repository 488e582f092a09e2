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
    # per task, the item each record scored (the dataset's document, else the row itself)
    docs: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def add(self, task: str, table: MetricTable, record: dict, doc: dict | None = None) -> None:
        self.tables[task] = table
        self.records[task].append(record)
        self.docs[task].append(doc if doc is not None else {})

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


def score_rows(family_name: str, rows: list[dict], task: str | None = None, seed: int = 0) -> tuple[dict, dict, dict]:
    """``({model: {task: {metric: value}}}, {model: {task: {reason: count}}}, {task: table})``."""
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
        unmatched[model] = {name: dict(counts) for name, counts in rescored.unmatched.items() if counts}
        tables |= rescored.tables
    return scores, unmatched, tables


def _json_number(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return nan_to_none(value)


def write_results(
    family_name: str, rows: list[dict], output_dir: Path, source: Path, task: str | None = None, seed: int = 0
) -> tuple[list[Path], list[str]]:
    """Score ``rows`` as :func:`score_rows` does and write each model's scores in lm-eval's
    results format, as ``cultureval baseline`` does, so ``cultureval report`` and
    ``cultureval export`` read them like any run: ``<output_dir>/score__<model>/results_<stamp>.json``
    and ``samples_<task>_<stamp>.jsonl`` (per item: the document, its logged metric values and
    its whole record). Returns the files written and the scored names that are no cultureval
    task (GlobalOpinionQA's ``<task>:text``), which are not written."""
    import re
    from datetime import datetime, timezone

    from cultureval import provenance
    from cultureval.definitions import task_definition, task_names

    if family_name not in FAMILY_NAMES or family(family_name).rescore is None:
        score_rows(family_name, [], task)  # raises the same error
    by_model: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_model[_model_of(row)].append(row)
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H-%M-%S.%f")
    written, skipped = [], set()
    for model, rescored in family(family_name).rescore(dict(by_model), task).items():
        folder = output_dir / ("score__" + re.sub(r"[^A-Za-z0-9._-]+", "_", model))
        folder.mkdir(parents=True, exist_ok=True)
        results = {
            "results": {},
            "configs": {},
            "versions": {},
            "n-samples": {},
            "higher_is_better": {},
            "config": {"model": "cultureval-score", "model_args": {"file": str(source)}, "limit": None},
            "model_name": model,
            "date": now.timestamp(),
            "cultureval_score": {"family": family_name, "file": str(source), "seed": seed},
        }
        for name, table in sorted(rescored.tables.items()):
            if name not in task_names():
                skipped.add(name)
                continue
            records = rescored.records[name]
            lines = []
            for index, (doc, record) in enumerate(zip(rescored.docs[name], records)):
                values = {key: _json_number(value) for key, value in table.lm_eval_results(record).items()}
                lines.append({"doc_id": index, "doc": doc, "filter": "none", "metrics": list(values)} | values)
                lines[-1]["record"] = {key: _json_number(value) for key, value in record.items()}
            (folder / f"samples_{name}_{stamp}.jsonl").write_text(
                "".join(json.dumps(line, default=str) + "\n" for line in lines), encoding="utf-8"
            )
            metrics = table.compute(records, lm_eval_only=True, seed=seed)
            unmatched = sum(rescored.unmatched.get(name, Counter()).values())
            results["results"][name] = (
                {"alias": name}
                | {f"{key},none": _json_number(value) for key, value in metrics.items()}
                | {"n_rows_unmatched,none": unmatched}
            )
            definition = task_definition(name)
            block = provenance.record(
                definition.version, provenance.read_provenance(definition.load_dataset()), rendering=None
            )
            results["configs"][name] = {"task": name, "metadata": (definition.metadata or {}) | {"cultureval": block}}
            results["versions"][name] = definition.version
            results["n-samples"][name] = {"original": len(records) + unmatched, "effective": len(records)}
            results["higher_is_better"][name] = {m.name: m.higher_is_better for m in table.metrics if m.lm_eval}
        path = folder / f"results_{stamp}.json"
        path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        written.append(path)
    return written, sorted(skipped)
