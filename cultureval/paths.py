"""Installed locations of the task YAMLs and shipped configs."""

from __future__ import annotations

import os
from pathlib import Path


def tasks_dir() -> Path:
    """The folder holding the lm-eval task YAMLs (give it to ``lm_eval --include_path``)."""
    import cultureval.tasks

    return Path(cultureval.tasks.__file__).resolve().parent


def configs_dir() -> Path:
    import cultureval.configs

    return Path(cultureval.configs.__file__).resolve().parent


def cache_dir() -> Path:
    """Where cultureval keeps converted models: ``$CULTUREVAL_CACHE`` or ``~/.cache/cultureval``."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cultureval"
    return Path(os.environ.get("CULTUREVAL_CACHE", default)).expanduser()
