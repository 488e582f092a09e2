"""Trivial CALI predictors, scored like any model by ``cultureval baseline`` (and shown beside
model rows): what a score means depends on what a predictor that reads nothing gets.

* ``never-entail`` — P(E) = 0, the rest split evenly between N and C (its argmax is N): the
  floor of ``macro_f1_binary`` and of the published tuned F1 (0.392 US / 0.396 IN on this data).
* ``always-entail`` — P(E) = 1.
* ``other-culture`` — the other culture's majority label (ties to the first-listed label), as a
  one-hot distribution: a model that knows the annotators but not whose view was asked.
"""

from __future__ import annotations

from cultureval.families import Baseline, Predictor
from cultureval.tasks.cali.loader import LABELS

KINDS = ("never-entail", "always-entail", "other-culture")
KNOWS_NOTHING = {"never-entail", "always-entail"}  # read neither premise nor culture
ABOUT = {
    "never-entail": "P(E) = 0 on every pair: the floor",
    "always-entail": "P(E) = 1 on every pair",
    "other-culture": "the other culture's majority label",
}


def _one_hot(label: str) -> list[float]:
    return [1.0 if candidate == label else 0.0 for candidate in LABELS]


def predict(kind: str, docs: list[dict]) -> list[list[float]]:
    if kind == "never-entail":
        return [[0.0, 0.5, 0.5] for _ in docs]
    if kind == "always-entail":
        return [_one_hot("E") for _ in docs]
    if kind == "other-culture":
        return [_one_hot(doc["other_majority_first"]) for doc in docs]
    raise ValueError(f"unknown CALI baseline {kind!r}; known: {', '.join(KINDS)}")


def _predictor(kind: str) -> Predictor:
    def run(docs: list[dict], n: int, seed: int) -> list[list[float]]:
        return predict(kind, docs)

    return run


HELP = {
    "never-entail": "P(E) = 0: the floor of macro_f1_binary and of the published tuned F1",
    "always-entail": "P(E) = 1",
    "other-culture": "the other culture's majority label",
}
BASELINES = tuple(Baseline(kind, HELP[kind], _predictor(kind)) for kind in KINDS)


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """The trivial predictors scored on ``docs`` (a run's own pairs) with the task's code."""
    from cultureval.tasks.cali.scoring import METRICS, score_distribution

    found = {}
    for kind in KINDS:
        scored = [score_distribution(doc, p) for doc, p in zip(docs, predict(kind, docs))]
        found[kind] = METRICS.compute(scored, lm_eval_only=True) | {
            "n": len(scored),
            "about": ABOUT[kind],
            "knows_nothing": kind in KNOWS_NOTHING,
        }
    return found
