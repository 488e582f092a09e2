"""CultureBank grounded advice: documents, the client prompt, and the judged scores.

The model answers a client's advice question (``eval_question``) given the client's
situation (``eval_scenario``, ``eval_persona``); a judge decides whether the answer entails the
cultural knowledge behind the question (``eval_whole_desc``,
:func:`cultureval.judge.judge_entailment`). lm-eval only generates (and counts empty
answers); ``cultureval judge`` and the Inspect scorer both call :func:`summarise`.
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.loaders import culturebank as loader
from cultureval.provenance import docs_to_dataset_dict

PROMPT_TEMPLATE = (
    "You are a helpful assistant. A client comes to you for advice.\n"
    "Setting: {scenario}\n"
    "About the client: {persona}\n"
    "\n"
    "The client asks:\n"
    "{question}"
)


def load_dataset(split: str, part: str = "test", **_metadata) -> dict:
    """lm-eval ``custom_dataset`` (``split``, ``part`` from ``dataset_kwargs``)."""
    docs, source = loader.load(split, part)
    evaluated = "all rows (partial copy: the upstream test part is undefined)" if source.partial else part
    return docs_to_dataset_dict(docs, source.as_dict() | {"split": split, "part": part, "evaluated": evaluated})


def doc_to_text(doc: dict) -> str:
    return PROMPT_TEMPLATE.format(
        scenario=doc["eval_scenario"] or "not stated", persona=doc["eval_persona"] or "not stated", question=doc["eval_question"]
    )


def doc_to_target(doc: dict) -> str:
    return ""  # no reference answer: the judge scores the response


def process_results(doc: dict, results: list[str]) -> dict:
    """lm-eval: counts empty answers; ``cultureval judge`` adds the entailment scores."""
    return {"n_empty_responses": not results[0].strip()}


def count(values: list) -> int:
    return int(sum(bool(value) for value in values))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def summarise(records: list[dict]) -> dict[str, float | None]:
    """CultureBank metrics from per-answer records (``score`` in [0, 1] or ``None`` when the
    judge failed; ``topic``; ``cultural_group``).

    ``entailment_score`` = mean score over judged answers (with ``entailment_score_stderr`` =
    sample sd / sqrt(n)); ``entail_rate`` = share of judged answers with score > 0.5 (the
    CultureBank study reports both); ``judge_parse_rate`` = judged / all; per-topic and
    per-cultural-group means as ``entailment_score[topic=...]`` and
    ``entailment_score[group=...]``. Undefined values are ``None``.
    """
    scores = [float(record["score"]) for record in records if record.get("score") is not None]
    n = len(scores)
    mean = _mean(scores)
    stderr = math.sqrt(sum((s - mean) ** 2 for s in scores) / (n - 1) / n) if n > 1 else math.nan
    result: dict[str, float | None] = {
        "entailment_score": mean,
        "entailment_score_stderr": stderr,
        "entail_rate": _mean([float(s > 0.5) for s in scores]),
        "judge_parse_rate": n / len(records) if records else math.nan,
        "n_judge_failures": len(records) - n,
        "n_judged": n,
    }
    for field, label in (("topic", "topic"), ("cultural_group", "group")):
        groups: dict[str, list[float]] = defaultdict(list)
        for record in records:
            if record.get("score") is not None:
                groups[str(record.get(field))].append(float(record["score"]))
        for name in sorted(groups):
            result[f"entailment_score[{label}={name}]"] = _mean(groups[name])
    return {key: None if isinstance(value, float) and math.isnan(value) else value for key, value in result.items()}
