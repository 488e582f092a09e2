"""GlobalOpinionQA opinion distributions: one record per (question, country) item and the
metric tables.

A record holds ``jsd`` (Jensen–Shannon distance, base 2, to the survey distribution; ``None``
when the answer was unreadable), ``culture_sim = 1 - jsd`` and the item's ``country``;
generative elicitations add ``parse_rate``, ``jsd_strict`` and ``n_unparsed``. Both harnesses
score an item with these functions and aggregate with :data:`OPTION_METRICS` /
:data:`GENERATIVE_METRICS`.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from cultureval.families import table_of
from cultureval.metric_table import COUNT, DIAGNOSTIC, UNIT, Breakdown, Metric, MetricTable
from cultureval.metrics import (
    country_sim_std,
    culturebank_country_std,
    culturebank_similarity,
    js_distance,
    ordinal_wasserstein,
    top1_agreement,
    total_variation,
)
from cultureval.metrics.aggregate import count_true, mean_defined, rate
from cultureval.tasks.global_opinions.ordinal import ordinal_scores
from cultureval.tasks.global_opinions.parser import TRUNCATED, read_distribution
from cultureval.tasks.global_opinions.prompts import option_letters


@lru_cache(maxsize=4096)
def _scale(options: tuple[str, ...]) -> tuple[float | None, ...] | None:
    found = ordinal_scores(list(options))
    return None if found is None else tuple(found[1])


def distances(doc: dict, model_distribution: list[float]) -> dict:
    """The distances beside the JS distance (``tv``, ``top1_agreement``, and for an item whose
    options form an ordinal scale by the ``wvs_pearson`` rule, ``w1_ordinal`` and
    ``representativeness``; ``None`` otherwise)."""
    survey = doc["survey_distribution"]
    scale = _scale(tuple(str(option) for option in doc["options"]))
    w1 = None if scale is None else ordinal_wasserstein(model_distribution, survey, scale)
    return {
        "tv": total_variation(model_distribution, survey),
        "top1_agreement": top1_agreement(model_distribution, survey),
        "w1_ordinal": w1,
        "representativeness": None if w1 is None else 1.0 - w1,
        "ordinal_scale": scale is not None,
        "culturebank_similarity": culturebank_similarity(model_distribution, survey),
        # the CultureBank line counts each survey sample as its own country
        "survey_country": doc.get("survey_country", doc["country"]),
    }


NO_DISTANCES = {
    "tv": None,
    "top1_agreement": None,
    "w1_ordinal": None,
    "representativeness": None,
    "ordinal_scale": None,
    "culturebank_similarity": None,
}


def score_distribution(doc: dict, model_distribution: list[float]) -> dict:
    """The record of one item whose model distribution is known."""
    distance = js_distance(model_distribution, doc["survey_distribution"])
    record = {"jsd": distance, "culture_sim": 1.0 - distance, "country": doc["country"]}
    return record | distances(doc, model_distribution)


def score_parsed(doc: dict, model_distribution: list[float] | None, truncated: bool = False) -> dict:
    """The record of a generative item; ``None`` marks an unreadable answer (``truncated``: cut
    off inside its reasoning).

    ``jsd``/``culture_sim`` are then ``None`` (left out of the readable-only means) and
    ``jsd_strict`` counts the item as distance 1.0 (the GlobalOpinionBench study instead skipped
    such answers and zero-padded short lists: :func:`jsd_padded`).
    """
    if model_distribution is None:
        return NO_DISTANCES | {
            "jsd": None,
            "culture_sim": None,
            "country": doc["country"],
            "survey_country": doc.get("survey_country", doc["country"]),
            # the ordinal rule depends on the options only: an unreadable item still counts in the coverage
            "ordinal_scale": _scale(tuple(str(option) for option in doc["options"])) is not None,
            "parse_rate": 0.0,
            "jsd_strict": 1.0,
            "n_unparsed": 1,
            "n_truncated": int(truncated),
        }
    record = score_distribution(doc, model_distribution)
    return record | {"parse_rate": 1.0, "jsd_strict": record["jsd"], "n_unparsed": 0, "n_truncated": 0}


def study_list(text: str) -> list[float] | None:
    """The list the GlobalOpinionBench study read from an answer (its notebooks'
    ``process_response``): the text before the first ``}``, after the last ``{`` in it, split on
    commas, each piece a Python ``float``; ``None`` when a piece is not a number (the study's
    empty list)."""
    body = text.split("}", 1)[0].rsplit("{", 1)[-1]
    try:
        return [float(piece.strip()) for piece in body.split(",")]
    except ValueError:
        return None


def jsd_padded(text: str, survey: list[float]) -> float | None:
    """The JS distance as the GlobalOpinionBench study computed the numbers on its poster
    (``responses/benchmarking.ipynb``, ``safe_jsd``): the :func:`study_list` of the answer and the
    survey distribution, the shorter one zero-padded to the other's length, both renormalised,
    base 2. ``None`` — left out of the mean, as the study's NaN was — when no list is read or it
    has a negative, NaN or infinite value or sums to 0. Unlike ``jsd``, a list with fewer values
    than options is mapped onto the first options in order."""
    return padded_distance(study_list(text), survey)


def padded_distance(values: list[float] | None, survey: list[float]) -> float | None:
    """:func:`jsd_padded` of a list already read (``cultureval score``'s ``distribution``
    column: the study's parsed lists, whatever their length): the shorter of ``values`` and
    ``survey`` zero-padded, base-2 JS distance; ``None`` for no list, a negative, NaN or infinite
    value, a zero sum, or values too large to normalise (their sum overflows)."""
    if not values or any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
        return None
    length = max(len(values), len(survey))
    padded_model = list(values) + [0.0] * (length - len(values))
    padded_survey = list(survey) + [0.0] * (length - len(survey))
    try:
        return js_distance(padded_model, padded_survey)
    except ValueError:  # a sum that overflows a float: no distribution the study could read either
        return None


def score_cot_text(doc: dict, text: str) -> dict:
    """Score the text a model wrote for ``global_opinion_cot`` (lm-eval and Inspect)."""
    reading = read_distribution(text, doc["options"])
    record = score_parsed(doc, reading.distribution, truncated=reading.status == TRUNCATED)
    return record | {"jsd_padded": jsd_padded(text, doc["survey_distribution"])}


def score_for_task(task: str, doc: dict, distribution: list[float]) -> dict:
    """The record of ``doc`` for a given answer distribution, as ``task`` scores it (baselines,
    ``cultureval score``): a generative task's record (:data:`GENERATIVE_METRICS`: the answer
    counted as readable) or an option task's (:data:`OPTION_METRICS`)."""
    if table_of(task) is GENERATIVE_METRICS:
        return score_parsed(doc, distribution)
    return score_distribution(doc, distribution)


# --- global_opinion_sampled: N single answers at temperature 1 --------------------------------

_BRACKETED_LETTER = re.compile(r"\(([A-Z])\)")
# a capital letter standing alone: not part of a word, not "I'd", not "I think" / "A great deal"
# (the letter first, then the look-behind at the character before it: the pattern then starts
# with a character class, which the regex engine scans for at C speed)
_STANDALONE_LETTER = re.compile(r"([A-Z])(?<![A-Za-z][A-Z])(?![A-Za-z'’])(?!\s+[a-z])")


def answer_letter(continuation: str, letters: list[str], after_stem: bool) -> str | None:
    """The option letter a sampled answer gives, or ``None``.

    After the stem ``... my answer would be (`` the answer is the first character (``B) Agree``).
    Without a stem (instruction rendering): the first bracketed option letter (``(B)``), else
    the first capital letter standing alone (``B``, ``Answer: B``, ``I think C.``); a capital
    that starts a sentence (``I think``, ``A great deal``) is not an answer.
    """
    text = continuation.strip()
    if after_stem:
        letter = text[:1]
        return letter if letter in letters and (len(text) == 1 or not text[1].isalpha()) else None
    for pattern in (_BRACKETED_LETTER, _STANDALONE_LETTER):
        for match in pattern.finditer(text):
            if match.group(1) in letters:
                return match.group(1)
    return None


def sampled_distribution(letters_given: list[str | None], n_options: int) -> list[float] | None:
    """Frequencies of the valid answers; ``None`` when no sample gave a valid letter."""
    valid = [letter for letter in letters_given if letter is not None]
    if not valid:
        return None
    return [valid.count(letter) / len(valid) for letter in option_letters(n_options)]


def score_sampled(doc: dict, continuations: list[str], after_stem: bool) -> dict:
    letters = option_letters(doc["n_options"])
    given = [answer_letter(text, letters, after_stem) for text in continuations]
    record = score_parsed(doc, sampled_distribution(given, doc["n_options"]))
    # for sampling, parse_rate is the share of samples that named a valid option
    record["parse_rate"] = sum(letter is not None for letter in given) / len(given) if given else 0.0
    return record


# --- aggregations and the metric tables -------------------------------------------------------


def country_sim_std_of_parsed(items: list) -> float:
    """Population std (ddof=0) of per-country mean culture_sim over the readable items
    (``(country, culture_sim)`` pairs; ``None`` = unreadable)."""
    return country_sim_std([item for item in items if item is not None])


def _country_sim(record: dict):
    similarity = record.get("culture_sim")
    return None if similarity is None else (record["country"], similarity)


def _strict_similarity(record: dict) -> float:
    return 1.0 - record["jsd_strict"]


def _culturebank_pair(record: dict):
    value = record.get("culturebank_similarity")
    return None if value is None else (record.get("survey_country", record["country"]), value)


def culturebank_country_std_of(items: list) -> float:
    """:func:`cultureval.metrics.culturebank_country_std` over ``(survey sample, similarity)``
    pairs (``None`` = unreadable, left out)."""
    return culturebank_country_std([item for item in items if item is not None])


def _scored_on_scale(record: dict):
    return record.get("ordinal_scale")


JSD = "Jensen–Shannon distance (base 2) between the model's and the country's answer distribution"
COUNTRY_SIM_STD = Metric(
    "country_sim_std",
    False,
    "population std (ddof=0) of the per-country mean culture_sim: how unevenly countries are represented",
    country_sim_std_of_parsed,
    item=_country_sim,
    bounds=(0.0, 0.5),  # the population std of numbers in [0, 1]
)
LETTER_COVERAGE = Metric(
    "letter_coverage",
    True,
    "share of option letters found among the returned top log-probabilities (1.0 = exact)",
    lm_eval=False,
    kind=DIAGNOSTIC,
    bounds=UNIT,
)
CULTURE_SIM_BY_COUNTRY = Breakdown("culture_sim", "country", "culture_sim_{}")
# beside the JS distance; undefined values (unreadable answers, non-ordinal items) left out
DISTANCE_METRICS = (
    Metric("tv", False, "total variation distance ½ Σ|p − q|, mean over items", mean_defined, bounds=UNIT),
    Metric(
        "top1_agreement",
        True,
        "share of items whose most likely option is the survey's most chosen (ties: chance of agreeing)",
        mean_defined,
        bounds=UNIT,
    ),
    Metric(
        "w1_ordinal",
        False,
        "1-Wasserstein distance on the ordinal scale normalised to [0, 1], mean over ordinal items",
        mean_defined,
        bounds=UNIT,
    ),
    Metric(
        "representativeness",
        True,
        "OpinionQA's representativeness 1 − W1/max on the normalised scale, mean over ordinal items",
        mean_defined,
        bounds=UNIT,
    ),
    Metric(
        "ordinal_coverage",
        None,
        "share of items whose options form an ordinal scale: the items w1_ordinal and representativeness "
        "are scored on (items scored / items)",
        rate,
        item=_scored_on_scale,
        kind=DIAGNOSTIC,
        bounds=UNIT,
    ),
    Metric(
        "culturebank_similarity",
        True,
        "the CultureBank line's similarity 1 − sqrt(JSD in nats / number of options) (not culture_sim: "
        "about 0.85 for a uniform answer), mean over items",
        mean_defined,
        bounds=UNIT,
    ),
    Metric(
        "culturebank_country_std",
        False,
        "the CultureBank line's spread: sample std (ddof=1) of per-survey-sample mean culturebank_similarity",
        culturebank_country_std_of,
        item=_culturebank_pair,
        bounds=(0.0, 1.0),  # a sample std of numbers in [0, 1] (ddof=1: at most sqrt(n / (4(n-1))) < 1 for n > 1)
    ),
)

OPTION_METRICS = MetricTable(
    metrics=(
        Metric("jsd", False, f"{JSD}, mean over items", bounds=UNIT),
        Metric("culture_sim", True, "1 - jsd (Durmus et al.'s similarity), mean over items", bounds=UNIT),
        COUNTRY_SIM_STD,
        LETTER_COVERAGE,
    )
    + DISTANCE_METRICS,
    breakdowns=(CULTURE_SIM_BY_COUNTRY,),
    headline="jsd",
    parse_metric="letter_coverage",
    leaderboard="culture_sim",
)

GENERATIVE_METRICS = MetricTable(
    metrics=(
        Metric("jsd", False, f"{JSD}, mean over readable answers", mean_defined, bounds=UNIT),
        Metric("culture_sim", True, "1 - jsd, mean over readable answers", mean_defined, bounds=UNIT),
        COUNTRY_SIM_STD,
        Metric(
            "parse_rate",
            True,
            "share of readable answers (sampling: of samples naming a valid option)",
            kind=DIAGNOSTIC,
            bounds=UNIT,
        ),
        Metric("jsd_strict", False, f"{JSD}, an unreadable answer counted as 1.0", bounds=UNIT),
        Metric("n_unparsed", None, "items with no readable answer", count_true, kind=COUNT),
        Metric(
            "n_truncated",
            None,
            "unreadable items cut off inside their reasoning (an unclosed <think>)",
            count_true,
            kind=COUNT,
        ),
        Metric(
            "culture_sim_strict",
            True,
            "1 - jsd_strict: similarity with an unreadable answer counted as 0",
            item=_strict_similarity,
            bounds=UNIT,
        ),
        Metric(
            "jsd_padded",
            False,
            "the GlobalOpinionBench poster's JS distance: the answer's first {...} list, zero-padded to the options, "
            "unreadable answers left out; mean over the items it reads (written answers, and the lists given to "
            "cultureval score)",
            mean_defined,
            bounds=UNIT,
        ),
    )
    + DISTANCE_METRICS,
    breakdowns=(CULTURE_SIM_BY_COUNTRY,),
    # an unreadable answer counts as distance 1: a run that reads few answers cannot rank first
    headline="jsd_strict",
    parse_metric="parse_rate",
    leaderboard="culture_sim_strict",
)
