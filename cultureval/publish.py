"""Publishing results: ``cultureval export`` (Every Eval Ever records, :mod:`cultureval.eee`) and
``cultureval report --site`` (a static site, :mod:`cultureval.site`).

Both read runs through :func:`cultureval.runs.read_runs` (with the report's notes,
:func:`cultureval.report.read_report_inputs`) — the one reader of run output — and take their
numbers and ranks from the report's ranked runs (:func:`cultureval.report.ranked_runs`), the rows
``summary.json`` is written from, so a record, a page and ``summary.json`` never disagree.
Errors follow :mod:`cultureval.errors`: unreadable runs, a model without a Hub id or a record the
schema rejects exit 2 with one line; runs of no cultureval task exit 1.

This module is imported when the parser is built (its options); :mod:`cultureval.eee` and the
site are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cultureval.errors import InputError, NothingProduced

# EEE's evaluator_relationship and model availability (eval.schema.json, 0.3.0)
RELATIONSHIPS = ("first_party", "third_party", "collaborative", "other")
AVAILABILITY = ("open_weights", "closed_weights", "unknown")


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


def export_options(options: argparse.Namespace):
    """The :class:`cultureval.eee.ExportOptions` of the command line; :class:`InputError` for a
    second ``--model-id`` without ``MODEL=``."""
    from cultureval.eee import ExportOptions

    ids, default = {}, ""
    for given in options.model_id:
        name, separator, identity = given.rpartition("=")
        if separator:
            ids[name] = identity
        elif default:
            raise InputError("--model-id without MODEL= can be given once; name the models (MODEL=ORG/NAME)")
        else:
            default = identity
    return ExportOptions(
        organization=options.organization,
        evaluator_relationship=options.evaluator_relationship,
        model_availability=options.model_availability,
        model_ids=ids,
        default_model_id=default,
    )


def _written(error: OSError, folder: Path) -> InputError:
    return InputError(f"{error.filename or folder}: {error.strerror or error}")


def export_command(options: argparse.Namespace) -> int:
    """``cultureval export RESULTS... -o DIR``: the records' paths on stdout, the report's notes
    on stderr."""
    from cultureval.eee import export_runs
    from cultureval.report import ranked_runs, read_report_inputs

    inputs = read_report_inputs([Path(path) for path in options.results])
    undefined: list[str] = []
    try:
        written = export_runs(ranked_runs(inputs.runs), Path(options.output), export_options(options), undefined)
    except OSError as error:
        raise _written(error, Path(options.output)) from None
    if not written:
        raise NothingProduced("no run of a cultureval task found")
    for note in [*inputs.notes, *undefined]:
        print(f"note: {note}", file=sys.stderr)
    for path in written:
        print(path)
    return 0


def site_command(options: argparse.Namespace) -> int:
    """``cultureval report RESULTS... --site DIR [-o DIR]``: the site (and the report, with -o)
    from one reading of the runs and one ranking; the EEE records into the site when
    ``--organization`` and ``--evaluator-relationship`` are given."""
    from cultureval.eee import ExportError, export_runs
    from cultureval.report import ranked_runs, read_report_inputs, write_report_files
    from cultureval.site import EEE, FILES, write_site

    site = Path(options.site)
    inputs = read_report_inputs([Path(path) for path in options.results])
    ranked = ranked_runs(inputs.runs)
    try:
        eee_files, note = [], "not written: give --organization and --evaluator-relationship (and --model-id)"
        if options.organization and options.evaluator_relationship:
            try:
                eee_files = export_runs(ranked, site / FILES / EEE, export_options(options))
            except ExportError as error:
                note = f"not written: {error}"
                print(f"cultureval report: EEE records {note}", file=sys.stderr)
        index = write_site(inputs, ranked, site, eee_files, note)
        if options.output:
            write_report_files(inputs, Path(options.output))
    except OSError as error:
        raise _written(error, site) from None
    print(index)
    return 0
