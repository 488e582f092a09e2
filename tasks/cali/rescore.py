"""``cultureval score cali FILE``: CALI outputs produced elsewhere.

Columns: ``pair_id`` (the 0-based row of the CALI file) or ``premise`` + ``hypothesis`` (a pair
whose text occurs twice matches its last row, as the published evaluation keeps it), ``culture``
(``us`` or ``in``: task ``cali_nli_<culture>``), and ``p_e``, ``p_n``, ``p_c`` (the model's
probabilities of entail, neutral, contradict; renormalised).
"""

from __future__ import annotations

import math

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
    for row in rows:
        culture = str(row.get("culture") or "").strip().lower()
        if culture not in indexes:
            result.skip("", "unknown_culture")
            continue
        name = f"cali_nli_{culture}"
        doc = _lookup(row, *indexes[culture])
        probabilities = _probabilities(row)
        if doc is None:
            result.skip(name, "no_such_pair")
        elif probabilities is None:
            result.skip(name, "bad_probabilities")
        else:
            result.add(name, METRICS, score_distribution(doc, probabilities), doc)
    return result
