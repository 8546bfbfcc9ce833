"""`h2sim sweep SCENARIO --lever name=v1,v2,...`: every combination of lever values as one
batch; the final values printed, every run and saved time written."""

from __future__ import annotations

import argparse
import itertools
import os

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER, UsageError


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sweep", formatter_class=FORMATTER, epilog=EPILOG, help="run a grid of lever values",
        description="Runs every combination of the lever values (a cartesian grid) as one batch and "
                    "prints the final values per combination.")
    parser.add_argument("scenario", metavar="SCENARIO")
    parser.add_argument("--lever", action="append", metavar="NAME=V1,V2,...",
                        help="values of a constant (repeatable); LOW:HIGH:COUNT for evenly spaced values")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write every run and saved time: .csv or .parquet (long table), .nc (run x time)")
    parser.add_argument("--columns", metavar="A,B", help="variables (default: the scenario's outputs)")
    parser.add_argument("--threads", type=int, help="threads (default: every core)")
    common.add_load_options(parser)
    common.add_time_options(parser)
    parser.set_defaults(handler=run)
    return parser


def _grid(items) -> dict[str, list[float]]:
    if not items:
        raise UsageError("sweep: give at least one --lever name=v1,v2,...")
    grid: dict[str, list[float]] = {}
    for item in items:
        name, text = common.assignment(item, "--lever")
        if name in grid:
            raise UsageError(f"--lever {name} is given twice")
        grid[name] = common.lever_values(name, text)
    return grid


def run(args) -> int:
    import pandas as pd

    import h2sim

    grid = _grid(args.lever)
    ext = common.suffix(args.output, h2sim.results.TABLE_FORMATS, "-o") if args.output else None
    columns = common.columns(args.columns)
    if args.threads is not None and args.threads < 0:
        raise UsageError("--threads must be 0 (every core) or more")

    model = common.load(args.scenario, strict=args.strict)
    table = pd.DataFrame(list(itertools.product(*grid.values())), columns=list(grid))
    table.index.name = "run"
    dataset = model.run_batch(table, return_columns=columns, threads=args.threads, progress=False,
                              **common.time_options(args))
    frame = h2sim.results.long_table(dataset)
    frame = frame.drop(columns=[c for c in frame.columns if c in grid])  # a swept constant is in the lever columns
    # The lever values label the runs (as coordinates in a netCDF file).
    dataset = dataset.assign_coords({name: ("run", table[name].to_numpy()) for name in grid
                                     if name not in dataset.data_vars})
    last = frame.index.get_level_values("time").max()
    final = frame.xs(last, level="time")
    units = frame.attrs["units"]
    header = [*grid, *final.columns]
    subheader = [model.units_of(name) for name in grid] + [units.get(c, "") for c in final.columns]
    rows = [[common.format_number(v) for v in table.loc[run]] + [common.format_number(v) for v in final.loc[run]]
            for run in table.index]
    print(f"{common.describe(model)}\n{len(table)} runs; values at {model.time['units'] or 'time'} {last:g}")
    print(common.table(header, rows, left=0, subheader=subheader if any(subheader) else None))

    if args.output:
        def write(path: str) -> None:
            if ext == ".nc":
                ds = dataset.copy()
                ds.attrs["source_file"] = os.path.abspath(args.scenario)
                ds.to_netcdf(path)
                return
            levers = table.loc[frame.index.get_level_values("run")]
            levers.index = frame.index
            h2sim.results.write_table(pd.concat([levers, frame], axis=1), path, ext)

        with h2sim.results.staged() as files:
            files.write(args.output, write)
            files.commit()
        print(f"wrote {args.output}")
    return EXIT_OK
