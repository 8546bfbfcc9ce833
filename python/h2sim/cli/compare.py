"""`h2sim compare A B ...`: several scenarios' outputs side by side at chosen years."""

from __future__ import annotations

import argparse
import sys

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER, UsageError


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare", formatter_class=FORMATTER, epilog=EPILOG, help="key outputs of several scenarios side by side",
        description="Runs several scenarios and prints their outputs side by side at chosen years.")
    parser.add_argument("scenarios", metavar="SCENARIO", nargs="+")
    parser.add_argument("--years", metavar="Y1,Y2", help="times to show (default: start, middle, stop of the first)")
    parser.add_argument("--columns", metavar="A,B", help="variables (default: the first scenario's outputs)")
    common.add_load_options(parser)
    common.add_backend_option(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import h2sim

    columns = common.columns(args.columns)
    models = [common.load(path, strict=args.strict, backend=args.backend) for path in args.scenarios]
    if columns is None:
        columns = models[0].outputs or list(models[0].run().columns)
    frames, labels = [], []
    for path, model in zip(args.scenarios, models):
        known = {h2sim.canonical_name(n) for n in model.variables.index}
        wanted = [c for c in columns if h2sim.canonical_name(c.split("[", 1)[0]) in known]
        frames.append(model.run(return_columns=wanted) if wanted else None)
        label = model.name
        if label in labels:
            label = f"{label} ({path})"
        labels.append(label)
    years = _years(args.years, frames[0])
    units: dict[str, str] = {}
    all_columns: list[str] = []
    for frame in frames:
        if frame is not None:
            for c, u in frame.attrs.get("units", {}).items():
                units.setdefault(c, u)
            all_columns += [c for c in frame.columns if c not in all_columns]
    header = ["variable", "units", models[0].time["units"] or "time", *labels]
    rows = []
    for c in all_columns:
        for i, t in enumerate(years):
            cells = [common.format_number(common.value_at(f, c, t) if f is not None else None) for f in frames]
            rows.append([c if i == 0 else "", units.get(c, "") if i == 0 else "", common.format_time(t), *cells])
    print(common.table(header, rows, left=2))
    missing = [c for c in columns if c.split("[", 1)[0] not in {a.split("[", 1)[0] for a in all_columns}]
    if missing:
        print(f"h2sim: warning: in no scenario: {', '.join(missing)}", file=sys.stderr)
    return EXIT_OK


def _years(text: str | None, first) -> list[float]:
    if not text:
        return common.key_times(first.index) if first is not None else []
    years = [common.number(y.strip(), "--years") for y in text.split(",") if y.strip()]
    if not years:
        raise UsageError("--years: give at least one year")
    return years
