"""Default prompting in Inspect: ``global_opinion_default`` and ``global_opinion_default_cot``.

``inspect eval cultureval/<task>`` finds these through the ``inspect_ai`` entry point
(:mod:`cultureval._registry`). The prompt is the lm-eval YAML's and the scoring
:mod:`~cultureval.tasks.default_prompting.scoring`'s, so both harnesses score a question alike.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.solver import TaskState

from cultureval.inspect_tasks import AUTO, given, greedy_generation_task, option_logprob_task
from cultureval.scorers.distribution import option_distribution, parsed_answer
from cultureval.tasks.default_prompting.scoring import METRICS, default_record
from cultureval.tasks.global_opinions.parser import read_distribution

__all__ = ["global_opinion_default", "global_opinion_default_cot"]


def _default_record(doc: dict, distribution: list[float]) -> dict:
    return default_record(doc, distribution)


Names = str | list[str] | None  # countries= / questions=: tasks/global_opinions/item_filter.py


@task
def global_opinion_default(
    rendering: str = AUTO, top_logprobs: int = 20, countries: Names = None, questions: Names = None
) -> Task:
    """Default prompting: the question without a country, scored against every country's answers."""
    scorer = option_distribution(_default_record, METRICS, "default_distribution")
    options = given(countries=countries, questions=questions)
    return option_logprob_task("global_opinion_default", scorer, rendering, top_logprobs, dataset_kwargs=options)


def _score_default_cot(doc: dict, state: TaskState) -> dict:
    return default_record(doc, read_distribution(state.output.completion, doc["options"]).distribution)


@task
def global_opinion_default_cot(max_tokens: int | None = None, countries: Names = None, questions: Names = None) -> Task:
    """Default prompting, written out: reasoning, then the distribution of the model's own answers."""
    scorer = parsed_answer(_score_default_cot, METRICS, "default_parsed_distribution")
    options = given(countries=countries, questions=questions)
    return greedy_generation_task("global_opinion_default_cot", scorer, max_tokens, dataset_kwargs=options)
