"""``cultureval export-sft``: supervised fine-tuning data from chain-of-thought evaluation logs.

The GlobalOpinionBench study fine-tuned a model on its own best chain-of-thought answers (JS
distance below 0.15). This reads the ``global_opinion_cot*`` samples of lm-eval output folders
(``--log_samples``) and Inspect logs (through :mod:`cultureval.runs`), keeps the answers whose
JS distance is below ``max_jsd``, and writes them as chat-format JSONL — one
``{"messages": [{"role": "user", ...}, {"role": "assistant", ...}], "metadata": {...}}`` per
answer, the format TRL's SFT trainer and most fine-tuning tools read. The user turn is the task's
own ``doc_to_text`` of the logged document, checked against the prompt the run logged (a sample
whose logged prompt does not contain it is counted, never exported). Items of the excluded
subsets (default: ``global_opinion_cot_6c``, the evaluation subset) are never exported, so a
model tuned on the file is not evaluated on its training items.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.definitions import task_definition
from cultureval.errors import InputError
from cultureval.runs import Run, Sample, read_runs

COT_TASKS = ("global_opinion_cot", "global_opinion_cot_6c", "global_opinion_cot_binary")
DEFAULT_EXCLUDE = ("global_opinion_cot_6c",)
DEFAULT_MAX_JSD = 0.15


@dataclass
class Answer:
    """One logged chain-of-thought answer."""

    task: str
    doc: dict
    prompt_logged: str  # what the run logged as the prompt ("" when it logged none)
    text: str
    jsd: float | None
    model: str
    source: str


@dataclass
class Export:
    rows: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def item_key(doc: dict) -> tuple[str, str]:
    return (" ".join(str(doc["question"]).split()), str(doc["country"]))


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _answer(run: Run, sample: Sample) -> Answer:
    for name in ("question", "country"):
        sample.doc_field(name)  # the item's identity: a doc without it is bad input, named
    jsd = _number(sample.values.get("jsd"))
    return Answer(
        task=run.task,
        doc=sample.doc,
        prompt_logged=sample.prompt,
        text=sample.answer or "",
        jsd=None if jsd is not None and math.isnan(jsd) else jsd,
        model=run.model,
        source=run.samples_source,
    )


def read_answers(paths: list[Path]) -> list[Answer]:
    """Every logged answer of the chain-of-thought tasks under ``paths`` (lm-eval output,
    Inspect logs; :func:`cultureval.runs.read_runs`). Raises
    :class:`~cultureval.errors.InputError` naming the file (and line) for unreadable input, a
    run without samples, a doc without ``question`` or ``country``, or no such run at all."""
    runs = read_runs(paths, tasks=COT_TASKS)
    if not runs:
        raise InputError(
            f"no {', '.join(COT_TASKS)} runs under {', '.join(map(str, paths))} "
            "(lm-eval: --log_samples; Inspect: the .eval logs)"
        )
    return [_answer(run, sample) for run in runs for sample in run.samples()]


def excluded_items(tasks: list[str]) -> set[tuple[str, str]]:
    """The (question, country) items of the named tasks' datasets."""
    found = set()
    for task in tasks:
        found |= {item_key(doc) for doc in task_definition(task).load_dataset()}
    return found


def export(answers: list[Answer], max_jsd: float, exclude: set[tuple[str, str]]) -> Export:
    """The rows to write and what happened to every answer (``kept``, ``excluded`` — item of an
    excluded subset, ``above_threshold``, ``unreadable`` — no JS distance, ``prompt_mismatch``
    — the logged prompt does not contain the task's user turn, ``empty``)."""
    result = Export()
    to_text = {}
    for answer in answers:
        if answer.task not in to_text:
            to_text[answer.task] = task_definition(answer.task).function("doc_to_text")
        if not answer.doc or "question" not in answer.doc:
            result.counts["prompt_mismatch"] += 1
            continue
        if item_key(answer.doc) in exclude:
            result.counts["excluded"] += 1
            continue
        if answer.jsd is None:
            result.counts["unreadable"] += 1
            continue
        if not answer.jsd < max_jsd:
            result.counts["above_threshold"] += 1
            continue
        if not answer.text.strip():
            result.counts["empty"] += 1
            continue
        user = to_text[answer.task](answer.doc)
        if answer.prompt_logged and user not in answer.prompt_logged:
            result.counts["prompt_mismatch"] += 1
            continue
        result.counts["kept"] += 1
        result.rows.append(
            {
                "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer.text}],
                "metadata": {
                    "question_id": answer.doc.get("question_id"),
                    "question": answer.doc["question"],
                    "country": answer.doc["country"],
                    "jsd": answer.jsd,
                    "model": answer.model,
                    "task": answer.task,
                    "source": answer.source,
                },
            }
        )
    return result


def write_jsonl(rows: list[dict], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
