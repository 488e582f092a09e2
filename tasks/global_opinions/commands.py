"""GlobalOpinionQA's own ``cultureval`` subcommand: ``cultureval export-sft OUTPUTS... -o
train.jsonl``, chat-format SFT data from the chain-of-thought answers whose JS distance is below
``--max-jsd`` (:mod:`cultureval.tasks.global_opinions.export_sft`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cultureval.errors import InputError, NothingProduced
from cultureval.families import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", nargs="+", help="lm-eval --output_path folders (--log_samples) or Inspect logs")
    parser.add_argument("-o", "--output", required=True, help="the JSONL file to write")
    parser.add_argument("--max-jsd", type=float, default=0.15, help="keep answers with JS distance below this (0.15)")
    parser.add_argument(
        "--exclude-task",
        action="append",
        help="never export items of this task's dataset (repeatable; default: global_opinion_cot_6c); "
        "'none' excludes nothing",
    )


def run(options: argparse.Namespace) -> int:
    """Write the JSONL and print what was kept and why the rest was not;
    :class:`NothingProduced` (exit 1) when nothing was kept."""
    from cultureval.tasks.global_opinions import export_sft

    exclude_tasks = options.exclude_task or list(export_sft.DEFAULT_EXCLUDE)
    exclude_tasks = [] if exclude_tasks == ["none"] else exclude_tasks
    try:
        answers = export_sft.read_answers([Path(p) for p in options.outputs])
        exported = export_sft.export(answers, options.max_jsd, export_sft.excluded_items(exclude_tasks))
    except KeyError as error:  # an --exclude-task that is no task
        raise InputError(str(error.args[0])) from None
    export_sft.write_jsonl(exported.rows, Path(options.output))
    counts = exported.counts
    print(
        f"{len(answers)} answers read: {counts['kept']} kept (JS distance < {options.max_jsd:g}), "
        f"{counts['excluded']} excluded (items of {', '.join(exclude_tasks) or 'no task'}), "
        f"{counts['above_threshold']} above the threshold, {counts['unreadable']} unreadable, "
        f"{counts['empty']} empty, {counts['prompt_mismatch']} whose logged prompt did not match"
    )
    print(f"wrote {options.output}")
    if not counts["kept"]:
        raise NothingProduced(f"no answer kept; {options.output} is empty")
    return 0


EXPORT_SFT = Command(
    name="export-sft",
    help="chat-format SFT data from global_opinion_cot* answers with a low JS distance",
    add_arguments=add_arguments,
    run=run,
)
