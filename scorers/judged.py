"""The Inspect scorer shell of the judge-scored tasks (WVS polarity, CultureBank).

The judge is the ``grader`` model role (``--model-role grader=...``); without one the evaluated
model judges itself: each such task warns when it is created and records ``judge.self_judged``
in the log's metadata, and the report marks its scores. The family's ``judge_item(transport, cache, doc, response)``
— the same function ``cultureval judge`` calls for lm-eval's samples — returns the item's record
and its judged-samples line; the record becomes the score (:mod:`cultureval.scorers.records`)
and the family's metric table, with its corpus-level summary, is the metric.
"""

from __future__ import annotations

from collections.abc import Callable

from inspect_ai.model import get_model
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from cultureval import judge as judges
from cultureval.metric_table import MetricTable
from cultureval.scorers.records import record_score, table_metric

GRADER_ROLE = "grader"


def grader_transport() -> judges.InspectModelJudge:
    """The grader role's model; without one the evaluated model (a self-judged run: the task
    warns when it is created and records ``judge.self_judged``, :func:`cultureval.inspect_tasks.judge_record`)."""
    return judges.InspectModelJudge(get_model(role=GRADER_ROLE))


def judged_scorer(judge_item: Callable, table: MetricTable, name: str, identity: tuple[str, ...] = ()) -> Scorer:
    """A scorer that asks the grader about the sample's response through ``judge_item``."""

    @scorer(metrics=[table_metric(table, f"{name}_metrics")], name=name)
    def build() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            response = state.output.completion if state.output else ""
            record, line = await judge_item(grader_transport(), judges.JudgeCache(), state.metadata["doc"], response)
            failure = line.get("failure")
            return record_score(
                record,
                answer=line.get("answer"),
                explanation=failure and f"judge failure: {failure} {line.get('detail', '')}",
                identity=identity,
                metadata={
                    "judge_failure": failure,
                    "judge_labels": line.get("labels"),
                    "judge_method": line.get("method"),
                },
            )

        return score

    return build()
