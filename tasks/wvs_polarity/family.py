"""WVS value polarity as a cultureval family (see :mod:`cultureval.families`). Hooks are named
with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, JudgeHook, Paper, PinnedData, Rescorer, constant, lazy

# the stance judge's prompt (tasks/wvs_polarity/judge.py); recorded with every judgement
PROMPT_VERSION = "polarity-v1"


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream files the loader reads, each at its pinned commit (the register entry's
    external assets)."""
    from cultureval.tasks.wvs_polarity import loader

    return tuple(
        PinnedData("url", f"https://raw.githubusercontent.com/{loader.REPOSITORY}/{commit}/output/{name}", commit)
        for name, commit in sorted(loader.PINNED.items())
    )


FAMILY = Family(
    name="wvs_polarity",
    title="WVS value polarity",
    judge=JudgeHook(
        prompt_version=PROMPT_VERSION,
        prompt=constant("cultureval.tasks.wvs_polarity.judge:POLARITY_PROMPT"),
        judge_item=lazy("cultureval.tasks.wvs_polarity.judge:judge_item"),
        group="wvs_polarity",
        group_means=("spearman_language", "spearman_global", "us_bias", "self_consistency", "judge_parse_rate"),
        preflight=lazy("cultureval.tasks.wvs_polarity.loader:load_ground_truth"),
    ),
    report_section=lazy("cultureval.tasks.wvs_polarity.report:section"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.wvs_polarity.rescore:rescore"),
        columns="language, question_key, and response_pro_score or n_pro + n_con; optional response_language, "
        "template_type",
    ),
    yardsticks=lazy("cultureval.tasks.wvs_polarity.scoring:yardsticks"),
    paper=Paper(
        "Multilingual != Multicultural: Evaluating Gaps Between Multilingual Capabilities and Cultural Alignment "
        "in LLMs",
        "2502.16534",
    ),
    description="Ten imagined interviews about a World Values Survey topic, in English, Danish, Dutch or "
    "Portuguese; a judge labels each pro, con or neither, and the pro share per topic is rank-correlated with the "
    "survey's, per language, country and globally.",
    data=pinned_data,
)
