"""WVS value polarity as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, JudgeHook, Paper, PinnedData
from cultureval.tasks.wvs_polarity import judge, loader, report, rescore, scoring

FAMILY = Family(
    name="wvs_polarity",
    title="WVS value polarity",
    judge=JudgeHook(
        prompt_version=judge.PROMPT_VERSION,
        prompt=judge.POLARITY_PROMPT,
        judge_item=judge.judge_item,
        group="wvs_polarity",
        group_means=("spearman_language", "spearman_global", "us_bias", "self_consistency", "judge_parse_rate"),
        preflight=loader.load_ground_truth,
    ),
    report_section=report.section,
    rescore=rescore.rescore,
    yardsticks=scoring.yardsticks,
    paper=Paper(
        "Multilingual != Multicultural: Evaluating Gaps Between Multilingual Capabilities and Cultural Alignment "
        "in LLMs",
        "2502.16534",
    ),
    description="Ten imagined interviews about a World Values Survey topic, in English, Danish, Dutch or "
    "Portuguese; a judge labels each pro, con or neither, and the pro share per topic is rank-correlated with the "
    "survey's, per language, country and globally.",
    data=tuple(
        PinnedData("url", f"https://raw.githubusercontent.com/{loader.REPOSITORY}/{commit}/output/{name}", commit)
        for name, commit in sorted(loader.PINNED.items())
    ),
)
