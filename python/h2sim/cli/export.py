"""`h2sim export SCENARIO [-o model.xmile]`: the scenario's model, with its parameters and
levers applied, as XMILE 1.0."""

from __future__ import annotations

import argparse
import sys

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER, XMILE_FORMATS


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export", formatter_class=FORMATTER, epilog=EPILOG, help="write the model as XMILE",
        description="Writes the scenario's model, with its parameters and lever schedules applied, as "
                    "an XMILE 1.0 file that Stella and h2sim read back to the same results.")
    parser.add_argument("scenario", metavar="SCENARIO")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="the XMILE file to write: .xmile, .stmx or .xml (default: print it)")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a constant in the exported model (repeatable); a lever trajectory is "
                             "NAME=YEAR:VALUE,YEAR:VALUE,...")
    common.add_load_options(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import h2sim

    if args.output:
        common.suffix(args.output, XMILE_FORMATS, "-o")
    params = common.set_values(args.set)
    model = common.load(args.scenario, strict=args.strict)
    if params:
        model = model.with_params(params)
    if not args.output:
        sys.stdout.write(model.to_xmile())
        return EXIT_OK
    with h2sim.results.staged() as files:
        files.write(args.output, model.to_xmile)
        files.commit()
    print(f"wrote {args.output}")
    return EXIT_OK
