"""``cultureval score cali FILE``: CALI outputs produced elsewhere.

Columns: ``pair_id`` (the 0-based row of the CALI file) or ``premise`` + ``hypothesis`` (a pair
whose text occurs twice matches its last row, as the published evaluation keeps it), ``culture``
(``us`` or ``in``: task ``cali_nli_<culture>``), and ``p_e``, ``p_n``, ``p_c`` (the model's
probabilities of entail, neutral, contradict; renormalised).

A pair's probabilities that are missing, not numbers, negative, infinite or all zero are an
error naming the line: the tasks score probabilities and have no unreadable answers, so such a
row can neither be scored nor dropped without changing the metric. The same pair given again by
the same model is counted (``duplicate``) and left out: the first row counts.
"""

from __future__ import annotations

import math

from cultureval.data_source import DataFileError
from cultureval.score import Rescored
from cultureval.tasks.cali import loader
from cultureval.tasks.cali.scoring import METRICS, score_distribution


def _probabilities(row: dict) -> list[float] | None:
    try:
        values = [float(row[column]) for column in ("p_e", "p_n", "p_c")]
    except (KeyError, TypeError, ValueError):
        return None
    if any(math.isnan(v) or math.isinf(v) or v < 0 for v in values) or sum(values) <= 0:
        return None
    return values


def _lookup(row: dict, by_id: dict[int, dict], by_text: dict[tuple[str, str], dict]) -> dict | None:
    if row.get("pair_id") not in (None, ""):
        try:
            return by_id.get(int(row["pair_id"]))
        except (TypeError, ValueError):
            return None
    return by_text.get((str(row.get("premise") or "").strip(), str(row.get("hypothesis") or "").strip()))


def rescore(rows_by_model: dict[str, list[dict]], task: str | None) -> dict[str, Rescored]:
    indexes = {}
    for culture in loader.CULTURES:
        docs, _ = loader.load(culture)
        indexes[culture] = ({d["pair_id"]: d for d in docs}, {(d["premise"], d["hypothesis"]): d for d in docs})
    return {model: _rescore_rows(rows, indexes) for model, rows in rows_by_model.items()}


def _rescore_rows(rows: list[dict], indexes: dict) -> Rescored:
    result = Rescored()
    seen: set[tuple[str, int]] = set()
    for row in rows:
        culture = str(row.get("culture") or "").strip().lower()
        if culture not in indexes:
            result.skip("", "unknown_culture")
            continue
        name = f"cali_nli_{culture}"
        doc = _lookup(row, *indexes[culture])
        if doc is None:
            result.skip(name, "no_such_pair")
            continue
        if (name, doc["pair_id"]) in seen:
            result.skip(name, "duplicate")
            continue
        seen.add((name, doc["pair_id"]))
        probabilities = _probabilities(row)
        if probabilities is None:
            shown = {column: str(row.get(column))[:24] for column in ("p_e", "p_n", "p_c")}
            raise DataFileError(
                f"{getattr(row, 'where', 'a row')}: pair {doc['pair_id']} has no usable probabilities {shown} "
                "(three finite numbers >= 0, not all zero)"
            )
        result.add(name, METRICS, score_distribution(doc, probabilities), doc)
    return result
