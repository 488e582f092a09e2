"""Generic Inspect scorers for tasks whose answer is a distribution.

- :func:`option_distribution`: the distribution over the option letters from the first
  generated token's ``top_logprobs`` (:mod:`cultureval.scorers.option_logprobs`), scored by
  the family's function — GlobalOpinionQA, its WVS Pearson variant, CALI;
- :func:`parsed_answer`: an answer read from generated text or from sampled answers by the
  family's function; unreadable answers are part of the record, never an error.

Each returns one record per sample (:mod:`cultureval.scorers.records`) and reports the family's
metric table, so the names and aggregations are those lm-eval reports.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from inspect_ai.scorer import Score, Scorer, Target, scorer
from inspect_ai.solver import TaskState

from cultureval.metric_table import MetricTable
from cultureval.scorers.option_logprobs import read_option_distribution
from cultureval.scorers.records import record_score, table_metric


def option_distribution(
    score_distribution: Callable[[dict, list[float]], dict],
    table: MetricTable,
    name: str,
    identity: tuple[str, ...] = (),
) -> Scorer:
    """Read the option-letter distribution and score it with ``score_distribution(doc,
    distribution) -> record``, the function lm-eval's ``process_results`` calls too."""

    @scorer(metrics=[table_metric(table, f"{name}_metrics")], name=name)
    def build() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            letters = state.metadata["letters"]
            distribution, missing = read_option_distribution(state)
            record = score_distribution(state.metadata["doc"], distribution)
            record["letter_coverage"] = 1.0 - missing / len(letters)
            return record_score(
                record,
                answer=letters[int(np.argmax(distribution))],
                explanation=f"model distribution over {''.join(letters)}: "
                + ", ".join(f"{p:.3f}" for p in distribution),
                identity=identity,
                metadata={"model_distribution": distribution, "letters_missing": missing},
            )

        return score

    return build()


def parsed_answer(score_output: Callable[[dict, TaskState], dict], table: MetricTable, name: str) -> Scorer:
    """Score generated output with ``score_output(doc, state) -> record`` (the family's own
    reading of the text, shared with lm-eval); a record with ``jsd`` ``None`` is unreadable."""

    @scorer(metrics=[table_metric(table, f"{name}_metrics")], name=name)
    def build() -> Scorer:
        async def score(state: TaskState, target: Target) -> Score:
            record = score_output(state.metadata["doc"], state)
            return record_score(
                record,
                answer=state.output.completion if state.output else None,
                explanation="unreadable answer" if record.get("jsd") is None else f"jsd {record['jsd']:.3f}",
            )

        return score

    return build()
