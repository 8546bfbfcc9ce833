"""Charts of h2sim results with matplotlib, labelled with the variables' labels and units.

A DataFrame from ``Model.run`` carries ``attrs["labels"]`` (column -> the variable's
``label:``, or its name) and ``attrs["units"]``; every chart here uses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd


def _units(frame: pd.DataFrame, column: str) -> str:
    return frame.attrs.get("units", {}).get(column, "")


def label(frame: pd.DataFrame, column: str) -> str:
    """The human label of a result column (the variable's ``label:``), or the column name."""
    return frame.attrs.get("labels", {}).get(column) or column


def label_with_units(frame: pd.DataFrame, column: str) -> str:
    """``label (units)``, or the label alone when the column has no units."""
    unit = _units(frame, column)
    return f"{label(frame, column)} ({unit})" if unit else label(frame, column)


def plot(result: pd.DataFrame, variables: Sequence[str] | None = None, ax=None, title: str | None = None,
         time_label: str = "year"):
    """Plots variables of one run (a DataFrame from ``Model.run``) against time.

    Variables sharing a unit share an axis; each unit gets its own panel. Returns the
    matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from . import arguments

    arguments.frame(result, "plot: result")
    columns = list(variables) if variables is not None else list(result.columns)
    missing = [c for c in columns if c not in result.columns]
    if missing:
        raise KeyError(f"not in the result: {', '.join(missing)}")
    by_unit: dict[str, list[str]] = {}
    for c in columns:
        by_unit.setdefault(_units(result, c), []).append(c)
    if ax is not None:
        axes = [ax] * len(by_unit)
        fig = ax.figure
    else:
        fig, axes = plt.subplots(len(by_unit), 1, figsize=(8, 2.8 * len(by_unit)), sharex=True, squeeze=False)
        axes = list(axes[:, 0])
    for axis, (unit, cols) in zip(axes, by_unit.items()):
        for c in cols:
            axis.plot(result.index, result[c], label=label(result, c))
        axis.set_ylabel(unit or "value")
        axis.legend(loc="best", fontsize="small")
        axis.grid(True, alpha=0.3)
    axes[-1].set_xlabel(time_label)
    if title or result.attrs.get("scenario"):
        fig.suptitle(title or result.attrs["scenario"])
    fig.tight_layout()
    return fig


def plot_comparison(results: Mapping[str, pd.DataFrame], variables: Sequence[str], title: str | None = None,
                    targets: Mapping[str, Sequence[tuple]] | None = None, time_label: str = "year"):
    """Plots the same variables from several scenarios: one panel per variable, one
    line per scenario. ``targets`` marks points such as plan targets, as (time, value) or
    (time, value, label): ``{"fcev_fleet_total": [(2026.0, 5000, "2025 target")]}``, or a
    list of :class:`h2sim.Target` (``h2sim.read_targets(model)``). Panels are titled with the
    variables' labels and their axes with units. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    from . import arguments

    if not isinstance(results, Mapping):
        raise arguments.ArgumentTypeError("plot_comparison: results must be a mapping of names to DataFrames "
                                          f"({{'base': df1, 'push': df2}}), not {type(results).__name__}")
    for name, result in results.items():
        arguments.frame(result, f"plot_comparison: results[{name!r}]")
    if targets is not None and not isinstance(targets, Mapping):
        from .targets import Target, markers

        if isinstance(targets, (str, bytes)) or not all(isinstance(t, Target) for t in targets):
            raise arguments.ArgumentTypeError("plot_comparison: targets must be a mapping variable -> [(time, value)] "
                                              "or a list of h2sim.Target (h2sim.read_targets(model))")
        targets = markers(list(targets))
    for var, points in (targets or {}).items():
        if isinstance(points, (str, bytes, Mapping)) or not hasattr(points, "__iter__"):
            raise arguments.ArgumentTypeError(f"plot_comparison: targets[{var!r}] must be a list of (time, value) points, "
                                    f"not {type(points).__name__}")
        for k, point in enumerate(points):
            if (isinstance(point, (str, bytes)) or not hasattr(point, "__len__") or len(point) not in (2, 3)
                    or not all(arguments.is_number(x) for x in point[:2])):
                raise arguments.ArgumentTypeError(f"plot_comparison: targets[{var!r}][{k}] must be (time, value) or "
                                        f"(time, value, label) with numbers, not {point!r:.60}")

    n = len(variables)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 3.2 * rows), squeeze=False)
    flat = list(axes.flat)
    for axis, var in zip(flat, variables):
        unit, heading = "", ""
        for name, frame in results.items():
            if var not in frame.columns:
                raise KeyError(f"{var} is not in the result of {name}")
            axis.plot(frame.index, frame[var], label=name)
            unit = unit or _units(frame, var)
            heading = heading or label(frame, var)
        for point in (targets or {}).get(var, []):
            t, v = point[0], point[1]
            text = point[2] if len(point) > 2 else f"target at {t:g}"
            axis.scatter([t], [v], marker="*", s=120, color="black", zorder=5, label=text)
        axis.set_title(heading, fontsize="medium")
        axis.set_ylabel(unit or "value")
        axis.set_xlabel(time_label)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize="small")
    for axis in flat[n:]:
        axis.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
