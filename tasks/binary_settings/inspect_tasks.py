"""The three-setting binary study in Inspect: ``binary_settings_classify``,
``binary_settings_reasoning`` and ``binary_settings_open``.

Each is the lm-eval YAML's documents and prompt (one sample per sampled answer, ``-T n=20`` for
N), generated at the YAML's temperature (``--temperature`` overrides) and token limit
(``--max-tokens`` overrides). Classification and reasoning answers are read as lm-eval reads
them; open replies are labelled by the grader role (``--model-role grader=...``) through the
same :func:`~cultureval.tasks.binary_settings.judge.judge_item` ``cultureval judge`` calls.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState, generate

from cultureval import rendering
from cultureval.definitions import task_definition
from cultureval.identity import generation_settings
from cultureval.inspect_tasks import active_generate_config, build_task, given
from cultureval.scorers.judged import judged_scorer
from cultureval.scorers.records import record_score, table_metric
from cultureval.tasks.binary_settings import judge, scoring
from cultureval.tasks.binary_settings.lm_eval_hooks import DEFAULT_SAMPLES, sample_count

__all__ = ["binary_settings_classify", "binary_settings_open", "binary_settings_reasoning"]

IDENTITY = ("item", "country", "label")


def _classify(doc: dict, state: TaskState) -> dict:
    return scoring.sample_record(
        doc, scoring.choice_label(scoring.read_choice(state.output.completion, doc["options"]))
    )


def _cot(doc: dict, state: TaskState) -> dict:
    choice = scoring.read_final_choice(state.output.completion, doc["options"])
    return scoring.sample_record(doc, scoring.choice_label(choice))


@scorer(metrics=[table_metric(scoring.CHOICE_METRICS, "binary_choice_metrics")], name="binary_choice")
def choice_scorer(reasoned: bool = False) -> Scorer:
    """Read the sampled answer as lm-eval's ``process_results`` reads it: the label is the score's answer."""

    async def score(state: TaskState, target: Target) -> Score:
        record = (_cot if reasoned else _classify)(state.metadata["doc"], state)
        return record_score(record, answer=record["label"], identity=IDENTITY)

    return score


Names = str | list[str] | None  # countries= / questions=: tasks/global_opinions/item_filter.py


def setting_task(
    name: str,
    scorer,
    n: int,
    temperature: float | None,
    max_tokens: int | None,
    items: dict | None = None,
    **metadata,
) -> Task:
    definition = task_definition(name)
    generation = definition.config.get("generation_kwargs") or {}
    temperature = float(generation.get("temperature", 1.0)) if temperature is None else float(temperature)
    max_tokens = max_tokens or int(generation["max_gen_toks"])
    n = sample_count(n)
    overrides = active_generate_config()  # --temperature / --max-tokens win over the task's
    return build_task(
        definition,
        solver=generate(),
        scorer=scorer,
        rendering_mode=rendering.CHAT,
        dataset_kwargs={"n_samples": n} | (items or {}),
        config=GenerateConfig(temperature=temperature, max_tokens=max_tokens),
        generation=generation_settings(
            overrides.max_tokens or max_tokens,
            temperature if overrides.temperature is None else overrides.temperature,
            [],
            1,
        ),
        n_samples=n,
        temperature=temperature,
        max_tokens=max_tokens,
        **metadata,
    )


@task
def binary_settings_classify(
    n: int = DEFAULT_SAMPLES,
    temperature: float | None = None,
    max_tokens: int | None = None,
    countries: Names = None,
    questions: Names = None,
) -> Task:
    """Two-option GlobalOpinionQA items as a numbered choice with a withhold option; n answers per item."""
    items = given(countries=countries, questions=questions)
    return setting_task("binary_settings_classify", choice_scorer(), n, temperature, max_tokens, items)


@task
def binary_settings_reasoning(
    n: int = DEFAULT_SAMPLES,
    temperature: float | None = None,
    max_tokens: int | None = None,
    countries: Names = None,
    questions: Names = None,
) -> Task:
    """The same choice after free reasoning ("Answer: N" last); n answers per item."""
    items = given(countries=countries, questions=questions)
    return setting_task("binary_settings_reasoning", choice_scorer(reasoned=True), n, temperature, max_tokens, items)


@task
def binary_settings_open(
    n: int = DEFAULT_SAMPLES,
    temperature: float | None = None,
    max_tokens: int | None = None,
    countries: Names = None,
    questions: Names = None,
) -> Task:
    """The question inside ten realistic requests; the grader maps each reply to option 1, 2 or neither."""
    scorer = judged_scorer(judge.judge_item, scoring.OPEN_METRICS, "stance_scorer", identity=IDENTITY)
    items = given(countries=countries, questions=questions)
    return setting_task(
        "binary_settings_open", scorer, n, temperature, max_tokens, items, judge_prompt_version=judge.PROMPT_VERSION
    )
