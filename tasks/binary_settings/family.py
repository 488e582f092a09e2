"""The three-setting binary study as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, JudgeHook, Paper, PinnedData
from cultureval.tasks.binary_settings import judge, report
from cultureval.tasks.global_opinions import loader

FAMILY = Family(
    name="binary_settings",
    title="GlobalOpinionQA in three settings",
    judge=JudgeHook(
        prompt_version=judge.PROMPT_VERSION,
        prompt=judge.STANCE_PROMPT,
        judge_item=judge.judge_item,
        group="",
        group_means=(),
        tasks=("global_opinion_binary_open",),
    ),
    report_item=report.report_item,
    report_section=report.section,
    paper=Paper("Rethinking AI Cultural Evaluation", "2501.07751"),
    description="GlobalOpinionQA's two-option questions in three settings (a numbered choice with a way to "
    "withhold, free reasoning, ten realistic requests read by a judge), sampled at temperature 1: does the "
    "setting change which side the model takes, and how close its answers are to each country's survey?",
    data=(PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),),
)
