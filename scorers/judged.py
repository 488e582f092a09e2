"""The Inspect scorer shell of the judge-scored tasks (WVS polarity, CultureBank).

The judge is the ``grader`` model role (``--model-role grader=...``); without one the evaluated
model judges itself, with a warning. The family's ``judge_item(transport, cache, doc, response)``
— the same function ``cultureval judge`` calls for lm-eval's samples — returns the item's record
and its judged-samples line; the record becomes the score (:mod:`cultureval.scorers.records`)
and the family's metric table, with its corpus-level summary, is the metric.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from inspect_ai.model import get_model, model_roles
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from cultureval import judge as judges
from cultureval.metric_table import MetricTable
from cultureval.scorers.records import record_score, table_metric

logger = logging.getLogger(__name__)
GRADER_ROLE = "grader"
_warned: set[str] = set()


def grader_transport() -> judges.InspectModelJudge:
    if GRADER_ROLE not in model_roles():
        model = get_model()
        if str(model) not in _warned:
            _warned.add(str(model))
            logger.warning(
                "no --model-role grader=... given: %s judges its own responses; pass a judge model for real scores",
                model,
            )
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
