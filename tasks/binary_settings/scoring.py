"""Scoring of the three-setting binary study: reading a sampled answer, per-item tallies, and
the metric tables.

Every setting draws N answers (one document each) per (question, country) item. A sample's
*label* is ``"1"`` / ``"2"`` (an option), ``"withheld"`` (the explicit third choice),
``"unreadable"`` (classification / reasoning: no strict answer) or ``"unclassifiable"`` (open
conversation: the judge maps the reply to neither option); ``None`` when a judge call failed
(counted, left out). Per item, with counts ``c1, c2`` of the options, ``c_w`` withheld,
``c_u`` unreadable/unclassifiable and ``n`` labelled samples, and survey shares ``s1, s2``:

* ``jsd``: JS distance (base 2) between ``(c1, c2) / (c1 + c2)`` and ``(s1, s2)``; undefined
  when no sample chose an option;
* ``jsd_strict``: JS distance between ``(c1, c2, c_w + c_u) / n`` and ``(s1, s2, 0)`` — a
  non-answer is mass on an outcome no respondent chose;
* ``majority_agreement``: 1 when the model's modal option is the survey's majority option, 0
  when it is the other, 0.5 for a tie ``c1 = c2``; undefined when no sample chose an option or
  the survey is split exactly;
* ``majority_agreement_strict``: the same verdict over all ``n`` labelled samples with the
  non-answers ``c_w + c_u`` as a third outcome: 1 when the survey's majority option is the only
  modal outcome, 0 when it is not among the modal outcomes, ``1/m`` when it ties with ``m - 1``
  others; withheld and unreadable samples count against the model (one readable sample out of
  ten no longer counts as ten of ten); undefined only when the survey is split exactly;
* ``withhold_rate`` = ``c_w / n``; ``unclassifiable_rate`` = ``c_u / n``.

Metrics are means over items of these per-item values. A sample's value, as both harnesses log
it, is ``[item, country, s1, s2, label]``; the aggregations group those by item.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from cultureval.metric_table import COUNT, DIAGNOSTIC, SCORE, UNIT, Metric, MetricTable
from cultureval.metrics import js_distance
from cultureval.metrics.aggregate import count_true, mean_defined
from cultureval.tasks.binary_settings.prompts import WITHHOLD, WITHHOLD_NUMBER

OPTION_1, OPTION_2 = "1", "2"
WITHHELD = "withheld"
UNREADABLE = "unreadable"
UNCLASSIFIABLE = "unclassifiable"
LABELS = (OPTION_1, OPTION_2, WITHHELD, UNREADABLE, UNCLASSIFIABLE)

# --- reading one answer strictly ----------------------------------------------------------

_DECORATION = " \t\r\n*_`\"'“”‘’"
_LEAD = re.compile(r"^(?:(?:the|my|final)\s+)?(?:answer|choice)\s*(?:is)?\s*[:：\-]?\s*", re.IGNORECASE)
_NUMBERED = re.compile(r"^\(?([1-9])\)?(?:\s*[.):\-]\s*|\s+|$)(.*)$", re.DOTALL)
_WITHHOLD_WORDS = {
    WITHHOLD.lower(),
    "i would rather not say",
    "it depends",
    "rather not say",
}


def _norm(text: str) -> str:
    return " ".join(text.strip(_DECORATION).rstrip(".!").strip(_DECORATION).split()).lower()


def read_choice(text: str, options: list[str]) -> str | None:
    """The choice one short answer makes, read strictly: ``"1"``, ``"2"``, ``"withheld"`` or
    ``None``.

    Accepted, after stripping whitespace, markdown emphasis, quotes, a final full stop and a
    leading ``Answer:`` / ``The answer is``: a choice number alone (``2``, ``(2)``, ``2.``), a number followed by
    its own choice's text (``2. Disapprove``), or a choice's text alone (``Disapprove``).
    Anything else — another number, a number with another choice's text, a sentence — is
    unreadable (``None``).
    """
    body = text.strip(_DECORATION)
    lead = _LEAD.match(body)
    body = body[lead.end() :].strip(_DECORATION) if lead else body
    texts = {OPTION_1: _norm(options[0]), OPTION_2: _norm(options[1]), WITHHELD: _norm(WITHHOLD)}
    numbered = _NUMBERED.match(body)
    if numbered:
        number, rest = numbered.group(1), _norm(numbered.group(2))
        choice = WITHHELD if number == WITHHOLD_NUMBER else number
        if choice not in texts:
            return None
        if not rest or rest == texts[choice] or (choice == WITHHELD and rest in _WITHHOLD_WORDS):
            return choice
        return None
    plain = _norm(body)
    for choice in (OPTION_1, OPTION_2):
        if plain == texts[choice]:
            return choice
    return WITHHELD if plain in _WITHHOLD_WORDS else None


# "answer:" read backwards: the last one is the reversed text's first, found without a pass
# over every earlier one; likewise the last line break
_REVERSED_ANSWER_LINE = re.compile(r"[:：]\s*rewsna", re.IGNORECASE)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # where str.splitlines splits


_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"


def read_final_choice(text: str, options: list[str]) -> str | None:
    """The choice at the end of a reasoned answer: the rest of the line after the last
    ``Answer:``, else the last non-empty line, read with :func:`read_choice`. Only the text
    after the last ``</think>`` is read when there is one; a ``<think>`` never closed (a reply
    cut off inside its reasoning) is unreadable, whatever answer the reasoning drafts, and so is
    a reply cut off before its answer line. Linear in the length of ``text``."""
    close = text.rfind(_THINK_CLOSE)
    if text.find(_THINK_OPEN, close + 1 if close >= 0 else 0) >= 0:
        return None
    text = text[close + len(_THINK_CLOSE) :] if close >= 0 else text
    backwards = text[::-1]
    last = _REVERSED_ANSWER_LINE.search(backwards)
    if last is not None:
        start = len(text) - last.start()
        end = text.find("\n", start)
        return read_choice(text[start : end if end >= 0 else len(text)], options)
    body = text.rstrip()
    if not body:
        return None
    return read_choice(body[max(body.rfind(mark) for mark in _LINE_BREAKS) + 1 :], options)


def choice_label(choice: str | None) -> str:
    return UNREADABLE if choice is None else choice


# --- a sample's record and value ------------------------------------------------------------


def item_key(doc: dict) -> str:
    return f"{doc['question_id']}|{doc['country']}"


def sample_record(doc: dict, label: str | None, **extra) -> dict:
    """The record of one sampled answer (both harnesses, the judge)."""
    first, second = doc["survey_distribution"]
    return {
        "item": item_key(doc),
        "country": doc["country"],
        "survey_1": float(first),
        "survey_2": float(second),
        "label": label,
    } | extra


def sample_value(record: dict) -> tuple:
    """The value a sample contributes to every aggregation: ``(item, country, s1, s2, label)``
    (a tuple: lm-eval 0.5 reads a list returned by ``process_results`` as several scores of
    one document; logged as a JSON list)."""
    return (record["item"], record["country"], record["survey_1"], record["survey_2"], record["label"])


# --- per-item tallies and metrics -------------------------------------------------------------


@dataclass
class ItemTally:
    item: str
    country: str
    survey: tuple[float, float]
    counts: Counter

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def option_counts(self) -> tuple[int, int]:
        return self.counts[OPTION_1], self.counts[OPTION_2]

    @property
    def non_answers(self) -> int:
        return self.counts[WITHHELD] + self.counts[UNREADABLE] + self.counts[UNCLASSIFIABLE]

    def verdict(self) -> str:
        """The model's modal option: ``"1"``, ``"2"``, ``"tie"`` or ``"none"`` (no option chosen)."""
        c1, c2 = self.option_counts
        if c1 + c2 == 0:
            return "none"
        return "tie" if c1 == c2 else (OPTION_1 if c1 > c2 else OPTION_2)

    def survey_majority(self) -> str | None:
        s1, s2 = self.survey
        return None if s1 == s2 else (OPTION_1 if s1 > s2 else OPTION_2)

    def strict_agreement(self, majority: str | None) -> float | None:
        """The survey majority's share of the modal outcomes among option 1, option 2 and
        non-answer (withheld, unreadable, unclassifiable together): 1, 0 or ``1/m`` for an
        ``m``-way tie; ``None`` when the survey is split exactly."""
        if majority is None:
            return None
        outcomes = {OPTION_1: self.counts[OPTION_1], OPTION_2: self.counts[OPTION_2], "non-answer": self.non_answers}
        top = max(outcomes.values())
        modal = [outcome for outcome, count in outcomes.items() if count == top]
        return (majority in modal) / len(modal)

    def metrics(self) -> dict[str, float | None]:
        c1, c2 = self.option_counts
        n = self.n
        if n == 0:  # every judgement failed: nothing is known about the item
            return dict.fromkeys(ITEM_METRICS)
        survey = list(self.survey)
        verdict, majority = self.verdict(), self.survey_majority()
        if verdict == "none" or majority is None:
            agreement = None
        else:
            agreement = 0.5 if verdict == "tie" else float(verdict == majority)
        return {
            "jsd": js_distance([c1, c2], survey) if c1 + c2 else None,
            "jsd_strict": js_distance([c1, c2, self.non_answers], survey + [0.0]),
            "majority_agreement": agreement,
            "majority_agreement_strict": self.strict_agreement(majority),
            "withhold_rate": self.counts[WITHHELD] / n,
            "unclassifiable_rate": (self.counts[UNREADABLE] + self.counts[UNCLASSIFIABLE]) / n,
        }


ITEM_METRICS = (
    "jsd",
    "jsd_strict",
    "majority_agreement",
    "majority_agreement_strict",
    "withhold_rate",
    "unclassifiable_rate",
)


def tallies(values: list) -> list[ItemTally]:
    """Per-item tallies from sample values (``[item, country, s1, s2, label]``), in first-seen
    order; a sample whose label is ``None`` (failed judgement) is left out of its item's counts."""
    found: dict[str, ItemTally] = {}
    for value in values:
        if value is None:
            continue
        item, country, first, second, label = value
        tally = found.setdefault(item, ItemTally(item, country, (float(first), float(second)), Counter()))
        if label is not None:
            if label not in LABELS:
                raise ValueError(f"sample of {item}: unknown label {label!r}")
            tally.counts[label] += 1
    return list(found.values())


def summarise(values: list) -> dict[str, float]:
    """Every metric over the sample values, and per country (``<metric>|country=<name>``)."""
    items = tallies(values)
    per_item = [tally.metrics() for tally in items]
    result: dict[str, float] = {name: mean_defined(m[name] for m in per_item) for name in ITEM_METRICS}
    labelled = sum(tally.n for tally in items)
    readable = sum(tally.n - tally.counts[UNREADABLE] - tally.counts[UNCLASSIFIABLE] for tally in items)
    result["readable_rate"] = readable / labelled if labelled else math.nan
    result["n_items"] = len(items)
    result["n_samples"] = sum(tally.n for tally in items)
    result["n_no_option"] = sum(tally.n > 0 and tally.verdict() == "none" for tally in items)
    by_country: dict[str, list[dict]] = defaultdict(list)
    for tally, metrics in zip(items, per_item):
        by_country[tally.country].append(metrics)
    for country in sorted(by_country):
        for name in ("majority_agreement", "jsd", "withhold_rate", "unclassifiable_rate"):
            result[f"{name}|country={country}"] = mean_defined(m[name] for m in by_country[country])
    return result


class Aggregate:
    """One metric of :func:`summarise` as an lm-eval aggregation (a class, so lm-eval 0.5 can
    pickle it into its bootstrap pool)."""

    def __init__(self, name: str):
        self.name = name
        self.__name__ = f"binary_{name}"

    def __call__(self, values: list) -> float:
        return summarise(values)[self.name]


def _value(record: dict) -> tuple:
    return sample_value(record)


def _records_summary(records: list[dict], seed: int = 0) -> dict:
    """Inspect / ``cultureval judge``: the per-country breakdown (and, for judged settings,
    every metric) from the samples' records."""
    result = summarise([sample_value(record) for record in records])
    return {key: None if isinstance(value, float) and math.isnan(value) else value for key, value in result.items()}


DESCRIPTIONS = {
    "jsd": "JS distance (base 2) of the model's option shares, renormalised over the two options, to the "
    "survey's; mean over items with an option answer",
    "jsd_strict": "JS distance with non-answers as a third outcome the survey gives 0; mean over items",
    "majority_agreement": "share of items whose modal sampled option is the survey's majority option (tie = 0.5)",
    "majority_agreement_strict": "majority_agreement over all samples, withheld and unreadable ones a third outcome "
    "that counts against the model (an m-way tie = 1/m)",
    "withhold_rate": "share of samples that chose to withhold (option 3)",
    "unclassifiable_rate": "share of samples with no readable answer (judged settings: mapped to neither option)",
    "readable_rate": "share of samples with a readable answer (an option or withholding; judged: an option)",
    "n_items": "(question, country) items",
    "n_samples": "sampled answers (failed judgements left out)",
    "n_no_option": "items where no sample chose an option",
}
# name: (higher is better, kind); every share and distance here lies in [0, 1]
HIGHER = {
    "jsd": (False, SCORE),
    "jsd_strict": (False, SCORE),
    "majority_agreement": (True, SCORE),
    "majority_agreement_strict": (True, SCORE),
    "withhold_rate": (None, DIAGNOSTIC),  # a choice the setting offers, neither good nor bad
    "unclassifiable_rate": (False, DIAGNOSTIC),
    "readable_rate": (True, DIAGNOSTIC),
    "n_items": (None, COUNT),
    "n_samples": (None, COUNT),
    "n_no_option": (None, COUNT),
}


def _metric(name: str, description: str, aggregation, **options) -> Metric:
    higher, kind = HIGHER[name.split("|")[0]]
    return Metric(name, higher, description, aggregation, kind=kind, bounds=None if kind == COUNT else UNIT, **options)


COUNTRY_METRICS = tuple(
    _metric(f"{name}|country={{country}}", f"{name} per country", None)
    for name in ("majority_agreement", "jsd", "withhold_rate", "unclassifiable_rate")
)


def _choice_summary(records: list[dict], seed: int = 0) -> dict:
    return {key: value for key, value in _records_summary(records).items() if "|" in key}


# classification and reasoning: every metric is an lm-eval aggregation over the sample values
CHOICE_METRICS = MetricTable(
    metrics=tuple(_metric(name, DESCRIPTIONS[name], Aggregate(name), item=_value) for name in DESCRIPTIONS)
    + COUNTRY_METRICS,
    summary=_choice_summary,
    headline="majority_agreement",
    parse_metric="readable_rate",
)


def _empty(record: dict) -> bool:
    return bool(record.get("empty_response"))


def _open_summary(records: list[dict], seed: int = 0) -> dict:
    judged = [record for record in records if record.get("label") is not None]
    result = {key: value for key, value in _records_summary(records).items() if not key.startswith("withhold")}
    result["n_judge_failures"] = len(records) - len(judged)
    result["judge_parse_rate"] = len(judged) / len(records) if records else None
    return result


# open conversation: lm-eval only generates (and counts empty replies); the judge's labels give
# the rest (``cultureval judge``, the Inspect grader)
OPEN_METRICS = MetricTable(
    metrics=(
        Metric(
            "n_empty_responses",
            None,
            "replies that are empty (counted while generating)",
            count_true,
            item=_empty,
            kind=COUNT,
        ),
    )
    + tuple(_metric(name, DESCRIPTIONS[name], None) for name in DESCRIPTIONS if name != "withhold_rate")
    + (
        Metric("judge_parse_rate", True, "share of replies the judge labelled", None, kind=DIAGNOSTIC, bounds=UNIT),
        Metric("n_judge_failures", None, "replies the judge could not label (counted, left out)", None, kind=COUNT),
    )
    + tuple(metric for metric in COUNTRY_METRICS if not metric.name.startswith("withhold")),
    summary=_open_summary,
    headline="majority_agreement",
    parse_metric="judge_parse_rate",
)
