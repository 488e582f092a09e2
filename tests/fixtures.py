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


def write_fixture_data(data_dir: Path) -> Path:
    write_global_opinions(data_dir)
    write_cali(data_dir)
    return data_dir
