"""Means, standard errors, counts and rates over per-item values (pure Python/NumPy).

"Undefined" is ``None`` in per-item values (an unreadable answer, a failed judgement) and
``nan`` in results until a writer turns it into JSON ``null`` (:func:`nan_to_none`). These are
the only copies of these helpers: lm-eval aggregations, Inspect metrics, ``cultureval judge``
and the report all call them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def is_defined(value) -> bool:
    """``False`` for ``None`` and NaN, ``True`` for any other number or object."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def defined(values: Iterable) -> list:
    """The values that are neither ``None`` nor NaN, in order."""
    return [value for value in values if is_defined(value)]


def mean_defined(values: Iterable) -> float:
    """Mean of the defined values; NaN when none is defined."""
    kept = [float(value) for value in defined(values)]
    return sum(kept) / len(kept) if kept else math.nan


def stderr(values: Sequence[float]) -> float:
    """Standard error of the mean of the defined values: sample standard deviation (ddof=1)
    divided by ``sqrt(n)``, as lm-eval's ``mean_stderr`` reports it. NaN for fewer than two."""
    kept = [float(value) for value in defined(values)]
    n = len(kept)
    if n < 2:
        return math.nan
    mean = sum(kept) / n
    return math.sqrt(sum((value - mean) ** 2 for value in kept) / (n - 1) / n)


def count_true(values: Iterable) -> int:
    """How many values are truthy (``None`` and NaN count as false)."""
    return int(sum(bool(value) for value in defined(values)))


def rate(values: Iterable) -> float:
    """Share of truthy values among the defined ones; NaN when none is defined."""
    kept = [bool(value) for value in defined(values)]
    return sum(kept) / len(kept) if kept else math.nan


def nan_to_none(value):
    """``None`` for NaN, the value otherwise (JSON has no NaN)."""
    return None if isinstance(value, float) and math.isnan(value) else value


def none_to_nan(value) -> float:
    """A float for a number, NaN for ``None`` (Inspect's score values must be numbers)."""
    return math.nan if value is None else float(value)
