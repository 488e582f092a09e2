"""WVS value probing in Inspect: ``global_opinion_wvs_pearson``.

``inspect eval cultureval/global_opinion_wvs_pearson`` finds it through the ``inspect_ai`` entry
point (:mod:`cultureval._registry`). The option-letter distribution is read from the first
generated token's ``top_logprobs`` and scored by
:func:`cultureval.tasks.value_probing.scoring.score_distribution`, the function lm-eval's
``process_results`` calls too.
"""

from __future__ import annotations

from inspect_ai import Task, task

from cultureval.inspect_tasks import AUTO, given, option_logprob_task
from cultureval.scorers.distribution import option_distribution
from cultureval.tasks.value_probing.scoring import METRICS, score_distribution

__all__ = ["global_opinion_wvs_pearson"]


@task
def global_opinion_wvs_pearson(
    rendering: str = AUTO,
    top_logprobs: int = 20,
    countries: str | list[str] | None = None,
    questions: str | list[str] | None = None,
) -> Task:
    """GlobalOpinionQA's ordinal WVS items: expected scores, Pearson r across countries per question
    (``countries`` / ``questions``: those items only)."""
    scorer = option_distribution(
        score_distribution,
        METRICS,
        "wvs_pearson_scorer",
        identity=("question_id", "country", "continent"),
    )
    return option_logprob_task(
        "global_opinion_wvs_pearson",
        scorer,
        rendering,
        top_logprobs,
        dataset_kwargs=given(countries=countries, questions=questions),
    )
