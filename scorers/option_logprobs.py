"""Reading an option distribution from the first generated token's ``top_logprobs``.

Letters missing from the top-k (documented rule): a letter that is not among the ``k``
returned tokens has a log-probability at most the smallest returned one, so it is given
exactly that value (an upper bound) before normalising over the letters. With every letter
present this is the exact softmax over the letters' log-probabilities, as lm-eval computes it;
with none present it gives the uniform distribution. ``letter_coverage`` (share of letters
found, mean over items) reports how often the rule was needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from inspect_ai.solver import TaskState

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
    """The distribution over the sample's option letters (``metadata["letters"]``) from the
    first generated token's ``top_logprobs``, and how many letters were missing from them."""
    letters = state.metadata["letters"]
    exact = state.metadata.get("rendering") != "instruction"
    values, missing = letter_logprobs(_top_logprobs(state), letters, exact=exact)
    return softmax_logprobs(values), missing
