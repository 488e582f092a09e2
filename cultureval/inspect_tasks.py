"""Inspect tasks built from the lm-eval YAML definitions: one builder, two generic solvers.

Each family's ``inspect_tasks.py`` declares its ``@task`` functions and calls
:func:`option_logprob_task` (letter distributions from ``top_logprobs``),
:func:`greedy_generation_task` (generate, then a family scorer) or :func:`build_task` with a
solver of its own. The dataset is the YAML's ``custom_dataset``, the prompt its
``doc_to_text`` (+ ``gen_prefix``), the scoring the family's functions that lm-eval's
``process_results`` calls too.

Each task records its run identity (:mod:`cultureval.identity`) in the eval metadata: the
documents' and prompts' fingerprints, the shots, the *effective* rendering, the model and
adapter (with content fingerprints of local folders), and the judge where one scores. Inspect
creates tasks after it created the model (``inspect eval`` calls each ``@task`` function with
the evaluated model active), so that is where a rendering the provider cannot give is refused
(:func:`effective_rendering`), before any sample runs. Sample ids are content ids
(:func:`content_id`): Inspect's ``eval-retry`` and ``eval-set`` reuse finished samples by id,
and a row index would hand an old answer to whatever item now sits in that row; the task
version carries the run fingerprint, so ``eval-set`` never reuses a log made on other data or
prompts.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from typing import TYPE_CHECKING

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig, get_model
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from cultureval import identity, provenance, rendering
from cultureval.definitions import FunctionRef, TaskDefinition, task_definition

logger = logging.getLogger(__name__)

AUTO = "auto"
# Providers that continue a final assistant message, so the answer stem can open the turn.
PREFILL_PROVIDERS = ("vllm", "sglang")


VERBATIM_CONFIG = "configs/inspect/hf_plain_text.yaml"


if TYPE_CHECKING:  # the checker sees the installed Inspect's class, not the fallback
    from inspect_ai._util.error import PrerequisiteError as _OneLineError
else:
    try:  # Inspect prints this error's message alone, without a traceback, and exits 1
        from inspect_ai._util.error import PrerequisiteError as _OneLineError
    except ImportError:  # Inspect moved it: a plain error still stops the run
        _OneLineError = Exception


class TaskRefusal(_OneLineError, ValueError):
    """A task ``inspect eval`` must not run, said in one line: Inspect prints a
    ``PrerequisiteError``'s message alone, without a traceback, and exits 1."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RenderingError(TaskRefusal):
    """A rendering the provider cannot give (one line: what it would send instead, what to use)."""


class TaskInputError(TaskRefusal):
    """The task's data or options cannot be used: a missing or malformed data file, data not
    available offline, a country no item has (one line naming the task and the file)."""


def refuse(error: TaskRefusal) -> TaskRefusal:
    """``error``, also said on stderr when Inspect's console is silent (``--display none``)."""
    try:
        from inspect_ai.util import display_type

        silent = display_type() == "none"
    except ImportError:
        silent = False
    if silent:
        print(f"cultureval: {error.message}", file=sys.stderr, flush=True)
    return error


def load_docs(definition: TaskDefinition, **dataset_kwargs):
    """The task's dataset (:meth:`~cultureval.definitions.TaskDefinition.load_dataset`); bad data
    or a bad task option (``-T``) is a :class:`TaskInputError` (one line, no traceback)."""
    from cultureval.errors import InputError

    try:
        return definition.load_dataset(**dataset_kwargs)
    except (InputError, ValueError) as error:  # DataFileError, ItemFilterError, a bad option value
        raise refuse(TaskInputError(f"cultureval/{definition.name}: {error}")) from None


def resolve_rendering(requested: str, provider: str) -> str:
    """``auto``: ``chat`` where the provider can prefill the model's turn, else ``instruction``."""
    if requested != AUTO:
        if requested not in rendering.RENDERINGS:
            raise ValueError(f"rendering must be one of {(AUTO, *rendering.RENDERINGS)}, got {requested!r}")
        return requested
    return rendering.CHAT if provider in PREFILL_PROVIDERS else rendering.INSTRUCTION


def provider_of(model) -> str:
    return str(model).split("/", 1)[0]


def effective_rendering(requested: str, model, stem: str, layout: str, user_text: str) -> str:
    """The rendering ``model`` will really give an option prompt asked for as ``requested``;
    :class:`RenderingError` when that is not what was asked.

    - ``chat`` needs a provider that continues a final assistant message
      (:data:`PREFILL_PROVIDERS`). Inspect's ``hf`` provider always closes it and opens a new
      turn (``add_generation_prompt=True``), OpenAI-style APIs answer in a new turn: the model
      would never read the stem as its own words.
    - ``plain`` needs the text sent verbatim. Inspect's ``hf`` provider renders locally, so the
      string it would send (``hf_chat``) is compared with the plain prompt; other providers
      apply a chat template server-side and are refused.
    - ``instruction`` is a user turn on every provider."""
    provider = provider_of(model)
    mode = resolve_rendering(requested, provider)
    render = getattr(getattr(model, "api", None), "hf_chat", None)
    if mode == rendering.CHAT and provider not in PREFILL_PROVIDERS:
        raise RenderingError(
            f"rendering=chat: Inspect's {provider} provider cannot continue the model's turn (it closes the answer "
            "stem and opens a new turn, so the model never reads the stem as its own words); use -T "
            "rendering=instruction, Inspect's vllm/sglang provider, or lm-eval --apply_chat_template"
        )
    if mode == rendering.PLAIN:
        expected = rendering.plain_prompt(layout, user_text, stem)
        sent = render(option_messages(mode, layout, user_text, stem), []) if callable(render) else None
        if sent != expected:
            what = f"sends {sent[:48]!r}..." if sent is not None else "applies a chat template to the message"
            raise RenderingError(
                f"rendering=plain: Inspect's {provider} provider {what} instead of the plain prompt "
                f"{expected[:24]!r}...; pass --model-config {VERBATIM_CONFIG} with the hf provider, or use "
                "-T rendering=instruction"
            )
    return mode


def active_model():
    """The model ``inspect eval`` is creating the task for, or ``None`` (a task built outside
    an eval: the solvers then check the rendering at the first sample)."""
    try:
        from inspect_ai.model._model import active_model as current
    except ImportError:  # Inspect moved it: fall back on the solvers' check
        return None
    return current()


def active_generate_config() -> GenerateConfig:
    """The command line's generation config (``--max-tokens``, ``--temperature``, ...)."""
    try:
        from inspect_ai.model._generate_config import active_generate_config as current
    except ImportError:
        return GenerateConfig()
    return current()


def option_messages(mode: str, layout: str, user_text: str, stem: str) -> list:
    if mode == rendering.PLAIN:
        return [ChatMessageUser(content=rendering.plain_prompt(layout, user_text, stem))]
    if mode == rendering.CHAT:
        return [ChatMessageUser(content=user_text), ChatMessageAssistant(content=stem)]
    return [ChatMessageUser(content=rendering.instruction_prompt(user_text))]


def given(**options) -> dict:
    """The task options (``-T``) that were given: ``None`` means "not given" and is left out, so
    a task without them loads (and fingerprints) exactly the data it loads by default."""
    return {key: value for key, value in options.items() if value is not None}


def content_id(task: str, settings_sha256: str, doc: dict, user_text: str) -> str:
    """A sample id from what the sample is: the task, its prompt settings, the document (its
    survey answers included) and the user text; 20 hex digits of a sha256."""
    return identity.sha256_of([task, settings_sha256, doc, user_text])[:20]


def prompt_settings(definition: TaskDefinition, shots: int, generation: dict | None) -> dict:
    """What the task sends with every document, in the form lm-eval's side records it
    (:meth:`cultureval.lm_eval_task.CulturevalTask.record_identity`), so one task on one data
    version has one ``prompt_sha256`` in both harnesses."""
    config = definition.config
    stem = config.get("gen_prefix")
    return {
        "output_type": config.get("output_type"),
        "stem": stem,
        "layout": definition.metadata.get("plain_layout"),
        "target_delimiter": config.get("target_delimiter", " "),
        "description": config.get("description") or None,
        "system_instruction": None,
        "instruction_text": rendering.INSTRUCTION_TEXT if stem else None,
        "generation": generation,
        "shots": shots,
    }


def doc_samples(
    definition: TaskDefinition, generation: dict | None = None, **dataset_kwargs
) -> tuple[list[Sample], dict | None, dict]:
    """One Inspect sample per document of the YAML's dataset, its user text from ``doc_to_text``;
    the dataset's provenance (:func:`cultureval.provenance.read_provenance`); and the run
    identity of the documents (``docs_sha256``, ``prompt_sha256``, ``shots``, ``n_docs``;
    ``generation``: the generative task's settings, :func:`cultureval.identity.generation_settings`).

    Option tasks (``doc_to_choice``) carry their letters and the target letter. Sample ids are
    :func:`content_id`; identical documents get ``-2``, ``-3``, ... in order."""
    dataset = load_docs(definition, **dataset_kwargs)
    data_source = provenance.read_provenance(dataset)
    shots = int((data_source or {}).get("shots") or 0)
    settings = prompt_settings(definition, shots, generation)
    settings_sha256 = identity.sha256_of(settings)
    doc_to_text = definition.function("doc_to_text")
    doc_to_choice = definition.function("doc_to_choice") if "doc_to_choice" in definition.config else None
    target_of = definition.config.get("doc_to_target")
    samples, rendered = [], []
    seen: Counter[str] = Counter()
    for doc in dataset:
        user_text = doc_to_text(doc)
        metadata = {"doc": doc, "user_text": user_text, "country": doc.get("country", "")}
        target, letters = "", None
        if doc_to_choice is not None:
            letters = doc_to_choice(doc)
            metadata["letters"] = letters
            if isinstance(target_of, FunctionRef):
                target = letters[target_of.resolve()(doc)]
        rendered.append((doc, [user_text, letters]))
        sample_id = content_id(definition.name, settings_sha256, doc, user_text)
        seen[sample_id] += 1
        if seen[sample_id] > 1:
            sample_id = f"{sample_id}-{seen[sample_id]}"
        samples.append(Sample(id=sample_id, input=user_text, target=target, metadata=metadata))
    docs_sha256, prompt_sha256, count = identity.document_fingerprints(rendered, settings)
    run_identity = {"docs_sha256": docs_sha256, "prompt_sha256": prompt_sha256, "shots": shots, "n_docs": count}
    return samples, data_source, run_identity


def model_record(model) -> dict | None:
    """:func:`cultureval.identity.model_identity` of an Inspect model (``None`` for none): a
    local provider's ``-M model_path`` / ``tokenizer_path``, or the name after the provider
    (``vllm/BASE:ADAPTER`` names base and adapter)."""
    if model is None:
        return None
    name = str(model)
    args = dict(getattr(model, "model_args", None) or {})
    provider, _, rest = name.partition("/")
    if provider in ("hf", "vllm", "sglang", "transformers") and "model_path" not in args:
        base, _, adapter = rest.partition(":")
        args = args | {"model_path": base} | ({"adapter": adapter} if adapter else {})
    return identity.model_identity({k: v for k, v in args.items() if isinstance(v, str)}, name=name)


def judge_record(prompt_version: str) -> dict:
    """The judge of a judged task: the ``grader`` role's model (the evaluated model itself when
    none is given: ``self_judged`` true), and the judge prompt's version."""
    try:
        from inspect_ai.model import model_roles

        grader = model_roles().get("grader")
    except (ImportError, RuntimeError):
        grader = None
    self_judged = grader is None
    grader = grader if grader is not None else active_model()
    record = model_record(grader[0] if isinstance(grader, list) and grader else grader) or {}
    return record | {"prompt_version": prompt_version, "self_judged": self_judged}


def build_task(
    definition: TaskDefinition,
    solver: Solver,
    scorer: Scorer,
    rendering_mode: str | None,
    dataset_kwargs: dict | None = None,
    config: GenerateConfig | None = None,
    generation: dict | None = None,
    **metadata,
) -> Task:
    """The Inspect ``Task`` of ``definition``: its documents as samples, the provenance block
    every result carries (:func:`cultureval.provenance.record`) with the run identity (module
    docstring), its version; ``config`` is the task's generation config, which the command
    line's (``--max-tokens``, ...) overrides; ``generation`` the generative task's effective
    settings (:func:`cultureval.identity.generation_settings`). ``rendering_mode`` is the
    effective rendering (``auto`` when no model was active to resolve it)."""
    model = active_model()
    generation = decoding_of(definition.name, generation, model)
    samples, data_source, run_identity = doc_samples(definition, generation, **(dataset_kwargs or {}))
    extra = {"model": model_record(model)} | run_identity | ({"generation": generation} if generation else {})
    if "judge_prompt_version" in metadata:
        extra["judge"] = judge_record(metadata["judge_prompt_version"])
        if extra["judge"].get("self_judged") and model is not None:
            # said per task (a run of several judged tasks warns for each) and recorded in the log
            logger.warning(
                "%s: no --model-role grader=... given: %s judges its own responses, so its scores are "
                "self-judged (recorded as judge.self_judged; the report marks them); pass a judge model for "
                "real scores",
                definition.name,
                model,
            )
    if model is not None and rendering_mode and rendering_mode != AUTO:
        stemmed = bool(definition.config.get("gen_prefix"))
        hint = rendering.in_other_harness("inspect", rendering_mode, stemmed)
        log = logger.info if rendering_mode == rendering.PLAIN else logger.warning
        log("%s: rendering %s; %s", definition.name, rendering_mode, hint)
    fingerprint = identity.sha256_of(
        [run_identity["docs_sha256"], run_identity["prompt_sha256"], rendering_mode, provenance.cultureval_version()]
    )
    return Task(
        name=definition.name,
        dataset=MemoryDataset(samples, name=definition.name),
        solver=solver,
        scorer=scorer,
        metadata=provenance.record(definition.version, data_source, rendering=rendering_mode, **metadata, **extra),
        # eval-set reuses a finished log of the same task version: a change of data, prompt or
        # rendering is a new version
        version=f"{definition.version}+{fingerprint[:12]}",
        config=config or GenerateConfig(),
        # shown in Inspect's task panel and results beside the task: the rendering the numbers depend on
        tags=_tags(rendering_mode, extra.get("judge")),
    )


def hf_sampling(model) -> bool | None:
    """Whether ``model`` is Inspect's ``hf`` provider loaded to sample (its default; ``-M
    do_sample=false`` makes it greedy, and it then ignores any temperature); ``None`` for other
    providers, which take the temperature of each request."""
    if model is None or provider_of(model) != "hf":
        return None
    return bool(getattr(getattr(model, "api", None), "do_sample", True))


def _hf_default_temperature(model) -> float:
    """The temperature Inspect's ``hf`` provider samples at when a request gives none: the
    model's ``generation_config`` (transformers' default 1.0)."""
    config = getattr(getattr(getattr(model, "api", None), "model", None), "generation_config", None)
    value = getattr(config, "temperature", None)
    return float(value) if isinstance(value, int | float) and value > 0 else 1.0


def greedy_sampling_conflict(task: str, generation: dict | None, sampling: bool | None) -> str | None:
    """The one-line refusal of a task that samples (``generation`` temperature > 0) on Inspect's
    ``hf`` provider loaded greedy (``sampling`` False: ``-M do_sample=false``), else ``None``."""
    temperature = float((generation or {}).get("temperature") or 0.0)
    if temperature <= 0 or sampling is not False:
        return None
    return (
        f"cultureval/{task} samples at temperature {temperature:g}, but -M do_sample=false makes Inspect's hf "
        "provider decode greedily at every temperature (each sampled answer would be the greedy one); drop "
        "-M do_sample=false for this task (run greedy tasks with it separately)"
    )


def decoding_of(task: str, generation: dict | None, model) -> dict | None:
    """The generation settings ``model`` will really decode a task with, so the run records them
    (they are in the prompt fingerprint, and runs that differ are never compared or ranked).

    ``generation`` is the task's (:func:`cultureval.identity.generation_settings`; ``None`` for
    a log-probability task, returned as is). Inspect's ``hf`` provider decodes by its load
    option, not by the request: loaded with ``-M do_sample=false`` it is greedy at every
    temperature, so a task that samples (temperature > 0: n sampled answers, the three
    settings' draws) would record temperature 1.0 over n identical greedy answers — refused
    (:class:`TaskRefusal`, one line). Loaded to sample (its default), a greedy task is really
    sampled: recorded at the temperature the provider samples at (``--temperature``, else the
    model's ``generation_config``, else 1.0), with a warning (``greedy_generation_task``)."""
    sampling = hf_sampling(model)
    if generation is None or sampling is None:
        return generation
    conflict = greedy_sampling_conflict(task, generation, sampling)
    if conflict:
        raise refuse(TaskRefusal(conflict))
    if float(generation.get("temperature") or 0.0) == 0 and sampling:
        chosen = active_generate_config().temperature
        return generation | {"temperature": float(chosen) if chosen else _hf_default_temperature(model)}
    return generation


def _tags(rendering_mode: str | None, judge: dict | None) -> list[str] | None:
    """Tags Inspect prints beside the task and its results: the rendering, and ``self-judged``."""
    tags = [f"rendering:{rendering_mode}"] if rendering_mode else []
    tags += ["self-judged"] if judge and judge.get("self_judged") else []
    return tags or None


def option_rendering(definition: TaskDefinition, requested: str, dataset_kwargs: dict | None = None) -> str:
    """The effective rendering of an option task for the model ``inspect eval`` is creating it
    for (:func:`effective_rendering` on the first document; :class:`RenderingError` when the
    provider cannot give ``requested``); ``requested`` when no model is active."""
    resolve_rendering(requested, "")  # reject a bad value before any model call
    model = active_model()
    if model is None:
        return requested
    first = next(iter(load_docs(definition, **(dataset_kwargs or {}))), None)
    user_text = definition.function("doc_to_text")(first) if first is not None else ""
    try:
        return effective_rendering(
            requested, model, definition.config["gen_prefix"], definition.metadata["plain_layout"], user_text
        )
    except RenderingError as error:
        raise refuse(error) from None


@solver
def answer_letter(stem: str, layout: str, requested_rendering: str = AUTO, top_logprobs: int = 20):
    """Render the option prompt for the active model and generate one token with logprobs."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        user_text = state.metadata["user_text"]
        mode = effective_rendering(requested_rendering, get_model(), stem, layout, user_text)
        state.metadata["rendering"] = mode
        state.messages = option_messages(mode, layout, user_text, stem)
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
    mode = option_rendering(definition, requested_rendering, dataset_kwargs)
    return build_task(
        definition,
        solver=answer_letter(
            stem=definition.config["gen_prefix"],
            layout=definition.metadata["plain_layout"],
            requested_rendering=mode,
            top_logprobs=top_logprobs,
        ),
        scorer=scorer,
        rendering_mode=mode,
        dataset_kwargs=dataset_kwargs,
        rendering_requested=requested_rendering,
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
                logger.warning(
                    "%s samples (recorded with its temperature, so never compared with greedy runs); pass "
                    "-M do_sample=false for greedy decoding as in lm-eval",
                    model,
                )
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
    effective = identity.generation_settings(active_generate_config().max_tokens or max_tokens, 0.0, [], 1)
    return build_task(
        definition,
        solver=generate_greedy(),
        scorer=scorer,
        rendering_mode=rendering.CHAT,
        dataset_kwargs=dataset_kwargs,
        config=GenerateConfig(max_tokens=max_tokens),
        generation=effective,
        max_tokens=max_tokens,
        **metadata,
    )
