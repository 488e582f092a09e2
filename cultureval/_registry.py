"""Inspect entry point (``[project.entry-points.inspect_ai]``): registers the tasks as
``cultureval/<task>`` so ``inspect eval cultureval/global_opinion_jsd`` works."""

from inspect_ai import Task, task

from cultureval.inspect_tasks import AUTO, cot_task, option_logprob_task, sampled_task



@task
def global_opinion_jsd(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """GlobalOpinionQA, all (question, country) pairs: option-letter probabilities vs survey."""
    return option_logprob_task("global_opinion_jsd", rendering, top_logprobs)


@task
def global_opinion_jsd_6c(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """GlobalOpinionQA, six countries x 100 questions (GlobalOpinionBench design)."""
    return option_logprob_task("global_opinion_jsd_6c", rendering, top_logprobs)


@task
def global_opinion_jsd_binary(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """GlobalOpinionQA, two-option questions for the US, China, Japan and India."""
    return option_logprob_task("global_opinion_jsd_binary", rendering, top_logprobs)


@task
def global_opinion_cot(max_tokens: int | None = None) -> Task:
    """GlobalOpinionQA: reasoning in <think></think>, then the whole distribution as a list."""
    return cot_task("global_opinion_cot", max_tokens)


@task
def global_opinion_cot_6c(max_tokens: int | None = None) -> Task:
    return cot_task("global_opinion_cot_6c", max_tokens)


@task
def global_opinion_cot_binary(max_tokens: int | None = None) -> Task:
    return cot_task("global_opinion_cot_binary", max_tokens)


@task
def global_opinion_sampled(rendering: str = AUTO, n: int | None = None) -> Task:
    """GlobalOpinionQA: frequencies of n single answers sampled at temperature 1 (default 10)."""
    return sampled_task("global_opinion_sampled", rendering, n)


@task
def global_opinion_sampled_6c(rendering: str = AUTO, n: int | None = None) -> Task:
    return sampled_task("global_opinion_sampled_6c", rendering, n)


@task
def cali_nli_us(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """CALI judged as someone who lives in the United States, vs the US annotators."""
    from cultureval.scorers.cali import cali_scorer

    return option_logprob_task("cali_nli_us", rendering, top_logprobs, cali_scorer())


@task
def cali_nli_in(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """CALI judged as someone who lives in India, vs the Indian annotators."""
    from cultureval.scorers.cali import cali_scorer

    return option_logprob_task("cali_nli_in", rendering, top_logprobs, cali_scorer())


def _polarity(language: str, max_tokens: int | None) -> Task:
    from cultureval.inspect_tasks import judged_task
    from cultureval.scorers.judged import polarity_scorer

    return judged_task(f"wvs_polarity_{language}", polarity_scorer(), max_tokens)


@task
def wvs_polarity_en(max_tokens: int | None = None) -> Task:
    """WVS value polarity, English prompts; judge: --model-role grader=..."""
    return _polarity("en", max_tokens)


@task
def wvs_polarity_da(max_tokens: int | None = None) -> Task:
    """WVS value polarity, Danish prompts; judge: --model-role grader=..."""
    return _polarity("da", max_tokens)


@task
def wvs_polarity_nl(max_tokens: int | None = None) -> Task:
    """WVS value polarity, Dutch prompts; judge: --model-role grader=..."""
    return _polarity("nl", max_tokens)


@task
def wvs_polarity_pt(max_tokens: int | None = None) -> Task:
    """WVS value polarity, Portuguese prompts; judge: --model-role grader=..."""
    return _polarity("pt", max_tokens)


def _culturebank(split: str, part: str, max_tokens: int | None) -> Task:
    from cultureval.inspect_tasks import judged_task
    from cultureval.scorers.judged import entailment_scorer

    return judged_task(f"culturebank_{split}", entailment_scorer(), max_tokens, dataset_kwargs={"part": part})


@task
def culturebank_tiktok(part: str = "test", max_tokens: int | None = None) -> Task:
    """CultureBank TikTok advice questions (part: test = last 10%, or all); judge: --model-role grader=..."""
    return _culturebank("tiktok", part, max_tokens)


@task
def culturebank_reddit(part: str = "test", max_tokens: int | None = None) -> Task:
    """CultureBank Reddit advice questions (part: test = last 10%, or all); judge: --model-role grader=..."""
    return _culturebank("reddit", part, max_tokens)


@task
def global_opinion_wvs_pearson(rendering: str = AUTO, top_logprobs: int = 20) -> Task:
    """GlobalOpinionQA's ordinal WVS items: expected scores, Pearson r across countries per question."""
    from cultureval.scorers.wvs_pearson import wvs_pearson_scorer

    return option_logprob_task("global_opinion_wvs_pearson", rendering, top_logprobs, wvs_pearson_scorer())
