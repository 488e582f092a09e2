"""``cultureval export-sft``: supervised fine-tuning data from chain-of-thought evaluation logs.

The GlobalOpinionBench study fine-tuned a model on its own best chain-of-thought answers (JS
distance below 0.15). This reads the ``global_opinion_cot*`` samples of lm-eval output folders
(``--log_samples``) and Inspect logs, keeps the answers whose JS distance is below
``max_jsd``, and writes them as chat-format JSONL — one
``{"messages": [{"role": "user", ...}, {"role": "assistant", ...}], "metadata": {...}}`` per
answer, the format TRL's SFT trainer and most fine-tuning tools read. The user turn is the task's
own ``doc_to_text`` of the logged document, checked against the prompt the run logged (a sample
whose logged prompt does not contain it is counted, never exported). Items of the excluded
subsets (default: ``global_opinion_cot_6c``, the evaluation subset) are never exported, so a
model tuned on the file is not evaluated on its training items.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.definitions import task_definition
from cultureval.lm_eval_compat import read_results, samples_path

COT_TASKS = ("global_opinion_cot", "global_opinion_cot_6c", "global_opinion_cot_binary")
DEFAULT_EXCLUDE = ("global_opinion_cot_6c",)
DEFAULT_MAX_JSD = 0.15


class ExportInputError(ValueError):
    """An input is missing or unreadable (the message names it)."""


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


def _text(value) -> str:
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else ""


def _lm_eval_prompt(sample: dict) -> str:
    arguments = sample.get("arguments")
    if isinstance(arguments, dict):  # 0.4: {"gen_args_0": {"arg_0": prompt, "arg_1": kwargs}}
        first = next(iter(arguments.values()), {})
        return str(first.get("arg_0", "")) if isinstance(first, dict) else _text(first)
    return _text(arguments)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def lm_eval_answers(folder: Path) -> list[Answer]:
    from cultureval.report_inputs import _lm_eval_model

    answers = []
    for results_path in sorted(folder.rglob("results_*.json")):
        if results_path.name.startswith("results_judged_"):
            continue
        try:
            results = read_results(results_path)
        except (OSError, ValueError) as error:
            raise ExportInputError(f"{results_path}: not a readable lm-eval results file ({error})") from None
        model = _lm_eval_model(results)[0]
        for task in results.get("results") or {}:
            if task not in COT_TASKS:
                continue
            path = samples_path(results_path, task)
            if path is None:
                raise ExportInputError(f"{results_path}: no samples file for {task} (run lm-eval with --log_samples)")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    sample = json.loads(line)
                except ValueError as error:
                    raise ExportInputError(f"{path}, line {number}: not JSON ({error})") from None
                answers.append(
                    Answer(
                        task=task,
                        doc=sample.get("doc") or {},
                        prompt_logged=_lm_eval_prompt(sample),
                        text=_text(sample.get("filtered_resps") or sample.get("resps")),
                        jsd=_number(sample.get("jsd")),
                        model=model,
                        source=str(path),
                    )
                )
    return answers


def inspect_answers(path: Path) -> list[Answer]:
    from inspect_ai.log import list_eval_logs, read_eval_log

    from cultureval.report_inputs import _inspect_model

    files = [info.name for info in list_eval_logs(str(path))] if path.is_dir() else [str(path)]
    answers = []
    for file in files:
        log = read_eval_log(file)
        task = log.eval.task.split("/")[-1]
        if task not in COT_TASKS:
            continue
        model = _inspect_model(log)[0]
        for sample in log.samples or []:
            score = next(iter((sample.scores or {}).values()), None)
            value = score.value if score is not None and isinstance(score.value, dict) else {}
            jsd = _number(value.get("jsd"))
            user = [m for m in sample.messages if m.role == "user"]
            answers.append(
                Answer(
                    task=task,
                    doc=(sample.metadata or {}).get("doc") or {},
                    prompt_logged=user[0].text if user else "",
                    text=sample.output.completion if sample.output else "",
                    jsd=None if jsd is not None and jsd != jsd else jsd,
                    model=model,
                    source=file,
                )
            )
    return answers


def read_answers(paths: list[Path]) -> list[Answer]:
    answers = []
    for path in paths:
        if not path.exists():
            raise ExportInputError(f"{path}: no such file or folder")
        is_lm_eval = path.is_dir() and any(path.rglob("results_*.json"))
        answers += lm_eval_answers(path) if is_lm_eval else inspect_answers(path)
    if not answers:
        raise ExportInputError(
            f"no {', '.join(COT_TASKS)} samples under {', '.join(map(str, paths))} "
            "(lm-eval: --log_samples; Inspect: the .eval logs)"
        )
    return answers


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
