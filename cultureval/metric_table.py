"""A family's metric names, declared once.

Every task family scores an item into a *record* (a dict of numbers, ``None`` for undefined,
and identity fields such as the country) and declares its metrics in one :class:`MetricTable`.
The table is what both harnesses, ``cultureval judge``, ``cultureval score`` and the report read:

- lm-eval: the YAML's ``metric_list`` is :meth:`MetricTable.lm_eval_metric_list` (through
  ``!function``) and ``process_results`` returns :meth:`MetricTable.lm_eval_results`;
- Inspect: one metric (:func:`cultureval.scorers.records.table_metric`) returns
  :meth:`MetricTable.compute` over the records of all samples;
- ``cultureval judge`` writes :attr:`MetricTable.summary` of the judged records;
- the report reads each metric's direction and description (:meth:`MetricTable.describe`);
- ``cultureval export`` reads each metric's kind, bounds and uncertainty method: only ``score``
  metrics are exported as scored results; ``count`` metrics (facts about the run, no
  direction) and ``diagnostic`` ones (parse rates, coverage) ride along as details.

An aggregation is either ``"mean"`` (lm-eval's own mean, which gets lm-eval's standard error;
:meth:`compute` adds ``<name>_stderr`` the same way) or a function of the list of per-item
values. A metric whose name holds ``{...}`` is a family of names produced by the summary
(``spearman_country_{country}``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cultureval.metrics.aggregate import mean_defined, stderr

MEAN = "mean"

# what a metric is (Metric.kind)
SCORE = "score"  # a result a leaderboard may rank on: it has a direction and bounds
COUNT = "count"  # a fact about the run (items scored, ties, failures): no direction
DIAGNOSTIC = "diagnostic"  # how well the run went (parse rate, letter coverage): never ranked on
KINDS = (SCORE, COUNT, DIAGNOSTIC)

# bounds shared by many metrics
UNIT = (0.0, 1.0)  # shares, distances in [0, 1] (JS distance base 2, total variation), F1
CORRELATION = (-1.0, 1.0)  # Pearson r, Spearman ρ


@dataclass(frozen=True)
class Metric:
    """One metric: its name, direction, meaning, how it is aggregated over items, what kind of
    number it is, its range and how its uncertainty is computed.

    ``kind``: :data:`SCORE` (direction and bounds required), :data:`COUNT` (no direction: lm-eval's
    ``higher_is_better`` gets ``None``, which lm-eval 0.4/0.5 print as no arrow) or
    :data:`DIAGNOSTIC`. ``bounds``: ``(low, high)``, the metric's mathematical range (a bound
    may be ``math.inf``); ``None`` for counts. ``interval``: how the summary's
    ``<name>_ci_low``/``<name>_ci_high`` were computed, for metrics that carry them; ``stderr``:
    the method of a summary's ``<name>_stderr`` (:attr:`stderr_method` otherwise derives it).
    Raises ``ValueError`` for a count with a direction, a score without one, or an aggregation
    named by any string but ``"mean"``.
    """

    name: str
    higher_is_better: bool | None
    description: str
    # "mean", a function of the per-item values, or None for a name the summary produces
    aggregation: str | Callable[[list], Any] | None = MEAN
    # how an item's value is taken from its record (default: ``record[name]``)
    item: Callable[[dict], Any] | None = None
    # False for Inspect-only metrics (e.g. letter_coverage: lm-eval scores every letter)
    lm_eval: bool = True
    kind: str = SCORE
    bounds: tuple[float, float] | None = None
    interval: str = ""
    # how the summary computes ``<name>_stderr`` for a metric no aggregation computes
    stderr: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.aggregation, str) and self.aggregation != MEAN:
            raise ValueError(f"metric {self.name}: aggregation {self.aggregation!r} is neither {MEAN!r} nor a function")
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.kind == COUNT and self.higher_is_better is not None:
            raise ValueError(f"metric {self.name}: a count has no direction (higher_is_better=None)")
        if self.kind == SCORE and not isinstance(self.higher_is_better, bool):
            raise ValueError(f"metric {self.name}: a score needs a direction (higher_is_better True or False)")

    @property
    def stderr_method(self) -> str:
        """How the ``<name>_stderr`` beside this metric is computed: ``analytic`` for a mean (sample
        standard deviation / √n, lm-eval's ``mean_stderr``; :func:`cultureval.metrics.aggregate.stderr`),
        ``bootstrap`` for any other aggregation (lm-eval 0.5 bootstraps those; 0.4 reports none);
        a summary's own method where the metric declares one (``stderr``)."""
        if self.stderr:
            return self.stderr
        return "analytic" if self.aggregation == MEAN else "bootstrap"

    def parameters(self, name: str) -> dict[str, str]:
        """The values a concrete ``name`` gives this metric's placeholders
        (``spearman_country_{country}`` and ``spearman_country_DK`` -> ``{"country": "DK"}``);
        empty for a metric without placeholders or a name it does not match."""
        if "{" not in self.name:
            return {}
        keys = re.findall(r"\{([^}]*)\}", self.name)
        match = re.fullmatch(self._pattern("([^_]+)"), name)
        return dict(zip(keys, match.groups())) if match else {}

    def _pattern(self, part: str) -> str:
        # a placeholder stands for one name part: no underscore ("us_bias_{country}" is not
        # "us_bias_random_adjusted")
        escaped = re.escape(self.name).replace(r"\{", "{").replace(r"\}", "}")
        return re.sub(r"\{[^}]*\}", part, escaped)

    def item_value(self, record: dict) -> Any:
        return self.item(record) if self.item is not None else record.get(self.name)

    def matches(self, name: str) -> bool:
        if "{" not in self.name:
            return name == self.name
        return re.fullmatch(self._pattern("[^_]+"), name) is not None


@dataclass(frozen=True)
class Breakdown:
    """Mean of a record field per group, named ``template.format(group)`` (Inspect only:
    lm-eval results carry no per-group keys; the report derives them from samples)."""

    field: str
    by: str
    template: str


class LmEvalMetricList(list):
    """lm-eval's ``metric_list`` (a plain list to lm-eval) that remembers its table, so generic
    code finds a task's table from its YAML (:func:`cultureval.families.table_of`)."""

    def __init__(self, items=(), table: MetricTable | None = None):
        # lm-eval copies its config with dataclasses.asdict, which rebuilds lists from items only
        super().__init__(items)
        self.table = table


@dataclass(frozen=True)
class MetricTable:
    metrics: tuple[Metric, ...]
    breakdowns: tuple[Breakdown, ...] = ()
    # corpus-level metrics computed from all records at once (judged families), merged last;
    # called as ``summary(records, seed=...)`` (the seed of any resampling)
    summary: Callable[..., dict] | None = None
    headline: str = ""  # the task's main metric (report, leaderboard summary)
    parse_metric: str = ""  # the share of readable answers shown beside the headline
    # the metric the report ranks runs by, in its own direction (culture_sim for the jsd tasks;
    # country_sim_gap, lower is better, for default prompting); empty: the headline. It must
    # have a direction (higher_is_better True or False)
    leaderboard: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [metric.name for metric in self.metrics]

    @property
    def leaderboard_metric(self) -> str:
        return self.leaderboard or self.headline

    def describe(self, name: str) -> Metric | None:
        """The metric named ``name`` (or the pattern it belongs to); ``<name>_stderr`` and
        other suffixes of a known metric are not described."""
        for metric in self.metrics:
            if metric.matches(name):
                return metric
        return None

    def lm_eval_metric_list(self) -> LmEvalMetricList:
        """lm-eval's ``metric_list``: the metrics aggregated per item."""
        items = [
            {"metric": m.name, "aggregation": m.aggregation, "higher_is_better": m.higher_is_better}
            for m in self.metrics
            if m.aggregation is not None and m.lm_eval
        ]
        return LmEvalMetricList(items, self)

    def lm_eval_results(self, record: dict) -> dict:
        """lm-eval ``process_results`` output: each aggregated metric's per-item value."""
        return {m.name: m.item_value(record) for m in self.metrics if m.aggregation is not None and m.lm_eval}

    def compute(self, records: Sequence[dict], lm_eval_only: bool = False, seed: int = 0) -> dict[str, Any]:
        """Every metric over ``records``, as lm-eval aggregates them (``<name>_stderr`` beside a
        mean), plus the breakdowns and the summary (``seed`` seeds its resampling);
        ``lm_eval_only``: without Inspect-only metrics and breakdowns (what an lm-eval results
        file, with its judged additions, holds). Undefined values are NaN."""
        result: dict[str, Any] = {}
        for metric in self.metrics:
            if metric.aggregation is None or (lm_eval_only and not metric.lm_eval):
                continue
            values = [metric.item_value(record) for record in records]
            if metric.aggregation == MEAN:
                result[metric.name] = mean_defined(values)
                result[f"{metric.name}_stderr"] = stderr(values)
            elif callable(metric.aggregation):  # __post_init__ admits no other string than MEAN
                result[metric.name] = metric.aggregation(values)
        for breakdown in () if lm_eval_only else self.breakdowns:
            groups: dict[str, list] = defaultdict(list)
            for record in records:
                groups[str(record.get(breakdown.by))].append(record.get(breakdown.field))
            for group in sorted(groups):
                result[breakdown.template.format(group)] = mean_defined(groups[group])
        if self.summary is not None:
            result.update(self.summary(list(records), seed=seed))
        return result


def group_metric_list(names: Sequence[str]) -> list[dict]:
    """lm-eval's ``aggregate_metric_list`` of a group: the unweighted mean over its tasks of
    each metric in ``names`` (a family names only metrics that average meaningfully)."""
    return [{"metric": name, "aggregation": MEAN, "weight_by_size": False} for name in names]
