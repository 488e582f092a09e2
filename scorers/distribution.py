"""Inspect glue for GlobalOpinionQA-style tasks: metrics over per-item score dicts, and scorers
that turn a model's output into a distribution and score it with the task's own function.

- :func:`option_distribution`: the answer distribution from ``top_logprobs`` of the first
  generated token (logprob tasks).
- :func:`parsed_distribution`: a distribution read from generated text (``global_opinion_cot``)
  or from sampled answers (``global_opinion_sampled``); unreadable items count as such.

Letters missing from the top-k (documented rule): a letter that is not among the ``k``
returned tokens has a log-probability at most the smallest returned one, so it is given
exactly that value (an upper bound) before normalising over the letters. With every letter
present this is the exact softmax over the letters' log-probabilities, as lm-eval computes it;
with none present it gives the uniform distribution. ``letter_coverage`` (share of letters
found, mean over items) reports how often the rule was needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, grouped, metric, scorer
from inspect_ai.solver import TaskState

from cultureval.metrics import country_sim_std as country_sim_std_of
from cultureval.metrics import softmax_logprobs

# Markers tokenizers use for a leading space: GPT-2 byte-level BPE and SentencePiece.
_SPACE_MARKERS = ("Ġ", "▁")


def normalise_token(token: str) -> str:
    """A vocabulary piece as text: ``'ĠA'`` and ``'▁A'`` become ``' A'``."""
    for marker in _SPACE_MARKERS:
        token = token.replace(marker, " ")
    return token


def letter_logprobs(
    top_logprobs: Sequence[tuple[str, float]], letters: Sequence[str], exact: bool
) -> tuple[list[float], int]:
    """Log-probability of each letter from one position's top-k tokens.

    ``exact=True`` (the prompt ends in ``(``): only the bare letter token counts, which is the
    continuation lm-eval scores. ``exact=False`` (instruction rendering): ``A``, `` A``,
    ``ĠA`` all count, combined by log-sum-exp. Returns the values and how many letters were
    missing from the top-k (see the module docstring for their rule).
    """
    if not top_logprobs:
        raise ValueError("no top_logprobs to read letters from")
    found: dict[str, list[float]] = {}
    for token, logprob in top_logprobs:
        text = normalise_token(token)
        key = text if exact else text.strip()
        if key in letters and not math.isnan(logprob):
            found.setdefault(key, []).append(float(logprob))
    floor = min(float(logprob) for _, logprob in top_logprobs)
    values = [float(np.logaddexp.reduce(found[letter])) if letter in found else floor for letter in letters]
    return values, sum(letter not in found for letter in letters)


def _values(scores: list[SampleScore], key: str) -> list[float]:
    """The ``key`` values of the items that have one (NaN marks an unreadable item)."""
    values = [s.score.value.get(key) for s in scores if isinstance(s.score.value, dict)]
    return [float(v) for v in values if v is not None and not math.isnan(float(v))]


def _mean_of(key: str) -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        values = _values(scores, key)
        return float(np.mean(values)) if values else float("nan")

    return compute


def _stderr_of(key: str) -> Metric:
    """Standard error of the mean, sample std (ddof=1) / sqrt(n), as lm-eval reports it."""

    def compute(scores: list[SampleScore]) -> float:
        values = _values(scores, key)
        return float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")

    return compute


@metric
def jsd():
    """Mean Jensen–Shannon distance (base 2) to the survey distribution; lower is better."""
    return _mean_of("jsd")


@metric
def jsd_stderr():
    return _stderr_of("jsd")


@metric
def jsd_strict_stderr():
    return _stderr_of("jsd_strict")


@metric
def culture_sim():
    """Mean ``1 - jsd``; higher is better."""
    return _mean_of("culture_sim")


@metric
def culture_sim_stderr():
    return _stderr_of("culture_sim")


@metric
def country_sim_std():
    """Population std (ddof=0) of per-country mean culture_sim (countries weighted equally)."""

    def compute(scores: list[SampleScore]) -> float:
        pairs = [
            (s.sample_metadata["country"], float(s.score.value["culture_sim"]))
            for s in scores
            if isinstance(s.score.value, dict)
            and s.score.value.get("culture_sim") is not None
            and not math.isnan(float(s.score.value["culture_sim"]))
        ]
        return country_sim_std_of(pairs)

    return compute


@metric
def parse_rate():
    """Share of readable answers (for sampling: of samples that named a valid option)."""
    return _mean_of("parse_rate")


@metric
def jsd_strict():
    """Mean JSD with every unreadable item counted as 1.0."""
    return _mean_of("jsd_strict")


@metric
def n_unparsed():
    """Number of items with no readable answer."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(_values(scores, "n_unparsed")))

    return compute


@metric
def letter_coverage():
    """Mean share of option letters found in the returned top-k tokens (1.0 = exact)."""
    return _mean_of("letter_coverage")


def _top_logprobs(state: TaskState) -> list[tuple[str, float]]:
    choices = state.output.choices if state.output else []
    logprobs = choices[0].logprobs if choices else None
    if logprobs is None or not logprobs.content:
        raise RuntimeError(
            f"model {state.model} returned no log-probabilities. Option-letter tasks need a "
            "provider with logprobs (hf, vllm, OpenAI-style APIs); for others run the "
            "generative tasks (global_opinion_cot, global_opinion_sampled)."
        )
    first = logprobs.content[0]
    pairs = [(entry.token, entry.logprob) for entry in (first.top_logprobs or [])]
    return pairs or [(first.token, first.logprob)]


def read_option_distribution(state: TaskState) -> tuple[list[float], int]:
    """The distribution over the sample's option letters from the first generated token's
    ``top_logprobs``, and how many letters were missing from them (module docstring rule)."""
    letters = state.metadata["letters"]
    exact = state.metadata.get("rendering") != "instruction"
    values, missing = letter_logprobs(_top_logprobs(state), letters, exact=exact)
    return softmax_logprobs(values), missing


@scorer(
    metrics=[
        jsd(),
        jsd_stderr(),
        culture_sim(),
        culture_sim_stderr(),
        country_sim_std(),
        letter_coverage(),
        grouped(culture_sim(), "country", all=False, name_template="culture_sim_{group_name}"),
    ]
)
def option_distribution(score_distribution: Callable[[dict, list[float]], dict]) -> Scorer:
    """Score the letter distribution of the first generated token with ``score_distribution``
    (the task's function shared with lm-eval's ``process_results``)."""

    async def score(state: TaskState, target: Target) -> Score:
        doc, letters = state.metadata["doc"], state.metadata["letters"]
        distribution, missing = read_option_distribution(state)
        item = score_distribution(doc, distribution)
        numeric = {key: value for key, value in item.items() if isinstance(value, (int, float))}
        numeric["letter_coverage"] = 1.0 - missing / len(letters)
        return Score(
            value=numeric,
            answer=letters[int(np.argmax(distribution))],
            explanation=f"model distribution over {''.join(letters)}: "
            + ", ".join(f"{p:.3f}" for p in distribution),
            metadata={"model_distribution": distribution, "letters_missing": missing},
        )

    return score


@scorer(
    metrics=[
        jsd(),
        culture_sim(),
        country_sim_std(),
        parse_rate(),
        jsd_strict(),
        jsd_strict_stderr(),
        n_unparsed(),
        grouped(culture_sim(), "country", all=False, name_template="culture_sim_{group_name}"),
    ]
)
def parsed_distribution(score_output: Callable[[dict, TaskState], dict]) -> Scorer:
    """Score a generated answer with ``score_output(doc, state)`` (which parses the output with
    the task's own functions, shared with lm-eval's ``process_results``)."""

    async def score(state: TaskState, target: Target) -> Score:
        item = score_output(state.metadata["doc"], state)
        # NaN, not None, marks an unreadable item: Inspect's epoch reducer keeps NaN out of the
        # mean but would turn None into 0
        value = {
            key: float("nan") if v is None else v
            for key, v in item.items()
            if v is None or isinstance(v, (int, float))
        }
        return Score(
            value=value,
            answer=state.output.completion if state.output else None,
            explanation="unreadable answer" if item.get("jsd") is None else f"jsd {item['jsd']:.3f}",
        )

    return score
