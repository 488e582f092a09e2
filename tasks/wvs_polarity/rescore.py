"""``cultureval score wvs_polarity FILE``: WVS-polarity judgements produced elsewhere, such as
the study's released per-response scores (``output/all_lang_model_responses_with_scores.csv``).

Columns: ``language`` (the prompt's: en, da, nl, pt; task ``wvs_polarity_<language>``),
``question_key`` (the WVS variable, any case), and ``response_pro_score`` (pro / (pro + con) of
one response) or ``n_pro`` + ``n_con``; optional ``response_language`` (a response in another
language than the prompt's is left out of the correlations, as in the study) and
``template_type`` (rows of another type than the scored ``survey_hypothetical`` are unmatched).
"""

from __future__ import annotations

import math

from cultureval.score import Rescored
from cultureval.tasks.wvs_polarity.loader import LANGUAGES, TEMPLATE_TYPE
from cultureval.tasks.wvs_polarity.scoring import METRICS


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _record(row: dict, language: str) -> dict | str:
    """The response's record, or why the row cannot be one."""
    key = str(row.get("question_key") or "").strip().lower()
    if not key:
        return "no_question_key"
    record: dict[str, object] = {"question_key": key, "language": language, "template_id": None}
    response_language = str(row.get("response_language") or "").strip().lower()
    record["wrong_language"] = (response_language != language) if response_language else None
    if row.get("response_pro_score") not in (None, ""):
        score = _number(row["response_pro_score"])
        if score is None or not 0 <= score <= 1:
            return "bad_pro_score"
        return record | {"response_pro_score": score, "parsed": True}
    n_pro, n_con = _number(row.get("n_pro")), _number(row.get("n_con"))
    if n_pro is None or n_con is None or n_pro < 0 or n_con < 0:
        return "no_pro_score_or_counts"
    return record | {"n_pro": int(n_pro), "n_con": int(n_con), "parsed": True}


def rescore(rows_by_model: dict[str, list[dict]], task: str | None) -> dict[str, Rescored]:
    return {model: _rescore_rows(rows) for model, rows in rows_by_model.items()}


def _rescore_rows(rows: list[dict]) -> Rescored:
    result = Rescored()
    for row in rows:
        language = str(row.get("language") or "").strip().lower()
        if language not in LANGUAGES:
            result.skip("", "unknown_language")
            continue
        name = f"wvs_polarity_{language}"
        if row.get("template_type") not in (None, "", TEMPLATE_TYPE):
            result.skip(name, "other_template_type")
            continue
        record = _record(row, language)
        if isinstance(record, str):
            result.skip(name, record)
        else:
            result.add(name, METRICS, record, dict(row))
    return result
