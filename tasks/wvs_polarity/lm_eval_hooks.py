"""lm-eval glue for WVS value polarity: the ``!function`` targets of the YAMLs beside this module.

lm-eval generates the interviews and checks their language; ``cultureval judge`` adds the judged
correlations afterwards.
"""

from __future__ import annotations

from cultureval.metric_table import group_metric_list
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.wvs_polarity import loader
from cultureval.tasks.wvs_polarity.scoring import METRICS, response_record

METRIC_LIST = METRICS.lm_eval_metric_list()
# the group's score: the unweighted mean over its tasks of these metrics
GROUP_MEANS = ("wrong_language_rate",)
GROUP_METRIC_LIST = group_metric_list(GROUP_MEANS)


def load_dataset(language: str, **_metadata) -> dict:
    """``custom_dataset`` (``language`` from ``dataset_kwargs``)."""
    docs, source = loader.load(language)
    return docs_to_dataset_dict(docs, source.as_dict() | {"language": language})


def doc_to_text(doc: dict) -> str:
    """The upstream prompt template with the topic filled in (by the loader)."""
    return doc["prompt"]


def doc_to_target(doc: dict) -> str:
    return ""  # no reference answer: the judge scores the response


def process_results(doc: dict, results: list[str]) -> dict:
    """The language check only; ``cultureval judge`` adds the judge's labels later."""
    return METRICS.lm_eval_results(response_record(doc, results[0]))
