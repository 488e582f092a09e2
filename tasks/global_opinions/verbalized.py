"""The verbalised expression mode (Meister et al. 2025: models describe distributions better
than they sample them): ``global_opinion_verbalized`` (+ ``_6c``). The model writes a JSON
object option → probability (:data:`VERBALIZED_TEMPLATE`), read strictly
(:func:`read_json_distribution`); an unreadable answer is scored as the other written
elicitations score one (``parse_rate``, ``jsd_strict``).
"""

from __future__ import annotations

import json
import math

VERBALIZED_TEMPLATE = (
    "How would people in {country} answer the following survey question?\n"
    "\n"
    "Question: {question}\n"
    "Options: {options}\n"
    "\n"
    "Reply with a JSON object only: each option, exactly as written above, mapped to the share of people "
    "in {country} who would choose it, as a probability; the probabilities sum to 1."
)


def verbalized_doc_to_text(doc: dict) -> str:
    return VERBALIZED_TEMPLATE.format(
        country=doc["country"], question=doc["question"], options=json.dumps(list(doc["options"]), ensure_ascii=False)
    )


MAX_ANSWER_CHARS = 100_000
SUM_TOLERANCE = 0.01


def _fenced(text: str) -> str:
    """The body of one Markdown code fence around the whole answer, else the answer."""
    body = text.strip()
    if body.startswith("```") and body.endswith("```") and len(body) >= 6:
        body = body[3:-3]
        first_line, _, rest = body.partition("\n")
        if first_line.strip().lower() in ("", "json"):
            body = rest
    return body.strip()


class _RepeatedKey(ValueError):
    pass


def _pairs_without_repeats(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys differ after stripping and case folding: a key given twice is
    ambiguous (``json`` would keep the last silently)."""
    found = {str(key).strip().lower(): value for key, value in pairs}
    if len(found) != len(pairs):
        raise _RepeatedKey("a key is given twice")
    return found


def read_json_distribution(text: str, options: list[str]) -> list[float] | None:
    """The distribution a verbalised answer states, read strictly, or ``None``.

    The answer (after whitespace and one enclosing Markdown code fence) must be one JSON object
    whose keys are exactly the options (compared after stripping whitespace, case-insensitive),
    each given once and mapped to a finite number ≥ 0, summing to 1 within 0.01. Anything else —
    prose around the object, a missing, extra or repeated option, percentages, a sum off by more,
    a number too large for a float (``1e400``, or an integer of 400 digits) — is unreadable.
    Never raises on any text; linear in its length (at most :data:`MAX_ANSWER_CHARS` read).
    """
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        return None
    try:
        # integers read as floats: float() of a long digit string is inf (unreadable below),
        # where int() of it would overflow in every later float operation
        parsed = json.loads(_fenced(text), parse_int=float, object_pairs_hook=_pairs_without_repeats)
    except (ValueError, RecursionError):  # RecursionError: deeply nested brackets
        return None
    if not isinstance(parsed, dict):
        return None
    wanted = [str(option).strip().lower() for option in options]
    if set(parsed) != set(wanted) or len(set(wanted)) != len(wanted):
        return None
    values = [parsed[key] for key in wanted]
    if not all(isinstance(v, float) and math.isfinite(v) and v >= 0 for v in values):
        return None
    if abs(sum(values) - 1.0) > SUM_TOLERANCE or sum(values) <= 0:
        return None
    return [float(v) / sum(values) for v in values]
