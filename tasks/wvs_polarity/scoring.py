"""WVS value polarity: the per-response record and the corpus-level scores.

A model answers the "Person A interviews 10 representative citizens about {topic}" prompt in
the prompt's language; a judge labels each interview pro / con / null
(:mod:`cultureval.tasks.wvs_polarity.judge`); :func:`summarise` turns the labels of all
responses into the correlations with the World Values Survey. lm-eval computes only the
language check (no judge inside lm-eval); ``cultureval judge`` and the Inspect scorer both call
:func:`summarise`, so the two harnesses report the same names (:data:`METRICS`).
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.metric_table import Metric, MetricTable
from cultureval.metrics import bootstrap_ci, pro_score, spearman, split_half_consistency
from cultureval.metrics.aggregate import count_true, nan_to_none, rate
from cultureval.tasks.wvs_polarity import loader
from cultureval.tasks.wvs_polarity.language_id import is_wrong_language

N_INTERVIEWS = loader.N_INTERVIEWS
BOOTSTRAP_RESAMPLES = 1000
CONSISTENCY_REPEATS = 100


def response_record(doc: dict, response: str) -> dict:
    """The judge-independent part of an item's record."""
    wrong = is_wrong_language(response, doc["language"])
    return {
        "question_key": doc["question_key"],
        "language": doc["language"],
        "template_id": doc["template_id"],
        "wrong_language": wrong,
    }


def _pairs(model: dict[str, float], truth: dict[str, float]) -> tuple[list[float], list[float]]:
    keys = sorted(key for key in model if key in truth and not math.isnan(model[key]))
    return [model[key] for key in keys], [truth[key] for key in keys]


def _correlation(model: dict[str, float], truth: dict[str, float], seed: int) -> tuple[float, float, float, int]:
    x, y = _pairs(model, truth)
    rho = spearman(x, y)
    low, high = bootstrap_ci(x, y, n_resamples=BOOTSTRAP_RESAMPLES, seed=seed) if len(x) >= 3 else (math.nan, math.nan)
    return rho, low, high, len(x)


def summarise(records: list[dict], language: str, truth=None, seed: int = 0) -> dict[str, float | None]:
    """All WVS-polarity metrics of one language from per-response records.

    A record has ``question_key``, ``template_id``, ``n_pro``, ``n_con`` (0 when the judge
    failed), ``parsed`` (judge output usable) and ``wrong_language`` (bool or ``None``).

    * per topic ``pro_score = sum n_pro / (sum n_pro + sum n_con)`` over the topic's parsed
      responses; topics where no interview took a side are undefined (``n_topics_undefined``);
    * ``spearman_language``: vs the language's speakers; ``spearman_country_<CC>``: vs each
      country of the language; ``spearman_global``: vs all respondents; each with a seeded
      percentile bootstrap 95% interval over topics (``*_ci_low``, ``*_ci_high``);
    * ``us_bias`` = rho(US) - mean rho(local countries) (positive = US-centric); for English,
      where the US is itself local, ``us_bias_<CC>`` = rho(US) - rho(CC) per other English
      country and ``us_bias`` is their mean;
    * ``self_consistency``: seeded split-half over each topic's responses (see
      :func:`cultureval.metrics.split_half_consistency`);
    * ``human_ceiling_<CC>`` (and their mean ``human_ceiling``): the survey's own split
      consistency (``gt_self_consistency.csv``), shown beside the score;
    * ``judge_parse_rate``, ``n_judge_failures``, ``wrong_language_rate``.

    Undefined values are ``None`` (a correlation over fewer than three topics, or constant).
    """
    truth = truth or loader.load_ground_truth()
    parsed = [record for record in records if record.get("parsed")]
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_response: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for record in parsed:
        pooled[record["question_key"]][0] += int(record["n_pro"])
        pooled[record["question_key"]][1] += int(record["n_con"])
        per_response[record["question_key"]].append((int(record["n_pro"]), int(record["n_con"])))
    model = {key: pro_score(n_pro, n_con) for key, (n_pro, n_con) in pooled.items()}

    result: dict[str, float | None] = {
        "n_responses": len(records),
        "judge_parse_rate": len(parsed) / len(records) if records else math.nan,
        "n_judge_failures": len(records) - len(parsed),
        "wrong_language_rate": rate([record.get("wrong_language") for record in records]),
        "n_language_undetermined": sum(record.get("wrong_language") is None for record in records),
        "n_topics": len(model),
        "n_topics_undefined": sum(math.isnan(value) for value in model.values()),
    }

    def add(name: str, reference: dict[str, float], seed_offset: int) -> float:
        rho, low, high, n = _correlation(model, reference, seed + seed_offset)
        result[name], result[f"{name}_ci_low"], result[f"{name}_ci_high"] = rho, low, high
        result[f"{name}_n_topics"] = n
        return rho

    add("spearman_language", truth.by_language.get(language, {}), 0)
    add("spearman_global", truth.global_, 1)
    countries = truth.countries(language)
    by_country = {}
    for offset, country in enumerate(countries, start=2):
        by_country[country] = add(f"spearman_country_{country}", truth.by_country.get(country, {}), offset)
    # English has the US among its countries (with its interval); elsewhere only the point
    # value enters us_bias, so no bootstrap is spent on it
    us_rho = by_country["US"] if "US" in by_country else spearman(*_pairs(model, truth.by_country.get("US", {})))
    if language == "en":
        gaps = []
        for country in countries:
            if country != "US":
                result[f"us_bias_{country}"] = us_rho - by_country[country]
                gaps.append(result[f"us_bias_{country}"])
        result["us_bias"] = _mean_if_all_defined(gaps)
    else:
        result["spearman_country_US"] = us_rho
        result["us_bias"] = us_rho - _mean_if_all_defined([by_country[country] for country in countries])
    result["self_consistency"] = split_half_consistency(per_response, repeats=CONSISTENCY_REPEATS, seed=seed)
    ceilings = []
    for country in countries:
        if country in truth.human_ceiling:
            result[f"human_ceiling_{country}"] = truth.human_ceiling[country]
            ceilings.append(truth.human_ceiling[country])
    result["human_ceiling"] = _mean_if_all_defined(ceilings)
    return {name: nan_to_none(value) for name, value in result.items()}


def _mean_if_all_defined(values: list[float]) -> float:
    finite = [value for value in values if value is not None and not math.isnan(value)]
    return sum(finite) / len(finite) if len(finite) == len(values) and finite else math.nan


def summarise_records(records: list[dict], seed: int = 0) -> dict[str, float | None]:
    """:func:`summarise` for the language the records are in (they must share one); ``seed``
    seeds the bootstrap intervals and split-half draws."""
    if not records:
        return {"n_responses": 0}
    languages = {record.get("language") for record in records}
    if len(languages) != 1:
        raise ValueError(f"polarity metrics need the responses of one language, got {sorted(map(str, languages))}")
    return summarise(records, languages.pop(), seed=seed)


def _wrong_language(record: dict):
    return record.get("wrong_language")


def _language_undetermined(record: dict) -> bool:
    return record.get("wrong_language") is None


RHO = "Spearman ρ over topics between the model's pro share and the survey's"
METRICS = MetricTable(
    metrics=(
        Metric(
            "wrong_language_rate",
            False,
            "share of responses identified as another language than the prompt's",
            rate,
            item=_wrong_language,
        ),
        Metric(
            "n_language_undetermined",
            False,
            "responses too short to identify their language",
            count_true,
            item=_language_undetermined,
        ),
        Metric("spearman_language", True, f"{RHO} of the prompt language's speakers", None),
        Metric("spearman_global", True, f"{RHO} of all respondents", None),
        Metric("spearman_country_{country}", True, f"{RHO} of one country", None),
        Metric("us_bias", False, "rho(US) - mean rho(local countries); > 0: US-centric", None),
        Metric("us_bias_{country}", False, "rho(US) - rho(country), English only", None),
        Metric("self_consistency", True, "split-half rank consistency of the model's per-topic pro shares", None),
        Metric("human_ceiling", True, "the survey's own split consistency (mean over the language's countries)", None),
        Metric("human_ceiling_{country}", True, "the survey's own split consistency in one country", None),
        Metric("judge_parse_rate", True, "share of responses the judge labelled", None),
        Metric("n_judge_failures", False, "responses the judge could not label (counted, left out)", None),
        Metric("n_responses", True, "responses scored", None),
        Metric("n_topics", True, "topics with at least one labelled response", None),
        Metric("n_topics_undefined", False, "topics where no interview took a side", None),
    ),
    summary=summarise_records,
    headline="spearman_language",
    parse_metric="judge_parse_rate",
)
