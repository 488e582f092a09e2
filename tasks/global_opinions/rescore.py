"""``cultureval score global_opinions FILE``: GlobalOpinionQA outputs produced elsewhere.

Columns: ``question`` and ``country`` (a plain country, matched to its current national sample,
or a survey sample name as the data spells it, e.g. ``India (Non-national sample)``), and either
``distribution`` (a JSON list, one value per option in the dataset's order) or ``text`` (a
written answer, read by :func:`~cultureval.tasks.global_opinions.parser.read_distribution`).
Rows match the items of ``--task`` (default ``global_opinion_jsd``) on the stripped question text
and the country. ``distribution`` rows are scored as the task scores option distributions; ``text`` rows as the
generative tasks score written answers (``jsd_strict``, ``parse_rate``, ...), reported under
``<task>:text`` when the task is an option-probability task.
"""

from __future__ import annotations

import json
import math

from cultureval.definitions import task_definition
from cultureval.families import table_of
from cultureval.score import Rescored
from cultureval.tasks.global_opinions import scoring
from cultureval.tasks.global_opinions.loader import CURRENT_NATIONAL

DEFAULT_TASK = "global_opinion_jsd"


def _index(docs: list[dict]) -> dict[tuple[str, str], dict]:
    """(stripped question, country) -> item; a plain country name means its current national
    sample (the plain-named sample where there is one)."""
    index: dict[tuple[str, str], dict] = {}
    for doc in docs:
        index[(doc["question"], doc["survey_country"])] = doc
    for doc in docs:
        key = (doc["question"], doc["country"])
        if doc["country_sample"] == CURRENT_NATIONAL and key not in index:
            index[key] = doc
    return index


def _distribution(cell, n_options: int) -> list[float] | None:
    """A JSON list of ``n_options`` finite non-negative numbers, not all zero, or ``None``."""
    if isinstance(cell, str):
        try:
            cell = json.loads(cell)
        except ValueError:
            return None
    if not isinstance(cell, list) or len(cell) != n_options:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in cell):
        return None
    values = [float(v) for v in cell]
    if any(math.isnan(v) or math.isinf(v) or v < 0 for v in values) or sum(values) <= 0:
        return None
    return values


def rescore(rows_by_model: dict[str, list[dict]], task: str | None) -> dict[str, Rescored]:
    task = task or DEFAULT_TASK
    index = _index(list(task_definition(task).load_dataset()))
    return {model: _rescore_rows(rows, task, index) for model, rows in rows_by_model.items()}


def _rescore_rows(rows: list[dict], task: str, index: dict) -> Rescored:
    result = Rescored()
    for row in rows:
        doc = index.get((str(row.get("question") or "").strip(), str(row.get("country") or "").strip()))
        if doc is None:
            result.skip(task, "no_such_item")
            continue
        if row.get("distribution") not in (None, ""):
            distribution = _distribution(row["distribution"], doc["n_options"])
            if distribution is None:
                result.skip(task, "bad_distribution")
                continue
            result.add(task, table_of(task), scoring.score_for_task(task, doc, distribution), doc)
        elif row.get("text") is not None:
            # written answers are scored as the generative tasks score them, under their own key
            # when the same model also has distribution rows
            name = task if table_of(task) is scoring.GENERATIVE_METRICS else f"{task}:text"
            result.add(name, scoring.GENERATIVE_METRICS, scoring.score_cot_text(doc, str(row["text"])), doc)
        else:
            result.skip(task, "no_distribution_or_text")
    return result
