"""Read a task's lm-eval YAML so Inspect builds the same task from the same definition.

Only what the Inspect side needs is interpreted: ``include`` (relative file), ``!function``
(dotted import path; cultureval's YAMLs use dotted paths only), ``custom_dataset`` +
``dataset_kwargs`` + ``metadata``, ``doc_to_text``/``doc_to_choice``, ``gen_prefix``,
``generation_kwargs`` and ``metadata``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cultureval.paths import tasks_dir

# task and tag names that changed: old name -> (new name, the cultureval version that renamed it);
# the pre-run check answers an old name with its new one (CHANGELOG.md lists them too)
RENAMED: dict[str, tuple[str, str]] = {
    "global_opinion_binary_classify": ("binary_settings_classify", "0.2.0"),
    "global_opinion_binary_cot": ("binary_settings_reasoning", "0.2.0"),
    "global_opinion_binary_open": ("binary_settings_open", "0.2.0"),
    "global_opinion_binary_settings": ("binary_settings", "0.2.0"),
}


def renamed_message(name: str) -> str | None:
    """``"'old' was renamed to 'new' in 0.2.0"`` for a renamed task or tag, else ``None``."""
    if name not in RENAMED:
        return None
    new, version = RENAMED[name]
    return f"{name!r} was renamed to {new!r} in cultureval {version} (CHANGELOG.md)"


@dataclass(frozen=True)
class FunctionRef:
    dotted: str

    def resolve(self) -> Callable:
        module_name, _, attribute = self.dotted.rpartition(".")
        if not module_name:
            raise ValueError(f"!function {self.dotted!r} is not a dotted path")
        return getattr(importlib.import_module(module_name), attribute)


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!function", lambda loader, node: FunctionRef(loader.construct_scalar(node)))


def _read(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        config = yaml.load(handle, Loader=_Loader) or {}
    includes = config.pop("include", None)
    if includes is None:
        return config
    merged: dict = {}
    for include in includes if isinstance(includes, list) else [includes]:
        merged.update(_read(path.parent / include))
    merged.update(config)
    return merged


@cache
def _indexes() -> tuple[dict[str, Path], dict[str, Path]]:
    """``({task: YAML path}, {group: YAML path})`` of every YAML in the installed task folder."""
    tasks: dict[str, Path] = {}
    groups: dict[str, Path] = {}
    for path in sorted(tasks_dir().rglob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            config = yaml.load(handle, Loader=_Loader) or {}
        if isinstance(config.get("task"), str):
            tasks[config["task"]] = path
        elif isinstance(config.get("group"), str):
            groups[config["group"]] = path
    return tasks, groups


def _index() -> dict[str, Path]:
    return _indexes()[0]


def task_names() -> list[str]:
    """Every cultureval task name (not groups), sorted."""
    return sorted(_index())


def group_names() -> list[str]:
    return sorted(_indexes()[1])


def group_tasks(name: str) -> list[str]:
    """The tasks of the cultureval group ``name`` (empty for any other name)."""
    path = _indexes()[1].get(name)
    return [str(task) for task in (_read(path).get("task") or [])] if path else []


def task_folders() -> dict[str, str]:
    """Task and group name -> the family folder its YAML lives in."""
    tasks, groups = _indexes()
    return {name: path.parent.name for name, path in {**groups, **tasks}.items()}


@dataclass
class TaskDefinition:
    name: str
    path: Path
    config: dict

    @property
    def metadata(self) -> dict:
        return dict(self.config.get("metadata") or {})

    @property
    def version(self) -> Any:
        return self.metadata.get("version")

    def function(self, key: str) -> Callable:
        value = self.config.get(key)
        if not isinstance(value, FunctionRef):
            raise ValueError(f"{self.path}: {key} must be a !function reference for Inspect, got {value!r}")
        return value.resolve()

    def load_dataset(self, **overrides):
        """The task's ``test`` split, through the same ``custom_dataset`` lm-eval calls
        (``overrides`` replace ``dataset_kwargs`` entries, as lm-eval's ``--metadata`` does)."""
        loader = self.function("custom_dataset")
        dataset = loader(**(self.metadata | (self.config.get("dataset_kwargs") or {}) | overrides))
        return dataset[self.config.get("test_split", "test")]


def task_definition(name: str) -> TaskDefinition:
    """The definition of task ``name`` from the installed YAML folder."""
    index = _index()
    if name not in index:
        raise KeyError(renamed_message(name) or f"no cultureval task named {name!r}; known: {sorted(index)}")
    path = index[name]
    return TaskDefinition(name=name, path=path, config=_read(path))
