"""Inspect tasks built from the lm-eval YAML definitions (one prompt, one scoring function).

Option-letter tasks: dataset (the YAML's ``custom_dataset``) -> :func:`answer_letter` (renders
the prompt for the active provider, one token with ``top_logprobs``) ->
:func:`cultureval.scorers.option_logprobs.option_distribution` (the YAML's scoring function).
"""

from __future__ import annotations

import importlib
import logging

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, get_model
from inspect_ai.solver import Generate, TaskState, solver

from cultureval import provenance, rendering
from cultureval.definitions import TaskDefinition, task_definition
from cultureval.scorers.option_logprobs import option_distribution

logger = logging.getLogger(__name__)

AUTO = "auto"
# Providers that continue a final assistant message, so the answer stem can open the turn.
PREFILL_PROVIDERS = ("vllm", "sglang")


def resolve_rendering(requested: str, provider: str) -> str:
    """``auto``: ``chat`` where the provider can prefill the model's turn, else ``instruction``."""
    if requested != AUTO:
        if requested not in rendering.RENDERINGS:
            raise ValueError(f"rendering must be one of {(AUTO, *rendering.RENDERINGS)}, got {requested!r}")
        return requested
    return rendering.CHAT if provider in PREFILL_PROVIDERS else rendering.INSTRUCTION


def option_messages(mode: str, layout: str, user_text: str, stem: str) -> list:
    if mode == rendering.PLAIN:
        return [ChatMessageUser(content=rendering.plain_prompt(layout, user_text, stem))]
    if mode == rendering.CHAT:
        return [ChatMessageUser(content=user_text), ChatMessageAssistant(content=stem)]
    return [ChatMessageUser(content=rendering.instruction_prompt(user_text))]


@solver
def answer_letter(stem: str, layout: str, requested_rendering: str = AUTO, top_logprobs: int = 20):
    """Render the option prompt for the active model and generate one token with logprobs."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        provider = str(get_model()).split("/", 1)[0]
        mode = resolve_rendering(requested_rendering, provider)
        state.metadata["rendering"] = mode
        state.messages = option_messages(mode, layout, state.metadata["user_text"], stem)
        return await generate(state, max_tokens=1, logprobs=True, top_logprobs=top_logprobs)

    return solve


def option_samples(definition: TaskDefinition) -> tuple[list[Sample], dict | None]:
    dataset = definition.load_dataset()
    doc_to_text = definition.function("doc_to_text")
    doc_to_choice = definition.function("doc_to_choice")
    doc_to_target = definition.function("doc_to_target")
    samples = []
    for index, doc in enumerate(dataset):
        letters = doc_to_choice(doc)
        user_text = doc_to_text(doc)
        samples.append(
            Sample(
                id=index,
                input=user_text,
                target=letters[doc_to_target(doc)],
                metadata={
                    "doc": doc,
                    "letters": letters,
                    "user_text": user_text,
                    "country": doc.get("country", ""),
                },
            )
        )
    return samples, provenance.read_provenance(dataset)


def scoring_function(definition: TaskDefinition):
    """``score_distribution(doc, distribution)`` from the module of the task's lm-eval
    ``process_results``: both harnesses score an item with the same function."""
    module = importlib.import_module(definition.function("process_results").__module__)
    if not hasattr(module, "score_distribution"):
        raise AttributeError(f"{module.__name__} defines process_results but no score_distribution")
    return module.score_distribution


def option_logprob_task(name: str, requested_rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """The Inspect version of an lm-eval ``multiple_choice`` StemTask named ``name``."""
    definition = task_definition(name)
    samples, data_source = option_samples(definition)
    resolve_rendering(requested_rendering, "")  # reject a bad value before any model call
    return Task(
        name=name,
        dataset=MemoryDataset(samples, name=name),
        solver=answer_letter(
            stem=definition.config["gen_prefix"],
            layout=definition.metadata["plain_layout"],
            requested_rendering=requested_rendering,
            top_logprobs=top_logprobs,
        ),
        scorer=option_distribution(scoring_function(definition)),
        metadata=provenance.record(
            definition.version, data_source, rendering=requested_rendering, top_logprobs=top_logprobs
        ),
        version=int(float(definition.version or 0)),
    )
