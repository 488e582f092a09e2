"""WVS value polarity: documents, prompts, and the corpus-level scores.

A model answers the "Person A interviews 10 representative citizens about {topic}" prompt in
the prompt's language; a judge labels each interview pro / con / null
(:func:`cultureval.judge.judge_polarity`); :func:`summarise` turns the labels of all
responses into the correlations with the World Values Survey. lm-eval computes only
``wrong_language_rate`` (no judge inside lm-eval); ``cultureval judge`` and the Inspect scorer
both call :func:`summarise`, so the two harnesses report the same names.
"""

from __future__ import annotations

import math
from collections import defaultdict

from cultureval.language_id import is_wrong_language
from cultureval.loaders import wvs_polarity as loader
from cultureval.metrics import bootstrap_ci, pro_score, spearman, split_half_consistency
from cultureval.provenance import docs_to_dataset_dict

N_INTERVIEWS = loader.N_INTERVIEWS
BOOTSTRAP_RESAMPLES = 1000
CONSISTENCY_REPEATS = 100


def load_dataset(language: str, **_metadata) -> dict:
    """lm-eval ``custom_dataset`` (``language`` from ``dataset_kwargs``)."""
    docs, source = loader.load(language)
    return docs_to_dataset_dict(docs, source.as_dict() | {"language": language})


def doc_to_text(doc: dict) -> str:
    return doc["prompt"]


def doc_to_target(doc: dict) -> str:
    return ""  # no reference answer: the judge scores the response


def response_record(doc: dict, response: str) -> dict:
    """The judge-independent part of an item's record."""
    wrong = is_wrong_language(response, doc["language"])
    return {
        "question_key": doc["question_key"],
        "language": doc["language"],
        "template_id": doc["template_id"],
        "wrong_language": wrong,
    }


def process_results(doc: dict, results: list[str]) -> dict:
    """lm-eval: the language check only; ``cultureval judge`` adds the judge's labels later."""
    wrong = response_record(doc, results[0])["wrong_language"]
    return {"wrong_language_rate": wrong, "n_language_undetermined": wrong is None}


def rate(values: list) -> float:
    """Share of ``True`` among the values that are not ``None`` (``nan`` if none is)."""
    known = [bool(value) for value in values if value is not None]
    return sum(known) / len(known) if known else float("nan")


def count(values: list) -> int:
    return int(sum(bool(value) for value in values))


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
    return {name: _defined(value) for name, value in result.items()}


def _mean_if_all_defined(values: list[float]) -> float:
    finite = [value for value in values if value is not None and not math.isnan(value)]
    return sum(finite) / len(finite) if len(finite) == len(values) and finite else math.nan


def _defined(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
