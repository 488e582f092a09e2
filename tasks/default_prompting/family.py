"""GlobalOpinionQA default prompting (Durmus et al. 2023: whose opinions does the model hold?)
as a cultureval family (see :mod:`cultureval.families`). Hooks are named with
:func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, Paper, PinnedData, lazy
from cultureval.tasks.default_prompting import baselines


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream data the loader reads (GlobalOpinionQA's; the register entry's external assets)."""
    from cultureval.tasks.global_opinions import loader

    return (PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),)


FAMILY = Family(
    name="default_prompting",
    title="GlobalOpinionQA default prompting",
    report_item=lazy("cultureval.tasks.default_prompting.report:report_item"),
    report_section=lazy("cultureval.tasks.default_prompting.report:section"),
    item_view=lazy("cultureval.tasks.default_prompting.report:item_view"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.default_prompting.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.default_prompting.scoring:score_for_task"),
    # Durmus et al. (2023), arXiv 2306.16388: the paper's default prompting (no country named)
    paper=Paper("Towards Measuring the Representation of Subjective Global Opinions in Language Models", "2306.16388"),
    description="Whose opinions does a model hold by default? GlobalOpinionQA's survey questions asked with no "
    "country named: the model's one answer distribution per question (from its option probabilities or written "
    "out) is compared with every country's survey distribution, and the gap between the best- and worst-"
    "represented countries measures how unequally it represents them.",
    data=pinned_data,
    # the cross-national prompt less the country: costs as global_opinion_jsd_6c / _cot_6c
    cost_as="global_opinions",
)
