"""The three-setting binary study as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, JudgeHook
from cultureval.tasks.binary_settings import baselines, judge, report

FAMILY = Family(
    name="binary_settings",
    title="GlobalOpinionQA in three settings",
    judge=JudgeHook(
        prompt_version=judge.PROMPT_VERSION,
        judge_item=judge.judge_item,
        group="",
        group_means=(),
        tasks=("global_opinion_binary_open",),
    ),
    report_item=report.report_item,
    report_section=report.section,
    yardsticks=baselines.yardsticks,
)
