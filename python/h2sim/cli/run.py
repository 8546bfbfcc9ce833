"""`h2sim run SCENARIO`: one run; the key years printed, the results and a chart written."""

from __future__ import annotations

import argparse
import os

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER, PLOT_FORMATS


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "run", formatter_class=FORMATTER, epilog=EPILOG, help="run a scenario, print key years, write results",
        description="Runs a scenario once, prints its outputs at the start, a middle year and the stop, "
                    "and writes the results (CSV, Parquet or netCDF) and a chart.")
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario or model file (YAML, XMILE or Vensim .mdl)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write every saved time: .csv, .parquet or .nc")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a constant for this run (repeatable); a lever trajectory is "
                             "NAME=YEAR:VALUE,YEAR:VALUE,... (linear between, held beyond the ends)")
    parser.add_argument("--plot", metavar="FILE", help="write a chart of the outputs: .png, .pdf or .svg")
    parser.add_argument("--columns", metavar="A,B", help="variables to report (default: the scenario's outputs)")
    common.add_load_options(parser)
    common.add_backend_option(parser)
    common.add_time_options(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import h2sim

    ext = common.suffix(args.output, h2sim.results.TABLE_FORMATS, "-o") if args.output else None
    plot_ext = common.suffix(args.plot, PLOT_FORMATS, "--plot") if args.plot else None
    params = common.set_values(args.set)
    columns = common.columns(args.columns)

    model = common.load(args.scenario, strict=args.strict, backend=args.backend)
    common.check_settable(model, list(params), "--set")
    frame = model.run(params=params or None, return_columns=columns, **common.time_options(args))

    title = common.describe(model)
    if args.method or args.dt:
        title += f" (run with{' method ' + args.method if args.method else ''}{' dt ' + format(args.dt, 'g') if args.dt else ''})"
    print(common.summary(frame, common.key_times(frame.index), title))

    with h2sim.results.staged() as files:
        if args.output:
            def dataset():
                ds = h2sim.results.dataset_from_frame(model, frame)
                ds.attrs["source_file"] = os.path.abspath(args.scenario)
                return ds

            files.write(args.output, lambda path: h2sim.results.write_table(frame, path, ext, dataset))
        if args.plot:
            files.write(args.plot, lambda path: _chart(frame, path, plot_ext))
        files.commit()
    for path in (args.output, args.plot):
        if path:
            print(f"wrote {path}")
    return EXIT_OK


def _chart(frame, path: str, ext: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import h2sim

    fig = h2sim.plot(frame)
    try:
        fig.savefig(path, format=ext.lstrip("."), dpi=120)
    finally:
        plt.close(fig)
