"""h2sim.explore: scenarios x policies x outcomes, in the EMA Workbench's shape.

    experiments, outcomes = h2sim.explore(model, scenarios=1000, policies=policies, seed=1)

runs every policy (a setting of levers) in every scenario (a draw of the uncertainties), on
the lanes, in chunks that are reduced to their outcomes as they finish, so that memory holds
the outcomes and not the trajectories. See docs/exploration.md.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time as _time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _h2sim
from ..errors import WriteError
from ..results import permissions_for, refuse_read_only
from ..trajectories import Trajectory, is_setting_object
from . import outcomes as _outcomes
from . import samplers as _samplers
from .executors import Plan, run_chunks
from .parameters import (Space, check_no_overlap, declared_levers, declared_space, settable_name,
                         trajectory_name)

OUTPUT_FORMATS = (".nc", ".zarr")
# The Dataset's dimension along the runs: `run`, as Model.run_batch names it, so that tools
# reading run_batch ensembles (h2sim report --ensemble) read explorations too.
RUN = "run"
# Zarr version 2 files: every Zarr reader opens them, text coordinates included (version 3 has
# no specified fixed-length text type yet).
_ZARR_FORMAT = {"zarr_format": 2}


class Exploration:
    """The result of :func:`explore`.

    Unpacks as the EMA Workbench's pair: ``experiments, outcomes = result``.

    - ``experiments``: DataFrame, one row per run: the uncertainties, the levers, then
      ``scenario`` (its number), ``policy`` (its name) and ``model``.
    - ``outcomes``: dict outcome name -> ndarray (runs,) (bool for targets); time series
      asked for are there too, as (runs, times) arrays.
    - ``dataset``: the same as an xarray Dataset along ``run`` (and ``time``).
    - ``outcome_info``: DataFrame of the outcomes: kind, description, units, goal.
    - ``uncertainties``, ``levers``, ``policies`` (DataFrame of the lever settings), ``times``.
    """

    def __init__(self, experiments: pd.DataFrame, outcomes: dict[str, np.ndarray], outcome_info: pd.DataFrame,
                 uncertainties: list[str], levers: list[str], policies: pd.DataFrame, times: np.ndarray | None,
                 attrs: dict, time_series_units: dict[str, str] | None = None, dataset=None) -> None:
        self.experiments = experiments
        self.outcomes = outcomes
        self.outcome_info = outcome_info
        self.uncertainties = uncertainties
        self.levers = levers
        self.policies = policies
        self.times = times
        self.attrs = attrs
        self._time_series_units = time_series_units or {}
        self._dataset = dataset

    def __iter__(self):
        yield self.experiments
        yield self.outcomes

    def __len__(self) -> int:
        return len(self.experiments)

    def __repr__(self) -> str:
        n_pol = self.experiments["policy"].nunique()
        return (f"<h2sim.Exploration of {self.attrs.get('model', '')!r}: {len(self)} runs = "
                f"{len(self) // max(n_pol, 1)} scenarios x {n_pol} policies, outcomes: {', '.join(self.scalar_names)}>")

    @property
    def scalar_names(self) -> list[str]:
        return [n for n, v in self.outcomes.items() if np.ndim(v) == 1]

    @property
    def targets(self) -> list[str]:
        """Outcomes that are True or False."""
        return [n for n in self.scalar_names if np.asarray(self.outcomes[n]).dtype == bool]

    def table(self) -> pd.DataFrame:
        """Experiments and scalar outcomes side by side."""
        frame = self.experiments.copy()
        for name in self.scalar_names:
            frame[name] = self.outcomes[name]
        return frame

    def for_policy(self, policy: str) -> "Exploration":
        """The runs of one policy."""
        mask = (self.experiments["policy"] == policy).to_numpy()
        if not mask.any():
            raise KeyError(f"no policy {policy!r}; policies: {', '.join(self.policies.index)}")
        return Exploration(self.experiments[mask].reset_index(drop=True),
                           {k: np.asarray(v)[mask] for k, v in self.outcomes.items()}, self.outcome_info,
                           self.uncertainties, self.levers, self.policies.loc[[policy]], self.times, self.attrs,
                           self._time_series_units)

    def summary(self, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Per policy and outcome: the quantiles of value outcomes, the share of runs in
        which each target is met."""
        rows = []
        for policy in self.policies.index:
            mask = (self.experiments["policy"] == policy).to_numpy()
            for name in self.scalar_names:
                values = np.asarray(self.outcomes[name])[mask]
                row = {"policy": policy, "outcome": name,
                       "units": self.outcome_info.loc[name, "units"] if name in self.outcome_info.index else ""}
                if values.dtype == bool:
                    row["share met"] = values.mean()
                else:
                    finite = values[np.isfinite(values)]
                    for q in quantiles:
                        row[f"q{q:g}"] = np.quantile(finite, q) if len(finite) else math.nan
                    row["not finite"] = int((~np.isfinite(values)).sum())
                rows.append(row)
        return pd.DataFrame(rows).set_index(["policy", "outcome"])

    @property
    def dataset(self):
        """An xarray Dataset: dimension ``run`` (and ``time`` for time series), one run per
        experiment; the uncertainties, levers, scenario and policy as coordinates along it."""
        if self._dataset is None:
            self._dataset = self._build_dataset(self.outcomes)
        return self._dataset

    def _build_dataset(self, outcomes: Mapping[str, np.ndarray], with_series: bool = True):
        import xarray as xr

        coords: dict[str, Any] = {RUN: np.arange(len(self.experiments))}
        for column in self.experiments.columns:
            values = self.experiments[column].to_numpy()
            if values.dtype == object:
                values = values.astype(str)
            coords[column] = (RUN, values)
        data = {}
        info = self.outcome_info
        for name, values in outcomes.items():
            values = np.asarray(values)
            if values.ndim == 1:
                attrs = {k: str(info.loc[name, k]) for k in ("kind", "description", "units", "goal")
                         if name in info.index and info.loc[name, k] is not None}
                data[name] = xr.DataArray(values, dims=[RUN], attrs=attrs)
            elif with_series:
                data[name] = xr.DataArray(values, dims=[RUN, "time"],
                                          attrs={"units": self._time_series_units.get(name, ""), "kind": "time series"})
        if self.times is not None and any(np.ndim(v) == 2 for v in outcomes.values()) and with_series:
            coords["time"] = self.times
        ds = xr.Dataset(data, coords=coords)
        ds.attrs.update({k: (json.dumps(v) if not isinstance(v, (str, int, float)) else v)
                         for k, v in self.attrs.items()})
        ds.attrs["uncertainties"] = json.dumps(self.uncertainties)
        ds.attrs["levers"] = json.dumps(self.levers)
        ds.attrs["policies"] = self.policies.to_json(orient="split")
        return ds

    def to_netcdf(self, path: str | os.PathLike) -> None:
        """Writes the Dataset (netCDF; ``.zarr`` for Zarr), through a temporary file renamed
        into place."""
        _write_dataset(self.dataset, os.fspath(path))


def open_exploration(path: str | os.PathLike) -> Exploration:
    """An Exploration written by :meth:`Exploration.to_netcdf`, ``explore(output=...)`` or
    ``h2sim explore -o``; time series stay on disk until used."""
    import xarray as xr

    path = os.fspath(path)
    ds = xr.open_zarr(path, consolidated=False) if path.rstrip("/").endswith(".zarr") else xr.open_dataset(path)
    return _from_dataset(ds)


def _from_dataset(ds) -> Exploration:
    uncertainties = json.loads(ds.attrs.get("uncertainties", "[]"))
    levers = json.loads(ds.attrs.get("levers", "[]"))
    columns = [*uncertainties, *levers, "scenario", "policy", "model"]
    experiments = pd.DataFrame({c: ds[c].to_numpy() for c in columns if c in ds.coords})
    for c in ("policy", "model"):
        if c in experiments:
            experiments[c] = experiments[c].astype(str)
    outcomes: dict[str, np.ndarray] = {}
    rows = []
    units = {}
    for name, var in ds.data_vars.items():
        if var.dims == (RUN,):
            outcomes[name] = var.to_numpy()
            rows.append({"name": name, **{k: var.attrs.get(k, "") for k in ("kind", "description", "units", "goal")}})
        else:  # a time series stays in the file until used (np.asarray(...) reads it)
            outcomes[name] = var
            units[name] = var.attrs.get("units", "")
    info = pd.DataFrame(rows, columns=["name", "kind", "description", "units", "goal"]).set_index("name")
    info["goal"] = info["goal"].replace("", None)
    policies = pd.read_json(__import__("io").StringIO(ds.attrs["policies"]), orient="split") \
        if "policies" in ds.attrs else pd.DataFrame()
    policies.index = policies.index.astype(str)
    policies.index.name = "policy"
    attrs = {k: v for k, v in ds.attrs.items() if k not in ("uncertainties", "levers", "policies")}
    times = ds["time"].to_numpy() if "time" in ds.coords else None
    return Exploration(experiments, outcomes, info, uncertainties, levers, policies, times, attrs, units, None)


# --- the call ------------------------------------------------------------------------------------
def explore(model, scenarios: int | pd.DataFrame | None = 100, policies: Any = None, outcomes: Any = None,
            sampler: str = "lhs", seed: Any = None, executor=None, *, uncertainties: Any = None,
            levers: Any = None, policy_sampler: str | None = None, time_series: Sequence[str] | None = None,
            output: str | os.PathLike | None = None, chunk_size: int | None = None, threads: int | None = None,
            worker_threads: int = 1, progress: bool | None = None, start: float | None = None,
            stop: float | None = None, dt: float | None = None, save_every: float | None = None,
            method: str | None = None) -> Exploration:
    """Runs every policy in every scenario and keeps the outcomes.

    - ``model``: an :class:`h2sim.Model` (or a path to a scenario file).
    - ``scenarios``: a number of scenarios to sample from the uncertainties, a DataFrame of
      them (columns: constants), or None/0 for the model's own values only.
    - ``policies``: None (the scenario as it is), a number to sample from the levers'
      declared ranges and options, ``"factorial"`` (every combination of the levers'
      options and three levels of each range), a DataFrame (one row per policy, the index
      names them), a mapping name -> {lever: value}, or a list of such mappings.
    - ``outcomes``: None (the scenario's ``outcomes:`` section), names, a mapping name ->
      specification, or :class:`Outcome` objects (docs/exploration.md).
    - ``sampler``: ``lhs`` (default), ``mc`` or ``sobol``; ``policy_sampler`` likewise for
      sampled policies (default: the same). ``seed`` makes the samples reproducible.
    - ``uncertainties``, ``levers``: override what the model declares (see
      :func:`h2sim.analysis.parameters.declared_space` and ``declared_levers``).
    - ``executor``: None (here, on ``threads`` threads), or any executor with ``submit``
      (concurrent.futures, ``dask.distributed.Client``); workers use ``worker_threads``.
    - ``time_series``: variables kept whole, as (runs, times) arrays; with ``output`` they
      stream to the file chunk by chunk instead of staying in memory.
    - ``output``: a ``.nc`` (netCDF) or ``.zarr`` file written with everything.
    - ``start``, ``stop``, ``dt``, ``save_every``, ``method``: time settings for every run.

    Returns an :class:`Exploration`; ``experiments, outcomes = explore(...)`` unpacks it.
    """
    # Over 100 lines with its docstring, which documents every argument in one place; the
    # body is one straight pipeline (declare, sample, chunk, run, reduce, collect).
    import h2sim

    model = h2sim.arguments.model(model)
    run_options = {"start": start, "stop": stop, "dt": dt, "save_every": save_every, "method": method}
    run_options = {k: v for k, v in run_options.items() if v is not None}
    if output is not None:
        output = os.fspath(output)
        if not output.rstrip("/").lower().endswith(OUTPUT_FORMATS):
            raise ValueError(f"output {output}: the name must end in {' or '.join(OUTPUT_FORMATS)}")
        try:  # before the runs, not after them
            refuse_read_only(output)
        except PermissionError as error:
            raise WriteError(f"cannot write {output}: {error.strerror}") from None
    scenario_rng, policy_rng = _samplers.streams(seed, 2)

    # what varies
    chosen_policies = _policy_table(model, policies, levers, policy_sampler or sampler, policy_rng)
    policy_table, lever_names = chosen_policies.numbers, chosen_policies.names
    driven = chosen_policies.trajectory_names
    forms = dict(chosen_policies.forms)  # how numbers set scheduled levers
    if isinstance(scenarios, pd.DataFrame):
        scenario_table = _given_scenarios(model, scenarios)
        space_names = list(scenario_table.columns)
        if isinstance(uncertainties, Space):
            forms.update({u.name: u.form for u in uncertainties.uncertainties if u.form and u.name in space_names})
    elif scenarios is None or (isinstance(scenarios, (int, np.integer)) and scenarios == 0):
        scenario_table = pd.DataFrame(index=pd.RangeIndex(1, name="scenario"))
        space_names = []
    elif isinstance(scenarios, (int, np.integer)) and not isinstance(scenarios, bool):
        space = declared_space(model, uncertainties)
        set_by_policies = {*lever_names, *driven}
        space = Space([u for u in space.uncertainties if u.name not in set_by_policies],
                      [g for g in space.groups if not set(g.members) & set_by_policies]) \
            if uncertainties is None else space
        if not len(space):
            raise ValueError(f"{model.name} declares no uncertainties that can vary per run: declare `range:` or "
                             "`distribution:` on constants, an `uncertainties:` section, or pass uncertainties=")
        h2sim.arguments.within_saved_values(int(scenarios) * max(len(space), 1), f"scenarios={int(scenarios)}")
        scenario_table = _samplers.sample_scenarios(space, int(scenarios), sampler, scenario_rng)
        space_names = space.names
        forms.update({u.name: u.form for u in space.uncertainties if u.form})
    else:
        raise ValueError("scenarios: give a number, a DataFrame of scenarios, or None")
    check_no_overlap(space_names, [*lever_names, *driven])
    chosen = _outcomes.resolve(model, outcomes, run_options.get("start"), run_options.get("stop"))
    series = [_series_name(model, s) for s in (time_series or [])]
    plan = Plan(chosen, series, run_options, forms)

    # the runs: every policy in every scenario (policy-major, as the EMA Workbench)
    n_scen, n_pol = len(scenario_table), len(policy_table)
    n = n_scen * n_pol
    names = [*space_names, *lever_names]
    h2sim.arguments.within_saved_values(n * (len(names) + len(driven) + 2), f"{n_scen} scenarios x {n_pol} policies")
    values = np.empty((n, len(names)))
    if space_names:
        values[:, : len(space_names)] = np.tile(scenario_table[space_names].to_numpy(dtype=float), (n_pol, 1))
    if lever_names:
        values[:, len(space_names):] = np.repeat(policy_table[lever_names].to_numpy(dtype=float), n_scen, axis=0)
    experiments = pd.DataFrame(values, columns=names)
    for name in driven:  # levers driven over time: the policy's trajectory, as text
        experiments[name] = np.repeat(chosen_policies.table[name].to_numpy(dtype=object), n_scen)
    experiments["scenario"] = np.tile(np.arange(n_scen), n_pol)
    experiments["policy"] = np.repeat(np.asarray(policy_table.index, dtype=str), n_scen)
    experiments["model"] = model.name

    info = pd.DataFrame([{"name": o.name, "kind": o.kind, "description": o.description or o.describe(),
                          "units": o.units, "goal": o.goal} for o in chosen]).set_index("name")
    attrs = {"model": model.name, "time_units": model.time.get("units", ""),
             "source_file": os.path.abspath(model.file) if model.file else "", "sampler": sampler if space_names else "", "seed": "" if seed is None else str(seed),
             "h2sim_version": _h2sim.__version__, "outcome_definitions": json.dumps(
                 {o.name: o.describe() for o in chosen})}
    result_outcomes = {o.name: np.empty(n, dtype=bool if o.is_target else float) for o in chosen}
    series_store = _SeriesStore(series, n, output)
    bar = _Progress(n, progress)
    times = None
    # policies that drive levers over time run with their trajectories set (with_params: the
    # same compiled program, or one variant compiled once where a constant the scenario does
    # not schedule is driven); the others share the model, so their runs go through one
    # sequence of chunks
    constants = [name for name in driven if not _scheduled(model, name)]
    base = model._variant(constants) if constants else model
    blocks = [(model, 0, n)] if not driven else [
        (base.with_params(chosen_policies.trajectories[p]) if chosen_policies.trajectories[p] else base,
         i * n_scen, (i + 1) * n_scen) for i, p in enumerate(policy_table.index)]
    try:
        for variant, first, last in blocks:
            for a, b, (reduced, chunk_series, chunk_times) in run_chunks(
                    variant, names, values[first:last], plan, executor=executor, chunk_size=chunk_size,
                    threads=threads, worker_threads=worker_threads, on_chunk=lambda a, b: bar.update(b - a)):
                a, b = a + first, b + first
                for name, array in reduced.items():
                    result_outcomes[name][a:b] = array
                times = chunk_times
                series_store.write(a, b, chunk_series, chunk_times)
    except BaseException:
        series_store.discard()
        raise
    finally:
        bar.close()
    units = {s: _units_of(model, s) for s in series}
    exploration = Exploration(experiments, result_outcomes, info, space_names, [*lever_names, *driven],
                              chosen_policies.table, times if series else None, attrs, units)
    if output is not None:
        series_store.finish(exploration)
        if series:
            reopened = open_exploration(output)
            exploration.outcomes.update({s: reopened.outcomes[s] for s in series})
    else:
        exploration.outcomes.update(series_store.in_memory())
    return exploration


def _given_scenarios(model, table: pd.DataFrame) -> pd.DataFrame:
    if len(table) == 0:
        raise ValueError("scenarios: the table has no rows")
    renamed = {}
    for column in table.columns:
        try:
            renamed[column] = settable_name(model, str(column))
        except ValueError as error:
            raise ValueError(f"scenarios: {error}") from None
    out = table.rename(columns=renamed).astype(float)
    out.index = pd.RangeIndex(len(out), name="scenario")
    return out


class _Policies:
    """The policies of a study: ``numbers`` (a row per policy, a column per lever set to a
    number, for the parameter table), ``trajectories`` (policy -> {lever: setting} for levers
    driven over time: a pandas Series, a schedule, h2sim.trajectories) and ``table`` (both,
    trajectories as text, for results). ``forms`` says how sampled numbers set scheduled
    levers (h2sim.trajectories.check_form)."""

    def __init__(self, numbers: pd.DataFrame, trajectories: dict[str, dict[str, Any]],
                 trajectory_names: list[str], model=None, forms: dict | None = None) -> None:
        self.numbers = numbers
        self.trajectories = trajectories
        self.trajectory_names = trajectory_names
        self.forms = dict(forms or {})
        table = numbers.copy()
        for name in trajectory_names:
            table[name] = [_trajectory_text(model, name, trajectories[p].get(name)) for p in numbers.index]
        table.index.name = "policy"
        self.table = table

    @property
    def names(self) -> list[str]:
        return list(self.numbers.columns)


def _trajectory_text(model, name: str, setting: Any) -> str:
    """'step 2015: 0.104, 2023: 1': the points where the trajectory takes a new value."""
    if setting is None:
        return "as scheduled"
    value = model._settings({name: setting})[name] if model is not None else setting
    if isinstance(value, Trajectory):
        return value.describe()
    return f"{float(value):.4g}"


def _policy_table(model, policies: Any, levers: Any, sampler: str, rng) -> _Policies:
    """One row per policy (index: its name), one column per lever it sets."""
    if policies is None or (isinstance(policies, (int, np.integer)) and not isinstance(policies, bool)
                            and policies == 0):
        return _Policies(pd.DataFrame(index=pd.Index(["base"], name="policy")), {"base": {}}, [], model)
    if isinstance(policies, str) and policies != "factorial":
        raise ValueError(f"policies: unknown {policies!r}; give a number, 'factorial', a table or a mapping")
    forms: dict[str, tuple] = {}
    if isinstance(policies, str) or (isinstance(policies, (int, np.integer)) and not isinstance(policies, bool)):
        chosen = declared_levers(model, levers)
        if levers is None:  # the declared levers that say which values they take
            chosen = [lever for lever in chosen if lever.has_domain]
            if not chosen:
                raise ValueError(f"{model.name} declares no levers with values to sample: declare "
                                 "`lever: {range: [low, high]}` or `lever: {options: [...]}`, pass levers=, "
                                 "or give the policies explicitly")
        table = _samplers.factorial(chosen) if isinstance(policies, str) else \
            _samplers.sample_policies(chosen, int(policies), sampler, rng)
        forms = {lever.name: lever.form for lever in chosen if lever.form}
    elif isinstance(policies, pd.DataFrame):
        table = policies.copy()
    elif isinstance(policies, Mapping):
        table = _object_table({str(k): dict(v) for k, v in policies.items()})
    elif isinstance(policies, Sequence):
        table = _object_table({f"policy {i}": dict(p) for i, p in enumerate(policies)})
    else:
        raise ValueError("policies: give None, a number, 'factorial', a DataFrame or a mapping name -> levers")
    if len(table) == 0:
        raise ValueError("policies: no policies given")
    table.index = [str(i) for i in table.index]
    if len(set(table.index)) != len(table):
        raise ValueError("policies: two policies have the same name")
    def unset(v: Any) -> bool:
        return v is None or (isinstance(v, float) and np.isnan(v))

    # Levers driven over time: any cell a trajectory or a schedule, or a scheduled lever that
    # some policy leaves as scheduled.
    driven = [c for c in table.columns if table[c].map(is_setting_object).any()
              or (table[c].map(unset).any() and _scheduled(model, str(c)))]
    renamed = {}
    for column in table.columns:
        try:
            renamed[column] = (trajectory_name if column in driven else settable_name)(model, str(column))
        except ValueError as error:
            raise ValueError(f"policies: {error}") from None
    table = table.rename(columns=renamed)
    driven = [renamed[c] for c in driven]
    trajectories: dict[str, dict[str, pd.Series]] = {p: {} for p in table.index}
    for column in driven:
        for policy, value in table[column].items():
            if is_setting_object(value):
                trajectories[policy][column] = value
            elif not unset(value):
                try:  # a number among trajectories: that value all the time
                    trajectories[policy][column] = float(value)
                except (TypeError, ValueError):
                    raise ValueError(f"policies: `{column}` of {policy}: expected a number, a pandas Series "
                                     "indexed by time or a schedule") from None
            try:  # checked here, before anything runs
                if column in trajectories[policy]:
                    model._settings({column: trajectories[policy][column]})
            except (ValueError, _h2sim_error()) as error:
                raise ValueError(f"policies: {policy}: {error}") from None
    numbers = table.drop(columns=driven)
    # a policy that leaves a lever unset keeps the scenario's value for it
    parameters = model.parameters
    for column in numbers.columns:
        if numbers[column].isna().any():
            default = parameters.loc[column, "value"] if column in parameters.index else \
                parameters[[p.split("[", 1)[0] == column for p in parameters.index]]["value"].iloc[0]
            numbers[column] = numbers[column].fillna(float(default))
    try:
        numbers = numbers.astype(float)
    except (TypeError, ValueError):
        raise ValueError("policies: lever values must be numbers, or pandas Series indexed by time") from None
    numbers.index.name = "policy"
    return _Policies(numbers, trajectories, driven, model, {k: v for k, v in forms.items() if k in numbers})


def _h2sim_error():
    from ..errors import Error

    return Error


def _scheduled(model, name: str) -> bool:
    try:
        return bool(model._targets(name)[1])
    except Exception:
        return False


def _object_table(rows: dict[str, dict]) -> pd.DataFrame:
    """A table of policies whose cells may hold Series (pandas would unpack them)."""
    columns: list[str] = []
    for settings in rows.values():
        columns += [str(k) for k in settings if str(k) not in columns]
    table = pd.DataFrame(index=list(rows), columns=columns, dtype=object)
    for policy, settings in rows.items():
        for key, value in settings.items():
            table.at[policy, str(key)] = value
    return table


def _series_name(model, text: str) -> str:
    outcome = _outcomes.resolve(model, {"_": {"variable": text}})
    return outcome[0].variable


def _units_of(model, column: str) -> str:
    base = column.split("[", 1)[0]
    variables = model.variables
    return str(variables.loc[base, "units"] or "") if base in variables.index else ""


class _SeriesStore:
    """Time series kept in memory, or streamed chunk by chunk into the output file."""

    def __init__(self, names: list[str], n: int, output: str | None) -> None:
        self.names = names
        self.n = n
        self.output = output
        self.temp: str | None = None
        self.memory: dict[str, np.ndarray] = {}
        self.handle = None

    def write(self, a: int, b: int, series: Mapping[str, np.ndarray], times: np.ndarray) -> None:
        if not self.names:
            return
        if self.output is None:
            for name in self.names:
                if name not in self.memory:
                    self.memory[name] = np.empty((self.n, len(times)))
                self.memory[name][a:b] = series[name]
            return
        if self.handle is None:
            self._open(times)
        if self.output.rstrip("/").endswith(".zarr"):
            import xarray as xr

            chunk = xr.Dataset({name: ((RUN, "time"), series[name]) for name in self.names},
                               coords={"time": times})
            chunk.to_zarr(self.temp, region={RUN: slice(a, b), "time": slice(0, len(times))},
                          mode="r+", consolidated=False)  # format: as created
        else:
            for name in self.names:
                self.handle.variables[name][a:b, :] = series[name]

    def _open(self, times: np.ndarray) -> None:
        refuse_read_only(self.output)
        folder = os.path.dirname(os.path.abspath(self.output))
        base = os.path.basename(self.output.rstrip("/"))
        if self.output.rstrip("/").endswith(".zarr"):
            import dask.array as da
            import xarray as xr

            self.temp = tempfile.mkdtemp(prefix=f".{base}.", suffix=".part", dir=folder)
            chunk = max(1, min(self.n, 4096))
            template = xr.Dataset({name: ((RUN, "time"),
                                          da.zeros((self.n, len(times)), chunks=(chunk, len(times))))
                                   for name in self.names}, coords={"time": times})
            template.to_zarr(self.temp, compute=False, mode="w", consolidated=False, **_ZARR_FORMAT)
            self.handle = True
        else:
            import netCDF4

            fd, self.temp = tempfile.mkstemp(prefix=f".{base}.", suffix=".part", dir=folder)
            os.close(fd)
            self.handle = netCDF4.Dataset(self.temp, "w", format="NETCDF4")
            self.handle.createDimension(RUN, self.n)
            self.handle.createDimension("time", len(times))
            self.handle.createVariable("time", "f8", ("time",))[:] = times
            for name in self.names:
                self.handle.createVariable(name, "f8", (RUN, "time"),
                                           chunksizes=(min(self.n, 1024), len(times)))

    def in_memory(self) -> dict[str, np.ndarray]:
        return self.memory

    def finish(self, exploration: Exploration) -> None:
        """Writes the experiments and scalar outcomes beside the streamed series and moves
        the file into place."""
        scalars = {k: v for k, v in exploration.outcomes.items() if np.ndim(v) == 1}
        ds = exploration._build_dataset(scalars, with_series=False)
        try:
            if self.temp is None:  # no series: write it all at once
                _write_dataset(ds, self.output)
                return
            if self.output.rstrip("/").endswith(".zarr"):
                ds.to_zarr(self.temp, mode="a", consolidated=False)
                import zarr

                group = zarr.open_group(self.temp, mode="r+")
                for name in self.names:
                    group[name].attrs.update({"units": exploration._time_series_units.get(name, ""),
                                              "kind": "time series"})
                _replace(self.temp, self.output)
            else:
                self.handle.close()
                self.handle = None
                ds.to_netcdf(self.temp, mode="a", engine="netcdf4")
                import netCDF4

                with netCDF4.Dataset(self.temp, "a") as handle:
                    for name in self.names:
                        handle.variables[name].setncattr("units", exploration._time_series_units.get(name, ""))
                        handle.variables[name].setncattr("kind", "time series")
                _replace(self.temp, self.output)
            self.temp = None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self.handle is not None and self.handle is not True:
            try:
                self.handle.close()
            except Exception:  # noqa: BLE001 - already failing; remove what we can
                pass
        self.handle = None
        if self.temp and os.path.exists(self.temp):
            import shutil

            if os.path.isdir(self.temp):
                shutil.rmtree(self.temp, ignore_errors=True)
            else:
                os.remove(self.temp)
        self.temp = None


def _write_dataset(ds, path: str) -> None:
    refuse_read_only(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path.rstrip("/"))
    if path.rstrip("/").endswith(".zarr"):
        temp = tempfile.mkdtemp(prefix=f".{base}.", suffix=".part", dir=folder)
        try:
            ds.to_zarr(temp, mode="w", consolidated=False, **_ZARR_FORMAT)
            _replace(temp, path)
        except BaseException:
            import shutil

            shutil.rmtree(temp, ignore_errors=True)
            raise
        return
    fd, temp = tempfile.mkstemp(prefix=f".{base}.", suffix=".part", dir=folder)
    os.close(fd)
    try:
        ds.to_netcdf(temp)
        _replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def _replace(temp: str, path: str) -> None:
    """Moves a finished file (or Zarr folder) into place."""
    import shutil

    if os.path.isdir(path) and os.path.isdir(temp):
        shutil.rmtree(path)
    os.chmod(temp, permissions_for(path, 0o666 if os.path.isfile(temp) else 0o777))
    os.replace(temp, path)


class _Progress:
    """A tqdm bar over runs, shown when the work takes more than a second (or always with
    progress=True, never with False)."""

    def __init__(self, total: int, show: bool | None) -> None:
        self.total = total
        self.show = show
        self.done = 0
        self.started = _time.monotonic()
        self.bar = None

    def update(self, count: int) -> None:
        self.done += count
        if self.show is False:
            return
        if self.bar is None:
            if self.show is None and _time.monotonic() - self.started < 1.0:
                return
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self.show = False
                return
            self.bar = tqdm(total=self.total, initial=self.done, unit="run", desc="h2sim explore")
        else:
            self.bar.update(self.done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
