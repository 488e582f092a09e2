"""WVS value probing (``global_opinion_wvs_pearson``): Kim & Baek's expected-score probing on
GlobalOpinionQA's WVS items.

Per item (question x country) the model's option distribution (the same letters and prompt as
``global_opinion_jsd``) and the survey's are restricted to the substantive options and
renormalised; each gives an expected score ``E = Σ_k p_k s_k`` on the item's ordinal scale
(:mod:`cultureval.tasks.global_opinions.ordinal`). Two readings of agreement, both corpus-level
aggregations (lm-eval) and metrics over all samples (Inspect):

- **per question** (``pearson_mean``): Pearson r between model and survey scores across the
  countries of a question, averaged over questions — does the model move with the countries?
- **per country** (``pearson_country_mean``, ``pearson_country_<continent>``): Pearson r across
  a country's questions between the model's and the survey's scores, each placed on its scale
  as ``(E - s_min) / (s_max - s_min)`` so 4- and 10-point items share one axis, averaged over
  countries. Most of it is not knowledge of the country: questions differ in where *every*
  country sits on the scale, so a country-blind model (every country gets the question's
  cross-country mean distribution) already scores about 0.86;
- **per country, beyond the country-blind answer** (``pearson_country_deviation_mean``): the same
  correlation of the deviations ``position - blind_position`` of model and survey, where
  ``blind_position`` is the position of the question's cross-country mean distribution. It
  credits only what the model knows about the country: the country-blind predictor's
  deviations are 0 everywhere and score 0 by construction (a model side that does not vary
  across a country's questions covaries with nothing: r = 0 here, not undefined).

Both need at least :data:`MIN_COUNTRIES` (5) points. The error of one item is
``|E_model - E_survey| / (s_max - s_min)`` in [0, 1].
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import CORRELATION, COUNT, DIAGNOSTIC, UNIT, Metric, MetricTable
from cultureval.metrics import pearson
from cultureval.tasks.global_opinions.continents import WESTERN, continent_of
from cultureval.tasks.global_opinions.ordinal import expected_score

MIN_COUNTRIES = 5
CONTINENTS = ("Africa", "Asia", "Europe", "North America", "Oceania", "South America")


def score_distribution(doc: dict, model_distribution: list[float]) -> dict:
    """The item record every metric of the task aggregates (same in both harnesses)."""
    scores = doc["option_scores"]
    defined = [s for s in scores if s is not None]
    model = expected_score(model_distribution, scores)
    survey = expected_score(doc["survey_distribution"], scores)
    low, span = min(defined), max(defined) - min(defined)
    error = abs(model - survey) / span if model is not None and survey is not None else None
    blind = expected_score(doc["cross_country_distribution"], scores) if "cross_country_distribution" in doc else None
    return {
        "question_id": doc["question_id"],
        "country": doc["survey_country"],
        "continent": continent_of(doc["country"]),
        "model_score": model,
        "survey_score": survey,
        "model_position": None if model is None else (model - low) / span,
        "survey_position": None if survey is None else (survey - low) / span,
        "blind_position": None if blind is None else (blind - low) / span,
        "abs_error": error,
    }


def per_question_pearson(records: list[dict]) -> dict[int, float]:
    """Pearson r per question over its countries (``MIN_COUNTRIES`` or more with both scores);
    undefined correlations (a constant side) are ``nan``."""
    by_question: dict[int, list[dict]] = defaultdict(list)
    for record in records:
        if record["model_score"] is not None and record["survey_score"] is not None:
            by_question[record["question_id"]].append(record)
    return {
        question: pearson([r["model_score"] for r in rows], [r["survey_score"] for r in rows])
        for question, rows in by_question.items()
        if len({r["country"] for r in rows}) >= MIN_COUNTRIES
    }


def per_country_pearson(records: list[dict]) -> dict[str, tuple[str | None, float]]:
    """Per survey sample (country), ``(continent, r)``: Pearson r across its questions between
    the model's and the survey's positions on the items' scales (``MIN_COUNTRIES`` or more
    questions; undefined = ``nan``)."""
    by_country: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        if record.get("model_position") is not None and record.get("survey_position") is not None:
            by_country[record["country"]].append(record)
    return {
        country: (
            rows[0]["continent"],
            pearson([r["model_position"] for r in rows], [r["survey_position"] for r in rows]),
        )
        for country, rows in by_country.items()
        if len({r["question_id"] for r in rows}) >= MIN_COUNTRIES
    }


DEVIATION_TOLERANCE = 1e-12


def _deviation_pearson(model: list[float], survey: list[float]) -> float:
    """Pearson r of two deviation series; 0 when the model's deviations do not vary (nothing
    beyond the country-blind answer to covary), ``nan`` when the survey's do not."""
    if max(model) - min(model) <= DEVIATION_TOLERANCE:
        return 0.0 if max(survey) - min(survey) > DEVIATION_TOLERANCE else math.nan
    return pearson(model, survey)


def per_country_deviation_pearson(records: list[dict]) -> dict[str, float]:
    """Per survey sample, Pearson r across its questions (``MIN_COUNTRIES`` or more) between the
    model's and the survey's deviation from the country-blind position (the question's
    cross-country mean distribution on the scale): see :func:`_deviation_pearson`. Records
    without a ``blind_position`` (samples logged before it existed) are left out."""
    by_country: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        if None not in (record.get("model_position"), record.get("survey_position"), record.get("blind_position")):
            by_country[record["country"]].append(record)
    return {
        country: _deviation_pearson(
            [r["model_position"] - r["blind_position"] for r in rows],
            [r["survey_position"] - r["blind_position"] for r in rows],
        )
        for country, rows in by_country.items()
        if len({r["question_id"] for r in rows}) >= MIN_COUNTRIES
    }


def pearson_country_deviation_mean(records: list[dict]) -> float:
    return _mean_defined(per_country_deviation_pearson(records).values())


def _mean_defined(values) -> float:
    kept = [value for value in values if not math.isnan(value)]
    return sum(kept) / len(kept) if kept else math.nan


def pearson_country_mean(records: list[dict]) -> float:
    return _mean_defined(r for _, r in per_country_pearson(records).values())


def n_countries(records: list[dict]) -> int:
    return sum(not math.isnan(r) for _, r in per_country_pearson(records).values())


class PerContinent:
    """An aggregation restricted to one continent, named ``<prefix><continent>``. A module-level
    class rather than a closure: lm-eval 0.5 pickles aggregations into its bootstrap workers."""

    def __init__(self, prefix: str, continent: str, function):
        self.continent = continent
        self.function = function
        self.__name__ = prefix + continent.lower().replace(" ", "_")

    def __call__(self, records: list[dict]) -> float:
        return self.function(records, self.continent)

    def __repr__(self) -> str:
        return self.__name__


def _pearson_country_in(records: list[dict], continent: str) -> float:
    return _mean_defined(r for c, r in per_country_pearson(records).values() if c == continent)


def _country_pearson_of(continent: str) -> PerContinent:
    return PerContinent("pearson_country_", continent, _pearson_country_in)


def pearson_mean(records: list[dict]) -> float:
    values = [r for r in per_question_pearson(records).values() if not math.isnan(r)]
    return sum(values) / len(values) if values else math.nan


def n_questions(records: list[dict]) -> int:
    return sum(not math.isnan(r) for r in per_question_pearson(records).values())


def n_questions_undefined(records: list[dict]) -> int:
    return sum(math.isnan(r) for r in per_question_pearson(records).values())


def _mean_error(records: list[dict], keep) -> float:
    errors = [r["abs_error"] for r in records if r["abs_error"] is not None and keep(r["continent"])]
    return sum(errors) / len(errors) if errors else math.nan


def abs_error(records: list[dict]) -> float:
    return _mean_error(records, lambda continent: True)


def abs_error_western(records: list[dict]) -> float:
    return _mean_error(records, lambda continent: continent in WESTERN)


def abs_error_rest(records: list[dict]) -> float:
    return _mean_error(records, lambda continent: continent is not None and continent not in WESTERN)


def western_bias(records: list[dict]) -> float:
    """``abs_error_rest - abs_error_western``: positive = the model is closer to Western countries."""
    return abs_error_rest(records) - abs_error_western(records)


def n_no_continent(records: list[dict]) -> int:
    return sum(r["continent"] is None for r in records)


def _abs_error_in(records: list[dict], continent: str) -> float:
    return _mean_error(records, lambda c: c == continent)


def _continent_metric(continent: str) -> PerContinent:
    return PerContinent("abs_error_", continent, _abs_error_in)


abs_error_africa = _continent_metric("Africa")
abs_error_asia = _continent_metric("Asia")
abs_error_europe = _continent_metric("Europe")
abs_error_north_america = _continent_metric("North America")
abs_error_oceania = _continent_metric("Oceania")
abs_error_south_america = _continent_metric("South America")


def _whole_record(record: dict) -> dict:
    return record  # every aggregation needs the item's question, country and continent


def _metric(
    name: str, higher_is_better: bool | None, description: str, aggregation, bounds=None, kind: str | None = None
) -> Metric:
    kind = kind or (COUNT if bounds is None else "score")
    return Metric(name, higher_is_better, description, aggregation, item=_whole_record, kind=kind, bounds=bounds)


METRICS = MetricTable(
    metrics=(
        _metric(
            "pearson_mean",
            True,
            "mean over questions of Pearson r (model vs survey expected score) across the question's countries (>= 5)",
            pearson_mean,
            CORRELATION,
        ),
        _metric("n_questions", None, "questions with a defined Pearson r", n_questions),
        _metric(
            "n_questions_undefined", None, "questions whose r is undefined (a constant side)", n_questions_undefined
        ),
        _metric(
            "pearson_country_mean",
            True,
            "mean over countries of Pearson r (model vs survey position on the scale) across the country's "
            "questions (>= 5)",
            pearson_country_mean,
            CORRELATION,
        ),
        _metric("n_countries", None, "countries with a defined per-country r", n_countries),
        _metric(
            "pearson_country_deviation_mean",
            True,
            "pearson_country_mean of the deviations from the country-blind position (the question's cross-country "
            "mean distribution): credit for country knowledge only; the country-blind predictor scores 0",
            pearson_country_deviation_mean,
            CORRELATION,
        ),
        *(
            _metric(
                f"pearson_country_{c.lower().replace(' ', '_')}",
                True,
                f"pearson_country_mean over {c}",
                _country_pearson_of(c),
                CORRELATION,
            )
            for c in CONTINENTS
        ),
        _metric("abs_error", False, "mean |E_model - E_survey| / scale range", abs_error, UNIT),
        _metric("abs_error_western", False, "abs_error over Europe, North America, Oceania", abs_error_western, UNIT),
        _metric("abs_error_rest", False, "abs_error over the other continents", abs_error_rest, UNIT),
        _metric(
            "western_bias",
            None,  # 0 is ideal (no gap): neither higher nor lower is better
            "abs_error_rest - abs_error_western: 0 = no gap, > 0 closer to Western countries, < 0 to the rest",
            western_bias,
            (-1.0, 1.0),  # a difference of two errors in [0, 1]
            DIAGNOSTIC,
        ),
        _metric("n_no_continent", None, "items whose country has no continent", n_no_continent),
        *(
            _metric(f.__name__, False, f"abs_error over {continent}", f, UNIT)
            for continent, f in zip(
                CONTINENTS,
                (
                    abs_error_africa,
                    abs_error_asia,
                    abs_error_europe,
                    abs_error_north_america,
                    abs_error_oceania,
                    abs_error_south_america,
                ),
            )
        ),
        Metric(
            "letter_coverage",
            True,
            "share of option letters among the returned top log-probabilities",
            lm_eval=False,
            kind=DIAGNOSTIC,
            bounds=UNIT,
        ),
    ),
    headline="pearson_mean",
    parse_metric="letter_coverage",
)


def score_for_task(task: str, doc: dict, distribution: list[float]) -> dict:
    """``Family.score_distribution``: the item's record for a given answer distribution
    (:func:`score_distribution`)."""
    return score_distribution(doc, distribution)
