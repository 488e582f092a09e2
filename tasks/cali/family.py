"""CulturallyAwareNLI (CALI) as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family
from cultureval.tasks.cali import baselines, report, rescore, scoring


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    return scoring.score_distribution(doc, distribution)


FAMILY = Family(
    name="cali",
    title="CulturallyAwareNLI",
    report_section=report.section,
    baselines=baselines.PREDICTORS,
    yardsticks=baselines.yardsticks,
    score_distribution=score_distribution,
    rescore=rescore.rescore,
)
