"""WVS value probing on GlobalOpinionQA (Kim & Baek) as a cultureval family (see
:mod:`cultureval.families`). Hooks are named with :func:`~cultureval.families.lazy`: nothing
heavy is imported to declare them."""

from cultureval.families import Family, Paper, PinnedData, Rescorer, lazy
from cultureval.tasks.value_probing import baselines


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream data the loader reads (GlobalOpinionQA's WVS items; the register entry's
    external assets)."""
    from cultureval.tasks.global_opinions import loader

    return (PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),)


FAMILY = Family(
    name="value_probing",
    title="WVS value probing",
    report_section=lazy("cultureval.tasks.value_probing.report:section"),
    # the items are GlobalOpinionQA's (question, country) documents: its per-item view reads them
    item_view=lazy("cultureval.tasks.global_opinions.report:item_view"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.value_probing.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.value_probing.scoring:score_for_task"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.value_probing.rescore:rescore"),
        columns="question, country, and distribution (JSON list, one value per option in the dataset's order); "
        "rows are scored as global_opinion_wvs_pearson scores a model's distribution",
    ),
    # Kim & Baek (2024), arXiv 2412.08846
    paper=Paper(
        "Exploring Large Language Models on Cross-Cultural Values in Connection with Training Methodology",
        "2412.08846",
    ),
    description="Does a model's expected answer to a World Values Survey item move with the countries' expected "
    "answers? On GlobalOpinionQA's WVS items with an ordinal scale, the model's option probabilities give an "
    "expected score per (question, country), and its Pearson correlation with the survey's expected scores is "
    "measured per question and per country.",
    data=pinned_data,
)
