"""An interactive explorer for notebooks: move a lever, see the future change.

    import h2sim
    explorer = h2sim.explore_widget("scenarios/zhejiang/baseline.yaml",
                                    outputs=["fcev_fleet_total", "stations_operating_total"])
    explorer                    # in Jupyter: sliders, schedule editors and charts

One control per lever (the constants a model declares with ``lever: true``, or the ones
named in ``levers=``): a slider for a constant, a schedule editor (a time and a value per
point) for a lever the scenario schedules. Every change reruns the model and redraws the
charts of the chosen outputs, with the scenario as it was loaded as a grey ghost line and
the plan targets (``targets:``) as stars. The save button writes the current settings as a
scenario file that ``extends:`` the original.

The explorer only uses the public API (``Model.run`` with ``params=``); the numbers in its
charts are the numbers ``model.run(params=explorer.params())`` gives. Needs ipywidgets and
plotly (with anywidget, which plotly's FigureWidget uses).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import time as _time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .model import Model, load
from .results import write_atomically
from .targets import Target, read_targets

_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
            "#bcbd22", "#7f7f7f"]


def _widgets():
    try:
        import ipywidgets
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
    except ImportError as error:  # pragma: no cover - bootstrap installs both
        raise ImportError("h2sim.explore_widget needs ipywidgets and plotly "
                          "(pip install ipywidgets plotly anywidget)") from error
    return ipywidgets, go, make_subplots


# --- the levers ---------------------------------------------------------------------------------
class Lever:
    """What the explorer knows about one lever: its name, label, units, the range its
    controls span (and whether that range was declared or assumed), and its setting in
    the scenario as loaded: a number, or a schedule (kind, times, values)."""

    def __init__(self, name: str, label: str, units: str, description: str, low: float, high: float,
                 range_basis: str, value: float | None = None, kind: str = "constant",
                 times: Sequence[float] = (), values: Sequence[float] = (), before: float | None = None) -> None:
        self.name, self.label, self.units, self.description = name, label, units, description
        self.low, self.high, self.range_basis = low, high, range_basis
        self.value, self.kind = value, kind
        self.times, self.values = list(times), list(values)
        self.before = before  # a step schedule's value before its first time

    @property
    def scheduled(self) -> bool:
        return self.kind in ("step", "linear", "ramp")

    def __repr__(self) -> str:
        setting = f"{self.kind} {dict(zip(self.times, self.values))}" if self.scheduled else f"{self.value:g}"
        return f"<Lever {self.name} [{self.units}] {setting}, range {self.low:g} to {self.high:g} ({self.range_basis})>"


def model_levers(model: Model, names: Sequence[str] | Mapping[str, Any] | None = None) -> list[Lever]:
    """The levers of a model as the explorer shows them.

    ``names``: the constants to offer (default: every constant declared ``lever: true`` and
    every constant the scenario schedules), or a mapping name -> (low, high) that also sets
    the ranges. Without a given range a lever spans its declared ``range:`` or
    distribution; without one, an assumed range around its value (shown as such).
    """
    variables = model.variables
    parameters = model.parameters
    scheduled = {_canon(lv["name"]): lv for lv in model.levers}
    given: dict[str, Any] = {}
    if names is None:
        chosen = [n for n, row in variables.iterrows()
                  if row["lever"] and (row["kind"] == "constant" or _canon(n) in scheduled)]
        chosen += [lv["name"] for lv in model.levers if lv["name"] not in chosen]
    elif isinstance(names, Mapping):
        chosen, given = list(names), dict(names)
    else:
        chosen = list(names)
    by_canon = {_canon(n): n for n in variables.index}
    t = model.time
    out = []
    for requested in chosen:
        name = by_canon.get(_canon(requested))
        if name is None:
            raise KeyError(f"{requested!r} is not a variable of {model.name}")
        row = variables.loc[name]
        sched = scheduled.get(_canon(name))
        if sched is None and row["kind"] != "constant":
            raise ValueError(f"{name!r} is computed by an equation; only constants are levers")
        if sched is None and row["dimensions"]:
            raise ValueError(f"{name!r} is arrayed; give its elements as levers, e.g. {name}[...]")
        label = model.label(name)
        if sched is not None and sched["kind"] != "constant":
            values = [float(v) for v in sched["values"]]
            kind, times = sched["kind"], [float(x) for x in sched["times"]]
            before = _value_before(model, name, times[0]) if kind == "step" else None
            current = values + ([before] if before is not None else [])
        else:
            value = float(sched["values"][0]) if sched is not None else float(parameters.loc[name, "value"])
            kind, times, values, before, current = "constant", [], [], None, [value]
        low, high, basis = _range(row, current, t, given.get(requested))
        out.append(Lever(name, label, row["units"], row["description"], low, high, basis,
                         value=None if kind != "constant" else current[0], kind=kind, times=times,
                         values=values, before=before))
    return out


def _value_before(model: Model, name: str, first: float) -> float | None:
    """The value a step schedule holds before its first time: the model's own value, read
    from a run at the start time (only when the schedule starts after it)."""
    start = model.time["start"]
    if first <= start:
        return None
    frame = model.run(return_columns=[name], start=start, stop=start + model.time["dt"],
                      save_every=model.time["dt"])
    return float(frame[name].iloc[0])


def _range(row: pd.Series, values: Sequence[float], t: Mapping[str, Any], given: Any) -> tuple[float, float, str]:
    if given is not None:
        low, high = (float(x) for x in given)
        if not high > low:
            raise ValueError(f"the range of {row.name!r} must have low < high, got {given!r}")
        return low, high, "given"
    u = row["uncertainty"]
    lo_v, hi_v = min(values), max(values)
    if u:
        if u["type"] in ("uniform", "triangular") or u["high"] > u["low"]:
            low, high = float(u["low"]), float(u["high"])
        else:  # normal or lognormal without bounds: three standard deviations
            low, high = float(u["mean"] - 3 * u["sd"]), float(u["mean"] + 3 * u["sd"])
            if u["type"] == "lognormal":
                low, high = math.exp(low), math.exp(high)
        return min(low, lo_v), max(high, hi_v), "declared range"
    if row["units"] and t.get("units") and row["units"].strip().lower() in (t["units"].lower(), t["units"].lower() + "s"):
        return float(t["start"]), float(t["stop"]), "assumed: the run's time span"
    # No range declared: an assumed one, flagged in the control. Shares span [0, 1];
    # other dimensionless levers up to twice their largest value (at least 1), levers with
    # units up to twice their largest value, or 0-100 when they are 0 everywhere.
    low = 0.0 if lo_v >= 0 else 2 * lo_v
    dimensionless = (row["units"] or "").strip().lower() in ("dimensionless", "1", "")
    if dimensionless:
        share = lo_v >= 0 and hi_v <= 1 and any(w in str(row.name).lower() for w in ("share", "fraction"))
        high = 1.0 if share else max(1.0, 2 * hi_v)
    else:
        high = 2 * hi_v if hi_v > 0 else 100.0
    return low, high, "assumed: no range declared"


def _canon(name: str) -> str:
    from . import _h2sim

    base, bracket, rest = name.partition("[")
    return _h2sim.canonical_name(base.strip()) + (bracket + rest.replace(" ", "").lower() if bracket else "")


def schedule_setting(lever: Lever, times: Sequence[float], values: Sequence[float]) -> dict:
    """A lever schedule with these points as the setting ``Model.run(params=...)`` takes: the
    scenario file's own form (``{"step": {2016: 1, 2022: 0.5}}``), which a run expands by
    the rule the file would, so the charts equal the saved scenario bit for bit."""
    times = [float(x) for x in times]
    values = [float(v) for v in values]
    if lever.kind == "ramp":
        return {"ramp": {"start": times[0], "end": times[1], "from": values[0], "to": values[1]}}
    return {lever.kind: dict(zip(times, values))}


# --- the explorer -------------------------------------------------------------------------------
def explore_widget(model_or_scenario: Model | str | os.PathLike, levers: Sequence[str] | Mapping[str, Any] | None = None,
                   outputs: Sequence[str] | None = None, targets: Sequence[Target | Mapping] | None = None,
                   continuous_update: bool = True) -> "Explorer":
    """An interactive explorer of a model or scenario file (see :mod:`h2sim.widget`).

    - ``levers``: the constants to control (default: every lever the model declares and
      every constant the scenario schedules); a mapping name -> (low, high) sets ranges.
    - ``outputs``: variables to chart (default: the targets' variables, then the
      scenario's outputs, four in all); an arrayed variable draws a line per element.
    - ``targets``: targets besides the files' ``targets:`` (Target objects or dicts).
    - ``continuous_update``: redraw while a slider moves (True) or when it is let go.

    Returns an :class:`Explorer`, an ipywidgets box: display it in a notebook.
    """
    model = model_or_scenario if isinstance(model_or_scenario, Model) else load(model_or_scenario)
    return Explorer(model, levers=levers, outputs=outputs, targets=targets, continuous_update=continuous_update)


def _explorer_base():
    ipywidgets, _, _ = _widgets()
    return ipywidgets.VBox


class Explorer(_explorer_base()):  # type: ignore[misc]
    """Sliders and schedule editors for a model's levers, charts that follow them, and a
    button that saves the settings as a scenario. Attributes:

    - ``model``: the Model as loaded; ``baseline``: its run (the ghost lines);
      ``result``: the run with the current settings;
    - ``levers``: the :class:`Lever` list; ``controls``: lever name -> its value widgets
      (a slider for a constant; for a schedule, a list of (time box, value slider) pairs);
    - ``figure``: the plotly FigureWidget; ``columns``: the result columns it draws;
    - ``redraw_seconds``: how long each redraw took (run and chart update).
    """

    def __init__(self, model: Model, levers=None, outputs=None, targets=None, continuous_update: bool = True) -> None:
        ipywidgets, go, make_subplots = _widgets()
        self.model = model
        self.levers = model_levers(model, levers)
        self.targets = read_targets(model, targets)
        self.outputs = list(outputs) if outputs is not None else self._default_outputs()
        self.baseline = model.run(return_columns=self.outputs or None)
        self.columns = list(self.baseline.columns)
        self.result = self.baseline
        self.redraw_seconds: list[float] = []
        self._holding = False

        self.controls: dict[str, Any] = {}
        rows = [self._control(lever, ipywidgets, continuous_update) for lever in self.levers]
        self.figure = self._make_figure(go, make_subplots)
        self.status = ipywidgets.HTML()
        self.path = ipywidgets.Text(value=f"{_slug(model.name)}_explored.yaml", description="save as",
                                    layout=ipywidgets.Layout(width="420px"))
        self.save_button = ipywidgets.Button(description="Save as scenario", icon="save",
                                             tooltip="write the current settings as a scenario that extends "
                                                     "the original")
        self.reset_button = ipywidgets.Button(description="Reset", icon="undo",
                                              tooltip="back to the scenario as loaded")
        self.save_button.on_click(lambda _: self._save_clicked())
        self.reset_button.on_click(lambda _: self.reset())
        panel = ipywidgets.VBox(rows, layout=ipywidgets.Layout(width="400px", overflow="auto",
                                                              max_height="720px"))
        title = ipywidgets.HTML(f"<b>{_escape(model.name)}</b>"
                                + (f": {_escape(model.description)}" if model.description else ""))
        super().__init__([title, ipywidgets.HBox([panel, self.figure]), self.status,
                          ipywidgets.HBox([self.path, self.save_button, self.reset_button])])
        self._show_status()

    # --- what is set now ------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """The current settings as ``Model.run``'s ``params``: every lever, a number for a
        constant, a schedule in the scenario file's form for a schedule."""
        out: dict[str, Any] = {}
        for lever in self.levers:
            control = self.controls[lever.name]
            if lever.scheduled:
                times, values = self._points(lever)
                out[lever.name] = schedule_setting(lever, times, values)
            else:
                out[lever.name] = float(control.value)
        return out

    def changed(self) -> dict[str, Any]:
        """The levers whose setting differs from the scenario as loaded, with their
        settings: a number, or (times, values) for a schedule."""
        out: dict[str, Any] = {}
        for lever in self.levers:
            if lever.scheduled:
                times, values = self._points(lever)
                if times != lever.times or values != lever.values:
                    out[lever.name] = (times, values)
            elif float(self.controls[lever.name].value) != lever.value:
                out[lever.name] = float(self.controls[lever.name].value)
        return out

    def set(self, name: str, value: Any) -> None:
        """Sets a lever as a user would and redraws: a number for a constant; for a
        schedule, a list of values (one per point) or a mapping time -> value."""
        lever = self._lever(name)
        control = self.controls[lever.name]
        if not lever.scheduled:
            _widen(control, float(value))
            control.value = float(value)
            return
        if isinstance(value, Mapping):
            items = sorted((float(t), float(v)) for t, v in value.items())
            if len(items) != len(control):
                raise ValueError(f"{lever.name} has {len(control)} points; give as many")
            with self.hold():
                for (time_box, slider), (t, v) in zip(control, items):
                    _widen(slider, v)
                    time_box.max, time_box.min = max(time_box.max, t), min(time_box.min, t)
                    time_box.value, slider.value = t, v
        else:
            values = list(value)
            if len(values) != len(control):
                raise ValueError(f"{lever.name} has {len(control)} points; give as many values")
            with self.hold():
                for (_, slider), v in zip(control, values):
                    _widen(slider, float(v))
                    slider.value = float(v)

    def reset(self) -> None:
        """Every lever back to the scenario as loaded."""
        with self.hold():
            for lever in self.levers:
                control = self.controls[lever.name]
                if lever.scheduled:
                    for (time_box, slider), t, v in zip(control, lever.times, lever.values):
                        time_box.value, slider.value = t, v
                else:
                    control.value = lever.value

    class _Hold:
        def __init__(self, explorer: "Explorer") -> None:
            self.explorer = explorer

        def __enter__(self):
            self.outer = self.explorer._holding
            self.explorer._holding = True
            return self

        def __exit__(self, *exc):
            self.explorer._holding = self.outer
            if not self.outer and exc[0] is None:
                self.explorer.redraw()
            return False

    def hold(self) -> "_Hold":
        """``with explorer.hold(): ...`` changes several controls and redraws once."""
        return Explorer._Hold(self)

    # --- running and drawing --------------------------------------------------------------------
    def redraw(self) -> None:
        """Reruns the model with the current settings and updates the charts."""
        if self._holding:
            return
        started = _time.perf_counter()
        problem = self._check_schedules()
        if problem:
            self._show_status(problem)
            return
        try:
            result = self.model.run(params=self.params(), return_columns=self.outputs or None)
        except Exception as error:  # noqa: BLE001 - shown to the user; the charts keep the last run
            self._show_status(f"this setting does not run: {error}")
            return
        self.result = result
        with self.figure.batch_update():
            for index, column in self._current_traces:
                self.figure.data[index].y = result[column].to_numpy()
        self.redraw_seconds.append(_time.perf_counter() - started)
        self._show_status()

    def save(self, path: str | os.PathLike | None = None, name: str | None = None,
             description: str | None = None) -> str:
        """Writes the current settings as a scenario file that ``extends:`` the original:
        the levers that differ from it, nothing else. Returns the path. The file is written
        atomically (a failed write leaves no file) and loads with ``h2sim.load``."""
        path = os.fspath(path if path is not None else self.path.value)
        if not self.model.file or not os.path.exists(self.model.file):
            raise ValueError("the model was not loaded from a file, so there is nothing to extend")
        text = scenario_yaml(self.model, self.levers, self.changed(), path, name=name, description=description)
        write_atomically(path, text)
        return path

    # --- building -------------------------------------------------------------------------------
    def _default_outputs(self) -> list[str]:
        chosen: list[str] = []
        for target in self.targets:
            if target.variable not in chosen:
                chosen.append(target.variable)
        arrayed = {n for n, d in zip(self.model.variables.index, self.model.variables["dimensions"]) if d}
        for name in self.model.outputs or list(self.model.variables.index):
            if len(chosen) >= 4:
                break
            if name not in chosen and name.split("[", 1)[0] not in arrayed:
                chosen.append(name)
        return chosen[:max(4, len(self.targets))]

    def _lever(self, name: str) -> Lever:
        for lever in self.levers:
            if _canon(lever.name) == _canon(name):
                return lever
        raise KeyError(f"{name!r} is not a lever of this explorer; levers: {', '.join(lv.name for lv in self.levers)}")

    def _control(self, lever: Lever, ipywidgets, continuous_update: bool):
        units = f" <span style='color:#666'>[{_escape(lever.units)}]</span>" if lever.units else ""
        basis = "" if lever.range_basis == "declared range" else f" <i style='color:#999'>({lever.range_basis})</i>"
        head = ipywidgets.HTML(f"<b>{_escape(lever.label)}</b>{units}"
                               + (f"<br><small style='color:#666'>{_escape(lever.description)}</small>"
                                  if lever.description else "")
                               + f"<br><small>{lever.low:g} to {lever.high:g}{basis}</small>")
        step = _nice_step(lever.high - lever.low)

        def slider(value: float, description: str = ""):
            widget = ipywidgets.FloatSlider(value=value, min=lever.low, max=lever.high, step=step,
                                            description=description, readout_format=".4g",
                                            continuous_update=continuous_update,
                                            layout=ipywidgets.Layout(width="370px"))
            widget.observe(lambda _: self.redraw(), names="value")
            return widget

        if not lever.scheduled:
            control = slider(lever.value)
            self.controls[lever.name] = control
            return ipywidgets.VBox([head, control])
        t = self.model.time
        points = []
        rows = []
        for x, v in zip(lever.times, lever.values):
            time_box = ipywidgets.BoundedFloatText(value=x, min=min(t["start"], x), max=max(t["stop"], x), step=0.25,
                                                   layout=ipywidgets.Layout(width="90px"))
            time_box.observe(lambda _: self.redraw(), names="value")
            value = slider(v)
            value.layout.width = "270px"
            points.append((time_box, value))
            rows.append(ipywidgets.HBox([time_box, value]))
        self.controls[lever.name] = points
        kind = {"step": "steps at these times", "linear": "linear between these points",
                "ramp": "ramp from the first point to the second"}[lever.kind]
        return ipywidgets.VBox([head, ipywidgets.HTML(f"<small>schedule: {kind}</small>"), *rows])

    def _points(self, lever: Lever) -> tuple[list[float], list[float]]:
        control = self.controls[lever.name]
        return [float(tb.value) for tb, _ in control], [float(s.value) for _, s in control]

    def _check_schedules(self) -> str:
        for lever in self.levers:
            if lever.scheduled:
                times, _ = self._points(lever)
                if any(b <= a for a, b in zip(times, times[1:])):
                    return f"{_escape(lever.label)}: the times of a schedule must increase"
        return ""

    def _make_figure(self, go, make_subplots):
        panels = self.outputs
        cols = 1 if len(panels) == 1 else 2
        rows = math.ceil(len(panels) / cols)
        titles = [self.model.label(p) for p in panels]
        fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.12,
                            vertical_spacing=0.16 if rows > 1 else 0.1)
        self._current_traces: list[tuple[int, str]] = []
        units = self.baseline.attrs.get("units", {})
        time_units = self.model.time.get("units", "")
        shown = {"baseline": False, "target": False}
        index = 0
        for i, panel in enumerate(panels):
            row, col = i // cols + 1, i % cols + 1
            columns = [c for c in self.columns if c == panel or c.split("[", 1)[0] == panel.split("[", 1)[0]
                       and "[" not in panel]
            for j, column in enumerate(columns):
                element = column[len(panel):].strip("[]") if column != panel else ""
                colour = _COLOURS[j % len(_COLOURS)]
                fig.add_trace(go.Scatter(x=self.baseline.index.to_numpy(), y=self.baseline[column].to_numpy(),
                                         mode="lines", line={"color": "#bbbbbb", "dash": "dash", "width": 1.5},
                                         name="as loaded", legendgroup="baseline", showlegend=not shown["baseline"],
                                         hovertemplate=f"{_escape(self.model.label(column))}, as loaded: "
                                                       "%{y:.4g} at %{x}<extra></extra>"),
                              row=row, col=col)
                shown["baseline"] = True
                index += 1
                fig.add_trace(go.Scatter(x=self.baseline.index.to_numpy(), y=self.baseline[column].to_numpy(),
                                         mode="lines", line={"color": colour, "width": 2},
                                         name=element or "now", legendgroup=element or "now",
                                         showlegend=bool(element) or i == 0,
                                         hovertemplate=f"{_escape(self.model.label(column))}: %{{y:.4g}} at %{{x}}"
                                                       "<extra></extra>"),
                              row=row, col=col)
                self._current_traces.append((index, column))
                index += 1
            marks = [t for t in self.targets if t.variable in columns]
            if marks:
                fig.add_trace(go.Scatter(x=[t.time for t in marks], y=[t.value for t in marks], mode="markers",
                                         marker={"symbol": "star", "size": 14, "color": "black"},
                                         name="target", legendgroup="target", showlegend=not shown["target"],
                                         text=[t.label + (f"<br>{t.source}" if t.source else "") for t in marks],
                                         hovertemplate="%{text}: %{y:.4g} at %{x}<extra></extra>"),
                              row=row, col=col)
                shown["target"] = True
                index += 1
            fig.update_yaxes(title_text=units.get(columns[0], "") if columns else "", row=row, col=col,
                             rangemode="tozero")
            fig.update_xaxes(title_text=time_units, row=row, col=col)
        fig.update_layout(height=max(320, 300 * rows), width=900, margin={"l": 60, "r": 20, "t": 50, "b": 40},
                          template="plotly_white", legend={"orientation": "h", "y": -0.12})
        return go.FigureWidget(fig)

    def _show_status(self, problem: str = "") -> None:
        parts = []
        if problem:
            parts.append(f"<span style='color:#b00'>{problem}</span>")
        elif self.redraw_seconds:
            parts.append(f"redrawn in {self.redraw_seconds[-1] * 1000:.0f} ms")
        for target in self.targets:
            got = target.reached(self.result)
            if got is None:
                continue
            mark = "&#10003;" if target.met(self.result) else "&#10007;"
            parts.append(f"{mark} {_escape(target.label)}: {_fmt(got)} (target {_fmt(target.value)})")
        changed = self.changed()
        if changed:
            parts.append("changed: " + ", ".join(_escape(self._lever(n).label) for n in changed))
        self.status.value = "<small>" + " &middot; ".join(parts) + "</small>"

    def _save_clicked(self) -> None:
        try:
            path = self.save()
        except Exception as error:  # noqa: BLE001 - shown in the widget
            self._show_status(f"not saved: {_escape(str(error))}")
            return
        self._show_status()
        self.status.value += f"<br><small>saved {_escape(path)}</small>"


# --- writing the scenario -----------------------------------------------------------------------
def scenario_yaml(model: Model, levers: Sequence[Lever], changed: Mapping[str, Any], path: str,
                  name: str | None = None, description: str | None = None) -> str:
    """The text of a scenario file at ``path`` that extends ``model``'s file and sets the
    ``changed`` levers (name -> number, or (times, values) for a schedule)."""
    by_name = {lv.name: lv for lv in levers}
    folder = os.path.dirname(os.path.abspath(path))
    extends = os.path.relpath(os.path.abspath(model.file), folder).replace(os.sep, "/")
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"# Saved from h2sim.explore_widget on {stamp}: {model.name} with the levers below changed.",
             f"scenario: {_yaml_text(name or _slug(model.name) + '_explored')}",
             f"description: {_yaml_text(description or (model.description or model.name) + ', levers set in the explorer')}",
             f"extends: {_yaml_text(extends)}"]
    scheduled = {_canon(lv["name"]) for lv in model.levers}
    parameters = {n: v for n, v in changed.items() if not by_name[n].scheduled and _canon(n) not in scheduled}
    lever_lines = []
    for n, v in changed.items():
        if n in parameters:
            continue
        lever = by_name[n]
        if not lever.scheduled:  # a constant the scenario set as a lever: a lever wins over a parameter
            lever_lines.append(f"  {_yaml_key(n)}: {_num(v)}")
            continue
        times, values = v
        if lever.kind == "ramp":
            lever_lines.append(f"  {_yaml_key(n)}:\n    ramp: {{start: {_num(times[0])}, end: {_num(times[1])}, "
                               f"from: {_num(values[0])}, to: {_num(values[1])}}}")
        else:
            points = ", ".join(f"{_num(t)}: {_num(x)}" for t, x in zip(times, values))
            lever_lines.append(f"  {_yaml_key(n)}:\n    {lever.kind}: {{{points}}}")
    if parameters:
        lines.append("parameters:")
        lines += [f"  {_yaml_key(n)}: {_num(v)}" for n, v in parameters.items()]
    if lever_lines:
        lines.append("levers:")
        lines += lever_lines
    return "\n".join(lines) + "\n"


def _num(value: float) -> str:
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _yaml_key(name: str) -> str:
    import re

    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.$]*", name) else _yaml_text(name)


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "scenario"


def _widen(slider, value: float) -> None:
    """Extends a slider's range to take a value set from code (a slider would clip it)."""
    if value > slider.max:
        slider.max = value
    if value < slider.min:
        slider.min = value


def _nice_step(span: float) -> float:
    if not span > 0:
        return 0.01
    raw = span / 200
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def _fmt(value: float) -> str:
    if value == 0 or not np.isfinite(value):
        return f"{value:g}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))
