"""CulturallyAwareNLI / CALI (Huang & Yang, Findings of EMNLP 2023) in its upstream TSV format.

Upstream: GitHub ``SALT-NLP/CulturallyAwareNLI``, ``data/data.tsv`` (no licence stated), read
at a pinned commit. Tab-separated, CRLF line endings, no quoting (read with
``csv.QUOTE_NONE``: default quoting silently merges rows), columns ``premise, hypothesis,
us_ratings, in_ratings``; a ratings cell is the repr of a list of ``'E'``/``'N'``/``'C'``
labels, one per annotator (usually 5, up to 93).
"""

from __future__ import annotations

import csv
import logging
import re
from collections import Counter
from pathlib import Path

from cultureval.data_source import DataFileError, DataSource, csv_rows, open_data_file, resolve_url_file, sha256_file

logger = logging.getLogger(__name__)

DATASET = "cali"
COMMIT = "155651ef7eb5e579ee5554f1945971b61218a2f6"
URL = f"https://raw.githubusercontent.com/SALT-NLP/CulturallyAwareNLI/{COMMIT}/data/data.tsv"
COLUMNS = ("premise", "hypothesis", "us_ratings", "in_ratings")
LABELS = ("E", "N", "C")
CULTURES = {"us": "the United States", "in": "India"}
# rows of the upstream release at COMMIT; a copy with fewer is flagged partial in the results
UPSTREAM_PAIRS = 2228

_RATINGS_RE = re.compile(r"^\[\s*'[ENC]'(?:\s*,\s*'[ENC]')*\s*\]$")


def parse_ratings(cell: str) -> list[str]:
    """``"['E', 'N', 'C']"`` -> ``['E', 'N', 'C']``; anything else raises ``ValueError``."""
    cell = cell.strip()
    if not _RATINGS_RE.match(cell):
        raise ValueError(f"ratings cell is not a list of 'E'/'N'/'C' labels: {cell[:80]!r}")
    return re.findall(r"'([ENC])'", cell)


def majority_label(ratings: list[str]) -> str | None:
    """The single most frequent label, or ``None`` when two labels tie for most frequent."""
    counts = Counter(ratings).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return None
    return counts[0][0]


def first_majority_label(ratings: list[str]) -> str:
    """The majority label as the published CALI evaluation reads it
    (``collections.Counter(labels).most_common(1)``): a tie goes to the label listed first."""
    return Counter(ratings).most_common(1)[0][0]


def label_distribution(ratings: list[str]) -> list[float]:
    """Share of annotators choosing E, N, C (in that order)."""
    return [ratings.count(label) / len(ratings) for label in LABELS]


def read_pairs(path: Path) -> list[dict]:
    pairs: list[dict] = []
    with open_data_file(path) as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != COLUMNS:
            raise DataFileError(f"{path}, line 1: expected tab-separated columns {list(COLUMNS)}, found {header}")
        for row in csv_rows(reader, path):
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(COLUMNS):
                raise DataFileError(
                    f"{path}, line {line}: expected {len(COLUMNS)} tab-separated cells, found {len(row)}"
                )
            premise, hypothesis, us_cell, in_cell = row
            try:
                ratings = {"us": parse_ratings(us_cell), "in": parse_ratings(in_cell)}
            except ValueError as error:
                raise DataFileError(f"{path}, line {line}: {error}") from None
            pairs.append(
                {
                    "pair_id": len(pairs),
                    "premise": premise.strip(),
                    "hypothesis": hypothesis.strip(),
                    "us_ratings": ratings["us"],
                    "in_ratings": ratings["in"],
                }
            )
    if not pairs:
        raise DataFileError(f"{path}: no premise/hypothesis rows")
    last = {(pair["premise"], pair["hypothesis"]): pair["pair_id"] for pair in pairs}
    for pair in pairs:
        # the published evaluation keeps one row per (premise, hypothesis): the last one
        pair["last_of_duplicates"] = last[(pair["premise"], pair["hypothesis"])] == pair["pair_id"]
    return pairs


def culture_doc(pair: dict, culture: str) -> dict:
    """A pair as seen by one culture's task: its annotators' labels, majority and the other
    culture's majority (to find contested pairs)."""
    other = "in" if culture == "us" else "us"
    ratings = pair[f"{culture}_ratings"]
    majority = majority_label(ratings)
    other_majority = majority_label(pair[f"{other}_ratings"])
    return pair | {
        "culture": culture,
        "culture_name": CULTURES[culture],
        "ratings": ratings,
        "label_distribution": label_distribution(ratings),
        "majority": majority or "",
        "majority_first": first_majority_label(ratings),
        "other_majority": other_majority or "",
        "other_majority_first": first_majority_label(pair[f"{other}_ratings"]),
        "contested": bool(majority and other_majority and majority != other_majority),
    }


def load(culture: str) -> tuple[list[dict], DataSource]:
    if culture not in CULTURES:
        raise ValueError(f"unknown CALI culture {culture!r}; use one of {sorted(CULTURES)}")
    path, location, revision = resolve_url_file(DATASET, "data.tsv", URL, COMMIT)
    pairs = read_pairs(path)
    partial = len(pairs) < UPSTREAM_PAIRS
    if partial:
        logger.warning("%s: %d of the release's %d pairs: a partial copy", location, len(pairs), UPSTREAM_PAIRS)
    source = DataSource(
        dataset=DATASET, location=location, sha256=sha256_file(path), revision=revision, partial=partial
    )
    return [culture_doc(pair, culture) for pair in pairs], source
