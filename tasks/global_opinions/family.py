"""GlobalOpinionQA as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, Paper, PinnedData
from cultureval.tasks.global_opinions import baselines, loader, report, rescore, scoring

FAMILY = Family(
    name="global_opinions",
    title="GlobalOpinionQA",
    report_item=report.report_item,
    report_section=report.section,
    item_view=report.item_view,
    baselines=baselines.PREDICTORS,
    yardsticks=baselines.yardsticks,
    score_distribution=scoring.score_for_task,
    rescore=rescore.rescore,
    paper=Paper("Towards Measuring the Representation of Subjective Global Opinions in Language Models", "2306.16388"),
    description="How close a model's answers to survey questions (Pew Global Attitudes, World Values Survey) are "
    "to each country's respondents: the Jensen-Shannon distance between the model's answer distribution (from its "
    "option probabilities, written-out or sampled answers) and the country's survey distribution, per (question, "
    "country) item.",
    data=(PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),),
)
