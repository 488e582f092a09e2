"""CulturallyAwareNLI (CALI) as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, Paper, PinnedData
from cultureval.tasks.cali import baselines, loader, report, rescore, scoring


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    return scoring.score_distribution(doc, distribution)


FAMILY = Family(
    name="cali",
    title="CulturallyAwareNLI",
    report_section=report.section,
    item_view=report.item_view,
    baselines=baselines.PREDICTORS,
    yardsticks=baselines.yardsticks,
    score_distribution=score_distribution,
    rescore=rescore.rescore,
    paper=Paper("Culturally Aware Natural Language Inference", url="https://openreview.net/forum?id=XEBHsJpFY9"),
    description="Natural language inference judged as someone who lives in the United States or in India: the "
    "model's entailment / neutral / contradiction distribution against that culture's own annotators.",
    data=(PinnedData("url", loader.URL, loader.COMMIT),),
)
