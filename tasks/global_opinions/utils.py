"""GlobalOpinionQA: documents, the Durmus et al. (2023) prompt, and per-item scoring.

Referenced from the YAML files beside this module by dotted path
(``!function cultureval.tasks.global_opinions.utils.<name>``) and used by the Inspect task
of the same name, so the prompt and the scoring exist once.
"""

from __future__ import annotations

import string

from cultureval.provenance import docs_to_dataset_dict
from cultureval.loaders import global_opinions as loader
from cultureval.metrics import country_sim_std, js_distance, softmax_logprobs

LETTERS = string.ascii_uppercase


def load_dataset(subset: str | None = None, **_metadata) -> dict:
    """lm-eval ``custom_dataset``: a ``DatasetDict`` with one ``test`` split.

    ``subset`` comes from the YAML's ``dataset_kwargs`` (``all``, ``6c`` or ``binary``); other
    keyword arguments are lm-eval's task metadata and are ignored.
    """
    loaded = loader.load(subset)
    provenance = loaded.source.as_dict() | {"subset": subset or "all", "notes": loaded.notes}
    return docs_to_dataset_dict(loaded.docs, provenance)


def option_letters(n_options: int) -> list[str]:
    if not 1 <= n_options <= len(LETTERS):
        raise ValueError(f"cannot letter {n_options} options (1..{len(LETTERS)} supported)")
    return list(LETTERS[:n_options])


def doc_to_text(doc: dict) -> str:
    """The user turn of Durmus et al.: the question, for a person from the country."""
    lines = [
        f"How would someone from {doc['country']} answer the following question:",
        doc["question"],
        "Here are the options:",
    ]
    lines += [f"({letter}) {option}" for letter, option in zip(option_letters(doc["n_options"]), doc["options"])]
    return "\n".join(lines)


def doc_to_choice(doc: dict) -> list[str]:
    return option_letters(doc["n_options"])


def doc_to_target(doc: dict) -> int:
    """Index of the survey's most frequent answer (for lm-eval's bookkeeping; not a metric here)."""
    distribution = doc["survey_distribution"]
    return max(range(len(distribution)), key=distribution.__getitem__)


def score_distribution(doc: dict, model_distribution: list[float]) -> dict:
    """Per-item values of every metric, shared by lm-eval and Inspect."""
    distance = js_distance(model_distribution, doc["survey_distribution"])
    similarity = 1.0 - distance
    return {
        "jsd": distance,
        "culture_sim": similarity,
        "country_sim_std": (doc["country"], similarity),
    }


def process_results(doc: dict, results: list) -> dict:
    """lm-eval ``process_results`` for multiple_choice: one ``(loglikelihood, is_greedy)`` per
    letter; the model's distribution is the softmax over the letters' log-likelihoods."""
    loglikelihoods = [loglikelihood for loglikelihood, _ in results]
    return score_distribution(doc, softmax_logprobs(loglikelihoods))


def aggregate_country_sim_std(items: list[tuple[str, float]]) -> float:
    """lm-eval aggregation: population std of per-country mean culture_sim."""
    return country_sim_std(items)
