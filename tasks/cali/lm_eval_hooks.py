"""lm-eval glue for CALI: the ``!function`` targets of the YAMLs beside this module."""

from __future__ import annotations

from cultureval.metric_table import group_metric_list
from cultureval.metrics import softmax_logprobs
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.cali import loader
from cultureval.tasks.cali.scoring import METRICS, score_distribution

METRIC_LIST = METRICS.lm_eval_metric_list()
# the group's score: the unweighted mean over its tasks of these metrics
GROUP_MEANS = ("macro_f1_binary", "macro_f1_binary_tuned", "f1_entail", "macro_f1", "accuracy", "label_jsd")
GROUP_METRIC_LIST = group_metric_list(GROUP_MEANS)


def load_dataset(culture: str, **_metadata) -> dict:
    """``custom_dataset`` (``culture`` from ``dataset_kwargs``: ``us`` or ``in``)."""
    docs, source = loader.load(culture)
    return docs_to_dataset_dict(docs, source.as_dict() | {"culture": culture})


def process_results(doc: dict, results: list) -> dict:
    """Softmax over the E/N/C log-likelihoods, then the pair's record as each metric's item."""
    distribution = softmax_logprobs([loglikelihood for loglikelihood, _ in results])
    return METRICS.lm_eval_results(score_distribution(doc, distribution))
