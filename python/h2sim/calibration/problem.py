"""What a calibration varies (parameters with bounds and priors) and how it evaluates
candidates: many parameter sets at once, as one ``Model.run_batch`` call.

This is the only place where the calibration runs the model; everything above it
(optimisers, intervals, MCMC) asks for the predictions of a block of candidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import _h2sim
from ..errors import SimulationError
from .data import Observations, _fail, _unknown_key

PARAMETER_KEYS = ("low", "high", "initial", "prior", "scale", "description")
PRIOR_TYPES = ("uniform", "normal", "lognormal", "triangular")


@dataclass
class Parameter:
    """A constant to fit: its search bounds, starting value, prior and search scale.

    ``scale="log"`` searches (and forms Wald intervals) on the logarithm, for positive
    quantities that may span orders of magnitude. ``prior`` (for MCMC) is a dict as a
    constant's ``distribution:`` in YAML (``{"type": "normal", "mean": .., "sd": ..}``,
    ``lognormal``, ``triangular``, ``uniform``); the default is uniform on the bounds.
    Priors are always truncated to the bounds.
    """

    name: str
    low: float
    high: float
    initial: float | None = None
    prior: dict | None = None
    scale: str = "linear"
    units: str = ""
    where: Any = None
    # For LEVER@TIME: the scheduled lever and the index of the schedule point it sets.
    lever: str = ""
    point: int = -1

    def to_internal(self, value: np.ndarray | float) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        return np.log(value) if self.scale == "log" else value

    def from_internal(self, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.exp(x) if self.scale == "log" else x

    @property
    def internal_bounds(self) -> tuple[float, float]:
        return float(self.to_internal(self.low)), float(self.to_internal(self.high))

    def log_prior(self, value: np.ndarray) -> np.ndarray:
        """Log density of the prior (up to a constant), -inf outside the bounds."""
        from scipy import stats

        value = np.asarray(value, dtype=float)
        inside = (value >= self.low) & (value <= self.high)
        out = np.full(value.shape, -np.inf)
        prior = self.prior or {"type": "uniform"}
        kind = prior["type"]
        if kind == "uniform":
            density = np.zeros(value.shape)
        elif kind == "normal":
            density = stats.norm.logpdf(value, prior["mean"], prior["sd"])
        elif kind == "lognormal":
            with np.errstate(divide="ignore", invalid="ignore"):
                density = stats.norm.logpdf(np.log(np.maximum(value, 1e-300)), prior["mean"], prior["sd"]) - np.log(
                    np.maximum(value, 1e-300))
        else:  # triangular
            low, mode, high = prior["low"], prior["mode"], prior["high"]
            density = stats.triang.logpdf(value, (mode - low) / (high - low), loc=low, scale=high - low)
        out[inside] = density[inside]
        return out


def _parameter(name: str, spec: Any, where: Any = None) -> Parameter:
    from .data import _at, _number

    if isinstance(spec, Parameter):
        return spec
    if isinstance(spec, (list, tuple)) and len(spec) == 2:
        spec = {"low": spec[0], "high": spec[1]}
    if not isinstance(spec, Mapping):
        raise _fail(f"parameter `{name}`: expected [low, high] or a mapping with `low:` and `high:`", where)
    for key in spec:
        if key not in PARAMETER_KEYS:
            raise _fail(_unknown_key(key, PARAMETER_KEYS), _at(where, key))
    for key in ("low", "high"):
        if key not in spec:
            raise _fail(f"parameter `{name}` needs `{key}:` (calibration searches between bounds)", where)
    low = _number(spec["low"], "low", _at(where, "low"))
    high = _number(spec["high"], "high", _at(where, "high"))
    if not low < high:
        raise _fail(f"parameter `{name}`: expected low < high, found {low:g} and {high:g}", _at(where, "high"))
    initial = None if spec.get("initial") is None else _number(spec["initial"], "initial", _at(where, "initial"))
    if initial is not None and not low <= initial <= high:
        raise _fail(f"parameter `{name}`: the initial value {initial:g} lies outside [{low:g}, {high:g}]",
                    _at(where, "initial"))
    scale = str(spec.get("scale", "linear")).lower()
    if scale not in ("linear", "log"):
        raise _fail(f"parameter `{name}`: `scale:` is linear or log, not {spec['scale']!r}", _at(where, "scale"))
    if scale == "log" and low <= 0:
        raise _fail(f"parameter `{name}`: a log scale needs positive bounds (low is {low:g})", _at(where, "low"))
    prior = _prior(name, spec.get("prior"), _at(where, "prior"))
    return Parameter(name=name, low=low, high=high, initial=initial, prior=prior, scale=scale, where=where)


def _prior(name: str, spec: Any, where: Any) -> dict | None:
    from .data import _at, _number

    if spec is None:
        return None
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise _fail(f"parameter `{name}`: a prior is a mapping with `type:` ({', '.join(PRIOR_TYPES)})", where)
    kind = str(spec["type"]).lower()
    needs = {"uniform": (), "normal": ("mean", "sd"), "lognormal": ("mean", "sd"),
             "triangular": ("low", "mode", "high")}
    if kind not in needs:
        raise _fail(f"parameter `{name}`: unknown prior type `{spec['type']}`; expected one of: "
                    f"{', '.join(PRIOR_TYPES)}", _at(where, "type"))
    prior: dict[str, Any] = {"type": kind}
    for key in spec:
        if key != "type" and key not in needs[kind]:
            raise _fail(_unknown_key(key, ("type", *needs[kind])), _at(where, key))
    for key in needs[kind]:
        if key not in spec:
            raise _fail(f"parameter `{name}`: a {kind} prior needs `{key}:`", where)
        prior[key] = _number(spec[key], key, _at(where, key))
    if kind in ("normal", "lognormal") and prior["sd"] <= 0:
        raise _fail(f"parameter `{name}`: the prior's sd must be positive", _at(where, "sd"))
    if kind == "triangular" and not (prior["low"] <= prior["mode"] <= prior["high"] and prior["low"] < prior["high"]):
        raise _fail(f"parameter `{name}`: a triangular prior needs low <= mode <= high, low < high", where)
    return prior


def read_parameters(parameters: Any, section: Any = None, path: tuple = ()) -> list[Parameter]:
    """Parameters from a mapping name -> [low, high] or {low, high, initial, prior,
    scale}, or a list of :class:`Parameter`."""
    if isinstance(parameters, Mapping):
        items = list(parameters.items())
    elif isinstance(parameters, Sequence) and all(isinstance(p, Parameter) for p in parameters):
        items = [(p.name, p) for p in parameters]
    else:
        raise _fail("`parameters:` maps each constant to fit to [low, high] or {low, high, initial, prior, scale}",
                    (section, path) if section is not None else None)
    if not items:
        raise _fail("give at least one parameter to fit", (section, path) if section is not None else None)
    return [_parameter(str(name), spec, (section, (*path, str(name))) if section is not None else None)
            for name, spec in items]


def check_parameters(parameters: list[Parameter], model: Any) -> list[Parameter]:
    """Parameters matched to the model's constants: the names the model uses, the
    starting value (the model's value unless ``initial`` is given) and the units."""
    table = model.parameters
    known = {_h2sim.canonical_name(n): n for n in table.index}
    bases: dict[str, list[str]] = {}
    for n in table.index:
        bases.setdefault(_h2sim.canonical_name(n.split("[", 1)[0]), []).append(n)
    scheduled = {_h2sim.canonical_name(lever["name"]): lever for lever in model.levers}
    out, seen = [], set()
    for p in parameters:
        key = _h2sim.canonical_name(p.name.replace(" ", ""))
        if key in seen:
            raise _fail(f"parameter `{p.name}` is given twice", p.where)
        seen.add(key)
        base_key = _h2sim.canonical_name(p.name.split("[", 1)[0].strip())
        if "@" in p.name:
            out.append(_lever_point(p, scheduled, model))
            continue
        if key in known:
            name = known[key]
            value = float(table.loc[name, "value"])
        elif "[" not in p.name and base_key in bases:
            elements = bases[base_key]
            name = elements[0].split("[", 1)[0]
            values = table.loc[elements, "value"].to_numpy(dtype=float)
            if p.initial is None and not np.all(values == values[0]):
                raise _fail(f"parameter `{p.name}`: the elements of `{name}` differ ({len(values)} values); fitting "
                            "the name sets every element to one value, so give `initial:` (or fit one element, "
                            f"`{elements[0]}`)", p.where)
            value = float(values[0])
        elif base_key in scheduled:
            lever = scheduled[base_key]
            points = ", ".join(f"`{lever['name']}@{t:g}`" for t in lever["times"])
            raise _fail(f"parameter `{p.name}`: the scenario schedules `{lever['name']}` ({lever['kind']} at "
                        f"{', '.join(f'{t:g}' for t in lever['times'])}), so it is no longer a constant; fit the "
                        f"values of its schedule instead: {points}", p.where)
        else:
            from .data import _suggest

            raise _fail(f"parameter `{p.name}`: the model has no constant of this name{_suggest(p.name, known)}",
                        p.where)
        initial = p.initial if p.initial is not None else value
        if not p.low <= initial <= p.high:
            raise _fail(f"parameter `{p.name}`: the model's value {initial:g} lies outside [{p.low:g}, {p.high:g}]; "
                        "widen the bounds or give `initial:`", p.where)
        units = str(table.loc[known[key], "units"]) if key in known else str(table.loc[bases[base_key][0], "units"])
        out.append(Parameter(name=name, low=p.low, high=p.high, initial=initial, prior=p.prior, scale=p.scale,
                             units=units, where=p.where))
    return out


def _lever_point(p: Parameter, scheduled: dict, model: Any) -> Parameter:
    """LEVER@TIME: the value of a scheduled lever's schedule at one of its times (a step's
    value from then on, a linear schedule's point, a ramp's start or end value)."""
    name, _, when = p.name.partition("@")
    lever = scheduled.get(_h2sim.canonical_name(name.strip()))
    if lever is None:
        names = ", ".join(lv["name"] for lv in model.levers) or "none"
        raise _fail(f"parameter `{p.name}`: `{name.strip()}` is not a lever the scenario schedules (scheduled: "
                    f"{names}); NAME@TIME fits a value of a lever's schedule", p.where)
    try:
        time = float(when)
    except ValueError:
        raise _fail(f"parameter `{p.name}`: expected LEVER@TIME with TIME a number", p.where) from None
    times = list(lever["times"])
    matches = [i for i, t in enumerate(times) if abs(t - time) <= 1e-9 * max(1.0, abs(t))]
    if not matches:
        raise _fail(f"parameter `{p.name}`: the {lever['kind']} schedule of `{lever['name']}` has no point at "
                    f"{time:g}; its times: {', '.join(f'{t:g}' for t in times)}", p.where)
    index = matches[0]
    initial = p.initial if p.initial is not None else float(lever["values"][index])
    if not p.low <= initial <= p.high:
        raise _fail(f"parameter `{p.name}`: the schedule's value {initial:g} lies outside [{p.low:g}, {p.high:g}]; "
                    "widen the bounds or give `initial:`", p.where)
    units = str(model.variables.loc[lever["name"], "units"]) if lever["name"] in model.variables.index else ""
    return Parameter(name=f"{lever['name']}@{times[index]:g}", low=p.low, high=p.high, initial=initial,
                     prior=p.prior, scale=p.scale, units=units, where=p.where, lever=lever["name"], point=index)


class Schedule:
    """A lever schedule the calibration varies, in the scenario's own form: with new values
    for its points it is the lever setting that ``Model.run``, ``run_batch`` and
    ``with_params`` take (``{"step": {2016: v, ...}}``), expanded by the rule scenario files
    use, so that its own values reproduce the scenario's run bit for bit."""

    def __init__(self, lever: dict) -> None:
        self.name = lever["name"]
        self.kind = lever["kind"]
        self.times = [float(t) for t in lever["times"]]
        self.values = [float(v) for v in lever["values"]]

    def setting(self, values: list[float]) -> dict:
        if self.kind == "ramp":
            return {"ramp": {"start": self.times[0], "end": self.times[1], "from": values[0], "to": values[1]}}
        return {self.kind: dict(zip(self.times, values))}

    def yaml(self, values: list[float]) -> str:
        """The schedule with these values, as a scenario's lever entry (flow style)."""
        if self.kind == "ramp":
            return (f"ramp: {{start: {self.times[0]!r}, end: {self.times[1]!r}, from: {values[0]!r}, "
                    f"to: {values[1]!r}}}")
        points = ", ".join(f"{t!r}: {v!r}" for t, v in zip(self.times, values))
        return f"{self.kind}: {{{points}}}"


# --- evaluating candidates --------------------------------------------------------------------
class Evaluator:
    """Predictions of the observations for blocks of candidate parameter sets.

    ``predict(theta)`` takes an array (candidates, parameters) in the parameters' own
    units and returns (candidates, observations): one ``Model.run_batch`` call for the
    whole block (``batch=False``: one ``Model.run`` per candidate, the same numbers).
    Values of lever schedules (``LEVER@TIME``) go into the same call: each candidate's
    schedules are a column of per-run lever settings. A block in which some run fails (a
    value becomes infinite) is evaluated run by run; the failed candidates give NaN
    predictions.
    """

    def __init__(self, model: Any, parameters: list[Parameter], observations: Observations,
                 threads: int | None = None, batch: bool = True) -> None:
        self.model = model
        self.parameters = parameters
        self.names = [p.name for p in parameters]
        self.constants = [j for j, p in enumerate(parameters) if not p.lever]
        self.points = [j for j, p in enumerate(parameters) if p.lever]
        self.observations = observations
        self.threads = threads
        self.batch = batch
        self.batches = 0  # run_batch calls
        self.runs = 0  # simulations
        self.failed = 0  # candidates whose run failed
        self.columns = list(dict.fromkeys(r for s in observations for r in s.references))
        self.run_options = self._run_options()
        levers = {lever["name"]: lever for lever in model.levers}
        self.schedules = {name: Schedule(levers[name])
                          for name in dict.fromkeys(self.parameters[j].lever for j in self.points)}
        # One run at the starting values: checks that the model runs and gives the
        # saved times, from which every series' interpolation weights follow.
        start = np.array([[float(p.initial) for p in parameters]])
        frame = self.model.run(params=self.fitted_params(start[0]), return_columns=self.columns, **self.run_options)
        self.runs += 1
        self.times = frame.index.to_numpy(dtype=float)
        self._column_of = [[self.columns.index(r) for r in s.references] for s in observations]
        euler = (self.run_options.get("method") or model.time["method"]) == "euler"
        self._weights = [_observation_weights(self.times, s.times, s.mean_over, euler) for s in observations]
        bounds = np.cumsum([0] + [len(s) for s in observations])
        self.slices = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def _run_options(self) -> dict:
        t = self.model.time
        start, dt, save = t["start"], t["dt"], t["save_every"]
        latest = max(float(np.max(s.times)) for s in self.observations)
        on_grid = all(_on_grid(s.times, start, save) and (s.mean_over == 0 or _on_grid(s.times - s.mean_over, start,
                                                                                          save))
                      for s in self.observations)
        fixed_step = t["method"] in ("euler", "rk4")
        if not on_grid or any(s.mean_over > 0 for s in self.observations):
            save = dt if fixed_step else min(save, dt)
        # Runs stop at the first saved time at or after the last observation.
        steps = math.ceil((latest - start) / save - 1e-9)
        stop = min(t["stop"], start + steps * save)
        if stop <= start:
            stop = min(t["stop"], start + save)
        return {"stop": stop, "save_every": save}

    def _constants(self, row: np.ndarray) -> dict[str, float]:
        return {self.names[j]: float(row[j]) for j in self.constants}

    def lever_values(self, row: np.ndarray) -> dict[str, list[float]]:
        """Each fitted lever's schedule values for a candidate (for the fitted scenario)."""
        out = {}
        for name, schedule in self.schedules.items():
            values = list(schedule.values)
            for j in self.points:
                if self.parameters[j].lever == name:
                    values[self.parameters[j].point] = float(row[j])
            out[name] = values
        return out

    def fitted_params(self, row: np.ndarray) -> dict[str, Any]:
        """Model.run / with_params arguments for a candidate: constants and lever schedules."""
        params: dict[str, Any] = dict(self._constants(row))
        params.update({name: self.schedules[name].setting(values) for name, values in self.lever_values(row).items()})
        return params

    def predict(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        return self.observe(self._trajectories(theta))

    def observe(self, values: np.ndarray) -> np.ndarray:
        """Model values at the observations (candidates, observations) from trajectories
        (candidates, saved times, columns): each reference interpolated or averaged over
        its window, then the series' expression."""
        out = np.empty((len(values), self.observations.count))
        for s, sl, columns, w in zip(self.observations, self.slices, self._column_of, self._weights):
            out[:, sl] = s.combine([values[:, :, c] @ w.T for c in columns])
        return out

    def trajectory(self, frame: pd.DataFrame, series: Any) -> np.ndarray:
        """A series' model value over a run's saved times (its expression of the columns)."""
        index = next(i for i, s in enumerate(self.observations.series) if s is series)
        return series.combine([frame.iloc[:, c].to_numpy(dtype=float) for c in self._column_of[index]])

    def _trajectories(self, theta: np.ndarray) -> np.ndarray:
        if not self.batch:
            return np.stack([self._single(row) for row in theta])
        table = pd.DataFrame(theta[:, self.constants], columns=[self.names[j] for j in self.constants])
        if self.schedules:  # each candidate's schedules, as lever settings per run
            values = [self.lever_values(row) for row in theta]
            for name, schedule in self.schedules.items():
                table[name] = pd.Series([schedule.setting(v[name]) for v in values], dtype=object)
        try:
            self.batches += 1
            self.runs += len(theta)
            ds = self.model.run_batch(table, return_columns=self.columns, threads=self.threads, progress=False,
                                      **self.run_options)
        except SimulationError:
            return np.stack([self._single(row) for row in theta])
        return np.stack([_column(ds, name) for name in self.columns], axis=-1)

    def _single(self, row: np.ndarray) -> np.ndarray:
        self.runs += 1
        try:
            frame = self.model.run(params=self.fitted_params(row), return_columns=self.columns, **self.run_options)
        except SimulationError:
            self.failed += 1
            return np.full((len(self.times), len(self.columns)), np.nan)
        return frame.to_numpy(dtype=float)


def _column(ds: Any, name: str) -> np.ndarray:
    """(runs, times) of one requested output of a run_batch Dataset: a scalar variable,
    or one element (the Dataset lists elements asked for by name along ``element``)."""
    base = name.split("[", 1)[0]
    key = _h2sim.canonical_name(base)
    var = next(ds[v] for v in ds.data_vars if _h2sim.canonical_name(str(v)) == key)
    extra = [d for d in var.dims if d not in ("run", "time")]
    if not extra:
        return var.transpose("run", "time").to_numpy()
    if extra == ["element"]:
        labels = [_h2sim.canonical_name(str(e).replace(" ", "")) for e in var["element"].to_numpy()]
        return var.isel(element=labels.index(_h2sim.canonical_name(name.replace(" ", "")))).transpose(
            "run", "time").to_numpy()
    # Every element asked for one by one comes back with the variable's own dimensions.
    elements = [e.strip() for e in name.split("[", 1)[1].rstrip("]").split(",")]
    selection = {}
    for d, e in zip(extra, elements):
        labels = [_h2sim.canonical_name(str(v)) for v in var[d].to_numpy()]
        selection[d] = labels.index(_h2sim.canonical_name(e))
    return var.isel(selection).transpose("run", "time").to_numpy()


def _on_grid(times: np.ndarray, start: float, step: float) -> bool:
    k = (np.asarray(times) - start) / step
    return bool(np.all(np.abs(k - np.round(k)) <= 1e-7))


def _observation_weights(grid: np.ndarray, times: np.ndarray, mean_over: float, euler: bool) -> np.ndarray:
    """Rows of weights over the saved times that give each observation's model value:
    linear interpolation at the time, or the mean over [time - mean_over, time]. For
    Euler runs saved every dt the mean is the left Riemann sum, exactly what a stock
    accumulating the flow gains; otherwise the trapezoid rule on the saved times."""
    W = np.zeros((len(times), len(grid)))
    for i, t in enumerate(times):
        if mean_over <= 0:
            W[i] = _interpolation_row(grid, t)
            continue
        a, b = t - mean_over, t
        ia, ib = _grid_index(grid, a), _grid_index(grid, b)
        if euler and ia is not None and ib is not None:
            for k in range(ia, ib):
                W[i, k] = (grid[k + 1] - grid[k]) / mean_over
            continue
        # Trapezoid on the piecewise-linear interpolant over [a, b].
        points = np.concatenate([[a], grid[(grid > a) & (grid < b)], [b]])
        for left, right in zip(points[:-1], points[1:]):
            half = (right - left) / 2 / mean_over
            W[i] += half * (_interpolation_row(grid, left) + _interpolation_row(grid, right))
    return W


def _grid_index(grid: np.ndarray, t: float) -> int | None:
    k = int(np.argmin(np.abs(grid - t)))
    return k if abs(grid[k] - t) <= 1e-9 * max(1.0, abs(t)) else None


def _interpolation_row(grid: np.ndarray, t: float) -> np.ndarray:
    row = np.zeros(len(grid))
    k = _grid_index(grid, t)
    if k is not None:
        row[k] = 1.0
        return row
    j = int(np.searchsorted(grid, t))
    j = min(max(j, 1), len(grid) - 1)
    frac = (t - grid[j - 1]) / (grid[j] - grid[j - 1])
    row[j - 1], row[j] = 1 - frac, frac
    return row

