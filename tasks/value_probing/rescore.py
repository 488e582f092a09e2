"""``cultureval score value_probing FILE``: outside outputs on the WVS value-probing items.

The columns and matching are GlobalOpinionQA's (:mod:`cultureval.tasks.global_opinions.rescore`):
``question``, ``country`` and ``distribution`` (a JSON list, one value per option in the
dataset's order), or ``text`` (a written answer, scored as the generative GlobalOpinionQA tasks
score one, under ``<task>:text``). ``distribution`` rows are scored as
``global_opinion_wvs_pearson`` scores a model's option distribution (expected scores, Pearson
across countries).
"""

from __future__ import annotations

from cultureval.score import Rescored
from cultureval.tasks.global_opinions.rescore import rescore_with
from cultureval.tasks.value_probing.scoring import score_distribution

DEFAULT_TASK = "global_opinion_wvs_pearson"


def _score(task: str, doc: dict, distribution: list[float]) -> dict:
    return score_distribution(doc, distribution)


def rescore(rows_by_model: dict[str, list[dict]], task: str | None) -> dict[str, Rescored]:
    """``Family.rescore`` of value probing (``task`` default ``global_opinion_wvs_pearson``)."""
    return rescore_with(rows_by_model, task or DEFAULT_TASK, _score)
