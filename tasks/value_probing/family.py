"""WVS value probing on GlobalOpinionQA (Kim & Baek) as a cultureval family (see
:mod:`cultureval.families`). Hooks are named with :func:`~cultureval.families.lazy`: nothing
heavy is imported to declare them."""

from cultureval.families import Family, Rescorer, lazy
from cultureval.tasks.value_probing import baselines

FAMILY = Family(
    name="value_probing",
    title="WVS value probing",
    report_section=lazy("cultureval.tasks.value_probing.report:section"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.value_probing.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.value_probing.scoring:score_for_task"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.value_probing.rescore:rescore"),
        columns="question, country, and distribution (JSON list, one value per option in the dataset's order); "
        "rows are scored as global_opinion_wvs_pearson scores a model's distribution",
    ),
)
