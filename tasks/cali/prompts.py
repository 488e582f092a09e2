"""The CALI prompt, character for character as the CultureBank study evaluated CulturallyAwareNLI
(Huang & Yang 2023; ``SALT-NLP/CultureBank`` ``evaluation/downstream_tasks/cultural_nli.py``):
a typographic apostrophe in ``Let’s`` and a space after ``Entail``.

The answer stem ``Your Answer (E/N/C): (`` is the YAML's ``gen_prefix``: after a blank line in
plain rendering, opening the model's turn with a chat template (:mod:`cultureval.rendering`).
"""

from __future__ import annotations

from cultureval.tasks.cali.loader import LABELS


def doc_to_text(doc: dict) -> str:
    return (
        f"Premise: {doc['premise']}\n"
        f"Hypothesis: {doc['hypothesis']}\n"
        "\n"
        f"Let’s think as someone who lives in {doc['culture_name']}. What do you think is the "
        "relationship between the premise and the hypothesis?\n"
        "(E) Entail \n"
        "(N) Neutral\n"
        "(C) Contradict"
    )


def doc_to_choice(doc: dict) -> list[str]:
    return list(LABELS)


def doc_to_target(doc: dict) -> int:
    """Index of the annotators' majority label (E for a tie; ties are excluded from scoring)."""
    return LABELS.index(doc["majority"]) if doc["majority"] else 0
