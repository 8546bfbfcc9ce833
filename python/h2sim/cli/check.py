"""`h2sim check SCENARIO`: everything wrong with a scenario, found without running it (and
then one run, to find what only a run shows); one OK line when all is well. With
``--reality``, the scenario's reality checks too (h2sim.calibration)."""

from __future__ import annotations

import argparse
import sys

from . import common
from .common import EPILOG, EXIT_MODEL_ERROR, EXIT_OK, FORMATTER


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "check", formatter_class=FORMATTER, epilog=EPILOG, help="validate a scenario (units strictly)",
        description="Loads and checks a scenario: unknown names, dimensions, algebraic loops and unit "
                    "mismatches (errors here), every one of them listed with its file and line; then runs "
                    "it once. Exits 1 when anything is wrong, or prints one OK line.")
    parser.add_argument("scenario", metavar="SCENARIO")
    common.add_load_options(parser)
    parser.add_argument("--lenient-units", action="store_true", dest="lenient_units",
                        help="unit mismatches are warnings, not errors")
    parser.add_argument("--no-run", action="store_true", dest="no_run", help="compile only, do not run")
    from ..calibration import command as calibration_command  # --reality: its own module

    calibration_command.add_reality_options(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    # Names, dimensions and loops fail the load itself; units are listed from check().
    model = common.load(args.scenario, strict_units=False, quiet=True)
    from ..analysis import check_declarations

    check_declarations(model)  # outcomes: and uncertainties: (docs/exploration.md)
    diagnostics = model.check(strict_units=not args.lenient_units)
    listed = {d["text"] for d in diagnostics}
    warnings = [d["text"] for d in diagnostics if d["severity"] == "warning"]
    warnings += [w for w in model.warnings if w not in listed]  # what the reader noted
    errors = [d["text"] for d in diagnostics if d["severity"] == "error"]
    for text in errors:
        print(f"h2sim: error: {text}", file=sys.stderr)
    for text in warnings:
        print(f"h2sim: warning: {text}", file=sys.stderr)
    if errors:
        return EXIT_MODEL_ERROR
    if args.strict and warnings:
        print(f"h2sim: error: {args.scenario}: {common.count(len(warnings), 'warning')}, and --strict "
              "turns warnings into errors", file=sys.stderr)
        return EXIT_MODEL_ERROR
    runs = ""
    if not args.no_run:
        frame = model.run(return_columns=list(model.variables.index) or None)  # every variable, as before
        runs = f", runs {frame.index[0]:g} to {frame.index[-1]:g} {model.time['units']}"
    variables = model.variables
    counts = variables["kind"].value_counts()
    parts = [common.count(len(variables), "variable"), common.count(counts.get("stock", 0), "stock"),
             common.count(counts.get("flow", 0), "flow"),
             common.count(counts.get("auxiliary", 0), "auxiliary", "auxiliaries"),
             common.count(counts.get("constant", 0), "constant")]
    print(f"OK {args.scenario}: {model.name}: {', '.join(parts)} "
          f"({common.count(model.program.stock_count, 'state value')} after expansion){runs}"
          + (f", {common.count(len(warnings), 'warning')}" if warnings else ""))
    if args.reality:
        from ..calibration import command as calibration_command

        return calibration_command.run_reality(args, model)
    return EXIT_OK
