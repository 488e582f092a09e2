"""``cultureval score FAMILY FILE``: re-score outputs produced elsewhere with cultureval's code.

A CSV or JSONL file of per-item outputs (another harness, a paper's released outputs) is read,
split by its optional ``model`` column (``model_name`` is read as a synonym; absent = one model
named ``model``), matched to the family's dataset by the family's ``rescore`` hook
(``Family.rescore.run(rows_by_model, task) -> {model: Rescored}``, which reads the dataset once) and
scored with the same metric tables the tasks use (the lm-eval metrics and judged summaries).

Every row is counted once, under one reason: ``scored``; an unreadable answer of the model
(e.g. ``bad_distribution``: a distribution that does not fit its item), which *is* scored, as
an unreadable generation is (distance 1.0 in the strict metrics); or a reason it matched no
item (``no_such_item``, ``duplicate``: the same item given again by the same model, of which
only the first row counts, ...), which is reported and left out. A row that cannot be read at
all (a number of hundreds of digits, a cell over the csv module's 131,072-character limit, a
line that is not JSON) is a :class:`~cultureval.data_source.DataFileError` naming the file and
line.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cultureval.data_source import DataFileError, csv_rows, open_data_file
from cultureval.families import family, family_names, family_of
from cultureval.metric_table import MetricTable
from cultureval.metrics.aggregate import nan_to_none

DEFAULT_MODEL = "model"
MODEL_COLUMNS = ("model", "model_name")
SCORED = "scored"
# more digits than any float holds: no probability, share or count is written with them
MAX_INTEGER_DIGITS = 308


class Row(dict):
    """One input row (column -> cell) that knows where it was read: ``where`` is ``"FILE, line N"``."""

    where: str = "a row"


class _NumberTooLong(Exception):
    pass


class NumberTooLongError(DataFileError):
    """An input cell holds an integer of more digits than any float holds."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _NumberTooLong(len(text.lstrip("-")))
    return int(text)


_DECODER = json.JSONDecoder(parse_int=_integer)


def read_json(text: str, where: str) -> Any:
    """``text`` parsed as JSON, or a :class:`DataFileError` naming ``where``: not JSON, nested
    too deep, or (:class:`NumberTooLongError`) an integer of more than
    :data:`MAX_INTEGER_DIGITS` digits, which no float holds (``float()`` of it would overflow)."""
    try:
        return _DECODER.decode(text)
    except _NumberTooLong as error:
        raise NumberTooLongError(f"{where}: a number of {error.args[0]} digits is not a probability or count") from None
    except RecursionError:
        raise DataFileError(f"{where}: JSON nested too deep") from None
    except ValueError as error:
        raise DataFileError(f"{where}: not JSON ({error})") from None


@dataclass
class Rescored:
    """What a family made of one model's rows: per task its metric table, item records and the
    items (documents) they score, and every row counted once per reason (keyed by task, or
    ``""`` when a row names no task the family has): :data:`SCORED`, an unreadable-answer reason
    (scored, see :meth:`add`), or a reason the row matched nothing (:meth:`skip`)."""

    tables: dict[str, MetricTable] = field(default_factory=dict)
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    docs: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    unmatched: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rows: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, task: str, table: MetricTable, record: dict, doc: dict | None = None, reason: str = SCORED) -> None:
        """Score ``record``; ``reason`` other than :data:`SCORED` names why the model's answer
        was unreadable (the record then holds it as an unreadable answer)."""
        self.tables[task] = table
        self.records[task].append(record)
        if doc is not None:
            self.docs[task].append(doc)
        self.rows[task][reason] += 1

    def skip(self, task: str, reason: str) -> None:
        self.unmatched[task][reason] += 1
        self.rows[task][reason] += 1


def _column_map(columns: dict[str, str] | None) -> dict[str, str]:
    return {source: name for name, source in (columns or {}).items()}


def read_rows(path: Path, columns: dict[str, str] | None = None) -> list[Row]:
    """The rows of a CSV (header line) or JSONL (one object per line) file, each a :class:`Row`.
    ``columns`` maps a name the family reads to the file's column holding it
    (``{"distribution": "llm_distribution"}``). Errors name the file and line
    (:class:`DataFileError`): a line that is not a JSON object, a cell over the csv module's
    field limit, an integer too long for a float (:func:`read_json`)."""
    renamed = _column_map(columns)
    rows = []
    seen: set[str] = set()
    with open_data_file(path) as handle:
        if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}, line {number}"
                value = read_json(line, where)
                if not isinstance(value, dict):
                    raise DataFileError(f"{where}: a JSON object per line is expected")
                seen.update(str(key) for key in value)
                rows.append(_row(value, renamed, where))
        else:
            reader = csv.DictReader(handle)
            seen.update(str(name) for name in reader.fieldnames or [])
            for value in csv_rows(reader, path):
                rows.append(_row(value, renamed, f"{path}, line {reader.line_num}"))
    for name, source in (columns or {}).items():
        if source not in seen:  # the file's own column of that name would be read instead
            shown = ", ".join(sorted(seen)) or "none"
            raise DataFileError(
                f"{path}: --column {name}={source}: the file has no column {source!r} (its columns: {shown})"
            )
    return rows


def _row(value: dict, renamed: dict[str, str], where: str) -> Row:
    """One row with the ``--column`` names applied; a column of the file that has a mapped
    name itself (``distribution`` beside ``--column distribution=other``) is not read."""
    targets = set(renamed.values())
    row = Row(
        {
            renamed.get(key, key): cell
            for key, cell in value.items()
            if key is not None and (key in renamed or key not in targets)
        }
    )
    row.where = where
    return row


def _model_of(row: dict) -> str:
    for column in MODEL_COLUMNS:
        value = row.get(column)
        if value not in (None, ""):
            return str(value)
    return DEFAULT_MODEL


@dataclass
class ScoredFile:
    """``cultureval score``'s result: ``scores[model][task]`` (metrics, ``n_rows_scored``,
    ``n_rows_unmatched`` and ``rows``: the count per reason), ``unmatched[model][task]`` (reason
    -> rows left out), the metric ``tables`` and per model and task the ``rescored`` detail
    (records and documents, for the yardsticks)."""

    scores: dict[str, dict]
    unmatched: dict[str, dict]
    tables: dict[str, MetricTable]
    rescored: dict[str, Rescored]


def score_file(family_name: str, rows: Sequence[dict], task: str | None = None, seed: int = 0) -> ScoredFile:
    """Score ``rows`` (:func:`read_rows`) with the family's ``rescore`` hook and metric tables."""
    if family_name not in family_names():
        raise ValueError(f"unknown family {family_name!r}; known: {', '.join(family_names())}")
    owner = family(family_name)
    if owner.rescore is None:
        raise ValueError(f"{owner.title} has no re-scoring of outside outputs")
    task_owner = family_of(task) if task else owner
    if task_owner is not owner:
        where = f"a task of {task_owner.name}" if task_owner else "not a cultureval task"
        raise ValueError(f"--task {task} is {where}, not of {family_name}")
    by_model: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_model[_model_of(row)].append(row)
    scores: dict[str, dict] = {}
    unmatched: dict[str, dict] = {}
    tables: dict[str, MetricTable] = {}
    rescored_by_model = owner.rescore.run(dict(by_model), task)
    for model, rescored in rescored_by_model.items():
        scores[model] = {}
        for name, table in sorted(rescored.tables.items()):
            metrics = table.compute(rescored.records[name], lm_eval_only=True, seed=seed)
            metrics["n_rows_scored"] = len(rescored.records[name])
            metrics["n_rows_unmatched"] = sum(rescored.unmatched.get(name, Counter()).values())
            scores[model][name] = {key: _json_number(value) for key, value in metrics.items()}
            scores[model][name]["rows"] = dict(sorted(rescored.rows[name].items()))
        unmatched[model] = {name: dict(counts) for name, counts in rescored.unmatched.items() if counts}
        tables |= rescored.tables
    return ScoredFile(scores, unmatched, tables, rescored_by_model)


def score_rows(family_name: str, rows: list[dict], task: str | None = None, seed: int = 0) -> tuple[dict, dict, dict]:
    """``({model: {task: {metric: value}}}, {model: {task: {reason: count}}}, {task: table})``:
    :func:`score_file` without the per-model detail."""
    scored = score_file(family_name, rows, task, seed)
    return scored.scores, scored.unmatched, scored.tables


def yardsticks(family_name: str, task: str, rescored: Rescored, memo: dict | None = None) -> dict[str, dict]:
    """The family's yardsticks (``Family.yardsticks``) on the items one model's rows scored, as
    ``cultureval run`` prints them; for ``<task>:text`` (written answers scored beside an
    option task) those of ``<task>``. ``memo`` keeps them across models that scored the same
    items (a yardstick depends on the items alone when the family reads no records)."""
    owner = family(family_name)
    if owner.yardsticks is None:
        return {}
    docs, records = rescored.docs.get(task) or [], rescored.records.get(task) or []
    if not docs:
        return owner.yardsticks(task.split(":")[0], docs, records) if records else {}
    key = (task.split(":")[0], tuple(sorted(id(doc) for doc in docs)))
    if memo is None or key not in memo:
        found = owner.yardsticks(key[0], docs, records)
        if memo is None:
            return found
        memo[key] = found
    return memo[key]


def _json_number(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return nan_to_none(value)


def scores_with_yardsticks(family_name: str, scored: ScoredFile) -> dict[str, dict]:
    """``scored.scores`` (``cultureval score --json``) with each task's ``"yardsticks"``: the
    family's yardsticks on the items the model's rows matched (:func:`yardsticks`, the function
    the console table prints), ``{label: {metric: value, "n": items, "about": text}}``."""
    memo: dict = {}
    shown: dict[str, dict] = {}
    for model, by_task in scored.scores.items():
        shown[model] = {}
        for task, metrics in by_task.items():
            found = yardsticks(family_name, task, scored.rescored[model], memo)
            shown[model][task] = metrics | {
                "yardsticks": {
                    label: {key: _json_number(value) for key, value in values.items()}
                    for label, values in found.items()
                }
            }
    return shown


def format_scored(family_name: str, scored: ScoredFile) -> str:
    """The console tables of a scored file, one per model and task: the rows counted per reason,
    then the metrics beside the family's yardsticks on the same items (as ``cultureval run``)."""
    from cultureval.report_tools import metrics_table

    blocks = []
    memo: dict = {}
    for model, by_task in scored.scores.items():
        for task, metrics in by_task.items():
            counts = ", ".join(f"{reason} {count}" for reason, count in metrics["rows"].items())
            rescored = scored.rescored[model]
            sticks = yardsticks(family_name, task, rescored, memo)
            header = (
                f"{model} / {task}: {metrics['n_rows_scored']} rows scored, {metrics['n_rows_unmatched']} unmatched"
            )
            blocks.append(
                f"{header} (rows: {counts})\n" + metrics_table(task, metrics, sticks, table=scored.tables[task])
            )
    return "\n\n".join(blocks)


def write_results(
    family_name: str, scored: ScoredFile, output_dir: Path, source: Path, seed: int = 0
) -> tuple[list[Path], list[str]]:
    """Write each model's scores of ``scored`` (:func:`score_file`) in lm-eval's results format,
    as ``cultureval baseline`` does, so ``cultureval report`` and ``cultureval export`` read them
    like any run (:mod:`cultureval.runs`, harness ``score``):
    ``<output_dir>/score__<model>/results_<stamp>.json`` (the metrics, ``n_rows_scored``,
    ``n_rows_unmatched`` and one ``n_rows_<reason>`` per other reason a row was counted under;
    the ``cultureval_score`` block names the family, the file, the seed and every row's reason)
    and ``samples_<task>_<stamp>.jsonl`` (per item: the document, its logged metric values and
    its whole record). Returns the files written and the scored names that are no cultureval
    task (GlobalOpinionQA's ``<task>:text``), which are not written."""
    import re
    from datetime import datetime, timezone

    from cultureval.definitions import task_names

    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H-%M-%S.%f")
    written, skipped = [], set()
    for model, rescored in scored.rescored.items():
        folder = output_dir / ("score__" + re.sub(r"[^A-Za-z0-9._-]+", "_", model))
        folder.mkdir(parents=True, exist_ok=True)
        results = _results_skeleton(model, family_name, source, seed, now.timestamp())
        for name, table in sorted(rescored.tables.items()):
            if name not in task_names():
                skipped.add(name)
                continue
            _write_samples(folder / f"samples_{name}_{stamp}.jsonl", table, rescored, name)
            _add_results(results, name, table, scored.scores[model][name])
        path = folder / f"results_{stamp}.json"
        path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        written.append(path)
    return written, sorted(skipped)


def _results_skeleton(model: str, family_name: str, source: Path, seed: int, started: float) -> dict:
    return {
        "results": {},
        "configs": {},
        "versions": {},
        "n-samples": {},
        "higher_is_better": {},
        "config": {"model": "cultureval-score", "model_args": {"file": str(source)}, "limit": None},
        "model_name": model,
        "date": started,  # epoch seconds, as lm-eval writes it
        "cultureval_score": {"family": family_name, "file": str(source), "seed": seed, "rows": {}},
    }


def _write_samples(path: Path, table: MetricTable, rescored: Rescored, name: str) -> None:
    records = rescored.records[name]
    docs = rescored.docs.get(name) or []
    if len(docs) != len(records):  # a family that gave no document for some rows
        docs = [{}] * len(records)
    lines = []
    for index, (doc, record) in enumerate(zip(docs, records)):
        values = {key: _json_number(value) for key, value in table.lm_eval_results(record).items()}
        line = {"doc_id": index, "doc": doc, "filter": "none", "metrics": list(values)} | values
        line["record"] = {key: _json_number(value) for key, value in record.items()}
        lines.append(line)
    path.write_text("".join(json.dumps(line, default=str) + "\n" for line in lines), encoding="utf-8")


def _add_results(results: dict, name: str, table: MetricTable, metrics: dict) -> None:
    """One task's entry in lm-eval's results layout, with its provenance block."""
    from cultureval import provenance
    from cultureval.definitions import task_definition

    rows = dict(metrics.get("rows") or {})
    numbers = {key: value for key, value in metrics.items() if key != "rows"}
    numbers |= {f"n_rows_{reason}": count for reason, count in rows.items() if reason != SCORED}
    results["results"][name] = {"alias": name} | {f"{key},none": value for key, value in numbers.items()}
    results["cultureval_score"]["rows"][name] = rows
    definition = task_definition(name)
    block = provenance.record(definition.version, provenance.read_provenance(definition.load_dataset()), rendering=None)
    results["configs"][name] = {"task": name, "metadata": (definition.metadata or {}) | {"cultureval": block}}
    results["versions"][name] = definition.version
    unmatched = metrics.get("n_rows_unmatched") or 0
    results["n-samples"][name] = {
        "original": metrics["n_rows_scored"] + unmatched,
        "effective": metrics["n_rows_scored"],
    }
    results["higher_is_better"][name] = {m.name: m.higher_is_better for m in table.metrics if m.lm_eval}
