"""GlobalOpinionQA default prompting (Durmus et al. 2023: whose opinions does the model hold?)
as a cultureval family (see :mod:`cultureval.families`). Hooks are named with
:func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, lazy
from cultureval.tasks.default_prompting import baselines

FAMILY = Family(
    name="default_prompting",
    title="GlobalOpinionQA default prompting",
    report_item=lazy("cultureval.tasks.default_prompting.report:report_item"),
    report_section=lazy("cultureval.tasks.default_prompting.report:section"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.default_prompting.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.default_prompting.scoring:score_for_task"),
    # the cross-national prompt less the country: costs as global_opinion_jsd_6c / _cot_6c
    cost_as="global_opinions",
)
