"""GlobalOpinionQA in three settings as a cultureval family (see :mod:`cultureval.families`).
Hooks are named with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, JudgeHook, lazy
from cultureval.tasks.binary_settings import commands

# the open-conversation judge's prompt (tasks/binary_settings/judge.py); recorded with every judgement
PROMPT_VERSION = "binary-open-v1"

FAMILY = Family(
    name="binary_settings",
    title="GlobalOpinionQA in three settings",
    judge=JudgeHook(
        prompt_version=PROMPT_VERSION,
        judge_item=lazy("cultureval.tasks.binary_settings.judge:judge_item"),
        group="",
        group_means=(),
        tasks=("binary_settings_open",),
    ),
    report_item=lazy("cultureval.tasks.binary_settings.report:report_item"),
    report_section=lazy("cultureval.tasks.binary_settings.report:section"),
    yardsticks=lazy("cultureval.tasks.binary_settings.baselines:yardsticks"),
    commands=(commands.BINARY_SETTINGS,),
)
