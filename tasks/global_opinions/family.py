"""GlobalOpinionQA's opinion distributions as a cultureval family (see :mod:`cultureval.families`).
Hooks are named with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, Rescorer, lazy
from cultureval.tasks.global_opinions import baselines, commands

FAMILY = Family(
    name="global_opinions",
    title="GlobalOpinionQA",
    report_item=lazy("cultureval.tasks.global_opinions.report:report_item"),
    report_section=lazy("cultureval.tasks.global_opinions.report:section"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.global_opinions.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.global_opinions.scoring:score_for_task"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.global_opinions.rescore:rescore"),
        columns="question, country, and distribution (JSON list, one value per option in the dataset's order) "
        "or text (a written answer); --task names the task whose items they are (default global_opinion_jsd)",
    ),
    commands=(commands.EXPORT_SFT,),
)
