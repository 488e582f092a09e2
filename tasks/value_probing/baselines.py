"""Reference "models" for WVS value probing: GlobalOpinionQA's (uniform, US prior, survey
resampling; :mod:`cultureval.tasks.global_opinions.baselines`) scored with the expected-score
task's code, and the yardstick printed beside a run's metrics.

Only survey resampling is a yardstick: a Pearson r across countries is undefined for the
uniform answer (the same everywhere) and the US prior is one country's answer for every
country, so neither says what a run's correlation means.
"""

from __future__ import annotations

from cultureval.tasks.global_opinions.baselines import ABOUT, BASELINES, predict

__all__ = ["BASELINES", "yardsticks"]

YARDSTICK = ("survey-resample", "survey n=100")


def yardsticks(task: str, docs: list[dict], records: list[dict] | None = None) -> dict[str, dict]:
    """100 respondents resampled from each survey, scored on ``docs`` (a run's own items)."""
    from cultureval.tasks.value_probing.scoring import METRICS, score_distribution  # SciPy: on use

    kind, label = YARDSTICK
    predictions = predict(kind, docs, n=100, seed=0)
    scored = [score_distribution(d, p) for d, p in zip(docs, predictions) if not isinstance(p, str)]
    if not scored:
        return {}
    return {label: METRICS.compute(scored, lm_eval_only=True) | {"n": len(scored), "about": ABOUT[label]}}
