"""CulturallyAwareNLI (CALI) as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, Rescorer
from cultureval.tasks.cali import baselines, commands, report, rescore, scoring


def score_distribution(task: str, doc: dict, distribution: list[float]) -> dict:
    return scoring.score_distribution(doc, distribution)


FAMILY = Family(
    name="cali",
    title="CulturallyAwareNLI",
    report_section=report.section,
    baselines=baselines.BASELINES,
    yardsticks=baselines.yardsticks,
    score_distribution=score_distribution,
    rescore=Rescorer(
        run=rescore.rescore,
        columns="pair_id (0-based row of the CALI file) or premise + hypothesis, culture (us/in), p_e, p_n, p_c",
    ),
    commands=(commands.CALI_SHIFT,),
)
