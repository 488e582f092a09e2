"""The CultureBank judge: does an answer entail the cultural knowledge behind the question?

The judge reads the knowledge (``eval_whole_desc``), the question and the answer and is asked
to "reply with exactly one word: Yes or No". A reply is a verdict only in that form
(:func:`parse_yes_no`: the word, any case, with surrounding whitespace and at most a final full
stop); anything else (``**No**``, ``Yes and no``, ``I cannot judge this.``) is an unparseable
reply, counted as a failure and never scored. The item's score is P(Yes) renormalised over Yes
and No from the log-probabilities of the judge's first generated token when that token is the
verdict word itself (:func:`yes_probability`), else 1/0 from the verdict. Prompt version
:data:`PROMPT_VERSION` is recorded in every result.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass

from cultureval.judge import FAILURE_UNPARSEABLE, JudgeCache, JudgeError, JudgeReply, Transport, ask
from cultureval.tasks.culturebank.family import PROMPT_VERSION  # declared with the family

logger = logging.getLogger(__name__)


ENTAILMENT_PROMPT = """You are checking whether an answer reflects a piece of cultural knowledge.

Cultural knowledge:
{knowledge}

Question asked by a user:
{question}

Answer given to the user:
<<<
{answer}
>>>

Does the answer entail the cultural knowledge, that is, is the knowledge stated or clearly implied by the answer's advice? Reply with exactly one word: Yes or No."""

_VERDICTS = {"yes": True, "no": False}
_BPE_MARKERS = ("Ġ", "▁")


def entailment_prompt(question: str, answer: str, knowledge: str) -> str:
    return ENTAILMENT_PROMPT.format(question=question.strip(), answer=answer.strip(), knowledge=knowledge.strip())


def parse_yes_no(text: str) -> bool | None:
    """``True``/``False`` when the reply is the one word the prompt asks for, Yes or No (any
    case; surrounding whitespace and one final full stop allowed), else ``None``: markdown
    (``**No**``), quotes, a second word (``Yes and no``, ``No, because``) or a refusal are not
    verdicts. Linear in the length of ``text``."""
    word = text.strip()
    word = word[:-1] if word.endswith(".") else word
    return _VERDICTS.get(word.lower()) if len(word) <= 3 else None


def _token_word(token: str) -> str:
    for marker in _BPE_MARKERS:
        token = token.replace(marker, "")
    return token.strip().lower()


def yes_probability(reply: JudgeReply) -> float | None:
    """P(Yes) renormalised over Yes and No, P(Yes) / (P(Yes) + P(No)), from the top
    log-probabilities of the judge's first generated token — only when the reply is a verdict
    (:func:`parse_yes_no`) and that first token is the verdict word itself (after stripping
    whitespace and the BPE markers ``Ġ``/``▁``, any case). Variants of a word (``Yes``,
    ``ĠYes``, ``yes``) are summed. ``None`` otherwise: the score then comes from the verdict
    alone. Computed relative to the largest log-probability, so no value overflows."""
    verdict = parse_yes_no(reply.text)
    top = reply.first_token_logprobs
    if verdict is None or not top or reply.first_token is None:
        return None
    if _VERDICTS.get(_token_word(reply.first_token)) is not verdict:
        return None
    words = {token: _token_word(token) for token in top}
    logprobs = [logprob for token, logprob in top.items() if words[token] in _VERDICTS]
    highest = max(logprobs)
    if highest == -math.inf:
        return None
    mass = {"yes": 0.0, "no": 0.0}
    for token, logprob in top.items():
        if words[token] in mass:
            mass[words[token]] += math.exp(logprob - highest)
    return mass["yes"] / (mass["yes"] + mass["no"])


@dataclass
class EntailmentJudgement:
    score: float | None
    method: str = ""  # "logprobs" or "text"
    failure: str | None = None
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


async def judge_entailment(
    transport: Transport,
    question: str,
    answer: str,
    knowledge: str,
    cache: JudgeCache | None = None,
    logprobs: bool = True,
) -> EntailmentJudgement:
    """Score in [0, 1] that ``answer`` entails ``knowledge``: P(Yes) over Yes/No when the
    judge's verdict token exposes log-probabilities (:func:`yes_probability`), else 1/0 from
    its verdict; a reply that is not a verdict is a counted ``unparseable`` failure."""
    prompt = entailment_prompt(question, answer, knowledge)
    try:
        reply = await ask(
            transport,
            cache,
            PROMPT_VERSION,
            prompt,
            usable=lambda reply: parse_yes_no(reply.text) is not None,
            max_tokens=3,
            logprobs=logprobs,
        )
    except JudgeError as error:
        logger.warning("entailment judge failed: %s", error)
        return EntailmentJudgement(score=None, failure=error.kind, detail=str(error))
    verdict = parse_yes_no(reply.text)
    if verdict is None:
        return EntailmentJudgement(score=None, failure=FAILURE_UNPARSEABLE, detail=reply.text[:200])
    probability = yes_probability(reply)
    if probability is not None:
        return EntailmentJudgement(score=probability, method="logprobs")
    return EntailmentJudgement(score=1.0 if verdict else 0.0, method="text")


async def judge_item(transport: Transport, cache: JudgeCache | None, doc: dict, response: str) -> tuple[dict, dict]:
    """Judge one logged answer: its record for :func:`~cultureval.tasks.culturebank.scoring.summarise`
    and its line for ``samples_judged_*.jsonl``."""
    judgement = await judge_entailment(transport, doc["eval_question"], response, doc["eval_whole_desc"], cache=cache)
    record = {
        "score": judgement.score,
        "topic": doc["topic"],
        "cultural_group": doc["cultural_group"],
        "empty_response": not response.strip(),
    }
    answer = None if judgement.score is None else f"{judgement.score:.3f}"
    line = {"topic": doc["topic"], "cultural_group": doc["cultural_group"], "answer": answer}
    return record, line | judgement.as_dict()
