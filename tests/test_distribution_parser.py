"""parse_distribution on a corpus of realistic model outputs, plus hypothesis properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cultureval
from cultureval.tasks.global_opinions.parser import (
    READ,
    SUM_TOLERANCE,
    TRUNCATED,
    UNREADABLE,
    parse_distribution,
    read_distribution,
)

LIKERT = [
    "Agree strongly",
    "Agree",
    "Neither (DO NOT READ)",
    "Disagree",
    "Disagree strongly",
    "Don't know",
    "No answer",
]
SERIOUS = ["Very serious", "Somewhat serious", "Not too serious", "Not a problem", "DK/Refused"]
YES_NO = ["Yes", "No"]

# (output, options, expected distribution or None)
CORPUS = [
    # the requested format
    (
        "<think>Brazilians value family; economic worries are high.</think>\n{0.45, 0.30, 0.15, 0.07, 0.03}",
        SERIOUS,
        [0.45, 0.30, 0.15, 0.07, 0.03],
    ),
    # several lists: the reasoning's list is a draft, the final one after </think> counts
    (
        "<think>First guess [0.5, 0.5, 0, 0, 0]. On reflection more moderate.</think>\n"
        "Final answer: [0.2, 0.4, 0.2, 0.1, 0.1]",
        SERIOUS,
        [0.2, 0.4, 0.2, 0.1, 0.1],
    ),
    # several lists without think tags: the last one
    ("Maybe {0.1, 0.9} or rather {0.3, 0.7}.", YES_NO, [0.3, 0.7]),
    # percentages in the list
    ("</think> {35%, 40%, 10%, 10%, 5%}", SERIOUS, [0.35, 0.40, 0.10, 0.10, 0.05]),
    # bare percentages summing to 100
    ("[35, 40, 10, 10, 5]", SERIOUS, [0.35, 0.40, 0.10, 0.10, 0.05]),
    # sums within tolerance are renormalised
    ("{0.5, 0.55}", YES_NO, [0.5 / 1.05, 0.55 / 1.05]),
    # reasoning that mentions numbers, answer list at the end
    (
        "<think>In 2019 about 62% said yes, and 3 surveys since then agree.</think>\n{0.6, 0.4}",
        YES_NO,
        [0.6, 0.4],
    ),
    # truncated reasoning: no closing tag, no list
    ("<think>People in Japan tend to think about 40% of the time that", YES_NO, None),
    # wrong length: never mapped onto the options
    ("</think>\n{0.5, 0.3, 0.2}", SERIOUS, None),
    ("</think>\n{0.5, 0.3, 0.1, 0.05, 0.03, 0.02}", SERIOUS, None),
    # a negative value or NaN
    ("{0.7, -0.1, 0.2, 0.1, 0.1}", SERIOUS, None),
    ("{nan, 0.5}", YES_NO, None),
    # sum far from one
    ("{0.9, 0.9}", YES_NO, None),
    # nothing to read
    ("I cannot estimate this.", YES_NO, None),
    ("{X, Y, Z, ...}", YES_NO, None),
    ("", YES_NO, None),
    # labelled lines, labels out of order, markdown, quotes, curly apostrophes
    (
        '</think>\nMy estimate:\n- **No**: 0.35 (35%)\n- "Yes": ~65%\n',
        YES_NO,
        [0.65, 0.35],
    ),
    (
        "Estimated distribution for Pakistan:\n"
        "1. Agree strongly: 0.35 (35%)\n"
        "2. Agree: ~0.30 (30%)\n"
        "3. Neither: low (around 5%)\n"
        "4. Disagree: 0.15\n"
        "5. Disagree strongly: 0.10\n"
        "6. Don’t know: 3%\n"
        "7. No answer: 2%\n",
        LIKERT,
        [0.35, 0.30, 0.05, 0.15, 0.10, 0.03, 0.02],
    ),
    # trailing non-substantive options dropped, values already sum to ~1: the rest get 0
    (
        "* agree strongly - 0.4\n* AGREE - 0.3\n* Neither (DO NOT READ) - 0.1\n* Disagree - 0.15\n* Disagree strongly - 0.05",
        LIKERT,
        [0.4, 0.3, 0.1, 0.15, 0.05, 0.0, 0.0],
    ),
    # ... but not when what is given falls short of 1
    ("Agree strongly: 0.4\nAgree: 0.3", LIKERT, None),
    # a dict-style answer
    (
        '{"Very serious": 0.5, "Somewhat serious": 0.3, "Not too serious": 0.1, "Not a problem": 0.05, "DK/Refused": 0.05}',
        SERIOUS,
        [0.5, 0.3, 0.1, 0.05, 0.05],
    ),
    # option letters as labels prefix
    ("(A) Yes: 70%\n(B) No: 30%", YES_NO, [0.7, 0.3]),
    # the same option twice is unreadable
    ("Yes: 0.5\nYes: 0.5", YES_NO, None),
    # an ambiguous shortened label ("Disagree" names one option exactly; "Agree" too)
    ("Disagree: 0.6\nAgree: 0.4", LIKERT, [0.0, 0.4, 0.0, 0.6, 0.0, 0.0, 0.0]),
    # a short list whose omitted options are all trailing non-substantive ones: in order, the rest 0
    ("{0.3, 0.3, 0.1, 0.2, 0.1}", LIKERT, [0.3, 0.3, 0.1, 0.2, 0.1, 0.0, 0.0]),
    ("</think>\n[0.45, 0.30, 0.15, 0.10]", SERIOUS, [0.45, 0.30, 0.15, 0.10, 0.0]),
    # ... but never when a substantive option would be left out
    ("{0.3, 0.3, 0.2, 0.2}", LIKERT, None),
    ("{0.5, 0.5}", ["Yes", "No", "Don't know", "Depends (VOL)"], None),
    # the sum bound is inclusive, also where float addition lands a hair above it (1.1000000000000003)
    ("{0.05, 0.3, 0.45, 0.2, 0.1}", SERIOUS, [0.05, 0.3, 0.45, 0.2, 0.1]),
    ("{0.05, 0.3, 0.45, 0.2, 0.1001}", SERIOUS, None),
    # the answer written inside the reasoning, nothing readable after </think>
    ("<think>Brazilians lean yes, so the distribution is: {0.4, 0.6}</think>", YES_NO, [0.4, 0.6]),
    ("<think>draft {0.9, 0.1}. So: {0.4, 0.6}</think>\nI hope this helps.", YES_NO, [0.4, 0.6]),
    # ... but a readable answer after </think> wins over the reasoning's
    ("<think>so {0.4, 0.6}</think>\nFinal: {0.7, 0.3}", YES_NO, [0.7, 0.3]),
    # a truncated reasoning is unreadable even when it holds a draft
    ("<think>My first guess is {0.4, 0.6} but let me think about", YES_NO, None),
    ("<think>a</think> {0.5, 0.5} <think>and then {0.2, 0.8}", YES_NO, None),
    # ranges read as their midpoint
    ("Yes: Around 80-85%\nNo: 15–20%", YES_NO, [0.825, 0.175]),
    ("- Yes: 0.6 to 0.7\n- No: 0.3 - 0.4", YES_NO, [0.65, 0.35]),
    # the last labelled block wins over an earlier draft block
    ("Draft:\nYes: 0.9\nNo: 0.1\nThinking again.\nYes: 0.6\nNo: 0.4", YES_NO, [0.6, 0.4]),
    # numbers far from the label are not values
    ("Yes: people in this country mostly believe it since 1990\nNo: 0.4", YES_NO, None),
]


@pytest.mark.parametrize("text, options, expected", CORPUS, ids=[f"corpus-{i}" for i in range(len(CORPUS))])
def test_corpus(text, options, expected):
    result = parse_distribution(text, options)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx([v / sum(expected) for v in expected], abs=1e-9)


def test_public_api():
    assert cultureval.parse_distribution is parse_distribution


def test_never_evaluates_text():
    assert parse_distribution("{__import__('os').system('echo pwned'), 0.5}", YES_NO) is None


probabilities = st.lists(st.floats(0.0, 1.0), min_size=2, max_size=10).filter(lambda v: sum(v) > 0.1)


@given(probabilities, st.sampled_from(["[{}]", "{{{}}}", "Answer: [{}]"]), st.sampled_from([", ", "; ", ","]))
@settings(max_examples=300, deadline=None)
def test_round_trip_of_a_normalised_list(values, wrapper, separator):
    total = sum(values)
    distribution = [v / total for v in values]
    text = "<think>reasoning with 12 numbers and [1, 2]</think>" + wrapper.format(
        separator.join(f"{v:.6f}" for v in distribution)
    )
    options = [f"option {i}" for i in range(len(values))]
    result = parse_distribution(text, options)
    assert result is not None
    assert result == pytest.approx(distribution, abs=1e-5)


@given(st.text(max_size=300), st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=8))
@settings(max_examples=500, deadline=None)
def test_any_text_gives_a_distribution_or_none(text, options):
    result = parse_distribution(text, options)
    if result is not None:
        assert len(result) == len(options)
        assert all(v >= 0 and not math.isnan(v) for v in result)
        assert sum(result) == pytest.approx(1.0)


@given(probabilities)
@settings(max_examples=200, deadline=None)
def test_wrong_count_is_never_accepted(values):
    text = "{" + ", ".join(f"{v:.4f}" for v in values) + "}"
    options = [f"o{i}" for i in range(len(values) + 1)]
    assert parse_distribution(text, options) is None


@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6).filter(
        lambda v: abs(sum(v) - 1) > SUM_TOLERANCE + 1e-6 and abs(sum(v) - 100) > 10
    )
)
@settings(max_examples=200, deadline=None)
def test_sums_outside_tolerance_are_rejected(values):
    text = "[" + ", ".join(repr(v) for v in values) + "]"
    assert parse_distribution(text, [f"o{i}" for i in range(len(values))]) is None


@given(st.permutations(list(range(5))), st.lists(st.integers(1, 40), min_size=5, max_size=5))
@settings(max_examples=200, deadline=None)
def test_labelled_lines_in_any_order(order, weights):
    total = sum(weights)
    lines = [f"- {SERIOUS[i]}: {weights[i] / total:.6f}" for i in order]
    result = parse_distribution("\n".join(lines), SERIOUS)
    assert result == pytest.approx([w / total for w in weights], abs=1e-5)


@pytest.mark.parametrize(
    "text, status",
    [
        ("<think>People in Japan tend to think about 40% of the time that", TRUNCATED),
        ("<think>My first guess is {0.4, 0.6} but", TRUNCATED),
        ("<think>done</think>{0.4, 0.6}", READ),
        ("I cannot estimate this.", UNREADABLE),
        ("<think>no numbers here</think> none either", UNREADABLE),
    ],
)
def test_reading_says_why(text, status):
    reading = read_distribution(text, YES_NO)
    assert reading.status == status
    assert (reading.distribution is not None) == (status == READ)


# --- long and degenerate inputs: whitespace runs, long lines, many brackets ------------------

whitespace_runs = st.lists(st.sampled_from([" ", "\t", "  \t ", "\u00a0"]), min_size=1, max_size=4).map("".join)


@given(
    st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6),
    whitespace_runs,
    st.integers(1, 60_000),
    st.sampled_from(["before", "inside", "after"]),
)
@settings(max_examples=60, deadline=None)
def test_long_whitespace_runs_do_not_change_the_reading(values, run, repeat, where):
    total = sum(values)
    answer = "{" + ", ".join(f"{v / total:.6f}" for v in values) + "}"
    padding = run * repeat
    text = {
        "before": "<think>I think" + padding + "so.</think>" + answer,
        "inside": "<think>ok</think>" + answer.replace(", ", "," + padding, 1),
        "after": "<think>ok</think>" + answer + padding,
    }[where]
    options = [f"option {i}" for i in range(len(values))]
    assert parse_distribution(text, options) == pytest.approx([v / total for v in values], abs=1e-5)


@given(st.text(alphabet=" \t\n:-=[]{}(),.%0123456789abcYesNo<>/think", max_size=20_000))
@settings(max_examples=80, deadline=None)
def test_long_degenerate_text_gives_a_distribution_or_none(text):
    result = parse_distribution(text, YES_NO)
    assert result is None or (len(result) == 2 and sum(result) == pytest.approx(1.0))


def test_a_megabyte_of_whitespace_is_unreadable_not_stuck():
    # one degenerate generation: the parse must finish (linear time) and read nothing
    assert read_distribution("I think" + " " * 1_000_000 + "so.", YES_NO).status == UNREADABLE
    assert parse_distribution("Yes:" + " " * 200_000 + "0.6\nNo: 0.4", YES_NO) == pytest.approx([0.6, 0.4])
