"""Read the answer distribution a model wrote: :func:`parse_distribution` / :func:`read_distribution`.

Rules, in order (the GlobalOpinionBench study found that the parse, not the model, often
decided the score, so every rule is explicit and an answer that fits none is unreadable rather
than guessed):

1. **Answer region.** The text after the last ``</think>`` when there is one, else the whole
   text. A ``<think>`` that is never closed (a generation cut off inside its reasoning) makes
   the answer **truncated**: unreadable, whatever drafts the reasoning holds. When the text
   after the last ``</think>`` holds no readable answer (the model put its answer inside the
   reasoning, ``... so the distribution is {0.4, 0.6}</think>``), the final answer of the
   reasoning just before that ``</think>`` is read by the same rules.
2. **Final list.** The last bracketed or braced list of numbers in the region —
   ``[0.2, 0.5, 0.3]``, ``{20%, 50%, 30%}``, ``(0.2; 0.5; 0.3)`` — is the answer when it has
   exactly one value per option, or fewer values when every option it leaves out is a
   *trailing non-substantive* option (``Don't know``, ``DK/Refused``, ``No answer``,
   ``Missing; ...``, ``Other missing; ...``; the list of
   :data:`cultureval.tasks.global_opinions.ordinal.NON_SUBSTANTIVE`): the values go to the
   options in order and the omitted ones get 0. Any other length is never mapped onto the
   options; rule 3 is tried instead.
3. **Labelled values.** Lines (or ``label: value`` pairs inside braces) that name an option and
   give a number: ``- Agree: 0.35``, ``Agree: ~40%``, ``**Agree strongly**: 0.35 (35%)``,
   ``"Don't know": 3%``, ``Neither: low (around 5%)``, ``1. Agree - 0.35``. Bullets, numbering,
   option letters, quotes and markdown are ignored; the value is the first number after the
   label (at most three words before it); a range (``Around 80-85%``, ``0.2–0.3``,
   ``10 to 20%``) reads as its midpoint. Labels match options case-insensitively, as the whole
   option, the option without its parenthetical (``Neither`` for ``Neither (DO NOT READ)``), or
   a unique word-prefix of the option. The last block of consecutive labelled lines is used;
   two values for one option, or a label matching several options, make the block unreadable.
   **Options left out** of the labelled values get 0 when the values already sum to 1 within
   the tolerance (models often drop trailing ``No answer`` / ``Missing`` options); otherwise the
   block is unreadable.
4. **Scale.** A value followed by ``%`` is a percentage (``0.35 (35%)`` reads 0.35, ``~40%``
   reads 0.40). A list or block with no ``%`` at all whose values sum to 100 within the
   tolerance (×100) holds bare percentages.
5. **Validation.** Any negative, NaN or infinite value → unreadable; all zero → unreadable; the
   sum must be within :data:`SUM_TOLERANCE` of 1 (after scaling; the bound is inclusive, so
   ``{0.05, 0.3, 0.45, 0.2, 0.1}``, summing to 1.1, is read), then the values are normalised to
   sum 1.

Parsing time is linear in the length of the text: runs of spaces and tabs are collapsed to one
space before any pattern is applied, so no pattern can backtrack over a long whitespace run
(``benchmarks/parser.py`` times 1 MB of whitespace).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cultureval.tasks.global_opinions.ordinal import is_substantive

SUM_TOLERANCE = 0.1  # |sum - 1| allowed before normalising (|sum - 100| <= 10 for percentages)
# float sums of decimal values land a few ulps either side of the bound (0.05 + 0.3 + 0.45 +
# 0.2 + 0.1 = 1.1000000000000003): the bound is compared with this much slack
_ROUNDING = 1e-9

READ = "read"
TRUNCATED = "truncated"
UNREADABLE = "unreadable"

_NUMBER = r"[-+−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|NaN|inf|Infinity"
_NUMBER_RE = re.compile(rf"(?<![\w.])({_NUMBER})\s*(%?)")
_RANGE_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*(%?)")
_LIST_RE = re.compile(rf"[\[{{(]\s*((?:{_NUMBER})\s*%?(?:\s*[,;]\s*(?:{_NUMBER})\s*%?)+)\s*,?\s*[\]}})]")
_BRACED_RE = re.compile(r"\{([^{}]*)\}")
_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
_BULLET_RE = re.compile(r"^\s*(?:[-*•·+>]+|\d{1,2}[.)]|\(?[A-Za-z][.)])\s+")
_LETTER_PREFIX_RE = re.compile(r"^\(?[A-Z]\)\s*|^[A-Z][.:]\s+")
_MARKDOWN_RE = re.compile(r"[*_`#]+")
_QUOTES = "\"'“”‘’`"
_SEPARATOR_RE = re.compile(r"\s*(?::|=|\s[-–—]\s|\s[-–—]>)\s*")
_HORIZONTAL_SPACE_RE = re.compile(r"[^\S\n]+")
_WORDS_BEFORE_NUMBER = 3


@dataclass(frozen=True)
class Reading:
    """What :func:`read_distribution` made of a text: the distribution (``None`` when
    unreadable) and why (:data:`READ`, :data:`TRUNCATED` or :data:`UNREADABLE`)."""

    distribution: list[float] | None
    status: str


def _to_float(token: str) -> float:
    token = token.replace("−", "-")
    lowered = token.lower()
    if lowered == "nan":
        return math.nan
    if lowered in ("inf", "infinity"):
        return math.inf
    return float(token)


def _normalise_label(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = _MARKDOWN_RE.sub("", text)
    text = text.strip().strip(_QUOTES).strip()
    text = re.sub(r"\s+", " ", text)
    return text.lower().rstrip(" .")


def _without_parenthetical(text: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*", " ", text).strip()


def _finish(values: list[float], percent_flags: list[bool]) -> list[float] | None:
    if not values:
        return None
    if any(math.isnan(v) or math.isinf(v) for v in values):
        return None
    if any(v < 0 for v in values):
        return None
    values = [v / 100 if percent else v for v, percent in zip(values, percent_flags)]
    total = sum(values)
    if not any(percent_flags) and total > 1 + SUM_TOLERANCE and abs(total - 100) <= 100 * SUM_TOLERANCE + _ROUNDING:
        values = [v / 100 for v in values]  # bare percentages: 35, 40, 25
        total = sum(values)
    if total <= 0 or abs(total - 1) > SUM_TOLERANCE + _ROUNDING:
        return None
    return [v / total for v in values]


def _final_list(region: str) -> tuple[list[float], list[bool]] | None:
    matches = list(_LIST_RE.finditer(region))
    if not matches:
        return None
    values, flags = [], []
    for number, percent in _NUMBER_RE.findall(matches[-1].group(1)):
        values.append(_to_float(number))
        flags.append(percent == "%")
    return values, flags


def _list_answer(values: list[float], flags: list[bool], options: Sequence[str]) -> list[float] | None:
    """Rule 2: one value per option, or fewer when only trailing non-substantive options are
    left out (they get 0)."""
    if len(values) == len(options):
        return _finish(values, flags)
    if 0 < len(values) < len(options) and not any(is_substantive(str(o)) for o in options[len(values) :]):
        finished = _finish(values, flags)
        return None if finished is None else finished + [0.0] * (len(options) - len(values))
    return None


class _OptionMatcher:
    def __init__(self, options: Sequence[str]) -> None:
        self.full = [_normalise_label(str(o)) for o in options]
        self.short = [_normalise_label(_without_parenthetical(str(o))) for o in options]

    def match(self, label: str) -> int | None:
        label = _normalise_label(_LETTER_PREFIX_RE.sub("", label.strip().strip(_QUOTES)))
        if not label:
            return None
        for candidates in (self.full, self.short):
            hits = [i for i, option in enumerate(candidates) if option == label]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                return None
        prefix_hits = [
            i
            for i, option in enumerate(self.short)
            if option.startswith(label) and (len(option) == len(label) or not option[len(label)].isalnum())
        ]
        return prefix_hits[0] if len(prefix_hits) == 1 else None


def _labelled_value(value_text: str) -> tuple[float, bool] | None:
    """The first number (or range: its midpoint) after a label, with its percent flag."""
    match = _NUMBER_RE.search(value_text)
    if not match:
        return None
    before = value_text[: match.start()]
    if len(re.findall(r"[A-Za-z]+", before)) > _WORDS_BEFORE_NUMBER:
        return None
    span = _RANGE_RE.match(value_text, match.start())
    if span:
        low, high = float(span.group(1)), float(span.group(3))
        return (low + high) / 2, bool(span.group(2) or span.group(4))
    return _to_float(match.group(1)), match.group(2) == "%"


def _split_label(line: str) -> tuple[str, str] | None:
    line = _BULLET_RE.sub("", line, count=1)
    stripped = _MARKDOWN_RE.sub("", line).strip()
    parts = _SEPARATOR_RE.split(stripped, maxsplit=1)
    if len(parts) != 2 or not parts[0].strip():
        return None
    return parts[0], parts[1]


Block = list[tuple[int, float, bool]]  # (option index, value, is percentage)


def _entry(text: str, matcher: _OptionMatcher) -> tuple[int, float, bool] | None:
    split = _split_label(text)
    index = matcher.match(split[0]) if split else None
    value = _labelled_value(split[1]) if index is not None else None
    return None if value is None else (index, value[0], value[1])


def _labelled_blocks(region: str, matcher: _OptionMatcher) -> list[tuple[int, Block]]:
    """Blocks of labelled values with the offset where each ends, in no particular order."""
    blocks: list[tuple[int, Block]] = []
    current: Block = []
    offset = 0
    for line in region.splitlines(keepends=True):
        line_end = offset + len(line)
        if line.strip():
            entry = _entry(line, matcher)
            if entry is None:
                if current:
                    blocks.append((offset, current))
                    current = []
            else:
                current.append(entry)
        offset = line_end
    if current:
        blocks.append((offset, current))
    for braced in _BRACED_RE.finditer(region):  # {"Agree": 0.3, "Disagree": 0.7}
        pairs: Block = []
        for item in re.split(r",(?=[^,]*[:=])", braced.group(1)):
            entry = _entry(item, matcher)
            if entry is None:
                pairs = []
                break
            pairs.append(entry)
        if pairs:
            blocks.append((braced.end(), pairs))
    return blocks


def _from_block(block: Block, n_options: int) -> list[float] | None:
    indices = [index for index, _, _ in block]
    if len(set(indices)) != len(indices):
        return None
    scaled = _finish([value for _, value, _ in block], [percent for _, _, percent in block])
    if scaled is None:
        return None
    # options the block leaves out get 0: _finish has checked the given values sum to ~1
    result = [0.0] * n_options
    for index, value in zip(indices, scaled):
        result[index] = value
    return result


def _read_region(region: str, options: Sequence[str]) -> list[float] | None:
    """Rules 2-5 on one region of text."""
    final = _final_list(region)
    if final is not None:
        answer = _list_answer(*final, options)
        if answer is not None:
            return answer
    blocks = _labelled_blocks(region, _OptionMatcher(options))
    if not blocks:
        return None
    _, last = max(blocks, key=lambda item: item[0])
    return _from_block(last, len(options))


def read_distribution(text: str, options: Sequence[str]) -> Reading:
    """The distribution over ``options`` that ``text`` states, and whether the text was read,
    truncated or unreadable (module docstring: the rules). Never evaluates the text."""
    if not isinstance(text, str) or not options:
        return Reading(None, UNREADABLE)
    text = _HORIZONTAL_SPACE_RE.sub(" ", text)
    close = text.rfind(_THINK_CLOSE)
    if text.find(_THINK_OPEN, close + 1 if close >= 0 else 0) >= 0:
        return Reading(None, TRUNCATED)  # an opened <think> that is never closed
    if close < 0:
        distribution = _read_region(text, options)
    else:
        distribution = _read_region(text[close + len(_THINK_CLOSE) :], options)
        if distribution is None:  # the answer written inside the reasoning, just before </think>
            opened = text.rfind(_THINK_OPEN, 0, close)
            distribution = _read_region(text[opened + len(_THINK_OPEN) if opened >= 0 else 0 : close], options)
    return Reading(distribution, READ if distribution is not None else UNREADABLE)


def parse_distribution(text: str, options: Sequence[str]) -> list[float] | None:
    """The distribution over ``options`` that ``text`` states, normalised to sum 1, or ``None``
    (truncated or unreadable; :func:`read_distribution` says which). Never evaluates the text."""
    return read_distribution(text, options).distribution
