"""Which answer options form an ordinal scale, and each option's position on it.

Used by ``global_opinion_wvs_pearson`` (Kim & Baek's expected-score method, on the WVS items)
and by the ordinal distances of every GlobalOpinionQA task (``w1_ordinal`` and OpinionQA's
``representativeness``, Santurkar et al. 2023, on WVS and Pew items alike). The rule:

1. **Options that are no position on the scale are dropped** (score ``None``): the
   non-substantive ones (:data:`NON_SUBSTANTIVE`: ``Don't know``, ``DK/Refused``, ``Refused``,
   ``No answer``, ``Missing...``, ``Other missing...``, ``INAP...``, ``Don't -9:-2``, ``Not
   allowed to vote``, ``Other answer``, answers recorded only when volunteered ``... (spontaneous)``)
   and, as OpinionQA leaves its refusal options out of the ordinal scale, the answers of
   :data:`OFF_SCALE`: volunteered or not-read-out answers (``... (VOL)``, ``... (DO NOT READ)``),
   ``Neither`` / ``Both`` beside a two-sided scale, ``Never heard of``.
2. The remaining options are an ordinal scale when either
   a. **numbered scale**: ``label, 2, 3, ..., k-1, label`` (the 10-point WVS scales; the end
      labels may start with ``1 ``/``10 ``): option *i* scores *i*, so "high" is the right-hand
      label (e.g. ``Always justifiable`` = 10); Pew's ``label, 1, ..., 9, label`` (0 to 10) and
      bare ``0, 1, ..., 10``; printed high to low the numbers keep their values; or
   b. **verbal scale**: every option is a distinct level of one of the graded scales in
      :data:`VERBAL_SCALES` (the WVS's: agreement, amount/confidence, importance, frequency,
      trust, satisfaction, goodness, rights, interest, closeness, proportion, action,
      membership, good/bad thing, likelihood, extent, respect; with Pew's spellings of the same
      levels, ``Mostly agree``, ``Somewhat good``, ``Great deal``, ...) or :data:`PEW_SCALES`
      (favorability, confidence, how big a problem, threat, how well, concern, change for
      better or worse, ...), at least three levels. The option scores its level, the levels
      present numbered 1, 2, ... (a scale without its midpoint is scored evenly); levels are
      ordered so that "high" means *more* of what the scale names. The listing order does not
      matter (``Disagree, Hard to say, Agree`` is an agreement scale with ``Hard to say`` at the
      midpoint).
3. Anything else (yes/no, mentioned/not mentioned, lists of countries or policy goals,
   statements to choose between) is not ordinal and the item is left out of the ordinal
   measures (``ordinal_coverage`` says how many are scored).

Because model and survey are scored on the same scale, the direction of "high" changes neither
a Pearson correlation nor a Wasserstein distance; it matters only for reading per-country scores.
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

# Options that are answers but no position on the question's scale, left out of it as OpinionQA
# leaves out its refusal options (Santurkar et al. 2023; tatsu-lab/opinions_qa helpers.py: both
# distributions renormalised over the ordinal options): answers volunteered or not read out by the
# interviewer ("(VOL)", "(DO NOT READ)"), "Neither" / "Both" beside a two-sided scale, "Never heard
# of", and the stray "Total N=" column of one Pew table. Not the parser's list: a written answer may
# still give these options a value.
OFF_SCALE = re.compile(
    r".*\((vol\.?|do not read)\)$"
    r"|^(neither|both)(\s*/\s*(neither|both))?(\s+equally)?$"
    r"|^never heard of|^haven[’']?t heard enough|^total\s+n=",
    re.IGNORECASE,
)

# scale name -> levels from low to high; each level is a tuple of accepted spellings (the WVS
# spellings, and Pew's where a Pew scale has the same levels: "Mostly agree", "Somewhat good", ...)
VERBAL_SCALES: dict[str, list[tuple[str, ...]]] = {
    "agreement": [
        ("strongly disagree", "disagree strongly", "completely disagree"),
        ("disagree", "mostly disagree"),
        ("neither agree nor disagree", "neither agree or disagree", "hard to say"),
        ("agree", "mostly agree"),
        ("strongly agree", "agree strongly", "completely agree"),
    ],
    "amount": [
        ("none at all", "not at all", "nothing", "nothing at all", "none", "no influence at all"),
        ("not very much", "not much", "little", "not too much", "a little", "only a little", "very little"),
        ("quite a lot", "fairly", "fair amount", "a fair amount", "some"),
        ("a great deal", "very much", "a lot", "great deal"),
    ],
    "importance": [
        ("not at all important", "not important at all"),
        ("not very important", "not too important"),
        ("rather important", "somewhat important"),
        ("very important",),
    ],
    "frequency": [
        ("not at all often", "not at all frequently", "never"),
        ("not often", "not frequently"),
        ("fairly often", "quite frequently", "usually"),
        ("very often", "very frequently", "always"),
    ],
    "trust": [("do not trust at all",), ("do not trust very much",), ("trust somewhat",), ("trust completely",)],
    "satisfaction": [
        ("very dissatisfied", "completely dissatisfied"),
        ("fairly dissatisfied", "rather dissatisfied", "somewhat dissatisfied"),
        ("fairly satisfied", "rather satisfied", "somewhat satisfied"),
        ("very satisfied", "completely satisfied"),
    ],
    "goodness": [
        ("very bad",),
        ("fairly bad", "quite bad", "rather bad", "bad", "somewhat bad"),
        ("neither good, nor bad", "neither good nor bad"),
        ("fairly good", "quite good", "somewhat good"),
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
    "likelihood": [
        ("not at all likely", "very unlikely"),
        ("not likely", "not too likely", "somewhat unlikely"),
        ("somewhat likely",),
        ("very likely",),
    ],
    "extent": [("not at all",), ("to a small extent",), ("to a medium extent",), ("to a large extent",)],
    "respect": [
        ("no respect at all",),
        ("not much respect",),
        ("fairly much respect", "some respect"),
        ("a great deal of respect",),
    ],
}
# Pew Global Attitudes scales (the GlobalOpinionQA rows with source GAS), OpinionQA's ground
# (Santurkar et al. 2023 score Pew's American Trends Panel on such scales); levels low to high
PEW_SCALES: dict[str, list[tuple[str, ...]]] = {
    "favorability": [
        ("very unfavorable",),
        ("somewhat unfavorable", "mostly unfavorable"),
        ("somewhat favorable", "mostly favorable"),
        ("very favorable",),
    ],
    "confidence": [
        ("no confidence at all",),
        ("not too much confidence", "not much confidence"),
        ("some confidence",),
        ("a lot of confidence",),
    ],
    "confident": [
        ("not at all confident", "not confident at all"),
        ("not too confident",),
        ("somewhat confident",),
        ("very confident",),
    ],
    "job": [("very bad job",), ("somewhat bad job",), ("somewhat good job",), ("very good job",)],
    "influence": [
        ("very bad influence",),
        ("bad influence", "mostly bad influence"),
        ("no influence",),
        ("good influence", "mostly good influence"),
        ("very good influence",),
    ],
    "problem": [
        ("not a problem at all", "not a problem"),
        ("small problem", "minor problem"),
        ("moderately big problem",),
        ("very big problem", "major problem"),
    ],
    "seriousness": [
        ("not a problem at all", "not a problem"),
        ("not too serious", "not too serious problem"),
        ("somewhat serious", "somewhat serious problem"),
        ("very serious", "very serious problem"),
    ],
    "well": [("not well at all",), ("not too well",), ("somewhat well",), ("very well",)],
    "threat": [
        ("not a threat", "no threat", "no threat at all"),
        ("minor threat",),
        ("somewhat serious threat",),
        ("major threat", "very serious threat"),
    ],
    "concern": [("not at all concerned",), ("not too concerned",), ("somewhat concerned",), ("very concerned",)],
    "worry": [("not at all worried",), ("not too worried",), ("somewhat worried",), ("very worried",)],
    "effectiveness": [("not at all effective",), ("not too effective",), ("somewhat effective",), ("very effective",)],
    "danger": [("no danger at all",), ("small danger",), ("moderate danger",), ("a great danger",)],
    "attention": [
        ("not at all closely", "not at all"),
        ("not very closely", "not too closely"),
        ("somewhat closely",),
        ("very closely",),
    ],
    "justification": [("never justified",), ("rarely justified",), ("sometimes justified",), ("often justified",)],
    "approval": [
        ("strongly disapprove",),
        ("disapprove", "somewhat disapprove"),
        ("approve", "somewhat approve"),
        ("strongly approve",),
    ],
    "change": [
        ("much worse", "worsen a lot"),
        ("somewhat worse", "worse", "worsen a little", "get worse", "change for the worse", "losing ground"),
        (
            "about the same",
            "remain the same",
            "stay about the same",
            "has not changed",
            "not much difference",
            "same as they have been in the past",
            "no change",
        ),
        ("somewhat better", "better", "improve a little", "get better", "change for the better", "making progress"),
        ("much better", "improve a lot"),
    ],
    "trend": [
        ("decrease", "decreasing", "decreased"),
        ("does not make a difference", "staying about the same", "no change"),
        ("increase", "growing", "increased"),
    ],
    "reliability": [("not at all reliable",), ("not too reliable",), ("somewhat reliable",), ("very reliable",)],
    "excitement": [("not at all excited",), ("not too excited",), ("somewhat excited",), ("very excited",)],
    "ease": [("very difficult",), ("somewhat difficult",), ("somewhat easy",), ("very easy",)],
    "changes": [("no changes at all",), ("only a few changes",), ("some changes",), ("a lot of changes",)],
    "attendance": [
        ("never",),
        ("seldom",),
        ("a few times a year",),
        ("once or twice a month",),
        ("once a week",),
        ("more than once a week",),
    ],
    "action (Pew)": [
        ("have not done and would never do", "have not done and would never, under any circumstances, do"),
        ("have not done, but might do",),
        ("have done in the more distant past",),
        ("have done in the past year",),
    ],
    "impact": [("mostly negative",), ("no impact",), ("mostly positive",)],
    "success": [("definitely fail",), ("probably fail",), ("probably succeed",), ("definitely succeed",)],
    "role": [("very small role",), ("fairly small role",), ("fairly large role",), ("very large role",)],
    "rating": [("the worst",), ("below average",), ("average",), ("above average",), ("the best",)],
    "conflict": [
        ("there are not conflicts",),
        ("not very strong conflicts",),
        ("strong conflicts",),
        ("very strong conflicts",),
    ],
    "reason": [("not important reason",), ("fairly important reason",), ("very important reason",)],
    "priority": [
        ("not a priority at all",),
        ("a lower priority",),
        ("a very important priority",),
        ("one of the most important priorities",),
    ],
    "share": [("very few",), ("just some",), ("many",), ("most",)],
    "more": [("not more",), ("only a little more",), ("somewhat more",), ("a lot more",)],
    "degree": [
        ("not enough", "not tough enough", "too small"),
        ("right amount", "about right"),
        ("too much", "too tough", "too great"),
    ],
    "reform": [
        ("it doesn’t need to be changed", "it doesn't need to be changed"),
        ("it needs minor changes",),
        ("it needs major changes",),
        ("it needs to be completely reformed",),
    ],
}
# Scales whose levels are only told apart by the order the questionnaire prints them in: the
# WVS prints "Rather bad" below "Quite bad" in this item, where elsewhere "rather bad" is the
# level just under the midpoint. Scored by printed position, lowest first.
PRINTED_SCALES: dict[str, tuple[str, ...]] = {
    "goodness (printed)": ("rather bad", "quite bad", "neither good, nor bad", "quite good", "very good"),
}
ALL_SCALES = VERBAL_SCALES | PEW_SCALES
MIN_LEVELS = 3

_NUMBER_RE = re.compile(r"^\d+$")


def _normalise(option: str) -> str:
    return re.sub(r"\s+", " ", str(option).strip().lower())


def is_substantive(option: str) -> bool:
    return NON_SUBSTANTIVE.match(_normalise(option)) is None


def on_scale(option: str) -> bool:
    """Whether an option can take a position on an ordinal scale: substantive, and not an
    answer :data:`OFF_SCALE` leaves out (volunteered, "Neither", "Never heard of")."""
    return is_substantive(option) and OFF_SCALE.match(_normalise(option)) is None


def _numbered(options: list[str]) -> list[float] | None:
    """Scores of a numbered scale, or ``None``: only consecutive numbers (Pew's ``0, 1, ..., 10``:
    the numbers themselves), or consecutive numbers between two end labels — the WVS's ``label,
    2, ..., k-1, label`` (labels 1 and k) or Pew's ``label, 1, ..., 9, label`` (labels 0 and 10) —
    printed low to high or high to low."""
    if len(options) < MIN_LEVELS:
        return None
    if all(_NUMBER_RE.match(o) for o in options):
        numbers = [int(o) for o in options]
        step = 1 if numbers[1] > numbers[0] else -1
        return [float(n) for n in numbers] if numbers == list(range(numbers[0], numbers[-1] + step, step)) else None
    inner = options[1:-1]
    if not all(_NUMBER_RE.match(o) for o in inner):
        return None
    if _NUMBER_RE.match(options[0]) or _NUMBER_RE.match(options[-1]):
        return None  # end points must be labels
    numbers = [int(o) for o in inner]
    for first in (2, 1):
        ascending = list(range(first, first + len(inner)))
        low, high = float(first - 1), float(first + len(inner))
        if numbers == ascending:
            return [low, *map(float, numbers), high]
        if numbers == ascending[::-1]:  # printed high to low: "Satisfied, 9, ..., 2, Dissatisfied"
            return [high, *map(float, numbers), low]
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
    for name, levels in ALL_SCALES.items():
        lookup = {spelling: rank for rank, spellings in enumerate(levels, start=1) for spelling in spellings}
        ranks = [rank for rank in (lookup.get(o) for o in normalised) if rank is not None]
        if len(ranks) == len(normalised) and len(set(ranks)) == len(ranks) >= MIN_LEVELS:
            return name, _dense(ranks)
    return None


def ordinal_scores(options: list[str]) -> tuple[str, list[float | None]] | None:
    """``(scale name, score per option)`` with ``None`` for non-substantive options, or
    ``None`` when the substantive options are not an ordinal scale (see the module rule)."""
    keep = [i for i, option in enumerate(options) if on_scale(option)]
    substantive = [_normalise(options[i]) for i in keep]
    numbered = _numbered(substantive)
    found: tuple[str, list[float]] | None
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
