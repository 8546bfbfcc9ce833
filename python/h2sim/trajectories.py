"""Lever trajectories: what a run may give a lever instead of the scenario's schedule.

A lever a scenario schedules (``levers:`` with ``step``, ``linear`` or ``ramp``) runs as a
table over time that each run may replace, without compiling again: ``Model.run``,
``run_batch`` (a trajectory per run), ``with_params``, ``h2sim sweep`` and the analysis tools
all take the same settings (docs/python.md, "Lever trajectories"):

- a number: the lever holds it for the whole run;
- a pandas Series indexed by time: linear between its points, held beyond its ends;
- the scenario file's forms as a dict: ``{"constant": v}``, ``{"step": {2023: 1, 2026: 0}}``,
  ``{"linear": {...}}``, ``{"ramp": {"start": 2025, "end": 2035, "to": 300}}`` (a step holds the
  lever's own value until its first time, a ramp starts from it unless ``from`` is given,
  exactly as in a scenario file);
- changes of the lever's current schedule: ``{"scale": 1.5}`` (every value times 1.5),
  ``{"shift": 2}`` (every time 2 later), or both; ``{"from": 2023, "value": 0.5}`` (the schedule
  until 2023, then 0.5), or ``{"from": 2023, "step": {...}}`` with any form above;
- a :class:`Trajectory`.

A Trajectory is the table itself: times, values and ``"linear"`` or ``"step"``. A time given
twice is a jump (the later value holds from that time on), so a schedule can change from a
given year whatever its form. :func:`resolve` turns a setting into a number or a Trajectory.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _h2sim
from .errors import ArgumentError, ArgumentTypeError

SCHEDULE_KINDS = ("constant", "step", "linear", "ramp")
CHANGES = ("scale", "shift")


@dataclass(frozen=True)
class Trajectory:
    """A lever's values over time, as a run reads them: ``values[i]`` at ``times[i]``,
    linear between points (``"linear"``) or held until the next (``"step"``), held beyond
    the ends. Times must not decrease; a repeated time is a jump."""

    times: tuple[float, ...]
    values: tuple[float, ...]
    interpolation: str = "linear"

    def __post_init__(self) -> None:
        try:
            times = tuple(float(t) for t in self.times)
            values = tuple(float(v) for v in self.values)
        except (TypeError, ValueError, OverflowError):
            raise ArgumentTypeError("the times and values of a trajectory must be lists of numbers, not "
                                    f"{type(self.times).__name__} and {type(self.values).__name__}") from None
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "values", values)
        if self.interpolation not in ("linear", "step"):
            raise ArgumentError(f"a trajectory is 'linear' or 'step', not {self.interpolation!r}")
        if not times or len(times) != len(values):
            raise ArgumentError("a trajectory needs at least one point, and as many times as values")
        if not all(math.isfinite(x) for x in times + values):
            raise ArgumentError("the times and values of a trajectory must be finite numbers")
        if any(b < a for a, b in zip(times, times[1:])):
            raise ArgumentError("the times of a trajectory must not decrease")

    @classmethod
    def constant(cls, value: float, start: float) -> "Trajectory":
        return cls((start,), (value,))

    @classmethod
    def from_series(cls, series: pd.Series) -> "Trajectory":
        series = series.dropna().sort_index(kind="stable")
        if series.empty:
            raise ArgumentError("the time series is empty")
        return cls(tuple(series.index.to_numpy(dtype=float)), tuple(series.to_numpy(dtype=float)))

    # --- reading it -------------------------------------------------------------------------
    def at(self, t: float) -> float:
        """The value at time ``t``, as a run reads it (the kernel's rule, to the bit)."""
        xs, ys, n = self.times, self.values, len(self.times)
        if n == 1:
            return ys[0]
        if t < xs[0] or (t == xs[0] and xs[1] != xs[0]):
            return ys[0]
        if t >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, t)
        if self.interpolation == "step":
            return ys[i - 1]
        f = (t - xs[i - 1]) / (xs[i] - xs[i - 1])
        return ys[i - 1] + f * (ys[i] - ys[i - 1])

    def before(self, t: float) -> float:
        """The value just before time ``t`` (the left limit at a jump)."""
        xs, ys = self.times, self.values
        k = bisect.bisect_left(xs, t)  # points strictly before t
        if k == 0:
            return ys[0]
        if self.interpolation == "step" or k == len(xs):
            return ys[k - 1]
        f = (t - xs[k - 1]) / (xs[k] - xs[k - 1])
        return ys[k - 1] + f * (ys[k] - ys[k - 1])

    def __call__(self, t: Any) -> np.ndarray:
        return np.array([self.at(float(x)) for x in np.atleast_1d(t)])

    def to_series(self) -> pd.Series:
        return pd.Series(self.values, index=pd.Index(self.times, name="time"), dtype=float)

    # --- changing it ------------------------------------------------------------------------
    def scaled(self, factor: float) -> "Trajectory":
        return Trajectory(self.times, tuple(v * float(factor) for v in self.values), self.interpolation)

    def shifted(self, delay: float) -> "Trajectory":
        return Trajectory(tuple(t + float(delay) for t in self.times), self.values, self.interpolation)

    def linear_points(self) -> list[tuple[float, float]]:
        """The same function as linear points: a step becomes a jump at each of its times."""
        if self.interpolation == "linear" or len(self.times) == 1:
            return list(zip(self.times, self.values))
        points = [(self.times[0], self.values[0])]
        for i in range(1, len(self.times)):
            points += [(self.times[i], self.values[i - 1]), (self.times[i], self.values[i])]
        return points

    def then(self, time: float, after: "Trajectory") -> "Trajectory":
        """This trajectory until ``time``, then ``after`` from ``time`` on."""
        time = float(time)
        steps = self.interpolation == "step" and (after.interpolation == "step" or len(after.times) == 1)
        if steps:
            points = [(t, v) for t, v in zip(self.times, self.values) if t < time]
            if not points:
                points = [(time, self.before(time))]
            points.append((time, after.at(time)))
            points += [(t, v) for t, v in zip(after.times, after.values) if t > time]
            return Trajectory(*zip(*points), "step")
        points = [(t, v) for t, v in self.linear_points() if t < time]
        points += [(time, self.before(time)), (time, after.at(time))]
        points += [(t, v) for t, v in after.linear_points() if t > time]
        return Trajectory(*zip(*points), "linear")

    def as_schedule(self, start: float) -> dict:
        """The scenario file's form that runs as this trajectory from ``start`` on:
        ``{"linear": {t: v, ...}}`` or ``{"step": {...}}``. ValueError for a trajectory with a
        jump (a time given twice), which no schedule form writes."""
        if any(b == a for a, b in zip(self.times, self.times[1:])):
            raise ArgumentError("a trajectory with a jump (a time given twice) has no scenario form; write it as "
                             "a step schedule")
        points = list(zip(self.times, self.values))
        if self.interpolation == "step" and self.times[0] > start:
            points.insert(0, (start, self.values[0]))  # held before its first time, as the step would not be
        return {"step" if self.interpolation == "step" else "linear": dict(points)}

    def describe(self) -> str:
        """Short text of the points where the value changes: ``2015: 0.104, 2023: 1`` (a
        step: ``step 2015: 0, 2023: 1``; at a jump, the value after it); one value alone for
        a constant."""
        if len(set(self.values)) == 1:
            return f"{self.values[0]:.4g}"
        points: list[tuple[float, float]] = []
        for t, v in zip(self.times, self.values):
            if points and points[-1][0] == t:
                points[-1] = (t, v)
            elif not points or points[-1][1] != v:
                points.append((t, v))
        text = ", ".join(f"{t:g}: {v:.4g}" for t, v in points)
        return f"step {text}" if self.interpolation == "step" else text


def resolve(setting: Any, name: str, current: Trajectory, before: float, start: float) -> float | Trajectory:
    """A lever setting (module docstring) as a number or a Trajectory.

    ``current`` is what the lever runs as now (the scenario's schedule, or its constant value);
    ``before`` its value before a step's first time (the constant the schedule replaced);
    ``start`` the model's start time. Raises ValueError naming ``name`` for a bad setting.
    """
    if isinstance(setting, Trajectory):
        return setting
    if isinstance(setting, pd.Series):
        try:
            return Trajectory.from_series(setting)
        except (TypeError, ValueError) as error:
            raise ArgumentError(f"{name}: {error}") from None
    if isinstance(setting, Mapping):
        return _from_mapping(dict(setting), name, current, before, start)
    if isinstance(setting, (bool, np.bool_)) or not isinstance(setting, (int, float, np.integer, np.floating)):
        raise ArgumentError(f"{name}: expected a number, a pandas Series indexed by time, a schedule "
                         f"({{'step': {{...}}}}, ...), {{'scale': x}}, {{'shift': years}} or {{'from': time, ...}}; "
                         f"got {type(setting).__name__}")
    value = float(setting)
    if not math.isfinite(value):
        raise ArgumentError(f"{name}: {value} is not a finite number")
    return value


def _from_mapping(spec: dict, name: str, current: Trajectory, before: float, start: float) -> Trajectory | float:
    spec.pop("description", None)
    if "from" in spec:
        time = _number(spec.pop("from"), f"{name}: from")
        if "value" in spec:
            if len(spec) != 1:
                raise ArgumentError(f"{name}: with `from` and `value` give nothing else")
            after: Any = _number(spec.pop("value"), f"{name}: value")
        else:
            after = spec
        new = resolve(after, name, current, current.before(time), start)
        if not isinstance(new, Trajectory):
            new = Trajectory.constant(new, time)
        return current.then(time, new)
    if set(spec) and set(spec) <= set(CHANGES):
        out = current
        if "scale" in spec:
            out = out.scaled(_number(spec["scale"], f"{name}: scale"))
        if "shift" in spec:
            out = out.shifted(_number(spec["shift"], f"{name}: shift"))
        return out
    kinds = [k for k in SCHEDULE_KINDS if k in spec]
    unknown = sorted(set(spec) - set(SCHEDULE_KINDS))
    if len(kinds) != 1 or unknown:
        raise ArgumentError(f"{name}: a schedule is one of {{constant:, step:, linear:, ramp:}}, or changes "
                         f"{{scale:, shift:}}, or {{from: time, value: v}}; got keys {sorted(spec)}")
    kind = kinds[0]
    body = spec[kind]
    if kind == "constant":
        return _number(body, f"{name}: constant")
    if kind == "ramp":
        if not isinstance(body, Mapping) or not {"start", "end", "to"} <= set(body) \
                or set(body) - {"start", "end", "to", "from"}:
            raise ArgumentError(f"{name}: a ramp is {{start:, end:, to:}} and optionally from:")
        r0, r1 = _number(body["start"], f"{name}: ramp start"), _number(body["end"], f"{name}: ramp end")
        if not r1 > r0:
            raise ArgumentError(f"{name}: the ramp must end after it starts")
        times = [r0, r1]
        values = [_number(body.get("from", before), f"{name}: ramp from"), _number(body["to"], f"{name}: ramp to")]
    else:
        if isinstance(body, pd.Series):
            body = dict(zip(body.index, body.to_numpy()))
        if not isinstance(body, Mapping) or not body:
            raise ArgumentError(f"{name}: a {kind} schedule is a mapping of times to values, e.g. {{2023: 1, 2026: 0}}")
        times = [_number(t, f"{name}: {kind} time") for t in body]
        values = [_number(v, f"{name}: {kind} value") for v in body.values()]
        if any(b <= a for a, b in zip(times, times[1:])):
            raise ArgumentError(f"{name}: the times of a schedule must increase")
    x, y, interpolation = _h2sim.schedule_table(kind, times, values, before, start)
    return Trajectory(tuple(x), tuple(y), interpolation)


def _number(value: Any, what: str) -> float:
    from .arguments import is_number

    if not is_number(value):  # float() would read the text '2', and True as 1
        raise ArgumentTypeError(f"{what}: {value!r:.40} is not a number ({type(value).__name__})")
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ArgumentError(f"{what}: {value!r:.40} is not a finite number") from None
    if not math.isfinite(out):
        raise ArgumentError(f"{what}: {out} is not a finite number")
    return out


def is_setting_object(value: Any) -> bool:
    """Whether a parameter value is a trajectory setting rather than a plain number."""
    return isinstance(value, (pd.Series, Mapping, Trajectory))


# --- numbers that become lever settings (the analysis tools' samples) -------------------------
FORM_CHANGES = ("value", "scale", "shift")


def check_form(spec: Mapping, what: str) -> tuple[tuple[str, Any], ...]:
    """How a sampled number sets a lever, from ``from:`` (the time it holds from; before it
    the scenario's schedule) and ``change:`` (``value``, the default: the lever's value;
    ``scale``: a factor on its schedule; ``shift``: a delay of its schedule's times), as a
    hashable tuple of (key, value) pairs; () for a plain value over the whole run."""
    out: list[tuple[str, Any]] = []
    if spec.get("from") is not None:
        out.append(("from", _number(spec["from"], f"{what}: from")))
    change = spec.get("change", "value")
    if change not in FORM_CHANGES:
        raise ArgumentError(f"{what}: `change:` is one of {', '.join(FORM_CHANGES)}, not {change!r}")
    if change != "value":
        out.append(("change", str(change)))
    return tuple(out)


def setting(form: tuple[tuple[str, Any], ...] | Mapping, value: float) -> Any:
    """The lever setting a number gives under a form (:func:`check_form`)."""
    form = dict(form)
    change = form.get("change", "value")
    out: dict[str, Any] = {("value" if change == "value" else change): float(value)}
    if form.get("from") is None:
        return out[change] if change == "value" else out
    out["from"] = form["from"]
    return out


def describe_form(form: tuple[tuple[str, Any], ...] | Mapping) -> str:
    """'', 'from 2023', 'scale', 'shift from 2023': what a number sets, for tables."""
    form = dict(form)
    words = [] if form.get("change", "value") == "value" else [form["change"]]
    if form.get("from") is not None:
        words.append(f"from {form['from']:g}")
    return " ".join(words)
