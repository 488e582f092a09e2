"""One logged item as the publishing commands show it (the results site's per-item view, EEE's
instance records): the question, the group it asks about, the reference distribution beside
the model's, and how the model's answer was read — from the family's ``item_view`` hook
(:class:`cultureval.families.ItemView`) over the logged sample (:class:`cultureval.runs.Sample`),
else from the logged prompt alone."""

from __future__ import annotations

from cultureval.families import family_of, judge_of
from cultureval.runs import BASELINE, SCORE, Run, Sample


def extraction(run: Run, sample: Sample) -> str:
    """How the model's answer to an item was read."""
    if run.harness == BASELINE:
        return "baseline prediction"
    if run.harness == SCORE:
        return "outside output re-scored (cultureval score)"
    # a logged distribution: lm-eval's choice log-likelihoods, or Inspect's top log-probabilities
    # of the option letters (its option scorer records the distribution; generative scorers do not)
    if sample.loglikelihoods is not None or sample.model_distribution is not None:
        return "softmax over the option letters' log-probabilities"
    if judge_of(run.task) is not None:
        return "llm_judge"
    return "cultureval parser"


def item_fields(run: Run, sample: Sample) -> dict:
    """``question`` (the family's question, else the logged prompt), ``group`` (country,
    culture), ``options``, ``reference`` and ``reference_label`` (the survey's or annotators'
    distribution), ``model`` (the model's distribution over the same options, ``None`` when
    unreadable or not a distribution task), ``extraction``."""
    owner = family_of(run.task)
    view = owner.item_view(run.task, sample, run.rendering) if owner and owner.item_view else None
    return {
        "question": view.question if view and view.question else sample.prompt,
        "group": view.group if view else "",
        "options": tuple(view.options) if view else (),
        "reference": list(view.reference) if view and view.reference is not None else None,
        "reference_label": view.reference_label if view else "",
        "model": list(view.model) if view and view.model is not None else None,
        "extraction": extraction(run, sample),
    }
