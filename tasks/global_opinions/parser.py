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

6. **Ambiguity.** A number written with a separator that could be a decimal mark or a
   thousands, fraction or ratio mark right before another digit (``0,6``, ``1/3``, ``٠٫٥``) is
   ambiguous, and an ambiguous answer is unreadable, never guessed: a labelled value so written
   makes its block unreadable, and so does a final list that mixes ``0,6``-style commas with
   separated values (``[0,60, 0,40]`` could be four values or two decimal-comma values).
   Digits of other scripts (fullwidth ``０``, Arabic-Indic ``٠``, ...) read as the ASCII digits.

Parsing time is linear in the length of the text, whatever its characters: before any pattern
is applied, digits are mapped to ASCII and every whitespace run (``str.isspace``: spaces, tabs,
NBSP, newlines, ...) becomes one space, or one newline when it holds a newline, so no pattern
can backtrack over a run (``benchmarks/parser.py`` times megabyte inputs of every kind).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cultureval.tasks.global_opinions.ordinal import is_substantive

SUM_TOLERANCE = 0.1  # |sum - 1| allowed before normalising (|sum - 100| <= 10 for percentages)
# float sums of decimal values land a few ulps either side of the bound (0.05 + 0.3 + 0.45 +
# 0.2 + 0.1 = 1.1000000000000003): the bound is compared with this much slack
_ROUNDING = 1e-9

READ = "read"
TRUNCATED = "truncated"
UNREADABLE = "unreadable"

_NUMBER = r"[-+−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|NaN|inf|Infinity"
# the same numbers, atomic (no backtracking into a number once read); Infinity before inf
_ATOMIC_NUMBER = r"(?>[-+−]?(?:\d++(?:\.\d*+)?|\.\d++)(?:[eE][-+]?\d++)?|nan|NaN|Infinity|inf)"
_NUMBER_RE = re.compile(rf"(?<![\w.])({_NUMBER})\s*(%?)")
_RANGE_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*(%?)")
# possessive: after whitespace is collapsed (prepare_text) a list is read in one pass, without
# backtracking over its values
_LIST_RE = re.compile(
    rf"[\[{{(]\s*+((?:{_ATOMIC_NUMBER})\s*+%?(?:\s*+[,;]\s*+(?:{_ATOMIC_NUMBER})\s*+%?)++)\s*+,?\s*+[\]}})]"
)
_BRACED_RE = re.compile(r"\{([^{}]*)\}")
_FIRST_WORD_RE = re.compile(r"[^\W_]+")
# what every separator of a labelled value holds: ":", "=", or a dash after a space (markdown between)
_DASH_HINT_RE = re.compile(r" [*_`#]*[-–—]")
_DIGIT_RE = re.compile(r"\d")
_VALUE_HINT_RE = re.compile(r"\d|nan|NaN|inf")
_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
_BULLET_RE = re.compile(r"^\s*(?:[-*•·+>]+|\d{1,2}[.)]|\(?[A-Za-z][.)])\s+")
_LETTER_PREFIX_RE = re.compile(r"^\(?[A-Z]\)\s*|^[A-Z][.:]\s+")
_MARKDOWN_RE = re.compile(r"[*_`#]+")
_QUOTES = "\"'“”‘’`"
_SEPARATOR_RE = re.compile(r"\s*(?::|=|\s[-–—]\s|\s[-–—]>)\s*")
# every whitespace character (str.isspace) but the plain space and the newline; runs of spaces;
# runs of spaces and newlines holding a newline (other than one bare newline)
_OTHER_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace() and chr(c) not in " \n")
_OTHER_SPACE_TABLE = str.maketrans(dict.fromkeys(_OTHER_SPACES, " "))
_SPACE_RUN_RE = re.compile(r"  +")
_LINE_BREAK_RUN_RE = re.compile(r"(?: +\n|\n[ \n])[ \n]*")
# a mark between two digits that is not a decimal point: a decimal comma or an Arabic decimal
# separator, a thousands mark, a fraction or ratio (``0,6``, ``٠٫٥``, ``1'000``, ``1/3``,
# ``1:3``): the number is ambiguous
_AMBIGUOUS_MARK_RE = re.compile(r"[,٫٬،，．/:'’·]\d")
_TIGHT_COMMA_RE = re.compile(r"\d,\d")
_LOOSE_SEPARATOR_RE = re.compile(r";|,\s")
_WORDS_BEFORE_NUMBER = 3
# an ambiguous labelled value: its block is unreadable (rule 6)
_AMBIGUOUS = (-1, math.nan, False)


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


def prepare_text(text: str) -> str:
    """``text`` as the rules read it: every whitespace run (``str.isspace``: spaces, tabs, NBSP,
    line and paragraph separators, ...) made one space, or one newline when it holds a newline.
    Linear, and no pattern applied afterwards meets two whitespace characters in a row."""
    # C-speed passes only: translate an ASCII text, replace each other space a text holds, and
    # skip a pass when nothing needs it
    if text.isascii():
        text = text.translate(_OTHER_SPACE_TABLE)
    else:
        for space in _OTHER_SPACES:
            if space in text:
                text = text.replace(space, " ")
    if " \n" in text or "\n " in text or "\n\n" in text:
        text = _LINE_BREAK_RUN_RE.sub("\n", text)
    return _SPACE_RUN_RE.sub(" ", text) if "  " in text else text


_AMBIGUOUS_LIST: tuple[list[float], list[bool]] = ([], [])
_LONG_LIST: tuple[list[float], list[bool]] = ([], [])


_LIST_CHARACTERS = str.maketrans("", "", "0123456789.,;% \neE+-−")
_MANY_VALUES = 1000


def _long_list_at(region: str, end: int) -> bool:
    """Whether the bracket closing at ``end`` - 1 closes a run of more than :data:`_MANY_VALUES`
    values written in list characters only (digits, points, separators, signs, ``%``): such a
    run is taken as one list far too long for any item without parsing each value, so that a
    degenerate megabyte of numbers costs a few C-speed passes."""
    start = max(region.rfind("[", 0, end - 1), region.rfind("{", 0, end - 1), region.rfind("(", 0, end - 1))
    if start < 0 or region.count(",", start, end) + region.count(";", start, end) <= _MANY_VALUES:
        return False
    return not region[start + 1 : end - 1].translate(_LIST_CHARACTERS)


def _final_list(region: str, n_options: int) -> tuple[list[float], list[bool]] | None:
    """The values and percent flags of the last list in ``region``; :data:`_AMBIGUOUS_LIST`
    when that list is ambiguous (rule 6), :data:`_LONG_LIST` (its values unread) when it holds
    more values than there are options; ``None`` when there is no list.

    The last list is looked for in growing windows at the end of the text (a list ends with its
    closing bracket and holds no other bracket, so the last match in a window is a whole list):
    linear however many lists come before it."""
    end = max(region.rfind("]"), region.rfind("}"), region.rfind(")")) + 1
    if end == 0:
        return None
    if "," not in region and ";" not in region:
        return None  # a list separates its values
    if _long_list_at(region, end):
        return _LONG_LIST
    last = None
    window = 4096
    while last is None:
        start = max(0, end - window)
        for match in _LIST_RE.finditer(region, start, end):
            last = match
        if start == 0:
            break
        window *= 4
    if last is None:
        return None
    body = last.group(1)
    if _TIGHT_COMMA_RE.search(body) and _LOOSE_SEPARATOR_RE.search(body):
        return _AMBIGUOUS_LIST
    if body.count(",") + body.count(";") + 1 > n_options:  # one separator between two values
        return _LONG_LIST
    values, flags = [], []
    for number, percent in _NUMBER_RE.findall(body):
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
        # a label that matches an option holds that option's first word (it equals the option,
        # or is a prefix of it ending at a word boundary): only lines and groups holding one are
        # tried, found on the reversed text by patterns that name the reversed words
        words = [_FIRST_WORD_RE.match(option) for option in self.full + self.short]
        self.words = sorted({word.group() for word in words if word}) if all(words) else None
        if self.words:
            alternatives = "|".join(sorted({re.escape(word[::-1]) for word in self.words}))
            self.named = re.compile(f"(?i:{'|'.join(map(re.escape, self.words))})")
            self.reversed_lines = re.compile(
                rf"^(?=[^\n]*?(?i:{alternatives}))[^\n]*?(?:[:=]|[-–—][*_`#]* )[^\n]*+", re.MULTILINE
            )
            self.reversed_groups = re.compile(rf"\}}(?=[^{{}}]*?(?i:{alternatives}))([^{{}}]*)\{{")
        else:  # an option that starts with no word: try every line and group with a separator
            self.reversed_lines = re.compile(r"^[^\n]*?(?:[:=]|[-–—][*_`#]* )[^\n]*+", re.MULTILINE)
            self.reversed_groups = re.compile(r"\}([^{}]*)\{")

    def named_in(self, text: str) -> bool:
        """Whether ``text`` may hold a label of an option: it names an option's first word (any
        case). C-speed on ASCII text."""
        if self.words is None:
            return True
        if text.isascii():
            lowered = text.lower()
            return any(word in lowered for word in self.words)
        return self.named.search(text) is not None

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


@lru_cache(maxsize=4096)
def _matcher(options: tuple[str, ...]) -> _OptionMatcher:
    return _OptionMatcher(options)


def _labelled_value(value_text: str) -> tuple[float, bool] | None:
    """The first number (or range: its midpoint) after a label, with its percent flag;
    ``(nan, False)`` when that number is ambiguous (``0,6``, ``1/3``: rule 6)."""
    match = _NUMBER_RE.search(value_text)
    if not match:
        return None
    before = value_text[: match.start()]
    if len(re.findall(r"[A-Za-z]+", before)) > _WORDS_BEFORE_NUMBER:
        return None
    if _AMBIGUOUS_MARK_RE.match(value_text, match.end(1)):
        return math.nan, False
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
    if split is None:
        return None
    index = matcher.match(split[0])
    value = _labelled_value(split[1]) if index is not None else None
    if index is None or value is None:
        return None
    return _AMBIGUOUS if math.isnan(value[0]) and not value[1] else (index, value[0], value[1])


def _last_line_block(region: str, matcher: _OptionMatcher, n_options: int) -> tuple[int, Block] | None:
    """The last block of consecutive labelled lines and the offset where it ends, read from the
    end of ``region``: only lines that name an option's first word and hold a separator and a
    value are tried (:class:`_OptionMatcher`), and the reading stops at the block's first line
    (or after ``n_options`` + 1 entries: a repeat, which makes the block unreadable whatever
    precedes it)."""
    size = len(region)
    block: Block = []
    block_end = first_start = 0
    for match in matcher.reversed_lines.finditer(region[::-1]):
        start, end = size - match.end(), size - match.start()
        if block and end + 1 != first_start:
            break  # a line that is no labelled value lies between: the block starts after it
        line = region[start:end]
        entry = _entry(line, matcher) if _VALUE_HINT_RE.search(line) else None
        if entry is None:
            if block:
                break
            continue
        if not block:
            block_end = min(end + 1, size)
        block.append(entry)
        first_start = start
        if len(block) > n_options:
            break
    return (block_end, block[::-1]) if block else None


def _last_braced_block(region: str, matcher: _OptionMatcher, after: int) -> tuple[int, Block] | None:
    """The last ``{label: value, ...}`` group whose items are all labelled values, and where it
    ends, read from the end of ``region``; only groups ending after ``after`` and naming an
    option's first word are tried."""
    size = len(region)
    for match in matcher.reversed_groups.finditer(region[::-1]):
        end = size - match.start()
        if end <= after:
            return None
        inner = match.group(1)[::-1]
        if not _VALUE_HINT_RE.search(inner):
            continue
        pairs: Block = []
        for item in re.split(r",(?=[^,]*[:=])", inner):
            entry = _entry(item, matcher)
            if entry is None:
                pairs = []
                break
            pairs.append(entry)
        if pairs:
            return end, pairs
    return None


def _from_block(block: Block, n_options: int) -> list[float] | None:
    indices = [index for index, _, _ in block]
    if len(set(indices)) != len(indices) or _AMBIGUOUS[0] in indices:
        return None
    scaled = _finish([value for _, value, _ in block], [percent for _, _, percent in block])
    if scaled is None:
        return None
    # options the block leaves out get 0: _finish has checked the given values sum to ~1
    result = [0.0] * n_options
    for index, value in zip(indices, scaled):
        result[index] = value
    return result


def _has_digit(text: str) -> bool:
    if text.isascii():  # C-speed substring tests
        return any(digit in text for digit in "0123456789")
    return _DIGIT_RE.search(text) is not None


def _read_region(region: str, options: Sequence[str]) -> list[float] | None:
    """Rules 2-6 on one region of text."""
    if not _has_digit(region):
        return None  # no digit: every value would be nan or inf, which no rule reads
    final = _final_list(region, len(options))
    if final is _AMBIGUOUS_LIST:
        return None  # the final list is ambiguous: no earlier draft stands in for it
    if final is not None and final is not _LONG_LIST:
        answer = _list_answer(*final, options)
        if answer is not None:
            return answer
    matcher = _matcher(tuple(str(option) for option in options))
    if not (":" in region or "=" in region or _DASH_HINT_RE.search(region)) or not matcher.named_in(region):
        return None  # no "label: value" can be written without a separator and an option's name
    lines = _last_line_block(region, matcher, len(options))
    braced = _last_braced_block(region, matcher, lines[0] if lines else -1)
    last = braced or lines
    return None if last is None else _from_block(last[1], len(options))


def read_distribution(text: str, options: Sequence[str]) -> Reading:
    """The distribution over ``options`` that ``text`` states, and whether the text was read,
    truncated or unreadable (module docstring: the rules). Never evaluates the text."""
    if not isinstance(text, str) or not options or not text.strip():  # (strip: C speed on whitespace)
        return Reading(None, UNREADABLE)
    text = prepare_text(text)
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
