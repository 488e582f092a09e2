"""The three-setting study's own ``cultureval`` subcommand: ``cultureval binary-settings
OUTPUTS...`` — do classification, reasoning and open conversation give the same verdict? The
comparison is :mod:`cultureval.tasks.binary_settings.compare`; this module is its command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from cultureval.errors import NothingProduced
from cultureval.families import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", nargs="+", help="lm-eval --output_path folders (judged) or Inspect logs")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument("--items-csv", help="write the per-item verdicts to this CSV file")


def run(options: argparse.Namespace) -> int:
    """Compare each model (and rendering) with itself and print the comparison (table or JSON);
    :class:`NothingProduced` (exit 1) when no item was answered in two settings by one model."""
    from cultureval.metrics.aggregate import nan_to_none
    from cultureval.runs import model_label
    from cultureval.tasks.binary_settings.compare import compare, format_comparison, read_values

    values, notes = read_values([Path(p) for p in options.outputs])
    for note in notes:
        print(f"cultureval binary-settings: left out {note}", file=sys.stderr)
    results = {key: compare(by_task) for key, by_task in values.items()}
    for note in dict.fromkeys(result["yardsticks_note"] for result in results.values() if result["yardsticks_note"]):
        print(f"cultureval binary-settings: {note}", file=sys.stderr)
    rows = [{"model": key[0], "rendering": key[1]} | row for key, result in results.items() for row in result["items"]]
    if options.items_csv:
        with open(options.items_csv, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["model", "rendering", "item"])
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    if options.json:
        shown = [
            {"model": key[0], "rendering": key[1]} | {k: v for k, v in result.items() if k != "items"}
            for key, result in results.items()
        ]
        cleaned = json.loads(json.dumps(shown, default=str), parse_constant=lambda _: None)
        print(json.dumps(cleaned, indent=2, default=nan_to_none))
    else:
        print("\n\n".join(f"{model_label(key)}\n{format_comparison(result)}" for key, result in results.items()))
    if not rows:
        raise NothingProduced("no item was answered in two settings by one model")
    return 0


BINARY_SETTINGS = Command(
    name="binary-settings",
    help="the three-setting binary study: do classification, reasoning and open conversation agree?",
    add_arguments=add_arguments,
    run=run,
)
