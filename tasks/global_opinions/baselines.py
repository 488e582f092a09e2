"""Reference "models" for GlobalOpinionQA, scored like any model by ``cultureval baseline``.

* ``uniform`` — every option equally likely: what a model that knows nothing scores.
* ``us-prior`` — the United States' survey distribution of the same question, used for every
  other country: what a fully US-centric model scores. The United States' own items are left out
  (their distance is 0 by construction) and counted (``n_skipped_us_own_item``), as are items
  of questions without a US sample (plain name or current national sample;
  ``n_skipped_no_us_answer``).
* ``survey-resample`` — the answers of ``n`` respondents drawn (multinomial, seeded) from the
  country's own survey distribution: the sampling-noise floor of a survey of that size.
* ``country-blind`` — every country gets the question's cross-country mean distribution (the
  unweighted mean over every survey sample asked it): a model that knows the world's answer but
  nothing about the country.
"""

from __future__ import annotations

import numpy as np

from cultureval.tasks.global_opinions import loader

KINDS = ("uniform", "us-prior", "survey-resample", "country-blind")
US = "United States"


def _us_distributions(docs: list[dict]) -> dict[int, list[float]]:
    """question_id -> the US survey distribution (plain name preferred over the current
    national sample; never a non-national one)."""
    found: dict[int, tuple[int, list[float]]] = {}
    for doc in docs:
        if doc["country"] != US or doc["country_sample"] not in ("", loader.CURRENT_NATIONAL):
            continue
        rank = 0 if doc["country_sample"] == "" else 1
        if doc["question_id"] not in found or rank < found[doc["question_id"]][0]:
            found[doc["question_id"]] = (rank, list(doc["survey_distribution"]))
    return {question: distribution for question, (_, distribution) in found.items()}


US_OWN_ITEM = "us_own_item"
NO_US_ANSWER = "no_us_answer"


def predict(
    kind: str, docs: list[dict], n: int = 100, seed: int = 0, all_docs: list[dict] | None = None
) -> list[list[float] | str]:
    """The baseline's distribution for each document, or the reason it has none (a string,
    counted by ``cultureval baseline``). ``us-prior`` looks the US answers up in ``all_docs``
    (default: the whole dataset of the same data source): a subset such as ``_6c`` holds the US
    sample of only the US's own questions."""
    if kind == "uniform":
        return [[1.0 / doc["n_options"]] * doc["n_options"] for doc in docs]
    if docs and "survey_distribution" not in docs[0]:
        raise ValueError(f"the {kind} baseline needs per-country items; default-prompting tasks have uniform only")
    if kind == "us-prior":
        us = _us_distributions(all_docs if all_docs is not None else loader.load().docs)
        return [US_OWN_ITEM if doc["country"] == US else us.get(doc["question_id"], NO_US_ANSWER) for doc in docs]
    if kind == "country-blind":
        missing = [doc for doc in docs if "cross_country_distribution" not in doc]
        means = (
            loader.cross_country_distributions(all_docs if all_docs is not None else loader.load().docs)
            if missing
            else {}
        )
        return [doc.get("cross_country_distribution") or means[doc["question_id"]] for doc in docs]
    if kind == "survey-resample":
        if n < 1:
            raise ValueError(f"survey-resample needs n >= 1 respondents, got {n}")
        rng = np.random.default_rng(seed)
        predictions = []
        for doc in docs:
            p = np.asarray(doc["survey_distribution"], dtype=float)
            counts = rng.multinomial(n, p / p.sum())
            predictions.append((counts / n).tolist())
        return predictions
    raise ValueError(f"unknown baseline {kind!r}; known: {', '.join(KINDS)}")


def _predictor(kind: str):
    def run(docs: list[dict], n: int, seed: int) -> list[list[float] | str]:
        return predict(kind, docs, n=n, seed=seed)

    return run


PREDICTORS = {kind: _predictor(kind) for kind in KINDS}


YARDSTICKS = (("uniform", "uniform"), ("us-prior", "US prior"), ("survey-resample", "survey n=100"))
# the expected-score task: what knowing the world but not the country scores on both readings
WVS_YARDSTICKS = (("country-blind", "country-blind"), ("us-prior", "US prior"), ("survey-resample", "survey n=100"))
ABOUT = {
    "uniform": "every option equally likely (knowing nothing)",
    "US prior": "the United States' survey answers for every other country (US items left out)",
    "survey n=100": "100 respondents resampled from each country's own survey (the sampling floor)",
    "country-blind": "every country gets the question's cross-country mean distribution (knows the world, "
    "not the country)",
}


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """The baselines scored on ``docs`` (a run's own items) with the task's code: uniform, the
    US prior (on the non-US items that have a US answer) and 100 respondents resampled from
    each survey; for the expected-score task the country-blind predictor instead of uniform."""
    from cultureval.families import table_of
    from cultureval.tasks.global_opinions import conditions, scoring, wvs_pearson

    table = table_of(task)
    found = {}
    if table is conditions.DEFAULT_METRICS:
        # one answer per question for every country: knowing nothing, and the countries' average
        mean = [[sum(col) / len(col) for col in zip(*d["survey_distributions"])] for d in docs]
        uniform = predict("uniform", docs)
        for label, predictions in (("uniform", uniform), ("country average", mean)):
            records_ = [conditions.default_record(d, p) for d, p in zip(docs, predictions)]
            about = ABOUT.get(label, "the unweighted mean of the countries' survey distributions, for every country")
            found[label] = table.compute(records_, lm_eval_only=True) | {"n": len(records_), "about": about}
        return found
    for kind, label in WVS_YARDSTICKS if table is wvs_pearson.METRICS else YARDSTICKS:
        predictions = predict(kind, docs, n=100, seed=0)
        records_ = [scoring.score_for_task(task, d, p) for d, p in zip(docs, predictions) if not isinstance(p, str)]
        if records_:
            found[label] = table.compute(records_, lm_eval_only=True) | {"n": len(records_), "about": ABOUT[label]}
    return found
