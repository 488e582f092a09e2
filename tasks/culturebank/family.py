"""CultureBank as a cultureval family (see :mod:`cultureval.families`). Hooks are named with
:func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, JudgeHook, Paper, PinnedData, constant, lazy

# the entailment judge's prompt (tasks/culturebank/judge.py); recorded with every judgement
PROMPT_VERSION = "entailment-v1"


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream data the loader reads (the register entry's external assets)."""
    from cultureval.tasks.culturebank import loader

    return (PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),)


FAMILY = Family(
    name="culturebank",
    title="CultureBank",
    judge=JudgeHook(
        prompt_version=PROMPT_VERSION,
        prompt=constant("cultureval.tasks.culturebank.judge:ENTAILMENT_PROMPT"),
        judge_item=lazy("cultureval.tasks.culturebank.judge:judge_item"),
        group="culturebank",
        group_means=("entailment_score", "entail_rate", "judge_parse_rate"),
    ),
    report_section=lazy("cultureval.tasks.culturebank.report:section"),
    paper=Paper(
        "CultureBank: An Online Community-Driven Knowledge Base Towards Culturally Aware Language Technologies",
        "2404.15238",
    ),
    description="Grounded advice questions from TikTok and Reddit: a judge scores whether the model's answer "
    "entails the cultural knowledge behind the question.",
    data=pinned_data,
)
