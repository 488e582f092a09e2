"""The WVS-polarity judge: its prompt, its strict reply parser, and one judged item.

The judge reads the model's ten interview summaries and the topic's pro and con statements
(``stance_labels.json``) and answers ``{"labels": [...]}`` with one of ``pro``/``con``/``null``
per interview. Prompt version :data:`PROMPT_VERSION` is recorded in every result; change it
whenever the prompt changes, so cached replies of the old prompt are not reused.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass

from cultureval.judge import (
    FAILURE_UNPARSEABLE,
    FAILURE_WRONG_COUNT,
    JudgeCache,
    JudgeError,
    Transport,
    ask,
)
from cultureval.tasks.wvs_polarity.family import PROMPT_VERSION  # declared with the family
from cultureval.tasks.wvs_polarity.scoring import response_record

logger = logging.getLogger(__name__)


LABELS = ("pro", "con", "null")

POLARITY_PROMPT = """You are annotating survey interview summaries written by a language model.

Topic statements:
- PRO: {pro}
- CON: {con}

Below is a text that should contain {n} numbered interview summaries, possibly in a language other than English. For each interview 1 to {n}, decide whether the interviewee agrees with the PRO statement ("pro"), agrees with the CON statement ("con"), or takes neither side, is unclear, or is missing from the text ("null").

Text:
<<<
{response}
>>>

Answer with one JSON object and nothing else, exactly of the form
{{"labels": ["pro", "con", "null", ...]}}
with exactly {n} labels, in interview order."""


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys are all different (a repeated key is ambiguous: json keeps the last)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _DuplicateKey("a key is repeated")
    return found


def _unfenced(text: str) -> str:
    """The body of one Markdown code fence (```` ``` ```` or ```` ```json ````) around the whole
    text, else the text; linear in its length."""
    body = text.strip()
    if len(body) >= 6 and body.startswith("```") and body.endswith("```"):
        inner = body[3:-3]
        if inner[:4].lower() == "json":
            inner = inner[4:]
        return inner.strip()
    return body


def polarity_prompt(response: str, pro: str, con: str, n: int = 10) -> str:
    return POLARITY_PROMPT.format(pro=pro, con=con, n=n, response=response.strip())


def parse_polarity_labels(text: str, n: int = 10) -> tuple[list[str] | None, str | None]:
    """Strictly parse a polarity judgement.

    Accepted, as the prompt asks: one JSON object (optionally inside a single Markdown code
    fence) with the one key ``labels`` holding exactly ``n`` entries, each ``"pro"``, ``"con"``,
    ``"null"`` (any case, surrounding whitespace allowed) or JSON ``null``. Anything else is
    unparseable: prose or markdown around the object, another key beside ``labels``, a key
    given twice, an entry naming both sides (``"pro/con"``) or anything else. Returns
    ``(labels, None)`` with labels normalised to ``pro``/``con``/``null``, or ``(None, reason)``
    with reason ``"unparseable"`` or ``"wrong_count"``. Linear in the length of ``text``.
    """
    try:
        payload = json.loads(_unfenced(text), object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        return None, FAILURE_UNPARSEABLE
    if not isinstance(payload, dict) or set(payload) != {"labels"} or not isinstance(payload["labels"], list):
        return None, FAILURE_UNPARSEABLE
    labels = []
    for entry in payload["labels"]:
        if entry is None:
            labels.append("null")
        elif isinstance(entry, str) and entry.strip().lower() in LABELS:
            labels.append(entry.strip().lower())
        else:
            return None, FAILURE_UNPARSEABLE
    if len(labels) != n:
        return None, FAILURE_WRONG_COUNT
    return labels, None


@dataclass
class PolarityJudgement:
    labels: list[str] | None
    failure: str | None = None
    detail: str = ""
    n_pro: int = 0
    n_con: int = 0
    n_null: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


async def judge_polarity(
    transport: Transport, response: str, pro: str, con: str, n: int = 10, cache: JudgeCache | None = None
) -> PolarityJudgement:
    """Label each of the ``n`` interviews in ``response`` pro/con/null; failures are returned, not raised."""
    prompt = polarity_prompt(response, pro, con, n)
    try:
        reply = await ask(
            transport,
            cache,
            PROMPT_VERSION,
            prompt,
            usable=lambda reply: parse_polarity_labels(reply.text, n)[0] is not None,
            max_tokens=32 + 8 * n,
            json_mode=True,
        )
    except JudgeError as error:
        logger.warning("polarity judge failed: %s", error)
        return PolarityJudgement(labels=None, failure=error.kind, detail=str(error))
    labels, failure = parse_polarity_labels(reply.text, n)
    if labels is None:
        return PolarityJudgement(labels=None, failure=failure, detail=reply.text[:200])
    return PolarityJudgement(
        labels=labels, n_pro=labels.count("pro"), n_con=labels.count("con"), n_null=labels.count("null")
    )


async def judge_item(transport: Transport, cache: JudgeCache | None, doc: dict, response: str) -> tuple[dict, dict]:
    """Judge one logged response: its record for :func:`~cultureval.tasks.wvs_polarity.scoring.summarise`
    and its line for ``samples_judged_*.jsonl`` (labels, counts, failure kind and detail)."""
    judgement = await judge_polarity(transport, response, doc["pro_statement"], doc["con_statement"], cache=cache)
    record = response_record(doc, response) | {
        "n_pro": judgement.n_pro,
        "n_con": judgement.n_con,
        "parsed": judgement.labels is not None,
    }
    answer = " ".join(judgement.labels) if judgement.labels else None
    line = {"question_key": doc["question_key"], "wrong_language": record["wrong_language"], "answer": answer}
    return record, line | judgement.as_dict()
