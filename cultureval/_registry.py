"""Inspect entry point (``[project.entry-points.inspect_ai]``): importing this module registers
every family's ``@task`` functions as ``cultureval/<task>``, so ``inspect eval
cultureval/global_opinion_jsd`` works. The families are discovered
(:func:`cultureval.families.family_names`); each one's ``inspect_tasks.py`` names its tasks in
``__all__``, and they become attributes of this module too."""

from __future__ import annotations

import importlib

from cultureval.families import family_names


def _register_every_family() -> list[str]:
    """Import each family's ``inspect_tasks`` (the ``@task`` decorators register the tasks) and
    copy its ``__all__`` here; the names, in family order."""
    names: list[str] = []
    for name in family_names():
        module = importlib.import_module(f"cultureval.tasks.{name}.inspect_tasks")
        exported = getattr(module, "__all__", None)
        if not exported:
            raise ImportError(f"cultureval/tasks/{name}/inspect_tasks.py: __all__ must name the family's Inspect tasks")
        for task in exported:
            globals()[task] = getattr(module, task)
        names += exported
    return names


__all__ = _register_every_family()
