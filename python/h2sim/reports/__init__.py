"""A self-contained HTML report of one or more scenarios, to send to a colleague.

    import h2sim
    h2sim.report(["scenarios/zhejiang/baseline.yaml", "scenarios/zhejiang/plan_2025.yaml"],
                 "zhejiang.html")

or ``h2sim report baseline.yaml plan_2025.yaml -o zhejiang.html``. One HTML file, with plotly's
JavaScript inside it, that opens without a network: the scenarios' settings and how each
differs from its parent, the key outputs beside the plan targets, an interactive chart of
every reporting variable with its units, the scenarios compared, the parameter table with
sources and basis, the warnings, and the h2sim version and a hash of every input file.

An ensemble (an xarray Dataset with a ``run`` dimension, e.g. from ``Model.run_batch`` or
the exploration tools, or a netCDF file of one) adds percentile bands to the charts, the
share of runs that meet each target, and any extra tables (``tables=``, or builders
registered in :data:`TABLE_BUILDERS`, such as a lever benchmark).

The report only calls the public API (``load``, ``Model.run``, ``parameters``, ``levers``,
``sections``, ...).
"""

# Over 800 lines: one report, each section a method of _Report; the sections are the natural
# split into modules when the report next grows.

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import math
import os
import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model import Model, load
from ..results import write_atomically
from ..targets import Target, read_targets

TEMPLATE = Path(__file__).with_name("template.html")

#: Percentiles drawn as bands when an ensemble is given: (low, high) pairs, then the median.
BANDS = ((5, 95), (25, 75))

#: Builders of extra tables from an ensemble: each takes (ensemble Dataset, list of Models,
#: list of targets) and returns (title, DataFrame, note) or None. The exploration tools
#: register their lever-benchmark table here; :func:`lever_benchmark_table` is the default.
TABLE_BUILDERS: list[Callable[..., tuple[str, pd.DataFrame, str] | None]] = []


def report(scenarios: Model | str | os.PathLike | Sequence[Model | str | os.PathLike], path: str | os.PathLike | None = None,
           *, ensemble: Any = None, tables: Mapping[str, pd.DataFrame] | None = None, title: str | None = None,
           columns: Sequence[str] | None = None, years: Sequence[float] | None = None,
           targets: Sequence[Target | Mapping] | None = None, command: str | None = None) -> str:
    """Builds the report; returns the HTML text and, with ``path``, writes it there
    atomically (a failure leaves no file, and an earlier report of that name as it was).

    - ``scenarios``: Models or scenario files; the first is the reference of comparisons.
    - ``ensemble``: an xarray Dataset with a ``run`` dimension, or a netCDF file of one.
    - ``tables``: extra tables, title -> DataFrame (e.g. a lever benchmark).
    - ``columns``: the variables to report (default: every scenario's outputs).
    - ``years``: times of the key-output table (default: each scenario's start, middle
      and stop, as ``h2sim run`` prints them, and the targets' times).
    - ``targets``: targets besides those the files declare (``targets:``).
    - ``command``: the command line that made the report, for the provenance section.
    """
    if isinstance(scenarios, (str, os.PathLike, Model)):
        scenarios = [scenarios]
    models = [s if isinstance(s, Model) else load(s) for s in scenarios]
    if not models:
        raise ValueError("a report needs at least one scenario")
    ensemble_path = None
    if ensemble is not None and not hasattr(ensemble, "dims"):
        import xarray as xr

        from ..errors import FileError

        ensemble_path = os.fspath(ensemble)
        if not os.path.isfile(ensemble_path):
            raise FileError(f"{ensemble_path}: no such ensemble file (a netCDF file, e.g. from h2sim sweep -o runs.nc)",
                            file=ensemble_path)
        try:
            with xr.open_dataset(ensemble_path) as opened:
                ensemble = opened.load()
        except (ValueError, OSError) as error:  # xarray's message does not name the file
            raise FileError(f"{ensemble_path}: cannot read the ensemble as netCDF ({error})", file=ensemble_path) from None
    if ensemble is not None and ("run" not in ensemble.dims or "time" not in ensemble.dims):
        raise ValueError(f"the ensemble {ensemble_path or ''} needs `run` and `time` dimensions (as "
                         f"Model.run_batch gives); it has {', '.join(map(str, ensemble.dims)) or 'none'}")
    tables, columns, years = report_arguments(models, tables, columns, years)
    builder = _Report(models, ensemble, ensemble_path, tables, title, columns, years, targets, command)
    text = builder.html()
    if path is not None:
        write_atomically(path, text)
    return text


def report_arguments(models: list[Model], tables: Any, columns: Any, years: Any) -> tuple[dict, list | None, list | None]:
    """report()'s ``tables``, ``columns`` and ``years``, checked: a mapping of titles to
    DataFrames; names of variables that at least one scenario has (a name in none of them
    was silently left out); finite numbers."""
    import difflib

    from .. import arguments
    from ..errors import ArgumentError, ArgumentTypeError

    if tables is not None and not isinstance(tables, Mapping):
        raise ArgumentTypeError(f"report: tables must be a mapping of titles to pandas DataFrames, not "
                                f"{type(tables).__name__}")
    for title, table in (tables or {}).items():
        arguments.text(title, "report: a title of tables")
        if not isinstance(table, pd.DataFrame):
            raise ArgumentTypeError(f"report: tables[{title!r}] must be a pandas DataFrame, not {type(table).__name__}")
    names = arguments.names(columns, "report: columns")
    if names is not None:
        if not names:
            raise ArgumentError("report: columns is empty: name the variables to report, or give None for "
                                "every scenario's outputs")
        known = {_canon(v): v for m in models for v in m.variables.index}
        for name in names:
            if _canon(name.split("[", 1)[0]) not in known:
                close = difflib.get_close_matches(_canon(name), list(known), n=1, cutoff=0.6)
                hint = f" (did you mean `{known[close[0]]}`?)" if close else ""
                where = ", ".join(m.file or m.name for m in models)
                raise ArgumentError(f"report: columns: no such variable `{name}` in {where}{hint}")
    if years is not None:
        if isinstance(years, (str, bytes, Mapping)) or not hasattr(years, "__iter__"):
            raise ArgumentTypeError(f"report: years must be a list of times (numbers), not {type(years).__name__}")
        years = [arguments.number(y, f"report: years[{k}]") for k, y in enumerate(years)]
        if not years:
            raise ArgumentError("report: years is empty: give the times of the key-output table, or None")
    return dict(tables or {}), names, years


# --- numbers as the command line prints them ------------------------------------------------------
def format_number(value: Any) -> str:
    """A number as ``h2sim run`` prints it: four significant digits, thousands separators
    from 100, exponent notation beyond 1e7 and below 1e-3, '-' for a missing value."""
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


def key_times(times: Sequence[float]) -> list[float]:
    """Start, a middle time (a whole number near the middle when one was saved) and stop:
    the times ``h2sim run`` prints."""
    times = [float(t) for t in times]
    if len(times) <= 2:
        return sorted(set(times))
    start, stop = times[0], times[-1]
    target = (start + stop) / 2
    quarter = (stop - start) / 4
    whole = [t for t in times if t.is_integer() and abs(t - target) <= quarter]
    middle = min(whole or times, key=lambda t: abs(t - target))
    return sorted({start, middle, stop})


def value_at(frame: pd.DataFrame, column: str, t: float) -> float | None:
    """The value saved at time t (within rounding), or None when t was not saved."""
    if column not in frame.columns:
        return None
    index = np.asarray(frame.index, dtype=float)
    hits = np.nonzero(np.abs(index - t) <= 1e-9 * max(1.0, abs(t)))[0]
    return float(frame[column].iloc[hits[0]]) if len(hits) else None


def basis_of(source: str, declared: str = "") -> str:
    """A parameter's basis: its declared ``basis`` when the model gives one; otherwise read
    from its source text: 'calibrated...' -> calibrated, 'assumption...' -> assumption, any
    other source -> published, none -> 'none given'."""
    if declared:
        return declared
    text = (source or "").strip().lower()
    if not text:
        return "none given"
    if "calibrat" in text:
        return "calibrated"
    if text.startswith("assum") or "assumption" in text[:40]:
        return "assumption"
    return "published"


def lever_benchmark_table(ensemble, models, targets):
    """The default lever benchmark: when the ensemble labels its runs with a ``policy`` (or
    ``lever``) coordinate along ``run``, each policy's median outcome at the last time and
    the share of its runs that meet each target."""
    key = next((k for k in ("policy", "lever", "scenario") if k in ensemble.coords and ensemble[k].dims == ("run",)),
               None)
    if key is None:
        return None
    times = np.asarray(ensemble["time"].values, dtype=float)
    last = float(times[-1])
    rows = []
    for policy in pd.unique(ensemble[key].values):
        runs = ensemble.where(ensemble[key] == policy, drop=True)
        row: dict[str, Any] = {key: str(policy), "runs": int(runs.sizes["run"])}
        for target in targets:
            series = _ensemble_series(runs, target.variable)
            if series is not None:
                reached = _interp_runs(series, target.time, times)
                met = reached >= target.value if target.kind == "at_least" else reached <= target.value
                row[f"{target.label}: share met"] = f"{np.mean(met):.0%}"
        for name, var in runs.data_vars.items():
            if set(var.dims) == {"run", "time"}:
                row[f"{name} at {last:g} (median)"] = format_number(float(var.sel(time=last).median("run")))
        rows.append(row)
    return ("Lever benchmark", pd.DataFrame(rows),
            f"Runs grouped by their `{key}` coordinate: the share of each group's runs that meet each target, "
            "and medians at the last time.")


TABLE_BUILDERS.append(lever_benchmark_table)


# --- building the page -----------------------------------------------------------------------------
class _Report:
    def __init__(self, models: list[Model], ensemble, ensemble_path, tables, title, columns, years, targets, command):
        self.models = models
        self.names = _unique([m.name for m in models])
        self.ensemble = ensemble
        self.ensemble_path = ensemble_path
        self.tables = tables
        self.title = title or ("h2sim report: " + ", ".join(self.names))
        self.command = command
        self.warnings: list[str] = []
        self.targets = [read_targets(m, targets) for m in models]
        self.columns = list(columns) if columns is not None else None
        self.results = [self._run(m) for m in models]
        self.years = [float(y) for y in years] if years is not None else self._default_years()
        self.charts: list[dict] = []
        files = [f for m in models for f in m.files] + ([os.path.abspath(ensemble_path)] if ensemble_path else [])
        root = os.path.commonpath([os.path.dirname(f) for f in files]) if files else ""
        self.root = root if root and root != os.path.dirname(root) else ""

    # --- running -------------------------------------------------------------------------------
    def _run(self, model: Model) -> pd.DataFrame:
        wanted = self.columns if self.columns is not None else _union([m.outputs for m in self.models])
        if not wanted:  # every scenario reports every variable
            return model.run()
        known = {_canon(n) for n in model.variables.index}
        own = [c for c in wanted if _canon(c.split("[", 1)[0]) in known]
        for target in read_targets(model):
            if target.variable not in own and target.variable.split("[", 1)[0] not in own:
                own.append(target.variable)
        if not own:  # none of the columns is in this scenario: its times only
            return model.run().iloc[:, :0]
        return model.run(return_columns=own)

    def _default_years(self) -> list[float]:
        years = set()
        for frame in self.results:
            years.update(key_times(frame.index))
        for targets in self.targets:
            years.update(t.time for t in targets)
        return sorted(years)

    # --- the page ------------------------------------------------------------------------------
    def html(self) -> str:
        from .. import __version__

        sections = [
            ("scenarios", "Scenarios", self._scenarios()),
            ("targets", "Targets", self._targets()),
            ("outputs", "Key outputs", self._key_outputs()),
            ("comparison", "Comparison", self._comparison()),
            ("charts", "Charts", self._charts()),
        ]
        if self.ensemble is not None or self.tables:
            sections.append(("uncertainty", "Uncertainty", self._uncertainty()))
        sections += [
            ("parameters", "Parameters", self._parameters()),
            ("warnings", "Warnings", self._warnings()),
            ("provenance", "Provenance", self._provenance()),
        ]
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        header = (f"<header><h1>{_e(self.title)}</h1>"
                  f"<p>{len(self.models)} scenario{'s' if len(self.models) > 1 else ''}: "
                  + ", ".join(f"<b>{_e(n)}</b>" for n in self.names)
                  + f" &middot; h2sim {_e(__version__)} &middot; {now}</p></header>")
        nav = "<nav>" + "".join(f"<a href='#{key}'>{_e(title)}</a>" for key, title, _ in sections) + "</nav>"
        body = header + nav + "<main>" + "".join(
            f"<section id='{key}'><h2>{_e(title)}</h2>{content}</section>" for key, title, content in sections) + "</main>"
        import plotly.offline

        charts = json.dumps(self.charts, cls=_JSONEncoder, separators=(",", ":")).replace("</", "<\\/")
        page = TEMPLATE.read_text(encoding="utf-8")
        for marker, value in (("@@GENERATOR@@", f"h2sim {__version__}"), ("@@TITLE@@", _e(self.title)),
                              ("@@BODY@@", body), ("@@CHARTS@@", charts)):
            page = page.replace(marker, value)
        return page.replace("@@PLOTLY@@", plotly.offline.get_plotlyjs().replace("</script", "<\\/script"))

    # --- scenarios and how they differ from their parents ---------------------------------------
    def _scenarios(self) -> str:
        cards = []
        for model, name in zip(self.models, self.names):
            t = model.time
            chain = " &rarr; ".join(f"<code>{_e(_short(f, self.root))}</code>" for f in [model.model_file, *model.chain]
                                    if f) if model.chain else f"<code>{_e(_short(model.file, self.root))}</code>"
            rows = [("file", f"<code>{_e(_short(model.file, self.root))}</code>"),
                    ("model and chain", chain),
                    ("time", f"{t['start']:g} to {t['stop']:g} {_e(t['units'])}, dt {t['dt']:g}, saved every "
                             f"{t['save_every']:g}, {_e(t['method'])}")]
            levers = "".join(f"<li>{_lever_text(lv, model)}</li>" for lv in model.levers)
            rows.append(("levers", f"<ul>{levers}</ul>" if levers else "none"))
            table = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
            parent, diff = self._diff_from_parent(model)
            cards.append(f"<div class='card'><h3>{_e(name)}</h3>"
                         + (f"<p class='note'>{_e(model.description)}</p>" if model.description else "")
                         + f"<table>{table}</table>"
                         + (f"<h3>Where it differs from {_e(parent)}</h3>{diff}" if parent else "")
                         + "</div>")
        return "<div class='cards'>" + "".join(cards) + "</div>"

    def _diff_from_parent(self, model: Model) -> tuple[str, str]:
        chain = model.chain
        if len(chain) > 1:
            parent_file = chain[-2]
        elif model.model_file and os.path.abspath(model.model_file) != os.path.abspath(model.file or ""):
            parent_file = model.model_file
        else:
            return "", ""
        try:
            parent = load(parent_file)
        except Exception as error:  # noqa: BLE001 - reported, the rest of the report stands
            self.warnings.append(f"{model.name}: could not load its parent {_short(parent_file, self.root)}: {error}")
            return _short(parent_file, self.root), "<p class='note'>could not load it (see warnings)</p>"
        rows = []
        for key in ("start", "stop", "dt", "save_every", "method", "units"):
            if model.time[key] != parent.time[key]:
                rows.append(("time", key, _plain(parent.time[key]), _plain(model.time[key])))
        mine, theirs = model.parameters["value"], parent.parameters["value"]
        for name in mine.index:
            if name in theirs.index and not _same(mine[name], theirs[name]):
                rows.append(("parameter", name, format_number(theirs[name]), format_number(mine[name])))
        before = {lv["name"]: lv for lv in parent.levers}
        after = {lv["name"]: lv for lv in model.levers}
        for name, lever in after.items():
            old = before.get(name)
            if old is None or (old["kind"], old["times"], old["values"]) != (lever["kind"], lever["times"], lever["values"]):
                is_time = _is_time(model, name)
                was = _lever_schedule(old, is_time) if old else (format_number(theirs[name]) if name in theirs.index else "")
                rows.append(("lever", name, was, _lever_schedule(lever, is_time)))
        for name, lever in before.items():
            if name not in after:
                rows.append(("lever", name, _lever_schedule(lever, _is_time(model, name)), "removed"))
        if model.outputs != parent.outputs and parent.outputs:
            rows.append(("outputs", "", ", ".join(parent.outputs), ", ".join(model.outputs)))
        theirs_targets = {t.name: t for t in read_targets(parent)}
        for t in read_targets(model):
            old = theirs_targets.get(t.name)
            if old is None or (old.variable, old.time, old.value, old.kind) != (t.variable, t.time, t.value, t.kind):
                rows.append(("target", t.label, _target_text(old) if old else "", _target_text(t)))
        name = parent.name if len(chain) > 1 else f"its model {parent.name}"
        if not rows:
            return name, "<p class='note'>nothing: same settings.</p>"
        body = "".join(f"<tr><td>{_e(kind)}</td><td>{_e(model.label(what)) if kind in ('parameter', 'lever') else _e(what)}"
                       f"{'<br><small>' + _e(what) + '</small>' if kind in ('parameter', 'lever') and model.label(what) != what else ''}"
                       f"</td><td>{_e(old)}</td><td>{_e(new)}</td></tr>" for kind, what, old, new in rows)
        return name, ("<table><tr><th>what</th><th>name</th><th>parent</th><th>this scenario</th></tr>"
                      f"{body}</table>")

    # --- targets and key outputs ---------------------------------------------------------------
    def _targets(self) -> str:
        every: dict[tuple, Target] = {}
        for targets in self.targets:
            for t in targets:
                every.setdefault((t.variable, t.time, t.value, t.kind), t)
        if not every:
            return ("<p class='note'>No targets: declare them in a scenario's <code>targets:</code> section "
                    "(docs/scenario-format.md) to see them here and on the charts.</p>")
        head = ("<tr><th>target</th><th>variable</th><th class='num'>time</th><th class='num'>target</th>"
                + "".join(f"<th class='num'>{_e(n)}</th>" for n in self.names) + "<th>source</th></tr>")
        rows = []
        for t in every.values():
            units = self._units(t.variable)
            cells = []
            for frame in self.results:
                got = t.reached(frame)
                met = t.met(frame)
                mark = "" if met is None else ("<span class='met'>&#10003; met</span>" if met
                                               else "<span class='unmet'>&#10007; not met</span>")
                cells.append(f"<td class='num' data-value='{_data(got)}'>{format_number(got)} {mark}</td>")
            sense = "&ge;" if t.kind == "at_least" else "&le;"
            label = self._label(t.variable)
            small = (t.variable + " " if label != t.variable else "") + (f"[{units}]" if units else "")
            rows.append(f"<tr><td>{_e(t.label)}</td><td>{_e(label)}"
                        f"{'<br><small>' + _e(small) + '</small>' if small else ''}</td><td class='num'>{t.time:g}</td>"
                        f"<td class='num' data-value='{_data(t.value)}'>{sense} {format_number(t.value)}</td>"
                        + "".join(cells) + f"<td><small>{_e(t.source)}</small></td></tr>")
        return ("<p class='note'>Each scenario's value at the target's time (interpolated between saved times "
                "when needed).</p><div class='scroll'><table id='targets-table'>" + head + "".join(rows)
                + "</table></div>")

    def _key_outputs(self) -> str:
        columns = _union([list(f.columns) for f in self.results])
        head1 = "<tr><th rowspan='2'>variable</th><th rowspan='2'>units</th>" + "".join(
            f"<th class='num' colspan='{len(self.years)}'>{_e(n)}</th>" for n in self.names) + "</tr>"
        head2 = "<tr>" + "".join(f"<th class='num'>{y:g}</th>" for _ in self.names for y in self.years) + "</tr>"
        rows = []
        for column in columns:
            cells = []
            for frame, name in zip(self.results, self.names):
                for y in self.years:
                    v = value_at(frame, column, y)
                    cells.append(f"<td class='num' data-scenario='{_e(name)}' data-time='{y!r}' "
                                 f"data-value='{_data(v)}'>{format_number(v)}</td>")
            rows.append(f"<tr data-column='{_e(column)}'><td class='name'>{_e(self._label(column))}"
                        f"{'<br><small>' + _e(column) + '</small>' if self._label(column) != column else ''}</td>"
                        f"<td>{_e(self._units(column))}</td>" + "".join(cells) + "</tr>")
        return ("<p class='note'>Values at the saved times; '-' where a scenario does not report the variable "
                "or does not save that time. The numbers are those <code>h2sim run</code> prints.</p>"
                "<div class='scroll'><table id='key-outputs'>" + head1 + head2 + "".join(rows) + "</table></div>")

    def _comparison(self) -> str:
        if len(self.models) < 2:
            return "<p class='note'>One scenario: give several to compare them.</p>"
        reference, ref_name = self.results[0], self.names[0]
        columns = [c for c in reference.columns if "[" not in c]
        parts = []
        for frame, name in zip(self.results[1:], self.names[1:]):
            head1 = ("<tr><th rowspan='2'>variable</th><th rowspan='2'>units</th>"
                     + "".join(f"<th class='num' colspan='3'>{y:g}</th>" for y in self.years) + "</tr>")
            head2 = "<tr>" + "".join(f"<th class='num'>{_e(ref_name)}</th><th class='num'>{_e(name)}</th>"
                                     "<th class='num'>change</th>" for _ in self.years) + "</tr>"
            rows = []
            for column in columns:
                cells = []
                for y in self.years:
                    base, v = value_at(reference, column, y), value_at(frame, column, y)
                    cells.append(f"<td class='num'>{format_number(base)}</td><td class='num'>{format_number(v)}</td>"
                                 f"<td class='num'>{_change(base, v)}</td>")
                rows.append(f"<tr><td>{_e(self._label(column))}</td><td>{_e(self._units(column))}</td>"
                            + "".join(cells) + "</tr>")
            parts.append(f"<h3>{_e(name)} against {_e(ref_name)}</h3><div class='scroll'>"
                         f"<table class='comparison-table'>{head1}{head2}{''.join(rows)}</table></div>")
        return ("<p class='note'>Every other scenario against the first; arrayed variables are in the key "
                "outputs and the charts.</p>" + "".join(parts))

    # --- charts --------------------------------------------------------------------------------
    def _charts(self) -> str:
        import plotly.graph_objects as go

        variables = _union([_bases(f.columns) for f in self.results])
        palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#bcbd22", "#7f7f7f"]
        dashes = ["solid", "dash", "dot", "dashdot", "longdash"]
        divs = []
        for number, variable in enumerate(variables):
            fig = go.Figure()
            units = ""
            any_arrayed = False
            for s, (frame, name) in enumerate(zip(self.results, self.names)):
                columns = [c for c in frame.columns if c.split("[", 1)[0] == variable]
                arrayed = len(columns) > 1 or bool(columns and "[" in columns[0])
                any_arrayed = any_arrayed or arrayed
                for j, column in enumerate(columns):
                    units = units or frame.attrs.get("units", {}).get(column, "")
                    element = column[len(variable):].strip("[]")
                    colour = palette[(j if arrayed else s) % len(palette)]
                    # Arrayed: colour by element (one legend entry each), line style by scenario.
                    fig.add_trace(go.Scatter(
                        x=frame.index.to_numpy(), y=frame[column].to_numpy(), mode="lines",
                        name=element if arrayed else name, legendgroup=element if arrayed else name,
                        showlegend=not arrayed or s == 0,
                        line={"color": colour, "dash": dashes[s % len(dashes)] if arrayed else "solid", "width": 2},
                        hovertemplate=f"{_e(name)}{': ' + _e(element) if element else ''}: %{{y:.4g}} at %{{x}}"
                                      "<extra></extra>"))
            if any_arrayed and len(self.models) > 1:
                for s, name in enumerate(self.names):  # a legend entry per scenario's line style
                    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, legendgroup=f"scenario {s}",
                                             line={"color": "#555", "dash": dashes[s % len(dashes)], "width": 2}))
            self._bands(fig, variable, palette)
            marks = {}
            for targets in self.targets:
                for t in targets:
                    if t.variable.split("[", 1)[0] == variable:
                        marks.setdefault((t.time, t.value), t)
            if marks:
                fig.add_trace(go.Scatter(
                    x=[t.time for t in marks.values()], y=[t.value for t in marks.values()], mode="markers",
                    name="target", marker={"symbol": "star", "size": 15, "color": "black"},
                    text=[_e(t.label + (f" ({t.source})" if t.source else "")) for t in marks.values()],
                    hovertemplate="%{text}: %{y:.4g} at %{x}<extra></extra>"))
            label = self._label(variable)
            fig.update_layout(
                title={"text": _e(label) + (f" <span style='font-size:11px;color:#888'>{_e(variable)}</span>"
                                            if label != variable else ""), "font": {"size": 14}},
                template="plotly_white", margin={"l": 64, "r": 16, "t": 44, "b": 20},
                legend=({"font": {"size": 10}, "orientation": "v", "x": 1.02, "y": 1, "tracegroupgap": 1} if any_arrayed else
                        {"font": {"size": 11}, "orientation": "h", "y": -0.22, "x": 0}), hovermode="closest",
                xaxis={"title": {"text": self.models[0].time.get("units", "")}},
                yaxis={"title": {"text": units or "value"}, "rangemode": "tozero"})
            chart_id = f"chart-{number}"
            self.charts.append({"id": chart_id, "variable": variable, "figure": fig.to_plotly_json()})
            tall = " style='height: 540px'" if any_arrayed else ""  # room for a legend entry per element
            divs.append(f"<div class='chart' id='{chart_id}' data-variable='{_e(variable)}'{tall}></div>")
        note = ("One chart per reporting variable, titled with its label, its axis with its units; stars mark "
                "targets" + ("; shaded bands are the ensemble's 5-95 % and 25-75 % ranges, the dotted line its "
                             "median" if self.ensemble is not None else "")
                + ". Click a legend entry to hide a line, drag to zoom, double-click to reset.")
        return f"<p class='note'>{note}</p><div class='charts'>" + "".join(divs) + "</div>"

    def _bands(self, fig, variable: str, palette) -> None:
        if self.ensemble is None:
            return
        import plotly.graph_objects as go

        series = _ensemble_series(self.ensemble, variable)
        if series is None:
            return
        times = np.asarray(self.ensemble["time"].values, dtype=float)
        name = self.ensemble.attrs.get("scenario", "ensemble")
        for (low, high), opacity in zip(BANDS, (0.15, 0.3)):
            lo = np.percentile(series, low, axis=0)
            hi = np.percentile(series, high, axis=0)
            fig.add_trace(go.Scatter(x=times, y=hi, mode="lines", line={"width": 0}, showlegend=False,
                                     hoverinfo="skip", legendgroup=f"band{low}"))
            fig.add_trace(go.Scatter(x=times, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                                     fillcolor=f"rgba(11,110,153,{opacity})", name=f"{name}: {low}-{high} %",
                                     legendgroup=f"band{low}", hovertemplate=f"{low} %%: %{{y:.4g}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=times, y=np.percentile(series, 50, axis=0), mode="lines",
                                 line={"color": "#0b6e99", "dash": "dot", "width": 1.5}, name=f"{name}: median"))

    # --- uncertainty ---------------------------------------------------------------------------
    def _uncertainty(self) -> str:
        parts = []
        ens = self.ensemble
        if ens is not None:
            runs = int(ens.sizes.get("run", 0))
            inputs = [k for k, c in ens.coords.items() if c.dims == ("run",) and k != "run"]
            inputs += [k for k, v in ens.data_vars.items() if v.dims == ("run",)]
            parts.append(f"<p class='note'>Ensemble of {runs:,} runs"
                         + (f" from <code>{_e(_short(self.ensemble_path, self.root))}</code>" if self.ensemble_path else "")
                         + (f"; varied: {', '.join('<code>' + _e(k) + '</code>' for k in inputs)}" if inputs else "")
                         + ".</p>")
            rows = []
            seen = set()
            for targets in self.targets:
                for t in targets:
                    if (t.variable, t.time, t.value, t.kind) in seen:
                        continue
                    seen.add((t.variable, t.time, t.value, t.kind))
                    series = _ensemble_series(ens, t.variable)
                    if series is None:
                        continue
                    reached = _interp_runs(series, t.time, np.asarray(ens["time"].values, dtype=float))
                    met = reached >= t.value if t.kind == "at_least" else reached <= t.value
                    p5, p50, p95 = np.percentile(reached, [5, 50, 95])
                    rows.append(f"<tr><td>{_e(t.label)}</td><td class='num'>{format_number(t.value)}</td>"
                                f"<td class='num'>{format_number(p5)}</td><td class='num'>{format_number(p50)}</td>"
                                f"<td class='num'>{format_number(p95)}</td>"
                                f"<td class='num' data-value='{float(np.mean(met))!r}'>{np.mean(met):.0%}</td></tr>")
            if rows:
                parts.append("<h3>Robustness of the targets</h3><table id='robustness'><tr><th>target</th>"
                             "<th class='num'>target</th><th class='num'>5 %</th><th class='num'>median</th>"
                             "<th class='num'>95 %</th><th class='num'>runs that meet it</th></tr>"
                             + "".join(rows) + "</table>")
            every = [t for ts in self.targets for t in ts]
            for build in TABLE_BUILDERS:
                try:
                    built = build(ens, self.models, every)
                except Exception as error:  # noqa: BLE001 - one table failing keeps the report
                    self.warnings.append(f"table {getattr(build, '__name__', build)}: {error}")
                    continue
                if built is not None:
                    title, frame, note = built
                    self.tables.setdefault(title, (frame, note))
        for title, table in self.tables.items():
            frame, note = table if isinstance(table, tuple) else (table, "")
            parts.append(f"<h3>{_e(title)}</h3>" + (f"<p class='note'>{_e(note)}</p>" if note else "")
                         + "<div class='scroll'>" + _frame_html(frame) + "</div>")
        return "".join(parts)

    # --- parameters ----------------------------------------------------------------------------
    def _parameters(self) -> str:
        frames = [m.parameters for m in self.models]
        scheduled = [{lv["name"] for lv in m.levers} for m in self.models]
        names = _union([list(f.index) for f in frames])
        multi = len(self.models) > 1
        head = ("<tr><th>parameter</th>" + "".join(f"<th class='num'>{_e(n)}</th>" for n in self.names)
                + "<th>units</th><th>lever</th><th>range</th><th>basis</th><th>source</th></tr>")
        rows, differing = [], []
        missing = 0
        for name in names:
            info = next(f.loc[name] for f in frames if name in f.index)
            values = [f.loc[name, "value"] if name in f.index else None for f in frames]
            differs = multi and len({repr(v) for v in values}) > 1
            basis = basis_of(info.get("source", ""), info.get("basis", "") if "basis" in info else "")
            missing += basis == "none given"
            label = self._label(name)
            is_time = any(_is_time(m, name.split("[", 1)[0]) for m in self.models[:1])
            number = (lambda v: f"{v:g}") if is_time else format_number
            row = (f"<tr class='{'differs' if differs else ''}'><td class='name'>{_e(label)}"
                   f"{'<br><small>' + _e(name) + '</small>' if label != name else ''}"
                   f"{'<br><small>' + _e(info['description']) + '</small>' if info.get('description') else ''}</td>"
                   + "".join(f"<td class='num' data-value='{_data(v)}'>{number(v)}</td>" if v is not None else
                             "<td class='num'><small>scheduled</small></td>" if name.split("[", 1)[0] in levers
                             else "<td class='num'>-</td>" for v, levers in zip(values, scheduled))
                   + f"<td>{_e(info.get('units', ''))}</td><td>{'lever' if info.get('lever') else ''}</td>"
                   f"<td>{_e(info.get('range', ''))}</td><td>{_e(basis)}</td>"
                   f"<td><small>{_e(info.get('source', ''))}</small></td></tr>")
            rows.append(row)
            if differs or info.get("lever"):
                differing.append(row)
        if missing:
            self.warnings.append(f"{missing} of {len(names)} parameters give no source")
        note = ("Every constant a run can set, with its value in each scenario (highlighted where they differ). "
                "Basis: the declared basis where the model gives one, else read from the source "
                "(calibrated, assumption, published). Levers the scenarios schedule are listed under Scenarios.")
        shown = ""
        if differing:
            shown = ("<h3>Levers and the parameters that differ between the scenarios</h3><div class='scroll'>"
                     "<table id='parameters-differing'>" + head + "".join(differing) + "</table></div>")
        return (f"<p class='note'>{note}</p>{shown}<details{' open' if not differing else ''}><summary>"
                f"All {len(names)} parameters</summary><div class='scroll'><table id='parameters-table'>" + head
                + "".join(rows) + "</table></div></details>")

    # --- warnings and provenance ---------------------------------------------------------------
    def _warnings(self) -> str:
        items = []
        for model, name in zip(self.models, self.names):
            items += [f"{name}: {w}" for w in model.warnings]
        for targets, frame, name in zip(self.targets, self.results, self.names):
            for t in targets:
                if t.reached(frame) is None:
                    items.append(f"{name}: target '{t.label}' at {t.time:g} is outside the run or its variable "
                                 "is not reported")
        items += self.warnings
        if not items:
            return "<p class='note'>None: the scenarios loaded without unit mismatches or other notes.</p>"
        return "<ul class='warnings'>" + "".join(f"<li>{_e(w)}</li>" for w in items) + "</ul>"

    def _provenance(self) -> str:
        from .. import __version__

        files: dict[str, None] = {}
        for model in self.models:
            for f in model.files:
                files.setdefault(f, None)
        rows = []
        for f in files:
            try:
                data = Path(f).read_bytes()
                rows.append((_short(f, self.root), f"{len(data):,}", hashlib.sha256(data).hexdigest()))
            except OSError as error:
                rows.append((_short(f, self.root), "-", f"cannot read: {error.strerror}"))
        if self.ensemble_path:
            data = Path(self.ensemble_path).read_bytes()
            rows.append((_short(self.ensemble_path, self.root), f"{len(data):,}", hashlib.sha256(data).hexdigest()))
        versions = [("h2sim", __version__), ("Python", platform.python_version()), ("numpy", np.__version__),
                    ("pandas", pd.__version__), ("plotly", _version("plotly")), ("platform", platform.platform())]
        made = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        command = self.command or " ".join([os.path.basename(sys.argv[0] or "python"), *sys.argv[1:]])
        return ("<table id='versions'>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in versions)
                + f"<tr><th>made</th><td>{made}</td></tr><tr><th>command</th><td><code>{_e(command)}</code></td></tr>"
                + "</table><h3>Input files</h3>"
                + (f"<p class='note'>Paths relative to <code>{_e(self.root)}</code>.</p>" if self.root else "")
                + "<table id='input-files'><tr><th>file</th><th class='num'>bytes</th>"
                "<th>SHA-256</th></tr>" + "".join(f"<tr><td><code>{_e(a)}</code></td><td class='num'>{b}</td>"
                                               f"<td><code>{_e(c)}</code></td></tr>" for a, b, c in rows)
                + "</table>")

    # --- small helpers -------------------------------------------------------------------------
    def _label(self, column: str) -> str:
        for model in self.models:
            label = model.label(column)
            if label != column:
                return label
        return column

    def _units(self, column: str) -> str:
        for frame in self.results:
            units = frame.attrs.get("units", {})
            if column in units:
                return units[column]
            for c, u in units.items():
                if c.split("[", 1)[0] == column:
                    return u
        for model in self.models:
            variables = model.variables
            base = column.split("[", 1)[0]
            if base in variables.index:
                return variables.loc[base, "units"]
        return ""


def _ensemble_series(ensemble, variable: str):
    """(runs x times) values of a variable or element in an ensemble, or None."""
    base, bracket, rest = variable.partition("[")
    if base not in ensemble.data_vars:
        return None
    var = ensemble[base]
    if "run" not in var.dims or "time" not in var.dims:
        return None
    if bracket:
        elements = [e.strip() for e in rest.rstrip("]").split(",")]
        extra = [d for d in var.dims if d not in ("run", "time")]
        if len(extra) != len(elements):
            return None
        try:
            var = var.sel(dict(zip(extra, elements)))
        except (KeyError, ValueError):
            return None
    elif len(var.dims) != 2:
        return None
    return var.transpose("run", "time").to_numpy()


def _interp_runs(series: np.ndarray, t: float, times: np.ndarray) -> np.ndarray:
    return np.array([np.interp(t, times, row) for row in series])


def _lever_schedule(lever: Mapping | None, is_time: bool = False) -> str:
    """A schedule as text; values that are times (a target year) print as times."""
    if not lever:
        return ""
    number = (lambda v: f"{v:g}") if is_time else format_number
    if lever["kind"] == "constant":
        return number(lever["values"][0])
    if lever["kind"] == "ramp":
        (t0, t1), (v0, v1) = lever["times"], lever["values"]
        return f"ramp {number(v0)} at {t0:g} to {number(v1)} at {t1:g}"
    return f"{lever['kind']}: " + ", ".join(f"{t:g}: {number(v)}" for t, v in zip(lever["times"], lever["values"]))


def _is_time(model: Model, name: str) -> bool:
    units = str(model.variables["units"].get(name, "") or "").strip().lower()
    time_units = str(model.time.get("units", "") or "").strip().lower()
    return bool(units) and units in (time_units, time_units + "s")


def _lever_text(lever: Mapping, model: Model) -> str:
    label = model.label(lever["name"])
    units = model.variables["units"].get(lever["name"], "")
    return (f"<b>{_e(label)}</b>{' <small>' + _e(lever['name']) + '</small>' if label != lever['name'] else ''}"
            f"{' [' + _e(units) + ']' if units else ''}: {_e(_lever_schedule(lever, _is_time(model, lever['name'])))}")


def _target_text(t: Target) -> str:
    return f"{t.variable} {'>=' if t.kind == 'at_least' else '<='} {format_number(t.value)} at {t.time:g}"


def _change(base: float | None, value: float | None) -> str:
    if base is None or value is None:
        return "-"
    diff = value - base
    if base != 0:
        return f"{'+' if diff >= 0 else ''}{format_number(diff)} ({diff / abs(base):+.0%})"
    return f"{'+' if diff >= 0 else ''}{format_number(diff)}"


def _frame_html(frame: pd.DataFrame) -> str:
    frame = frame.copy()
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for v in row:
            numeric = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            cells.append(f"<td class='num'>{format_number(v)}</td>" if numeric else f"<td>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return a == b


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _data(value: Any) -> str:
    return "" if value is None else repr(float(value))


def _bases(columns) -> list[str]:
    return _union([[c.split("[", 1)[0] for c in columns]])


def _union(lists) -> list:
    out: dict = {}
    for items in lists:
        for item in items:
            out.setdefault(item, None)
    return list(out)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _canon(name: str) -> str:
    from .. import _h2sim

    return _h2sim.canonical_name(name.strip())


def _short(path: str | None, root: str = "") -> str:
    """A path relative to the report's root folder (the folder all inputs share)."""
    if not path:
        return ""
    path = os.path.normpath(os.path.abspath(path))
    if root:
        rel = os.path.relpath(path, root)
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return path


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # noqa: BLE001
        return "unknown"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


class _JSONEncoder(json.JSONEncoder):
    def default(self, o):  # numpy arrays and numbers in plotly's figure dicts
        if isinstance(o, np.ndarray):
            return [None if isinstance(x, float) and not math.isfinite(x) else x for x in o.tolist()]
        if isinstance(o, (np.floating, np.integer)):
            return o.item()
        return super().default(o)
