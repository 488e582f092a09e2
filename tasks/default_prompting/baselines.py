"""Reference "models" for default prompting, scored like any model by ``cultureval baseline``
and printed beside a run's metrics (:func:`yardsticks`).

A document is one question for every country, so only answers without a country make sense:
``uniform`` (every option equally likely: knowing nothing) as a ``cultureval baseline`` kind, and
as a yardstick also the *country average* (the unweighted mean of the countries' survey
distributions, the one answer closest on average to all of them).
"""

from __future__ import annotations

from cultureval.families import Baseline

KNOWS_NOTHING = {"uniform"}
ABOUT = {
    "uniform": "every option equally likely (knowing nothing)",
    "country average": "the unweighted mean of the countries' survey distributions, for every country",
}


def uniform(docs: list[dict], n: int, seed: int) -> list[list[float]]:
    """Every option equally likely, for each question (``n`` and ``seed`` unused)."""
    return [[1.0 / doc["n_options"]] * doc["n_options"] for doc in docs]


def country_average(docs: list[dict]) -> list[list[float]]:
    """Per question, the unweighted mean of its countries' survey distributions."""
    return [[sum(col) / len(col) for col in zip(*doc["survey_distributions"])] for doc in docs]


BASELINES = (Baseline("uniform", "every option equally likely, one answer for every country", uniform),)


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """The uniform answer and the country average scored on ``docs`` (a run's own questions)."""
    from cultureval.tasks.default_prompting.scoring import METRICS, default_record  # NumPy/SciPy: on use

    found = {}
    for label, predictions in (("uniform", uniform(docs, 0, 0)), ("country average", country_average(docs))):
        scored = [default_record(d, p) for d, p in zip(docs, predictions)]
        found[label] = METRICS.compute(scored, lm_eval_only=True) | {
            "n": len(scored),
            "about": ABOUT[label],
            "knows_nothing": label in KNOWS_NOTHING,
        }
    return found
