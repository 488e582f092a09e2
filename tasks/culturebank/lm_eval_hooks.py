"""lm-eval glue for CultureBank: the ``!function`` targets of the YAMLs beside this module.

lm-eval only generates (and counts empty answers); ``cultureval judge`` adds the judged scores.
"""

from __future__ import annotations

from cultureval.metric_table import group_metric_list
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.culturebank import loader
from cultureval.tasks.culturebank.scoring import METRICS

METRIC_LIST = METRICS.lm_eval_metric_list()
# the group's score: the unweighted mean over its tasks of these metrics
GROUP_MEANS = ("n_empty_responses",)
GROUP_METRIC_LIST = group_metric_list(GROUP_MEANS)


def load_dataset(split: str, part: str = "test", **_metadata) -> dict:
    """``custom_dataset`` (``split``, ``part`` from ``dataset_kwargs`` / ``--metadata``)."""
    docs, source = loader.load(split, part)
    evaluated = "all rows (partial copy: the upstream test part is undefined)" if source.partial else part
    return docs_to_dataset_dict(docs, source.as_dict() | {"split": split, "part": part, "evaluated": evaluated})


def process_results(doc: dict, results: list[str]) -> dict:
    return METRICS.lm_eval_results({"empty_response": not results[0].strip()})
