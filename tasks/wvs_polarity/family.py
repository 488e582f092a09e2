"""WVS value polarity as a cultureval family (see :mod:`cultureval.families`)."""

from cultureval.families import Family, JudgeHook, Rescorer
from cultureval.tasks.wvs_polarity import judge, loader, report, rescore, scoring

FAMILY = Family(
    name="wvs_polarity",
    title="WVS value polarity",
    judge=JudgeHook(
        prompt_version=judge.PROMPT_VERSION,
        judge_item=judge.judge_item,
        group="wvs_polarity",
        group_means=("spearman_language", "spearman_global", "us_bias", "self_consistency", "judge_parse_rate"),
        preflight=loader.load_ground_truth,
    ),
    report_section=report.section,
    rescore=Rescorer(
        run=rescore.rescore,
        columns="language, question_key, and response_pro_score or n_pro + n_con; optional response_language, "
        "template_type",
    ),
    yardsticks=scoring.yardsticks,
)
