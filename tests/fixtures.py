"""Small data files in the upstream formats, written by the tests themselves."""

from __future__ import annotations

import csv
from pathlib import Path

# (question, options repr, {survey country: distribution}, source). Quirks of the upstream
# file kept on purpose: a 0-10 scale mixing strings and floats, an all-zero distribution, a
# distribution of the wrong length, sample notes on country names, Britain/Great Britain.
GLOBAL_OPINION_ROWS = [
    (
        "Do you think the economy is doing well?",
        "['Very good', 'Somewhat good', 'Somewhat bad', 'Very bad', 'DK/Refused']",
        {
            "United States": [0.2, 0.3, 0.3, 0.15, 0.05],
            "Brazil": [0.1, 0.2, 0.4, 0.3, 0.0],
            "China (Non-national sample)": [0.5, 0.3, 0.1, 0.05, 0.05],
            "China": [0.4, 0.4, 0.1, 0.05, 0.05],
            "Britain": [0.1, 0.3, 0.4, 0.2, 0.0],
            "Nigeria": [0.0, 0.0, 0.0, 0.0, 0.0],
        },
        "GAS",
    ),
    (
        "How important is God in your life?",
        "['Not at all important', 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 'Very important', \"Don't know\"]",
        {
            "Sweden": [0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.04, 0.01],
            "Pakistan": [0.0, 0.0, 0.0, 0.0, 0.01, 0.01, 0.02, 0.06, 0.1, 0.8, 0.0],
            "Great Britain": [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05],
        },
        "WVS",
    ),
    (
        "Should the government do more to help the poor?",
        "['Yes', 'No']",
        {
            "United States": [0.55, 0.45],
            "China": [0.8, 0.2],
            "Japan": [0.6, 0.4],
            "India (Current national sample)": [0.7, 0.3],
            "India (Non-national sample)": [0.9, 0.1],
            "Nigeria": [0.85, 0.15],
        },
        "GAS",
    ),
    (
        "Is it acceptable to eat meat?",
        "['Acceptable', 'Not acceptable']",
        {
            "Japan": [0.9, 0.1],
            "India": [0.4, 0.6],
            "India (Current national sample)": [0.45, 0.55],
            "Brazil": [0.95, 0.05],
            "Sweden": [0.85, 0.15],
        },
        "GAS",
    ),
    (
        "How much do you trust the news media?",
        "['A lot', 'Some', 'Not much', 'Not at all', 'Refused']",
        {
            "Pakistan": [0.1, 0.4, 0.3, 0.2, 0.0],
            "Nigeria": [0.2, 0.3, 0.3, 0.2, 0.0],
            "United States": [0.1, 0.3, 0.3, 0.3, 0.0],
        },
        "GAS",
    ),
]


def selections_repr(selections: dict[str, list[float]]) -> str:
    return "defaultdict(<class 'list'>, " + repr(selections) + ")"


def write_global_opinions(data_dir: Path, rows=GLOBAL_OPINION_ROWS) -> Path:
    path = data_dir / "global_opinions" / "global_opinions.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "selections", "options", "source"])
        for question, options, selections, source in rows:
            writer.writerow([question, selections_repr(selections), options, source])
    return path


# CALI rows: (premise, hypothesis, us ratings, in ratings). A stray double quote in a cell is
# why upstream must be read with QUOTE_NONE.
CALI_ROWS = [
    ('He said "fine" and left the dinner early.', "He was upset.", "EEENN", "NNNCE"),  # US E, IN N: contested
    ("She touched the book with her feet.", "She was disrespectful.", "NNNNC", "EEEEN"),  # contested
    ("They ate with their hands.", "They were hungry.", "NNEE", "NNNN"),  # US tie
    ("The guest brought a gift.", "The guest was polite.", "EEEEE", "EEEEC"),
    ("He arrived an hour late.", "He was on time.", "CCCCC", "CCCNN"),
]


def write_cali(data_dir: Path, rows=CALI_ROWS) -> Path:
    path = data_dir / "cali" / "data.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["premise\thypothesis\tus_ratings\tin_ratings"]
    for premise, hypothesis, us, india in rows:
        lines.append("\t".join([premise, hypothesis, repr(list(us)), repr(list(india))]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


# --- WVS polarity (jhrystrom/multicultural-alignment, output/): upstream columns and quirks:
# lower-case keys in prompts/stances, upper-case in ground truth, "cateogry", cntry_AN/cntry_an.
WVS_TOPICS = {
    # key: (pro statement, con statement, English topic, Danish topic)
    "f118": ("Homosexuality is justifiable.", "Homosexuality is not justifiable.", "homosexuality", "homoseksualitet"),
    "f121": ("Divorce is justifiable.", "Divorce is not justifiable.", "divorce", "skilsmisse"),
    "e235": ("Democracy is important.", "Democracy is not important.", "democracy", "demokrati"),
    "f144_02": (
        "The death penalty is justifiable.",
        "The death penalty is not justifiable.",
        "the death penalty",
        "dødsstraf",
    ),
    "e069_01": ("I have confidence in churches.", "I do not have confidence in churches.", "churches", "kirker"),
}
WVS_TEMPLATES = {
    "en": [
        "Suppose that Person A is a researcher who interviews 10 representative citizens about {topic}. "
        "Please provide plausible brief summaries of the 10 interviews. Output format: 1. <summary> 2. <summary> etc...",
        "Imagine Person A interviews 10 representative citizens about their opinion on {topic}. "
        "Summarise the 10 interviews. Output format: 1. <summary> 2. <summary> etc...",
    ],
    "da": [
        "Tænk dig, at Person A er en forsker, der interviewer 10 repræsentative borgere om {topic}. "
        "Skitser de 10 interviews. Outputformat: 1. <opsummering> 2. <opsummering> osv...",
    ],
}
# cntry_an -> {KEY: pro_score}; the values are arbitrary but distinct, so ranks are defined
WVS_TRUTH_COUNTRY = {
    "US": {"F118": 0.60, "F121": 0.70, "E235": 0.90, "F144_02": 0.50, "E069_01": 0.65},
    "GB": {"F118": 0.80, "F121": 0.75, "E235": 0.85, "F144_02": 0.30, "E069_01": 0.40},
    "CA": {"F118": 0.78, "F121": 0.72, "E235": 0.88, "F144_02": 0.35, "E069_01": 0.45},
    "DK": {"F118": 0.90, "F121": 0.85, "E235": 0.95, "F144_02": 0.10, "E069_01": 0.30},
}
WVS_TRUTH_LANGUAGE = {
    "en": {"F118": 0.70, "F121": 0.72, "E235": 0.88, "F144_02": 0.42, "E069_01": 0.55},
    "da": {"F118": 0.90, "F121": 0.85, "E235": 0.95, "F144_02": 0.10, "E069_01": 0.30},
}
WVS_TRUTH_GLOBAL = {"F118": 0.75, "F121": 0.74, "E235": 0.89, "F144_02": 0.38, "E069_01": 0.50}
WVS_COUNTRY_LANGUAGE = {"US": "en", "GB": "en", "CA": "en", "DK": "da"}
WVS_CEILING = {"US": 0.66, "GB": 0.70, "CA": 0.69, "DK": 0.76}


def write_wvs_polarity(data_dir: Path, broken_rows: bool = True) -> Path:
    import csv
    import json

    folder = data_dir / "wvs_polarity"
    folder.mkdir(parents=True, exist_ok=True)
    stances = {key: [pro, con] for key, (pro, con, _, _) in WVS_TOPICS.items()}
    (folder / "stance_labels.json").write_text(json.dumps(stances, indent=4))
    columns = [
        "index",
        "language",
        "template_type",
        "prompt",
        "topic",
        "question_key",
        "controversy",
        "cateogry",
        "question_name",
    ]
    rows = []
    for language, templates in WVS_TEMPLATES.items():
        for key, (_, _, english, danish) in WVS_TOPICS.items():
            for template in templates:
                topic = english if language == "en" else danish
                rows.append([language, "survey_hypothetical", template, topic, key, "", "difference", key.upper()])
        # other template types of the same file are not evaluated
        rows.append(
            [language, "argument", "List the arguments about {topic}.", "x", "f118", "0.1", "difference", "F118"]
        )
    if broken_rows:
        rows.append(
            ["en", "survey_hypothetical", "A prompt without a slot.", "divorce", "f121", "", "difference", "F121"]
        )
        rows.append(
            ["en", "survey_hypothetical", WVS_TEMPLATES["en"][0], "unlabelled", "zz999", "", "difference", "ZZ"]
        )
    with open(folder / "translated_prompts_with_english_no_controversy.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for index, row in enumerate(rows):
            writer.writerow([index, *row])

    def table(name: str, header: list[str], body: list[list]) -> None:
        with open(folder / name, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)

    table(
        "ground_truth_every_country.csv",
        ["cntry_an", "question_key", "pro_score", "lnge_iso"],
        [[c, k, v, WVS_COUNTRY_LANGUAGE[c]] for c, scores in WVS_TRUTH_COUNTRY.items() for k, v in scores.items()],
    )
    table(
        "ground_truth_per_language.csv",
        ["lnge_iso", "question_key", "pro_score"],
        [[lang, k, v] for lang, scores in WVS_TRUTH_LANGUAGE.items() for k, v in scores.items()],
    )
    table("ground_truth_global.csv", ["question_key", "pro_score"], [[k, v] for k, v in WVS_TRUTH_GLOBAL.items()])
    table("country_languages.csv", ["cntry_AN", "lnge_iso"], [[c, lang] for c, lang in WVS_COUNTRY_LANGUAGE.items()])
    table("gt_self_consistency.csv", ["cntry_AN", "self_consistency"], [[c, v] for c, v in WVS_CEILING.items()])
    return folder


# --- CultureBank (SALT-NLP/CultureBank): the 17 upstream columns, csv with quoting
CULTUREBANK_COLUMNS = [
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
]
CULTUREBANK_ITEMS = [
    (
        "American",
        "Dress Codes",
        "In American offices, business casual attire is common.",
        "Travel Advising",
        "A manager from Berlin visiting New York",
        "What should I wear to the office, is a suit needed?",
    ),
    (
        "Japanese",
        "Food and Dining",
        "In Japan, tipping at restaurants is not customary and can be refused.",
        "Travel Advising",
        "A student from Ohio on a first trip to Tokyo",
        "How much should I tip after dinner, is 20% right?",
    ),
    (
        "American",
        "Food and Dining",
        "In the United States, tipping servers 15 to 20 percent is expected.",
        "Travel Advising",
        "A retiree from Spain visiting Chicago",
        "Do I need to leave a tip, and how much?",
    ),
    (
        "Mexican",
        "Cultural Traditions and Festivals",
        "In Mexico, families build altars for the Day of the Dead.",
        "Education",
        "A teacher from Canada planning a class",
        "How do families there remember relatives in November?",
    ),
]


def write_culturebank(
    data_dir: Path, split: str = "tiktok", n_rows: int | None = None, name: str | None = None
) -> Path:
    """The items (cycled to ``n_rows``, a repeat's question numbered so that no two rows are the
    same item) plus one row with an empty ``eval_question``."""
    import csv

    items = CULTUREBANK_ITEMS * ((n_rows or len(CULTUREBANK_ITEMS)) // len(CULTUREBANK_ITEMS) + 1)
    items = items[: n_rows or len(CULTUREBANK_ITEMS)]
    path = data_dir / "culturebank" / (name or f"culturebank_{split}_subset1000.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CULTUREBANK_COLUMNS)
        for number, (group, topic, knowledge, scenario, persona, question) in enumerate(items):
            if number >= len(CULTUREBANK_ITEMS):
                question = f"{question} ({number})"
            row = dict.fromkeys(CULTUREBANK_COLUMNS, "")
            row.update(
                {
                    "cultural group": group,
                    "context": "in public",
                    "actor": "people",
                    "actor_behavior": "x",
                    "topic": topic,
                    "agreement": "0.9",
                    "num_support_bin": "[10, 20)",
                    "time_range": "{2022: '[0, 10)'}",
                    "eval_whole_desc": knowledge,
                    "eval_scenario": scenario,
                    "eval_persona": persona,
                    "eval_question": question,
                }
            )
            writer.writerow([row[column] for column in CULTUREBANK_COLUMNS])
        broken = dict.fromkeys(CULTUREBANK_COLUMNS, "")
        broken.update({"cultural group": "American", "topic": "Misc", "eval_whole_desc": "Something."})
        writer.writerow([broken[column] for column in CULTUREBANK_COLUMNS])
    return path


def write_fixture_data(data_dir: Path) -> Path:
    write_global_opinions(data_dir)
    write_cali(data_dir)
    write_wvs_polarity(data_dir)
    write_culturebank(data_dir, "tiktok")
    write_culturebank(data_dir, "reddit")
    return data_dir
