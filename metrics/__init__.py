"""Pure metric functions over numbers. They import no evaluation harness."""

from .correlation import bootstrap_ci, pearson, pro_score, spearman, split_half_consistency
from .classification import accuracy, binary_f1, culture_shift_rate, macro_f1
from .distribution import (
    country_sim_std,
    culture_sim,
    js_distance,
    per_country_mean,
    softmax_logprobs,
)

__all__ = [
    "bootstrap_ci",
    "pearson",
    "pro_score",
    "spearman",
    "split_half_consistency",
    "accuracy",
    "binary_f1",
    "culture_shift_rate",
    "macro_f1",
    "country_sim_std",
    "culture_sim",
    "js_distance",
    "per_country_mean",
    "softmax_logprobs",
]
