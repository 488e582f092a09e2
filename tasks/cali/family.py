"""CulturallyAwareNLI (CALI) as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family
from cultureval.tasks.cali import report, scoring


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    return scoring.score_distribution(doc, distribution)


FAMILY = Family(
    name="cali",
    title="CulturallyAwareNLI",
    report_section=report.section,
    score_distribution=score_distribution,
)
