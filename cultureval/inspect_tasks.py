"""Inspect tasks built from the lm-eval YAML definitions (one prompt, one scoring function).

Each task reads its YAML (:mod:`cultureval.definitions`): the dataset is the YAML's
``custom_dataset``, the prompt its ``doc_to_text`` (+ ``gen_prefix``), the scoring the Python
functions lm-eval's ``process_results`` uses.

- option-letter tasks: :func:`answer_letter` (one token with ``top_logprobs``) ->
  :func:`~cultureval.scorers.distribution.option_distribution`;
- ``global_opinion_cot``: generate -> parse the written distribution;
- ``global_opinion_sampled``: :func:`sample_answers` (N answers at temperature 1) -> frequencies.
"""

from __future__ import annotations

import asyncio
import importlib
import logging

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig, get_model
from inspect_ai.solver import Generate, TaskState, solver

from cultureval import provenance, rendering
from cultureval.definitions import TaskDefinition, task_definition
from cultureval.scorers.distribution import option_distribution, parsed_distribution
from cultureval.tasks.global_opinions import utils as global_opinions

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


def doc_samples(definition: TaskDefinition, **dataset_kwargs) -> tuple[list[Sample], dict | None]:
    """One Inspect sample per document of the YAML's dataset, its user text from ``doc_to_text``.

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


def scoring_function(definition: TaskDefinition):
    """``score_distribution(doc, distribution)`` from the module of the task's lm-eval
    ``process_results``: both harnesses score an item with the same function."""
    module = importlib.import_module(definition.function("process_results").__module__)
    if not hasattr(module, "score_distribution"):
        raise AttributeError(f"{module.__name__} defines process_results but no score_distribution")
    return module.score_distribution


def option_logprob_task(
    name: str, requested_rendering: str = AUTO, top_logprobs: int = 20, task_scorer=None
) -> Task:
    """The Inspect version of an lm-eval ``multiple_choice`` CulturevalTask named ``name``
    (scored by ``task_scorer``, default: GlobalOpinionQA's distribution scorer)."""
    definition = task_definition(name)
    samples, data_source = doc_samples(definition)
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
        scorer=task_scorer or option_distribution(scoring_function(definition)),
        metadata=provenance.record(
            definition.version, data_source, rendering=requested_rendering, top_logprobs=top_logprobs
        ),
        version=int(float(definition.version or 0)),
    )


_warned_sampling: set[str] = set()


@solver
def generate_greedy(max_tokens: int | None):
    """Greedy decoding, as lm-eval's ``do_sample: false``. Inspect's ``hf`` provider rejects
    ``temperature=0`` and samples unless the model is loaded with ``-M do_sample=false``."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        provider = str(model).split("/", 1)[0]
        if provider == "hf":
            if getattr(model.api, "do_sample", False) and str(model) not in _warned_sampling:
                _warned_sampling.add(str(model))
                logger.warning("%s samples; pass -M do_sample=false for greedy decoding as in lm-eval", model)
            return await generate(state, max_tokens=max_tokens)
        return await generate(state, max_tokens=max_tokens, temperature=0.0)

    return solve


def greedy_generation_task(name: str, task_scorer, max_tokens: int | None = None, dataset_kwargs: dict | None = None) -> Task:
    """A generation task built from its lm-eval definition: the same documents and prompt,
    greedy decoding up to ``max_tokens`` (default: the YAML's ``max_gen_toks``)."""
    definition = task_definition(name)
    samples, data_source = doc_samples(definition, **(dataset_kwargs or {}))
    generation = definition.config.get("generation_kwargs") or {}
    max_tokens = max_tokens or generation.get("max_gen_toks")
    extra = {}
    if definition.metadata.get("judge_prompt_version"):
        extra["judge_prompt_version"] = definition.metadata["judge_prompt_version"]
    return Task(
        name=name,
        dataset=MemoryDataset(samples, name=name),
        solver=generate_greedy(max_tokens),
        scorer=task_scorer,
        metadata=provenance.record(definition.version, data_source, rendering="chat", max_tokens=max_tokens, **extra),
        version=int(float(definition.version or 0)),
    )


def cot_task(name: str, max_tokens: int | None = None) -> Task:
    """``global_opinion_cot*``: the model reasons, then writes the distribution (greedy)."""
    scorer_ = parsed_distribution(lambda doc, state: global_opinions.score_cot_text(doc, state.output.completion))
    return greedy_generation_task(name, scorer_, max_tokens)


@solver
def sample_answers(stem: str, layout: str, requested_rendering: str, n: int, temperature: float, max_tokens: int):
    """Render the option prompt for the active model and draw ``n`` independent answers."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        mode = resolve_rendering(requested_rendering, str(model).split("/", 1)[0])
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
    return global_opinions.score_sampled(doc, state.metadata["sampled_answers"], after_stem=after_stem)


def sampled_task(name: str, requested_rendering: str = AUTO, n: int | None = None) -> Task:
    """``global_opinion_sampled*``: frequencies of ``n`` sampled single answers."""
    definition = task_definition(name)
    samples, data_source = doc_samples(definition)
    resolve_rendering(requested_rendering, "")
    generation = definition.config.get("generation_kwargs") or {}
    n = n or int(definition.config.get("repeats", 1))
    return Task(
        name=name,
        dataset=MemoryDataset(samples, name=name),
        solver=sample_answers(
            stem=definition.config["gen_prefix"],
            layout=definition.metadata["plain_layout"],
            requested_rendering=requested_rendering,
            n=n,
            temperature=float(generation.get("temperature", 1.0)),
            max_tokens=int(generation.get("max_gen_toks", 2)),
        ),
        scorer=parsed_distribution(_score_samples),
        metadata=provenance.record(definition.version, data_source, rendering=requested_rendering, n_samples=n),
        version=int(float(definition.version or 0)),
    )



def judged_task(name: str, task_scorer, max_tokens: int | None = None, dataset_kwargs: dict | None = None) -> Task:
    """A generation task scored by a judge model (``--model-role grader=...``): WVS polarity,
    CultureBank."""
    return greedy_generation_task(name, task_scorer, max_tokens, dataset_kwargs)
