"""Installed locations of the task YAMLs and shipped configs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def tasks_dir() -> Path:
    """The folder holding the lm-eval task YAMLs (give it to ``lm_eval --include_path``)."""
    import cultureval.tasks

    return Path(cultureval.tasks.__file__).resolve().parent


def configs_dir() -> Path:
    import cultureval.configs

    return Path(cultureval.configs.__file__).resolve().parent


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where cultureval keeps converted models: ``$CULTUREVAL_CACHE``, else
    ``$XDG_CACHE_HOME/cultureval``, else ``~/.cache/cultureval``."""
    environ = os.environ if environ is None else environ
    default = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cultureval"
    return Path(environ.get("CULTUREVAL_CACHE") or default).expanduser()
