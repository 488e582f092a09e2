"""Yardsticks of the three-setting binary study: what a model that reads nothing about the
country scores, computed with the family's own metric code on a run's own items.

* ``always option 1`` — every sample answers the first option. On the shared data's 118 items
  its ``majority_agreement`` equals the share of items whose survey majority is option 1, which
  is far from the coin flip's 0.5.
* ``all-country majority`` — every sample answers the option most chosen over *all* the
  countries GlobalOpinionQA asked the question in (the unweighted mean of their national
  samples' distributions, each country once): knowing the world's answer, not the country's.
  Questions whose pooled answer is split exactly are left out (``n`` says how many items remain).

Both answer every sample with an option, so their strict and plain agreement are equal.
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.tasks.binary_settings import scoring

NATIONAL_SAMPLES = ("", "Current national sample")
KNOWS_NOTHING = {"always option 1"}  # answer-blind and world-blind: the floor the report ranks above
ABOUT = {
    "always option 1": "every sample answers the first option (no reading at all)",
    "all-country majority": "every sample answers the option most chosen over all countries asked the question "
    "(the world's answer, not the country's)",
}


def all_country_majority(all_docs: list[dict]) -> dict[int, str | None]:
    """question_id -> ``"1"`` / ``"2"``: the option with the larger unweighted mean share over
    the countries asked the question (each country once, its plain-named sample, else its current
    national sample; non-national samples left out); ``None`` when the mean is split exactly.
    Only two-option questions."""
    chosen: dict[tuple[int, str], dict] = {}
    for doc in all_docs:
        sample = doc.get("country_sample", "")
        if doc["n_options"] != 2 or sample not in NATIONAL_SAMPLES:
            continue
        key = (doc["question_id"], doc["country"])
        if key not in chosen or sample == "":
            chosen[key] = doc
    shares: dict[int, list[list[float]]] = defaultdict(list)
    for (question, _), doc in chosen.items():
        shares[question].append(list(doc["survey_distribution"]))
    found: dict[int, str | None] = {}
    for question, rows in shares.items():
        first = sum(row[0] for row in rows) / len(rows)
        second = sum(row[1] for row in rows) / len(rows)
        found[question] = None if first == second else (scoring.OPTION_1 if first > second else scoring.OPTION_2)
    return found


def _samples(docs: list[dict], records: list[dict] | None) -> list[tuple[str, str, float, float]]:
    """One ``(item, country, s1, s2)`` per sample of the run: from its documents, else (the
    judge step) from its records."""
    if docs:
        return [(scoring.item_key(d), d["country"], *map(float, d["survey_distribution"])) for d in docs]
    return [(r["item"], r["country"], float(r["survey_1"]), float(r["survey_2"])) for r in records or []]


def _question(item: str) -> int | None:
    """The question id of an item key (:func:`scoring.item_key`); ``None`` for a key that names
    none (such an item has no all-country majority and is left out: ``n`` counts what remains)."""
    head = item.split("|", 1)[0]
    return int(head) if head.isdigit() else None


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """The two answer-blind predictors scored on the run's samples with :func:`scoring.summarise`
    (every metric of the settings' tables, per country too): ``{label: {metric: value, "n": samples,
    "about": ...}}``; ``{}`` without samples. Raises
    :class:`~cultureval.data_source.DataFileError` when GlobalOpinionQA cannot be read (the
    all-country majority needs every country's answers)."""
    from cultureval.tasks.global_opinions.baselines import of_dataset

    samples = _samples(docs, records)
    if not samples:
        return {}
    majority = of_dataset(all_country_majority)  # the whole dataset, read once per data file

    def majority_answer(item: str) -> str | None:
        question = _question(item)
        return majority.get(question) if question is not None else None

    answers = {
        "always option 1": lambda item: scoring.OPTION_1,
        "all-country majority": majority_answer,
    }
    found = {}
    for label, answer in answers.items():
        values = [(item, country, s1, s2, answer(item)) for item, country, s1, s2 in samples]
        values = [value for value in values if value[-1] is not None]
        summary = scoring.summarise(values)
        found[label] = {
            key: None if isinstance(value, float) and math.isnan(value) else value for key, value in summary.items()
        } | {"n": len(values), "about": ABOUT[label], "knows_nothing": label in KNOWS_NOTHING}
    return found
