"""WVS value polarity (Rystrøm, Kirk & Hale 2025, "Multilingual != Multicultural").

Upstream: GitHub ``jhrystrom/multicultural-alignment`` (MIT), folder ``output/``, each file
read at a pinned commit. Offline: ``$CULTUREVAL_DATA_DIR/wvs_polarity/<file name>``.

Quirks handled here (see ``../shared/data/README.md``): ``question_key`` is lower case in the
prompt CSV and ``stance_labels.json`` and upper case in the ground-truth files (keys are
lower-cased everywhere); the prompt CSV spells its category column ``cateogry``;
``country_languages.csv`` and ``gt_self_consistency.csv`` say ``cntry_AN`` where the other
files say ``cntry_an``; only about 32 prompted topics have ground truth.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cultureval.data_source import (
    DataFileError,
    DataSource,
    csv_rows,
    read_text,
    require_cells,
    resolve_url_file,
    sha256_file,
)

logger = logging.getLogger(__name__)

DATASET = "wvs_polarity"
REPOSITORY = "jhrystrom/multicultural-alignment"
# file -> commit it is read at (each file's content as stored upstream at that commit)
PINNED = {
    "translated_prompts_with_english_no_controversy.csv": "9738653946ecfffe688483d0c0b1161ff58ce7e6",
    "stance_labels.json": "d4e9cc3a8c106360b6e39962b817ffe3f04054eb",
    "ground_truth_every_country.csv": "0a2299ebb7a73bb7016f946f2c703cdb55811430",
    "ground_truth_per_language.csv": "0a2299ebb7a73bb7016f946f2c703cdb55811430",
    "ground_truth_global.csv": "0a2299ebb7a73bb7016f946f2c703cdb55811430",
    "country_languages.csv": "0a2299ebb7a73bb7016f946f2c703cdb55811430",
    "gt_self_consistency.csv": "0a2299ebb7a73bb7016f946f2c703cdb55811430",
}
LANGUAGES = ("en", "da", "nl", "pt")
TEMPLATE_TYPE = "survey_hypothetical"  # the prompt type the paper scores
PROMPT_COLUMNS = ("language", "template_type", "prompt", "topic", "question_key", "cateogry", "question_name")
N_INTERVIEWS = 10
UPSTREAM_PROMPTS_PER_LANGUAGE = 300


def _resolve(name: str) -> tuple[Path, DataSource]:
    commit = PINNED[name]
    url = f"https://raw.githubusercontent.com/{REPOSITORY}/{commit}/output/{name}"
    path, location, revision = resolve_url_file(DATASET, name, url, commit)
    return path, DataSource(dataset=DATASET, location=location, sha256=sha256_file(path), revision=revision)


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """``(line, row)`` of every row, each holding a cell for every ``required`` column. A file
    that does not end with a line break was cut inside its last row (the release's files, written
    by pandas, all end with one): an error naming the file and line, never a cut number read."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in required if column not in header]
    if missing:
        raise DataFileError(f"{path}: missing columns {missing}; found {header}")
    rows = []
    for row in csv_rows(reader, path):
        require_cells(row, required, path, reader.line_num)
        rows.append((reader.line_num, row))
    if text and not text.endswith(("\n", "\r")):
        raise DataFileError(
            f"{path}, line {reader.line_num}: the file ends inside this row (no line break after it): "
            "cut short? A complete copy ends with a line break"
        )
    return rows


def _unique_topics(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys differ even after case folding (``F118`` and ``f118`` are one topic)."""
    seen: set[str] = set()
    for key, _ in pairs:
        folded = key.strip().lower()
        if folded in seen:
            raise _RepeatedTopic(key)
        seen.add(folded)
    return dict(pairs)


class _RepeatedTopic(ValueError):
    pass


def read_stance_labels(path: Path) -> dict[str, tuple[str, str]]:
    """``{question_key: (pro statement, con statement)}`` with lower-case keys. A file that is not
    such an object (not JSON, nested too deep, a topic given twice) is a :class:`DataFileError`."""
    try:
        raw = json.loads(read_text(path), object_pairs_hook=_unique_topics)
    except _RepeatedTopic as error:
        raise DataFileError(f"{path}: topic {error.args[0]!r} is given twice") from None
    except RecursionError:
        raise DataFileError(f"{path}: brackets nested too deep to be an object of topic -> [pro, con]") from None
    except ValueError as error:
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}: expected an object of topic key -> [pro, con]")
    stances = {}
    for key, value in raw.items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v.strip() for v in value)):
            raise DataFileError(
                f"{path}: topic {key!r} must map to [pro statement, con statement], got {str(value)[:80]!r}"
            )
        stances[key.strip().lower()] = (value[0].strip(), value[1].strip())
    return stances


def read_prompts(path: Path, language: str, stances: dict[str, tuple[str, str]]) -> tuple[list[dict], dict[str, int]]:
    """The ``survey_hypothetical`` prompts of ``language`` as documents, plus skip counts.

    A row is skipped (and counted) when its prompt has no ``{topic}`` slot, its topic is empty,
    its ``question_key`` has no stance labels (the judge could not label it), or it repeats an
    earlier row in every cell, its ``index`` included (``duplicate_row``: a copy of the row).
    Rows that repeat an earlier prompt under another ``index`` are kept: the release drew its
    300 prompts per language with repeats, and the study scored a response to each; they are
    counted by :func:`repeated_prompts`.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    rows = _read_csv(path, PROMPT_COLUMNS)
    skipped = {"no_topic_slot": 0, "empty_topic": 0, "no_stance_labels": 0, "duplicate_row": 0}
    templates: dict[str, int] = {}
    docs = []
    seen_rows: set[tuple] = set()
    for line, row in rows:
        if row["language"].strip() != language or row["template_type"].strip() != TEMPLATE_TYPE:
            continue
        identity = tuple(sorted((column, (cell or "").strip()) for column, cell in row.items() if column))
        if identity in seen_rows:  # the same row twice, its index included: a copy, not a sample
            skipped["duplicate_row"] += 1
            continue
        seen_rows.add(identity)
        template, topic = row["prompt"], row["topic"].strip()
        key = row["question_key"].strip().lower()
        if "{topic}" not in template:
            skipped["no_topic_slot"] += 1
            continue
        if not topic:
            skipped["empty_topic"] += 1
            continue
        if key not in stances:
            skipped["no_stance_labels"] += 1
            continue
        template_id = templates.setdefault(template, len(templates))
        pro, con = stances[key]
        docs.append(
            {
                "id": f"{language}-{row.get('index', line)}",
                "language": language,
                "question_key": key,
                "question_name": row["question_name"].strip(),
                "category": row["cateogry"].strip(),
                "topic": topic,
                "template_id": template_id,
                # str.replace, not str.format: topics are data and may contain braces
                "prompt": template.replace("{topic}", topic),
                "pro_statement": pro,
                "con_statement": con,
            }
        )
    return docs, {reason: count for reason, count in skipped.items() if count}


def repeated_prompts(docs: list[dict]) -> int:
    """How many documents repeat an earlier one's prompt and topic key (kept, see :func:`read_prompts`)."""
    return len(docs) - len({(doc["question_key"], doc["prompt"]) for doc in docs})


def load(language: str) -> tuple[list[dict], DataSource]:
    """Documents of ``wvs_polarity_<language>`` and the provenance of the files behind them;
    rows skipped and prompts kept though repeated are counted in the source (``skipped``,
    ``repeated``) and logged."""
    prompts_path, source = _resolve("translated_prompts_with_english_no_controversy.csv")
    stance_path, stance_source = _resolve("stance_labels.json")
    docs, skipped = read_prompts(prompts_path, language, read_stance_labels(stance_path))
    if not docs:
        raise DataFileError(f"{prompts_path}: no {TEMPLATE_TYPE} prompts for language {language!r}")
    source.skipped = skipped
    repeated = repeated_prompts(docs)
    source.repeated = {"repeated_prompt": repeated} if repeated else {}
    if skipped or repeated:
        logger.info(
            "%s (%s): skipped %s; kept %d prompts that repeat an earlier one (the release's own repeats)",
            prompts_path,
            language,
            skipped or "nothing",
            repeated,
        )
    # the release has 300 prompts of the scored template per language; fewer: a partial copy
    # (a copied row is not one of them)
    counted = len(docs) + sum(n for reason, n in skipped.items() if reason != "duplicate_row")
    source.partial = counted < UPSTREAM_PROMPTS_PER_LANGUAGE
    source.location = f"{source.location} + {stance_source.location}"
    source.sha256 = f"{source.sha256} + {stance_source.sha256}"
    return docs, source


def _score(value: str, path: Path, line: int) -> float:
    try:
        score = float(value)
    except ValueError:
        raise DataFileError(f"{path}, line {line}: pro_score {value!r} is not a number") from None
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise DataFileError(f"{path}, line {line}: pro_score {score} is outside [0, 1]")
    return score


@dataclass
class GroundTruth:
    """World Values Survey pro shares (keys lower case) and the human ceilings."""

    by_country: dict[str, dict[str, float]] = field(default_factory=dict)
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)
    global_: dict[str, float] = field(default_factory=dict)
    country_language: dict[str, str] = field(default_factory=dict)
    human_ceiling: dict[str, float] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)

    def countries(self, language: str) -> list[str]:
        return sorted(country for country, lang in self.country_language.items() if lang == language)


def _ceiling(value: str, path: Path, line: int) -> float:
    """A human self-consistency: a correlation, so a finite number in [-1, 1]."""
    try:
        ceiling = float(value)
    except ValueError:
        raise DataFileError(f"{path}, line {line}: self_consistency {value!r} is not a number") from None
    if not (math.isfinite(ceiling) and -1.0 <= ceiling <= 1.0):
        raise DataFileError(f"{path}, line {line}: self_consistency {ceiling} is not a correlation in [-1, 1]")
    return ceiling


def _keyed_rows(path: Path, key_columns: tuple[str, ...], value_column: str) -> list[tuple[int, tuple[str, ...], str]]:
    """``(line, key, value)`` of every row of ``path``; a key given twice (keys compared
    stripped and lower-cased) is an error naming the file and both lines: which value holds
    cannot be known, and keeping either would change the numbers silently."""
    found: dict[tuple[str, ...], int] = {}
    rows = []
    for line, row in _read_csv(path, (*key_columns, value_column)):
        key = tuple(row[column].strip() for column in key_columns)
        folded = tuple(part.lower() for part in key)
        if folded in found:
            raise DataFileError(
                f"{path}, line {line}: {', '.join(key)} is given again (first at line {found[folded]}); "
                "one value per key"
            )
        found[folded] = line
        rows.append((line, key, row[value_column]))
    return rows


def read_ground_truth(paths: dict[str, Path]) -> GroundTruth:
    """The ground-truth files read strictly: every value checked, every key once (:func:`_keyed_rows`)."""
    truth = GroundTruth()
    path = paths["ground_truth_every_country.csv"]
    for line, (country, key), value in _keyed_rows(path, ("cntry_an", "question_key"), "pro_score"):
        truth.by_country.setdefault(country, {})[key.lower()] = _score(value, path, line)
    path = paths["ground_truth_per_language.csv"]
    for line, (language, key), value in _keyed_rows(path, ("lnge_iso", "question_key"), "pro_score"):
        truth.by_language.setdefault(language, {})[key.lower()] = _score(value, path, line)
    path = paths["ground_truth_global.csv"]
    for line, (key,), value in _keyed_rows(path, ("question_key",), "pro_score"):
        truth.global_[key.lower()] = _score(value, path, line)
    for _, (country,), language in _keyed_rows(paths["country_languages.csv"], ("cntry_AN",), "lnge_iso"):
        truth.country_language[country] = language.strip()
    path = paths["gt_self_consistency.csv"]
    for line, (country,), value in _keyed_rows(path, ("cntry_AN",), "self_consistency"):
        truth.human_ceiling[country] = _ceiling(value, path, line)
    return truth


GROUND_TRUTH_FILES = (
    "ground_truth_every_country.csv",
    "ground_truth_per_language.csv",
    "ground_truth_global.csv",
    "country_languages.csv",
    "gt_self_consistency.csv",
)


@lru_cache(maxsize=4)
def load_ground_truth(data_dir: str | None = None) -> GroundTruth:
    """The ground truth, read once per data folder (``data_dir`` only keys the cache: the
    files come from ``$CULTUREVAL_DATA_DIR`` or the pinned upstream commit)."""
    paths, sources = {}, []
    for name in GROUND_TRUTH_FILES:
        paths[name], source = _resolve(name)
        sources.append(source.as_dict())
    truth = read_ground_truth(paths)
    truth.sources = sources
    return truth
