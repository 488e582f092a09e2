"""The CultureBank client prompt: the grounded advice question in its setting (Shi et al. 2024)."""

from __future__ import annotations

PROMPT_TEMPLATE = (
    "You are a helpful assistant. A client comes to you for advice.\n"
    "Setting: {scenario}\n"
    "About the client: {persona}\n"
    "\n"
    "The client asks:\n"
    "{question}"
)


def doc_to_text(doc: dict) -> str:
    return PROMPT_TEMPLATE.format(
        scenario=doc["eval_scenario"] or "not stated",
        persona=doc["eval_persona"] or "not stated",
        question=doc["eval_question"],
    )


def doc_to_target(doc: dict) -> str:
    return ""  # no reference answer: the judge scores the response
