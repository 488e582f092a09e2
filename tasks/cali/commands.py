"""CALI's own ``cultureval`` subcommand: ``cultureval cali-shift OUTPUTS...``, the
culture_shift_rate post-step over both cultures' outputs (:mod:`cultureval.tasks.cali.shift`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cultureval.families import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", nargs="+", help="lm-eval --output_path folders or Inspect .eval logs")


def run(options: argparse.Namespace) -> int:
    """Print the shift as JSON; exit 1 when no pair was scored in both cultures."""
    from cultureval.tasks.cali.shift import shift_rate

    result = shift_rate([Path(p) for p in options.outputs])
    print(json.dumps(result, indent=2))
    return 0 if result["n_pairs_in_both"] else 1


CALI_SHIFT = Command(
    name="cali-shift",
    help="CALI culture_shift_rate from lm-eval output folders / Inspect logs",
    add_arguments=add_arguments,
    run=run,
)
