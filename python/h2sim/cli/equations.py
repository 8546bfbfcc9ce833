"""`h2sim equations SCENARIO [--dot]`: every equation the scenario expands to, or its
dependency graph as Graphviz DOT."""

from __future__ import annotations

import argparse
import sys

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "equations", formatter_class=FORMATTER, epilog=EPILOG, help="list the expanded equations",
        description="Prints every equation the scenario expands to, with units and sources.")
    parser.add_argument("scenario", metavar="SCENARIO")
    parser.add_argument("--dot", action="store_true", help="print the dependency graph as Graphviz DOT")
    common.add_load_options(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    model = common.load(args.scenario, strict=args.strict)
    text = model.dependency_graph() if args.dot else model.equations()
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
