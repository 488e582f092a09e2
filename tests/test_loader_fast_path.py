"""The GlobalOpinionQA loader reads the release's ``selections`` and ``options`` cells with two
patterns (issue 30: loading and scoring all 10,402 items in under a second) and hands anything
else to Python's parser. Whenever the patterns accept a cell, they must read exactly what
Python's parser reads — checked on generated cells with every whitespace and digit form Python
source rejects (NBSP, fullwidth and Arabic-Indic digits, vertical tab), quotes and backslashes in
names, odd numbers, and a megabyte of blanks; and on every cell of the shared data."""

from __future__ import annotations

import ast
import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cultureval.tasks.global_opinions import loader

# the release's own forms, which must take the fast path, and everything else: what Python
# source rejects or reads differently
PLAIN_BLANKS = ["", " ", "\t", "\n"]
BLANKS = PLAIN_BLANKS + ["\r", "\v", "\f", "\u00a0", "\u3000", "\u2009"]
DIGITS = "0123456789０１２３٠١٢٣"
PLAIN_NUMBERS = st.one_of(st.floats(0, 1).map(repr), st.integers(0, 100).map(str))
NUMBERS = st.one_of(
    PLAIN_NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(alphabet=DIGITS + ".-+eE_x", min_size=1, max_size=8),
)
PLAIN_NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="'\\\n\r\x00"), max_size=12
).map(lambda t: f"'{t}'")
NAMES = st.one_of(
    PLAIN_NAMES,
    st.text(max_size=12).map(repr),  # Python's own quoting, escapes included
    st.text(max_size=6).map(lambda t: f'"{t}"'),
)


@st.composite
def selection_cells(draw, plain: bool = False) -> str:
    blank = st.sampled_from(PLAIN_BLANKS if plain else BLANKS)
    names, numbers = (PLAIN_NAMES, PLAIN_NUMBERS) if plain else (NAMES, NUMBERS)
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        values = [draw(blank) + draw(numbers) + draw(blank) for _ in range(draw(st.integers(0, 4)))]
        entries.append(draw(blank) + draw(names) + draw(blank) + ":" + draw(blank) + "[" + ",".join(values) + "]")
    return "{" + ",".join(entries) + draw(st.sampled_from(["", ","] if entries else [""])) + draw(blank) + "}"


@st.composite
def option_cells(draw, plain: bool = False) -> str:
    blank = st.sampled_from(PLAIN_BLANKS if plain else BLANKS)
    item = st.one_of(PLAIN_NAMES, st.integers(-100, 100).map(str)) if plain else st.one_of(NAMES, NUMBERS)
    items = [draw(blank) + draw(item) + draw(blank) for _ in range(draw(st.integers(0, 5)))]
    lead = draw(st.sampled_from(["", " ", "\t"])) if plain else draw(blank)
    return lead + "[" + ",".join(items) + draw(st.sampled_from(["", ","] if items else [""])) + "]" + draw(blank)


def _python_selections(literal: str):
    try:
        return [(key, [float(v) for v in values]) for key, values in loader._parsed_selection_pairs(literal)]
    except (ValueError, TypeError):
        return None


def _python_options(cell: str):
    try:
        return ast.literal_eval(cell)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


@given(selection_cells(plain=True))
@settings(max_examples=300, deadline=None)
def test_plain_selection_cells_take_the_fast_path(cell):
    fast = loader._plain_selection_pairs(cell)
    assert fast is not None and fast == _python_selections(cell)


@given(selection_cells())
@settings(max_examples=600, deadline=None)
def test_selection_patterns_read_what_python_reads(cell):
    fast = loader._plain_selection_pairs(cell)
    if fast is not None:
        assert fast == _python_selections(cell)


def _same_options(fast, cell) -> None:
    python = _python_options(cell)
    assert fast == python and [type(v) for v in fast] == [type(v) for v in python]


@given(option_cells(plain=True))
@settings(max_examples=300, deadline=None)
def test_plain_option_cells_take_the_fast_path(cell):
    fast = loader._plain_options(cell)
    assert fast is not None
    _same_options(fast, cell)


@given(option_cells())
@settings(max_examples=600, deadline=None)
def test_option_patterns_read_what_python_reads(cell):
    fast = loader._plain_options(cell)
    if fast is not None:
        _same_options(fast, cell)


def test_the_releases_shape_takes_the_fast_path_and_others_do_not():
    plain = "{'Belgium': [0.5, 0.25, 0.25], \"Côte d'Ivoire\": [1, 0, 0.0], 'Belgium': [1e-05, .5, 2.]}"
    assert loader._plain_selection_pairs(plain) == [
        ("Belgium", [0.5, 0.25, 0.25]),
        ("Côte d'Ivoire", [1.0, 0.0, 0.0]),
        ("Belgium", [1e-05, 0.5, 2.0]),
    ]
    assert loader._plain_options("['Agree', 1.0, 2, 'Disagree']") == ["Agree", 1.0, 2, "Disagree"]
    for cell in ("{'a': [nan]}", "{'a': [１]}", "{'a': [٣]}", "{'a':\u00a0[1]}", "{'a\\'b': [1]}", "{'a': [007]}"):
        assert loader._plain_selection_pairs(cell) is None, cell
    for cell in ("[True]", "[1e3]", "['a\\'b']", "[007]", "\u00a0[1]", "[０]"):
        assert loader._plain_options(cell) is None, cell


def test_a_megabyte_of_blanks():
    blanks = " \t\n" * 350_000
    cell = "{'A':[" + blanks + "0.5," + blanks + "0.5]" + blanks + "}"
    assert loader._plain_selection_pairs(cell) == [("A", [0.5, 0.5])]
    assert loader.selection_pairs(f"defaultdict(<class 'list'>, {cell})") == [("A", [0.5, 0.5])]
    assert loader._plain_options("[" + blanks + "'x'" + blanks + "]") == ["x"]


def test_every_cell_of_the_shared_data_reads_as_python_reads_it(shared_data_dir, monkeypatch):
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    path, *_ = loader.resolve_file(
        loader.DATASET, "global_opinions.csv", loader.HUB_REPO, loader.HUB_FILENAME, loader.HUB_REVISION
    )
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        match = loader._DEFAULTDICT.match(row["selections"])
        literal = (match.group(1) if match else row["selections"]).strip()
        fast = loader._plain_selection_pairs(literal)
        assert fast is not None and fast == _python_selections(literal)
        options = loader._plain_options(row["options"])
        assert options is not None and options == ast.literal_eval(row["options"])


@pytest.mark.parametrize("cell", ["{'A': [0.5, 0.5], 'A': [0.1, 0.9]}", "{'A': [0.5, 0.5]}"])
def test_a_country_written_twice_is_kept_twice(cell):
    assert len(loader.selection_pairs(cell)) == cell.count("'A'")
