"""Default prompting (whose opinions does the model hold?) as a cultureval family (see
:mod:`cultureval.families`)."""

from cultureval.families import Family
from cultureval.tasks.default_prompting import baselines, report, scoring


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    return scoring.default_record(doc, distribution)


FAMILY = Family(
    name="default_prompting",
    title="GlobalOpinionQA default prompting",
    report_item=report.report_item,
    report_section=report.section,
    baselines=baselines.BASELINES,
    yardsticks=baselines.yardsticks,
    score_distribution=score_distribution,
    # the cross-national prompt less the country: costs as global_opinion_jsd_6c / _cot_6c
    cost_as="global_opinions",
)
