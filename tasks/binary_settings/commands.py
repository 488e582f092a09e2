"""The three-setting study's own ``cultureval`` subcommand: ``cultureval binary-settings
OUTPUTS...`` — do classification, reasoning and open conversation give the same verdict? The
comparison is :mod:`cultureval.tasks.binary_settings.compare`; this module is its command line."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from cultureval.families import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", nargs="+", help="lm-eval --output_path folders (judged) or Inspect logs")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument("--items-csv", help="write the per-item verdicts to this CSV file")


def _write_items(result: dict, path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        columns = list(result["items"][0]) if result["items"] else ["item"]
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in result["items"])


def run(options: argparse.Namespace) -> int:
    """Print the comparison (table or JSON); exit 1 when no item was in every setting."""
    from cultureval.metrics.aggregate import nan_to_none
    from cultureval.tasks.binary_settings.compare import CompareInputError, compare, format_comparison, read_values

    try:
        result = compare(read_values([Path(p) for p in options.outputs]))
    except (CompareInputError, ValueError) as error:
        raise SystemExit(f"cultureval binary-settings: {error}") from None
    if options.items_csv:
        _write_items(result, options.items_csv)
    if options.json:
        cleaned = json.loads(json.dumps(result, default=str), parse_constant=lambda _: None)
        print(json.dumps({k: v for k, v in cleaned.items() if k != "items"}, indent=2, default=nan_to_none))
    else:
        print(format_comparison(result))
    return 0 if result["n_common_items"] else 1


BINARY_SETTINGS = Command(
    name="binary-settings",
    help="the three-setting binary study: do classification, reasoning and open conversation agree?",
    add_arguments=add_arguments,
    run=run,
)
