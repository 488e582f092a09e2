"""What a results file must say about how it was made.

Loaders return plain documents and a :class:`~cultureval.data_source.DataSource`; for
lm-eval they travel as a ``datasets.DatasetDict`` whose ``info.description`` carries the
provenance as JSON, so the task class can copy it into the results' task config.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version

TEST_SPLIT = "test"
_MARKER = "cultureval-provenance:"


def cultureval_version() -> str:
    try:
        return version("cultureval")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def docs_to_dataset_dict(docs: list[dict], provenance: dict):
    """Documents as a ``DatasetDict`` with one ``test`` split, provenance attached."""
    import datasets

    info = datasets.DatasetInfo(description=_MARKER + json.dumps(provenance, sort_keys=True))
    return datasets.DatasetDict({TEST_SPLIT: datasets.Dataset.from_list(docs, info=info)})


def read_provenance(dataset) -> dict | None:
    """The provenance attached by :func:`docs_to_dataset_dict`, or ``None``."""
    description = getattr(getattr(dataset, "info", None), "description", "") or ""
    if not description.startswith(_MARKER):
        return None
    return json.loads(description[len(_MARKER) :])


def record(task_version, data_source: dict | None, rendering: str | None, **extra) -> dict:
    """The provenance block written into every results file."""
    block = {
        "cultureval_version": cultureval_version(),
        "task_version": task_version,
        "data_source": data_source,
        "rendering": rendering,
    }
    block.update(extra)
    return block
