"""CALI's own ``cultureval`` subcommand: ``cultureval cali-shift OUTPUTS...``, the
culture_shift_rate post-step over both cultures' outputs (:mod:`cultureval.tasks.cali.shift`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cultureval.errors import NothingProduced
from cultureval.families import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", nargs="+", help="lm-eval --output_path folders or Inspect .eval logs")


def run(options: argparse.Namespace) -> int:
    """Print the shift of each model (and rendering) as JSON; :class:`NothingProduced` (exit 1)
    when no pair was answered in both cultures' runs of one model."""
    from cultureval.tasks.cali.shift import shift_rates

    results, notes = shift_rates([Path(p) for p in options.outputs])
    for note in notes:
        print(f"cultureval cali-shift: left out {note}", file=sys.stderr)
    print(json.dumps(results, indent=2))
    if not any(result["n_pairs_in_both"] for result in results):
        raise NothingProduced("no pair was answered in both cultures' runs of one model")
    return 0


CALI_SHIFT = Command(
    name="cali-shift",
    help="CALI culture_shift_rate from lm-eval output folders / Inspect logs",
    add_arguments=add_arguments,
    run=run,
)
