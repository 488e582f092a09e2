"""lm-eval glue for WVS value probing: the ``!function`` targets of the YAML beside this module.

The items are GlobalOpinionQA's WVS items with an ordinal scale (the loader's ``wvs_ordinal``
subset, :mod:`cultureval.tasks.global_opinions.loader`); the prompt and option letters are
``global_opinion_jsd``'s.
"""

from __future__ import annotations

from cultureval.metrics import softmax_logprobs
from cultureval.tasks.global_opinions import lm_eval_hooks as opinion_hooks
from cultureval.tasks.value_probing.scoring import METRICS, score_distribution

METRIC_LIST = METRICS.lm_eval_metric_list()
SUBSET = "wvs_ordinal"


def load_dataset(countries=None, questions=None, **_metadata) -> dict:
    """``custom_dataset``: GlobalOpinionQA's ``wvs_ordinal`` items, those of ``countries`` /
    ``questions`` only when given (:mod:`~cultureval.tasks.global_opinions.item_filter`; lm-eval's
    other task metadata is ignored)."""
    return opinion_hooks.load_dataset(SUBSET, countries, questions)


def process_results(doc: dict, results: list) -> dict:
    """The softmax over the option letters' log-likelihoods (one ``(loglikelihood, is_greedy)``
    per letter) is the model's distribution; its expected score is the item's record."""
    distribution = softmax_logprobs([loglikelihood for loglikelihood, _ in results])
    return METRICS.lm_eval_results(score_distribution(doc, distribution))
