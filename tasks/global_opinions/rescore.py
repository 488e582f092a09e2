"""``cultureval score global_opinions FILE``: GlobalOpinionQA outputs produced elsewhere.

Columns: ``question`` and ``country`` (a plain country, matched to its current national sample,
or a survey sample name as the data spells it, e.g. ``India (Non-national sample)``), and either
``distribution`` (a JSON list, one value per option in the dataset's order) or ``text`` (a
written answer, read by :func:`~cultureval.tasks.global_opinions.parser.read_distribution`).
Rows match the items of ``--task`` (default ``global_opinion_jsd``) on the stripped question text
and the country. ``distribution`` rows are scored as the task scores option distributions; ``text`` rows as the
generative tasks score written answers (``jsd_strict``, ``parse_rate``, ...), reported under
``<task>:text`` when the task is an option-probability task.

A ``distribution`` that does not fit its item (another number of values than the item has
options, empty, negative, not numbers, all zero) is the model's unreadable answer: for a
written-answer task (``GENERATIVE_METRICS``: ``global_opinion_cot*``, ``global_opinion_sampled*``)
it is scored as one (distance 1.0 in ``jsd_strict``) and counted as ``bad_distribution``; an
option-probability task has no unreadable answers, so there it is an error naming the line. The
same item given again by the same model is counted (``duplicate``) and left out: the first row
counts. A written-answer task's ``distribution`` rows also carry ``jsd_padded``, the
GlobalOpinionBench poster's distance of the list as given (zero-padded whatever its length).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from cultureval.data_source import DataFileError
from cultureval.definitions import task_definition
from cultureval.families import table_of
from cultureval.score import NumberTooLongError, Rescored, read_json
from cultureval.tasks.global_opinions import scoring
from cultureval.tasks.global_opinions.loader import CURRENT_NATIONAL

DEFAULT_TASK = "global_opinion_jsd"
BAD_DISTRIBUTION = "bad_distribution"


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


def _numbers(cell, where: str) -> list[float] | None:
    """The cell as a JSON list of numbers (any length, any values), or ``None``. A cell that is
    not JSON is ``None`` (an unreadable answer); an integer too long for a float is a
    :class:`DataFileError` naming ``where``."""
    if isinstance(cell, str):
        try:
            cell = read_json(cell, where)
        except NumberTooLongError:
            raise
        except DataFileError:
            return None
    if not isinstance(cell, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in cell):
        return None
    return [float(v) for v in cell]  # read_json and read_rows keep integers within float range


def _distribution(values: list[float] | None, n_options: int) -> list[float] | None:
    """``values`` when they are ``n_options`` finite non-negative numbers, not all zero, whose
    sum is a float; else ``None`` (an answer that does not fit its item)."""
    if values is None or len(values) != n_options:
        return None
    if any(math.isnan(v) or math.isinf(v) or v < 0 for v in values):
        return None
    total = sum(values)
    return values if 0 < total < math.inf else None


# ``score(task, doc, distribution) -> record``: how the task scores an answer distribution
ScoreDistribution = Callable[[str, dict, list[float]], dict]


def rescore(rows_by_model: dict[str, list[dict]], task: str | None) -> dict[str, Rescored]:
    """``Family.rescore`` of GlobalOpinionQA: the rows of each model scored on ``task``'s items
    (default ``global_opinion_jsd``)."""
    return rescore_with(rows_by_model, task or DEFAULT_TASK, scoring.score_for_task)


def rescore_with(rows_by_model: dict[str, list[dict]], task: str, score: ScoreDistribution) -> dict[str, Rescored]:
    """Rows matched to the per-country items of ``task`` (any task on GlobalOpinionQA's
    per-country documents; value probing reuses it), ``distribution`` rows scored by
    ``score``, ``text`` rows as the generative tasks score written answers."""
    dataset = task_definition(task).load_dataset()
    # a datasets.Dataset converts to plain rows at once far faster than row by row
    index = _index(dataset.to_list() if hasattr(dataset, "to_list") else list(dataset))
    return {model: _rescore_rows(rows, task, index, score) for model, rows in rows_by_model.items()}


def _rescore_rows(rows: list[dict], task: str, index: dict, score: ScoreDistribution) -> Rescored:
    result = Rescored()
    table = table_of(task)
    written = table is scoring.GENERATIVE_METRICS  # the task scores written answers: unreadable ones count 1.0
    text_name = task if written else f"{task}:text"
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        where = getattr(row, "where", "a row")
        key = (str(row.get("question") or "").strip(), str(row.get("country") or "").strip())
        doc = index.get(key)
        if doc is None:
            result.skip(task, "no_such_item")
            continue
        has_distribution = row.get("distribution") not in (None, "")
        name = task if has_distribution else text_name
        if not has_distribution and row.get("text") is None:
            result.skip(task, "no_distribution_or_text")
            continue
        if (name, doc["question"], doc["survey_country"]) in seen:
            result.skip(name, "duplicate")
            continue
        seen.add((name, doc["question"], doc["survey_country"]))
        if not has_distribution:
            # written answers are scored as the generative tasks score them, under their own key
            # when the same model also has distribution rows
            result.add(name, scoring.GENERATIVE_METRICS, scoring.score_cot_text(doc, str(row["text"])), doc)
            continue
        values = _numbers(row["distribution"], where)
        distribution = _distribution(values, doc["n_options"])
        # a written-answer task also carries the GlobalOpinionBench poster's padded distance of
        # the list as given, whatever its length (scoring.padded_distance)
        padded = {"jsd_padded": scoring.padded_distance(values, doc["survey_distribution"])} if written else {}
        if distribution is not None:
            result.add(name, table, score(task, doc, distribution) | padded, doc)
        elif written:
            result.add(name, table, scoring.score_parsed(doc, None) | padded, doc, reason=BAD_DISTRIBUTION)
        else:
            raise DataFileError(
                f"{where}: distribution {str(row['distribution'])[:80]!r} does not fit the item's "
                f"{doc['n_options']} options; {task} scores option probabilities and has no unreadable answers "
                "(re-score written answers' distributions with a written-answer task, e.g. --task global_opinion_cot, "
                "where one counts 1.0 in jsd_strict)"
            )
    return result
