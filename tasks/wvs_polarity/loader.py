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
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cultureval.data_source import (
    DataFileError,
    DataSource,
    csv_rows,
    open_data_file,
    read_text,
    require_cells,
    resolve_url_file,
    sha256_file,
)

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
    """``(line, row)`` of every row, each holding a cell for every ``required`` column."""
    with open_data_file(path) as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            raise DataFileError(f"{path}: missing columns {missing}; found {header}")
        rows = []
        for row in csv_rows(reader, path):
            require_cells(row, required, path, reader.line_num)
            rows.append((reader.line_num, row))
        return rows


def read_stance_labels(path: Path) -> dict[str, tuple[str, str]]:
    """``{question_key: (pro statement, con statement)}`` with lower-case keys."""
    try:
        raw = json.loads(read_text(path))
    except ValueError as error:
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}: expected an object of topic key -> [pro, con]")
    stances = {}
    for key, value in raw.items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v.strip() for v in value)):
            raise DataFileError(f"{path}: topic {key!r} must map to [pro statement, con statement], got {value!r}")
        stances[key.strip().lower()] = (value[0].strip(), value[1].strip())
    return stances


def read_prompts(path: Path, language: str, stances: dict[str, tuple[str, str]]) -> tuple[list[dict], dict[str, int]]:
    """The ``survey_hypothetical`` prompts of ``language`` as documents, plus skip counts.

    A row is skipped (and counted) when its prompt has no ``{topic}`` slot, its topic is empty,
    or its ``question_key`` has no stance labels (the judge could not label it).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    rows = _read_csv(path, PROMPT_COLUMNS)
    skipped = {"no_topic_slot": 0, "empty_topic": 0, "no_stance_labels": 0}
    templates: dict[str, int] = {}
    docs = []
    for line, row in rows:
        if row["language"].strip() != language or row["template_type"].strip() != TEMPLATE_TYPE:
            continue
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


def load(language: str) -> tuple[list[dict], DataSource]:
    """Documents of ``wvs_polarity_<language>`` and the provenance of the files behind them."""
    prompts_path, source = _resolve("translated_prompts_with_english_no_controversy.csv")
    stance_path, stance_source = _resolve("stance_labels.json")
    docs, skipped = read_prompts(prompts_path, language, read_stance_labels(stance_path))
    if not docs:
        raise DataFileError(f"{prompts_path}: no {TEMPLATE_TYPE} prompts for language {language!r}")
    source.skipped = skipped
    # the release has 300 prompts of the scored template per language; fewer: a partial copy
    source.partial = len(docs) + sum(skipped.values()) < UPSTREAM_PROMPTS_PER_LANGUAGE
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


def read_ground_truth(paths: dict[str, Path]) -> GroundTruth:
    truth = GroundTruth()
    path = paths["ground_truth_every_country.csv"]
    for line, row in _read_csv(path, ("cntry_an", "question_key", "pro_score")):
        country = truth.by_country.setdefault(row["cntry_an"].strip(), {})
        country[row["question_key"].strip().lower()] = _score(row["pro_score"], path, line)
    path = paths["ground_truth_per_language.csv"]
    for line, row in _read_csv(path, ("lnge_iso", "question_key", "pro_score")):
        language = truth.by_language.setdefault(row["lnge_iso"].strip(), {})
        language[row["question_key"].strip().lower()] = _score(row["pro_score"], path, line)
    path = paths["ground_truth_global.csv"]
    for line, row in _read_csv(path, ("question_key", "pro_score")):
        truth.global_[row["question_key"].strip().lower()] = _score(row["pro_score"], path, line)
    for _, row in _read_csv(paths["country_languages.csv"], ("cntry_AN", "lnge_iso")):
        truth.country_language[row["cntry_AN"].strip()] = row["lnge_iso"].strip()
    path = paths["gt_self_consistency.csv"]
    for line, row in _read_csv(path, ("cntry_AN", "self_consistency")):
        truth.human_ceiling[row["cntry_AN"].strip()] = _ceiling(row["self_consistency"], path, line)
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
