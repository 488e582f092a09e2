"""CulturallyAwareNLI (CALI) as a cultureval family (see :mod:`cultureval.families`). Hooks are
named with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, Rescorer, lazy
from cultureval.tasks.cali import baselines, commands

FAMILY = Family(
    name="cali",
    title="CulturallyAwareNLI",
    report_section=lazy("cultureval.tasks.cali.report:section"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.cali.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.cali.scoring:score_for_task"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.cali.rescore:rescore"),
        columns="pair_id (0-based row of the CALI file) or premise + hypothesis, culture (us/in), p_e, p_n, p_c",
    ),
    commands=(commands.CALI_SHIFT,),
)
