"""Profile-likelihood intervals.

For each parameter the profile fixes it at a sequence of values walking out from the
estimate, refits every other parameter at each (warm-started from the previous one),
and records how much the payoff rises. The interval is where the rise stays below the
limit from :func:`h2sim.calibration.optimise.critical_values` (half the chi-square, or
F when standard errors come from the residuals, quantile at the chosen level). Unlike a
Wald interval it follows a curved, asymmetric payoff, and a profile that stays flat to a
bound says that the data do not bound the parameter on that side.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .payoff import Scales

_MAX_POINTS = 24  # per side
_OVERSHOOT = 1.25  # walk a little past the limit, to draw the curve beyond it


def profiles(problem: Any, x_hat: np.ndarray, scales: Scales, se_x: np.ndarray, limit: float,
             progress: Any = None, only: list[str] | None = None) -> tuple[dict[str, dict], list[str]]:
    """Profiles of every parameter: {name: {"curve": DataFrame(value, change), "low",
    "high"}} with NaN for a side the data do not bound, and notes (a better optimum found
    on the way, a bound reached)."""
    out, notes = {}, []
    base = _sum_of_squares(problem, x_hat[None, :], scales)[0]
    for j, parameter in enumerate(problem.parameters):
        if only is not None and parameter.name not in only:
            continue
        rows = [(float(x_hat[j]), 0.0)]
        ends = {}
        for direction in (-1, 1):
            points, end, better = _walk(problem, x_hat, scales, se_x, limit, base, j, direction)
            rows += points
            ends[direction] = end
            if better is not None:
                notes.append(f"profile of {parameter.name}: a better fit ({better:.6g} lower payoff) exists at "
                             f"{parameter.name} = {float(parameter.from_internal(points[-1][0])):.6g}; the optimiser "
                             "stopped at a local optimum (try starts > 1 or differential_evolution)")
        rows.sort()
        values = np.array([r[0] for r in rows])
        curve = pd.DataFrame({"value": parameter.from_internal(values), "change": [r[1] for r in rows]})
        low = float(parameter.from_internal(ends[-1])) if ends[-1] is not None else np.nan
        high = float(parameter.from_internal(ends[1])) if ends[1] is not None else np.nan
        for side, value in (("below", low), ("above", high)):
            if np.isnan(value):
                notes.append(f"profile of {parameter.name}: the data do not bound it from {side} within its search "
                             f"bounds [{parameter.low:g}, {parameter.high:g}]")
        out[parameter.name] = {"curve": curve, "low": low, "high": high}
        if progress is not None:
            progress.update(1)
    return out, notes


def _sum_of_squares(problem: Any, x: np.ndarray, scales: Scales) -> np.ndarray:
    r = problem.payoff.residuals(problem.fit_part(problem.predict(x)), scales)
    return np.sum(r * r, axis=1)


def _walk(problem: Any, x_hat: np.ndarray, scales: Scales, se_x: np.ndarray, limit: float, base: float, j: int,
          direction: int) -> tuple[list[tuple[float, float]], float | None, float | None]:
    lower, upper = problem.lower[j], problem.upper[j]
    width = upper - lower
    q = np.sqrt(2 * limit)
    step = se_x[j] * q / 3 if np.isfinite(se_x[j]) and se_x[j] > 0 else width / 20
    step = float(min(max(step, width * 1e-6), width / 4))
    free = np.array([k for k in range(problem.p) if k != j], dtype=int)
    points: list[tuple[float, float]] = []
    solutions = [x_hat.copy()]  # the refitted point at each value, for warm starts
    value = float(x_hat[j])
    better = None
    while len(points) < _MAX_POINTS:
        # With nothing else to refit, a whole block of values is one batch.
        count = 8 if len(free) == 0 else 1
        candidates = []
        for _ in range(count):
            value = min(max(value + direction * step, lower), upper)
            candidates.append(value)
            if value in (lower, upper):
                break
        for v, (change, x) in zip(candidates, _changes(problem, solutions[-1], j, candidates, free, scales, base)):
            points.append((v, change))
            solutions.append(x)
            if change < -1e-6 * max(1.0, abs(base)) and (better is None or -change > better):
                better = float(-change)
        last_change = points[-1][1]
        if last_change >= _OVERSHOOT * limit or value in (lower, upper):
            break
        if len(points) >= 4 and last_change < limit / 8:
            step *= 2  # a flat profile: reach the bound in fewer refits
    path = [(float(x_hat[j]), 0.0)] + points
    end = _crossing(path, limit)
    if end is not None:
        end = _refine(problem, path, solutions, j, free, scales, base, limit)
    return points, end, better


def _changes(problem: Any, start: np.ndarray, j: int, values: list[float], free: np.ndarray, scales: Scales,
             base: float) -> list[tuple[float, np.ndarray]]:
    """(payoff rise, refitted point) with parameter j fixed at each value."""
    from .optimise import _least_squares

    if len(free) == 0:
        x = np.repeat(start[None, :], len(values), axis=0)
        x[:, j] = values
        changes = 0.5 * (_sum_of_squares(problem, x, scales) - base)
        return [(float(c), row) for c, row in zip(changes, x)]
    out = []
    point = start.copy()
    for v in values:
        point = point.copy()
        point[j] = v
        point = _least_squares(problem, point, scales=scales, free=free)["x"]
        out.append((float(0.5 * (_sum_of_squares(problem, point[None, :], scales)[0] - base)), point))
    return out


def _refine(problem: Any, path: list[tuple[float, float]], solutions: list[np.ndarray], j: int, free: np.ndarray,
            scales: Scales, base: float, limit: float) -> float:
    """The crossing, bisected until the bracketing rise is within 50 % of the limit (a
    coarse step over a steep rise, as where another parameter meets its bound, would
    otherwise misplace it); at most 8 refits."""
    k = next(i for i in range(1, len(path)) if path[i - 1][1] < limit <= path[i][1])
    (v0, c0), (v1, c1) = path[k - 1], path[k]
    x0 = solutions[k - 1]
    for _ in range(8):
        if c1 <= 1.5 * limit:
            break
        middle = 0.5 * (v0 + v1)
        change, x = _changes(problem, x0, j, [middle], free, scales, base)[0]
        if change >= limit:
            v1, c1 = middle, change
        else:
            v0, c0, x0 = middle, change, x
    return v0 + (limit - c0) / (c1 - c0) * (v1 - v0) if c1 != c0 else v1


def _crossing(points: list[tuple[float, float]], limit: float) -> float | None:
    """Where the payoff rise first reaches the limit, interpolated linearly; None if never."""
    for (v0, c0), (v1, c1) in zip(points[:-1], points[1:]):
        if c0 < limit <= c1:
            return v0 + (limit - c0) / (c1 - c0) * (v1 - v0)
    return None
