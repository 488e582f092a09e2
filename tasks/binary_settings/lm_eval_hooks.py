"""lm-eval glue for the three-setting binary study: the ``!function`` targets of the YAMLs
beside this module."""

from __future__ import annotations

from cultureval.data_source import DataFileError
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.binary_settings import scoring
from cultureval.tasks.global_opinions import loader

CHOICE_METRIC_LIST = scoring.CHOICE_METRICS.lm_eval_metric_list()
OPEN_METRIC_LIST = scoring.OPEN_METRICS.lm_eval_metric_list()
DEFAULT_SAMPLES = 10
MAX_SAMPLES = 1000


def sample_count(n_samples) -> int:
    try:
        n = int(n_samples)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_SAMPLES or str(n) != str(n_samples).strip():
        raise ValueError(f"n_samples must be a whole number from 1 to {MAX_SAMPLES}, got {n_samples!r}")
    return n


def expand(docs: list[dict], n_samples: int) -> list[dict]:
    """One document per sample: each item ``n_samples`` times in a row (so ``--limit 30`` is
    three whole items at N = 10), with its ``sample_index`` and ``item`` key."""
    return [
        doc | {"item": scoring.item_key(doc), "sample_index": k, "n_samples": n_samples}
        for doc in docs
        for k in range(n_samples)
    ]


def load_dataset(n_samples=DEFAULT_SAMPLES, countries=None, questions=None, **_metadata) -> dict:
    """``custom_dataset``: GlobalOpinionQA's two-option items (US, China, Japan, India), each
    repeated ``n_samples`` times (lm-eval: ``--metadata '{"n_samples": 20}'``); ``countries`` /
    ``questions`` keep those items only (:mod:`~cultureval.tasks.global_opinions.item_filter`)."""
    n = sample_count(n_samples)
    loaded = loader.load("binary", countries, questions)
    if not loaded.docs:
        raise DataFileError("GlobalOpinionQA: no two-option items for the US, China, Japan or India in the data")
    provenance = loaded.provenance("binary") | {"n_samples": n}
    return docs_to_dataset_dict(expand(loaded.docs, n), provenance)


def classify_process_results(doc: dict, results: list[str]) -> dict:
    label = scoring.choice_label(scoring.read_choice(results[0], doc["options"]))
    return scoring.CHOICE_METRICS.lm_eval_results(scoring.sample_record(doc, label))


def cot_process_results(doc: dict, results: list[str]) -> dict:
    label = scoring.choice_label(scoring.read_final_choice(results[0], doc["options"]))
    return scoring.CHOICE_METRICS.lm_eval_results(scoring.sample_record(doc, label))


def open_process_results(doc: dict, results: list[str]) -> dict:
    return scoring.OPEN_METRICS.lm_eval_results({"empty_response": not results[0].strip()})
