"""Reference "models" for GlobalOpinionQA, scored like any model by ``cultureval baseline``.

* ``uniform`` — every option equally likely: what a model that knows nothing scores.
* ``us-prior`` — the United States' survey distribution of the same question, used for every
  country: what a fully US-centric model scores. Questions without a US sample (plain name or
  current national sample) have no prediction; their items are skipped and counted.
* ``survey-resample`` — the answers of ``n`` respondents drawn (multinomial, seeded) from the
  country's own survey distribution: the sampling-noise floor of a survey of that size.
"""

from __future__ import annotations

import numpy as np

from cultureval.tasks.global_opinions import loader

KINDS = ("uniform", "us-prior", "survey-resample")
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


def predict(
    kind: str, docs: list[dict], n: int = 100, seed: int = 0, all_docs: list[dict] | None = None
) -> list[list[float] | None]:
    """The baseline's distribution for each document (``None`` = no prediction). ``us-prior``
    looks the US answers up in ``all_docs`` (default: the whole dataset of the same data
    source): a subset such as ``_6c`` holds the US sample of only the US's own questions."""
    if kind == "uniform":
        return [[1.0 / doc["n_options"]] * doc["n_options"] for doc in docs]
    if kind == "us-prior":
        us = _us_distributions(all_docs if all_docs is not None else loader.load().docs)
        return [us.get(doc["question_id"]) for doc in docs]
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
    def run(docs: list[dict], n: int, seed: int) -> list[list[float] | None]:
        return predict(kind, docs, n=n, seed=seed)

    return run


PREDICTORS = {kind: _predictor(kind) for kind in KINDS}
