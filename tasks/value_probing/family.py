"""WVS value probing (Kim & Baek's expected scores on GlobalOpinionQA's WVS items) as a
cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, Rescorer
from cultureval.tasks.value_probing import baselines, report, rescore, scoring


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    return scoring.score_distribution(doc, distribution)


FAMILY = Family(
    name="value_probing",
    title="WVS value probing",
    report_section=report.section,
    baselines=baselines.BASELINES,
    yardsticks=baselines.yardsticks,
    score_distribution=score_distribution,
    rescore=Rescorer(
        run=rescore.rescore,
        columns="question, country, and distribution (JSON list, one value per option in the dataset's order); "
        "rows are scored as global_opinion_wvs_pearson scores a model's distribution",
    ),
)
