"""The h2sim command line: a thin shell over the Python API.

    h2sim run SCENARIO [-o out.csv|out.parquet|out.nc] [--set name=value ...] [--plot out.png]
    h2sim check SCENARIO [--strict]
    h2sim equations SCENARIO [--dot]
    h2sim export SCENARIO [-o model.xmile] [--set name=value ...]
    h2sim compare A B ... [--years 2025,2030,2035] [--columns a,b]
    h2sim sweep SCENARIO --lever name=v1,v2,... [--lever other=...] [-o out.csv]
    h2sim report SCENARIO [SCENARIO ...] [-o report.html] [--ensemble runs.nc]
    h2sim calibrate SCENARIO [-o fit.yaml] [--data FILE] [--parameter name=low:high ...]
    h2sim check SCENARIO --reality

Exit codes: 0 ok, 1 a model, scenario or simulation error (h2sim.Error, or a scenario file
that cannot be read), 2 a usage error, 3 an I/O error while writing an output file.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

EXIT_OK = 0
EXIT_MODEL_ERROR = 1
EXIT_USAGE = 2
EXIT_WRITE_ERROR = 3

EPILOG = """\
exit codes:
  0  success
  1  model, scenario or simulation error (h2sim.Error: syntax, unknown names, algebraic
     loops, unit mismatches under --strict, non-finite values at run time), or a scenario
     file that cannot be read; the message names the file, line and variable
  2  usage error (bad arguments or options)
  3  I/O error writing an output file (nothing half-written is left behind)

examples:
  h2sim run scenarios/examples/bass_diffusion.yaml --set p=0.05 -o bass.csv --plot bass.png
  h2sim check scenarios/examples/scenario_variant.yaml
  h2sim compare scenarios/examples/scenario_base.yaml scenarios/examples/scenario_variant.yaml
  h2sim sweep scenarios/examples/bass_diffusion.yaml --lever p=0.01,0.03,0.05 --lever q=0.3,0.4
"""

OUTPUT_FORMATS = (".csv", ".parquet", ".nc")
XMILE_FORMATS = (".xmile", ".stmx", ".xml")
PLOT_FORMATS = (".png", ".pdf", ".svg")


class UsageError(Exception):
    """A command line that names something impossible (exit code 2)."""


class WriteError(Exception):
    """An output file could not be written (exit code 3)."""


# --- small parsers for option values -------------------------------------------------------------
def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{what}: '{text}' is not a number") from None


def _columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [c.strip() for c in _split_top_level(text) if c.strip()]
    if not names:
        raise UsageError("--columns: give at least one variable name")
    return names


def _split_top_level(text: str) -> list[str]:
    """Splits at commas outside brackets, so that 'fleet[bus, city]' stays one name."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _assignment(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"{option}: expected name=value, got '{text}'")
    return name.strip(), value.strip()


def _set_value(name: str, text: str) -> Any:
    """A --set value: a number, or a lever trajectory 'year:value,year:value,...'."""
    if ":" not in text:
        return _number(text, f"--set {name}")
    import pandas as pd

    times, values = [], []
    for point in text.split(","):
        t, sep, v = point.partition(":")
        if not sep:
            raise UsageError(f"--set {name}: a trajectory is year:value,year:value,... (got '{point}')")
        times.append(_number(t.strip(), f"--set {name}"))
        values.append(_number(v.strip(), f"--set {name}"))
    return pd.Series(values, index=times, name=name)


def _lever_values(name: str, text: str) -> list[float]:
    """A --lever grid: 'v1,v2,...' or 'low:high:count' (evenly spaced, ends included)."""
    if ":" in text and "," not in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--lever {name}: a range is low:high:count (got '{text}')")
        low, high = _number(parts[0], f"--lever {name}"), _number(parts[1], f"--lever {name}")
        count = _number(parts[2], f"--lever {name}")
        if count < 1 or count != int(count):
            raise UsageError(f"--lever {name}: the count in low:high:count must be a positive integer")
        count = int(count)
        if count == 1:
            return [low]
        return [low + (high - low) * i / (count - 1) for i in range(count)]
    values = [_number(v.strip(), f"--lever {name}") for v in text.split(",") if v.strip()]
    if not values:
        raise UsageError(f"--lever {name}: give at least one value")
    return values


def _suffix(path: str, allowed: Sequence[str], option: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext not in allowed:
        raise UsageError(f"{option} {path}: the file name must end in {', '.join(allowed)}")
    return ext


# --- writing files: all or nothing --------------------------------------------------------------
class _Staged:
    """Output files written to temporary names beside their targets and renamed into place
    together by :meth:`commit`; on failure every temporary file is removed, so a failed
    command leaves no half-written file and no stale temporary file behind."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str]] = []

    def write(self, target: str, writer: Callable[[str], None]) -> None:
        folder = os.path.dirname(os.path.abspath(target))
        base = os.path.basename(target)
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{base}.", suffix=".part", dir=folder)
            os.close(fd)
        except OSError as error:
            raise WriteError(f"cannot write {target}: {error.strerror or error}") from None
        self.pending.append((temp, target))
        try:
            writer(temp)
        except Exception as error:  # noqa: BLE001 - every writer failure is an I/O failure here
            raise WriteError(f"cannot write {target}: {error}") from None

    def commit(self) -> None:
        umask = os.umask(0)
        os.umask(umask)
        try:
            for temp, target in self.pending:
                os.chmod(temp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
                os.replace(temp, target)
        except OSError as error:
            raise WriteError(f"cannot write {target}: {error.strerror or error}") from None
        finally:
            self.discard()

    def discard(self) -> None:
        for temp, _ in self.pending:
            with contextlib.suppress(OSError):
                os.remove(temp)
        self.pending = []


@contextlib.contextmanager
def _staged() -> Iterator[_Staged]:
    staged = _Staged()
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise


def _write_table(frame, path: str, ext: str, dataset_factory: Callable[[], Any] | None = None) -> None:
    """Writes a DataFrame (or, for .nc, the Dataset that dataset_factory makes)."""
    if ext == ".csv":
        frame.to_csv(path)
    elif ext == ".parquet":
        table = frame.copy()
        table.attrs = {}  # pandas would put attrs into the parquet metadata as JSON; keep it plain
        table.to_parquet(path)
    elif ext == ".nc":
        dataset = dataset_factory() if dataset_factory is not None else frame.to_xarray()
        dataset.to_netcdf(path)
    else:  # pragma: no cover - checked before running
        raise UsageError(f"unknown output format {ext}")


# --- printing tables -----------------------------------------------------------------------------
def _format_number(value: Any) -> str:
    if value is None:
        return "-"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 1e7 or abs(v) < 1e-3:
        return f"{v:.4g}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _format_time(t: float) -> str:
    return f"{t:g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1,
           subheader: Sequence[str] | None = None) -> str:
    """A plain text table; the first `left` columns are left-aligned, the rest right-aligned.
    `subheader` is a second heading line (units)."""
    heads = [list(header)] + ([list(subheader)] if subheader else [])
    widths = [0] * len(header)
    for row in [*heads, *rows]:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]

    def line(cells: Sequence[str]) -> str:
        out = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([*(line(h) for h in heads), rule, *(line(r) for r in rows)])


def _key_times(times: Sequence[float]) -> list[float]:
    """Start, a middle time (a round number when one was saved) and stop."""
    times = [float(t) for t in times]
    if not times:
        return []
    start, stop = times[0], times[-1]
    if len(times) <= 2:
        return sorted(set(times))
    target = (start + stop) / 2
    quarter = (stop - start) / 4
    whole = [t for t in times if t.is_integer() and abs(t - target) <= quarter]
    middle = min(whole or times, key=lambda t: abs(t - target))
    return sorted({start, middle, stop})


def _value_at(frame, column: str, t: float) -> float | None:
    import numpy as np

    if column not in frame.columns:
        return None
    index = np.asarray(frame.index, dtype=float)
    tolerance = 1e-9 * max(1.0, abs(t))
    hits = np.nonzero(np.abs(index - t) <= tolerance)[0]
    if len(hits) == 0:
        return None
    return float(frame[column].iloc[hits[0]])


def _summary(frame, times: Sequence[float], title: str | None = None) -> str:
    units = frame.attrs.get("units", {})
    header = ["variable", "units", *(_format_time(t) for t in times)]
    rows = [[c, units.get(c, ""), *(_format_number(_value_at(frame, c, t)) for t in times)] for c in frame.columns]
    text = _table(header, rows, left=2)
    return f"{title}\n{text}" if title else text


# --- commands ------------------------------------------------------------------------------------
def _load(path: str, strict_units: bool = False):
    import h2sim

    if not os.path.exists(path):
        raise h2sim.Error(f"{path}: no such scenario file", file=path)
    if os.path.isdir(path):
        raise h2sim.Error(f"{path}: is a folder, not a scenario file", file=path)
    try:
        return h2sim.load(path, strict_units=strict_units)
    except (OSError, UnicodeDecodeError) as error:
        raise h2sim.Error(f"{path}: cannot read the scenario file: {error}", file=path) from None


def _warn(model) -> None:
    for warning in model.warnings:
        print(f"h2sim: warning: {warning}", file=sys.stderr)


def _run_options(args) -> dict:
    return {"start": args.start, "stop": args.stop, "dt": args.dt, "save_every": args.save_every,
            "method": args.method}


def _describe(model) -> str:
    t = model.time
    head = model.name + (f": {model.description}" if model.description else "")
    return f"{head}\n{t['start']:g} to {t['stop']:g} {t['units']}, dt {t['dt']:g}, {t['method']}"


def command_run(args) -> int:
    import h2sim

    ext = _suffix(args.output, OUTPUT_FORMATS, "-o") if args.output else None
    plot_ext = _suffix(args.plot, PLOT_FORMATS, "--plot") if args.plot else None
    params: dict[str, Any] = {}
    for item in args.set or []:
        name, text = _assignment(item, "--set")
        params[name] = _set_value(name, text)
    columns = _columns(args.columns)

    model = _load(args.scenario, strict_units=args.strict)
    _warn(model)
    frame = model.run(params=params or None, return_columns=columns, **_run_options(args))

    title = _describe(model)
    if args.method or args.dt:
        title += f" (run with{' method ' + args.method if args.method else ''}{' dt ' + format(args.dt, 'g') if args.dt else ''})"
    print(_summary(frame, _key_times(frame.index), title))

    with _staged() as staged:
        if args.output:
            def dataset():
                ds = model._to_xarray(frame.to_numpy()[None, ...], frame.index.to_numpy(), list(frame.columns),
                                      [frame.attrs["units"].get(c, "") for c in frame.columns], runs=None)
                ds.attrs["source_file"] = os.path.abspath(args.scenario)
                return ds

            staged.write(args.output, lambda path: _write_table(frame, path, ext, dataset))
        if args.plot:
            def chart(path: str) -> None:
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot as plt

                fig = h2sim.plot(frame)
                try:
                    fig.savefig(path, format=plot_ext.lstrip("."), dpi=120)
                finally:
                    plt.close(fig)

            staged.write(args.plot, chart)
        staged.commit()
    for path in (args.output, args.plot):
        if path:
            print(f"wrote {path}")
    return EXIT_OK


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def command_check(args) -> int:
    import h2sim

    model = _load(args.scenario, strict_units=not args.lenient_units)
    program = model.program  # compiling finds unknown names, dimension errors and loops
    from .analysis import check_declarations

    check_declarations(model)  # outcomes: and uncertainties: (docs/exploration.md)
    warnings = model.warnings
    _warn(model)
    if args.strict and warnings:
        raise h2sim.Error(f"{args.scenario}: {len(warnings)} warning(s), and --strict turns warnings into errors",
                          file=args.scenario)
    runs = ""
    if not args.no_run:
        frame = model.run(return_columns=[])
        runs = f", runs {frame.index[0]:g} to {frame.index[-1]:g} {model.time['units']}"
    variables = model.variables
    counts = variables["kind"].value_counts()
    parts = [_count(len(variables), "variable"), _count(counts.get("stock", 0), "stock"),
             _count(counts.get("flow", 0), "flow"), _count(counts.get("auxiliary", 0), "auxiliary", "auxiliaries"),
             _count(counts.get("constant", 0), "constant")]
    print(f"OK {args.scenario}: {model.name}: {', '.join(parts)} "
          f"({_count(program.stock_count, 'state value')} after expansion){runs}"
          + (f", {_count(len(warnings), 'warning')}" if warnings else ""))
    if args.reality:
        from .calibration import command as calibration_command  # reality checks: their own module

        return calibration_command.run_reality(args, model)
    return EXIT_OK


def command_equations(args) -> int:
    model = _load(args.scenario)
    _warn(model)
    text = model.dependency_graph() if args.dot else model.equations()
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def command_export(args) -> int:
    if args.output:
        _suffix(args.output, XMILE_FORMATS, "-o")
    params: dict[str, Any] = {}
    for item in args.set or []:
        name, text = _assignment(item, "--set")
        params[name] = _set_value(name, text)
    model = _load(args.scenario)
    _warn(model)
    if params:
        model = model.with_params(params)
    if not args.output:
        sys.stdout.write(model.to_xmile())
        return EXIT_OK
    with _staged() as staged:
        staged.write(args.output, model.to_xmile)
        staged.commit()
    print(f"wrote {args.output}")
    return EXIT_OK


def command_compare(args) -> int:
    import h2sim

    columns = _columns(args.columns)
    models = [_load(path) for path in args.scenarios]
    for model in models:
        _warn(model)
    if columns is None:
        columns = models[0].outputs or list(models[0].run().columns)
    frames, labels = [], []
    for path, model in zip(args.scenarios, models):
        known = {h2sim._h2sim.canonical_name(n) for n in model.variables.index}
        wanted = [c for c in columns if h2sim._h2sim.canonical_name(c.split("[", 1)[0]) in known]
        frames.append(model.run(return_columns=wanted) if wanted else None)
        label = model.name
        if label in labels:
            label = f"{label} ({path})"
        labels.append(label)
    first = frames[0]
    if args.years:
        years = [_number(y.strip(), "--years") for y in args.years.split(",") if y.strip()]
        if not years:
            raise UsageError("--years: give at least one year")
    else:
        years = _key_times(first.index) if first is not None else []
    units: dict[str, str] = {}
    for frame in frames:
        if frame is not None:
            for c, u in frame.attrs.get("units", {}).items():
                units.setdefault(c, u)
    all_columns = []
    for frame in frames:
        if frame is not None:
            all_columns += [c for c in frame.columns if c not in all_columns]
    header = ["variable", "units", models[0].time["units"] or "time", *labels]
    rows = []
    for c in all_columns:
        for i, t in enumerate(years):
            cells = [_format_number(_value_at(f, c, t) if f is not None else None) for f in frames]
            rows.append([c if i == 0 else "", units.get(c, "") if i == 0 else "", _format_time(t), *cells])
    print(_table(header, rows, left=2))
    missing = [c for c in columns if c.split("[", 1)[0] not in {a.split("[", 1)[0] for a in all_columns}]
    if missing:
        print(f"h2sim: warning: in no scenario: {', '.join(missing)}", file=sys.stderr)
    return EXIT_OK


def _flatten(dataset):
    """A (run, time) x variable table from a run_batch Dataset; arrayed variables give one
    column per element, named name[element, ...]."""
    import numpy as np
    import pandas as pd

    runs = dataset["run"].to_numpy()
    times = dataset["time"].to_numpy()
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for name, var in dataset.data_vars.items():
        extra = [d for d in var.dims if d not in ("run", "time")]
        data = var.transpose("run", "time", *extra).to_numpy()
        if not extra:
            columns[name] = data.reshape(-1)
            units[name] = var.attrs.get("units", "")
            continue
        labels = [dataset[d].to_numpy() if d in dataset.coords else range(var.sizes[d]) for d in extra]
        for idx in itertools.product(*(range(var.sizes[d]) for d in extra)):
            label = f"{name}[{', '.join(str(labels[k][i]) for k, i in enumerate(idx))}]"
            if extra == ["element"]:
                label = str(labels[0][idx[0]])
            columns[label] = data[(slice(None), slice(None), *idx)].reshape(-1)
            units[label] = var.attrs.get("units", "")
    index = pd.MultiIndex.from_product([runs, times], names=["run", "time"])
    frame = pd.DataFrame(columns, index=index)
    frame.attrs["units"] = units
    return frame


def units_of(model, name: str) -> str:
    """The units of a constant (or of its base variable, for name[element])."""
    parameters = model.parameters
    if name in parameters.index:
        return str(parameters.loc[name, "units"])
    base = name.split("[", 1)[0]
    variables = model.variables
    return str(variables.loc[base, "units"]) if base in variables.index else ""


def command_sweep(args) -> int:
    import pandas as pd

    if not args.lever:
        raise UsageError("sweep: give at least one --lever name=v1,v2,...")
    ext = _suffix(args.output, OUTPUT_FORMATS, "-o") if args.output else None
    grid: dict[str, list[float]] = {}
    for item in args.lever:
        name, text = _assignment(item, "--lever")
        if name in grid:
            raise UsageError(f"--lever {name} is given twice")
        grid[name] = _lever_values(name, text)
    columns = _columns(args.columns)
    if args.threads is not None and args.threads < 0:
        raise UsageError("--threads must be 0 (every core) or more")

    model = _load(args.scenario)
    _warn(model)
    table = pd.DataFrame(list(itertools.product(*grid.values())), columns=list(grid))
    table.index.name = "run"
    dataset = model.run_batch(table, return_columns=columns, threads=args.threads, progress=False,
                              **_run_options(args))
    frame = _flatten(dataset)
    frame = frame.drop(columns=[c for c in frame.columns if c in grid])  # a swept constant is in the lever columns
    # The lever values label the runs (as coordinates in a netCDF file).
    dataset = dataset.assign_coords({name: ("run", table[name].to_numpy()) for name in grid
                                     if name not in dataset.data_vars})
    last = frame.index.get_level_values("time").max()
    final = frame.xs(last, level="time")
    units = frame.attrs["units"]
    header = [*grid, *final.columns]
    subheader = [units_of(model, name) for name in grid] + [units.get(c, "") for c in final.columns]
    rows = [[_format_number(v) for v in table.loc[run]] + [_format_number(v) for v in final.loc[run]]
            for run in table.index]
    print(f"{_describe(model)}\n{len(table)} runs; values at {model.time['units'] or 'time'} {last:g}")
    print(_table(header, rows, left=0, subheader=subheader if any(subheader) else None))

    if args.output:
        with _staged() as staged:
            def write(path: str) -> None:
                if ext == ".nc":
                    ds = dataset.copy()
                    ds.attrs["source_file"] = os.path.abspath(args.scenario)
                    ds.to_netcdf(path)
                    return
                levers = table.loc[frame.index.get_level_values("run")]
                levers.index = frame.index
                out = pd.concat([levers, frame], axis=1)
                _write_table(out, path, ext)

            staged.write(args.output, write)
            staged.commit()
        print(f"wrote {args.output}")
    return EXIT_OK


# --- the parser ----------------------------------------------------------------------------------
def _add_time_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("time settings (default: the scenario's)")
    group.add_argument("--start", type=float, help="start time")
    group.add_argument("--stop", type=float, help="stop time")
    group.add_argument("--dt", type=float, help="integration step")
    group.add_argument("--save-every", type=float, dest="save_every", help="interval between saved times")
    group.add_argument("--method", choices=["euler", "rk4", "dopri5", "rosenbrock4"],
                       help="integration method")


def build_parser() -> argparse.ArgumentParser:
    import h2sim

    from .calibration import command as calibration_command  # calibrate, check --reality: their own module

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="h2sim", formatter_class=formatter, epilog=EPILOG,
        description="Runs, checks and compares system-dynamics scenarios of the hydrogen industry.")
    parser.add_argument("--version", action="version", version=f"h2sim {h2sim.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    run = commands.add_parser(
        "run", formatter_class=formatter, epilog=EPILOG, help="run a scenario, print key years, write results",
        description="Runs a scenario once, prints its outputs at the start, a middle year and the stop, "
                    "and writes the results (CSV, Parquet or netCDF) and a chart.")
    run.add_argument("scenario", metavar="SCENARIO", help="scenario or model file (YAML, XMILE or Vensim .mdl)")
    run.add_argument("-o", "--output", metavar="FILE", help="write every saved time: .csv, .parquet or .nc")
    run.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="set a constant for this run (repeatable); a lever trajectory is "
                          "NAME=YEAR:VALUE,YEAR:VALUE,... (linear between, held beyond the ends)")
    run.add_argument("--plot", metavar="FILE", help="write a chart of the outputs: .png, .pdf or .svg")
    run.add_argument("--columns", metavar="A,B", help="variables to report (default: the scenario's outputs)")
    run.add_argument("--strict", action="store_true", help="unit mismatches are errors, not warnings")
    _add_time_options(run)
    run.set_defaults(handler=command_run)

    check = commands.add_parser(
        "check", formatter_class=formatter, epilog=EPILOG, help="validate a scenario (units strictly)",
        description="Loads, compiles and runs a scenario once, with unit mismatches as errors; "
                    "exits 1 with the located error, or prints one OK line.")
    check.add_argument("scenario", metavar="SCENARIO")
    check.add_argument("--strict", action="store_true", help="any warning is an error too")
    check.add_argument("--lenient-units", action="store_true", dest="lenient_units",
                       help="unit mismatches are warnings, not errors")
    check.add_argument("--no-run", action="store_true", dest="no_run", help="compile only, do not run")
    calibration_command.add_reality_options(check)
    check.set_defaults(handler=command_check)

    equations = commands.add_parser(
        "equations", formatter_class=formatter, epilog=EPILOG, help="list the expanded equations",
        description="Prints every equation the scenario expands to, with units and sources.")
    equations.add_argument("scenario", metavar="SCENARIO")
    equations.add_argument("--dot", action="store_true", help="print the dependency graph as Graphviz DOT")
    equations.set_defaults(handler=command_equations)

    export = commands.add_parser(
        "export", formatter_class=formatter, epilog=EPILOG, help="write the model as XMILE",
        description="Writes the scenario's model, with its parameters and lever schedules applied, as "
                    "an XMILE 1.0 file that Stella and h2sim read back to the same results.")
    export.add_argument("scenario", metavar="SCENARIO")
    export.add_argument("-o", "--output", metavar="FILE",
                        help="the XMILE file to write: .xmile, .stmx or .xml (default: print it)")
    export.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="set a constant in the exported model (repeatable); a lever trajectory is "
                             "NAME=YEAR:VALUE,YEAR:VALUE,...")
    export.set_defaults(handler=command_export)

    compare = commands.add_parser(
        "compare", formatter_class=formatter, epilog=EPILOG, help="key outputs of several scenarios side by side",
        description="Runs several scenarios and prints their outputs side by side at chosen years.")
    compare.add_argument("scenarios", metavar="SCENARIO", nargs="+")
    compare.add_argument("--years", metavar="Y1,Y2", help="times to show (default: start, middle, stop of the first)")
    compare.add_argument("--columns", metavar="A,B", help="variables (default: the first scenario's outputs)")
    compare.set_defaults(handler=command_compare)

    sweep = commands.add_parser(
        "sweep", formatter_class=formatter, epilog=EPILOG, help="run a grid of lever values",
        description="Runs every combination of the lever values (a cartesian grid) as one batch and "
                    "prints the final values per combination.")
    sweep.add_argument("scenario", metavar="SCENARIO")
    sweep.add_argument("--lever", action="append", metavar="NAME=V1,V2,...",
                       help="values of a constant (repeatable); LOW:HIGH:COUNT for evenly spaced values")
    sweep.add_argument("-o", "--output", metavar="FILE",
                       help="write every run and saved time: .csv or .parquet (long table), .nc (run x time)")
    sweep.add_argument("--columns", metavar="A,B", help="variables (default: the scenario's outputs)")
    sweep.add_argument("--threads", type=int, help="threads (default: every core)")
    _add_time_options(sweep)
    sweep.set_defaults(handler=command_sweep)

    from .reports import command as report_command  # h2sim report: its own module

    report_command.add_parser(commands)
    calibration_command.add_parser(commands)

    from .analysis import cli_explore, cli_sensitivity  # exploration commands (docs/exploration.md)

    for command in (cli_explore, cli_sensitivity):
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    import h2sim

    try:
        return args.handler(args)
    except UsageError as error:
        parser.exit(EXIT_USAGE, f"h2sim: error: {error}\n")
    except h2sim.Error as error:
        print(f"h2sim: error: {error}", file=sys.stderr)
        return EXIT_MODEL_ERROR
    except WriteError as error:
        print(f"h2sim: error: {error}", file=sys.stderr)
        return EXIT_WRITE_ERROR
    except (ValueError, KeyError) as error:  # a bad value handed to the Python API
        print(f"h2sim: error: {error}", file=sys.stderr)
        return EXIT_MODEL_ERROR
    except BrokenPipeError:  # `h2sim equations x.yaml | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except KeyboardInterrupt:
        print("h2sim: interrupted", file=sys.stderr)
        return 130
    return EXIT_OK  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
