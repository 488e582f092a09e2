"""CulturallyAwareNLI (CALI): documents, the prompt used by the CultureBank study, scoring.

The model's distribution over E/N/C comes from the letters' log-probabilities after the stem
``Your Answer (E/N/C): (``. Every metric compares it with the annotators of the culture named
in the prompt. Referenced by dotted path from the YAMLs beside this module and used by the
Inspect tasks of the same names.
"""

from __future__ import annotations

from cultureval.loaders import cali as loader
from cultureval.metrics import accuracy, binary_f1, js_distance, macro_f1, softmax_logprobs
from cultureval.provenance import docs_to_dataset_dict

LABELS = list(loader.LABELS)


def load_dataset(culture: str, **_metadata) -> dict:
    """lm-eval ``custom_dataset`` (``culture`` from ``dataset_kwargs``: ``us`` or ``in``)."""
    docs, source = loader.load(culture)
    return docs_to_dataset_dict(docs, source.as_dict() | {"culture": culture})


def doc_to_text(doc: dict) -> str:
    return (
        f"Premise: {doc['premise']}\n"
        f"Hypothesis: {doc['hypothesis']}\n"
        "\n"
        f"Let's think as someone who lives in {doc['culture_name']}. What do you think is the "
        "relationship between the premise and the hypothesis?\n"
        "(E) Entail\n"
        "(N) Neutral\n"
        "(C) Contradict"
    )


def doc_to_choice(doc: dict) -> list[str]:
    return LABELS


def doc_to_target(doc: dict) -> int:
    """Index of the annotators' majority label (E for a tie; ties are excluded from scoring)."""
    return LABELS.index(doc["majority"]) if doc["majority"] else 0


def score_distribution(doc: dict, model_distribution: list[float]) -> dict:
    """Per-item values shared by lm-eval and Inspect.

    ``prediction`` is the argmax label (E on exact ties, by label order). ``majority`` is empty
    for a tied majority: such items are left out of f1_entail, macro_f1 and accuracy and
    counted in ``n_ties``; ``label_jsd`` uses every item.
    """
    prediction = LABELS[max(range(len(LABELS)), key=model_distribution.__getitem__)]
    majority = doc["majority"] or None
    return {
        "prediction": prediction,
        "majority": majority,
        "label_jsd": js_distance(model_distribution, doc["label_distribution"]),
        "tie": int(majority is None),
        "contested": bool(doc["contested"]),
    }


def process_results(doc: dict, results: list) -> dict:
    """lm-eval: softmax over the E/N/C log-likelihoods, then the shared item values mapped
    to the inputs of each metric's aggregation."""
    item = score_distribution(doc, softmax_logprobs([loglikelihood for loglikelihood, _ in results]))
    pair = (item["prediction"], item["majority"]) if item["majority"] else None
    return {
        "f1_entail": pair,
        "macro_f1": pair,
        "accuracy": pair,
        "label_jsd": item["label_jsd"],
        "n_ties": item["tie"],
        "contested_accuracy": pair if item["contested"] else None,
    }


def _pairs(items: list) -> tuple[list[str], list[str]]:
    kept = [item for item in items if item is not None]
    return [p for p, _ in kept], [g for _, g in kept]


def aggregate_f1_entail(items: list) -> float:
    """Binary F1 of "entailment" (argmax E vs not) against the majority label."""
    return binary_f1(*_pairs(items), positive="E")


def aggregate_macro_f1(items: list) -> float:
    return macro_f1(*_pairs(items), labels=LABELS)


def aggregate_accuracy(items: list) -> float:
    return accuracy(*_pairs(items))


def count(items: list) -> int:
    return int(sum(items))
