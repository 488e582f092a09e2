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

import numpy as np

from cultureval.metric_table import CORRELATION, COUNT, DIAGNOSTIC, UNIT, Metric, MetricTable
from cultureval.metrics import (
    bootstrap_ci,
    bootstrap_self_consistency,
    pairwise_self_consistency,
    pro_score,
    spearman,
    split_half_consistency,
)
from cultureval.metrics.aggregate import count_true, nan_to_none, rate
from cultureval.tasks.wvs_polarity import loader
from cultureval.tasks.wvs_polarity.language_id import is_wrong_language

N_INTERVIEWS = loader.N_INTERVIEWS
BOOTSTRAP_RESAMPLES = 1000
CONSISTENCY_REPEATS = 100
RANDOM_BASELINE_DRAWS = 100


def response_record(doc: dict, response: str) -> dict:
    """The judge-independent part of an item's record."""
    wrong = is_wrong_language(response, doc["language"])
    return {
        "question_key": doc["question_key"],
        "language": doc["language"],
        "template_id": doc["template_id"],
        "wrong_language": wrong,
    }


def response_score(record: dict) -> float | None:
    """One response's pro share ``n_pro / (n_pro + n_con)`` (or the ``response_pro_score`` a
    re-scored file gives); ``None`` when the judge failed or no interview took a side."""
    given = record.get("response_pro_score")
    if given is not None:
        return float(given)
    if not record.get("parsed"):
        return None
    score = pro_score(int(record["n_pro"]), int(record["n_con"]))
    return None if math.isnan(score) else score


def _response_pairs(responses: list[tuple[str, float]], truth: dict[str, float]) -> tuple[list[float], list[float]]:
    kept = [(score, truth[key]) for key, score in responses if key in truth]
    return [model for model, _ in kept], [survey for _, survey in kept]


def _topic_pairs(pooled: dict[str, float], truth: dict[str, float]) -> tuple[list[float], list[float]]:
    keys = sorted(key for key in pooled if key in truth and not math.isnan(pooled[key]))
    return [pooled[key] for key in keys], [truth[key] for key in keys]


def _pooled_scores(records: list[dict]) -> dict[str, float]:
    """Per topic, ``sum n_pro / (sum n_pro + sum n_con)`` over its responses with judge counts."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        if record.get("parsed") and record.get("n_pro") is not None and record.get("n_con") is not None:
            counts[record["question_key"]][0] += int(record["n_pro"])
            counts[record["question_key"]][1] += int(record["n_con"])
    return {key: pro_score(n_pro, n_con) for key, (n_pro, n_con) in counts.items()}


def _random_rho(responses: list[tuple[str, float]], truth: dict[str, float], seed: int) -> float:
    """Mean Spearman ρ of uniform-random pro scores (the study's random baseline) for the same
    responses, over :data:`RANDOM_BASELINE_DRAWS` seeded draws."""
    _, survey = _response_pairs(responses, truth)
    if len(survey) < 3:
        return math.nan
    rng = np.random.default_rng(seed)
    draws = [spearman(rng.uniform(0, 1, len(survey)), survey) for _ in range(RANDOM_BASELINE_DRAWS)]
    return float(np.nanmean(draws)) if not all(math.isnan(d) for d in draws) else math.nan


class _Summary:
    """Accumulates one language's metrics (``result``) from its usable responses."""

    def __init__(self, responses, pooled, seed: int) -> None:
        self.responses, self.pooled, self.seed = responses, pooled, seed
        self.result: dict[str, float | None] = {}
        self._offset = 0

    def correlate(self, name: str, truth: dict[str, float], interval: bool = True) -> float:
        """Response-level ρ under ``name`` (with a bootstrap interval over responses) and the
        topic-pooled ρ under ``<name>_pooled``."""
        x, y = _response_pairs(self.responses, truth)
        rho = spearman(x, y)
        self._offset += 1
        low, high = (
            bootstrap_ci(x, y, n_resamples=BOOTSTRAP_RESAMPLES, seed=self.seed + self._offset)
            if interval and len(x) >= 3
            else (math.nan, math.nan)
        )
        self.result |= {name: rho, f"{name}_n_responses": len(x)}
        if interval:
            self.result |= {f"{name}_ci_low": low, f"{name}_ci_high": high}
        topic_x, topic_y = _topic_pairs(self.pooled, truth)
        self.result |= {f"{name}_pooled": spearman(topic_x, topic_y), f"{name}_pooled_n_topics": len(topic_x)}
        return rho


def _us_bias(summary: _Summary, truth, language: str, countries: list[str], by_country: dict[str, float]) -> None:
    """``us_bias`` = ρ(US) − ρ(local); ``us_bias_random_adjusted``: the same difference after
    subtracting from each ρ the ρ of uniform-random pro scores for the same responses."""
    us_truth = truth.by_country.get("US", {})
    us_rho = by_country["US"] if "US" in by_country else spearman(*_response_pairs(summary.responses, us_truth))
    random = {
        country: _random_rho(summary.responses, truth.by_country.get(country, {}), summary.seed + 100 + index)
        for index, country in enumerate(sorted(set(countries) | {"US"}))
    }
    us_adjusted = us_rho - random["US"]
    result = summary.result
    if language == "en":
        gaps, adjusted = [], []
        for country in countries:
            if country != "US":
                result[f"us_bias_{country}"] = us_rho - by_country[country]
                gaps.append(result[f"us_bias_{country}"])
                adjusted.append(us_adjusted - (by_country[country] - random[country]))
        result["us_bias"] = _mean_if_all_defined(gaps)
        result["us_bias_random_adjusted"] = _mean_if_all_defined(adjusted)
    else:
        result["spearman_country_US"] = us_rho
        result["us_bias"] = us_rho - _mean_if_all_defined([by_country[c] for c in countries])
        result["us_bias_random_adjusted"] = us_adjusted - _mean_if_all_defined(
            [by_country[c] - random[c] for c in countries]
        )


def summarise(records: list[dict], language: str, truth=None, seed: int = 0) -> dict[str, float | None]:
    """All WVS-polarity metrics of one language from per-response records, as Rystrøm, Kirk &
    Hale (2025) define them (newest analysis code, ``scripts/analyse_hypotheses.py``).

    A record has ``question_key``, ``template_id``, ``n_pro``, ``n_con``, ``parsed`` (judge output
    usable) and ``wrong_language`` (bool, ``None`` = undetermined), or instead of the counts a
    ``response_pro_score`` (re-scored files).

    * A response's pro score is ``n_pro / (n_pro + n_con)`` (:func:`response_score`); responses
      without one (judge failure, no side taken: ``n_responses_undefined``) are left out.
    * ``spearman_language`` / ``spearman_country_<CC>`` / ``spearman_global``: **response level**
      — Spearman ρ between each response's pro score and its topic's survey pro share, all
      usable responses of the language in one correlation, responses identified as another
      language left out (``n_wrong_language``); each with a seeded percentile bootstrap 95%
      interval over responses (``*_ci_low``, ``*_ci_high``) and ``*_n_responses``. The
      topic-pooled variant (per topic ``Σ n_pro / Σ (n_pro + n_con)``, ρ over topics) is
      ``*_pooled`` (with ``*_pooled_n_topics``).
    * ``self_consistency``: Spearman ρ over all ordered pairs of distinct responses to the same
      topic, divided by the judge's reliability ``1 - 0.045``
      (:func:`cultureval.metrics.pairwise_self_consistency`), over every response with a pro
      score (as the study's code, which groups by prompt language); the split-half variant of
      cultureval 0.1 is ``self_consistency_split_half``; ``self_consistency_bootstrap_mean`` is
      the figure's variant (the mean over 100 seeded bootstrap resamples of the responses, where
      a response drawn twice pairs with itself: :func:`cultureval.metrics.bootstrap_self_consistency`).
    * ``human_ceiling_<CC>`` (mean: ``human_ceiling``): the survey's own consistency when 10
      respondents are resampled (``gt_self_consistency.csv``), the granularity of one response:
      it is the ceiling of ``self_consistency``.
    * ``us_bias`` = ρ(US) − mean ρ(local countries) (English: ``us_bias_<CC>`` = ρ(US) − ρ(CC)
      per other English-speaking country, ``us_bias`` their mean); ``us_bias_random_adjusted``:
      the same with each ρ minus the ρ of uniform-random pro scores for the same responses (the
      study's regression baseline; mean of 100 seeded draws).
    * ``judge_parse_rate``, ``n_judge_failures``, ``wrong_language_rate``, ``n_topics``.

    Undefined values are ``None`` (a correlation over fewer than three pairs, or constant).
    """
    truth = truth or loader.load_ground_truth()
    scored = [(record, response_score(record)) for record in records]
    defined = [(record, score) for record, score in scored if score is not None]
    wrong = [record for record, _ in defined if record.get("wrong_language") is True]
    responses = [
        (record["question_key"], score) for record, score in defined if record.get("wrong_language") is not True
    ]
    parsed = [record for record in records if record.get("parsed") or record.get("response_pro_score") is not None]
    summary = _Summary(responses, _pooled_scores([r for r in records if r.get("wrong_language") is not True]), seed)
    summary.result = {
        "n_responses": len(records),
        "judge_parse_rate": len(parsed) / len(records) if records else math.nan,
        "n_judge_failures": len(records) - len(parsed),
        "n_responses_undefined": len(parsed) - len(defined),
        "wrong_language_rate": rate([record.get("wrong_language") for record in records]),
        "n_language_undetermined": sum(record.get("wrong_language") is None for record in records),
        "n_wrong_language": len(wrong),
        "n_topics": len({key for key, _ in responses}),
    }
    summary.correlate("spearman_language", truth.by_language.get(language, {}))
    summary.correlate("spearman_global", truth.global_)
    countries = truth.countries(language)
    by_country = {c: summary.correlate(f"spearman_country_{c}", truth.by_country.get(c, {})) for c in countries}
    _us_bias(summary, truth, language, countries, by_country)
    result = summary.result
    by_topic: dict[str, list[float]] = defaultdict(list)
    for record, score in defined:
        by_topic[record["question_key"]].append(score)
    result["self_consistency"] = pairwise_self_consistency(by_topic)
    result["self_consistency_bootstrap_mean"] = bootstrap_self_consistency(
        [(record["question_key"], score) for record, score in defined], repeats=CONSISTENCY_REPEATS, seed=seed
    )
    counts = defaultdict(list)
    for record in records:
        if record.get("parsed") and record.get("n_pro") is not None and record.get("n_con") is not None:
            counts[record["question_key"]].append((int(record["n_pro"]), int(record["n_con"])))
    result["self_consistency_split_half"] = split_half_consistency(counts, repeats=CONSISTENCY_REPEATS, seed=seed)
    ceilings = [truth.human_ceiling[c] for c in countries if c in truth.human_ceiling]
    result |= {f"human_ceiling_{c}": truth.human_ceiling[c] for c in countries if c in truth.human_ceiling}
    result["human_ceiling"] = _mean_if_all_defined(ceilings)
    return {name: nan_to_none(value) for name, value in result.items()}


def _mean_if_all_defined(values: list[float | None]) -> float:
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
    return summarise(records, str(languages.pop()), seed=seed)


def _wrong_language(record: dict):
    return record.get("wrong_language")


def _language_undetermined(record: dict) -> bool:
    return record.get("wrong_language") is None


RHO = "Spearman ρ between each response's pro share and its topic's survey pro share, all responses of the language"
POOLED = "the topic-pooled variant: ρ over topics of the pooled pro share Σ n_pro / Σ (n_pro + n_con)"
# the study's self-consistency estimator divides a Spearman ρ by (1 - 0.045): its range
CONSISTENCY = (-1.0 / (1 - 0.045), 1.0 / (1 - 0.045))
GAP = (-2.0, 2.0)  # a difference of two correlations
CI = f"95% percentile bootstrap over responses ({BOOTSTRAP_RESAMPLES} resamples, scipy.stats.bootstrap, paired)"
METRICS = MetricTable(
    metrics=(
        Metric(
            "wrong_language_rate",
            False,
            "share of responses identified as another language than the prompt's (left out of the correlations)",
            rate,
            item=_wrong_language,
            kind=DIAGNOSTIC,
            bounds=UNIT,
        ),
        Metric(
            "n_language_undetermined",
            None,
            "responses too short to identify their language",
            count_true,
            item=_language_undetermined,
            kind=COUNT,
        ),
        Metric(
            "spearman_language",
            True,
            f"{RHO}, vs the prompt language's speakers",
            None,
            bounds=CORRELATION,
            interval=CI,
        ),
        Metric("spearman_global", True, f"{RHO}, vs all respondents", None, bounds=CORRELATION, interval=CI),
        Metric(
            "spearman_country_{country}",
            True,
            f"{RHO}, vs one country's respondents",
            None,
            bounds=CORRELATION,
            interval=CI,
        ),
        Metric("spearman_language_pooled", True, POOLED, None, bounds=CORRELATION),
        Metric("spearman_global_pooled", True, POOLED, None, bounds=CORRELATION),
        Metric("spearman_country_{country}_pooled", True, POOLED, None, bounds=CORRELATION),
        Metric(
            "us_bias",
            False,
            "ρ(US) - mean ρ(local countries); > 0: closer to the US than to the local survey",
            None,
            bounds=GAP,
        ),
        Metric("us_bias_{country}", False, "ρ(US) - ρ(country), English only", None, bounds=GAP),
        Metric(
            "us_bias_random_adjusted",
            False,
            "us_bias with each ρ minus that of uniform-random pro scores (the study's regression baseline)",
            None,
            bounds=(-4.0, 4.0),  # a difference of two differences of correlations
        ),
        Metric(
            "self_consistency",
            True,
            "Spearman ρ over all ordered pairs of responses to one topic / (1 - 0.045), the study's estimator",
            None,
            bounds=CONSISTENCY,
        ),
        Metric(
            "self_consistency_split_half",
            True,
            "split-half ρ of per-topic pooled pro shares (a variant)",
            None,
            bounds=CORRELATION,
        ),
        Metric(
            "self_consistency_bootstrap_mean",
            True,
            "self_consistency as the study's figure plots it: mean over 100 bootstrap resamples of the responses, "
            "where a response drawn twice pairs with itself (higher than self_consistency by construction)",
            None,
            bounds=CONSISTENCY,
        ),
        Metric(
            "human_ceiling",
            True,
            "the survey's own consistency for 10 resampled respondents: self_consistency's ceiling",
            None,
            bounds=CONSISTENCY,
        ),
        Metric(
            "human_ceiling_{country}", True, "the survey's own consistency in one country", None, bounds=CONSISTENCY
        ),
        Metric("judge_parse_rate", True, "share of responses the judge labelled", None, kind=DIAGNOSTIC, bounds=UNIT),
        Metric("n_judge_failures", None, "responses the judge could not label (counted, left out)", None, kind=COUNT),
        Metric("n_responses", None, "responses scored", None, kind=COUNT),
        Metric(
            "n_responses_undefined",
            None,
            "labelled responses where no interview took a side (left out)",
            None,
            kind=COUNT,
        ),
        Metric(
            "n_wrong_language", None, "responses in another language than the prompt's (left out)", None, kind=COUNT
        ),
        Metric("n_topics", None, "topics with at least one usable response", None, kind=COUNT),
    ),
    summary=summarise_records,
    headline="spearman_language",
    parse_metric="judge_parse_rate",
)


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """Beside judged results: the same metrics for uniform-random pro scores on the same
    responses (a seeded draw: what a model that knows nothing scores, ρ ≈ 0 with its spread),
    and the survey's own consistency as the ceiling of ``self_consistency``."""
    if not records:
        return {}
    rng = np.random.default_rng(0)
    randomised = [
        record | {"response_pro_score": float(rng.uniform())} if response_score(record) is not None else record
        for record in records
    ]
    random = summarise_records(randomised)
    ceiling = random.get("human_ceiling")
    return {
        "random pro scores": random
        | {
            "n": len(records),
            "about": "a uniform-random pro score for every response (seeded): ρ ≈ 0",
            "knows_nothing": True,
        },
        "human ceiling": {
            "self_consistency": ceiling,
            "human_ceiling": ceiling,
            "about": "the survey's own consistency (10 resampled respondents): bounds self_consistency only",
        },
    }
