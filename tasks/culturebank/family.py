"""CultureBank as a cultureval family (see :mod:`cultureval.families`). Hooks are named with
:func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, JudgeHook, lazy

# the entailment judge's prompt (tasks/culturebank/judge.py); recorded with every judgement
PROMPT_VERSION = "entailment-v1"

FAMILY = Family(
    name="culturebank",
    title="CultureBank",
    judge=JudgeHook(
        prompt_version=PROMPT_VERSION,
        judge_item=lazy("cultureval.tasks.culturebank.judge:judge_item"),
        group="culturebank",
        group_means=("entailment_score", "entail_rate", "judge_parse_rate"),
    ),
    report_section=lazy("cultureval.tasks.culturebank.report:section"),
)
