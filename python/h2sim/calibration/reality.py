"""Reality checks declared with the model (the idea of Vensim's reality checks, after
Peterson and Eberlein 1994, "Reality check: a bridge between systems thinking and system
dynamics", System Dynamics Review 10(2-3)).

A check imposes a condition, usually an extreme one, by setting constants or levers
(optionally from a time on), runs the model, and tests the behaviour the condition
implies: a variable stays within bounds, never exceeds another variable, goes to zero
within a time. ``reality_checks:`` in a model or scenario file declares them
(docs/calibration.md); :func:`check_reality` and ``h2sim check --reality`` run them all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import _h2sim
from ..errors import Error, ScenarioError

CHECK_KEYS = ("description", "set", "from", "expect")
BEHAVIOUR_KEYS = ("variable", "at_least", "at_most", "within", "equals", "zero_within", "from", "until",
                  "tolerance", "description")
BEHAVIOURS = ("at_least", "at_most", "within", "equals", "zero_within")


@dataclass
class Behaviour:
    """One expected behaviour: ``variable`` (a name, or ``name[element]``; an arrayed
    name checks every element) compared over [start, until] with ``kind`` (at_least,
    at_most, within, equals, zero_within) and its bound(s): numbers or variable names."""

    variable: str
    kind: str
    low: float | str | None = None
    high: float | str | None = None
    start: float | None = None
    until: float | None = None
    tolerance: float | None = None
    description: str = ""
    where: Any = None

    def text(self) -> str:
        def show(v: Any) -> str:
            return f"{v:g}" if isinstance(v, float) else str(v)

        if self.kind == "within":
            what = f"stays within [{show(self.low)}, {show(self.high)}]"
        elif self.kind == "at_least":
            what = f"stays at or above {show(self.low)}"
        elif self.kind == "at_most":
            what = f"never exceeds {show(self.high)}"
        elif self.kind == "equals":
            what = f"equals {show(self.low)}"
        else:
            what = f"reaches zero within {show(self.low)} and stays there"
        window = ""
        if self.start is not None or self.until is not None:
            window = f" from {show(self.start) if self.start is not None else 'the start'}" + (
                f" to {show(self.until)}" if self.until is not None else "")
        return f"{self.variable} {what}{window}"


@dataclass
class RealityCheck:
    """A condition (``set``: constant -> value, from time ``start`` on when given) and
    the behaviours it implies."""

    name: str
    set: dict[str, float] = field(default_factory=dict)
    start: float | None = None
    behaviours: list[Behaviour] = field(default_factory=list)
    description: str = ""
    where: Any = None


@dataclass
class Violation:
    holds: bool
    time: float = math.nan
    value: float = math.nan
    bound: float = math.nan
    element: str = ""
    message: str = ""


@dataclass
class CheckOutcome:
    """The result of one check: ``holds`` and, per behaviour, the first violation."""

    check: RealityCheck
    results: list[tuple[Behaviour, Violation]]
    error: str = ""

    @property
    def holds(self) -> bool:
        return not self.error and all(v.holds for _, v in self.results)


class RealityReport:
    """Every check's outcome: ``passed`` (all hold), ``outcomes``, ``failed`` (the
    names of checks that do not hold), ``to_frame()`` (one row per behaviour) and a
    readable ``str()``."""

    def __init__(self, model: Any, outcomes: list[CheckOutcome]) -> None:
        self.model = model
        self.outcomes = outcomes

    @property
    def passed(self) -> bool:
        return all(o.holds for o in self.outcomes)

    @property
    def failed(self) -> list[str]:
        return [o.check.name for o in self.outcomes if not o.holds]

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for o in self.outcomes:
            if o.error:
                rows.append({"check": o.check.name, "behaviour": "the model runs under the condition",
                             "holds": False, "time": math.nan, "value": math.nan, "bound": math.nan, "element": "",
                             "message": o.error})
            for b, v in o.results:
                rows.append({"check": o.check.name, "behaviour": b.text(), "holds": v.holds, "time": v.time,
                             "value": v.value, "bound": v.bound, "element": v.element, "message": v.message})
        return pd.DataFrame(rows, columns=["check", "behaviour", "holds", "time", "value", "bound", "element",
                                           "message"])

    def __str__(self) -> str:
        held = sum(o.holds for o in self.outcomes)
        lines = [f"reality checks of {self.model.name}: {held} of {len(self.outcomes)} hold"]
        for o in self.outcomes:
            condition = ", ".join(f"{k} = {v:g}" for k, v in o.check.set.items()) or "as the scenario runs"
            if o.check.start is not None:
                condition += f" from {o.check.start:g}"
            lines.append(f"{'PASS' if o.holds else 'FAIL'}  {o.check.name}: {condition}")
            if o.error:
                lines.append(f"      the model does not run under this condition: {o.error}")
            for b, v in o.results:
                mark = "ok  " if v.holds else "FAIL"
                lines.append(f"      {mark} {b.text()}" + ("" if v.holds else f": {v.message}"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<h2sim RealityReport {self.model.name!r}: {len(self.outcomes) - len(self.failed)} of " \
               f"{len(self.outcomes)} hold>"


# --- reading the section ----------------------------------------------------------------------
def read_checks(section: Any) -> list[RealityCheck]:
    """The checks of a ``reality_checks:`` section (a mapping name -> check, or a list
    of checks with ``name:``), validated; errors point at the entry's line."""
    from .data import _fail, _unknown_key

    value = section.value
    if isinstance(value, Mapping):
        items = [(str(k), v, (str(k),)) for k, v in value.items()]
    elif isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            if not isinstance(v, Mapping) or "name" not in v:
                raise section.error("each reality check in a list needs `name:`", i)
            items.append((str(v["name"]), {k: x for k, x in v.items() if k != "name"}, (i,)))
    else:
        raise section.error("expected a mapping of named checks (name: {set, from, expect})")
    checks = []
    for name, spec, path in items:
        where = (section, path)
        if not isinstance(spec, Mapping):
            raise section.error("a reality check is a mapping: set, from, expect, description", *path)
        for key in spec:
            if key not in CHECK_KEYS:
                raise section.error(_unknown_key(key, CHECK_KEYS), *path, key)
        settings = spec.get("set") or {}
        if not isinstance(settings, Mapping):
            raise section.error("`set:` maps constants or levers to the values the condition gives them", *path, "set")
        values = {}
        for constant, number in settings.items():
            values[str(constant)] = _number(number, section, (*path, "set", str(constant)))
        start = None if spec.get("from") is None else _number(spec["from"], section, (*path, "from"))
        if "expect" not in spec:
            raise _fail("a reality check needs `expect:`, the behaviour the condition implies", where)
        expect = spec["expect"]
        entries = [(expect, (*path, "expect"))] if isinstance(expect, Mapping) else \
            [(e, (*path, "expect", i)) for i, e in enumerate(expect)] if isinstance(expect, list) else None
        if not entries:
            raise section.error("`expect:` is a behaviour or a list of them", *path, "expect")
        behaviours = [_behaviour(entry, section, at) for entry, at in entries]
        checks.append(RealityCheck(name=name, set=values, start=start, behaviours=behaviours,
                                   description=str(spec.get("description") or ""), where=where))
    return checks


def _number(value: Any, section: Any, path: tuple) -> float:
    if isinstance(value, bool):
        raise section.error(f"expected a number, found {value!r}", *path)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise section.error(f"expected a number, found {value!r}", *path) from None
    if not math.isfinite(number):
        raise section.error(f"expected a finite number, found {value!r}", *path)
    return number


def _bound(value: Any, section: Any, path: tuple) -> float | str | None:
    """A number, a variable name, or None (no bound)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value.strip()
    return _number(value, section, path)


def _behaviour(spec: Any, section: Any, path: tuple) -> Behaviour:
    from .data import _unknown_key

    if not isinstance(spec, Mapping):
        raise section.error("a behaviour is a mapping: variable and one of " + ", ".join(BEHAVIOURS), *path)
    for key in spec:
        if key not in BEHAVIOUR_KEYS:
            raise section.error(_unknown_key(key, BEHAVIOUR_KEYS), *path, key)
    if "variable" not in spec:
        raise section.error("a behaviour needs `variable:`", *path)
    kinds = [k for k in BEHAVIOURS if k in spec]
    if len(kinds) != 1:
        raise section.error(f"give exactly one of {', '.join(BEHAVIOURS)}", *path)
    kind = kinds[0]
    low = high = None
    if kind == "within":
        pair = spec["within"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise section.error("`within:` is [low, high]; a bound may be null (none) or a variable name",
                                *path, "within")
        low, high = _bound(pair[0], section, (*path, "within")), _bound(pair[1], section, (*path, "within"))
        if isinstance(low, float) and isinstance(high, float) and low > high:
            raise section.error(f"`within:` needs low <= high, found [{low:g}, {high:g}]", *path, "within")
    elif kind == "at_least":
        low = _bound(spec[kind], section, (*path, kind))
    elif kind == "at_most":
        high = _bound(spec[kind], section, (*path, kind))
    elif kind == "equals":
        low = high = _bound(spec[kind], section, (*path, kind))
    else:
        low = _number(spec[kind], section, (*path, kind))
        if low < 0:
            raise section.error("`zero_within:` is a time span, 0 or more", *path, kind)
    start = None if spec.get("from") is None else _number(spec["from"], section, (*path, "from"))
    until = None if spec.get("until") is None else _number(spec["until"], section, (*path, "until"))
    tolerance = None if spec.get("tolerance") is None else _number(spec["tolerance"], section, (*path, "tolerance"))
    if tolerance is not None and tolerance < 0:
        raise section.error("`tolerance:` must not be negative", *path, "tolerance")
    return Behaviour(variable=str(spec["variable"]).strip(), kind=kind, low=low, high=high, start=start, until=until,
                     tolerance=tolerance, description=str(spec.get("description") or ""), where=(section, path))


# --- running them ---------------------------------------------------------------------------------
def check_reality(model: Any, checks: Sequence[RealityCheck] | None = None,
                  names: Sequence[str] | None = None) -> RealityReport:
    """Runs the reality checks of ``model`` (its ``reality_checks:`` section, or
    ``checks``), or only those named in ``names``; returns a :class:`RealityReport`.
    Raises ScenarioError for checks that name unknown constants or variables, and
    when there are none to run."""
    from .. import arguments

    model = arguments.model(model)
    if checks is None:
        section = model.section("reality_checks")
        if section is None:
            raise ScenarioError(f"{model.file}: declares no reality checks (add a `reality_checks:` section, "
                                "docs/calibration.md)", file=model.file)
        checks = read_checks(section)
    if names is not None:
        known = {c.name for c in checks}
        for name in names:
            if name not in known:
                raise ScenarioError(f"no reality check named `{name}`; the model declares: {', '.join(sorted(known))}")
        checks = [c for c in checks if c.name in set(names)]
    for check in checks:
        _check_names(model, check)
    return RealityReport(model, [_run_check(model, check) for check in checks])


def _fail_at(where: Any, message: str) -> Exception:
    if where is None:
        return ScenarioError(message)
    section, path = where
    return section.error(message, *path)


def _variables(model: Any) -> dict[str, str]:
    return {_h2sim.canonical_name(n): n for n in model.variables.index}


def _check_names(model: Any, check: RealityCheck) -> None:
    from .data import _suggest

    known = _variables(model)
    constants = {_h2sim.canonical_name(n) for n in model.parameters.index}
    bases = {_h2sim.canonical_name(n.split("[", 1)[0]) for n in model.parameters.index}
    levers = {_h2sim.canonical_name(lever["name"]) for lever in model.levers}
    for name in check.set:
        key = _h2sim.canonical_name(name.replace(" ", ""))
        base = _h2sim.canonical_name(name.split("[", 1)[0].strip())
        if key in constants or base in bases or (base in levers and "[" not in name):
            continue
        if base in known:
            raise _fail_at(_at(check.where, "set", name), f"`{name}` is computed by an equation; a reality check "
                                                          "sets constants and levers")
        raise _fail_at(_at(check.where, "set", name),
                       f"the model has no constant `{name}`{_suggest(name.split('[', 1)[0], known)}")
    for b in check.behaviours:
        for name in [b.variable] + [v for v in (b.low, b.high) if isinstance(v, str)]:
            base = _h2sim.canonical_name(name.split("[", 1)[0].strip())
            if base not in known:
                raise _fail_at(_at(b.where, "variable"),
                               f"the model has no variable `{name}`{_suggest(name.split('[', 1)[0], known)}")


def _at(where: Any, *path: Any) -> Any:
    if where is None:
        return None
    section, base = where
    return (section, (*base, *path))


def _condition(model: Any, check: RealityCheck) -> dict[str, Any]:
    """Run parameters for the condition: its numbers (a lever the scenario schedules holds
    the number for the whole run). With ``from``, each holds from then on and the scenario
    runs as it is before (a lever setting ``{"from": time, "value": v}``)."""
    t = model.time
    if check.start is None or check.start <= t["start"]:
        return dict(check.set)
    variables = model.variables
    for name in check.set:
        base = name.split("[", 1)[0].strip()
        if "[" in name:
            raise _fail_at(_at(check.where, "set", name), "a condition from a time sets a whole variable; name it "
                                                          "without [element]")
        if base in variables.index and list(variables.loc[base, "dimensions"] or []):
            raise _fail_at(_at(check.where, "set"), "a condition from a time sets scalar constants or levers")
    return {name.strip(): {"from": check.start, "value": value} for name, value in check.set.items()}


def _run_check(model: Any, check: RealityCheck) -> CheckOutcome:
    columns = list(dict.fromkeys([b.variable for b in check.behaviours] +
                                 [v for b in check.behaviours for v in (b.low, b.high) if isinstance(v, str)]))
    try:
        params = _condition(model, check)
        frame = model.run(params=params, return_columns=columns, save_every=model.time["dt"])
    except Error as error:
        if isinstance(error, ScenarioError) and error.file:
            raise
        return CheckOutcome(check, [], error=str(error))
    results = [(b, _evaluate(b, check, frame)) for b in check.behaviours]
    return CheckOutcome(check, results)


def _columns_of(frame: pd.DataFrame, name: str) -> dict[str, np.ndarray]:
    """Element -> values of a variable in a run ('' for a scalar)."""
    key = _h2sim.canonical_name(name.replace(" ", ""))
    out = {}
    for column in frame.columns:
        c = _h2sim.canonical_name(str(column).replace(" ", ""))
        if c == key:
            out[""] = frame[column].to_numpy(dtype=float)
        elif c.startswith(key + "[") and "[" not in key:
            out[str(column)[str(column).index("[") + 1: -1]] = frame[column].to_numpy(dtype=float)
    return out


def _evaluate(b: Behaviour, check: RealityCheck, frame: pd.DataFrame) -> Violation:
    times = frame.index.to_numpy(dtype=float)
    values = _columns_of(frame, b.variable)
    start = b.start if b.start is not None else (check.start if check.start is not None else times[0])
    until = b.until if b.until is not None else times[-1]
    if b.kind == "zero_within":
        start = start + float(b.low)
    window = (times >= start - 1e-9) & (times <= until + 1e-9)
    if not window.any():  # it passed, testing nothing: a time after the run (from: 1e300), say
        if b.start is not None and b.start > times[-1] + 1e-9:
            where, time = _at(b.where, "from"), b.start
        elif b.start is None and check.start is not None and check.start > times[-1] + 1e-9:
            where, time = _at(check.where, "from"), check.start
        elif b.until is not None and b.until < times[0] - 1e-9:
            where, time = _at(b.where, "until"), b.until
        else:
            where, time = b.where, None
        span = f"the run ({times[0]:g} to {times[-1]:g})"
        raise _fail_at(where, f"time {time:g} is outside {span}" if time is not None else
                       f"the window from {start:g} to {until:g} holds no saved time of {span}")
    first: Violation | None = None
    for element, v in values.items():
        scale = float(np.max(np.abs(v))) if len(v) else 0.0
        if b.kind == "zero_within":
            tol = b.tolerance if b.tolerance is not None else 1e-3 * scale
            low_bound, high_bound = np.full_like(v, -tol), np.full_like(v, tol)
            tolerance = 0.0
        else:
            tolerance = b.tolerance if b.tolerance is not None else 1e-9 * (1.0 + scale)
            low_bound = _reference(b.low, frame, element, v, -np.inf)
            high_bound = _reference(b.high, frame, element, v, np.inf)
        below = window & (v < low_bound - tolerance)
        above = window & (v > high_bound + tolerance)
        bad = below | above | (window & ~np.isfinite(v))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            bound = low_bound[k] if below[k] else high_bound[k]
            if first is None or times[k] < first.time:
                label = f"[{element}]" if element else ""
                relation = "below" if below[k] else "above"
                message = f"first at {times[k]:g}: {b.variable}{label} = {v[k]:.6g}, {relation} {bound:.6g}"
                first = Violation(False, time=float(times[k]), value=float(v[k]), bound=float(bound),
                                  element=element, message=message)
    return first or Violation(True)


def _reference(bound: float | str | None, frame: pd.DataFrame, element: str, v: np.ndarray,
               default: float) -> np.ndarray:
    if bound is None:
        return np.full_like(v, default)
    if isinstance(bound, float):
        return np.full_like(v, bound)
    other = _columns_of(frame, bound)
    if "" in other:
        return other[""]
    if element in other:
        return other[element]
    raise ScenarioError(f"`{bound}` has no element `{element}` to compare with")
