"""Pure metric functions over numbers. They import no evaluation harness.

Each name is imported from its module on first use (PEP 562 module ``__getattr__``): importing
``cultureval.metrics`` costs nothing, and only ``classification`` pulls in scikit-learn.
"""

from __future__ import annotations

import importlib

_MODULES = {
    "classification": ("accuracy", "binary_f1", "culture_shift_rate", "macro_f1"),
    "correlation": (
        "bootstrap_ci",
        "bootstrap_resamples",
        "bootstrap_self_consistency",
        "pairwise_self_consistency",
        "pearson",
        "pro_score",
        "spearman",
        "split_half_consistency",
    ),
    "distribution": (
        "country_sim_std",
        "culture_sim",
        "culturebank_country_std",
        "culturebank_similarity",
        "js_distance",
        "ordinal_wasserstein",
        "per_country_mean",
        "softmax_logprobs",
        "top1_agreement",
        "total_variation",
    ),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
