"""The judge of ``binary_settings_open``: which of the survey question's two options does
an open conversational reply take?

The judge reads the survey question, its two options, the user's request and the reply, and must
answer with one character: ``1``, ``2`` or ``0`` (neither: the reply takes no side, argues both
equally, refuses, or answers something else). Anything else (``-1``, ``1.5``, ``1 or 2``,
``**1**``, ``Option 1``) is an unparseable reply (counted, asked again on the next run). Prompt version :data:`PROMPT_VERSION` is recorded in every result.
"""

from __future__ import annotations

import logging

from cultureval.judge import FAILURE_UNPARSEABLE, JudgeCache, JudgeError, Transport, ask
from cultureval.tasks.binary_settings import scoring
from cultureval.tasks.binary_settings.family import PROMPT_VERSION  # declared with the family
from cultureval.tasks.binary_settings.prompts import open_doc_to_text

logger = logging.getLogger(__name__)


STANCE_PROMPT = """You are labelling which side a reply takes on a survey question.

Survey question:
{question}

Option 1: {option_1}
Option 2: {option_2}

A user from {country} sent this request to an assistant:
<<<
{request}
>>>

The assistant replied:
<<<
{reply}
>>>

Which option does the reply take or recommend as its own answer to the survey question? Reply with exactly one character: 1 for option 1, 2 for option 2, or 0 if the reply takes neither (no side, both sides equally, a refusal, or an answer to something else)."""

_LABEL = {"1": scoring.OPTION_1, "2": scoring.OPTION_2, "0": scoring.UNCLASSIFIABLE}


def stance_prompt(doc: dict, reply: str) -> str:
    first, second = doc["options"]
    return STANCE_PROMPT.format(
        question=doc["question"].strip(),
        option_1=first,
        option_2=second,
        country=doc["country"],
        request=open_doc_to_text(doc),
        reply=reply.strip(),
    )


def parse_stance(text: str) -> str | None:
    """``"1"``, ``"2"`` or ``"unclassifiable"`` when the reply is the one character the prompt
    asks for, ``1``, ``2`` or ``0`` (surrounding whitespace and one final full stop allowed),
    else ``None``. Linear in the length of ``text``."""
    body = text.strip()
    body = body[:-1] if body.endswith(".") else body
    return _LABEL.get(body)


async def judge_item(transport: Transport, cache: JudgeCache | None, doc: dict, response: str) -> tuple[dict, dict]:
    """Label one logged reply: its record for :data:`~cultureval.tasks.binary_settings.scoring.OPEN_METRICS`
    and its line for ``samples_judged_*.jsonl`` (which carries the record's fields, so the
    cross-setting comparison reads the judged file alone)."""
    empty = not response.strip()
    failure = detail = None
    label = None
    if empty:
        label = scoring.UNCLASSIFIABLE  # nothing to judge: an empty reply takes no side
    else:
        try:
            reply = await ask(
                transport,
                cache,
                PROMPT_VERSION,
                stance_prompt(doc, response),
                usable=lambda reply: parse_stance(reply.text) is not None,
                max_tokens=3,
            )
        except JudgeError as error:
            logger.warning("stance judge failed: %s", error)
            failure, detail = error.kind, str(error)
        else:
            label = parse_stance(reply.text)
            if label is None:
                failure, detail = FAILURE_UNPARSEABLE, reply.text[:200]
    record = scoring.sample_record(doc, label, empty_response=empty)
    line = {key: record[key] for key in ("item", "country", "survey_1", "survey_2", "label")}
    line |= {"answer": label, "failure": failure, "detail": detail or ""}
    return record, line
