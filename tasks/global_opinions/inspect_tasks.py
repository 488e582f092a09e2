"""GlobalOpinionQA's opinion-distribution tasks in Inspect: the ``@task`` functions and the
sampling solver.

``inspect eval cultureval/<task>`` finds these through the ``inspect_ai`` entry point
(:mod:`cultureval._registry`). The prompt and scoring are the lm-eval YAML's and
:mod:`~cultureval.tasks.global_opinions.scoring`'s, so both harnesses score an item alike.
"""

from __future__ import annotations

import asyncio

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig, get_model
from inspect_ai.solver import Generate, TaskState, solver

from cultureval import rendering
from cultureval.definitions import task_definition
from cultureval.identity import generation_settings
from cultureval.inspect_tasks import (
    AUTO,
    build_task,
    effective_rendering,
    given,
    greedy_generation_task,
    option_logprob_task,
    option_messages,
    option_rendering,
)
from cultureval.scorers.distribution import option_distribution, parsed_answer
from cultureval.tasks.global_opinions import scoring
from cultureval.tasks.global_opinions.steering import DEFAULT_K
from cultureval.tasks.global_opinions.verbalized import read_json_distribution

__all__ = [
    "global_opinion_cot",
    "global_opinion_cot_6c",
    "global_opinion_cot_binary",
    "global_opinion_jsd",
    "global_opinion_jsd_6c",
    "global_opinion_jsd_binary",
    "global_opinion_sampled",
    "global_opinion_sampled_6c",
    "global_opinion_steer_fewshot",
    "global_opinion_steer_persona",
    "global_opinion_verbalized",
    "global_opinion_verbalized_6c",
]


# every task here takes countries= and questions= (item_filter.py): -T countries=Brazil,Japan
Names = str | list[str] | None


def _option_task(name: str, rendering_requested: str, top_logprobs: int, **dataset_kwargs) -> Task:
    scorer = option_distribution(scoring.score_distribution, scoring.OPTION_METRICS, "option_distribution")
    return option_logprob_task(name, scorer, rendering_requested, top_logprobs, dataset_kwargs=given(**dataset_kwargs))


@task
def global_opinion_jsd(
    rendering: str = AUTO, top_logprobs: int = 20, countries: Names = None, questions: Names = None
) -> Task:
    """GlobalOpinionQA, all (question, country) pairs: option-letter probabilities vs survey."""
    return _option_task("global_opinion_jsd", rendering, top_logprobs, countries=countries, questions=questions)


@task
def global_opinion_jsd_6c(
    rendering: str = AUTO, top_logprobs: int = 20, countries: Names = None, questions: Names = None
) -> Task:
    """GlobalOpinionQA, six countries x 100 questions (GlobalOpinionBench design)."""
    return _option_task("global_opinion_jsd_6c", rendering, top_logprobs, countries=countries, questions=questions)


@task
def global_opinion_jsd_binary(
    rendering: str = AUTO, top_logprobs: int = 20, countries: Names = None, questions: Names = None
) -> Task:
    """GlobalOpinionQA, two-option questions for the US, China, Japan and India."""
    return _option_task("global_opinion_jsd_binary", rendering, top_logprobs, countries=countries, questions=questions)


def _score_cot(doc: dict, state: TaskState) -> dict:
    return scoring.score_cot_text(doc, state.output.completion)


def cot_task(name: str, max_tokens: int | None = None, **dataset_kwargs) -> Task:
    """``global_opinion_cot*``: the model reasons, then writes the distribution (greedy)."""
    return greedy_generation_task(
        name,
        parsed_answer(_score_cot, scoring.GENERATIVE_METRICS, "parsed_distribution"),
        max_tokens,
        dataset_kwargs=given(**dataset_kwargs),
    )


@task
def global_opinion_cot(max_tokens: int | None = None, countries: Names = None, questions: Names = None) -> Task:
    """GlobalOpinionQA: reasoning in <think></think>, then the whole distribution as a list."""
    return cot_task("global_opinion_cot", max_tokens, countries=countries, questions=questions)


@task
def global_opinion_cot_6c(max_tokens: int | None = None, countries: Names = None, questions: Names = None) -> Task:
    return cot_task("global_opinion_cot_6c", max_tokens, countries=countries, questions=questions)


@task
def global_opinion_cot_binary(max_tokens: int | None = None, countries: Names = None, questions: Names = None) -> Task:
    return cot_task("global_opinion_cot_binary", max_tokens, countries=countries, questions=questions)


@solver
def sample_answers(stem: str, layout: str, requested_rendering: str, n: int, temperature: float, max_tokens: int):
    """Render the option prompt for the active model and draw ``n`` independent answers."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        mode = effective_rendering(requested_rendering, model, stem, layout, state.metadata["user_text"])
        state.metadata["rendering"] = mode
        state.messages = option_messages(mode, layout, state.metadata["user_text"], stem)
        # without the stem the answer is written out ("(B)", "Answer: B"): allow a few tokens
        tokens = max_tokens if mode != rendering.INSTRUCTION else max(max_tokens, 8)
        config = GenerateConfig(temperature=temperature, max_tokens=tokens)
        outputs = await asyncio.gather(*(model.generate(state.messages, config=config) for _ in range(n)))
        state.output = outputs[0]
        state.metadata["sampled_answers"] = [output.completion for output in outputs]
        return state

    return solve


def _score_samples(doc: dict, state: TaskState) -> dict:
    after_stem = state.metadata.get("rendering") != rendering.INSTRUCTION
    return scoring.score_sampled(doc, state.metadata["sampled_answers"], after_stem=after_stem)


def sampled_task(name: str, requested_rendering: str = AUTO, n: int | None = None, **dataset_kwargs) -> Task:
    """``global_opinion_sampled*``: frequencies of ``n`` sampled single answers."""
    definition = task_definition(name)
    dataset_kwargs = given(**dataset_kwargs)
    mode = option_rendering(definition, requested_rendering, dataset_kwargs)
    generation = definition.config.get("generation_kwargs") or {}
    n = n or int(definition.config.get("repeats", 1))
    temperature = float(generation.get("temperature", 1.0))
    max_tokens = int(generation.get("max_gen_toks", 2))
    return build_task(
        definition,
        solver=sample_answers(
            stem=definition.config["gen_prefix"],
            layout=definition.metadata["plain_layout"],
            requested_rendering=mode,
            n=n,
            temperature=temperature,
            max_tokens=max_tokens,
        ),
        scorer=parsed_answer(_score_samples, scoring.GENERATIVE_METRICS, "parsed_distribution"),
        rendering_mode=mode,
        dataset_kwargs=dataset_kwargs,
        generation=generation_settings(
            max_tokens if mode != rendering.INSTRUCTION else max(max_tokens, 8), temperature, [], n
        ),
        rendering_requested=requested_rendering,
        n_samples=n,
        **dataset_kwargs,
    )


@task
def global_opinion_sampled(
    rendering: str = AUTO, n: int | None = None, countries: Names = None, questions: Names = None
) -> Task:
    """GlobalOpinionQA: frequencies of n single answers sampled at temperature 1 (default 10)."""
    return sampled_task("global_opinion_sampled", rendering, n, countries=countries, questions=questions)


@task
def global_opinion_sampled_6c(
    rendering: str = AUTO, n: int | None = None, countries: Names = None, questions: Names = None
) -> Task:
    return sampled_task("global_opinion_sampled_6c", rendering, n, countries=countries, questions=questions)


# --- steering, the verbalised mode -----------------------------------------------------------


@task
def global_opinion_steer_fewshot(
    rendering: str = AUTO,
    top_logprobs: int = 20,
    k: int = DEFAULT_K,
    items: str = "6c",
    countries: Names = None,
    questions: Names = None,
) -> Task:
    """The items (6c, binary or all) after k other questions of the same country with their survey answers."""
    return _option_task(
        "global_opinion_steer_fewshot",
        rendering,
        top_logprobs,
        k=k,
        items=items,
        countries=countries,
        questions=questions,
    )


@task
def global_opinion_steer_persona(
    rendering: str = AUTO, top_logprobs: int = 20, items: str = "6c", countries: Names = None, questions: Names = None
) -> Task:
    """The items (6c, binary or all) asked of a first-person persona from the country."""
    return _option_task(
        "global_opinion_steer_persona", rendering, top_logprobs, items=items, countries=countries, questions=questions
    )


def _score_verbalized(doc: dict, state: TaskState) -> dict:
    return scoring.score_parsed(doc, read_json_distribution(state.output.completion, doc["options"]))


def verbalized_task(name: str, max_tokens: int | None, **dataset_kwargs) -> Task:
    scorer = parsed_answer(_score_verbalized, scoring.GENERATIVE_METRICS, "parsed_distribution")
    return greedy_generation_task(name, scorer, max_tokens, dataset_kwargs=given(**dataset_kwargs))


@task
def global_opinion_verbalized(max_tokens: int | None = None, countries: Names = None, questions: Names = None) -> Task:
    """GlobalOpinionQA: the model writes a JSON object option -> probability, read strictly."""
    return verbalized_task("global_opinion_verbalized", max_tokens, countries=countries, questions=questions)


@task
def global_opinion_verbalized_6c(
    max_tokens: int | None = None, countries: Names = None, questions: Names = None
) -> Task:
    return verbalized_task("global_opinion_verbalized_6c", max_tokens, countries=countries, questions=questions)
