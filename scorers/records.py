"""An item's record as an Inspect ``Score``, and a family's metric table as one Inspect metric.

Inspect's epoch reducer averages score values, so a record is split: numbers (``None`` as NaN)
go to ``Score.value``, identity fields (country, question id, labels: strings and the keys named
in ``identity``) to ``Score.metadata``. :func:`records_of` puts the record back together (NaN
becomes ``None`` again) and :func:`table_metric` computes the family's
:meth:`~cultureval.metric_table.MetricTable.compute` over all samples — the same aggregation
functions lm-eval calls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from inspect_ai.scorer import Metric, SampleScore, Score, metric

from cultureval.metric_table import MetricTable

RECORD_KEYS = "record_keys"  # metadata key listing the record's own metadata fields


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def record_score(
    record: dict,
    answer: str | None = None,
    explanation: str | None = None,
    identity: Iterable[str] = (),
    metadata: dict | None = None,
) -> Score:
    """``record`` as a ``Score``: numbers, booleans (as 0/1) and ``None`` (as NaN) in the value,
    everything else and the keys in ``identity`` in the metadata (with ``metadata`` beside)."""
    identity = set(identity)
    value: dict[str, float] = {}
    kept: dict = {}
    for key, item in record.items():
        if key in identity or not (item is None or _is_number(item) or isinstance(item, bool)):
            kept[key] = item
        else:
            value[key] = math.nan if item is None else float(item)
    return Score(
        value=value,
        answer=answer,
        explanation=explanation,
        metadata=(metadata or {}) | kept | {RECORD_KEYS: sorted(kept)},
    )


def record_of(score: Score) -> dict:
    """The record a :func:`record_score` score carries (NaN back to ``None``)."""
    metadata = score.metadata or {}
    record = {key: metadata.get(key) for key in metadata.get(RECORD_KEYS, [])}
    if isinstance(score.value, dict):
        for key, item in score.value.items():
            record[key] = None if isinstance(item, float) and math.isnan(item) else item
    return record


def records_of(scores: list[SampleScore]) -> list[dict]:
    return [record_of(sample.score) for sample in scores]


def _per_group(table: MetricTable, key: str) -> bool:
    """Whether ``key`` is one group's value of a templated metric (``|`` breakdowns included)."""
    if "|" in key:
        return True
    described = table.describe(key)
    return described is not None and bool(described.parameters(key))


def table_metric(table: MetricTable, name: str) -> Metric:
    """One Inspect metric returning every metric of ``table`` (a dict; undefined = NaN). A
    per-group metric (a name filled from a placeholder: ``spearman_country_DK``, ``jsd|country=...``)
    that is undefined is left out rather than printed as ``nan``: Inspect's table of a WVS run was
    about 100 lines of ``nan`` for the countries a short run never reached."""

    @metric(name=name)
    def family_metrics() -> Metric:
        def compute(scores: list[SampleScore]) -> dict[str, float]:
            result = table.compute(records_of(scores))
            return {
                key: math.nan if value is None else float(value)
                for key, value in result.items()
                if value is not None or not _per_group(table, key)
            }

        return compute

    return family_metrics()
