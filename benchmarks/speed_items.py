"""The items every path of ``benchmarks/speed.py`` runs: rendered by the task's own lm-eval
definition, so the hand-written loop reads the very strings lm-eval sends to a model.

Nothing here loads a model. :func:`build_items` asks lm-eval's ``TaskManager`` (cultureval's
folder only) for the task and builds its requests exactly as ``simple_evaluate`` does; the
prompt of each item is the context of its first request, the option letters (log-probability
tasks) the continuations of its requests, the generation settings the requests' own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# One task per kind: the study's 600 items (GlobalOpinionBench) for GlobalOpinionQA, and the
# English WVS polarity prompts for a judged task (its answers are generated here; the judge
# step is an HTTP endpoint and is not timed).
KIND_TASKS = {
    "logprob": "global_opinion_jsd_6c",
    "generation": "global_opinion_cot_6c",
    "sampling": "global_opinion_sampled_6c",
    "judged": "wvs_polarity_en",
}


@dataclass
class Items:
    """The first ``len(prompts)`` items of ``task`` as lm-eval builds them."""

    kind: str
    task: str
    doc_ids: list[int]
    docs: list[dict]
    prompts: list[str]
    choices: list[list[str]] = field(default_factory=list)  # log-probability tasks: one continuation per option
    generation: dict = field(default_factory=dict)  # generation tasks: lm-eval's generation kwargs
    repeats: int = 1  # sampling: answers per item

    def __len__(self) -> int:
        return len(self.prompts)


def task_manager():
    """lm-eval's task index over cultureval's folder only (lm-eval's own 14,700 tasks are not
    needed and take tens of seconds to index on a slow machine)."""
    from lm_eval.tasks import TaskManager

    from cultureval.paths import tasks_dir

    return TaskManager(include_path=str(tasks_dir()), include_defaults=False)


def chat_template_function(tokenizer):
    """What lm-eval's HF backend passes as ``chat_template`` (``HFLM.apply_chat_template``):
    the tokenizer's template, continuing a final assistant message when asked to."""

    def render(history: list[dict], add_generation_prompt: bool = True) -> str:
        return tokenizer.apply_chat_template(
            history,
            tokenize=False,
            add_generation_prompt=add_generation_prompt,
            continue_final_message=not add_generation_prompt,
        )

    return render


def build_items(kind: str, task_name: str, limit: int | None, tokenizer, chat: bool, manager=None) -> Items:
    """The task's first ``limit`` items (all for ``None``) rendered plainly or with the
    tokenizer's chat template (lm-eval ``--apply_chat_template``)."""
    manager = manager or task_manager()
    task = manager.load_task_or_group([task_name])[task_name]
    task.build_all_requests(
        limit=limit,
        rank=0,
        world_size=1,
        apply_chat_template=chat,
        chat_template=chat_template_function(tokenizer) if chat else None,
    )
    by_doc: dict[int, list] = {}
    for instance in task.instances:
        by_doc.setdefault(instance.doc_id, []).append(instance)
    items = Items(kind=kind, task=task_name, doc_ids=[], docs=[], prompts=[])
    for doc_id in sorted(by_doc):
        instances = sorted(by_doc[doc_id], key=lambda instance: instance.idx)
        items.doc_ids.append(doc_id)
        items.docs.append(instances[0].doc)
        items.prompts.append(instances[0].args[0])
        if task.OUTPUT_TYPE == "multiple_choice":
            items.choices.append([instance.args[1] for instance in instances])
        else:
            items.generation = dict(instances[0].args[1])
            items.repeats = int(instances[0].repeats or 1)
    return items


def process_results(task_name: str):
    """The task's ``process_results`` (the function lm-eval calls per item)."""
    from cultureval.definitions import task_definition

    return task_definition(task_name).function("process_results")


def item_score(values: dict, name: str = "jsd") -> float | None:
    """One per-item value from ``process_results`` output or a logged sample (lm-eval 0.5
    logs a tuple; a missing or unreadable value is ``None``)."""
    value = values.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None:
        return None
    value = float(value)
    return None if value != value else value  # NaN: unreadable
