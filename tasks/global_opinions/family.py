"""GlobalOpinionQA's opinion distributions as a cultureval family (see :mod:`cultureval.families`).
Hooks are named with :func:`~cultureval.families.lazy`: nothing heavy is imported to declare them."""

from cultureval.families import Family, Paper, PinnedData, Rescorer, lazy
from cultureval.tasks.global_opinions import baselines, commands


def pinned_data() -> tuple[PinnedData, ...]:
    """The upstream data the loader reads (the register entry's external assets)."""
    from cultureval.tasks.global_opinions import loader

    return (PinnedData("huggingface", loader.HUB_REPO, loader.HUB_REVISION),)


FAMILY = Family(
    name="global_opinions",
    title="GlobalOpinionQA",
    report_item=lazy("cultureval.tasks.global_opinions.report:report_item"),
    report_section=lazy("cultureval.tasks.global_opinions.report:section"),
    item_view=lazy("cultureval.tasks.global_opinions.report:item_view"),
    baselines=baselines.BASELINES,
    yardsticks=lazy("cultureval.tasks.global_opinions.baselines:yardsticks"),
    score_distribution=lazy("cultureval.tasks.global_opinions.scoring:score_for_task"),
    rescore=Rescorer(
        run=lazy("cultureval.tasks.global_opinions.rescore:rescore"),
        columns="question, country, and distribution (JSON list, one value per option in the dataset's order) "
        "or text (a written answer); --task names the task whose items they are (default global_opinion_jsd)",
    ),
    commands=(commands.EXPORT_SFT,),
    paper=Paper("Towards Measuring the Representation of Subjective Global Opinions in Language Models", "2306.16388"),
    description="How close a model's answers to survey questions (Pew Global Attitudes, World Values Survey) are "
    "to each country's respondents: the Jensen-Shannon distance between the model's answer distribution (from its "
    "option probabilities, written-out, verbalized or sampled answers; with and without steering) and the "
    "country's survey distribution, per (question, country) item.",
    data=pinned_data,
)
