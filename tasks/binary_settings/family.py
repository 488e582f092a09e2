"""GlobalOpinionQA in three settings as a cultureval family (see :mod:`cultureval.families`).
Hooks are named with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, JudgeHook, Paper, PinnedData, constant, lazy
from cultureval.tasks.binary_settings import commands

# the open-conversation judge's prompt (tasks/binary_settings/judge.py); recorded with every judgement
PROMPT_VERSION = "binary-open-v1"


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream data the loader reads (GlobalOpinionQA's; the register entry's external assets)."""
    from cultureval.tasks.global_opinions import loader

    return (PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),)


FAMILY = Family(
    name="binary_settings",
    title="GlobalOpinionQA in three settings",
    judge=JudgeHook(
        prompt_version=PROMPT_VERSION,
        prompt=constant("cultureval.tasks.binary_settings.judge:STANCE_PROMPT"),
        judge_item=lazy("cultureval.tasks.binary_settings.judge:judge_item"),
        group="",
        group_means=(),
        tasks=("binary_settings_open",),
    ),
    report_item=lazy("cultureval.tasks.binary_settings.report:report_item"),
    report_section=lazy("cultureval.tasks.binary_settings.report:section"),
    yardsticks=lazy("cultureval.tasks.binary_settings.baselines:yardsticks"),
    commands=(commands.BINARY_SETTINGS,),
    paper=Paper("Rethinking AI Cultural Evaluation", "2501.07751"),
    description="GlobalOpinionQA's two-option questions in three settings (a numbered choice with a way to "
    "withhold, free reasoning, ten realistic requests read by a judge), sampled at temperature 1: does the "
    "setting change which side the model takes, and how close its answers are to each country's survey?",
    data=pinned_data,
)
