"""cultureval: cultural-alignment evaluations as lm-evaluation-harness and Inspect tasks.

Public API: :func:`js_distance`, :func:`parse_distribution`; task names are listed in the README
and in ``tasks/README.md``.

The public names are imported on first use (PEP 562 module ``__getattr__``), so ``import
cultureval`` and the ``cultureval`` command start without NumPy, SciPy, scikit-learn, torch or a
harness (``cultureval tasks-dir`` runs inside ``lm_eval --include_path "$(cultureval tasks-dir)"``).
"""

from __future__ import annotations

import importlib

_LAZY = {
    "js_distance": "cultureval.metrics.distribution",
    "parse_distribution": "cultureval.tasks.global_opinions.parser",
}

__all__ = ["__version__", "js_distance", "parse_distribution"]


def __getattr__(name: str):
    if name == "__version__":
        from cultureval.provenance import cultureval_version

        return cultureval_version()
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cultureval' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
