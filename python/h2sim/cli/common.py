"""What the h2sim commands share: usage errors, option parsers, loading a scenario (with the
one meaning of ``--strict``), time options, and plain-text tables. Commands use only the
public API of the h2sim package; this module holds nothing a notebook would need."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..text import format_number, format_time, table  # noqa: F401  (commands use them from here)

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

--strict means the same in every command: every warning (unit mismatches included) is an
error. `check` treats unit mismatches as errors anyway (--lenient-units makes them warnings).

examples:
  h2sim run scenarios/examples/bass_diffusion.yaml --set p=0.05 -o bass.csv --plot bass.png
  h2sim check scenarios/examples/scenario_variant.yaml
  h2sim compare scenarios/examples/scenario_base.yaml scenarios/examples/scenario_variant.yaml
  h2sim sweep scenarios/examples/bass_diffusion.yaml --lever p=0.01,0.03,0.05 --lever q=0.3,0.4
"""

FORMATTER = argparse.RawDescriptionHelpFormatter
XMILE_FORMATS = (".xmile", ".stmx", ".xml")
PLOT_FORMATS = (".png", ".pdf", ".svg")


class UsageError(Exception):
    """A command line that names something impossible (exit code 2)."""


# --- option values ---------------------------------------------------------------------------
#: The most runs a sweep grid may have: beyond it the table alone fills memory.
MAX_GRID_RUNS = 1_000_000


def number(text: str, what: str) -> float:
    """A finite number from the command line ('nan' and 'inf' are no values to run with)."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{what}: '{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"{what}: '{text}' is not a finite number")
    return value


def columns(text: str | None) -> list[str] | None:
    """--columns A,B: variable names (commas inside [elements] do not split)."""
    if text is None:
        return None
    names = [c.strip() for c in split_top_level(text) if c.strip()]
    if not names:
        raise UsageError("--columns: give at least one variable name")
    return names


def split_top_level(text: str) -> list[str]:
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


def assignment(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"{option}: expected name=value, got '{text}'")
    return name.strip(), value.strip()


def set_value(name: str, text: str) -> Any:
    """A --set value: a number; a lever trajectory 'year:value,year:value,...' (linear between
    the points); or a schedule 'step:2023=1,2026=0' (any KIND:SPEC of lever_settings)."""
    kind = text.partition(":")[0].strip().lower()
    if kind in SCHEDULE_WORDS:
        settings = lever_settings(name, text, option="--set")
        if len(settings) != 1:
            raise UsageError(f"--set {name}: give one setting, not {len(settings)}")
        return settings[0][1]
    if ":" not in text:
        return number(text, f"--set {name}")
    import pandas as pd

    times, values = [], []
    for point in text.split(","):
        t, sep, v = point.partition(":")
        if not sep:
            raise UsageError(f"--set {name}: a trajectory is year:value,year:value,... (got '{point}')")
        times.append(number(t.strip(), f"--set {name}"))
        values.append(number(v.strip(), f"--set {name}"))
    return pd.Series(values, index=times, name=name)


def set_values(items: Sequence[str] | None) -> dict[str, Any]:
    """Every --set NAME=VALUE."""
    params: dict[str, Any] = {}
    for item in items or []:
        name, text = assignment(item, "--set")
        once(name, params, "--set")
        params[name] = set_value(name, text)
    return params


def once(name: str, given: Sequence[str] | dict, option: str) -> None:
    """A usage error when ``name`` is already among ``given``, under the one rule of names
    (p and P are one constant, as for run(params=)): the last one would silently win."""
    from .. import canonical_name

    for earlier in given:
        if canonical_name(earlier) == canonical_name(name):
            same = f" (as {earlier} and {name}: one constant)" if earlier != name else ""
            raise UsageError(f"{option} {name} is given twice{same}; give each name once")


def check_settable(model, names: Sequence[str], option: str) -> None:
    """Each of ``names`` (given with ``option`` on the command line) is something a run can set;
    else an h2sim.Error that names the option, the name and the scenario file (the model alone
    says "variable 'x': no constant or lever with this name", without saying where x came from)."""
    import h2sim

    for name in names:
        try:
            model._targets(name)
        except h2sim.Error as error:
            defined = f" ({name} is defined at {error.file}:{error.line})" if error.file and error.line else ""
            raise type(error)(f"{model.file or model.name}: {option} {name}: {error.message}{defined}",
                              file=model.file) from None


def lever_values(name: str, text: str) -> list[float]:
    """A --lever grid of numbers: 'v1,v2,...' or 'low:high:count' (evenly spaced, ends included)."""
    if ":" in text and "," not in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--lever {name}: a range is low:high:count (got '{text}')")
        low, high = number(parts[0], f"--lever {name}"), number(parts[1], f"--lever {name}")
        count = number(parts[2], f"--lever {name}")
        if not count >= 1 or count != int(count):
            raise UsageError(f"--lever {name}: the count in low:high:count must be a positive integer")
        if count > MAX_GRID_RUNS:
            raise UsageError(f"--lever {name}: {count:g} values are more than a sweep runs ({MAX_GRID_RUNS:,})")
        count = int(count)
        if count == 1:
            return [low]
        return [low + (high - low) * i / (count - 1) for i in range(count)]
    values = [number(v.strip(), f"--lever {name}") for v in text.split(",") if v.strip()]
    if not values:
        raise UsageError(f"--lever {name}: give at least one value")
    return values


# Schedules on the command line: KIND:SPEC (docs/python.md, "sweep").
SCHEDULE_WORDS = ("constant", "step", "linear", "ramp", "scale", "shift")
RAMP_KEYS = ("start", "end", "to", "from")


def lever_settings(name: str, text: str, start_from: float | None = None,
                   option: str = "--lever") -> list[tuple[Any, Any]]:
    """The settings one --lever NAME=TEXT gives, each with its label for tables (the number
    itself for a number, else a short text):

    - 'v1,v2,...' or 'low:high:count': numbers; with ``start_from``, each holds from then
      on and the lever keeps its schedule before ({"from": T, "value": v});
    - 'step:2023=1,2026=0', 'linear:2023=0,2030=1', 'ramp:start=2025,end=2035,to=300[,from=0]',
      'constant:5': one whole schedule, as a scenario's `levers:` writes it;
    - 'scale:0.5,1,1.5' and 'shift:-1,0,1': the lever's own schedule scaled, or moved in time,
      one setting per factor or delay (from ``start_from`` on, when given).

    Alternatives separated by ';' give one setting each."""
    out: list[tuple[Any, Any]] = []
    for part in [p.strip() for p in text.split(";") if p.strip()]:
        kind, sep, spec = part.partition(":")
        kind = kind.strip().lower()
        what = f"{option} {name}"
        since = f" from {start_from:g}" if start_from is not None else ""
        if sep and kind in SCHEDULE_WORDS:
            if kind in ("scale", "shift"):
                for v in _numbers(spec, f"{what}={kind}:"):
                    label = f"x{v:g}" if kind == "scale" else f"{v:+g} time units"
                    change = {kind: v}
                    out.append((label + since, {"from": start_from, **change} if start_from is not None else change))
            elif kind == "constant":
                v = number(spec.strip(), f"{what}=constant:")
                out.append((f"{v:g}", {"constant": v}))
            elif kind == "ramp":
                ramp = dict(_pairs(spec, f"{what}=ramp:", keys=RAMP_KEYS))
                missing = [k for k in ("start", "end", "to") if k not in ramp]
                if missing:
                    raise UsageError(f"{what}: a ramp is ramp:start=T0,end=T1,to=V[,from=V] (missing {', '.join(missing)})")
                label = f"ramp {ramp['start']:g}-{ramp['end']:g} to {ramp['to']:g}"
                out.append((label, {"ramp": ramp}))
            else:
                points = _pairs(spec, f"{what}={kind}:")
                times = [t for t, _ in points]
                if any(b <= a for a, b in zip(times, times[1:])):
                    raise UsageError(f"{what}: the times of a {kind} schedule must increase (got '{spec}')")
                label = f"{kind} " + ", ".join(f"{t:g}: {v:g}" for t, v in points)
                out.append((label, {kind: dict(points)}))
        else:
            for v in lever_values(name, part):
                out.append((v, {"from": start_from, "value": v} if start_from is not None else v))
    if not out:
        raise UsageError(f"{option} {name}: give at least one value")
    return out


def _numbers(text: str, what: str) -> list[float]:
    values = [number(v.strip(), what) for v in text.split(",") if v.strip()]
    if not values:
        raise UsageError(f"{what} give at least one number")
    return values


def _pairs(text: str, what: str, keys: Sequence[str] | None = None) -> list[tuple[Any, float]]:
    """'2023=1,2026=0' as [(2023.0, 1.0), (2026.0, 0.0)] (or 'start=2025,...' with keys)."""
    out = []
    for item in [i.strip() for i in text.split(",") if i.strip()]:
        key, sep, value = item.partition("=")
        if not sep:
            form = "key=value" if keys else "time=value"
            raise UsageError(f"{what} expected {form} pairs separated by commas (got '{item}')")
        if keys is not None:
            if key.strip() not in keys:
                raise UsageError(f"{what} unknown key '{key.strip()}' (expected {', '.join(keys)})")
            out.append((key.strip(), number(value.strip(), what)))
        else:
            out.append((number(key.strip(), what), number(value.strip(), what)))
    if not out:
        raise UsageError(f"{what} give at least one point")
    return out


def suffix(path: str, allowed: Sequence[str], option: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext not in allowed:
        raise UsageError(f"{option} {path}: the file name must end in {', '.join(allowed)}")
    return ext


# --- loading ------------------------------------------------------------------------------------
def add_load_options(parser: argparse.ArgumentParser) -> None:
    """--strict, with the one meaning every command gives it."""
    parser.add_argument("--strict", action="store_true",
                        help="every warning is an error (unit mismatches included)")


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    """--backend, for the commands that run a model."""
    parser.add_argument("--backend", choices=["interpreter", "compiled"], default="interpreter",
                        help="run the model with the interpreter (default) or as machine code built by the "
                             "system's C compiler: the same results, faster runs after a build of seconds "
                             "(cached; docs/compiled.md)")


def load(path: str, strict: bool = False, strict_units: bool | None = None, quiet: bool = False,
         backend: str = "interpreter"):
    """Loads a scenario for a command: a missing file or folder is an h2sim.Error (exit 1);
    warnings are printed (unless ``quiet``); with ``strict`` any warning is an error.
    ``strict_units`` (default: ``strict``) makes unit mismatches errors at load; ``backend``
    as :func:`h2sim.load`."""
    import h2sim

    if not os.path.exists(path):
        raise h2sim.Error(f"{path}: no such scenario file", file=path)
    if os.path.isdir(path):
        raise h2sim.Error(f"{path}: is a folder, not a scenario file", file=path)
    try:
        model = h2sim.load(path, strict_units=strict if strict_units is None else strict_units)
    except (OSError, UnicodeDecodeError) as error:
        raise h2sim.Error(f"{path}: cannot read the scenario file: {error}", file=path) from None
    for warning in [] if quiet else model.warnings:
        print(f"h2sim: warning: {warning}", file=sys.stderr)
    if strict and model.warnings:
        raise h2sim.Error(f"{path}: {len(model.warnings)} warning(s), and --strict turns warnings into "
                          "errors", file=path)
    return model.compiled() if backend == "compiled" else model


def describe(model) -> str:
    t = model.time
    head = model.name + (f": {model.description}" if model.description else "")
    return f"{head}\n{t['start']:g} to {t['stop']:g} {t['units']}, dt {t['dt']:g}, {t['method']}"


def count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


# --- time settings --------------------------------------------------------------------------------
def add_time_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("time settings (default: the scenario's)")
    group.add_argument("--start", type=finite_float, help="start time")
    group.add_argument("--stop", type=finite_float, help="stop time")
    group.add_argument("--dt", type=finite_float, help="integration step")
    group.add_argument("--save-every", type=finite_float, dest="save_every", help="interval between saved times")
    group.add_argument("--method", choices=["euler", "rk4", "dopri5", "rosenbrock4"],
                       help="integration method")


def finite_float(text: str) -> float:
    """argparse type: a finite number (a usage error, exit 2, otherwise)."""
    try:
        return number(text, "value")
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error).replace("value: ", "")) from None


def time_options(args) -> dict:
    return {"start": args.start, "stop": args.stop, "dt": args.dt, "save_every": args.save_every,
            "method": args.method}


# --- plain-text tables (format_number, format_time and table come from h2sim.text) ---------------
def key_times(times: Sequence[float]) -> list[float]:
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


def value_at(frame, column: str, t: float) -> float | None:
    import numpy as np

    # Hashed lookups and one cell by position: a table prints every column at a few times, and
    # scanning the columns (or frame[column], which copies the frame's attrs, the units and
    # labels of every column) for each cell made a table of 5,000 columns take minutes.
    try:
        position = frame.columns.get_loc(column)
    except KeyError:
        return None
    if isinstance(position, slice):
        position = position.start
    elif not isinstance(position, (int, np.integer)):  # a column name given twice: the first
        position = int(np.flatnonzero(np.asarray(position))[0])
    tolerance = 1e-9 * max(1.0, abs(t))
    if _index_cache[0] is not frame.index:  # the times as numbers, once per frame
        _index_cache[:] = [frame.index, np.asarray(frame.index, dtype=float)]
    hits = np.nonzero(np.abs(_index_cache[1] - t) <= tolerance)[0]
    if len(hits) == 0:
        return None
    return float(frame.iat[hits[0], position])


_index_cache: list = [None, None]  # value_at's last frame index and its times as floats


def summary(frame, times: Sequence[float], title: str | None = None) -> str:
    units = frame.attrs.get("units", {})
    header = ["variable", "units", *(format_time(t) for t in times)]
    rows = [[c, units.get(c, ""), *(format_number(value_at(frame, c, t)) for t in times)] for c in frame.columns]
    text = table(header, rows, left=2)
    return f"{title}\n{text}" if title else text
