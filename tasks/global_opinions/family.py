"""GlobalOpinionQA's opinion distributions as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family
from cultureval.tasks.global_opinions import baselines, report, rescore, scoring

FAMILY = Family(
    name="global_opinions",
    title="GlobalOpinionQA",
    report_item=report.report_item,
    report_section=report.section,
    baselines=baselines.PREDICTORS,
    yardsticks=baselines.yardsticks,
    score_distribution=scoring.score_for_task,
    rescore=rescore.rescore,
)
