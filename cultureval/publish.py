"""Publishing results: ``cultureval export`` (Every Eval Ever records, :mod:`cultureval.eee`) and
``cultureval report --site`` (a static site, :mod:`cultureval.site`).

Both read runs through :func:`read_runs` — the one place the publishing commands read run output
— and take their numbers from the summary rows ``summary.json`` is written from, so a record, a
page and ``summary.json`` never disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cultureval.eee import AVAILABILITY, RELATIONSHIPS, ExportError, ExportOptions, export_runs
from cultureval.report_inputs import Inputs


def read_runs(paths: list[Path]) -> Inputs:
    """The runs under ``paths`` (lm-eval folders, judged runs, baselines, ``cultureval score``
    output, Inspect logs) and the notes on their comparability."""
    from cultureval.report_inputs import read_inputs

    return read_inputs(paths)


def add_export_arguments(parser: argparse.ArgumentParser, required: bool) -> None:
    """The options an EEE record needs that no run records."""
    parser.add_argument(
        "--organization", required=required, help="who publishes the records (EEE source_organization_name)"
    )
    parser.add_argument(
        "--evaluator-relationship",
        choices=RELATIONSHIPS,
        required=required,
        help="the publisher's relation to the models evaluated (EEE evaluator_relationship)",
    )
    parser.add_argument(
        "--model-id",
        action="append",
        default=[],
        metavar="[MODEL=]ORG/NAME",
        help="the Hub id of a model the runs name by a local folder, adapter or bare name (repeatable; "
        "MODEL is the name the report shows; without it, the id of the only such model)",
    )
    parser.add_argument(
        "--model-availability",
        choices=AVAILABILITY,
        default="unknown",
        help="whether the models' weights are public (default unknown)",
    )


def export_options(options: argparse.Namespace) -> ExportOptions:
    ids, default = {}, ""
    for given in options.model_id:
        name, separator, identity = given.rpartition("=")
        if separator:
            ids[name] = identity
        elif default:
            raise ExportError("--model-id without MODEL= can be given once; name the models (MODEL=ORG/NAME)")
        else:
            default = identity
    return ExportOptions(
        organization=options.organization,
        evaluator_relationship=options.evaluator_relationship,
        model_availability=options.model_availability,
        model_ids=ids,
        default_model_id=default,
    )


def export_command(options: argparse.Namespace) -> int:
    """``cultureval export RESULTS... -o DIR``."""
    from cultureval.data_source import DataFileError
    from cultureval.report_inputs import ReportInputError

    try:
        inputs = read_runs([Path(path) for path in options.results])
        written = export_runs(inputs.runs, Path(options.output), export_options(options))
    except (ExportError, ReportInputError, DataFileError, OSError) as error:
        print(f"cultureval export: {error}", file=sys.stderr)
        return 2
    for note in inputs.notes:
        print(f"note: {note}", file=sys.stderr)
    for path in written:
        print(path)
    if not written:
        print("cultureval export: no run of a cultureval task found", file=sys.stderr)
        return 1
    return 0


def site_command(options: argparse.Namespace) -> int:
    """``cultureval report RESULTS... --site DIR [-o DIR]``: the site (and the report, with -o)
    from one reading of the runs."""
    from cultureval.data_source import DataFileError
    from cultureval.report import write_report_files
    from cultureval.report_inputs import ReportInputError
    from cultureval.site import EEE, FILES, write_site

    site = Path(options.site)
    try:
        inputs = read_runs([Path(path) for path in options.results])
        eee_files, note = [], "not written: give --organization and --evaluator-relationship (and --model-id)"
        if options.organization and options.evaluator_relationship:
            try:
                eee_files = export_runs(inputs.runs, site / FILES / EEE, export_options(options))
            except ExportError as error:
                note = f"not written: {error}"
                print(f"cultureval report: EEE records {note}", file=sys.stderr)
        index = write_site(inputs, site, eee_files, note)
        if options.output:
            write_report_files(inputs, Path(options.output))
    except (ReportInputError, DataFileError, OSError, ValueError) as error:
        print(f"cultureval report: {error}", file=sys.stderr)
        return 2
    print(index)
    return 0
