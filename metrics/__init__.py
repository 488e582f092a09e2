"""Pure metric functions over numbers. They import no evaluation harness."""

from .distribution import (
    country_sim_std,
    culture_sim,
    js_distance,
    per_country_mean,
    softmax_logprobs,
)

__all__ = [
    "country_sim_std",
    "culture_sim",
    "js_distance",
    "per_country_mean",
    "softmax_logprobs",
]
