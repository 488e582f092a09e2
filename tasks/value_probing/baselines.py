"""Reference "models" for WVS value probing: GlobalOpinionQA's (uniform, US prior, survey
resampling, country-blind; :mod:`cultureval.tasks.global_opinions.baselines`) scored with the
expected-score task's code, and the yardsticks printed beside a run's metrics.

The yardsticks are what knowing the world but not the country scores on both readings:
``country-blind`` (every country gets the question's cross-country mean distribution: about
0.86 on ``pearson_country_mean``, 0 on ``pearson_country_deviation_mean`` by construction), the
``US prior`` (one country's answer for every country) and ``survey n=100`` (the sampling floor).
Uniform is not one: a Pearson r is undefined for an answer that is the same everywhere on every
scale. The country-blind and US-prior answers are the same for every country of a question, so
their per-question ``pearson_mean`` is undefined too (``n_questions`` 0): they are yardsticks of
the per-country readings.
"""

from __future__ import annotations

from cultureval.tasks.global_opinions.baselines import ABOUT, BASELINES, predict

__all__ = ["BASELINES", "YARDSTICKS", "yardsticks"]

YARDSTICKS = (("country-blind", "country-blind"), ("us-prior", "US prior"), ("survey-resample", "survey n=100"))


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """The country-blind answer, the US prior (on the non-US items that have a US answer) and
    100 respondents resampled from each survey, scored on ``docs`` (a run's own items) with the
    task's code: ``{label: {metric: value, "n": items, "about": text}}``."""
    from cultureval.tasks.value_probing.scoring import METRICS, score_distribution  # SciPy: on use

    found = {}
    for kind, label in YARDSTICKS:
        predictions = predict(kind, docs, n=100, seed=0)
        scored = [score_distribution(d, p) for d, p in zip(docs, predictions) if not isinstance(p, str)]
        if scored:
            found[label] = METRICS.compute(scored, lm_eval_only=True) | {"n": len(scored), "about": ABOUT[label]}
    return found
