"""Checks ``cultureval run`` and ``cultureval lm-eval`` make before lm-eval loads a model, so a
misspelt task, a missing model folder, an adapter folder without ``adapter_config.json``, an
unusable data folder, an output folder that cannot be written or ``--limit 0`` is one line, not
a traceback after minutes of model loading (or a run whose results are lost); the combinations
that cannot give a right number (shots on zero-shot tasks, an answer stem a chat API cannot
continue, a LoRA ``lm_head`` vLLM's prompt log-probabilities leave out, a response cache filled
by another model, a task option the task does not take) refused the same way; the one warning
cultureval gives about rendering; and the estimate of the run's cost
(:func:`cultureval.task_list.cost_lines`).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import json
import logging
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cultureval import identity
from cultureval.definitions import group_tasks, renamed_message, task_definition, task_folders, task_names
from cultureval.errors import InputError
from cultureval.lm_eval_task import WARNINGS_ENV, defines_shots  # warnings: read into each result's provenance

logger = logging.getLogger(__name__)

MODEL_PATH_ARGS = ("pretrained", "peft", "lora_local_path", "tokenizer")


class PreflightError(InputError):
    """A run that cannot work; the message is one line that says what to change."""


@dataclass
class LmEvalRequest:
    """What an lm-eval command line (and its ``--config`` file) asks for."""

    tasks: list[str] = field(default_factory=list)
    model: str = "hf"
    model_args: dict = field(default_factory=dict)
    apply_chat_template: bool = False
    output_path: str | None = None
    num_fewshot: int | None = None
    use_cache: str | None = None
    limit: float | None = None
    log_samples: bool = False
    # lm-eval's --metadata: passed to every task's data loader (e.g. {"countries": ["Japan"]})
    metadata: dict = field(default_factory=dict)
    # lm-eval's --samples: {task: [document indices]} (a JSON object or a JSON file)
    samples: dict | None = None
    tasks_given: bool = False  # --tasks was on the command line (or in --config), maybe empty


def _model_args(value) -> dict:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    text = str(value or "").strip()
    if text.startswith("{"):
        try:
            return dict(json.loads(text))
        except ValueError:
            return {}
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {key.strip(): val.strip() for key, val in pairs}


def _tasks(value) -> list[str]:
    if isinstance(value, list):
        return [str(t).strip() for t in value if str(t).strip()]
    return [t.strip() for t in str(value or "").split(",") if t.strip()]


def _samples(value) -> dict | None:
    """lm-eval's ``--samples``: a JSON object ``{task: [document indices]}`` or a JSON file of
    one; ``None`` when not given. :class:`PreflightError` for anything else."""
    if value is None or value is True:
        return None
    text = str(value)
    if Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    try:
        loaded = json.loads(text)
    except ValueError:
        raise PreflightError(f"--samples {str(value)[:60]}: not a JSON object or a JSON file") from None
    if not isinstance(loaded, dict):
        raise PreflightError(f"--samples {str(value)[:60]}: expected a JSON object {{task: [indices]}}")
    return loaded


def _metadata(values) -> dict:
    """lm-eval's ``--metadata``: a JSON object, or ``key=value`` pairs whose values are Python
    literals (``countries=['Japan']``) or plain strings, as lm-eval reads them."""
    if isinstance(values, dict):
        return dict(values)
    values = [values] if isinstance(values, str) else list(values or [])
    if not values:
        return {}
    if values[0].lstrip().startswith("{"):
        try:
            parsed = json.loads(values[0])
        except ValueError as error:
            raise PreflightError(f"--metadata {values[0]}: not a JSON object ({error})") from None
        if not isinstance(parsed, dict):
            raise PreflightError(f"--metadata {values[0]}: not a JSON object")
        return parsed
    merged: dict = {}
    for value in values:
        for item in value.split(","):
            key, separator, text = item.partition("=")
            if not separator:
                raise PreflightError(f"--metadata {value}: expected key=value or a JSON object")
            try:
                merged[key.strip()] = ast.literal_eval(text.strip())
            except (ValueError, SyntaxError):
                merged[key.strip()] = text.strip()
    return merged


# lm-eval run's short options (lm_eval/_cli/run.py, 0.4.13; 0.5 adds -r): the long option and whether
# it takes a value (tests/test_new_user_path.py checks this against lm-eval's own parser)
SHORT_OPTIONS = {
    "-C": ("--config", True),
    "-t": ("--tasks", True),
    "-M": ("--model", True),
    "-a": ("--model_args", True),
    "-L": ("--limit", True),
    "-c": ("--use_cache", True),
    "-f": ("--num_fewshot", True),
    "-b": ("--batch_size", True),
    "-o": ("--output_path", True),
    "-s": ("--log_samples", False),
    "-E": ("--samples", True),
    "-v": ("--verbosity", True),
    "-w": ("--write_out", False),
    "-x": ("--predict_only", False),
    "-r": ("--repeats", True),  # lm-eval 0.5
}


def long_options(argv: list[str]) -> list[str]:
    """``argv`` with lm-eval's short options written long, as argparse reads them: ``-L 5``,
    ``-L5`` and ``-L=5`` are ``--limit 5``; ``-sw`` is ``--log_samples --write_out``. The
    checks read long options only: ``-L 5`` passed them unseen."""
    out: list[str] = []
    for arg in argv:
        if len(arg) < 2 or arg[0] != "-" or arg[1] == "-" or arg[:2] not in SHORT_OPTIONS:
            out.append(arg)
            continue
        flag, takes_value = SHORT_OPTIONS[arg[:2]]
        rest = arg[2:]
        if takes_value:
            out += [flag, rest[1:] if rest.startswith("=") else rest] if rest else [flag]
            continue
        letters = [f"-{letter}" for letter in rest]
        if all(SHORT_OPTIONS.get(letter, ("", True))[1] is False for letter in letters):
            out += [flag, *(SHORT_OPTIONS[letter][0] for letter in letters)]
        else:
            out.append(arg)  # not a form argparse reads: lm-eval will say so
    return out


def parse_request(argv: list[str]) -> LmEvalRequest:
    """The request of lm-eval ``run`` arguments (a ``--config`` file first, flags over it; short
    options read as their long forms, :func:`long_options`)."""
    request = LmEvalRequest()
    values: dict[str, object] = {}
    argv = long_options(argv)
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--metadata":  # lm-eval takes several key=value words after it
            following = []
            while index + 1 < len(argv) and not argv[index + 1].startswith("--"):
                following.append(argv[index + 1])
                index += 1
            values["metadata"] = following
            index += 1
            continue
        value: str | bool
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
        elif arg.startswith("--"):
            key = arg[2:]
            next_word = argv[index + 1] if index + 1 < len(argv) else None
            value = next_word if next_word is not None and not next_word.startswith("--") else True
            index += 0 if value is True else 1
        else:
            index += 1
            continue
        values[key.replace("-", "_")] = value
        index += 1
    config = values.get("config")
    if isinstance(config, str) and Path(config).is_file():
        loaded = yaml.safe_load(Path(config).read_text()) or {}
        values = {**loaded, **{k: v for k, v in values.items() if k != "config"}}
    request.tasks = _tasks(values.get("tasks"))
    request.tasks_given = "tasks" in values
    request.samples = _samples(values.get("samples"))
    request.model = str(values.get("model") or "hf")
    request.model_args = _model_args(values.get("model_args"))
    flag = values.get("apply_chat_template")
    request.apply_chat_template = flag is True or str(flag).lower() in ("true", "1", "yes")
    output_path = values.get("output_path")
    request.output_path = output_path if isinstance(output_path, str) else None
    shots = values.get("num_fewshot")
    if shots is not None and shots is not True:
        try:
            request.num_fewshot = int(str(shots))
        except ValueError:
            raise PreflightError(f"--num_fewshot {shots}: not a whole number") from None
    use_cache = values.get("use_cache")
    request.use_cache = use_cache if isinstance(use_cache, str) else None
    limit = values.get("limit")
    request.limit = None if limit is None or limit is True else check_limit(limit)
    flag = values.get("log_samples")
    request.log_samples = flag is True or str(flag).lower() in ("true", "1", "yes")
    request.metadata = _metadata(values.get("metadata"))
    return request


def check_limit(value, flag: str = "--limit", fractions: bool = True) -> float:
    """``--limit`` as lm-eval reads it: a whole number of items, or a fraction of each task below
    1 (``fractions``; Inspect and ``cultureval baseline`` take whole numbers only). ``0`` (and
    anything not above 0) is refused everywhere, in one line: lm-eval would load the
    model and then fail, Inspect would run no sample, and a baseline would read it as "no limit".
    :class:`PreflightError` for a value that is not a positive number."""
    try:
        number = float(str(value).strip())
    except ValueError:
        raise PreflightError(f"{flag} {value}: not a number") from None
    if not number > 0 or number != number:
        what = "a number of items (or a fraction of each task below 1)" if fractions else "a number of items"
        raise PreflightError(f"{flag} {value}: evaluates no item; give {what}, or leave {flag} out for every item")
    if not fractions and not number.is_integer():
        raise PreflightError(f"{flag} {value}: a number of items must be whole")
    if number >= 1 and not number.is_integer():
        raise PreflightError(f"{flag} {value}: a number of items must be whole (a fraction must be below 1)")
    return number


def limited_count(n_items: int, limit: float | None) -> int:
    """How many of ``n_items`` a run with lm-eval's ``--limit`` evaluates: the first ``limit``
    items, or ``ceil(limit * n_items)`` for a fraction below 1 (lm-eval's rule)."""
    if limit is None:
        return n_items
    if limit < 1:
        return min(n_items, math.ceil(limit * n_items))
    return min(n_items, int(limit))


def documents_per_item(task: str, n_samples=None) -> int:
    """How many documents each item of ``task`` has: its samples per item for a task with one
    document per sampled answer (the three settings: ``n_samples`` in its metadata, or the run's
    ``n_samples`` / ``-T n``, already checked by the task's loader), else 1."""
    default = task_definition(task).metadata.get("n_samples")
    if not default:
        return 1
    return int(str(default if n_samples is None else n_samples).strip())


def check_whole_items(task: str, n_documents: int, limit: float | None, per_item: int, flag: str = "--limit") -> None:
    """A ``limit`` that would cut an item's sampled answers short is refused: a task with
    ``per_item`` documents per item (one per sampled answer, items in a row) limited to a number
    of documents that is not a multiple of ``per_item`` scores its last item on part of its
    samples, a number unlike the full run's (:class:`PreflightError`, one line)."""
    if limit is None or per_item <= 1:
        return
    kept = limited_count(n_documents, limit)
    if kept % per_item:
        whole = max(per_item, kept - kept % per_item)
        raise PreflightError(
            f"{flag} {limit:g}: {task} has {per_item} documents per item (one per sampled answer; {flag} counts "
            f"documents), so {kept} would score its last item on {kept % per_item} of its {per_item} answers; give a "
            f"multiple of {per_item} (e.g. {flag} {whole})"
        )


NAME_MAX = 255  # bytes in one file or folder name (Linux, macOS)
# the model argument lm-eval names its results folder after, first found first (lm-eval 0.4/0.5:
# GeneralConfigTracker._get_model_name), and the characters it turns into "__" (sanitize_model_name)
LM_EVAL_NAME_KEYS = ("peft", "delta", "pretrained", "model", "path", "engine")
LM_EVAL_UNSAFE = re.compile(r"[\"<>:/|\\?*\[\]]+")


def check_results_folder_name(request: LmEvalRequest) -> None:
    """lm-eval writes its results into ``<output_path>/<the model argument, each '/' as '__'>``:
    a model or adapter path longer than a file name may be (255 bytes) passed every check, ran
    every item and then failed to save. Refused before the model loads (one line)."""
    if not request.output_path:
        return
    key = next((key for key in LM_EVAL_NAME_KEYS if request.model_args.get(key)), None)
    if key is None:
        return
    value = str(request.model_args[key])
    size = len(LM_EVAL_UNSAFE.sub("__", value).encode("utf-8"))
    if size > NAME_MAX:
        raise PreflightError(
            f"--model_args {key}={value[:32]}...: lm-eval names the results folder after it ({size} bytes once each "
            f"'/' is '__'; a name may have {NAME_MAX}), so the results could not be saved; link the model to a "
            "shorter path"
        )


def check_whole_item_samples(task: str, indices, per_item: int) -> None:
    """lm-eval's ``--samples`` for a task with ``per_item`` documents per item (one per sampled
    answer, an item's documents in a row): every item it selects must be selected whole, or the
    item is scored on part of its answers (:class:`PreflightError`, one line)."""
    if per_item <= 1:
        return
    try:
        chosen = sorted({int(index) for index in indices})
    except (TypeError, ValueError):
        raise PreflightError(f"--samples {task}: expected a list of document indices") from None
    by_item: dict[int, int] = {}
    for index in chosen:
        by_item[index // per_item] = by_item.get(index // per_item, 0) + 1
    partial = sorted(item for item, count in by_item.items() if count < per_item)
    if partial:
        item = partial[0]
        raise PreflightError(
            f"--samples {task}: selects {by_item[item]} of the {per_item} documents of item {item} (documents "
            f"{item * per_item}-{item * per_item + per_item - 1}, one per sampled answer); select whole items, or "
            "choose items with --metadata countries/questions"
        )


def check_output_path(path: str | None, flag: str = "--output_path") -> None:
    """The folder a run writes its results into must be creatable and writable *before* the model
    loads: lm-eval only warns "Could not save results" after every item ran. ``path`` ending in
    ``.json`` names a file (its folder is checked), as lm-eval reads it. A missing folder is
    created for the probe and removed again."""
    if not path:
        return
    target = Path(path).expanduser()
    folder = target.parent if target.suffix == ".json" else target
    missing = []
    existing = folder
    while not existing.exists() and existing != existing.parent:
        missing.append(existing)
        existing = existing.parent
    if not existing.is_dir():
        raise PreflightError(f"{flag} {path}: {existing} is a file, not a folder; choose another {flag}")
    created = []
    try:
        for step in reversed(missing):
            step.mkdir()
            created.append(step)
        handle, probe = tempfile.mkstemp(prefix=".cultureval-probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise PreflightError(
            f"{flag} {path}: cannot write there ({error.strerror or error}); choose another {flag}"
        ) from None
    finally:
        for step in reversed(created):
            with contextlib.suppress(OSError):
                step.rmdir()


def _tags() -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for name in task_names():
        definition = task_definition(name)
        for tag in definition.config.get("tag") or []:
            tags.setdefault(tag, []).append(name)
    return tags


def expand_tasks(names: list[str]) -> list[str]:
    """The cultureval tasks a list of task, group and tag names runs (others are lm-eval's)."""
    folders = task_folders()
    tags = _tags()
    expanded: list[str] = []
    for name in names:
        if name in tags:
            expanded += tags[name]
        elif group_tasks(name):
            expanded += group_tasks(name)
        elif name in folders:
            expanded.append(name)
    return list(dict.fromkeys(expanded))


def only_cultureval_tasks(names: list[str]) -> bool:
    """Whether every requested name is a cultureval task, group or tag (then lm-eval need not
    index its own tasks: :func:`cultureval.lm_eval_compat.without_default_tasks`)."""
    known = set(task_folders()) | set(_tags())
    return bool(names) and all(name in known for name in names)


def check_task_names(names: list[str]) -> None:
    """A renamed task or tag is answered with its new name (:data:`cultureval.definitions.RENAMED`);
    an unknown name close to a cultureval task, group or tag is a mistake: say which was meant.
    Names far from all of them may be lm-eval's own tasks and are left to lm-eval."""
    known = set(task_folders()) | set(_tags())
    for name in names:
        if name in known:
            continue
        renamed = renamed_message(name)
        if renamed:
            raise PreflightError(renamed)
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        if close:
            raise PreflightError(f"unknown task {name!r}; did you mean {close[0]!r}? (cultureval tasks lists them)")


def _path_like(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~")) or value.count("/") >= 2 or value.startswith(".")


def check_model_folder(path: str, role: str, where: str) -> None:
    """A local model or adapter folder must exist and be one: a model folder holds
    ``config.json`` (or is itself a PEFT adapter, which transformers loads with its base model),
    an adapter folder ``adapter_config.json``; else the engine fails after its imports with a
    long traceback. ``role``: ``model``, ``adapter`` or ``tokenizer``; ``where`` names the
    argument in the message (``model_args peft=...``)."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise PreflightError(f"{where}: no such file or folder")
    if not folder.is_dir() or role == "tokenizer":
        return
    if role == "adapter" and not (folder / "adapter_config.json").is_file():
        raise PreflightError(
            f"{where}: {folder} holds no adapter_config.json, so it is not a PEFT adapter folder (save the "
            "adapter with save_pretrained, which writes it)"
        )
    if role == "model" and not any((folder / name).is_file() for name in ("config.json", "adapter_config.json")):
        raise PreflightError(
            f"{where}: {folder} holds neither config.json (a transformers model folder) nor adapter_config.json "
            "(a PEFT adapter folder)"
        )


MODEL_ARG_ROLES = {"pretrained": "model", "peft": "adapter", "lora_local_path": "adapter", "tokenizer": "tokenizer"}


def check_model_paths(request: LmEvalRequest) -> None:
    """A model, adapter or tokenizer argument that names a local folder must exist and be one
    (:func:`check_model_folder`; a Hub id, ``org/name``, is left to the engine)."""
    for key in MODEL_PATH_ARGS:
        value = request.model_args.get(key)
        if isinstance(value, str) and _path_like(value):
            check_model_folder(value, MODEL_ARG_ROLES[key], f"model_args {key}={value}")


def task_options(task: str) -> set[str]:
    """The options ``task``'s data loader takes (its ``custom_dataset`` keyword parameters, which
    lm-eval's ``--metadata`` and Inspect's ``-T`` fill); ``**kwargs`` are not options."""
    import inspect

    loader = task_definition(task).function("custom_dataset")
    return {
        name
        for name, parameter in inspect.signature(loader).parameters.items()
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    }


# options of cultureval's loaders that select items; lm-eval hands --metadata to every task, so a
# task that does not take one would silently run unfiltered
ITEM_OPTIONS = ("countries", "questions")


def check_task_options(metadata: dict, tasks: list[str]) -> None:
    """An item-selecting option (``countries``, ``questions``) given to a task whose loader does
    not take it would be ignored and the run would look filtered when it is not: refused."""
    for option in ITEM_OPTIONS:
        if option not in metadata:
            continue
        ignoring = [task for task in tasks if option not in task_options(task)]
        if ignoring:
            taking = sorted({task for task in tasks if option in task_options(task)})
            raise PreflightError(
                f"--metadata {option}: {', '.join(ignoring)} do not take it (their items would not be filtered); "
                f"run them separately" + (f" from {', '.join(taking)}" if taking else "")
            )


def check_data(tasks: list[str], options: dict | None = None) -> dict[str, int]:
    """Load each cultureval task's data now, with the task options (``--metadata``) it takes: a
    missing or malformed data file, or an option value the loader refuses (an unknown country),
    is one line. Returns each task's number of documents."""
    counts = {}
    for task in tasks:
        taken = task_options(task)
        given = {key: value for key, value in (options or {}).items() if key in taken}
        try:
            counts[task] = len(task_definition(task).load_dataset(**given))
        except (InputError, ValueError) as error:  # DataFileError is an InputError
            raise PreflightError(f"{task}: {error}") from None
    return counts


def check_judged_outputs(request: LmEvalRequest, tasks: list[str]) -> None:
    """Judged tasks are scored afterwards by ``cultureval judge``, which reads the logged
    responses: without ``--log_samples`` and ``--output_path`` the run's generations are lost."""
    from cultureval.families import judge_of

    judged = [task for task in tasks if judge_of(task) is not None]
    if judged and not (request.log_samples and request.output_path):
        raise PreflightError(
            f"{', '.join(judged)} are scored by `cultureval judge` from the logged responses: add --log_samples "
            "--output_path DIR (without them the generations are lost)"
        )


def check_shots(request: LmEvalRequest, tasks: list[str]) -> None:
    """``--num_fewshot N`` > 0 on a task that defines no shots: lm-eval would draw them from the
    evaluated items (an item's own question and country followed by its survey's answer) and
    glue them before a prompt built to stand alone. cultureval's YAMLs set ``num_fewshot: 0``,
    so lm-eval itself ignores the flag; here it is an error, not a silent no-op. The few-shot
    steering task builds its shots into each document: ``--metadata '{"k": 5}'``."""
    if not request.num_fewshot or request.num_fewshot <= 0:
        return
    zero_shot = [
        t
        for t in tasks
        if not defines_shots(
            task_definition(t).config.get("fewshot_split"), task_definition(t).config.get("fewshot_config")
        )
    ]
    if zero_shot:
        raise PreflightError(
            f"--num_fewshot {request.num_fewshot}: {', '.join(zero_shot)} define no shots (zero-shot prompts; lm-eval "
            "would take shots from the evaluated items); drop --num_fewshot (few-shot steering: "
            "global_opinion_steer_fewshot with --metadata '{\"k\": N}')"
        )


def _is_chat_api(model: str) -> bool:
    """lm-eval models that send a message list to a chat endpoint (``local-chat-completions``,
    ``openai-chat-completions``, ``anthropic-chat``, ...): the server answers in a new turn."""
    return "chat" in model


def check_answer_stem(request: LmEvalRequest, tasks: list[str]) -> None:
    """Tasks whose prompt ends in an answer stem (``gen_prefix``) on an lm-eval chat API model:
    lm-eval sends the stem as a final assistant message without asking the server to continue
    it, so the server closes it and the model answers in a new turn — not the rendering the
    results would record. Run them on ``local-completions`` or a local engine."""
    if not _is_chat_api(request.model):
        return
    stemmed = [t for t in tasks if task_definition(t).config.get("gen_prefix")]
    if stemmed:
        raise PreflightError(
            f"--model {request.model}: {', '.join(stemmed)} end their prompt in an answer stem the chat endpoint "
            "cannot continue (it answers in a new turn); use --model local-completions, a local engine, or "
            "Inspect with -T rendering=instruction"
        )


def _adapter_trains_lm_head(adapter: Path) -> bool:
    """Whether a PEFT adapter folder's ``adapter_config.json`` targets or saves ``lm_head``."""
    config_path = adapter.expanduser() / "adapter_config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    modules = []
    for key in ("target_modules", "modules_to_save"):
        value = config.get(key) or []
        modules += [value] if isinstance(value, str) else list(value)
    return any("lm_head" in str(module) for module in modules)


def check_adapter_engine(request: LmEvalRequest, tasks: list[str]) -> None:
    """A LoRA adapter that trains or saves ``lm_head`` on ``--model vllm`` with log-probability
    tasks: vLLM's prompt log-probabilities, which those tasks read, leave the adapter's
    ``lm_head`` out (vllm-project/vllm#51594), so the numbers would be the base model's
    output layer under the adapter's name. The generative tasks are unaffected."""
    adapter = request.model_args.get("lora_local_path")
    if request.model != "vllm" or not isinstance(adapter, str) or not _adapter_trains_lm_head(Path(adapter)):
        return
    logprob = [t for t in tasks if task_definition(t).config.get("output_type") in ("multiple_choice", "loglikelihood")]
    if logprob:
        raise PreflightError(
            f"lora_local_path={adapter} trains lm_head, which vLLM's prompt log-probabilities leave out "
            f"(vllm-project/vllm#51594): {', '.join(logprob)} would score the base model's output layer; use "
            "--model hf with peft=ADAPTER (run config hf_peft)"
        )


OPERATIONAL_MODEL_ARGS = {
    "batch_size",
    "max_batch_size",
    "device",
    "parallelize",
    "gpu_memory_utilization",
    "tensor_parallel_size",
    "data_parallel_size",
    "num_concurrent",
    "max_retries",
    "timeout",
    "enforce_eager",
    "swap_space",
    "max_lora_rank",
}


def response_cache_identity(request: LmEvalRequest) -> dict:
    """Who fills a ``--use_cache`` response cache: the lm-eval model type, its arguments
    (without the ones that change only speed) and a content fingerprint of each local folder
    among them (:func:`cultureval.identity.model_identity`)."""
    args = {k: v for k, v in request.model_args.items() if k not in OPERATIONAL_MODEL_ARGS}
    return {
        "model": request.model,
        "model_args": {k: str(v) for k, v in sorted(args.items())},
        "identity": identity.model_identity({k: v for k, v in args.items() if isinstance(v, str)}),
    }


def check_response_cache(request: LmEvalRequest) -> None:
    """lm-eval's ``--use_cache PATH`` keys answers by the request alone, so a base model and the
    same model with a LoRA adapter (or any other model) would share them. cultureval records who
    filled the cache in ``PATH.cultureval.json`` and refuses a run by anyone else, and a cache it
    has no such record of."""
    if not request.use_cache:
        return
    sidecar = Path(f"{request.use_cache}.cultureval.json")
    current = response_cache_identity(request)
    if sidecar.is_file():
        try:
            recorded = json.loads(sidecar.read_text(encoding="utf-8"))
        except ValueError:
            raise PreflightError(f"{sidecar}: not readable JSON; use another --use_cache path") from None
        if recorded == current:
            return
        if {k: recorded.get(k) for k in ("model", "model_args")} == {k: current[k] for k in ("model", "model_args")}:
            changed = [k for k, v in current["identity"].items() if (recorded.get("identity") or {}).get(k) != v]
            raise PreflightError(
                f"--use_cache {request.use_cache} holds the answers of {_cache_owner(recorded)}, whose folder content "
                f"has changed since ({', '.join(changed)} differ from {sidecar}): use another --use_cache path"
            )
        raise PreflightError(
            f"--use_cache {request.use_cache} holds the answers of {_cache_owner(recorded)} ({sidecar}); this run is "
            f"{_cache_owner(current)}: use another --use_cache path"
        )
    existing = sorted(sidecar.parent.glob(f"{Path(request.use_cache).name}_rank*.db"))
    if existing:
        raise PreflightError(
            f"--use_cache {request.use_cache}: {existing[0]} has no record of the model that filled it ({sidecar} "
            "missing); use another --use_cache path"
        )
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _cache_owner(record: dict) -> str:
    args = record.get("model_args") or {}
    return f"--model {record.get('model')} " + ",".join(f"{k}={v}" for k, v in args.items())


def has_chat_template(request: LmEvalRequest) -> bool | None:
    """Whether the model's tokenizer has a chat template (``None``: cannot tell offline)."""
    source = request.model_args.get("tokenizer") or request.model_args.get("pretrained")
    if not isinstance(source, str):
        return None
    folder = Path(source).expanduser()
    if folder.is_dir():
        if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
            return True
        config = folder / "tokenizer_config.json"
        if config.is_file():
            try:
                return bool(json.loads(config.read_text(encoding="utf-8")).get("chat_template"))
            except ValueError:
                return None
        return False
    return None


def rendering_warnings(request: LmEvalRequest, tasks: list[str]) -> list[str]:
    """One warning when generative cultureval tasks run without the chat template of a model
    that has one: such a model then answers a bare prompt, often with nothing useful."""
    generative = [t for t in tasks if task_definition(t).config.get("output_type") == "generate_until"]
    if generative and not request.apply_chat_template and has_chat_template(request):
        return [
            f"generative task(s) {', '.join(generative)} run without --apply_chat_template on a model with a chat "
            "template: it reads the bare prompt and may answer with nothing useful; add --apply_chat_template"
        ]
    return []


class _DropPlainRenderingWarning(logging.Filter):
    """lm-eval warns on every run of an instruct model without a chat template; where cultureval
    intends the plain rendering (log-probability tasks in their canonical plain layout) the
    warning is wrong, and users learn to ignore warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = " ".join(record.getMessage().split())  # lm-eval wraps its lines
        return not (
            "appears to be an instruct or chat variant" in message and "chat template is not applied" in message
        )


def prepare_run(argv: list[str]) -> LmEvalRequest:
    """All checks of an lm-eval ``run`` before any model loads; the warnings cultureval gives are
    logged once and passed to the tasks' provenance (``$CULTUREVAL_RUN_WARNINGS``); the cost
    estimate is printed (:func:`cultureval.task_list.cost_lines`)."""
    from cultureval.task_list import cost_lines

    request = parse_request(argv)
    if request.tasks_given and not request.tasks:  # lm-eval: a traceback, or a YAML file of the folder
        raise PreflightError("--tasks names no task (cultureval tasks lists them)")
    check_task_names(request.tasks)
    check_model_paths(request)
    check_output_path(request.output_path)
    check_results_folder_name(request)
    tasks = expand_tasks(request.tasks)
    check_shots(request, tasks)
    check_answer_stem(request, tasks)
    check_adapter_engine(request, tasks)
    check_judged_outputs(request, tasks)
    check_task_options(request.metadata, tasks)
    counts = check_data(tasks, request.metadata)
    for task, n in counts.items():
        per_item = documents_per_item(task, (request.metadata or {}).get("n_samples"))
        check_whole_items(task, n, request.limit, per_item)
        if request.samples and task in request.samples:
            check_whole_item_samples(task, request.samples[task], per_item)
    check_response_cache(request)
    for line in cost_lines({task: limited_count(n, request.limit) for task, n in counts.items()}):
        print(f"cultureval: {line}", file=sys.stderr, flush=True)
    warnings = rendering_warnings(request, tasks)
    for warning in warnings:
        logger.warning("cultureval: %s", warning)
    os.environ[WARNINGS_ENV] = json.dumps(warnings)
    if (
        tasks
        and not request.apply_chat_template
        and not any(task_definition(t).config.get("output_type") == "generate_until" for t in tasks)
    ):
        logging.getLogger("lm_eval.evaluator").addFilter(_DropPlainRenderingWarning())
    return request
