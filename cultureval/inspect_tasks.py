"""Inspect tasks built from the lm-eval YAML definitions: one builder, two generic solvers.

Each family's ``inspect_tasks.py`` declares its ``@task`` functions and calls
:func:`option_logprob_task` (letter distributions from ``top_logprobs``),
:func:`greedy_generation_task` (generate, then a family scorer) or :func:`build_task` with a
solver of its own. The dataset is the YAML's ``custom_dataset``, the prompt its
``doc_to_text`` (+ ``gen_prefix``), the scoring the family's functions that lm-eval's
``process_results`` calls too.
"""

from __future__ import annotations

import logging

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig, get_model
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from cultureval import provenance, rendering
from cultureval.definitions import TaskDefinition, task_definition

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


def provider_of(model) -> str:
    return str(model).split("/", 1)[0]


def option_messages(mode: str, layout: str, user_text: str, stem: str) -> list:
    if mode == rendering.PLAIN:
        return [ChatMessageUser(content=rendering.plain_prompt(layout, user_text, stem))]
    if mode == rendering.CHAT:
        return [ChatMessageUser(content=user_text), ChatMessageAssistant(content=stem)]
    return [ChatMessageUser(content=rendering.instruction_prompt(user_text))]


def doc_samples(definition: TaskDefinition, **dataset_kwargs) -> tuple[list[Sample], dict | None]:
    """One Inspect sample per document of the YAML's dataset, its user text from ``doc_to_text``,
    and the dataset's provenance (:func:`cultureval.provenance.read_provenance`).

    Option tasks (``doc_to_choice``) carry their letters and the target letter."""
    dataset = definition.load_dataset(**dataset_kwargs)
    doc_to_text = definition.function("doc_to_text")
    has_choices = "doc_to_choice" in definition.config
    samples = []
    for index, doc in enumerate(dataset):
        user_text = doc_to_text(doc)
        metadata = {"doc": doc, "user_text": user_text, "country": doc.get("country", "")}
        target = ""
        if has_choices:
            letters = definition.function("doc_to_choice")(doc)
            metadata["letters"] = letters
            target = letters[definition.function("doc_to_target")(doc)]
        samples.append(Sample(id=index, input=user_text, target=target, metadata=metadata))
    return samples, provenance.read_provenance(dataset)


def build_task(
    definition: TaskDefinition,
    solver: Solver,
    scorer: Scorer,
    rendering_mode: str | None,
    dataset_kwargs: dict | None = None,
    config: GenerateConfig | None = None,
    **metadata,
) -> Task:
    """The Inspect ``Task`` of ``definition``: its documents as samples, the provenance block
    every result carries (:func:`cultureval.provenance.record`), its version; ``config`` is the
    task's generation config, which the command line's (``--max-tokens``, ...) overrides."""
    samples, data_source = doc_samples(definition, **(dataset_kwargs or {}))
    return Task(
        name=definition.name,
        dataset=MemoryDataset(samples, name=definition.name),
        solver=solver,
        scorer=scorer,
        metadata=provenance.record(definition.version, data_source, rendering=rendering_mode, **metadata),
        version=int(float(definition.version or 0)),
        config=config or GenerateConfig(),
    )


@solver
def answer_letter(stem: str, layout: str, requested_rendering: str = AUTO, top_logprobs: int = 20):
    """Render the option prompt for the active model and generate one token with logprobs."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        mode = resolve_rendering(requested_rendering, provider_of(get_model()))
        state.metadata["rendering"] = mode
        state.messages = option_messages(mode, layout, state.metadata["user_text"], stem)
        return await generate(state, max_tokens=1, logprobs=True, top_logprobs=top_logprobs)

    return solve


def option_logprob_task(
    name: str,
    scorer: Scorer,
    requested_rendering: str = AUTO,
    top_logprobs: int = 20,
    dataset_kwargs: dict | None = None,
) -> Task:
    """The Inspect version of an lm-eval ``multiple_choice`` task named ``name`` (``dataset_kwargs``
    as lm-eval's ``--metadata`` passes them to the dataset)."""
    definition = task_definition(name)
    resolve_rendering(requested_rendering, "")  # reject a bad value before any model call
    return build_task(
        definition,
        solver=answer_letter(
            stem=definition.config["gen_prefix"],
            layout=definition.metadata["plain_layout"],
            requested_rendering=requested_rendering,
            top_logprobs=top_logprobs,
        ),
        scorer=scorer,
        rendering_mode=requested_rendering,
        dataset_kwargs=dataset_kwargs,
        top_logprobs=top_logprobs,
        **(dataset_kwargs or {}),
    )


_warned_sampling: set[str] = set()


@solver
def generate_greedy():
    """Greedy decoding, as lm-eval's ``do_sample: false``. Inspect's ``hf`` provider rejects
    ``temperature=0`` and samples unless the model is loaded with ``-M do_sample=false``. The
    token limit is the task's config (``-T max_tokens=N``) unless ``--max-tokens N`` overrides it."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        if provider_of(model) == "hf":
            if getattr(model.api, "do_sample", False) and str(model) not in _warned_sampling:
                _warned_sampling.add(str(model))
                logger.warning("%s samples; pass -M do_sample=false for greedy decoding as in lm-eval", model)
            return await generate(state)
        return await generate(state, temperature=0.0)

    return solve


def greedy_generation_task(
    name: str, scorer: Scorer, max_tokens: int | None = None, dataset_kwargs: dict | None = None, **metadata
) -> Task:
    """A generation task built from its lm-eval definition: the same documents and prompt,
    greedy decoding up to ``max_tokens`` (default: the YAML's ``max_gen_toks``)."""
    definition = task_definition(name)
    generation = definition.config.get("generation_kwargs") or {}
    max_tokens = max_tokens or generation.get("max_gen_toks")
    return build_task(
        definition,
        solver=generate_greedy(),
        scorer=scorer,
        rendering_mode=rendering.CHAT,
        dataset_kwargs=dataset_kwargs,
        config=GenerateConfig(max_tokens=max_tokens),
        max_tokens=max_tokens,
        **metadata,
    )
