"""Observed time series for calibration: reading them, and matching them to a model.

Data come as a long table (one observation a row: ``time``, ``variable``, ``value`` and
optionally ``sd``, ``weight``, ``units``), as a wide table (a time column and one column
per series), as pandas objects, or as the ``data:`` entries of a ``calibration:`` section
(docs/calibration.md). Whatever the form, they end up as :class:`Series`: one model
variable's observations in the model's own time and units, with the error model that
says how far the model may be from them.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import _h2sim
from ..errors import Error

#: Error models: how an observation scatters around the model's value.
ERROR_MODELS = ("normal", "lognormal", "poisson", "negative_binomial")
_ERROR_ALIASES = {"normal": "normal", "gaussian": "normal", "lognormal": "lognormal", "log_normal": "lognormal",
                  "poisson": "poisson", "negative_binomial": "negative_binomial", "negbin": "negative_binomial",
                  "nb": "negative_binomial"}

#: Keys a series may carry (in a data entry, for all its series, or per series).
SERIES_KEYS = ("variable", "units", "error", "sd", "weight", "dispersion", "mean_over", "time_shift", "name")
#: Keys of one ``data:`` entry besides the series keys.
SOURCE_KEYS = ("file", "time_column", "variable_column", "value_column", "rows", "series")

TIME_COLUMNS = ("time", "year", "date")


@dataclass(eq=False)
class Series:
    """The observations of one model variable.

    ``times`` are in the model's time (after any ``time_shift``), ``values`` and ``sd``
    in the model variable's units (data in other units are converted). ``sd`` is the
    standard deviation of each observation's error in the error model's own scale
    (absolute for ``normal``, of the natural logarithm for ``lognormal``), or None when
    the calibration estimates one for the whole series. ``mean_over`` > 0 compares each
    value with the model's mean over the ``mean_over`` time units that end at its time
    (yearly sales against a flow in vehicles/year).
    """

    name: str
    variable: str
    times: np.ndarray
    values: np.ndarray
    sd: np.ndarray | None = None
    weights: np.ndarray | None = None
    error: str = "normal"
    dispersion: float | None = None
    mean_over: float = 0.0
    units: str = ""
    source: str = ""
    where: Any = None  # (Section, path) for located errors, or None
    # A series of an expression of model variables: the variables (terms) and the
    # expression compiled over v0, v1, ... (None for a plain variable).
    terms: list[str] | None = None
    formula: Any = None

    def __post_init__(self) -> None:
        self.times = np.asarray(self.times, dtype=float)
        self.values = np.asarray(self.values, dtype=float)
        if self.weights is None:
            self.weights = np.ones_like(self.values)
        self.weights = np.asarray(self.weights, dtype=float)
        if self.sd is not None:
            self.sd = np.asarray(self.sd, dtype=float)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def references(self) -> list[str]:
        """The model variables the series reads: its variable, or its expression's terms."""
        return list(self.terms) if self.terms is not None else [self.variable]

    def combine(self, parts: list[np.ndarray]) -> np.ndarray:
        """The series' model value from the values of its references (same shapes)."""
        if self.formula is None:
            return parts[0]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = eval(self.formula, {"__builtins__": {}}, {f"v{i}": part for i, part in enumerate(parts)})
        return np.asarray(value, dtype=float) * np.ones_like(parts[0])

    def subset(self, mask: np.ndarray) -> "Series":
        return replace(self, times=self.times[mask], values=self.values[mask],
                       sd=None if self.sd is None else self.sd[mask], weights=self.weights[mask])

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"series": self.name, "variable": self.variable, "time": self.times,
                              "value": self.values, "weight": self.weights})
        frame["sd"] = self.sd if self.sd is not None else np.nan
        frame["error"] = self.error
        frame["units"] = self.units
        return frame


@dataclass
class Observations:
    """Every series a calibration fits: a list of :class:`Series` with unique names."""

    series: list[Series] = field(default_factory=list)

    def __iter__(self):
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)

    @property
    def count(self) -> int:
        """The number of observations in all series."""
        return int(sum(len(s) for s in self.series))

    def to_frame(self) -> pd.DataFrame:
        """A long table: series, variable, time, value, weight, sd, error, units."""
        if not self.series:
            return pd.DataFrame(columns=["series", "variable", "time", "value", "weight", "sd", "error", "units"])
        return pd.concat([s.to_frame() for s in self.series], ignore_index=True)


# --- reading ------------------------------------------------------------------------------
class DataError(Error):
    """Data that cannot be read or do not fit the model (a ScenarioError when the
    calibration section named them)."""


def _fail(message: str, where: Any = None) -> Exception:
    """A located ScenarioError when the data came from a section entry, else a DataError."""
    if where is not None:
        section, path = where
        return section.error(message, *path)
    return DataError(message)


def canonical_error(text: Any, where: Any = None) -> str:
    key = str(text).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _ERROR_ALIASES:
        raise _fail(f"unknown error model `{text}`; expected one of: {', '.join(ERROR_MODELS)}", where)
    return _ERROR_ALIASES[key]


def _number(value: Any, what: str, where: Any = None) -> float:
    if isinstance(value, bool):
        raise _fail(f"{what}: expected a number, found {value!r}", where)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(f"{what}: expected a number, found {value!r}", where) from None
    if not math.isfinite(number):
        raise _fail(f"{what}: expected a finite number, found {value!r}", where)
    return number


def read_csv(path: str, where: Any = None) -> pd.DataFrame:
    """A CSV file as a DataFrame; lines starting with ``#`` are comments. Errors name
    the file (and the calibration entry that named it)."""
    if not os.path.exists(path):
        raise _fail(f"no such data file: {path}", where)
    try:
        frame = pd.read_csv(path, comment="#", skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise _fail(f"cannot read the data file {path}: {error}", where) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["file"] = path
    return frame


def _column_numbers(frame: pd.DataFrame, column: str, label: str, where: Any) -> np.ndarray:
    """A column as floats (blank cells are NaN); a cell that is not a number is an error
    naming the file and line."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        file = frame.attrs.get("file")
        label_of_row = frame.index[row]
        number = int(label_of_row) if isinstance(label_of_row, (int, np.integer)) else row
        line = f"{file}:{number + 2}: " if file else f"row {number}: "  # +1 header, +1 one-based
        raise _fail(f"{line}{label} `{column}`: {raw.iloc[row]!r} is not a number", where)
    return values.to_numpy(dtype=float)


def _options(spec: Mapping, defaults: Mapping, where: Any, path: tuple) -> dict:
    """Series options: the defaults overridden by the spec, checked."""
    options = dict(defaults)
    for key, value in spec.items():
        if key not in SERIES_KEYS:
            raise _fail(_unknown_key(key, SERIES_KEYS), _at(where, *path, key))
        options[key] = value
    return options


def _unknown_key(key: Any, expected: Sequence[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(str(key), list(expected), n=1)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown key `{key}`{hint}; expected one of: {', '.join(expected)}"


def _at(where: Any, *path: Any) -> Any:
    if where is None:
        return None
    section, base = where
    return (section, (*base, *path))


def _make_series(name: str, times: np.ndarray, values: np.ndarray, options: Mapping, source: str,
                 where: Any, sd_values: np.ndarray | None = None,
                 weight_values: np.ndarray | None = None, units: str | None = None) -> Series:
    # NaN is a missing observation (left out); infinity is never one: it was silently dropped.
    for what, array in (("time", times), ("value", values), ("sd", sd_values), ("weight", weight_values)):
        if array is not None and np.isinf(array).any():
            k = int(np.flatnonzero(np.isinf(array))[0])
            at = f"row {k}" + (f" (time {times[k]:g})" if what != "time" and np.isfinite(times[k]) else "")
            raise _fail(f"series `{name}`: {at}: the {what} is {array[k]}; an observation must be finite "
                        "(leave the cell blank or NaN for a missing one)", where)
    keep = np.isfinite(values) & np.isfinite(times)
    error = canonical_error(options.get("error", "normal"), _at(where, "error"))
    sd = sd_values
    sd_option = options.get("sd")
    if sd_option is not None and sd is None:
        if isinstance(sd_option, str) and sd_option.strip().endswith("%"):
            share = _number(sd_option.strip()[:-1], "sd", _at(where, "sd")) / 100
            sd = share * np.abs(values) if error != "lognormal" else np.full_like(values, share)
        else:
            sd = np.full_like(values, _number(sd_option, "sd", _at(where, "sd")))
    if sd is not None:
        keep &= np.isfinite(sd)
    weights = weight_values
    if weights is None:
        weights = np.full_like(values, _number(options.get("weight", 1.0), "weight", _at(where, "weight")))
    keep &= np.isfinite(weights)
    series = Series(name=name, variable=str(options.get("variable") or name), times=times[keep],
                    values=values[keep], sd=None if sd is None else sd[keep], weights=weights[keep], error=error,
                    dispersion=None if options.get("dispersion") is None
                    else _number(options["dispersion"], "dispersion", _at(where, "dispersion")),
                    mean_over=_number(options.get("mean_over", 0.0), "mean_over", _at(where, "mean_over")),
                    units=str(units if units is not None else options.get("units") or ""), source=source, where=where)
    _check_series(series)
    return series


def _check_series(series: Series) -> None:
    where = series.where
    if len(series) == 0:
        raise _fail(f"series `{series.name}` has no observations (every value is blank)", where)
    if np.any(series.weights < 0):
        raise _fail(f"series `{series.name}`: weights must not be negative", _at(where, "weight"))
    if series.sd is not None and np.any(series.sd <= 0):
        raise _fail(f"series `{series.name}`: a standard error must be positive", _at(where, "sd"))
    if series.mean_over < 0:
        raise _fail(f"series `{series.name}`: mean_over must not be negative", _at(where, "mean_over"))
    if series.dispersion is not None and series.dispersion <= 0:
        raise _fail(f"series `{series.name}`: the dispersion must be positive", _at(where, "dispersion"))
    if series.error in ("poisson", "negative_binomial"):
        if np.any(series.values < 0) or np.any(np.abs(series.values - np.round(series.values)) > 1e-9):
            raise _fail(f"series `{series.name}`: the {series.error.replace('_', '-')} error model is for counts "
                        "(whole numbers, not negative)", _at(where, "error"))
        if series.sd is not None:
            raise _fail(f"series `{series.name}`: `sd` does not apply to the {series.error.replace('_', '-')} "
                        "error model (its variance follows from the mean)", _at(where, "sd"))
    if series.error == "lognormal" and np.any(series.values <= 0):
        raise _fail(f"series `{series.name}`: the log-normal error model needs positive values", _at(where, "error"))
    if series.error != "negative_binomial" and series.dispersion is not None:
        raise _fail(f"series `{series.name}`: `dispersion` applies to the negative-binomial error model only",
                    _at(where, "dispersion"))


def _series_map(spec: Mapping, names: list[str], where: Any) -> dict[str, dict]:
    """The ``series:`` entry: series name -> options (a model variable name is short for
    ``{variable: name}``); every series of the table when there is none."""
    chosen = spec.get("series")
    if chosen is None:
        return {n: {} for n in names}
    if isinstance(chosen, (list, tuple)):
        chosen = {str(c): {} for c in chosen}
    elif not isinstance(chosen, Mapping):
        raise _fail("`series:` is a list of series names or a mapping series -> model variable or options",
                    _at(where, "series"))
    out = {}
    for name, options in chosen.items():
        name = str(name)
        at = _at(where, "series", name)
        if name not in names:
            raise _fail(_unknown_series(name, names), at)
        if isinstance(options, str):
            options = {"variable": options}
        elif options is None:
            options = {}
        elif not isinstance(options, Mapping):
            raise _fail("a series maps to a model variable name or to a mapping of series options", at)
        out[name] = dict(options)
    return out


def _unknown_series(name: str, names: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(name, names, n=1)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"the data have no series `{name}`{hint}; they have: {', '.join(names)}"


def _from_long(frame: pd.DataFrame, spec: Mapping, defaults: Mapping, source: str, where: Any,
               time_shift: float, columns: tuple[str, str, str]) -> list[Series]:
    """A long table: time, variable, value (or the columns ``time_column``,
    ``variable_column``, ``value_column`` name) and optionally sd, weight, units, error."""
    time_column, variable_column, value_column = columns
    out = []
    names = frame[variable_column].astype(str).str.strip()
    for name, chosen in _series_map(spec, list(dict.fromkeys(names)), where).items():
        part = frame[(names == name).to_numpy()]
        at = _at(where, "series", name) if "series" in spec else where
        options = _options(chosen, defaults, where, ("series", name))
        shift = time_shift + _number(options.pop("time_shift", 0.0), "time_shift", _at(at, "time_shift"))
        times = _column_numbers(part, time_column, "column", at) + shift
        values = _column_numbers(part, value_column, "column", at)
        sd = _column_numbers(part, "sd", "column", at) if "sd" in part.columns else None
        weights = _column_numbers(part, "weight", "column", at) if "weight" in part.columns else None
        if "error" in part.columns and "error" not in chosen:
            kinds = set(part["error"].dropna().astype(str))
            if len(kinds) > 1:
                raise _fail(f"series `{name}`: one error model per series, found {', '.join(sorted(kinds))}", at)
            if kinds:
                options["error"] = kinds.pop()
        units = None
        if "units" in part.columns and "units" not in chosen:
            found = set(part["units"].dropna().astype(str).str.strip())
            if len(found) > 1:
                raise _fail(f"series `{name}`: one unit per series, found {', '.join(sorted(found))}", at)
            units = found.pop() if found else None
        label = str(options.pop("name", None) or name)
        out.append(_make_series(label, times, values, options, f"{source}, series {name}", at, sd, weights, units))
    return out


def _time_column(frame: pd.DataFrame, given: str | None, where: Any) -> str:
    if given is not None:
        if given not in frame.columns:
            raise _fail(f"the data have no time column `{given}`; columns: {', '.join(frame.columns)}",
                        _at(where, "time_column"))
        return given
    for name in TIME_COLUMNS:
        if name in frame.columns:
            return name
    raise _fail(f"the data have no time column (named {' or '.join(TIME_COLUMNS)}); give `time_column:`; "
                f"columns: {', '.join(map(str, frame.columns))}", where)


def _from_wide(frame: pd.DataFrame, spec: Mapping, defaults: Mapping, source: str, where: Any,
               time_shift: float) -> list[Series]:
    """A wide table: a time column and one column per series; ``series:`` picks and maps them."""
    time_column = _time_column(frame, spec.get("time_column"), where)
    times = _column_numbers(frame, time_column, "time column", where) + time_shift
    out = []
    columns = [str(c) for c in frame.columns if c != time_column]
    for column, chosen in _series_map(spec, columns, where).items():
        at = _at(where, "series", column) if "series" in spec else where
        options = _options(chosen, defaults, where, ("series", column))
        shift = _number(options.pop("time_shift", 0.0), "time_shift", _at(at, "time_shift"))
        sd_values = None
        if isinstance(options.get("sd"), str) and options["sd"] in frame.columns:
            sd_values = _column_numbers(frame, options.pop("sd"), "sd column", at)
        weight_values = None
        if isinstance(options.get("weight"), str) and options["weight"] in frame.columns:
            weight_values = _column_numbers(frame, options.pop("weight"), "weight column", at)
        values = _column_numbers(frame, column, "column", at)
        name = str(options.pop("name", None) or column)
        out.append(_make_series(name, times + shift, values, options, f"{source}, column {column}", at,
                                sd_values, weight_values))
    return out


def _from_frame(frame: pd.DataFrame, spec: Mapping, source: str, where: Any) -> list[Series]:
    defaults = {k: v for k, v in spec.items() if k in SERIES_KEYS and k not in ("variable", "name", "time_shift")}
    time_shift = _number(spec.get("time_shift", 0.0), "time_shift", _at(where, "time_shift"))
    file = frame.attrs.get("file")
    frame = frame.copy()
    if frame.index.name in TIME_COLUMNS and frame.index.name not in frame.columns:
        frame = frame.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["file"] = file
    frame = _select_rows(frame, spec.get("rows"), _at(where, "rows"))
    variable_column = str(spec.get("variable_column", "variable"))
    value_column = str(spec.get("value_column", "value"))
    time_column = spec.get("time_column")
    is_long = variable_column in frame.columns and value_column in frame.columns and \
        (time_column in frame.columns if time_column is not None else "time" in frame.columns)
    if is_long:
        return _from_long(frame, spec, defaults, source, where, time_shift,
                          (str(time_column or "time"), variable_column, value_column))
    for key in ("variable_column", "value_column"):
        if key in spec:
            raise _fail(f"the data have no column `{spec[key]}` ({key}); columns: {', '.join(frame.columns)}",
                        _at(where, key))
    return _from_wide(frame, spec, defaults, source, where, time_shift)


def _select_rows(frame: pd.DataFrame, rows: Any, where: Any) -> pd.DataFrame:
    """Rows whose columns hold the given values: ``{region: china, use: [fit, validate]}``."""
    if rows is None:
        return frame
    if not isinstance(rows, Mapping):
        raise _fail("`rows:` maps a column to the value (or list of values) of the rows to read", where)
    keep = np.ones(len(frame), dtype=bool)
    for column, wanted in rows.items():
        column = str(column)
        if column not in frame.columns:
            raise _fail(f"the data have no column `{column}`; columns: {', '.join(frame.columns)}", _at(where, column))
        wanted = wanted if isinstance(wanted, list) else [wanted]
        cells = frame[column].astype(str).str.strip()
        keep &= cells.isin([str(w) for w in wanted]).to_numpy()
    selected = frame[keep]
    if selected.empty:
        raise _fail("no row of the data matches `rows:`", where)
    return selected


def read_data(data: Any, section: Any = None, path: tuple = (), defaults: Mapping | None = None) -> Observations:
    """Observations from any of the forms calibration accepts:

    - a path to a CSV file (long: ``time, variable, value[, sd, weight, units, error]``;
      wide: a ``time`` or ``year`` column and one column per series named as the model
      variable);
    - a pandas DataFrame of either shape (a wide one may carry time as its index);
    - a pandas Series indexed by time, named as the model variable;
    - a dict: model variable -> Series, or a ``data:`` entry as in YAML
      (``{"file": ..., "columns": {...}, "time_shift": 1, ...}``, docs/calibration.md);
    - a list of any of these, or an :class:`Observations`.

    ``section`` and ``path``: the calibration section the data came from, so that errors
    point at its file and line. ``defaults``: series options (``error``, ``sd``, ...) for
    series that do not give their own.
    """
    where = (section, tuple(path)) if section is not None else None
    defaults = dict(defaults or {})
    if isinstance(data, Observations):
        return data
    if isinstance(data, Series):
        return Observations([data])
    if isinstance(data, (str, os.PathLike)):
        file = os.fspath(data)
        return Observations(_from_frame(read_csv(file, where), defaults, file, where))
    if isinstance(data, pd.Series):
        if data.name is None:
            raise _fail("a pandas Series of observations needs a name: the model variable", where)
        frame = pd.DataFrame({"time": np.asarray(data.index, dtype=float), str(data.name): data.to_numpy(dtype=float)})
        return Observations(_from_frame(frame, defaults, "Series", where))
    if isinstance(data, pd.DataFrame):
        return Observations(_from_frame(data, defaults, "DataFrame", where))
    if isinstance(data, Mapping):
        if "file" in data or "series" in data:
            return Observations(_from_source(data, section, tuple(path), defaults))
        series = []
        for name, value in data.items():
            if not isinstance(value, pd.Series):
                raise _fail("a dict of observations maps model variables to pandas Series indexed by time", where)
            series += read_data(value.rename(name), section, path, defaults).series
        return _unique(Observations(series), where)
    if isinstance(data, Sequence):
        series = []
        for i, item in enumerate(data):
            series += read_data(item, section, (*path, i), defaults).series
        return _unique(Observations(series), where)
    raise TypeError(f"cannot read observations from {type(data).__name__}")


def _from_source(spec: Mapping, section: Any, path: tuple, defaults: Mapping) -> list[Series]:
    where = (section, path) if section is not None else None
    for key in spec:
        if key not in SOURCE_KEYS and key not in SERIES_KEYS:
            raise _fail(_unknown_key(key, (*SOURCE_KEYS, *SERIES_KEYS)), _at(where, key))
    if "file" not in spec:
        raise _fail("a data entry needs `file:` (a CSV file, relative to the file that names it)", where)
    file = str(spec["file"])
    if section is not None:
        file = section.resolve_path(file, *path, "file")
    shown = os.path.relpath(file)
    return _from_frame(read_csv(file, _at(where, "file")), {**defaults, **spec},
                       file if shown.startswith("..") else shown, where)


def _unique(observations: Observations, where: Any) -> Observations:
    seen: set[str] = set()
    for s in observations:
        if s.name in seen:
            raise _fail(f"two series are named `{s.name}`; give one of them `name:`", s.where or where)
        seen.add(s.name)
    return observations


# --- expressions of model variables ------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.$]*(?:\[[^\]]*\])?)|(?P<operator>[-+*/^()]))")


def parse_expression(text: str) -> tuple[list[str], Any] | None:
    """A series' ``variable:`` that is an expression (``fcev_sales[bus] / fcev_sales_total``):
    (the variable names in it, the expression compiled over v0, v1, ...); None for a
    single name. Numbers, names, + - * / ^ and parentheses only."""
    import ast

    position, names, python = 0, [], []
    text = str(text)
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if not match:
            raise ValueError(f"`{text}`: cannot read `{text[position:].strip()}` (an expression of model variables "
                             "takes numbers, names, + - * / ^ and parentheses)")
        position = match.end()
        if match.group("number"):
            python.append(match.group("number"))
        elif match.group("name"):
            name = match.group("name").replace(" ", "")
            if name not in names:
                names.append(name)
            python.append(f"v{names.index(name)}")
        else:
            python.append("**" if match.group("operator") == "^" else match.group("operator"))
    if len(names) == 1 and python == ["v0"]:
        return None
    source = " ".join(python)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise ValueError(f"`{text}` is not a complete expression") from None
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub,
               ast.UAdd, ast.Constant, ast.Name, ast.Load)
    if not all(isinstance(node, allowed) for node in ast.walk(tree)):
        raise ValueError(f"`{text}`: only numbers, names, + - * / ^ and parentheses")
    if not names:
        raise ValueError(f"`{text}` names no model variable")
    return names, compile(tree, "<series expression>", "eval")


# --- matching to a model ----------------------------------------------------------------------
def check_against_model(observations: Observations, model: Any) -> Observations:
    """Series matched to the model: the variable exists (``name`` or ``name[element]``,
    a scalar value), times lie within the run, and data that declare units are converted
    to the model variable's units (an error when the dimensions differ)."""
    variables = model.variables
    known = {_h2sim.canonical_name(n): n for n in variables.index}
    dims = {_h2sim.canonical_name(k): [_h2sim.canonical_name(e) for e in v] for k, v in model.dimensions.items()}
    start, stop = model.time["start"], model.time["stop"]
    out = []
    for s in observations:
        def fail(message: str, where: Any, s: Series = s) -> Exception:
            return _series_fail(s, f"series `{s.name}`: {message}", where)

        at_variable = _at(s.where, "variable") if s.where else None
        at_units = _at(s.where, "units") if s.where else None
        try:
            expression = parse_expression(s.variable)
        except ValueError as error:
            raise fail(str(error), at_variable) from None
        references = expression[0] if expression else [s.variable]
        resolved = [_resolve_variable(reference, model, variables, known, dims, fail, at_variable)
                    for reference in references]
        values, sd = s.values, s.sd
        model_units = ""
        if expression is None:
            name = resolved[0].split("[", 1)[0]
            model_units = str(variables.loc[name, "units"] or "")
            if s.units and model_units and s.units.strip() != model_units.strip():
                try:
                    factor = _h2sim.unit_conversion_factor(s.units, model_units)
                except Error as error:
                    raise fail(f"the data are in {s.units}, the model's `{name}` in {model_units}: "
                               f"{error.message or error}", at_units) from None
                if s.error in ("poisson", "negative_binomial") and factor != 1:
                    raise fail(f"counts cannot be converted from {s.units} to {model_units}", at_units)
                values = values * factor
                if sd is not None and s.error == "normal":
                    sd = sd * factor
        elif s.units:
            raise fail("an expression has no declared units to check `units:` against; give the data in the "
                       "expression's units and leave `units:` out", at_units)
        lowest, highest = float(np.min(s.times)), float(np.max(s.times))
        if lowest - s.mean_over < start - 1e-9 or highest > stop + 1e-9:
            raise fail(f"observations from {lowest - s.mean_over:g} to {highest:g} lie outside the run "
                       f"({start:g} to {stop:g} {model.time['units']}); check `time_shift`", s.where)
        order = np.argsort(s.times, kind="stable")
        out.append(replace(s, variable=resolved[0] if expression is None else s.variable, values=values[order],
                           times=s.times[order], sd=None if sd is None else sd[order], weights=s.weights[order],
                           units=model_units or s.units, terms=None if expression is None else resolved,
                           formula=None if expression is None else expression[1]))
    return Observations(out)


def _resolve_variable(reference: str, model: Any, variables: Any, known: Mapping[str, str],
                      dims: Mapping[str, list[str]], fail: Any, where: Any) -> str:
    """A model variable as a series names it (``name`` or ``name[element, ...]``), in the
    model's spelling; an arrayed variable needs its elements."""
    base, _, rest = reference.partition("[")
    name = known.get(_h2sim.canonical_name(base.strip()))
    if name is None:
        raise fail(f"the model has no variable `{base.strip()}`{_suggest(base, known)}", where)
    var_dims = list(variables.loc[name, "dimensions"] or [])
    elements = [e.strip() for e in rest.rstrip("]").split(",")] if rest else []
    if var_dims and not elements:
        example = f"{name}[{model.dimensions[var_dims[0]][0]}{', ...' if len(var_dims) > 1 else ''}]"
        raise fail(f"`{name}` is arrayed over {', '.join(var_dims)}; name one element, e.g. `{example}`", where)
    if elements:
        if len(elements) != len(var_dims):
            raise fail(f"`{name}` has {len(var_dims)} dimension(s), {len(elements)} element(s) given", where)
        for e, d in zip(elements, var_dims):
            if _h2sim.canonical_name(e) not in dims.get(_h2sim.canonical_name(d), []):
                raise fail(f"`{e}` is not an element of `{d}` ({', '.join(model.dimensions[d])})", where)
    return f"{name}[{', '.join(elements)}]" if elements else name


def _series_fail(series: Series, message: str, where: Any) -> Exception:
    """A located error for a series from a calibration section; otherwise the message
    names the file and column (or DataFrame) the series came from."""
    if where is None and series.where is None and series.source:
        message = f"{series.source}: {message}"
    return _fail(message, where)


def _suggest(name: str, known: Mapping[str, str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(_h2sim.canonical_name(name.strip()), list(known), n=1)
    return f" (did you mean `{known[close[0]]}`?)" if close else ""


def split_at(observations: Observations, fit_until: float | None) -> tuple[Observations, Observations]:
    """(observations at times <= fit_until, those after it): the fit and the hold-out."""
    if fit_until is None:
        return observations, Observations([])
    fit, hold = [], []
    for s in observations:
        early = s.times <= fit_until + 1e-9
        if early.any():
            fit.append(s.subset(early))
        if (~early).any():
            hold.append(s.subset(~early))
    return Observations(fit), Observations(hold)

