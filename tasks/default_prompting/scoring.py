"""Default-prompting scoring (Durmus et al. 2023, "whose opinions does the model hold?").

A document is one question with every country's survey distribution (:func:`default_docs`);
the model's one distribution ``p`` for the question is compared with each country's ``q_c`` by
the Jensen–Shannon distance (base 2). The record of a question (:func:`default_record`) holds
the ``(country, jsd)`` pairs; :data:`METRICS` aggregates them over questions (lm-eval
aggregations and Inspect metric alike): the mean distance, and per country ``1 − mean JSD``
ranked into best, worst and the gap between them.
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import COUNT, DIAGNOSTIC, SCORE, UNIT, Metric, MetricTable
from cultureval.metrics import js_distance
from cultureval.metrics.aggregate import mean_defined

MIN_QUESTIONS = 5  # a country enters the best/worst ranking with at least this many questions


NATIONAL_SAMPLES = ("", "Current national sample")


def default_docs(docs: list[dict]) -> list[dict]:
    """One document per question: its text and options, and every country's survey
    distribution (``countries`` and ``survey_distributions``, parallel lists), questions in
    first-seen order. A country counts once per question, with its national sample (the plain
    one, else the current national one); non-national and older samples are left out."""
    chosen: dict[tuple[int, str], dict] = {}
    for doc in docs:
        sample = doc.get("country_sample", "")
        if sample not in NATIONAL_SAMPLES:
            continue
        key = (doc["question_id"], doc["country"])
        if key not in chosen or (sample == "" and chosen[key].get("country_sample", "") != ""):
            chosen[key] = doc
    by_question: dict[int, dict] = {}
    for doc in chosen.values():
        entry = by_question.setdefault(
            doc["question_id"],
            {
                "question_id": doc["question_id"],
                "question": doc["question"],
                "options": doc["options"],
                "n_options": doc["n_options"],
                "source": doc.get("source", ""),
                "countries": [],
                "survey_distributions": [],
            },
        )
        entry["countries"].append(doc["country"])
        entry["survey_distributions"].append(doc["survey_distribution"])
    return list(by_question.values())


def default_record(doc: dict, distribution: list[float] | None) -> dict:
    """The record of one question: ``[readable, [[country, jsd], ...]]`` as ``pairs`` (``jsd``
    ``None`` when the answer was unreadable)."""
    pairs = [
        [country, None if distribution is None else js_distance(distribution, survey)]
        for country, survey in zip(doc["countries"], doc["survey_distributions"])
    ]
    distances = [jsd for _, jsd in pairs if jsd is not None]
    return {
        "pairs": pairs,
        "readable": distribution is not None,
        "question_id": doc["question_id"],
        # the mean over the question's countries (the report's per-item view)
        "jsd": sum(distances) / len(distances) if distances else None,
    }


def _value(record: dict) -> tuple:
    # a tuple: lm-eval 0.5 reads a list from process_results as several scores of one document
    return (bool(record["readable"]), record["pairs"])


def summarise_default(values: list) -> dict[str, float]:
    """The default-prompting metrics from per-question values ``[readable, pairs]``."""
    readable_pairs = [(country, jsd) for ok, pairs in values if ok for country, jsd in pairs]
    all_pairs = [(country, jsd) for _, pairs in values for country, jsd in pairs]
    by_country: dict[str, list[float]] = defaultdict(list)
    for country, jsd in readable_pairs:
        by_country[country].append(1.0 - jsd)
    country_sim = {country: sum(v) / len(v) for country, v in by_country.items()}
    ranked = {country: sim for country, sim in country_sim.items() if len(by_country[country]) >= MIN_QUESTIONS}
    jsd = mean_defined(distance for _, distance in readable_pairs)
    jsd_strict = mean_defined(1.0 if distance is None else distance for _, distance in all_pairs)
    result: dict[str, float] = {
        "culture_sim_strict": 1.0 - jsd_strict,
        "culture_sim": 1.0 - jsd,
        "jsd": jsd,
        "jsd_strict": jsd_strict,
        "parse_rate": mean_defined(float(ok) for ok, _ in values),
        "country_sim_best": max(ranked.values()) if ranked else math.nan,
        "country_sim_worst": min(ranked.values()) if ranked else math.nan,
        "country_sim_gap": (max(ranked.values()) - min(ranked.values())) if ranked else math.nan,
        "n_countries_ranked": len(ranked),
        "n_questions": len(values),
    }
    for country in sorted(country_sim):
        result[f"culture_sim|country={country}"] = country_sim[country]
    return result


class DefaultAggregate:
    """One metric of :func:`summarise_default` as an lm-eval aggregation (picklable)."""

    def __init__(self, name: str):
        self.name = name
        self.__name__ = f"default_{name}"

    def __call__(self, values: list) -> float:
        return summarise_default(values)[self.name]


def _country_summary(records: list[dict], seed: int = 0) -> dict:
    summary = summarise_default([_value(record) for record in records])
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in summary.items() if "|" in k}


# name: (description, higher is better, kind); every similarity and distance lies in [0, 1]
_DEFAULT_DESCRIPTIONS = {
    "culture_sim_strict": (
        "1 − JS distance of the question's one distribution to each country's, mean over all (question, country) "
        "pairs, an unreadable answer counted as 0: the headline",
        True,
        SCORE,
    ),
    "culture_sim": ("1 − jsd: the same over the readable pairs", True, SCORE),
    "jsd": ("JS distance of the question's one distribution to each country's, mean over readable pairs", False, SCORE),
    "jsd_strict": ("jsd with an unreadable answer counted as 1.0 against every country", False, SCORE),
    "parse_rate": ("share of questions with a readable answer (1.0 for log-probabilities)", True, DIAGNOSTIC),
    "country_sim_best": (
        f"highest per-country mean culture_sim (countries with ≥ {MIN_QUESTIONS} questions)",
        None,
        DIAGNOSTIC,
    ),
    "country_sim_worst": (
        f"lowest per-country mean culture_sim (countries with ≥ {MIN_QUESTIONS} questions)",
        True,
        SCORE,
    ),
    "country_sim_gap": (
        "best − worst per-country culture_sim: how unequally the default answer represents (read beside the "
        "headline: a uniformly bad answer is even)",
        False,
        SCORE,
    ),
    "n_countries_ranked": (f"countries with ≥ {MIN_QUESTIONS} questions", None, COUNT),
    "n_questions": ("questions", None, COUNT),
}

METRICS = MetricTable(
    metrics=tuple(
        Metric(
            name,
            higher,
            description,
            DefaultAggregate(name),
            item=_value,
            kind=kind,
            bounds=None if kind == COUNT else UNIT,
        )
        for name, (description, higher, kind) in _DEFAULT_DESCRIPTIONS.items()
    )
    + (Metric("culture_sim|country={country}", True, "1 − mean jsd of the country's questions", None, bounds=UNIT),),
    summary=_country_summary,
    # a similarity over every (question, country) pair: the gap rewards uniform badness (a
    # uniform answer is more even than SmolLM2's), so it is read beside the headline, not ranked
    headline="culture_sim_strict",
    parse_metric="parse_rate",
    leaderboard="culture_sim_strict",
)


def score_for_task(task: str, doc: dict, distribution: list[float]) -> dict:
    """``Family.score_distribution``: a question's record for a given answer distribution, as
    both default-prompting tasks score it (:func:`default_record`)."""
    return default_record(doc, distribution)
