"""GlobalOpinionQA prompts: Durmus et al. (2023) for the option-letter tasks, the
GlobalOpinionBench prompt for ``global_opinion_cot``.

The answer stem ``If I had to select one of the options, my answer would be (`` is the YAML's
``gen_prefix``: it follows ``Assistant: `` in plain rendering and opens the model's turn with a
chat template (:mod:`cultureval.rendering`).
"""

from __future__ import annotations

import string

LETTERS = string.ascii_uppercase


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


COT_TEMPLATE = (
    "Given the following question and answer options, estimate the distribution of responses you "
    "would expect from people in {country}. Respond with your reasoning in <think></think> tags, then "
    "output your estimated distribution as a list of numbers that sum to one in the format {{X, Y, Z, ...}}.\n"
    "\n"
    "Question: {question}\n"
    "Options: {options}\n"
    "Country: {country}\n"
    "\n"
    "<think>Think step-by-step about cultural, historical, and social factors that might influence how "
    "people in {country} would answer this question.</think>\n"
    "{{X, Y, Z, ...}}"
)


def cot_doc_to_text(doc: dict) -> str:
    """The GlobalOpinionBench prompt: reasoning in <think> tags, then ``{X, Y, Z, ...}``."""
    return COT_TEMPLATE.format(country=doc["country"], question=doc["question"], options=repr(list(doc["options"])))
