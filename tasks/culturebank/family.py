"""CultureBank as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, JudgeHook
from cultureval.tasks.culturebank import judge, report

FAMILY = Family(
    name="culturebank",
    title="CultureBank",
    judge=JudgeHook(
        prompt_version=judge.PROMPT_VERSION,
        judge_item=judge.judge_item,
        group="culturebank",
        group_means=("entailment_score", "entail_rate", "judge_parse_rate"),
    ),
    report_section=report.section,
)
