"""lm-eval glue for GlobalOpinionQA's opinion-distribution tasks: the ``!function`` targets of
the YAMLs beside this module.

Each hook translates between lm-eval and :mod:`~cultureval.tasks.global_opinions.scoring`; the
metric lists are the family's tables, so the YAMLs name no metric themselves. The loader hook
:func:`load_dataset` is reused by the families built on GlobalOpinionQA's data (value probing,
the three-setting study).
"""

from __future__ import annotations

from cultureval.metrics import softmax_logprobs
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.global_opinions import loader, scoring, steering
from cultureval.tasks.global_opinions.verbalized import read_json_distribution

OPTION_METRIC_LIST = scoring.OPTION_METRICS.lm_eval_metric_list()
GENERATIVE_METRIC_LIST = scoring.GENERATIVE_METRICS.lm_eval_metric_list()


def load_dataset(subset: str | None = None, countries=None, questions=None, **_metadata) -> dict:
    """``custom_dataset``: a ``DatasetDict`` with one ``test`` split.

    ``subset`` comes from the YAML's ``dataset_kwargs`` (``all``, ``6c``, ``binary`` or
    ``wvs_ordinal``); ``countries`` / ``questions`` from lm-eval's ``--metadata`` (or Inspect's
    ``-T``) keep those items only (:mod:`~cultureval.tasks.global_opinions.item_filter`); other
    keyword arguments are lm-eval's task metadata and are ignored.
    """
    loaded = loader.load(subset, countries, questions)
    return docs_to_dataset_dict(loaded.docs, loaded.provenance(subset or "all"))


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


def verbalized_process_results(doc: dict, results: list[str]) -> dict:
    distribution = read_json_distribution(results[0], doc["options"])
    return scoring.GENERATIVE_METRICS.lm_eval_results(scoring.score_parsed(doc, distribution))


# --- steering (steering.py) -----------------------------------------------------------------

MAX_SHOTS = 20


def shot_count(k) -> int:
    if isinstance(k, bool) or str(k).strip() not in {str(n) for n in range(MAX_SHOTS + 1)}:
        raise ValueError(f"k (few-shot examples) must be a whole number from 0 to {MAX_SHOTS}, got {k!r}")
    return int(k)


STEERED_ITEMS = ("6c", "binary", "all")


def _steered(items: str, countries=None, questions=None):
    if items not in STEERED_ITEMS:
        raise ValueError(f"items must be one of {', '.join(STEERED_ITEMS)}, got {items!r}")
    return loader.load(items, countries, questions)


def load_fewshot_dataset(k=steering.DEFAULT_K, items="6c", countries=None, questions=None, **_metadata) -> dict:
    """``custom_dataset`` of ``global_opinion_steer_fewshot``: the items (default the six-country
    ones; ``countries`` / ``questions`` filter them, not the shots), each with ``k`` other
    questions of its country (``--metadata '{"k": 5}'``)."""
    n = shot_count(k)
    chosen, pool = _steered(items, countries, questions), loader.load(None)
    # "shots": the examples each item shows, which the run identity records (cultureval.identity)
    provenance = chosen.provenance(items) | {"k": n, "shots": n}
    return docs_to_dataset_dict(steering.fewshot_docs(chosen.docs, pool.docs, n), provenance)


def load_persona_dataset(items="6c", countries=None, questions=None, **_metadata) -> dict:
    """``custom_dataset`` of ``global_opinion_steer_persona`` (``countries`` / ``questions``:
    :func:`load_dataset`)."""
    chosen = _steered(items, countries, questions)
    return docs_to_dataset_dict(steering.persona_docs(chosen.docs), chosen.provenance(items))
