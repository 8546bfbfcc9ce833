"""`h2sim export SCENARIO [-o model.xmile | -o model.c]`: the scenario's model, with its
parameters and levers applied, as XMILE 1.0, or as a standalone C file for embedding."""

from __future__ import annotations

import argparse
import sys

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER, XMILE_FORMATS

C_FORMATS = (".c",)


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export", formatter_class=FORMATTER, epilog=EPILOG, help="write the model as XMILE or C",
        description="Writes the scenario's model, with its parameters and lever schedules applied, as "
                    "an XMILE 1.0 file that Stella and h2sim read back to the same results, or (--format c) "
                    "as one C file that runs it, for embedding in another program (docs/compiled.md).")
    parser.add_argument("scenario", metavar="SCENARIO")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="the file to write: .xmile, .stmx or .xml, or .c (default: print it)")
    parser.add_argument("--format", choices=["xmile", "c"],
                        help="xmile (the default) or c; by default from the ending of -o")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a constant in the exported model (repeatable); a lever trajectory is "
                             "NAME=YEAR:VALUE,YEAR:VALUE,...")
    common.add_load_options(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import h2sim

    as_c = args.format == "c" or (args.format is None and bool(args.output) and
                                  args.output.lower().endswith(C_FORMATS))
    if args.output:
        common.suffix(args.output, C_FORMATS if as_c else XMILE_FORMATS, "-o")
    params = common.set_values(args.set)
    model = common.load(args.scenario, strict=args.strict)
    common.check_settable(model, list(params), "--set")
    if params:
        model = model.with_params(params)
    write = model.to_c if as_c else model.to_xmile
    if not args.output:
        sys.stdout.write(write())
        return EXIT_OK
    with h2sim.results.staged() as files:
        files.write(args.output, write)
        files.commit()
    print(f"wrote {args.output}")
    return EXIT_OK
