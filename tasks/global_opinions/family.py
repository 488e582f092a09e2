"""GlobalOpinionQA's opinion distributions as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, Rescorer
from cultureval.tasks.global_opinions import baselines, commands, report, rescore, scoring

FAMILY = Family(
    name="global_opinions",
    title="GlobalOpinionQA",
    report_item=report.report_item,
    report_section=report.section,
    baselines=baselines.BASELINES,
    yardsticks=baselines.yardsticks,
    score_distribution=scoring.score_for_task,
    rescore=Rescorer(
        run=rescore.rescore,
        columns="question, country, and distribution (JSON list, one value per option in the dataset's order) "
        "or text (a written answer); --task names the task whose items they are (default global_opinion_jsd)",
    ),
    commands=(commands.EXPORT_SFT,),
)
