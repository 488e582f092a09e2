"""Checks ``cultureval run`` and ``cultureval lm-eval`` make before lm-eval loads a model, so a
misspelt task, a missing model folder or an unusable data folder is one line, not a traceback
after minutes of model loading; and the one warning cultureval gives about rendering.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cultureval.data_source import DataFileError
from cultureval.definitions import group_tasks, task_definition, task_folders, task_names
from cultureval.lm_eval_task import WARNINGS_ENV  # read into each result's provenance

logger = logging.getLogger(__name__)

MODEL_PATH_ARGS = ("pretrained", "peft", "lora_local_path", "tokenizer")


class PreflightError(ValueError):
    """A run that cannot work; the message is one line that says what to change."""


@dataclass
class LmEvalRequest:
    """What an lm-eval command line (and its ``--config`` file) asks for."""

    tasks: list[str] = field(default_factory=list)
    model: str = "hf"
    model_args: dict = field(default_factory=dict)
    apply_chat_template: bool = False
    output_path: str | None = None


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


def parse_request(argv: list[str]) -> LmEvalRequest:
    """The request of lm-eval ``run`` arguments (a ``--config`` file first, flags over it)."""
    request = LmEvalRequest()
    values: dict[str, object] = {}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
        elif arg.startswith("--"):
            key = arg[2:]
            following = argv[index + 1] if index + 1 < len(argv) else None
            value = following if following is not None and not following.startswith("--") else True
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
    request.model = str(values.get("model") or "hf")
    request.model_args = _model_args(values.get("model_args"))
    flag = values.get("apply_chat_template")
    request.apply_chat_template = flag is True or str(flag).lower() in ("true", "1", "yes")
    request.output_path = values.get("output_path") if isinstance(values.get("output_path"), str) else None
    return request


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
    """An unknown name close to a cultureval task, group or tag is a mistake: say which was meant.
    Names far from all of them may be lm-eval's own tasks and are left to lm-eval."""
    known = set(task_folders()) | set(_tags())
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        if close:
            raise PreflightError(f"unknown task {name!r}; did you mean {close[0]!r}? (cultureval tasks lists them)")


def _path_like(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~")) or value.count("/") >= 2 or value.startswith(".")


def check_model_paths(request: LmEvalRequest) -> None:
    """A model, adapter or tokenizer argument that names a local folder must exist (a Hub id,
    ``org/name``, is left to the engine)."""
    for key in MODEL_PATH_ARGS:
        value = request.model_args.get(key)
        if isinstance(value, str) and _path_like(value) and not Path(value).expanduser().exists():
            raise PreflightError(f"model_args {key}={value}: no such file or folder")


def check_data(tasks: list[str]) -> None:
    """Load each cultureval task's data now: a missing or malformed data file is one line."""
    for task in tasks:
        try:
            task_definition(task).load_dataset()
        except DataFileError as error:
            raise PreflightError(f"{task}: {error}") from None


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
    logged once and passed to the tasks' provenance (``$CULTUREVAL_RUN_WARNINGS``)."""
    request = parse_request(argv)
    check_task_names(request.tasks)
    check_model_paths(request)
    tasks = expand_tasks(request.tasks)
    check_data(tasks)
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
