"""CulturallyAwareNLI (CALI) as a cultureval family (see :mod:`cultureval.families`). Hooks are
named with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, Paper, PinnedData, Rescorer, lazy
from cultureval.tasks.cali import baselines, commands


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream data the loader reads (the register entry's external assets)."""
    from cultureval.tasks.cali import loader

    return (PinnedData("url", loader.URL, loader.COMMIT),)


FAMILY = Family(
    name="cali",
    title="CulturallyAwareNLI",
    report_section=lazy("cultureval.tasks.cali.report:section"),
    item_view=lazy("cultureval.tasks.cali.report:item_view"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.cali.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.cali.scoring:score_for_task"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.cali.rescore:rescore"),
        columns="pair_id (0-based row of the CALI file) or premise + hypothesis, culture (us/in), p_e, p_n, p_c",
    ),
    commands=(commands.CALI_SHIFT,),
    paper=Paper("Culturally Aware Natural Language Inference", url="https://openreview.net/forum?id=XEBHsJpFY9"),
    description="Natural language inference judged as someone who lives in the United States or in India: the "
    "model's entailment / neutral / contradiction distribution against that culture's own annotators.",
    data=pinned_data,
)
