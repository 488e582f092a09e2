"""CultureBank (Shi et al. 2024) in its upstream CSV format.

Upstream: Hugging Face dataset ``SALT-NLP/CultureBank`` (MIT), files
``tiktok/culturebank_tiktok.csv`` and ``reddit/culturebank_reddit.csv`` at a pinned revision;
17 columns, of which the evaluation uses ``eval_question`` (the grounded advice question),
``eval_persona`` and ``eval_scenario`` (its context), ``eval_whole_desc`` (the cultural
knowledge a good answer entails), ``topic`` and ``cultural group``.

The CultureBank study evaluates on the last 10% of each split (``part="test"``, the
default); ``part="all"`` evaluates every row. The test part is only defined on a complete
split: a copy with fewer rows than upstream (such as the 1,000-row rebuild in
``../shared/data``) is flagged ``partial`` and all of its rows are evaluated, which the
results say.
"""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

from cultureval.data_source import (
    DATA_DIR_ENV,
    DataFileError,
    DataSource,
    csv_rows,
    open_data_file,
    resolve_file,
    sha256_file,
    warn_once,
)

logger = logging.getLogger(__name__)

DATASET = "culturebank"
HUB_REPO = "SALT-NLP/CultureBank"
HUB_REVISION = "f806940c0c0c0a7807a36642dd05672eb74e8729"
SPLITS = ("tiktok", "reddit")
PARTS = ("test", "all")
TEST_FRACTION = 0.10
# rows per upstream split (Hub dataset viewer: 11.8k tiktok, 11.2k reddit); a copy with fewer
# than this is a partial copy on which the upstream test part is undefined
UPSTREAM_MIN_ROWS = {"tiktok": 11_000, "reddit": 11_000}
COLUMNS = (
    "cultural group",
    "context",
    "goal",
    "relation",
    "actor",
    "actor_behavior",
    "recipient",
    "recipient_behavior",
    "other_descriptions",
    "topic",
    "agreement",
    "num_support_bin",
    "time_range",
    "eval_whole_desc",
    "eval_scenario",
    "eval_persona",
    "eval_question",
)
REQUIRED = ("eval_question", "eval_whole_desc")


def read_rows(path: Path, split: str) -> tuple[list[dict], dict[str, int]]:
    """All usable rows of an upstream CSV, plus counts of the rows skipped and why: a row
    without its question or knowledge, or one asking the same question about the same knowledge
    as an earlier row (``duplicate``: the same judged item twice would weigh it twice; the first
    is kept)."""
    skipped = {"missing_eval_question": 0, "missing_eval_whole_desc": 0, "duplicate": 0}
    docs = []
    seen: set[tuple[str, str]] = set()
    with open_data_file(path) as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(f"{path}: missing columns {missing}; found {reader.fieldnames}")
        for row_index, row in enumerate(csv_rows(reader, path)):
            absent = [column for column in REQUIRED if not (row.get(column) or "").strip()]
            if absent:
                skipped[f"missing_{absent[0]}"] += 1
                continue
            item = (" ".join(row["eval_question"].split()), " ".join(row["eval_whole_desc"].split()))
            if item in seen:
                skipped["duplicate"] += 1
                continue
            seen.add(item)
            docs.append(
                {
                    "id": f"{split}-{row_index}",
                    "row": row_index,
                    "split": split,
                    "cultural_group": (row["cultural group"] or "").strip() or "unknown",
                    "topic": (row["topic"] or "").strip() or "unknown",
                    "eval_scenario": (row["eval_scenario"] or "").strip(),
                    "eval_persona": (row["eval_persona"] or "").strip(),
                    "eval_question": row["eval_question"].strip(),
                    "eval_whole_desc": row["eval_whole_desc"].strip(),
                }
            )
    return docs, {reason: n for reason, n in skipped.items() if n}


def select_part(docs: list[dict], n_rows: int, part: str, split: str) -> tuple[list[dict], bool]:
    """Rows of ``part`` and whether the copy is partial. The test part is the rows whose
    upstream index is at least ``n_rows - round(0.1 * n_rows)`` (the last 10%)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    partial = n_rows < UPSTREAM_MIN_ROWS[split]
    if part == "all" or partial:
        return docs, partial
    first_test_row = n_rows - round(TEST_FRACTION * n_rows)
    return [doc for doc in docs if doc["row"] >= first_test_row], partial


def _count_rows(path: Path) -> int:
    with open_data_file(path) as handle:
        return sum(1 for _ in csv_rows(csv.DictReader(handle), path))


def local_file_name(split: str) -> str:
    """Offline file name: a full upstream copy (``culturebank_<split>.csv``) when present in
    ``$CULTUREVAL_DATA_DIR/culturebank/``, else the 1,000-row rebuild's name."""
    data_dir = os.environ.get(DATA_DIR_ENV)
    full = f"culturebank_{split}.csv"
    if data_dir and (Path(data_dir).expanduser() / DATASET / full).is_file():
        return full
    return f"culturebank_{split}_subset1000.csv"


def load(split: str, part: str = "test") -> tuple[list[dict], DataSource]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    path, location, revision = resolve_file(
        DATASET,
        local_file_name(split),
        HUB_REPO,
        f"{split}/culturebank_{split}.csv",
        HUB_REVISION,
    )
    docs, skipped = read_rows(path, split)
    if skipped:
        warn_once(logger, "%s: skipped %d rows: %s", path, sum(skipped.values()), skipped)
    n_rows = _count_rows(path)
    selected, partial = select_part(docs, n_rows, part, split)
    if not selected:
        raise DataFileError(f"{path}: no usable rows for split {split!r}, part {part!r}")
    source = DataSource(
        dataset=DATASET,
        location=location,
        sha256=sha256_file(path),
        revision=revision,
        partial=partial,
        skipped=skipped,
    )
    return selected, source
