"""CultureBank in Inspect: ``culturebank_tiktok`` and ``culturebank_reddit``, judged by the grader role.

The model answers greedily; :func:`cultureval.tasks.culturebank.judge.judge_item` (the same
function ``cultureval judge`` calls for lm-eval's samples) asks the grader whether the answer
entails the item's cultural knowledge.
"""

from __future__ import annotations

from inspect_ai import Task, task

from cultureval.inspect_tasks import greedy_generation_task
from cultureval.scorers.judged import judged_scorer
from cultureval.tasks.culturebank import judge
from cultureval.tasks.culturebank.scoring import METRICS

__all__ = ["culturebank_reddit", "culturebank_tiktok"]


def culturebank_task(split: str, part: str, max_tokens: int | None) -> Task:
    return greedy_generation_task(
        f"culturebank_{split}",
        judged_scorer(judge.judge_item, METRICS, "entailment_scorer"),
        max_tokens,
        dataset_kwargs={"part": part},
        judge_prompt_version=judge.PROMPT_VERSION,
    )


@task
def culturebank_tiktok(part: str = "test", max_tokens: int | None = None) -> Task:
    """CultureBank TikTok advice questions (part: test = last 10%, or all); judge: --model-role grader=..."""
    return culturebank_task("tiktok", part, max_tokens)


@task
def culturebank_reddit(part: str = "test", max_tokens: int | None = None) -> Task:
    """CultureBank Reddit advice questions (part: test = last 10%, or all); judge: --model-role grader=..."""
    return culturebank_task("reddit", part, max_tokens)
