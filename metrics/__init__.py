"""Pure metric functions over numbers. They import no evaluation harness."""

from .classification import accuracy, binary_f1, culture_shift_rate, macro_f1
from .correlation import (
    bootstrap_ci,
    bootstrap_resamples,
    bootstrap_self_consistency,
    pairwise_self_consistency,
    pearson,
    pro_score,
    spearman,
    split_half_consistency,
)
from .distribution import (
    country_sim_std,
    culture_sim,
    culturebank_country_std,
    culturebank_similarity,
    js_distance,
    ordinal_wasserstein,
    per_country_mean,
    softmax_logprobs,
    top1_agreement,
    total_variation,
)

__all__ = [
    "accuracy",
    "binary_f1",
    "bootstrap_ci",
    "bootstrap_resamples",
    "bootstrap_self_consistency",
    "country_sim_std",
    "culture_shift_rate",
    "culture_sim",
    "culturebank_country_std",
    "culturebank_similarity",
    "js_distance",
    "macro_f1",
    "ordinal_wasserstein",
    "pairwise_self_consistency",
    "pearson",
    "per_country_mean",
    "pro_score",
    "softmax_logprobs",
    "spearman",
    "split_half_consistency",
    "top1_agreement",
    "total_variation",
]
