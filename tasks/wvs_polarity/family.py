"""WVS value polarity as a cultureval family (see :mod:`cultureval.families`). Hooks are named
with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, JudgeHook, Rescorer, lazy

# the stance judge's prompt (tasks/wvs_polarity/judge.py); recorded with every judgement
PROMPT_VERSION = "polarity-v1"

FAMILY = Family(
    name="wvs_polarity",
    title="WVS value polarity",
    judge=JudgeHook(
        prompt_version=PROMPT_VERSION,
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
)
