"""Answer readers, round 2: every reader of model or judge output is linear in its input whatever
the characters (every whitespace of ``str.isspace``, NBSP, fullwidth and Arabic-Indic digits,
brackets, megabytes), never raises, and reads an ambiguous answer as unreadable.

Speed is measured in ``benchmarks/parser.py``; here a generous time limit only guards against a
hang (a superlinear reader takes minutes on these inputs, a linear one milliseconds)."""

from __future__ import annotations

import json
import math
import signal
import sys
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cultureval.tasks.binary_settings import judge as stance
from cultureval.tasks.binary_settings import scoring as binary
from cultureval.tasks.culturebank import judge as entailment
from cultureval.tasks.global_opinions.parser import READ, UNREADABLE, parse_distribution, read_distribution
from cultureval.tasks.global_opinions.scoring import answer_letter
from cultureval.tasks.global_opinions.verbalized import read_json_distribution
from cultureval.tasks.wvs_polarity import judge as polarity

HANG_GUARD_S = 20  # per input; the linear readers take well under 0.1 s per megabyte

EVERY_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
FULLWIDTH_DIGITS = "０１２３４５６７８９"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EXTENDED_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
DIGIT_SCRIPTS = (FULLWIDTH_DIGITS, ARABIC_INDIC_DIGITS, EXTENDED_ARABIC_INDIC_DIGITS)
ALPHABET = (
    EVERY_WHITESPACE + "0123456789" + "".join(DIGIT_SCRIPTS) + "[]{}()<>,;:.%-+=/'\"*#`_٫，．" + "YesNoAgrethink "
)
YES_NO = ["Yes", "No"]
FOUR = ["Agree strongly", "Agree", "Disagree", "Disagree strongly"]


@contextmanager
def hang_guard(seconds: int = HANG_GUARD_S):
    """Fail (not hang) when the block runs past ``seconds``: a guard, not a timing assertion."""

    def expired(signum, frame):
        raise TimeoutError(f"a reader ran past {seconds} s: superlinear on this input")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _valid(result, n):
    return result is None or (
        len(result) == n and all(v >= 0 and not math.isnan(v) for v in result) and sum(result) == pytest.approx(1.0)
    )


# --- parse_distribution: linear time ----------------------------------------------------------


@pytest.mark.parametrize("newlines", [1_000, 2_000, 200_000])
def test_newline_runs_after_an_unclosed_list_are_linear(newlines):
    # before: 1,000 newlines took 7.8 s, 2,000 took 54 s (cubic backtracking over the run)
    with hang_guard():
        assert parse_distribution("{0.5, 0.5" + "\n" * newlines + ".", YES_NO) is None
        assert parse_distribution("{0.5," + "\n" * newlines + "0.5}", YES_NO) == pytest.approx([0.5, 0.5])


megabyte_texts = st.tuples(st.text(alphabet=ALPHABET, min_size=1, max_size=40), st.integers(1, 1_000_000)).map(
    lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
)


@given(megabyte_texts, st.sampled_from([YES_NO, FOUR, ["A", "B", "C"]]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_any_text_up_to_a_megabyte_reads_as_a_distribution_or_none(text, options):
    with hang_guard():
        result = parse_distribution(text, options)
    assert _valid(result, len(options))


whitespace_runs = st.text(alphabet=EVERY_WHITESPACE, min_size=1, max_size=6)


@given(
    st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6),
    whitespace_runs,
    st.integers(1, 200_000),
    st.sampled_from(["before", "inside", "after"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_runs_of_any_whitespace_do_not_change_the_reading(values, run, repeat, where):
    total = sum(values)
    answer = "{" + ", ".join(f"{v / total:.6f}" for v in values) + "}"
    padding = run * repeat
    text = {
        "before": "<think>I think" + padding + "so.</think>" + answer,
        "inside": "<think>ok</think>" + answer.replace(", ", "," + padding, 1),
        "after": "<think>ok</think>" + answer + padding,
    }[where]
    options = [f"option {i}" for i in range(len(values))]
    with hang_guard():
        assert parse_distribution(text, options) == pytest.approx([v / total for v in values], abs=1e-5)


@given(st.lists(st.integers(1, 40), min_size=2, max_size=5), st.sampled_from(DIGIT_SCRIPTS), st.booleans())
@settings(max_examples=100, deadline=None)
def test_digits_of_other_scripts_read_as_their_ascii_digits(weights, script, labelled):
    total = sum(weights)
    shares = [w / total for w in weights]
    options = [f"option {chr(65 + i)}" for i in range(len(weights))]
    if labelled:
        ascii_text = "\n".join(f"- {o}: {100 * s:.1f}%" for o, s in zip(options, shares))
    else:
        ascii_text = "[" + ", ".join(f"{s:.4f}" for s in shares) + "]"
    text = ascii_text.translate(str.maketrans("0123456789", script))
    assert parse_distribution(text, options) == pytest.approx(parse_distribution(ascii_text, options))
    assert parse_distribution(ascii_text, options) is not None


# --- ambiguity: decimal commas and other marks ------------------------------------------------


@pytest.mark.parametrize(
    "text, options",
    [
        ("[0,60, 0,40]", FOUR),  # before: [0, 0.6, 0, 0.4]
        ("{0,60, 0,40}", YES_NO),
        ("[0,6; 0,4]", YES_NO),
        ("Yes: 0,7\nNo: 1,0", YES_NO),  # before: [0, 1]
        ("- Yes: 1/3\n- No: 0/3", YES_NO),  # before: [1, 0]
        ('{"Yes": 0,6, "No": 1,0}', YES_NO),
        ("Yes: ٠٫٧\nNo: ١٫٠", YES_NO),  # Arabic decimal separator; before: [0, 1]
        ("Draft:\nYes: 0.5\nNo: 0.5\nFinal:\nYes: 0,7\nNo: 1,0", YES_NO),  # no earlier draft stands in
        ("First [0.5, 0.5]. Final: [0,70, 0,30]", YES_NO),
    ],
)
def test_an_ambiguous_number_is_unreadable_never_guessed(text, options):
    assert read_distribution(text, options).status == UNREADABLE


@pytest.mark.parametrize(
    "text, expected",
    [("[0.6,0.4]", [0.6, 0.4]), ("[60, 40]", [0.6, 0.4]), ("(0.25; 0.75)", [0.25, 0.75])],
)
def test_unambiguous_separators_still_read(text, expected):
    result = parse_distribution(text, YES_NO)
    assert result == (pytest.approx(expected) if expected else None)


# --- the verbalised JSON reader -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"Yes": 1' + "0" * 309 + ', "No": 0}',  # before: OverflowError, which aborts an lm-eval run
        '{"Yes": 1' + "0" * 400 + ', "No": 1' + "0" * 400 + "}",
        '{"Yes": 1e400, "No": 0}',
        '{"Yes": 0.9, "Yes": 0.1, "No": 0.9}',  # a key twice; before: the last kept, read [0.1, 0.9]
        '{"Yes": 0.5, "No": 0.5, "no": 0.5}',
        '{"Yes": true, "No": 0}',
    ],
)
def test_the_json_reader_never_raises_and_reads_huge_or_repeated_as_unreadable(text):
    assert read_json_distribution(text, YES_NO) is None


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=4), c),
        max_leaves=30,
    )
)
@settings(max_examples=300, deadline=None)
def test_the_json_reader_reads_any_json_value_without_raising(value):
    text = json.dumps(value)
    assert _valid(read_json_distribution(text, YES_NO), 2)


@given(megabyte_texts)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_the_json_reader_on_any_text_up_to_a_megabyte(text):
    with hang_guard():
        assert _valid(read_json_distribution("```json\n" + text + "\n```", YES_NO), 2)


# --- the binary study's reasoning reader ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, choice",
    [
        ("<think>Most approve. Answer: 1", None),  # before: "1", read from inside the unclosed reasoning
        ("<think>First Answer: 2</think>\n<think>then Answer: 1", None),
        ("<think>Answer: 2</think>\nAnswer: 1", "1"),
        ("<think>Answer: 2</think>\nOn balance, most would approve.", None),
        ("Reasoning...\nAnswer: 2", "2"),
    ],
)
def test_the_reasoning_reader_reads_only_after_the_reasoning(text, choice):
    assert binary.read_final_choice(text, ["Approve", "Disapprove"]) == choice


# --- every reader: megabytes of any character, in linear time --------------------------------------

READERS = {
    "parse_distribution": lambda text: parse_distribution(text, FOUR),
    "read_json_distribution": lambda text: read_json_distribution(text, YES_NO),
    "read_final_choice": lambda text: binary.read_final_choice(text, ["Approve", "Disapprove"]),
    "read_choice": lambda text: binary.read_choice(text, ["Approve", "Disapprove"]),
    "parse_stance": stance.parse_stance,
    "parse_yes_no": entailment.parse_yes_no,
    "parse_polarity_labels": lambda text: polarity.parse_polarity_labels(text, 10),
    "answer_letter": lambda text: answer_letter(text, ["A", "B", "C", "D"], after_stem=False),
}
MEGABYTE = 1_000_000
DEGENERATE = {
    "every whitespace": (EVERY_WHITESPACE * (MEGABYTE // len(EVERY_WHITESPACE) + 1))[:MEGABYTE],
    "newlines then a dot": "{0.5, 0.5" + "\n" * MEGABYTE + ".",
    "NBSP": "Agree:" + "\u00a0" * MEGABYTE + "0.5",
    "fullwidth digits": FULLWIDTH_DIGITS * (MEGABYTE // 10),
    "Arabic-Indic digits with separators": "٠٫" * (MEGABYTE // 2),
    "digits": "7" * MEGABYTE,
    "brackets": "[{(" * (MEGABYTE // 3),
    "open list": "[" + "0.1, " * (MEGABYTE // 5),
    "code fence then spaces": "```" + " " * MEGABYTE,  # before: quadratic in the polarity reader
    "answer then spaces": "Answer" + " " * MEGABYTE + ":",
    "think tags": "<think>" * (MEGABYTE // 7),
    "capitals and spaces": "A " * (MEGABYTE // 2),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("kind", sorted(DEGENERATE))
def test_every_reader_finishes_a_degenerate_megabyte(reader, kind):
    with hang_guard():
        READERS[reader](DEGENERATE[kind])  # any result: the point is that it returns


@given(megabyte_texts)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_every_reader_never_raises_on_any_text_up_to_a_megabyte(text):
    with hang_guard():
        for read in READERS.values():
            read(text)


def test_a_reading_of_a_valid_answer_padded_with_every_whitespace_is_read():
    padding = EVERY_WHITESPACE * 1000
    text = (
        "<think>"
        + padding
        + "</think>"
        + padding
        + "- Agree strongly: 0.4"
        + "\n- Agree: 0.3\n- Disagree: 0.2\n- Disagree strongly: 0.1"
        + padding
    )
    assert read_distribution(text, FOUR).status == READ
