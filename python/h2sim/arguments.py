"""Checks of the arguments the public API takes, so that a bad one is an ``h2sim.Error``
(``ArgumentTypeError`` for the wrong type, ``ArgumentError`` for a bad value) that says which
argument and why, never a TypeError from deep inside pandas or the compiled module.

Every check returns the value in the form the API uses (a float, a list of names, ...)."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from typing import Any

from .errors import ArgumentError, ArgumentKeyError, ArgumentTypeError

#: The integration methods ``method=`` takes (the C++ parser also knows a few aliases).
METHODS = ("euler", "rk4", "dopri5", "rosenbrock4")


def api(function):
    """Wraps a public function so that a bad argument it finds (a ValueError, KeyError or
    TypeError it raises, or one raised under it by pandas, numpy or scipy) comes out as an
    h2sim.ArgumentError or ArgumentTypeError (a KeyError as ArgumentKeyError, still a
    KeyError), with the original chained; h2sim.Errors pass as they are. The functions of
    the analysis tools check their arguments as they use them; this makes every such check
    an h2sim.Error without changing a message."""
    import functools

    from .errors import Error, FileError

    @functools.wraps(function)
    def checked(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Error:
            raise
        except (TypeError, AttributeError) as error:
            # An AttributeError here is an argument of the wrong type used as the right one
            # (None where a DataFrame belongs); a TypeError also a call that does not fit the
            # signature (an unknown keyword, too many arguments).
            raise ArgumentTypeError(f"{function.__name__}: {error}") from error
        except KeyError as error:
            text = error.args[0] if error.args else error
            raise ArgumentKeyError(f"{function.__name__}: {text}") from error
        except (ValueError, OverflowError) as error:
            raise ArgumentError(f"{function.__name__}: {error}") from error
        except OSError as error:  # a file named by an argument that cannot be read or written
            where = f"{error.filename}: " if getattr(error, "filename", None) else ""
            raise FileError(f"{function.__name__}: {where}{error.strerror or error}") from error

    return checked


def model(value: Any, what: str = "model"):
    """A Model, or a path of a scenario or model file, loaded."""
    from .model import Model, load

    if isinstance(value, Model):
        return value
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes):
        return load(value)
    raise ArgumentTypeError(f"{what} must be an h2sim.Model (or the path of a scenario file), not {_type(value)}")


def exploration(value: Any, what: str = "exploration"):
    """The Exploration that h2sim.explore returns."""
    from .analysis.explore import Exploration

    if not isinstance(value, Exploration):
        raise ArgumentTypeError(f"{what} must be the h2sim.Exploration that h2sim.explore returns, not "
                                f"{_type(value)}")
    return value


def frame(value: Any, what: str):
    """A pandas DataFrame (a run's result)."""
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise ArgumentTypeError(f"{what} must be a pandas DataFrame (what Model.run returns), not {_type(value)}")
    return value


def within_saved_values(count: int, what: str) -> int:
    """``count`` numbers to make or save, checked against the limit on saved values before
    anything is allocated (docs/limits.md)."""
    from . import _h2sim

    limit = int(_h2sim.limits()["H2SIM_MAX_SAVED_VALUES"])
    if count > limit:
        raise ArgumentError(f"{what} makes {count} values, more than the limit of {limit} (raise it with the "
                            "environment variable H2SIM_MAX_SAVED_VALUES; docs/limits.md)")
    return count


def _type(value: Any) -> str:
    return type(value).__name__


def is_number(value: Any) -> bool:
    """A real number: int, float or numpy number, but not a bool (True is no time or value)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(value: Any, what: str, *, positive: bool = False, finite: bool = True) -> float:
    if not is_number(value):
        raise ArgumentTypeError(f"{what} must be a number, not {_type(value)} {value!r:.60}")
    try:
        result = float(value)
    except OverflowError:  # an int past 1.8e308
        raise ArgumentError(f"{what} must be a finite number, not an integer of {len(str(abs(value)))} digits") from None
    if finite and not math.isfinite(result):
        raise ArgumentError(f"{what} must be a finite number, not {result}")
    if positive and not result > 0:
        raise ArgumentError(f"{what} must be positive, not {result:g}")
    return result


def optional_number(value: Any, what: str, *, positive: bool = False, finite: bool = True) -> float | None:
    return None if value is None else number(value, what, positive=positive, finite=finite)


def whole_number(value: Any, what: str, *, minimum: int = 0) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ArgumentTypeError(f"{what} must be a whole number, not {_type(value)} {value!r:.60}")
    if value < minimum:
        raise ArgumentError(f"{what} must be at least {minimum}, not {value}")
    return int(value)


def flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"{what} must be True or False, not {_type(value)} {value!r:.60}")
    return value


def optional_flag(value: Any, what: str) -> bool | None:
    return None if value is None else flag(value, what)


def text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{what} must be text, not {_type(value)} {value!r:.60}")
    return value


def name(value: Any, what: str) -> str:
    """A variable or constant name: non-empty text."""
    result = text(value, what)
    if not result.strip():
        raise ArgumentError(f"{what} must be a name, not {value!r}")
    return result


def names(value: Any, what: str) -> list[str] | None:
    """None, one name, or a list (any iterable but a mapping) of names."""
    if value is None:
        return None
    if isinstance(value, str):
        return [name(value, what)]
    if isinstance(value, (Mapping, bytes)):
        raise ArgumentTypeError(f"{what} must be a list of names, not {_type(value)}")
    try:
        items = list(value)
    except TypeError:
        raise ArgumentTypeError(f"{what} must be a list of names, not {_type(value)}") from None
    return [name(item, f"{what}[{i}]") for i, item in enumerate(items)]


def method(value: Any) -> str | None:
    if value is None:
        return None
    result = text(value, "method")
    if result.strip().lower() not in METHODS:
        raise ArgumentError(f"method must be one of {', '.join(METHODS)}, not {value!r:.60}")
    return result.strip().lower()


def path(value: Any, what: str) -> str:
    """A file path: text or an os.PathLike."""
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise ArgumentTypeError(f"{what} must be a file path (text or a pathlib.Path), not {_type(value)}")
    result = os.fspath(value)
    if not isinstance(result, str) or not result:
        raise ArgumentError(f"{what} must be a file path, not {value!r:.60}")
    if "\0" in result:
        raise ArgumentError(f"{what} must not contain a NUL character")
    return result


def mapping(value: Any, what: str) -> dict:
    """None (an empty dict) or a mapping with text keys."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{what} must be a mapping of names to values (a dict), not {_type(value)}")
    for key in value:
        name(key, f"a key of {what}")
    return dict(value)


def time_settings(start: Any, stop: Any, dt: Any, save_every: Any, method_name: Any) -> dict:
    """The time settings a run takes, checked for type: numbers and a known method. Their
    values (dt positive, stop after start, ...) the library checks with the model's own, as a
    SimulationError."""
    return {name: optional_number(value, name, finite=False)
            for name, value in (("start", start), ("stop", stop), ("dt", dt), ("save_every", save_every))} | {
        "method": method(method_name)}


def real_numbers(values: Any, what: str):
    """A pandas Series or Index of real numbers as a float array. Anything pandas or numpy
    would silently convert is refused: text (even '0.5'), True/False, complex numbers (the
    imaginary part would be dropped), dates and durations (nanoseconds)."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    kind = getattr(dtype, "kind", "O")
    if kind in "iuf" and not isinstance(dtype, pd.CategoricalDtype):
        return np.asarray(values, dtype=float)
    if kind == "b" or str(dtype) == "boolean":
        raise ArgumentTypeError(f"{what} must be numbers, not True/False (give 1.0 and 0.0 if you mean them)")
    if kind == "c":
        raise ArgumentTypeError(f"{what} must be real numbers, not complex ones")
    if kind in "mM" or isinstance(dtype, pd.DatetimeTZDtype):
        raise ArgumentTypeError(f"{what} must be numbers (the model's time, years say), not dates or durations")
    out = []
    for k, cell in enumerate(values):
        if not is_number(cell):
            shown = f"the text {cell!r:.40}" if isinstance(cell, str) else f"{_type(cell)} {cell!r:.40}"
            raise ArgumentTypeError(f"{what} must be numbers; item {k} is {shown}, not a number")
        out.append(number(cell, what, finite=False))
    return np.asarray(out, dtype=float)


def parameter_value(value: Any, what: str):
    """A run's value for a constant: a finite number, or a pandas Series indexed by time (a
    lever trajectory) with at least one point, numbers for index and values, times
    increasing once sorted (no time twice). Returns a float or a cleaned Series."""
    import pandas as pd

    if isinstance(value, pd.Series):
        if isinstance(value.index, (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex)):
            raise ArgumentTypeError(f"{what}: a time series is indexed by the model's time as numbers (years, "
                                    "say: 2025.0), not by dates")
        if isinstance(value.index, pd.MultiIndex):
            raise ArgumentTypeError(f"{what}: a time series has one index of times, not a MultiIndex of "
                                    f"{value.index.nlevels} levels")
        series = value.dropna()
        if series.empty:
            raise ArgumentError(f"{what}: the time series is empty (it has no values, or every value is NaN)")
        times = real_numbers(series.index, f"{what}: a time series' times")
        values = real_numbers(series, f"{what}: a time series' values")
        if not (all(math.isfinite(t) for t in times) and all(math.isfinite(v) for v in values)):
            raise ArgumentError(f"{what}: a time series needs finite times and values")
        order = times.argsort(kind="stable")
        times, values = times[order], values[order]
        if any(times[1:] == times[:-1]):
            raise ArgumentError(f"{what}: the time series gives a time twice")
        return pd.Series(values, index=times)
    return number(value, what)
