"""The GlobalOpinionBench study's 600 items, the ``*_6c`` subsets.

The study (Stanford DATASCI 112 capstone, ``awesel/GlobalOpinionBench`` @ 0d171539, file
``responses/benchmark/gpt4.1.csv``) scored 100 GlobalOpinionQA questions for each of Brazil,
China, Nigeria, Pakistan, Sweden and the United States. cultureval ships the item list without
the question text (GlobalOpinionQA is CC-BY-NC-SA-4.0): ``data/globalopinionbench_items.csv``
holds each item's number in the study, its country and :func:`question_key` of its stripped
question text; items are found in the loaded data by that key and the country's current
national sample.

Rebuild the shipped list from the study's items (``item, country, question`` columns)::

    python -m cultureval.tasks.global_opinions.study_items ITEMS.csv > data/globalopinionbench_items.csv
"""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ITEMS_FILE = Path(__file__).parent / "data" / "globalopinionbench_items.csv"
STUDY = "awesel/GlobalOpinionBench@0d171539644738f3602243b981bd1b6a912acd4a responses/benchmark/gpt4.1.csv"
COLUMNS = ("item", "country", "question_key")


@dataclass(frozen=True)
class StudyItem:
    item: int
    country: str
    question_key: str


def question_key(question: str) -> str:
    """The first 16 hex digits of the sha256 of the stripped question text (UTF-8)."""
    return hashlib.sha256(question.strip().encode("utf-8")).hexdigest()[:16]


@cache
def study_items(path: Path = ITEMS_FILE) -> tuple[StudyItem, ...]:
    """The study's items in study order."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: expected columns {list(COLUMNS)}, found {reader.fieldnames}")
        return tuple(StudyItem(int(row["item"]), row["country"], row["question_key"]) for row in reader)


def write_items(source: Path, out) -> int:
    """Write the shipped list from the study's ``item, country, question`` CSV; returns the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    with open(source, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            writer.writerow([int(row["item"]), row["country"].strip(), question_key(row["question"])])
            count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write_items(Path(sys.argv[1]), sys.stdout)
