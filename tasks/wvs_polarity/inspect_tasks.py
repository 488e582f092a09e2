"""WVS value polarity in Inspect: ``wvs_polarity_{en,da,nl,pt}``, judged by the grader role.

The model answers greedily; :func:`cultureval.tasks.wvs_polarity.judge.judge_item` (the same
function ``cultureval judge`` calls for lm-eval's samples) asks the grader to label each
interview; the metric is the family's table with :func:`~cultureval.tasks.wvs_polarity.scoring.summarise`.
"""

from __future__ import annotations

from inspect_ai import Task, task

from cultureval.inspect_tasks import greedy_generation_task
from cultureval.scorers.judged import judged_scorer
from cultureval.tasks.wvs_polarity import judge
from cultureval.tasks.wvs_polarity.scoring import METRICS

__all__ = ["wvs_polarity_da", "wvs_polarity_en", "wvs_polarity_nl", "wvs_polarity_pt"]


def polarity_task(language: str, max_tokens: int | None) -> Task:
    scorer = judged_scorer(judge.judge_item, METRICS, "polarity_scorer", identity=("template_id",))
    return greedy_generation_task(
        f"wvs_polarity_{language}", scorer, max_tokens, judge_prompt_version=judge.PROMPT_VERSION
    )


@task
def wvs_polarity_en(max_tokens: int | None = None) -> Task:
    """WVS value polarity, English prompts; judge: --model-role grader=..."""
    return polarity_task("en", max_tokens)


@task
def wvs_polarity_da(max_tokens: int | None = None) -> Task:
    """WVS value polarity, Danish prompts; judge: --model-role grader=..."""
    return polarity_task("da", max_tokens)


@task
def wvs_polarity_nl(max_tokens: int | None = None) -> Task:
    """WVS value polarity, Dutch prompts; judge: --model-role grader=..."""
    return polarity_task("nl", max_tokens)


@task
def wvs_polarity_pt(max_tokens: int | None = None) -> Task:
    """WVS value polarity, Portuguese prompts; judge: --model-role grader=..."""
    return polarity_task("pt", max_tokens)
