"""lm-eval glue for default prompting: the ``!function`` targets of the YAMLs beside this module.

The data is GlobalOpinionQA's (:mod:`cultureval.tasks.global_opinions.loader`), regrouped into
one document per question (:func:`~cultureval.tasks.default_prompting.scoring.default_docs`).
"""

from __future__ import annotations

from cultureval.metrics import softmax_logprobs
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.default_prompting.scoring import METRICS, default_docs, default_record
from cultureval.tasks.global_opinions import loader
from cultureval.tasks.global_opinions.parser import read_distribution

METRIC_LIST = METRICS.lm_eval_metric_list()


def load_dataset(countries=None, questions=None, **_metadata) -> dict:
    """``custom_dataset`` of the default-prompting tasks: one document per question (every
    survey sample of the full GlobalOpinionQA data; ``countries``: the countries each answer is
    compared with, ``questions``: the questions asked — :mod:`~cultureval.tasks.global_opinions.item_filter`;
    lm-eval's other task metadata is ignored)."""
    loaded = loader.load(None, countries, questions)
    provenance = loaded.provenance("default (one document per question)")
    return docs_to_dataset_dict(default_docs(loaded.docs), provenance)


def process_results(doc: dict, results: list) -> dict:
    """``global_opinion_default``: the softmax over the option letters' log-likelihoods (one
    ``(loglikelihood, is_greedy)`` per letter) is the question's distribution."""
    distribution = softmax_logprobs([loglikelihood for loglikelihood, _ in results])
    return METRICS.lm_eval_results(default_record(doc, distribution))


def cot_process_results(doc: dict, results: list[str]) -> dict:
    """``global_opinion_default_cot``: the distribution the model wrote, read by
    :func:`~cultureval.tasks.global_opinions.parser.read_distribution` (``None``: unreadable)."""
    reading = read_distribution(results[0], doc["options"])
    return METRICS.lm_eval_results(default_record(doc, reading.distribution))
