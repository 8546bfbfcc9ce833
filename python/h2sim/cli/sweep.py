"""`h2sim sweep SCENARIO --lever name=v1,v2,...`: every combination of lever settings as one
batch; each mix's key outputs printed, every run and saved time written.

A lever may be a constant or a lever the scenario schedules: numbers replace its schedule
(from ``--from``, by default the scenario's start), and ``--lever NAME=step:2023=1,2026=0``
gives a whole schedule (docs/python.md, "sweep")."""

from __future__ import annotations

import argparse
import itertools
import os

from . import common
from .common import EPILOG, EXIT_OK, FORMATTER, UsageError


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sweep", formatter_class=FORMATTER, epilog=EPILOG, help="run a grid of lever settings",
        description="Runs every combination of the lever settings (a cartesian grid) as one batch and "
                    "prints each mix's key outputs: the targets' variables at their times when the scenario "
                    "declares targets, else the outputs at the stop.")
    parser.add_argument("scenario", metavar="SCENARIO")
    parser.add_argument("--lever", action="append", metavar="NAME=SETTINGS",
                        help="settings of a constant or a scheduled lever (repeatable; a name given again adds "
                             "settings): V1,V2,... or LOW:HIGH:COUNT (numbers, from --from on); "
                             "step:T=V,T=V / linear:T=V,... / ramp:start=T0,end=T1,to=V[,from=V] / constant:V "
                             "(a whole schedule); scale:F1,F2 / shift:D1,D2 (the lever's own schedule scaled "
                             "or moved); several separated by ';'")
    parser.add_argument("--from", dest="from_time", type=common.finite_float, metavar="TIME",
                        help="numbers, scale and shift apply from this time on; before it each lever keeps "
                             "the scenario's schedule (default: the scenario's start, so the whole run)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write every run and saved time: .csv or .parquet (long table), .nc (run x time)")
    parser.add_argument("--columns", metavar="A,B",
                        help="variables, printed at the stop (default: the targets' variables at their times, "
                             "or the scenario's outputs)")
    parser.add_argument("--threads", type=int, help="threads (default: every core)")
    common.add_load_options(parser)
    common.add_backend_option(parser)
    common.add_time_options(parser)
    parser.set_defaults(handler=run)
    return parser


def _grid(items, start_from: float | None) -> dict[str, list[tuple[str, object]]]:
    """Lever name -> its settings, each with its label."""
    if not items:
        raise UsageError("sweep: give at least one --lever name=v1,v2,...")
    grid: dict[str, list[tuple[str, object]]] = {}
    for item in items:
        name, text = common.assignment(item, "--lever")
        grid.setdefault(name, []).extend(common.lever_settings(name, text, start_from))
    runs = 1
    for values in grid.values():
        runs *= len(values)
    if runs > common.MAX_GRID_RUNS:
        raise UsageError(f"the levers make {runs:,} combinations, more than a sweep runs ({common.MAX_GRID_RUNS:,})")
    return grid


def run(args) -> int:
    import pandas as pd

    import h2sim

    if not args.lever:
        raise UsageError("sweep: give at least one --lever name=v1,v2,...")
    ext = common.suffix(args.output, h2sim.results.TABLE_FORMATS, "-o") if args.output else None
    columns = common.columns(args.columns)
    if args.threads is not None and args.threads < 0:
        raise UsageError("--threads must be 0 (every core) or more")

    model = common.load(args.scenario, strict=args.strict, backend=args.backend)
    start = model.time["start"]
    start_from = args.from_time if args.from_time is not None and args.from_time > start else None
    grid = _grid(args.lever, start_from)
    common.check_settable(model, list(grid), "--lever")
    names = list(grid)
    mixes = list(itertools.product(*grid.values()))
    numeric = {n: all(isinstance(s, float) for _, s in grid[n]) for n in names}
    table = pd.DataFrame(index=pd.RangeIndex(len(mixes), name="run"))
    labels = pd.DataFrame(index=table.index)
    for k, name in enumerate(names):
        settings = [mix[k][1] for mix in mixes]
        table[name] = settings if numeric[name] else pd.Series(settings, index=table.index, dtype=object)
        labels[name] = _label_column([mix[k][0] for mix in mixes])

    targets = [] if columns else _targets_within(model, args)
    wanted = list(columns or model.outputs)
    for t in targets:
        if t.variable not in wanted and model.outputs:
            wanted.append(t.variable)
    dataset = model.run_batch(table, return_columns=wanted or None, threads=args.threads, progress=False,
                              **common.time_options(args))
    frame = h2sim.results.long_table(dataset)
    frame = frame.drop(columns=[c for c in frame.columns if c in grid])  # a swept lever is in the lever columns
    # The lever settings label the runs (as coordinates in a netCDF file).
    dataset = dataset.assign_coords({name: ("run", labels[name].to_numpy()) for name in names
                                     if name not in dataset.data_vars})
    print(common.describe(model))
    print(_summary(model, frame, labels, targets, start_from))

    if args.output:
        def write(path: str) -> None:
            if ext == ".nc":
                ds = dataset.copy()
                ds.attrs["source_file"] = os.path.abspath(args.scenario)
                ds.to_netcdf(path)
                return
            levers = labels.loc[frame.index.get_level_values("run")]
            levers.index = frame.index
            h2sim.results.write_table(pd.concat([levers, frame], axis=1), path, ext)

        with h2sim.results.staged() as files:
            files.write(args.output, write)
            files.commit()
        print(f"wrote {args.output}")
    return EXIT_OK


def _label_column(labels: list) -> list:
    """A lever's labels as one type, so that the file can store them: the numbers as they
    are, or, when any setting is a schedule (text), every label as text (a number written
    exactly: '0.01')."""
    if not any(isinstance(v, str) for v in labels):
        return labels
    return [v if isinstance(v, str) else repr(float(v)).removesuffix(".0") for v in labels]


def _targets_within(model, args) -> list:
    """The scenario's targets whose time the runs reach."""
    import h2sim

    try:
        targets = h2sim.read_targets(model)
    except h2sim.Error:
        return []
    t = model.time
    first = args.start if args.start is not None else t["start"]
    last = args.stop if args.stop is not None else t["stop"]
    return [target for target in targets if first - 1e-9 <= target.time <= last + 1e-9]


def _summary(model, frame, labels, targets: list, start_from: float | None) -> str:
    """The table of mixes: the lever settings, then the targets' variables at their times and
    how many targets each mix meets, or the outputs at the stop."""
    units = frame.attrs["units"]
    runs = list(labels.index)
    lever_units = [model.units_of(name) for name in labels.columns]
    settings = [[common.format_number(v) if not isinstance(v, str) else v for v in labels.loc[run]] for run in runs]
    since = f"; numbers hold from {start_from:g}" if start_from is not None else ""
    if targets:
        header = [*labels.columns, *(t.variable for t in targets), "targets met"]
        subheader = lever_units + [f"{t.time:g}, {'>=' if t.kind == 'at_least' else '<='} "
                                   f"{common.format_number(t.value)}" for t in targets] + [f"of {len(targets)}"]
        rows = []
        for run, cells in zip(runs, settings):
            one = frame.xs(run, level="run")
            reached = [t.reached(one) for t in targets]
            met = sum(bool(t.met(one)) for t in targets)
            rows.append(cells + [common.format_number(v) for v in reached] + [str(met)])
        title = f"{common.count(len(runs), 'run')}{since}; the targets' variables at their times"
    else:
        last = frame.index.get_level_values("time").max()
        final = frame.xs(last, level="time")
        header = [*labels.columns, *final.columns]
        subheader = lever_units + [units.get(c, "") for c in final.columns]
        rows = [cells + [common.format_number(v) for v in final.loc[run]] for run, cells in zip(runs, settings)]
        title = f"{common.count(len(runs), 'run')}{since}; values at {model.time['units'] or 'time'} {last:g}"
    text = any(isinstance(v, str) for v in labels.to_numpy().ravel())  # schedules read best left-aligned
    return title + "\n" + common.table(header, rows, left=len(labels.columns) if text else 0,
                                       subheader=subheader if any(subheader) else None)
