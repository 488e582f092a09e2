"""Register-ready metadata: one ``eval.yaml`` per family for the Inspect Evals register.

Inspect Evals lists evaluations that live in their authors' repositories as register entries
(``register/<eval_name>/eval.yaml`` in UKGovernmentBEIS/inspect_evals): a title, the arXiv link,
a description, a version in the ``N-X`` form (N: results comparable while it stays; X: the
task interface), the ``@task`` functions with their sample counts, the pinned upstream data,
and a ``source`` block pointing at a pinned commit of the author's repository. This module
writes that entry for each family from the task definitions (the YAMLs, their versions), the
family registry (paper, pinned data) and, when ``CULTUREVAL_DATA_DIR`` is set, the data itself
(the sample counts), so ``tasks/<family>/eval.yml`` (the register's ``eval.yaml``; ``.yml`` here
because lm-eval indexes every ``*.yaml`` in the task folder) cannot drift from the tasks
(``tests/test_register.py`` regenerates and compares).

A cultureval task version ``M.m`` (YAML ``metadata.version``) is the register's ``M-X`` with X
the m-th letter (``1.0`` -> ``1-A``, ``2.1`` -> ``2-B``); the changes behind each version are in
CHANGELOG.md.

``python -m cultureval.register [--repository-url URL --commit SHA] [--no-counts]`` rewrites
the committed entries; the ``source`` block (the public repository and the 40-character commit
to pin) is added only when both are given, at submission time.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import yaml

from cultureval.definitions import task_definition, task_names
from cultureval.families import family, family_names, family_of
from cultureval.paths import tasks_dir

CHANGELOG = "CHANGELOG.md"
GROUP = "Bias"  # the register's category for evaluations of whose views a model represents
# the register names the file eval.yaml; here it is eval.yml: lm-eval indexes every *.yaml under
# the task folder, and an entry's ``group:`` would register a group "Bias" there
ENTRY = "eval.yml"
# where each mapped package lives in the repository (setup.py's PACKAGE_DIR)
PACKAGE_FOLDERS = {"tasks": "tasks", "metrics": "metrics", "scorers": "scorers", "configs": "configs"}


def register_version(version) -> str:
    """A cultureval task version (``1.0``, ``2``, ``"2.1"``) in the register's ``N-X`` form.
    Raises ``ValueError`` for anything else (a task must declare a version)."""
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?", str(version).strip())
    if match is None or int(match.group(2) or 0) > 25:
        raise ValueError(f"task version {version!r} is not MAJOR.MINOR (MINOR <= 25)")
    return f"{int(match.group(1))}-{chr(ord('A') + int(match.group(2) or 0))}"


def _sort_key(version: str) -> tuple[int, str]:
    number, letter = version.split("-")
    return int(number), letter


def inspect_tasks(family_name: str) -> dict[str, str]:
    """The family's tasks that Inspect runs (its ``@task`` functions, registered through the
    ``cultureval._registry`` entry point), with the repository path of the file defining each."""
    import importlib

    registry = importlib.import_module("cultureval._registry")
    found = {}
    for task in task_names():
        owner = family_of(task)
        function = getattr(registry, task, None)
        if owner is None or owner.name != family_name or function is None:
            continue
        parts = function.__module__.split(".")  # cultureval.tasks.<family>.inspect_tasks
        folder = PACKAGE_FOLDERS.get(parts[1], "cultureval") if len(parts) > 2 else "cultureval"
        rest = parts[2:] if folder != "cultureval" else parts[1:]
        found[task] = "/".join([folder, *rest]) + ".py"
    return found


def _count(task: str) -> tuple[int, bool]:
    """``(items, partial)`` of the task's data as its loader reads it."""
    from cultureval.provenance import read_provenance

    dataset = task_definition(task).load_dataset()
    source = read_provenance(dataset) or {}
    return len(dataset), bool((source.get("data_source") or source).get("partial"))


def register_entry(family_name: str, count: bool = True, source: dict | None = None) -> dict:
    """The register entry of one family; ``count``: the sample counts from the data (else the
    entries have no ``dataset_samples``); ``source``: the ``repository_url``/``repository_commit``
    block, when known."""
    owner = family(family_name)
    if owner.paper is None:
        raise ValueError(f"{owner.title}: the family declares no paper (Family.paper)")
    tasks: list[dict[str, Any]] = []
    partial: list[str] = []
    for task, path in inspect_tasks(family_name).items():
        entry: dict[str, Any] = {
            "name": task,
            "task_path": path,
            "version": register_version(task_definition(task).version),
        }
        if count:
            entry["dataset_samples"], is_partial = _count(task)
            if is_partial:
                partial.append(task)
        tasks.append(entry)
    if not tasks:
        raise ValueError(f"{owner.title}: no task runs in Inspect")
    result: dict[str, Any] = {"title": owner.paper.title, "description": owner.description}
    if owner.paper.arxiv:
        result["arxiv"] = f"https://arxiv.org/abs/{owner.paper.arxiv}"
    result |= {
        "group": GROUP,
        "version": max((task["version"] for task in tasks), key=_sort_key),
        "tasks": tasks,
    }
    if source:
        result["source"] = source
    result["external_assets"] = [
        {"type": data.kind, "source": data.source}
        | ({"fetch_method": "hf_dataset"} if data.kind == "huggingface" else {})
        | {"revision": data.revision, "state": "pinned"}
        for data in (owner.data() if owner.data is not None else ())
    ]
    metadata: dict[str, Any] = {"changelog": CHANGELOG, "cultureval_family": owner.name}
    if owner.paper.url:
        metadata["paper"] = owner.paper.url
    if partial:
        metadata["samples_counted_on_partial_copies"] = partial
    result["metadata"] = metadata
    return result


HEADER = """# Inspect Evals register entry for {title}.
# Generated by `python -m cultureval.register` from the task definitions; do not edit by hand.
# Versions: N-X (N: comparable results, X: task interface); their changes: {changelog}.
# Before submitting, add the public repository and the commit to pin:
#   python -m cultureval.register --repository-url URL --commit SHA
"""


def render(entry: dict) -> str:
    """The entry as YAML text, with a header saying how it was made."""
    body = yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(title=entry["title"], changelog=CHANGELOG) + body


def entry_path(family_name: str) -> Path:
    return tasks_dir() / family_name / ENTRY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cultureval.register", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repository-url", help="the public repository the register points at")
    parser.add_argument("--commit", help="the 40-character commit to pin")
    parser.add_argument("--no-counts", action="store_true", help="leave out the sample counts (no data needed)")
    options = parser.parse_args(argv)
    source = None
    if options.repository_url or options.commit:
        if not (options.repository_url and options.commit and re.fullmatch(r"[0-9a-f]{40}", options.commit)):
            parser.error("--repository-url and --commit (40 hex characters) go together")
        source = {"repository_url": options.repository_url, "repository_commit": options.commit}
    for name in family_names():
        path = entry_path(name)
        path.write_text(render(register_entry(name, count=not options.no_counts, source=source)), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
