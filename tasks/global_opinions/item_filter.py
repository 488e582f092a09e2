"""Selecting GlobalOpinionQA items by country or question: the ``countries`` and ``questions``
task options of every task built on GlobalOpinionQA's data (lm-eval ``--metadata '{"countries":
["Brazil", "Japan"]}'``, Inspect ``-T countries=Brazil,Japan``).

A filter keeps the items of the task (after its subset: ``_6c``, ``_binary``, ...) whose country
is one of ``countries`` and whose question is one of ``questions``. Countries are named as the
data names them (``doc["country"]``, e.g. ``India``, which keeps each of India's survey samples,
or a sample's full name ``India (Non-national sample)``, which keeps that one). Questions are
named by their ``question_id`` (the row of the question in the data file, counted from 0, as each
logged sample's ``doc`` shows it) or by their exact text. A name that matches no item of the task
is an error naming the closest names: a misspelt country must not run as "no such items".

The filter changes the documents, so the run's ``docs_sha256`` (:mod:`cultureval.identity`)
differs from an unfiltered run's and the report never ranks the two together; the filter itself
is recorded in the data source (``data_source.filter``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from cultureval.errors import InputError


class ItemFilterError(InputError):
    """A ``countries`` / ``questions`` option that names nothing in the task's items (one line)."""


def _names(value, option: str) -> list[str] | None:
    """An option's names as a list: ``None`` (no filter), a list, or a comma-separated string
    (Inspect's ``-T countries=Brazil`` gives a string, ``-T countries=Brazil,Japan`` a list)."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, Iterable) else [value]
    names = [str(item).strip() for item in items if str(item).strip()]
    if not names:
        raise ItemFilterError(f"{option}: empty; name at least one, or leave {option} out for every item")
    return names


def _unknown(option: str, wanted: list[str], known: set[str], what: str, plural: str) -> None:
    missing = [name for name in wanted if name not in known]
    if not missing:
        return
    name = missing[0]
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ItemFilterError(f"{option}: no item of this task has {what} {name!r}{hint} ({len(known)} {plural} in it)")


def filter_items(docs: list[dict], countries=None, questions=None) -> tuple[list[dict], dict | None]:
    """``(kept docs in their order, the filter as recorded)``; ``(docs, None)`` without a filter.

    ``countries``: names matched against each doc's ``country`` and ``survey_country``;
    ``questions``: ``question_id`` numbers (ints or digit strings) or exact question texts
    (stripped). :class:`ItemFilterError` for an empty option or a name no item has."""
    country_names = _names(countries, "countries")
    question_names = _names(questions, "questions")
    if country_names is None and question_names is None:
        return docs, None
    recorded: dict[str, list] = {}
    kept = docs
    if country_names is not None:
        known = {doc["country"] for doc in docs} | {doc["survey_country"] for doc in docs}
        _unknown("countries", country_names, known, "country", "countries and survey samples")
        wanted = set(country_names)
        kept = [doc for doc in kept if doc["country"] in wanted or doc["survey_country"] in wanted]
        recorded["countries"] = country_names
    if question_names is not None:
        ids = {name for name in question_names if name.isascii() and name.isdigit()}
        texts = set(question_names) - ids
        _unknown("questions", sorted(ids), {str(doc["question_id"]) for doc in docs}, "question_id", "questions")
        _unknown("questions", sorted(texts), {doc["question"].strip() for doc in docs}, "question text", "questions")
        kept = [doc for doc in kept if str(doc["question_id"]) in ids or doc["question"].strip() in texts]
        recorded["questions"] = question_names
    if not kept:
        raise ItemFilterError(f"no item of this task has both the countries {country_names} and the questions given")
    return kept, recorded
