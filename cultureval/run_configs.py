"""The shipped run configs (``configs/lm_eval/*.yaml``) and their ``${VAR}`` parameters.

lm-eval's ``--config`` YAML holds literal values only, so a config that names "your adapter"
could not be shared. ``cultureval lm-eval --config NAME`` first resolves ``NAME`` (a file, or
a config shipped in ``configs/lm_eval/``), replaces ``${VAR}`` and ``${VAR:-default}`` in its
string values from the environment, expands a leading ``~`` in ``model_args`` paths, and hands
lm-eval the result. A value that is exactly one reference keeps its YAML type (``${TP:-1}`` is
the integer 1). A reference to an unset variable without a default is an error that names it.
``${CULTUREVAL_CACHE}`` is always defined: the folder where ``cultureval smollm2`` puts models.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cultureval.errors import InputError
from cultureval.paths import cache_dir, configs_dir

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
PATH_ARGS = ("pretrained", "peft", "lora_local_path", "tokenizer", "delta")


class RunConfigError(InputError):
    """A run config that cannot be resolved: missing file, bad YAML, unset variable."""


def lm_eval_config_names() -> list[str]:
    return sorted(path.stem for path in (configs_dir() / "lm_eval").glob("*.yaml"))


def resolve_config_path(name: str) -> Path:
    """``name`` as a file, else the shipped ``configs/lm_eval/<name>.yaml``."""
    path = Path(name).expanduser()
    if path.is_file():
        return path
    shipped = configs_dir() / "lm_eval" / f"{name.removesuffix('.yaml')}.yaml"
    if shipped.is_file():
        return shipped
    raise RunConfigError(
        f"no config file {name!r} and no shipped config of that name; shipped: {lm_eval_config_names()}"
    )


def expand(value: Any, environ: Mapping[str, str], where: str = "") -> Any:
    """``value`` with every ``${VAR}`` / ``${VAR:-default}`` in its strings replaced."""
    if isinstance(value, dict):
        return {key: expand(item, environ, f"{where}.{key}" if where else str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, environ, f"{where}[{index}]") for index, item in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ and environ[name] != "":
            return environ[name]
        if default is not None:
            return default
        raise RunConfigError(f"{where}: ${{{name}}} is not set (export {name}=... or edit the config)")

    whole = REFERENCE.fullmatch(value)
    result = REFERENCE.sub(substitute, value)
    if whole:  # a value that is one reference gets the YAML type of what it expands to
        try:
            return yaml.safe_load(result) if result.strip() else result
        except yaml.YAMLError:
            return result
    return result


def load_lm_eval_config(name: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The config ``name`` as lm-eval's ``EvaluatorConfig`` fields, variables expanded."""
    path = resolve_config_path(name)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise RunConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise RunConfigError(f"{path}: the top level must be a mapping of lm-eval options")
    environ = os.environ if environ is None else environ
    data = expand(data, {**environ, "CULTUREVAL_CACHE": str(cache_dir(environ))})
    model_args = data.get("model_args")
    if isinstance(model_args, dict):
        for key in PATH_ARGS:
            if isinstance(model_args.get(key), str) and model_args[key].startswith("~"):
                model_args[key] = str(Path(model_args[key]).expanduser())
    return data


def write_lm_eval_config(data: Mapping[str, Any], folder: Path, stem: str) -> Path:
    """Write a resolved config into ``folder`` (a new file) for ``lm-eval --config``."""
    handle, path = tempfile.mkstemp(prefix=f"{stem}-", suffix=".yaml", dir=folder)
    with os.fdopen(handle, "w") as stream:
        yaml.safe_dump(dict(data), stream, sort_keys=False)
    return Path(path)


def materialize_lm_eval_config(name: str, folder: Path) -> Path:
    """The config ``name`` expanded, written into ``folder`` for ``lm-eval --config``."""
    return write_lm_eval_config(load_lm_eval_config(name), folder, Path(name).stem)
