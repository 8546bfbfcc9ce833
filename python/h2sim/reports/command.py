"""`h2sim report SCENARIO [SCENARIO ...] -o report.html`: the command line of h2sim.report.

A command module: ``add_parser(subparsers)`` adds the command and ``run(args)`` runs it,
returning the exit code (0 ok, 1 a model, scenario or simulation error, 2 a usage error,
3 the report could not be written; nothing half-written is left behind).
"""

from __future__ import annotations

import argparse
import math
import os
import sys

EXAMPLES = """\
examples:
  h2sim report scenarios/zhejiang/baseline.yaml scenarios/zhejiang/plan_2025.yaml -o zhejiang.html
  h2sim report plan.yaml --ensemble ensemble.nc --table "Lever benchmark=benchmark.csv" -o plan.html
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        help="write a self-contained HTML report of scenarios",
        description="Runs the scenarios and writes one HTML file that opens without a network: their "
                    "settings and how each differs from its parent, key outputs beside the targets, a chart "
                    "of every reporting variable, the comparison, the parameters with sources, warnings and "
                    "the input files' hashes.")
    parser.add_argument("scenarios", metavar="SCENARIO", nargs="+", help="scenario or model files; the first is "
                        "the reference of comparisons")
    parser.add_argument("-o", "--output", metavar="FILE", default="report.html",
                        help="the HTML file to write (default: report.html)")
    parser.add_argument("--ensemble", metavar="FILE.nc",
                        help="an ensemble (netCDF, a Dataset with a run dimension) for uncertainty bands")
    parser.add_argument("--table", action="append", metavar="TITLE=FILE.csv",
                        help="an extra table from a CSV file, e.g. a lever benchmark (repeatable)")
    parser.add_argument("--columns", metavar="A,B", help="variables to report (default: the scenarios' outputs)")
    parser.add_argument("--years", metavar="Y1,Y2", help="times of the key-output table (default: start, middle "
                        "and stop of each scenario, and the targets' times)")
    parser.add_argument("--title", help="the report's title")
    parser.add_argument("--strict", action="store_true",
                        help="every warning is an error (unit mismatches included)")
    parser.set_defaults(handler=run)
    return parser


def _fail(code: int, message: str) -> int:
    print(f"h2sim: error: {message}", file=sys.stderr)
    return code


def run(args) -> int:
    import pandas as pd

    import h2sim

    from . import report

    if os.path.splitext(args.output)[1].lower() not in (".html", ".htm"):
        return _fail(2, f"-o {args.output}: the file name must end in .html")
    years = None
    if args.years:
        try:
            years = [float(y) for y in args.years.split(",") if y.strip()]
        except ValueError:
            return _fail(2, f"--years: '{args.years}' is not a list of numbers")
        if not all(math.isfinite(y) for y in years):
            return _fail(2, f"--years: '{args.years}': every year must be a finite number")
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    tables = {}
    for item in args.table or []:
        title, sep, path = item.partition("=")
        if not sep or not title.strip() or not path.strip():
            return _fail(2, f"--table: expected TITLE=FILE.csv, got '{item}'")
        try:
            tables[title.strip()] = pd.read_csv(path.strip())
        except (OSError, ValueError) as error:
            return _fail(1, f"--table {path.strip()}: cannot read it: {error}")
    models = []
    for path in args.scenarios:
        if not os.path.isfile(path):
            return _fail(1, f"{path}: no such scenario file")
        try:
            models.append(h2sim.load(path, strict_units=args.strict))
        except (OSError, UnicodeDecodeError) as error:
            return _fail(1, f"{path}: cannot read the scenario file: {error}")
    for model in models:
        for warning in model.warnings:
            print(f"h2sim: warning: {warning}", file=sys.stderr)
    if args.ensemble and not os.path.isfile(args.ensemble):
        return _fail(1, f"--ensemble {args.ensemble}: no such file")
    command = "h2sim " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["report"] else None
    from . import report_arguments

    try:
        report_arguments(models, None, columns, None)
    except h2sim.ArgumentError as error:  # a name on the command line: a usage error
        return _fail(2, str(error).replace("report: columns:", "--columns:"))
    try:
        text = report(models, None, ensemble=args.ensemble, tables=tables, title=args.title, columns=columns,
                      years=years, command=command)
    except h2sim.Error:
        raise  # the shell prints it with its location and exits 1
    except (KeyError, ValueError, OSError) as error:
        return _fail(1, str(error))
    from ..results import write_atomically

    try:
        write_atomically(args.output, text)
    except OSError as error:
        return _fail(3, f"cannot write {args.output}: {error.strerror or error}")
    print(f"wrote {args.output} ({len(text) / 1e6:.1f} MB): {', '.join(m.name for m in models)}")
    return 0
