"""The CultureBank judge: does an answer entail the cultural knowledge behind the question?

The judge reads the knowledge (``eval_whole_desc``), the question and the answer and is asked
for one word, Yes or No. The item's score is P(Yes) renormalised over Yes and No from the
judge's first-token log-probabilities when it exposes them, else 1/0 from its parsed reply.
Prompt version :data:`PROMPT_VERSION` is recorded in every result.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import asdict, dataclass

from cultureval.judge import FAILURE_TRANSPORT, FAILURE_UNPARSEABLE, JudgeCache, JudgeError, Transport, ask

logger = logging.getLogger(__name__)

PROMPT_VERSION = "entailment-v1"

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

_YES_NO_RE = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)


def entailment_prompt(question: str, answer: str, knowledge: str) -> str:
    return ENTAILMENT_PROMPT.format(question=question.strip(), answer=answer.strip(), knowledge=knowledge.strip())


def parse_yes_no(text: str) -> bool | None:
    """``True``/``False`` when the reply starts with the word Yes/No (any case, leading
    punctuation or whitespace allowed), else ``None``."""
    match = _YES_NO_RE.match(text)
    return None if match is None else match.group(1).lower() == "yes"


def yes_probability(first_token_logprobs: dict[str, float] | None) -> float | None:
    """P(Yes) renormalised over Yes and No from the first token's top log-probabilities.

    Tokens are compared after stripping whitespace and BPE markers (``Ġ``, ``▁``) and
    lowercasing; variants of the same word are summed. ``None`` when neither word is among
    the top tokens (the caller then falls back to the parsed text).
    """
    if not first_token_logprobs:
        return None
    mass = {"yes": 0.0, "no": 0.0}
    for token, logprob in first_token_logprobs.items():
        word = token.replace("Ġ", "").replace("▁", "").strip().lower()
        if word in mass and logprob is not None and math.isfinite(logprob):
            mass[word] += math.exp(logprob)
    total = mass["yes"] + mass["no"]
    return mass["yes"] / total if total > 0 else None


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
    judge exposes log-probabilities, else 1/0 from its parsed reply."""
    prompt = entailment_prompt(question, answer, knowledge)
    try:
        reply = await ask(
            transport,
            cache,
            PROMPT_VERSION,
            prompt,
            usable=lambda reply: (
                yes_probability(reply.first_token_logprobs) is not None or parse_yes_no(reply.text) is not None
            ),
            max_tokens=3,
            logprobs=logprobs,
        )
    except JudgeError as error:
        logger.warning("entailment judge failed: %s", error)
        return EntailmentJudgement(score=None, failure=FAILURE_TRANSPORT, detail=str(error))
    probability = yes_probability(reply.first_token_logprobs)
    if probability is not None:
        return EntailmentJudgement(score=probability, method="logprobs")
    verdict = parse_yes_no(reply.text)
    if verdict is None:
        return EntailmentJudgement(score=None, failure=FAILURE_UNPARSEABLE, detail=reply.text[:200])
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
