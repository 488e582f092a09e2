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

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from cultureval.data_source import resolve_file
from cultureval.families import Baseline, Predictor, table_of
from cultureval.tasks.global_opinions import loader, scoring

T = TypeVar("T")

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


def of_dataset(summary: Callable[[list[dict]], T]) -> T:
    """``summary(docs)`` of the whole dataset (every item of the data source in use), computed
    once per data file (its path, size and modification time) and ``summary``: yardsticks ask
    for the US answers, the cross-country means or the all-country majority once per task and
    model. Raises :class:`~cultureval.data_source.DataFileError` when the data cannot be read."""
    path, _, _ = resolve_file(
        loader.DATASET, "global_opinions.csv", loader.HUB_REPO, loader.HUB_FILENAME, loader.HUB_REVISION
    )
    stat = Path(path).stat()
    return _of_data_file(summary, str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _of_data_file(summary: Callable[[list[dict]], T], path: str, size: int, modified: int) -> T:
    return summary(loader.load().docs)


CROSS_COUNTRY = "cross_country_distribution"  # on each wvs_ordinal item (loader.select_subset)


US_OWN_ITEM = "us_own_item"
NO_US_ANSWER = "no_us_answer"


def _us_prediction(doc: dict, us: dict[int, list[float]]) -> list[float] | str:
    if doc["country"] == US:
        return US_OWN_ITEM
    return list(us[doc["question_id"]]) if doc["question_id"] in us else NO_US_ANSWER


def predict(
    kind: str, docs: list[dict], n: int = 100, seed: int = 0, all_docs: list[dict] | None = None
) -> list[list[float] | str]:
    """The baseline's distribution for each document, or the reason it has none (a string,
    counted by ``cultureval baseline``). ``us-prior`` looks the US answers up in ``all_docs``
    (default: the whole dataset of the same data source): a subset such as ``_6c`` holds the US
    sample of only the US's own questions. ``country-blind`` reads each document's
    ``cross_country_distribution`` (``wvs_ordinal`` items carry it), else the mean over
    ``all_docs`` (default: the whole dataset)."""
    if kind == "uniform":
        return [[1.0 / doc["n_options"]] * doc["n_options"] for doc in docs]
    if docs and "survey_distribution" not in docs[0]:
        raise ValueError(f"the {kind} baseline needs per-country items (a survey_distribution per document)")
    if kind == "us-prior":
        us = _us_distributions(all_docs) if all_docs is not None else of_dataset(_us_distributions)
        return [_us_prediction(doc, us) for doc in docs]
    if kind == "country-blind":
        if all(CROSS_COUNTRY in doc for doc in docs):
            return [list(doc[CROSS_COUNTRY]) for doc in docs]
        if all_docs is not None:
            means = loader.cross_country_distributions(all_docs)
        else:
            means = of_dataset(loader.cross_country_distributions)
        return [list(doc.get(CROSS_COUNTRY) or means[doc["question_id"]]) for doc in docs]
    if kind == "survey-resample":
        if n < 1:
            raise ValueError(f"survey-resample needs n >= 1 respondents, got {n}")
        predictions = []
        for doc in docs:
            p = np.asarray(doc["survey_distribution"], dtype=float)
            # one stream per item, from the seed and the item's identity: the draw does not depend
            # on the order the items come in (lm-eval and Inspect log them in different orders)
            counts = np.random.default_rng([seed, _item_seed(doc)]).multinomial(n, p / p.sum())
            predictions.append((counts / n).tolist())
        return predictions
    raise ValueError(f"unknown baseline {kind!r}; known: {', '.join(KINDS)}")


def _item_seed(doc: dict) -> int:
    """A 63-bit number naming the item (question and survey sample), for its own random stream."""
    import hashlib

    key = f"{doc.get('question_id')}|{doc.get('survey_country', doc.get('country'))}|{doc.get('question', '')}"
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") >> 1


def _predictor(kind: str) -> Predictor:
    def run(docs: list[dict], n: int, seed: int) -> list[list[float] | str]:
        return predict(kind, docs, n=n, seed=seed)

    return run


HELP = {
    "uniform": "every option equally likely: what knowing nothing scores",
    "us-prior": "the United States' answers for every other country (US items left out)",
    "survey-resample": "--n respondents drawn from each country's own survey: the sampling floor",
    "country-blind": "the question's cross-country mean distribution for every country: the world's answer",
}
BASELINES = tuple(Baseline(kind, HELP[kind], _predictor(kind)) for kind in KINDS)


YARDSTICKS = (("uniform", "uniform"), ("us-prior", "US prior"), ("survey-resample", "survey n=100"))
KNOWS_NOTHING = {"uniform"}  # the yardsticks the report never ranks a model below
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
    each survey (the expected-score task's are :mod:`cultureval.tasks.value_probing.baselines`)."""
    table = table_of(task)
    found = {}
    for kind, label in YARDSTICKS:
        predictions = predict(kind, docs, n=100, seed=0)
        records_ = [scoring.score_for_task(task, d, p) for d, p in zip(docs, predictions) if not isinstance(p, str)]
        if records_:
            found[label] = table.compute(records_, lm_eval_only=True) | {
                "n": len(records_),
                "about": ABOUT[label],
                "knows_nothing": label in KNOWS_NOTHING,
            }
    return found
