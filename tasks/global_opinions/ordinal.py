"""Which WVS answer options form an ordinal scale, and each option's position on it.

Used by ``global_opinion_wvs_pearson`` (Kim & Baek's expected-score method). The rule:

1. **Non-substantive options are dropped** (score ``None``): ``Don't know``, ``DK/Refused``,
   ``Refused``, ``No answer`` (``No answer/refused``), ``Missing...``, ``Other missing...``,
   ``INAP...``, ``Don't -9:-2``, ``Not allowed to vote``, ``Other answer``, and answers recorded
   only when volunteered (``... (spontaneous)``, e.g. ``It is against democracy (spontaneous)``
   beside the ten-point "essential characteristic of democracy" scale).
2. The remaining (substantive) options are an ordinal scale when either
   a. **numbered scale**: they are ``label, 2, 3, ..., k-1, label`` (the 10-point WVS scales;
      the end labels may start with ``1 ``/``10 ``): option *i* scores *i*, so "high" is the
      right-hand label (e.g. ``Always justifiable`` = 10); printed high to low
      (``label, k-1, ..., 2, label``) the numbers keep their values and the left label is *k*; or
   b. **verbal scale**: every option is a distinct level of one of the graded scales in
      :data:`VERBAL_SCALES` (agreement, amount/confidence, importance, frequency, trust,
      satisfaction, goodness, rights, interest, closeness, proportion, action, membership,
      good/bad thing, respect), at least three levels. The option scores its level, the levels
      present numbered 1, 2, ... (a scale without its midpoint is scored evenly); levels are
      ordered so that "high" means *more* of what the scale names: more agreement, more
      confidence, more important, more often, more trust, more satisfied, better, more of a
      right, more interested, closer, more of them, more action, more active, a better thing.
      The listing order does not matter (``Disagree, Hard to say, Agree`` is an agreement scale
      with ``Hard to say`` at the midpoint).
3. Anything else (yes/no, mentioned/not mentioned, lists of countries or policy goals) is
   not ordinal and the question is left out.

Because model and survey are scored on the same scale, the direction of "high" does not change
a Pearson correlation; it matters only for reading per-country scores.
"""

from __future__ import annotations

import re

NON_SUBSTANTIVE = re.compile(
    r"^(don[’']?t know|dk\b|refused|no answer|missing|other missing|inap\b|don[’']?t -\d|not allowed to vote"
    r"|other answer)"
    # answers interviewers record only when volunteered ("It is against democracy (spontaneous)")
    r"|.*\(spontaneous\)$",
    re.IGNORECASE,
)

# scale name -> levels from low to high; each level is a tuple of accepted spellings
VERBAL_SCALES: dict[str, list[tuple[str, ...]]] = {
    "agreement": [
        ("strongly disagree", "disagree strongly", "completely disagree"),
        ("disagree",),
        ("neither agree nor disagree", "neither agree or disagree", "hard to say"),
        ("agree",),
        ("strongly agree", "agree strongly", "completely agree"),
    ],
    "amount": [
        ("none at all", "not at all", "nothing"),
        ("not very much", "not much", "little"),
        ("quite a lot", "fairly"),
        ("a great deal", "very much", "a lot"),
    ],
    "importance": [("not at all important",), ("not very important",), ("rather important",), ("very important",)],
    "frequency": [
        ("not at all often", "not at all frequently", "never"),
        ("not often", "not frequently"),
        ("fairly often", "quite frequently", "usually"),
        ("very often", "very frequently", "always"),
    ],
    "trust": [("do not trust at all",), ("do not trust very much",), ("trust somewhat",), ("trust completely",)],
    "satisfaction": [
        ("very dissatisfied", "completely dissatisfied"),
        ("fairly dissatisfied", "rather dissatisfied"),
        ("fairly satisfied", "rather satisfied"),
        ("very satisfied", "completely satisfied"),
    ],
    "goodness": [
        ("very bad",),
        ("fairly bad", "quite bad", "rather bad", "bad"),
        ("neither good, nor bad", "neither good nor bad"),
        ("fairly good", "quite good"),
        ("very good",),
    ],
    "rights": [
        ("definitely should not have the right",),
        ("probably should not have the right",),
        ("probably should have the right",),
        ("definitely should have the right",),
    ],
    "interest": [("not at all interested",), ("not very interested",), ("somewhat interested",), ("very interested",)],
    "closeness": [("not close at all",), ("not very close",), ("close",), ("very close",)],
    "proportion": [("none of them",), ("few of them",), ("most of them",), ("all of them",)],
    "action": [("would never do",), ("might do",), ("have done",)],
    "membership": [("not a member", "don't belong"), ("inactive member",), ("active member",)],
    "thing": [("bad thing",), ("don't mind",), ("good thing",)],
    "likelihood": [("not likely",), ("somewhat likely",), ("very likely",)],
    "extent": [("not at all",), ("to a small extent",), ("to a medium extent",), ("to a large extent",)],
    "respect": [
        ("no respect at all",),
        ("not much respect",),
        ("fairly much respect", "some respect"),
        ("a great deal of respect",),
    ],
}
# Scales whose levels are only told apart by the order the questionnaire prints them in: the
# WVS prints "Rather bad" below "Quite bad" in this item, where elsewhere "rather bad" is the
# level just under the midpoint. Scored by printed position, lowest first.
PRINTED_SCALES: dict[str, tuple[str, ...]] = {
    "goodness (printed)": ("rather bad", "quite bad", "neither good, nor bad", "quite good", "very good"),
}
MIN_LEVELS = 3

_NUMBER_RE = re.compile(r"^\d+$")


def _normalise(option: str) -> str:
    return re.sub(r"\s+", " ", str(option).strip().lower())


def is_substantive(option: str) -> bool:
    return NON_SUBSTANTIVE.match(_normalise(option)) is None


def _numbered(options: list[str]) -> list[float] | None:
    if len(options) < MIN_LEVELS:
        return None
    inner = options[1:-1]
    if not all(_NUMBER_RE.match(o) for o in inner):
        return None
    if _NUMBER_RE.match(options[0]) or _NUMBER_RE.match(options[-1]):
        return None  # end points must be labels
    numbers = [int(o) for o in inner]
    if numbers == list(range(2, len(options))):
        return [float(i) for i in range(1, len(options) + 1)]
    if numbers == list(range(len(options) - 1, 1, -1)):  # printed high to low: "Satisfied, 9, ..., 2, Dissatisfied"
        return [float(i) for i in range(len(options), 0, -1)]
    return None


def _dense(ranks: list[int]) -> list[float]:
    """Levels renumbered 1, 2, ... in order, so a scale that skips a level of its family (``Very
    good, Fairly good, Bad, Very bad`` has no midpoint) is scored evenly: 4, 3, 2, 1."""
    order = {rank: position for position, rank in enumerate(sorted(set(ranks)), start=1)}
    return [float(order[rank]) for rank in ranks]


def _verbal(options: list[str]) -> tuple[str, list[float]] | None:
    normalised = [_normalise(o) for o in options]
    for name, printed in PRINTED_SCALES.items():
        if sorted(normalised) == sorted(printed):
            return name, [float(printed.index(o) + 1) for o in normalised]
    for name, levels in VERBAL_SCALES.items():
        lookup = {spelling: rank for rank, spellings in enumerate(levels, start=1) for spelling in spellings}
        ranks = [lookup.get(o) for o in normalised]
        if all(r is not None for r in ranks) and len(set(ranks)) == len(ranks) >= MIN_LEVELS:
            return name, _dense(ranks)
    return None


def ordinal_scores(options: list[str]) -> tuple[str, list[float | None]] | None:
    """``(scale name, score per option)`` with ``None`` for non-substantive options, or
    ``None`` when the substantive options are not an ordinal scale (see the module rule)."""
    keep = [i for i, option in enumerate(options) if is_substantive(option)]
    substantive = [_normalise(options[i]) for i in keep]
    numbered = _numbered(substantive)
    if numbered is not None:
        found = ("numbered", numbered)
    else:
        found = _verbal(substantive)
        if found is None:
            return None
    name, values = found
    scores: list[float | None] = [None] * len(options)
    for index, value in zip(keep, values):
        scores[index] = value
    return name, scores


def expected_score(distribution: list[float], scores: list[float | None]) -> float | None:
    """``Σ_k p_k s_k`` over the substantive options after renormalising ``p`` over them;
    ``None`` when they carry no probability mass."""
    pairs = [(p, s) for p, s in zip(distribution, scores) if s is not None]
    mass = sum(p for p, _ in pairs)
    if mass <= 0:
        return None
    return sum(p * s for p, s in pairs) / mass
