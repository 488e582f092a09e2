"""CultureBank as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, JudgeHook, Paper, PinnedData
from cultureval.tasks.culturebank import judge, loader, report

FAMILY = Family(
    name="culturebank",
    title="CultureBank",
    judge=JudgeHook(
        prompt_version=judge.PROMPT_VERSION,
        prompt=judge.ENTAILMENT_PROMPT,
        judge_item=judge.judge_item,
        group="culturebank",
        group_means=("entailment_score", "entail_rate", "judge_parse_rate"),
    ),
    report_section=report.section,
    paper=Paper(
        "CultureBank: An Online Community-Driven Knowledge Base Towards Culturally Aware Language Technologies",
        "2404.15238",
    ),
    description="Grounded advice questions from TikTok and Reddit: a judge scores whether the model's answer "
    "entails the cultural knowledge behind the question.",
    data=(PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),),
)
