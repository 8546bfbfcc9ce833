"""Named outcomes: what an exploration keeps of each run.

An outcome reduces one variable's trajectory to one number per run (or to a yes/no):

- a value at a time (``at: 2026``), linearly interpolated between saved times;
- a time aggregate over a window (``aggregate: integral | mean | min | max | change |
  final``, ``from:``, ``to:``), from the saved times (trapezoids for the integral);
- a first-passage time (``first_reaches: 5000`` or ``first_below: 10``): the time the
  variable first reaches the level, interpolated between saved times; ``never:`` (default
  NaN) when it does not within the window;
- a target: any of the above with ``at_least:`` and/or ``at_most:`` gives True or False;
- a combination of targets: ``all: [a, b]`` or ``any: [a, b]``;
- from Python also a function of the trajectory: ``Outcome("peak", variable="x",
  function=lambda x, t: x.max(axis=1))``.

``goal: maximize | minimize`` tells the robustness tools which way is better. Outcomes are
declared in a scenario's ``outcomes:`` section (docs/exploration.md), its ``targets:`` are
target outcomes too, or they are given in Python;
:func:`resolve` checks them against the model before anything runs and reports a bad entry
at its file and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import _h2sim

AGGREGATES = ("integral", "mean", "min", "max", "change", "final")
GOALS = {"maximize": "maximize", "maximise": "maximize", "max": "maximize",
         "minimize": "minimize", "minimise": "minimize", "min": "minimize"}
KEYS = ("variable", "at", "aggregate", "from", "to", "first_reaches", "first_below", "never", "at_least",
        "at_most", "all", "any", "goal", "units", "description")


@dataclass(frozen=True)
class Outcome:
    """One named outcome; see the module documentation for the kinds."""

    name: str
    variable: str | None = None
    at: float | None = None
    aggregate: str | None = None
    start: float | None = None  # `from:`
    end: float | None = None    # `to:`
    first_reaches: float | None = None
    first_below: float | None = None
    never: float = math.nan
    at_least: float | None = None
    at_most: float | None = None
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    function: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = field(default=None, compare=False)
    goal: str | None = None
    units: str = ""
    description: str = ""

    @property
    def is_target(self) -> bool:
        """True for outcomes that are True or False (targets and their combinations)."""
        return bool(self.all_of or self.any_of) or self.at_least is not None or self.at_most is not None

    @property
    def is_combination(self) -> bool:
        return bool(self.all_of or self.any_of)

    @property
    def kind(self) -> str:
        if self.is_combination:
            return "all" if self.all_of else "any"
        if self.function is not None:
            return "function"
        if self.first_reaches is not None or self.first_below is not None:
            return "first_passage"
        if self.at is not None:
            return "at"
        return self.aggregate or "final"

    def describe(self) -> str:
        """A short text: what the outcome measures."""
        if self.is_combination:
            text = (" and " if self.all_of else " or ").join(self.all_of or self.any_of)
        else:
            var = self.variable
            window = _window_text(self.start, self.end)
            kind = self.kind
            if kind == "function":
                text = f"f({var}){window}"
            elif kind == "first_passage":
                level = self.first_reaches if self.first_reaches is not None else self.first_below
                word = "reaches" if self.first_reaches is not None else "falls to"
                text = f"time {var} first {word} {level:g}{window}"
            elif kind == "at":
                text = f"{var} at {self.at:g}"
            else:
                text = f"{kind} of {var}{window}"
            if self.at_least is not None and self.at_most is not None:
                text += f" in [{self.at_least:g}, {self.at_most:g}]"
            elif self.at_least is not None:
                text += f" >= {self.at_least:g}"
            elif self.at_most is not None:
                text += f" <= {self.at_most:g}"
        return text


def _window_text(start, end) -> str:
    if start is None and end is None:
        return ""
    return f" from {'start' if start is None else format(start, 'g')} to {'stop' if end is None else format(end, 'g')}"


# --- reading declarations ------------------------------------------------------------------
class _Located:
    """Errors located in a YAML section, or naming the key for Python specifications."""

    def __init__(self, section=None) -> None:
        self.section = section

    def error(self, message: str, *path: Any) -> Exception:
        if self.section is not None:
            return self.section.error(message, *path)
        where = ".".join(str(p) for p in ("outcomes", *path))
        return ValueError(f"at `{where}`: {message}")


def from_spec(name: str, spec: Any, where: _Located | None = None) -> Outcome:
    """An Outcome from its YAML form (a mapping; or a variable name for its final value)."""
    where = where or _Located()
    if isinstance(spec, Outcome):
        return spec if spec.name == name else replace(spec, name=name)
    if isinstance(spec, str):
        spec = {"variable": spec}
    if not isinstance(spec, Mapping):
        raise where.error("expected a mapping such as {variable: fleet, at: 2026}", name)
    for key in spec:
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise where.error(f"unknown key `{key}`{hint}; expected one of: {', '.join(KEYS)}", name, key)

    def number(key: str, allow_nan: bool = False) -> float | None:
        if key not in spec or spec[key] is None:
            return math.nan if allow_nan and key in spec else None
        value = spec[key]
        if isinstance(value, str) and allow_nan and value.strip().lower() in (".nan", "nan"):
            return math.nan
        if isinstance(value, bool):
            raise where.error(f"expected a number, found {value!r}", name, key)
        try:
            result = float(value)
        except (TypeError, ValueError):
            raise where.error(f"expected a number, found {value!r}", name, key) from None
        if math.isnan(result) and not allow_nan:
            raise where.error("expected a number, found NaN", name, key)
        return result

    def names(key: str) -> tuple[str, ...]:
        value = spec[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise where.error("expected a list of outcome names", name, key)
        return tuple(value)

    combination = [k for k in ("all", "any") if k in spec]
    if len(combination) == 2:
        raise where.error("give `all:` or `any:`, not both", name)
    if combination:
        others = set(spec) - {"all", "any", "description", "goal", "units"}
        if others:
            raise where.error(f"`{combination[0]}:` combines other targets; `{sorted(others)[0]}:` does not "
                              "belong here", name, sorted(others)[0])
        key = combination[0]
        return Outcome(name, all_of=names(key) if key == "all" else (), any_of=names(key) if key == "any" else (),
                       goal="maximize", description=str(spec.get("description", "") or ""))
    if "variable" not in spec or not isinstance(spec["variable"], str) or not spec["variable"].strip():
        raise where.error("an outcome needs `variable:` (or `all:`/`any:` to combine targets)", name)
    kinds = [k for k in ("at", "aggregate", "first_reaches", "first_below") if k in spec]
    if len(kinds) > 1:
        raise where.error(f"give one of `at:`, `aggregate:`, `first_reaches:`, `first_below:` (found "
                          f"{' and '.join('`' + k + ':`' for k in kinds)})", name, kinds[1])
    aggregate = None
    if "aggregate" in spec:
        aggregate = str(spec["aggregate"]).strip().lower()
        if aggregate not in AGGREGATES:
            raise where.error(f"unknown aggregate `{spec['aggregate']}`; expected one of: {', '.join(AGGREGATES)}",
                              name, "aggregate")
    if "at" in spec and ("from" in spec or "to" in spec):
        raise where.error("`at:` is one time; `from:` and `to:` belong to aggregates and first passages", name,
                          "from" if "from" in spec else "to")
    start, end = number("from"), number("to")
    if start is not None and end is not None and not start < end:
        raise where.error(f"`from:` ({start:g}) must be before `to:` ({end:g})", name, "to")
    goal = None
    if "goal" in spec and spec["goal"] is not None:
        goal = GOALS.get(str(spec["goal"]).strip().lower())
        if goal is None:
            raise where.error(f"unknown goal `{spec['goal']}`; expected maximize or minimize", name, "goal")
    if "never" in spec and not {"first_reaches", "first_below"} & set(spec):
        raise where.error("`never:` is the value of a first passage that does not happen; it needs "
                          "`first_reaches:` or `first_below:`", name, "never")
    never = number("never", allow_nan=True)
    outcome = Outcome(
        name, variable=spec["variable"].strip(), at=number("at"), aggregate=aggregate, start=start, end=end,
        first_reaches=number("first_reaches"), first_below=number("first_below"),
        never=math.nan if never is None else never, at_least=number("at_least"), at_most=number("at_most"),
        goal=goal, units=str(spec.get("units", "") or ""), description=str(spec.get("description", "") or ""))
    if outcome.at_least is not None and outcome.at_most is not None and not outcome.at_least <= outcome.at_most:
        raise where.error("`at_least:` must not be above `at_most:`", name, "at_most")
    return outcome


def declared(model) -> dict[str, Outcome]:
    """The outcomes the model's files declare (``outcomes:``), and their plan targets
    (``targets:``, docs/scenario-format.md#targets) as target outcomes of the same name
    (an outcome of that name wins), unchecked against the model."""
    out: dict[str, Outcome] = {}
    section = model.section("outcomes")
    if section is not None:
        value = section.value
        where = _Located(section)
        if not isinstance(value, Mapping):
            raise section.error("expected a mapping: outcome name -> {variable: ..., at: ...}")
        out = {str(name): from_spec(str(name), spec, where) for name, spec in value.items()}
    if model.section("targets") is not None:
        from ..targets import read_targets

        for target in read_targets(model):
            if target.name not in out:
                bound = {"at_least": target.value} if target.kind == "at_least" else {"at_most": target.value}
                out[target.name] = Outcome(target.name, variable=target.variable, at=target.time,
                                           description=target.label, **bound)
    return out


def resolve(model, outcomes: Any = None, run_start: float | None = None,
            run_stop: float | None = None) -> list[Outcome]:
    """The outcomes of a study, checked against the model.

    ``outcomes``: None (every outcome the files declare), a list of names (declared
    outcomes, or variables: their value at the stop time), a mapping name -> spec (the YAML
    form or an Outcome), or Outcome objects. Raises ScenarioError (located, for declared
    outcomes) or ValueError (for Python specifications) naming the outcome and what is wrong.
    """
    section = model.section("outcomes")
    known = declared(model)
    where_declared = _Located(section)
    if outcomes is None:
        if not known:
            raise ValueError(f"{model.name} declares no outcomes: add an `outcomes:` (or `targets:`) section to "
                             "the scenario (docs/exploration.md) or pass outcomes=[...]")
        chosen = dict(known)
        located = {name: where_declared for name in chosen}
    else:
        if isinstance(outcomes, (str, Outcome)):
            outcomes = [outcomes]
        items = outcomes.items() if isinstance(outcomes, Mapping) else [
            (o.name, o) if isinstance(o, Outcome) else (str(o), None) for o in outcomes]
        chosen, located = {}, {}
        for name, spec in items:
            if spec is None:
                if name in known:
                    chosen[name], located[name] = known[name], where_declared
                else:
                    chosen[name], located[name] = Outcome(name, variable=name), _Located()
            else:
                chosen[name], located[name] = from_spec(name, spec), _Located()
        # combinations may name declared outcomes that were not asked for: bring them in
        pending = [n for o in chosen.values() for n in (*o.all_of, *o.any_of)]
        while pending:
            name = pending.pop()
            if name not in chosen and name in known:
                chosen[name], located[name] = known[name], where_declared
                pending += [*known[name].all_of, *known[name].any_of]
    time = model.time
    start = time["start"] if run_start is None else run_start
    stop = time["stop"] if run_stop is None else run_stop
    variables = model.variables
    canonical = {_h2sim.canonical_name(v): v for v in variables.index}
    checked = []
    for name, outcome in chosen.items():
        where = located[name]
        if outcome.is_combination:
            for i, other in enumerate((*outcome.all_of, *outcome.any_of)):
                if other not in chosen:
                    raise where.error(f"`{other}` is not an outcome of this study", name,
                                      "all" if outcome.all_of else "any", i)
                if not chosen[other].is_target:
                    raise where.error(f"`{other}` is not a target (give it `at_least:` or `at_most:`)", name,
                                      "all" if outcome.all_of else "any", i)
            checked.append(outcome)
            continue
        column = _check_variable(outcome.variable, variables, canonical, where, name)
        for key, t in (("at", outcome.at), ("from", outcome.start), ("to", outcome.end)):
            if t is not None and not (start - 1e-9 <= t <= stop + 1e-9):
                raise where.error(f"time {t:g} is outside the run ({start:g} to {stop:g})", name, key)
        units = outcome.units or _units(outcome, str(variables.loc[column.split("[", 1)[0], "units"] or ""),
                                        time.get("units", "") or "")
        checked.append(replace(outcome, variable=column, units=units))
    _check_cycles(chosen, located)
    return _ordered(checked)


def _check_variable(text: str, variables, canonical: dict, where: _Located, name: str) -> str:
    base, bracket, rest = text.partition("[")
    key = _h2sim.canonical_name(base.strip())
    if key not in canonical:
        import difflib

        close = difflib.get_close_matches(key, list(canonical), n=1)
        hint = f" (did you mean `{canonical[close[0]]}`?)" if close else ""
        raise where.error(f"unknown variable `{base.strip()}`{hint}", name, "variable")
    original = canonical[key]
    dims = variables.loc[original, "dimensions"] or []
    if dims and not bracket:
        raise where.error(f"`{original}` is arrayed over {', '.join(dims)}: name one element "
                          f"(`{original}[...]`) or a total variable", name, "variable")
    if bracket and not dims:
        raise where.error(f"`{original}` is not arrayed", name, "variable")
    if bracket:
        elements = [e.strip() for e in rest.rstrip().rstrip("]").split(",")]
        if len(elements) != len(dims):
            raise where.error(f"`{original}` needs {len(dims)} element name(s)", name, "variable")
        return f"{original}[{', '.join(elements)}]"
    return original


def _units(outcome: Outcome, units: str, time_units: str) -> str:
    if outcome.is_target:
        return "dimensionless"
    kind = outcome.kind
    if kind == "first_passage":
        return time_units
    if kind == "function":
        return ""
    if kind == "integral":
        if units.endswith("/" + time_units):
            return units[: -len(time_units) - 1]
        return f"{units}*{time_units}" if units else ""
    return units


def _check_cycles(chosen: dict[str, Outcome], located: dict) -> None:
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            loop = path[path.index(name):] + [name]
            raise located[name].error(f"targets combine each other in a loop: {' -> '.join(loop)}", name)
        state[name] = 1
        for other in (*chosen[name].all_of, *chosen[name].any_of):
            visit(other, [*path, name])
        state[name] = 2

    for name in chosen:
        visit(name, [])


def _ordered(outcomes: list[Outcome]) -> list[Outcome]:
    """Combinations after what they combine (their order of evaluation)."""
    done: list[Outcome] = []
    names: set[str] = set()
    pending = list(outcomes)
    while pending:
        for o in pending:
            if all(n in names for n in (*o.all_of, *o.any_of)):
                done.append(o)
                names.add(o.name)
                pending.remove(o)
                break
    return done


def columns_needed(outcomes: Sequence[Outcome]) -> list[str]:
    seen: list[str] = []
    for o in outcomes:
        if o.variable and o.variable not in seen:
            seen.append(o.variable)
    return seen


# --- evaluating them -------------------------------------------------------------------------
def _element_key(name: str) -> str:
    return re.sub(r",_*", ",", _h2sim.canonical_name(name.replace(" ", "")))


def extract(dataset, column: str) -> np.ndarray:
    """The (run, time) values of ``column`` (``name`` or ``name[element]``) in a run_batch
    Dataset."""
    base = column.split("[", 1)[0]
    names = {_h2sim.canonical_name(str(n)): n for n in dataset.data_vars}
    var = dataset[names[_h2sim.canonical_name(base)]]
    if "[" not in column:
        return var.transpose("run", "time").to_numpy()
    if "element" in var.dims:
        wanted = _element_key(column)
        labels = [_element_key(str(e)) for e in var["element"].to_numpy()]
        return var.isel(element=labels.index(wanted)).transpose("run", "time").to_numpy()
    extra = [d for d in var.dims if d not in ("run", "time")]
    if not extra:
        return var.transpose("run", "time").to_numpy()
    elements = [e.strip() for e in column.split("[", 1)[1].rstrip("]").split(",")]
    selection = {}
    for dim, element in zip(extra, elements):
        labels = [_h2sim.canonical_name(str(e)) for e in var[dim].to_numpy()]
        selection[dim] = labels.index(_h2sim.canonical_name(element))
    return var.isel(selection).transpose("run", "time").to_numpy()


def value_at(x: np.ndarray, times: np.ndarray, t: float) -> np.ndarray:
    """Values at time ``t``: the saved value when ``t`` was saved, else linear between the
    saved times around it."""
    hit = np.nonzero(np.abs(times - t) <= 1e-9 * max(1.0, abs(t)))[0]
    if len(hit):
        return x[:, hit[0]].copy()
    i = int(np.searchsorted(times, t))
    i = min(max(i, 1), len(times) - 1)
    w = (t - times[i - 1]) / (times[i] - times[i - 1])
    return x[:, i - 1] + w * (x[:, i] - x[:, i - 1])


def _window(x: np.ndarray, times: np.ndarray, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    tol = 1e-9 * max(1.0, abs(start), abs(end))
    inside = (times > start + tol) & (times < end - tol)
    tt = np.concatenate([[start], times[inside], [end]])
    xx = np.concatenate([value_at(x, times, start)[:, None], x[:, inside], value_at(x, times, end)[:, None]], axis=1)
    return tt, xx


def _first_passage(x: np.ndarray, times: np.ndarray, level: float, above: bool, never: float) -> np.ndarray:
    hit = x >= level if above else x <= level
    reached = hit.any(axis=1)
    i = hit.argmax(axis=1)
    out = np.full(x.shape[0], never, dtype=float)
    first = reached & (i == 0)
    out[first] = times[0]
    later = reached & (i > 0)
    rows = np.nonzero(later)[0]
    if len(rows):
        j = i[rows]
        x0, x1 = x[rows, j - 1], x[rows, j]
        t0, t1 = times[j - 1], times[j]
        w = np.where(x1 != x0, (level - x0) / np.where(x1 != x0, x1 - x0, 1.0), 1.0)
        out[rows] = t0 + w * (t1 - t0)
    return out


def evaluate(outcomes: Sequence[Outcome], data: Mapping[str, np.ndarray], times: np.ndarray) -> dict[str, np.ndarray]:
    """Every outcome for a block of runs: ``data`` maps each column to (run, time) values."""
    times = np.asarray(times, dtype=float)
    out: dict[str, np.ndarray] = {}
    for o in outcomes:
        if o.is_combination:
            parts = [out[n] for n in (o.all_of or o.any_of)]
            out[o.name] = np.logical_and.reduce(parts) if o.all_of else np.logical_or.reduce(parts)
            continue
        x = data[o.variable]
        start = times[0] if o.start is None else o.start
        end = times[-1] if o.end is None else o.end
        kind = o.kind
        if kind == "function":
            tt, xx = _window(x, times, start, end) if (o.start is not None or o.end is not None) else (times, x)
            value = np.asarray(o.function(xx, tt), dtype=float).reshape(x.shape[0])
        elif kind == "at":
            value = value_at(x, times, o.at)
        elif kind == "first_passage":
            tt, xx = _window(x, times, start, end)
            above = o.first_reaches is not None
            value = _first_passage(xx, tt, o.first_reaches if above else o.first_below, above, o.never)
        elif kind == "final":
            value = value_at(x, times, end)
        elif kind == "change":
            value = value_at(x, times, end) - value_at(x, times, start)
        else:
            tt, xx = _window(x, times, start, end)
            if kind == "min":
                value = xx.min(axis=1)
            elif kind == "max":
                value = xx.max(axis=1)
            else:
                integral = _trapezoid(xx, tt)
                value = integral if kind == "integral" else integral / (end - start)
        if o.is_target:
            met = np.ones(value.shape, dtype=bool)
            if o.at_least is not None:
                met &= value >= o.at_least
            if o.at_most is not None:
                met &= value <= o.at_most
            out[o.name] = met
        else:
            out[o.name] = np.asarray(value, dtype=float)
    return out


def _trapezoid(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    dx = np.diff(x)
    return ((y[:, 1:] + y[:, :-1]) * 0.5 * dx).sum(axis=1)
