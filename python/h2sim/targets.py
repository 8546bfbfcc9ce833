"""Plan targets: the ``targets:`` section of model and scenario files.

A target is the value a variable should reach at a time, with where it comes from::

    targets:
      fleet_2025:
        variable: fcev_fleet_total
        time: 2026            # the end of 2025
        value: 5000
        label: 2025 plan, 5,000 FCEVs
        source: Zhejiang hydrogen industry plan (2021), section 3
      stations_2025: {variable: stations_operating_total, time: 2026, value: 50}

The section is a mapping of names to targets (a later file of an ``extends:`` chain replaces
a target of the same name) or a list of targets. Charts mark targets and reports tabulate
them beside the outputs (:func:`h2sim.explore_widget`, :func:`h2sim.report`)::

    for target in h2sim.read_targets(model):
        print(target.label, target.status(model.run()))

A bad entry is an :class:`h2sim.ScenarioError` at the file and line that wrote it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _h2sim
from .errors import ArgumentError, ArgumentTypeError

#: The keys a target may have; ``variable``, ``time`` and ``value`` are required.
TARGET_KEYS = ("variable", "time", "value", "kind", "label", "source")
KINDS = ("at_least", "at_most")

_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


@dataclass(frozen=True)
class Target:
    """One plan target: ``variable`` (a name or ``name[element]``) should be at least (or at
    most, ``kind="at_most"``) ``value`` at ``time``."""

    name: str
    variable: str
    time: float
    value: float
    kind: str = "at_least"
    label: str = ""
    source: str = ""
    where: tuple = field(default=("", 0, 0), compare=False)

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", f"{self.variable} at {self.time:g}")

    def reached(self, result: pd.DataFrame) -> float | None:
        """The variable's value at the target's time in a run (a DataFrame from
        ``Model.run``), interpolated linearly between saved times; None when the run does
        not report the variable or does not cover the time."""
        from . import arguments

        arguments.frame(result, "Target.reached: result")
        if self.variable not in result.columns:
            return None
        times = np.asarray(result.index, dtype=float)
        if len(times) == 0 or self.time < times[0] - 1e-9 or self.time > times[-1] + 1e-9:
            return None
        return float(np.interp(self.time, times, result[self.variable].to_numpy(dtype=float)))

    def met(self, result: pd.DataFrame) -> bool | None:
        """Whether the run meets the target (None when it cannot tell: see :meth:`reached`)."""
        from . import arguments

        arguments.frame(result, "Target.met: result")
        got = self.reached(result)
        if got is None:
            return None
        return got >= self.value if self.kind == "at_least" else got <= self.value

    def status(self, result: pd.DataFrame) -> str:
        """'met', 'not met' or 'not in the run'."""
        met = self.met(result)
        return "not in the run" if met is None else ("met" if met else "not met")


def read_targets(model: Any, extra: Iterable[Target | Mapping[str, Any]] | None = None) -> list[Target]:
    """The targets the model's and scenario's files declare (``targets:``), checked against
    the model, followed by ``extra`` targets (Target objects or dicts with the same keys).

    Raises :class:`h2sim.ScenarioError` at the line of a bad entry: an unknown key, a
    missing ``variable``/``time``/``value``, a value that is not a number, an unknown
    variable or element, an unknown ``kind``.
    """
    from . import arguments

    model = arguments.model(model)
    names = _known_columns(model)
    out: list[Target] = []
    section = model.section("targets")
    if section is not None:
        value = section.value
        if isinstance(value, Mapping):
            entries = [(str(k), (str(k),), v) for k, v in value.items()]
        elif isinstance(value, list):
            entries = [(None, (i,), v) for i, v in enumerate(value)]
        else:
            raise section.error("expected a mapping of target names to targets, or a list of targets")
        for name, path, spec in entries:
            out.append(_parse(spec, name, path, names, section.error, section.where(*path)))
    if extra is not None and (isinstance(extra, (str, bytes, Mapping, Target)) or not hasattr(extra, "__iter__")):
        single = " (one target: put it in a list, extra=[{...}])" if isinstance(extra, (Mapping, Target)) else ""
        raise ArgumentTypeError(f"read_targets: extra must be a list of targets (Target objects, or dicts with "
                                f"`variable`, `time` and `value`), not {type(extra).__name__}{single}")
    for i, item in enumerate(extra or ()):
        if isinstance(item, Target):
            _check_variable(item.variable, names, lambda m, *p: ArgumentError(f"read_targets: target {item.name!r}: {m}"))
            out.append(item)
        elif not isinstance(item, Mapping):
            raise ArgumentTypeError(f"read_targets: extra[{i}] must be a Target or a dict with `variable`, `time` "
                                    f"and `value`, not {type(item).__name__}")
        else:
            def error(message, *_path, i=i):
                return ArgumentError(f"read_targets: extra[{i}]: {message}")
            out.append(_parse(dict(item), item.get("name") if isinstance(item, Mapping) else None, (i,), names,
                              error, ("", 0, 0)))
    return out


def markers(targets: Sequence[Target]) -> dict[str, list[tuple]]:
    """Targets as ``plot_comparison``'s ``targets=`` argument: variable -> [(time, value, label)]."""
    out: dict[str, list[tuple]] = {}
    for t in targets:
        out.setdefault(t.variable, []).append((t.time, t.value, t.label))
    return out


# --- checking an entry --------------------------------------------------------------------------
def _parse(spec: Any, name: str | None, path: tuple, names: dict, error, where) -> Target:
    if not isinstance(spec, Mapping):
        raise error("a target is a mapping with `variable:`, `time:` and `value:`", *path)
    for key in spec:
        if key not in TARGET_KEYS and key != "name":
            hint = _did_you_mean(str(key), TARGET_KEYS)
            raise error(f"unknown key `{key}`{hint}; expected one of: {', '.join(TARGET_KEYS)}", *path, key)
    for key in ("variable", "time", "value"):
        if key not in spec or spec[key] is None:
            raise error(f"a target needs `{key}:`", *path)
    variable = spec["variable"]
    if not isinstance(variable, str) or not variable.strip():
        raise error("`variable:` names a variable, e.g. fcev_fleet_total or fcev_fleet[bus]", *path, "variable")
    variable = _check_variable(variable.strip(), names, lambda m: error(m, *path, "variable"))
    time = _number(spec["time"], lambda m: error(m, *path, "time"))
    value = _number(spec["value"], lambda m: error(m, *path, "value"))
    kind = spec.get("kind", "at_least")
    if kind not in KINDS:
        raise error(f"unknown kind `{kind}`; expected one of: {', '.join(KINDS)}", *path, "kind")
    label = spec.get("label")
    source = spec.get("source")
    return Target(name=name or str(spec.get("name") or f"{variable}@{time:g}"), variable=variable, time=time,
                  value=value, kind=kind, label="" if label is None else str(label),
                  source="" if source is None else str(source), where=where)


def _number(value: Any, error) -> float:
    if isinstance(value, bool):
        raise error(f"expected a number, found {str(value).lower()}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.match(value):
        number = float(value)
    else:
        found = "a mapping" if isinstance(value, Mapping) else "a list" if isinstance(value, list) else repr(value)
        raise error(f"expected a number, found {found}")
    if not math.isfinite(number):
        raise error("expected a finite number")
    return number


def _known_columns(model: Any) -> dict:
    """Canonical variable name -> (name as written, dimensions), and the model's dimensions."""
    variables = model.variables
    by_name = {_h2sim.canonical_name(n): (n, list(d or [])) for n, d in zip(variables.index, variables["dimensions"])}
    return {"variables": by_name, "dimensions": model.dimensions}


def _check_variable(text: str, names: dict, error) -> str:
    """Checks a `name` or `name[element, ...]` against the model; returns it as written."""
    base, bracket, rest = text.partition("[")
    key = _h2sim.canonical_name(base.strip())
    if key not in names["variables"]:
        hint = _did_you_mean(base.strip(), [n for n, _ in names["variables"].values()])
        raise error(f"unknown variable `{base.strip()}`{hint}")
    written, dims = names["variables"][key]
    if not bracket:
        if dims:
            raise error(f"`{written}` is arrayed over {', '.join(dims)}: name one element, "
                        f"e.g. {written}[{names['dimensions'][dims[0]][0]}]")
        return text
    if not rest.endswith("]"):
        raise error(f"`{text}`: expected name[element]")
    elements = [e.strip() for e in rest[:-1].split(",")]
    if len(elements) != len(dims):
        raise error(f"`{written}` has {len(dims)} dimension(s), the target names {len(elements)} element(s)")
    for element, dim in zip(elements, dims):
        known = names["dimensions"][dim]
        if _h2sim.canonical_name(element) not in {_h2sim.canonical_name(k) for k in known}:
            raise error(f"`{element}` is not an element of `{dim}`{_did_you_mean(element, known)}")
    return text


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
