"""Steering (Santurkar et al. 2023; Meister et al. 2025): the cross-national items with a
steering text before the Durmus prompt — ``global_opinion_steer_fewshot``: ``k`` other questions
of the same country with their survey distributions (never the item's own); and
``global_opinion_steer_persona``: a first-person description of a person from the country.

The document builders (:func:`fewshot_docs`, :func:`persona_docs`) add the text as the item's
``steering``; the prompts put it first. Items are scored as ``global_opinion_jsd`` scores them.
"""

from __future__ import annotations

import random
from collections import defaultdict

from cultureval.tasks.global_opinions.prompts import doc_to_text, option_letters

DEFAULT_K = 3
PERSONA = "I was born in {country}, grew up there and live there today."


def _shot(doc: dict) -> str:
    shares = ", ".join(
        f"({letter}) {option}: {round(100 * share)}%"
        for letter, option, share in zip(option_letters(doc["n_options"]), doc["options"], doc["survey_distribution"])
    )
    return f"Question: {doc['question']}\nHow people in {doc['country']} answered: {shares}"


def fewshot_docs(items: list[dict], pool: list[dict], k: int, seed: int = 0) -> list[dict]:
    """The items with ``steering``: ``k`` other questions of the same country and survey sample
    drawn from ``pool`` (seeded per item, never the item's own question), shown with their
    survey distributions. An item whose country has fewer than ``k`` other questions gets all
    of them (``n_shots`` records how many)."""
    by_country: dict[str, list[dict]] = defaultdict(list)
    for doc in pool:
        by_country[doc["survey_country"]].append(doc)
    steered = []
    for item in items:
        others = [d for d in by_country[item["survey_country"]] if d["question_id"] != item["question_id"]]
        rng = random.Random(f"{seed}|{item['question_id']}|{item['survey_country']}")
        shots = rng.sample(others, min(k, len(others)))
        text = "Here is how people in {} answered other survey questions.\n\n".format(item["country"])
        text += "\n\n".join(_shot(shot) for shot in shots)
        steered.append(
            item | {"steering": text, "n_shots": len(shots), "shot_question_ids": [s["question_id"] for s in shots]}
        )
    return steered


def persona_docs(items: list[dict]) -> list[dict]:
    """The items with ``steering``: the first-person persona of someone from the item's country."""
    return [item | {"steering": PERSONA.format(country=item["country"])} for item in items]


def fewshot_doc_to_text(doc: dict) -> str:
    """The steering text, a blank line, then the cross-national prompt of ``global_opinion_jsd``."""
    return doc["steering"] + "\n\n" + doc_to_text(doc)


def persona_doc_to_text(doc: dict) -> str:
    """The persona, then the question as the persona's own (no "someone from ..." line)."""
    lines = [
        doc["steering"],
        "",
        "How would I answer the following question:",
        doc["question"],
        "Here are the options:",
    ]
    lines += [f"({letter}) {option}" for letter, option in zip(option_letters(doc["n_options"]), doc["options"])]
    return "\n".join(lines)
