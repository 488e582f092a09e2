"""GlobalOpinionQA as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, table_of
from cultureval.tasks.global_opinions import baselines, report, scoring, wvs_pearson


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    """The record of ``doc`` for a given answer distribution, as ``task`` scores it."""
    table = table_of(task)
    if table is wvs_pearson.METRICS:
        return wvs_pearson.score_distribution(doc, distribution)
    if table is scoring.GENERATIVE_METRICS:
        return scoring.score_parsed(doc, distribution)
    return scoring.score_distribution(doc, distribution)


FAMILY = Family(
    name="global_opinions",
    title="GlobalOpinionQA",
    report_item=report.report_item,
    report_section=report.section,
    baselines=baselines.PREDICTORS,
    score_distribution=score_distribution,
)
