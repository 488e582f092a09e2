"""CALI in Inspect: ``cali_nli_us`` and ``cali_nli_in``.

The E/N/C distribution is read from the first generated token's ``top_logprobs`` and scored by
:func:`cultureval.tasks.cali.scoring.score_distribution`, the function lm-eval's
``process_results`` calls too.
"""

from __future__ import annotations

from inspect_ai import Task, task

from cultureval.inspect_tasks import AUTO, option_logprob_task
from cultureval.scorers.distribution import option_distribution
from cultureval.tasks.cali.scoring import METRICS, score_distribution

__all__ = ["cali_nli_in", "cali_nli_us"]


def _cali_task(name: str, rendering: str, top_logprobs: int) -> Task:
    return option_logprob_task(
        name, option_distribution(score_distribution, METRICS, "cali_scorer"), rendering, top_logprobs
    )


@task
def cali_nli_us(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """CALI judged as someone who lives in the United States, vs the US annotators."""
    return _cali_task("cali_nli_us", rendering, top_logprobs)


@task
def cali_nli_in(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """CALI judged as someone who lives in India, vs the Indian annotators."""
    return _cali_task("cali_nli_in", rendering, top_logprobs)
