"""lm-eval glue for GlobalOpinionQA: the ``!function`` targets of the YAMLs beside this module.

Each hook translates between lm-eval and :mod:`~cultureval.tasks.global_opinions.scoring`; the
metric lists are the family's tables, so the YAMLs name no metric themselves.
"""

from __future__ import annotations

from cultureval.metrics import softmax_logprobs
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.global_opinions import loader, scoring, wvs_pearson

OPTION_METRIC_LIST = scoring.OPTION_METRICS.lm_eval_metric_list()
GENERATIVE_METRIC_LIST = scoring.GENERATIVE_METRICS.lm_eval_metric_list()
WVS_PEARSON_METRIC_LIST = wvs_pearson.METRICS.lm_eval_metric_list()


def load_dataset(subset: str | None = None, **_metadata) -> dict:
    """``custom_dataset``: a ``DatasetDict`` with one ``test`` split.

    ``subset`` comes from the YAML's ``dataset_kwargs`` (``all``, ``6c``, ``binary`` or
    ``wvs_ordinal``); other keyword arguments are lm-eval's task metadata and are ignored.
    """
    loaded = loader.load(subset)
    provenance = loaded.source.as_dict() | {"subset": subset or "all", "notes": loaded.notes}
    return docs_to_dataset_dict(loaded.docs, provenance)


def _distribution(results: list) -> list[float]:
    """multiple_choice results are one ``(loglikelihood, is_greedy)`` per letter; the model's
    distribution is the softmax over the letters' log-likelihoods."""
    return softmax_logprobs([loglikelihood for loglikelihood, _ in results])


def process_results(doc: dict, results: list) -> dict:
    return scoring.OPTION_METRICS.lm_eval_results(scoring.score_distribution(doc, _distribution(results)))


def cot_process_results(doc: dict, results: list[str]) -> dict:
    return scoring.GENERATIVE_METRICS.lm_eval_results(scoring.score_cot_text(doc, results[0]))


def keep_all_samples(resps, docs):
    """Filter: keep every repeat (lm-eval's default filter keeps only the first)."""
    return [list(samples) for samples in resps]


def sampled_process_results(doc: dict, results: list) -> dict:
    record = scoring.score_sampled(doc, list(results[0]), after_stem=True)
    return scoring.GENERATIVE_METRICS.lm_eval_results(record)


def wvs_pearson_process_results(doc: dict, results: list) -> dict:
    return wvs_pearson.METRICS.lm_eval_results(wvs_pearson.score_distribution(doc, _distribution(results)))
