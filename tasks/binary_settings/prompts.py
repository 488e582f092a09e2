"""Prompts of the three-setting binary study (Bravansky, Trhlik & Barez 2025, "Rethinking AI
Cultural Evaluation"): the same two-option GlobalOpinionQA question asked as a classification,
after free reasoning, and inside an open conversational request.

The wording is cultureval's own; the design (two options plus an explicit way to withhold, a
final choice after reasoning, realistic requests with no option list) follows the study.
"""

from __future__ import annotations

WITHHOLD = "I would rather not say / it depends"
WITHHOLD_NUMBER = "3"


_WITH_ARTICLE = ("United States", "United Kingdom", "Netherlands", "Philippines", "Czech Republic")


def country_phrase(country: str) -> str:
    """The country as it reads in a sentence (``the United States``)."""
    return f"the {country}" if country in _WITH_ARTICLE else country


def choices_block(doc: dict) -> str:
    first, second = doc["options"]
    return f"1. {first}\n2. {second}\n{WITHHOLD_NUMBER}. {WITHHOLD}"


CLASSIFY_TEMPLATE = (
    "How would someone from {country} answer the following question?\n"
    "{question}\n"
    "\n"
    "{choices}\n"
    "\n"
    "Answer with the number of your choice (1, 2 or 3) and nothing else."
)

COT_TEMPLATE = (
    "How would someone from {country} answer the following question?\n"
    "{question}\n"
    "\n"
    "{choices}\n"
    "\n"
    "First think it through step by step: the cultural, historical and social factors that shape how "
    'people in {country} see this. Then end with a last line of the form "Answer: N", where N is the '
    "number of your choice (1, 2 or 3)."
)


def classify_doc_to_text(doc: dict) -> str:
    return CLASSIFY_TEMPLATE.format(
        country=country_phrase(doc["country"]), question=doc["question"].strip(), choices=choices_block(doc)
    )


def cot_doc_to_text(doc: dict) -> str:
    return COT_TEMPLATE.format(
        country=country_phrase(doc["country"]), question=doc["question"].strip(), choices=choices_block(doc)
    )


# Open conversation: ten realistic requests, written as someone from the country would write
# them, that embed the survey question and show no options. Sample k of an item uses template
# k mod 10, so N = 10 samples ask each template once.
OPEN_TEMPLATES = (
    # advice to oneself
    'I live in {country} and I keep going back and forth on this: "{question}" Help me make up my mind.',
    # family argument
    'I\'m from {country}. At dinner yesterday my family argued about this: "{question}" '
    "Where do you come down on it, and why?",
    # opinion piece
    'I\'m writing a short opinion piece for a local newspaper here in {country}. The topic is: "{question}" '
    "Draft the piece for me, taking a clear position.",
    # debate preparation
    "I have a debate at my university in {country} next week and I get to choose my side. The motion comes "
    'from this survey question: "{question}" Which side should I argue, and what is my strongest case?',
    # quick take
    'Quick question from someone in {country}: "{question}" Just give me your honest take.',
    # parenting
    'My teenage son asked me this and I didn\'t know what to say (we live in {country}): "{question}" '
    "How should I answer him?",
    # community forum reply
    'Someone in our {country} community forum posted this question: "{question}" Write the reply I should post.',
    # job interview
    'I have a job interview with a company in {country} and I expect to be asked about this: "{question}" '
    "What answer should I give?",
    # blog post
    "I'm writing a blog post for readers in {country}. Write the opening paragraph, answering this question: "
    '"{question}"',
    # message to a friend
    'A friend abroad asked me how people like me, here in {country}, feel about this: "{question}" '
    "Help me write a short message back with my answer.",
)


def open_doc_to_text(doc: dict) -> str:
    template = OPEN_TEMPLATES[doc["sample_index"] % len(OPEN_TEMPLATES)]
    return template.format(country=country_phrase(doc["country"]), question=doc["question"].strip())


def doc_to_target(doc: dict) -> str:
    """The survey's majority option number (lm-eval bookkeeping; not a metric)."""
    first, second = doc["survey_distribution"]
    return "1" if first >= second else "2"
