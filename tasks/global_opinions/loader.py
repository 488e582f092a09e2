"""GlobalOpinionQA (Durmus et al. 2023) in its upstream CSV format.

Upstream: Hub dataset ``Anthropic/llm_global_opinions``, file ``data/global_opinions.csv``
(CC-BY-NC-SA-4.0), columns ``question, selections, options, source``:

- ``selections`` is the repr of ``defaultdict(<class 'list'>, {'Country': [p1, p2, ...], ...})``;
- ``options`` is the repr of a list; 0–10 scales mix strings and floats
  (``['Not important at all', 1.0, 2.0, ..., 'Very important']``).

Both are read with :func:`ast.literal_eval` (literals only, never code). One document is made
per (question, country) survey sample; a sample whose distribution is all zero, has the wrong
length, or holds a negative/NaN value is skipped, counted per reason and logged.
"""

from __future__ import annotations

import ast
import csv
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.data_source import (
    DataFileError,
    DataSource,
    csv_rows,
    open_data_file,
    require_cells,
    resolve_file,
    sha256_file,
    warn_once,
)
from cultureval.tasks.global_opinions.item_filter import filter_items
from cultureval.tasks.global_opinions.ordinal import ordinal_scores
from cultureval.tasks.global_opinions.study_items import question_key, study_items

logger = logging.getLogger(__name__)

DATASET = "global_opinions"
HUB_REPO = "Anthropic/llm_global_opinions"
HUB_FILENAME = "data/global_opinions.csv"
# the commit that put the file at data/global_opinions.csv; later commits change only README.md
HUB_REVISION = "5c87e48d8db8ffc9ae8a6738f958d5130ee116e5"
COLUMNS = ("question", "selections", "options", "source")

_DEFAULTDICT = re.compile(r"^\s*defaultdict\(\s*<class 'list'>\s*,\s*(\{.*\})\s*\)\s*$", re.DOTALL)
_SAMPLE_NOTE = re.compile(r"^(?P<country>.+?)\s*\((?P<note>[^()]*sample)\)\s*$")
CURRENT_NATIONAL = "Current national sample"

# The six countries of the GlobalOpinionBench study (its 600 items: study_items.py) and the
# four countries of the binary subset.
SIX_COUNTRIES = ("Brazil", "China", "Nigeria", "Pakistan", "Sweden", "United States")
BINARY_COUNTRIES = ("United States", "China", "Japan", "India")
# Size of the upstream release; a local copy with fewer questions is recorded as partial.
UPSTREAM_QUESTIONS = 2556


@dataclass
class LoadedDocs:
    docs: list[dict]
    source: DataSource
    notes: list[str] = field(default_factory=list)
    # the countries / questions the items were filtered by (item_filter.py), None for all
    filter: dict | None = None

    def provenance(self, subset: str) -> dict:
        """The data source block of a task's dataset: the file, the subset, notes, the filter."""
        block = self.source.as_dict() | {"subset": subset, "notes": self.notes}
        return block | ({"filter": self.filter} if self.filter else {})


def split_country(survey_country: str) -> tuple[str, str | None]:
    """``'India (Current national sample)'`` -> ``('India', 'Current national sample')``."""
    match = _SAMPLE_NOTE.match(survey_country)
    if match:
        return match.group("country"), match.group("note")
    return survey_country.strip(), None


def format_option(option: object) -> str:
    """Options as shown to the model: integral floats of 0–10 scales as integers (``1.0`` -> ``1``)."""
    if isinstance(option, float) and option.is_integer():
        return str(int(option))
    return str(option)


# The selections and options cells as the release writes them: quoted strings (no quote,
# backslash, line break, NUL or lone surrogate inside) and plain decimal numbers, separated by ASCII blanks. Cells of
# exactly this shape are read with these patterns (5x faster than Python's parser, which reads
# everything else); [0-9] and [ \t\n], not \d and \s, which also match digits and spaces Python
# source does not allow (fullwidth, Arabic-Indic, NBSP).
_BLANK = r"[ \t\n]*"
_STRING = r"""(?:'([^'\\\n\r\x00\ud800-\udfff]*)'|"([^"\\\n\r\x00\ud800-\udfff]*)")"""
_NUMBER = re.compile(
    _BLANK + r"-?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?|0+|[1-9][0-9]*)" + _BLANK
)
_ENTRY = _BLANK + _STRING + _BLANK + ":" + _BLANK + r"\[([^\[\]]*)\]" + _BLANK
_PLAIN_DICT = re.compile(r"\{(?:" + _ENTRY + r",)*(?:" + _ENTRY + "|" + _BLANK + r")\}")
_PLAIN_ENTRY = re.compile(_ENTRY)
_OPTION = _BLANK + r"(?:" + _STRING + r"|(-?[0-9]+\.[0-9]*|-?[0-9]+))" + _BLANK
_PLAIN_LIST = re.compile(r"[ \t]*\[(?:" + _OPTION + r",)*(?:" + _OPTION + "|" + _BLANK + r")\]" + _BLANK)
_PLAIN_OPTION = re.compile(_OPTION)


def _plain_selection_pairs(literal: str) -> list[tuple[str, list]] | None:
    """``(country, [numbers])`` pairs of a dict literal of the release's plain shape, or
    ``None`` for anything else (then :func:`selection_pairs` uses Python's parser)."""
    if not _PLAIN_DICT.fullmatch(literal):
        return None
    pairs = []
    for match in _PLAIN_ENTRY.finditer(literal):
        numbers = match.group(3).split(",") if match.group(3).strip() else []
        if not all(_NUMBER.fullmatch(number) for number in numbers):
            return None
        country = match.group(1) if match.group(1) is not None else match.group(2)
        pairs.append((country, [float(number) for number in numbers]))
    return pairs


def _parsed_selection_pairs(literal: str) -> list[tuple[object, object]]:
    try:
        tree = ast.parse(literal, mode="eval").body
        if not isinstance(tree, ast.Dict) or any(key is None for key in tree.keys):
            raise ValueError("not a dict literal")
        return [
            (ast.literal_eval(key), ast.literal_eval(value))
            for key, value in zip(tree.keys, tree.values)
            if key is not None
        ]
    except (ValueError, SyntaxError, TypeError, RecursionError) as error:
        raise ValueError(f"selections is not a defaultdict/dict literal ({error})") from None


def selection_pairs(cell: str) -> list[tuple[str, list[float]]]:
    """The ``selections`` cell (a ``defaultdict`` repr) as ``(country, [p, ...])`` pairs in
    written order, a country written twice kept twice (a dict would keep only the last)."""
    match = _DEFAULTDICT.match(cell)
    literal = (match.group(1) if match else cell).strip()
    plain = _plain_selection_pairs(literal)
    pairs: list[tuple[object, object]] = list(plain) if plain is not None else _parsed_selection_pairs(literal)
    parsed: list[tuple[str, list[float]]] = []
    for country, distribution in pairs:
        if not isinstance(country, str) or not isinstance(distribution, (list, tuple)):
            raise ValueError(f"selections entry {country!r} is not 'country: [numbers]'")
        if not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in distribution):
            raise ValueError(f"selections entry {country!r} holds a non-number: {distribution!r}")
        parsed.append((country, [float(p) for p in distribution]))
    return parsed


def parse_selections(cell: str) -> dict[str, list[float]]:
    """``{country: [p, ...]}`` of the ``selections`` cell (a country written twice: the first)."""
    parsed: dict[str, list[float]] = {}
    for country, distribution in selection_pairs(cell):
        parsed.setdefault(country, distribution)
    return parsed


def _plain_options(cell: str) -> list[object] | None:
    """The items of an ``options`` cell of the release's plain shape (quoted strings without
    quote or backslash inside, decimal numbers), or ``None`` for anything else."""
    if not _PLAIN_LIST.fullmatch(cell):
        return None
    values: list[object] = []
    for match in _PLAIN_OPTION.finditer(cell):
        single, double, number = match.groups()
        if number is None:
            values.append(single if single is not None else double)
        elif "." in number:
            values.append(float(number))
        elif number.lstrip("-") == "0" or not number.lstrip("-").startswith("0"):
            values.append(int(number))
        else:
            return None  # 007 is no Python literal: let the parser say so
    return values


def parse_options(cell: str) -> list[str]:
    """Parse the ``options`` cell (a list repr, strings and floats mixed) into display strings."""
    value = _plain_options(cell)
    if value is None:
        try:
            value = ast.literal_eval(cell)
        except (ValueError, SyntaxError) as error:
            raise ValueError(f"options is not a list literal ({error})") from None
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"options is not a non-empty list: {cell[:80]!r}")
    if not all(isinstance(o, (str, int, float)) and not isinstance(o, bool) for o in value):
        raise ValueError(f"options holds something other than strings and numbers: {cell[:80]!r}")
    return [format_option(o) for o in value]


# The released distributions sum to 1 within rounding (0.997 to 1.003 in the local rebuild);
# a sum further off (0.01, or 100 for percentages) is a broken row, not a rounding error
SUM_TOLERANCE = 0.05


def _skip_reason(distribution: list[float], n_options: int) -> str | None:
    if len(distribution) != n_options:
        return "length_mismatch"
    total = sum(distribution)
    if not math.isfinite(total) and any(math.isnan(p) or math.isinf(p) for p in distribution):
        return "nan"
    if min(distribution) < 0:
        return "negative"
    if total <= 0:
        return "all_zero"
    if abs(total - 1) > SUM_TOLERANCE:
        return "implausible_sum"
    return None


def _row_docs(row: dict, question_id: int, path: Path, line: int, seen: set, skipped: Counter) -> list[dict]:
    """The docs of one CSV row: one per valid, not yet seen (question, survey sample)."""
    require_cells(row, COLUMNS, path, line)
    try:
        options = parse_options(row["options"])
        selections = selection_pairs(row["selections"])
    except ValueError as error:
        raise DataFileError(f"{path}, line {line}: {error}") from None
    question = row["question"].strip()
    docs = []
    for survey_country, distribution in selections:
        reason = _skip_reason(distribution, len(options))
        if reason is None and (question, survey_country) in seen:
            reason = "duplicate"  # the same question and survey sample again: the first one counts
        if reason:
            skipped[reason] += 1
            continue
        seen.add((question, survey_country))
        country, sample = split_country(survey_country)
        total = sum(distribution)
        docs.append(
            {
                "question_id": question_id,
                "question": question,
                "options": options,
                "n_options": len(options),
                "source": row["source"],
                "country": country,
                "survey_country": survey_country,
                "country_sample": sample or "",
                "survey_distribution": [p / total for p in distribution],
            }
        )
    return docs


def read_docs(path: Path) -> tuple[list[dict], Counter]:
    """Read the CSV at ``path`` into one doc per (question, survey sample); count skips."""
    docs: list[dict] = []
    skipped: Counter = Counter()
    seen: set[tuple[str, str]] = set()
    with open_data_file(path) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(
                f"{path}: missing column(s) {missing}; expected {list(COLUMNS)}, found {reader.fieldnames}"
            )
        for question_id, row in enumerate(csv_rows(reader, path)):
            docs += _row_docs(row, question_id, path, reader.line_num, seen, skipped)
    if not docs:
        raise DataFileError(f"{path}: no usable (question, country) rows")
    return docs, skipped


def _national_sample(docs: list[dict], country: str) -> list[dict]:
    """Docs of ``country``'s current national sample: the plain name where a question has it,
    else ``'<country> (Current national sample)'``; never a non-national or old sample."""
    by_question: dict[int, dict] = {}
    for doc in docs:
        if doc["country"] != country:
            continue
        if doc["country_sample"] == "":
            by_question[doc["question_id"]] = doc
        elif doc["country_sample"] == CURRENT_NATIONAL:
            by_question.setdefault(doc["question_id"], doc)
    return [by_question[q] for q in sorted(by_question)]


def study_subset(docs: list[dict], items) -> tuple[list[dict], list[str]]:
    """The GlobalOpinionBench study's items in study order: each item's stripped question (by
    :func:`~cultureval.tasks.global_opinions.study_items.question_key`) for its country's
    current national sample. Items this data version lacks are left out and noted."""
    national: dict[tuple[str, str], dict] = {}
    for country in {item.country for item in items}:
        for doc in _national_sample(docs, country):
            national[(question_key(doc["question"]), country)] = doc
    chosen = [
        national[(item.question_key, item.country)] for item in items if (item.question_key, item.country) in national
    ]
    missing = [item.item for item in items if (item.question_key, item.country) not in national]
    notes = []
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (" ..." if len(missing) > 20 else "")
        notes.append(
            f"{len(chosen)} of the study's {len(items)} items are in this data version; missing items: {shown}"
        )
    return chosen, notes


def cross_country_distributions(docs: list[dict]) -> dict[int, list[float]]:
    """question_id -> the unweighted mean of the survey distributions of every survey sample
    asked the question: what a model that knows the world but not the country answers for
    every country (the country-blind predictor of ``global_opinion_wvs_pearson``)."""
    rows: dict[int, list[list[float]]] = defaultdict(list)
    for doc in docs:
        rows[doc["question_id"]].append(doc["survey_distribution"])
    return {question: [sum(column) / len(column) for column in zip(*found)] for question, found in rows.items()}


def select_subset(docs: list[dict], subset: str | None) -> tuple[list[dict], list[str]]:
    """Apply a named subset; returns the docs and notes about shortfalls."""
    if subset in (None, "", "all"):
        return docs, []
    notes: list[str] = []
    if subset == "6c":
        return study_subset(docs, study_items())
    if subset == "binary":
        chosen: list[dict] = []
        for country in BINARY_COUNTRIES:
            chosen.extend(d for d in _national_sample(docs, country) if d["n_options"] == 2)
        return chosen, notes
    if subset == "wvs_ordinal":
        mean = cross_country_distributions(docs)
        chosen = []
        for doc in docs:
            found = ordinal_scores(doc["options"]) if doc.get("source") == "WVS" else None
            if found is not None:
                chosen.append(
                    doc
                    | {
                        "scale": found[0],
                        "option_scores": found[1],
                        "cross_country_distribution": mean[doc["question_id"]],
                    }
                )
        return chosen, notes
    raise ValueError(f"unknown GlobalOpinionQA subset {subset!r}; use 'all', '6c', 'binary' or 'wvs_ordinal'")


def load(subset: str | None = None, countries=None, questions=None) -> LoadedDocs:
    """Load GlobalOpinionQA documents (``subset``: ``None``/``'all'``, ``'6c'``, ``'binary'`` or
    ``'wvs_ordinal'``: WVS items whose options form an ordinal scale, see :mod:`cultureval.tasks.global_opinions.ordinal`),
    then keep the items of ``countries`` and ``questions`` (:func:`~cultureval.tasks.global_opinions.item_filter.filter_items`;
    ``None``: all; an :class:`~cultureval.tasks.global_opinions.item_filter.ItemFilterError` for a
    name no item has)."""
    path, location, revision = resolve_file(DATASET, "global_opinions.csv", HUB_REPO, HUB_FILENAME, HUB_REVISION)
    all_docs, skipped = read_docs(path)
    if skipped:
        warn_once(
            logger,
            "%s: skipped %d (question, country) rows: %s",
            location,
            sum(skipped.values()),
            dict(sorted(skipped.items())),
        )
    docs, notes = select_subset(all_docs, subset)
    for note in notes:
        warn_once(logger, "GlobalOpinionQA subset %s: %s", subset, note)
    docs, chosen = filter_items(docs, countries, questions)
    source = DataSource(
        dataset=DATASET,
        location=location,
        sha256=sha256_file(path),
        revision=revision,
        partial=len({d["question_id"] for d in all_docs}) < UPSTREAM_QUESTIONS,
        skipped=dict(sorted(skipped.items())),
    )
    return LoadedDocs(docs=docs, source=source, notes=notes, filter=chosen)
