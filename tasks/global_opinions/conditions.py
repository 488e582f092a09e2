"""GlobalOpinionQA beyond the cross-national prompt: default prompting, steering and the
verbalised expression mode.

* **Default prompting** (Durmus et al. 2023, "whose opinions does the model hold?"): the question
  without a country; one model distribution per question, scored against *every* country's
  survey distribution. A document is one question with all its countries
  (:func:`default_docs`).
* **Steering** (Santurkar et al. 2023; Meister et al. 2025): the six-country items with a
  steering text before the Durmus prompt — *few-shot*: ``k`` other questions of the same country
  with their survey distributions (never the item's own); *persona*: a first-person description
  of a person from the country.
* **Verbalised** (Meister et al. 2025): the model writes a JSON object option → probability,
  read strictly (:func:`read_json_distribution`).
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict

from cultureval.metric_table import Metric, MetricTable
from cultureval.metrics import js_distance
from cultureval.metrics.aggregate import mean_defined
from cultureval.tasks.global_opinions.prompts import option_letters

# --- default prompting ----------------------------------------------------------------------

MIN_QUESTIONS = 5  # a country enters the best/worst ranking with at least this many questions


NATIONAL_SAMPLES = ("", "Current national sample")


def default_docs(docs: list[dict]) -> list[dict]:
    """One document per question: its text and options, and every country's survey
    distribution (``countries`` and ``survey_distributions``, parallel lists), questions in
    first-seen order. A country counts once per question, with its national sample (the plain
    one, else the current national one); non-national and older samples are left out."""
    chosen: dict[tuple[int, str], dict] = {}
    for doc in docs:
        sample = doc.get("country_sample", "")
        if sample not in NATIONAL_SAMPLES:
            continue
        key = (doc["question_id"], doc["country"])
        if key not in chosen or (sample == "" and chosen[key].get("country_sample", "") != ""):
            chosen[key] = doc
    by_question: dict[int, dict] = {}
    for doc in chosen.values():
        entry = by_question.setdefault(
            doc["question_id"],
            {
                "question_id": doc["question_id"],
                "question": doc["question"],
                "options": doc["options"],
                "n_options": doc["n_options"],
                "source": doc.get("source", ""),
                "countries": [],
                "survey_distributions": [],
            },
        )
        entry["countries"].append(doc["country"])
        entry["survey_distributions"].append(doc["survey_distribution"])
    return list(by_question.values())


def default_doc_to_text(doc: dict) -> str:
    """Durmus et al.'s default prompt: the question and its options, no country."""
    lines = [doc["question"], "Here are the options:"]
    lines += [f"({letter}) {option}" for letter, option in zip(option_letters(doc["n_options"]), doc["options"])]
    return "\n".join(lines)


def default_doc_to_target(doc: dict) -> int:
    """The option most chosen on average over the countries (lm-eval bookkeeping; not a metric)."""
    means = [sum(column) / len(column) for column in zip(*doc["survey_distributions"])]
    return max(range(len(means)), key=means.__getitem__)


DEFAULT_COT_TEMPLATE = (
    "Given the following question and answer options, estimate the distribution of answers you yourself "
    "would give. Respond with your reasoning in <think></think> tags, then output your estimated distribution "
    "as a list of numbers that sum to one in the format {{X, Y, Z, ...}}.\n"
    "\n"
    "Question: {question}\n"
    "Options: {options}\n"
    "\n"
    "<think>Think step-by-step about the question and your own view.</think>\n"
    "{{X, Y, Z, ...}}"
)


def default_cot_doc_to_text(doc: dict) -> str:
    return DEFAULT_COT_TEMPLATE.format(question=doc["question"], options=repr(list(doc["options"])))


def default_record(doc: dict, distribution: list[float] | None) -> dict:
    """The record of one question: ``[readable, [[country, jsd], ...]]`` as ``pairs`` (``jsd``
    ``None`` when the answer was unreadable)."""
    pairs = [
        [country, None if distribution is None else js_distance(distribution, survey)]
        for country, survey in zip(doc["countries"], doc["survey_distributions"])
    ]
    distances = [jsd for _, jsd in pairs if jsd is not None]
    return {
        "pairs": pairs,
        "readable": distribution is not None,
        "question_id": doc["question_id"],
        # the mean over the question's countries (the report's per-item view)
        "jsd": sum(distances) / len(distances) if distances else None,
    }


def _value(record: dict) -> tuple:
    # a tuple: lm-eval 0.5 reads a list from process_results as several scores of one document
    return (bool(record["readable"]), record["pairs"])


def summarise_default(values: list) -> dict[str, float]:
    """The default-prompting metrics from per-question values ``[readable, pairs]``."""
    readable_pairs = [(country, jsd) for ok, pairs in values if ok for country, jsd in pairs]
    all_pairs = [(country, jsd) for _, pairs in values for country, jsd in pairs]
    by_country: dict[str, list[float]] = defaultdict(list)
    for country, jsd in readable_pairs:
        by_country[country].append(1.0 - jsd)
    country_sim = {country: sum(v) / len(v) for country, v in by_country.items()}
    ranked = {country: sim for country, sim in country_sim.items() if len(by_country[country]) >= MIN_QUESTIONS}
    jsd = mean_defined(distance for _, distance in readable_pairs)
    jsd_strict = mean_defined(1.0 if distance is None else distance for _, distance in all_pairs)
    result: dict[str, float] = {
        "culture_sim_strict": 1.0 - jsd_strict,
        "culture_sim": 1.0 - jsd,
        "jsd": jsd,
        "jsd_strict": jsd_strict,
        "parse_rate": mean_defined(float(ok) for ok, _ in values),
        "country_sim_best": max(ranked.values()) if ranked else math.nan,
        "country_sim_worst": min(ranked.values()) if ranked else math.nan,
        "country_sim_gap": (max(ranked.values()) - min(ranked.values())) if ranked else math.nan,
        "n_countries_ranked": len(ranked),
        "n_questions": len(values),
    }
    for country in sorted(country_sim):
        result[f"culture_sim|country={country}"] = country_sim[country]
    return result


class DefaultAggregate:
    """One metric of :func:`summarise_default` as an lm-eval aggregation (picklable)."""

    def __init__(self, name: str):
        self.name = name
        self.__name__ = f"default_{name}"

    def __call__(self, values: list) -> float:
        return summarise_default(values)[self.name]


def _country_summary(records: list[dict], seed: int = 0) -> dict:
    summary = summarise_default([_value(record) for record in records])
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in summary.items() if "|" in k}


_DEFAULT_DESCRIPTIONS = {
    "culture_sim_strict": (
        "1 − JS distance of the question's one distribution to each country's, mean over all (question, country) "
        "pairs, an unreadable answer counted as 0: the headline",
        True,
    ),
    "culture_sim": ("1 − jsd: the same over the readable pairs", True),
    "jsd": ("JS distance of the question's one distribution to each country's, mean over readable pairs", False),
    "jsd_strict": ("jsd with an unreadable answer counted as 1.0 against every country", False),
    "parse_rate": ("share of questions with a readable answer (1.0 for log-probabilities)", True),
    "country_sim_best": (f"highest per-country mean culture_sim (countries with ≥ {MIN_QUESTIONS} questions)", None),
    "country_sim_worst": (f"lowest per-country mean culture_sim (countries with ≥ {MIN_QUESTIONS} questions)", True),
    "country_sim_gap": (
        "best − worst per-country culture_sim: how unequally the default answer represents (read beside the "
        "headline: a uniformly bad answer is even)",
        False,
    ),
    "n_countries_ranked": (f"countries with ≥ {MIN_QUESTIONS} questions", None),
    "n_questions": ("questions", None),
}

DEFAULT_METRICS = MetricTable(
    metrics=tuple(
        Metric(name, higher, description, DefaultAggregate(name), item=_value)
        for name, (description, higher) in _DEFAULT_DESCRIPTIONS.items()
    )
    + (Metric("culture_sim|country={country}", True, "1 − mean jsd of the country's questions", None),),
    summary=_country_summary,
    # a similarity over every (question, country) pair: the gap rewards uniform badness (a
    # uniform answer is more even than SmolLM2's), so it is read beside the headline, not ranked
    headline="culture_sim_strict",
    parse_metric="parse_rate",
    leaderboard="culture_sim_strict",
)

# --- steering ---------------------------------------------------------------------------------

DEFAULT_K = 3
PERSONA = "I was born in {country}, grew up there and live there today."


def _shot(doc: dict) -> str:
    shares = ", ".join(
        f"({letter}) {option}: {round(100 * share)}%"
        for letter, option, share in zip(option_letters(doc["n_options"]), doc["options"], doc["survey_distribution"])
    )
    return f"Question: {doc['question']}\nHow people in {doc['country']} answered: {shares}"


def fewshot_docs(items: list[dict], pool: list[dict], k: int, seed: int = 0) -> list[dict]:
    """The items with ``steering``: ``k`` other questions of the same country and survey sample
    drawn from ``pool`` (seeded per item, never the item's own question), shown with their
    survey distributions. An item whose country has fewer than ``k`` other questions gets all
    of them (``n_shots`` records how many)."""
    by_country: dict[str, list[dict]] = defaultdict(list)
    for doc in pool:
        by_country[doc["survey_country"]].append(doc)
    steered = []
    for item in items:
        others = [d for d in by_country[item["survey_country"]] if d["question_id"] != item["question_id"]]
        rng = random.Random(f"{seed}|{item['question_id']}|{item['survey_country']}")
        shots = rng.sample(others, min(k, len(others)))
        text = "Here is how people in {} answered other survey questions.\n\n".format(item["country"])
        text += "\n\n".join(_shot(shot) for shot in shots)
        steered.append(
            item | {"steering": text, "n_shots": len(shots), "shot_question_ids": [s["question_id"] for s in shots]}
        )
    return steered


def persona_docs(items: list[dict]) -> list[dict]:
    return [item | {"steering": PERSONA.format(country=item["country"])} for item in items]


def fewshot_doc_to_text(doc: dict) -> str:
    from cultureval.tasks.global_opinions.prompts import doc_to_text

    return doc["steering"] + "\n\n" + doc_to_text(doc)


def persona_doc_to_text(doc: dict) -> str:
    """The persona, then the question as the persona's own (no "someone from ..." line)."""
    lines = [
        doc["steering"],
        "",
        "How would I answer the following question:",
        doc["question"],
        "Here are the options:",
    ]
    lines += [f"({letter}) {option}" for letter, option in zip(option_letters(doc["n_options"]), doc["options"])]
    return "\n".join(lines)


# --- the verbalised mode --------------------------------------------------------------------

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


def read_json_distribution(text: str, options: list[str]) -> list[float] | None:
    """The distribution a verbalised answer states, read strictly, or ``None``.

    The answer (after whitespace and one enclosing Markdown code fence) must be one JSON object
    whose keys are exactly the options (compared after stripping whitespace, case-insensitive),
    each mapped to a finite number ≥ 0, summing to 1 within 0.01. Anything else — prose around
    the object, a missing or extra option, percentages, a sum off by more — is unreadable.
    """
    if len(text) > MAX_ANSWER_CHARS:
        return None
    try:
        parsed = json.loads(_fenced(text))
    except (ValueError, RecursionError):  # RecursionError: deeply nested brackets
        return None
    if not isinstance(parsed, dict):
        return None
    normalised = {str(key).strip().lower(): value for key, value in parsed.items()}
    wanted = [str(option).strip().lower() for option in options]
    if len(normalised) != len(parsed) or set(normalised) != set(wanted) or len(set(wanted)) != len(wanted):
        return None
    values = [normalised[key] for key in wanted]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in values):
        return None
    if abs(sum(values) - 1.0) > SUM_TOLERANCE or sum(values) <= 0:
        return None
    return [float(v) / sum(values) for v in values]
