"""What an exploration varies: uncertainties (with their distributions and correlated groups)
and levers (with the values a policy may give them).

Both come from the model by default: a constant with ``range:`` or ``distribution:`` is an
uncertainty, a constant with ``lever:`` a lever (``lever: {range: [low, high]}`` or
``lever: {options: [...]}`` say which values a policy may take). A scenario's
``uncertainties:`` section adds, replaces, drops and correlates uncertainties without
editing the model (docs/exploration.md); Python callers may pass the same specifications.

Only what ``Model.run_batch`` can set per run can vary: constants, and levers the scenario
schedules. A number sets a scheduled lever for the whole run unless its declaration says
how else (``from: 2023``: from then on, the schedule before; ``change: scale`` or ``shift``:
a factor on the schedule, or a delay of its times); h2sim.trajectories has the rule. By
default the declared sets leave scheduled constants out: a study names them. Names are
checked here, before anything runs, with errors located in the file.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _h2sim
from ..trajectories import check_form, describe_form

DISTRIBUTIONS = ("uniform", "normal", "lognormal", "triangular")
#: The keys each distribution type reads (besides ``type``).
DISTRIBUTION_KEYS = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
                     "normal": ("mean", "sd", "low", "high"), "lognormal": ("mean", "sd", "low", "high")}
_UNIFORM_EDGE = 1e-12  # quantiles of unbounded distributions are taken inside (edge, 1 - edge)


# --- distributions -------------------------------------------------------------------------
@dataclass(frozen=True)
class Distribution:
    """A one-dimensional distribution, as the model files declare them.

    ``kind`` is uniform (low, high), normal (mean, sd, optional low/high truncation),
    lognormal (mean and sd of the logarithm, optional low/high truncation of the value) or
    triangular (low, mode, high). :meth:`ppf` maps quantiles in [0, 1] to values.
    """

    kind: str
    low: float = -math.inf
    high: float = math.inf
    mode: float = math.nan
    mean: float = math.nan
    sd: float = math.nan

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    def _frozen(self):
        from scipy import stats

        if self.kind == "normal":
            return stats.norm(loc=self.mean, scale=self.sd)
        if self.kind == "lognormal":
            return stats.lognorm(s=self.sd, scale=math.exp(self.mean))
        if self.kind == "triangular":
            width = self.high - self.low
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` (truncation applied: the quantiles of the truncated
        distribution)."""
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.low + (self.high - self.low) * u
        if self.kind == "triangular":
            return self._frozen().ppf(u)
        frozen = self._frozen()
        lo = frozen.cdf(self.low) if math.isfinite(self.low) else 0.0
        hi = frozen.cdf(self.high) if math.isfinite(self.high) else 1.0
        q = lo + (hi - lo) * u
        q = np.clip(q, lo if lo > 0 else _UNIFORM_EDGE, hi if hi < 1 else 1 - _UNIFORM_EDGE)
        return frozen.ppf(q)

    def to_scipy(self):
        """A frozen scipy.stats distribution (truncation ignored), for the EMA adapter."""
        return self._frozen()

    def describe(self) -> str:
        if self.kind == "uniform":
            return f"uniform {self.low:g} to {self.high:g}"
        if self.kind == "triangular":
            return f"triangular {self.low:g}, {self.mode:g}, {self.high:g}"
        text = f"{self.kind} mean {self.mean:g} sd {self.sd:g}"
        if math.isfinite(self.low) or math.isfinite(self.high):
            text += f" within [{self.low:g}, {self.high:g}]"
        return text

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"type": self.kind}
        for key in ("low", "high", "mode", "mean", "sd"):
            value = getattr(self, key)
            if math.isfinite(value):
                out[key] = value
        return out


def distribution_from(spec: Any, what: str = "distribution") -> Distribution:
    """A Distribution from ``[low, high]`` (uniform), ``{type: ..., ...}`` (the YAML form)
    or a Distribution. Raises ValueError with what is wrong."""
    if isinstance(spec, Distribution):
        return spec
    if isinstance(spec, (list, tuple)) and len(spec) == 2 and not isinstance(spec, str):
        low, high = _number(spec[0], what), _number(spec[1], what)
        if not low < high:
            raise ValueError(f"{what}: expected [low, high] with low < high")
        return Distribution("uniform", low=low, high=high)
    if not isinstance(spec, Mapping):
        raise ValueError(f"{what}: expected [low, high] or {{type: ..., ...}}")
    unknown = set(spec) - {"type", "low", "high", "mode", "mean", "sd"}
    if unknown:
        raise ValueError(f"{what}: unknown key `{sorted(unknown)[0]}`; expected type, low, high, mode, mean, sd")
    kind = str(spec.get("type", "")).lower()
    if kind not in DISTRIBUTIONS:
        raise ValueError(f"{what}: `type:` must be one of {', '.join(DISTRIBUTIONS)}")
    unused = [k for k in spec if k != "type" and k not in DISTRIBUTION_KEYS[kind]]
    if unused:  # a key the type does not read (mean: on a uniform) was silently ignored
        raise ValueError(f"{what}: a {kind} distribution does not use `{unused[0]}`; it takes "
                         f"{', '.join(DISTRIBUTION_KEYS[kind])}")

    def need(key: str) -> float:
        if key not in spec or spec[key] is None:
            raise ValueError(f"{what}: a {kind} distribution needs `{key}:`")
        return _number(spec[key], f"{what}.{key}")

    def optional(key: str, default: float) -> float:
        return _number(spec[key], f"{what}.{key}") if spec.get(key) is not None else default

    if kind == "uniform":
        d = Distribution("uniform", low=need("low"), high=need("high"))
        if not d.low < d.high:
            raise ValueError(f"{what}: uniform: low must be below high")
    elif kind == "triangular":
        d = Distribution("triangular", low=need("low"), mode=need("mode"), high=need("high"))
        if not (d.low <= d.mode <= d.high and d.low < d.high):
            raise ValueError(f"{what}: triangular: need low <= mode <= high and low < high")
    else:
        d = Distribution(kind, mean=need("mean"), sd=need("sd"), low=optional("low", -math.inf),
                         high=optional("high", math.inf))
        if not d.sd > 0:
            raise ValueError(f"{what}: {kind}: sd must be positive")
        if not d.low < d.high:
            raise ValueError(f"{what}: {kind}: low must be below high")
        if kind == "lognormal":
            _check_lognormal(d, what)
    return d


def _check_lognormal(d: Distribution, what: str) -> None:
    """A lognormal whose values overflow a float (exp(800)): sampling it failed with "math
    range error" and no location. ``mean`` and ``sd`` are of the logarithm, a common slip."""
    from scipy import stats

    largest = math.log(sys.float_info.max)  # about 709.8
    reach = d.mean + float(stats.norm.isf(_UNIFORM_EDGE)) * d.sd  # the largest quantile sampled
    if d.mean > largest or (not math.isfinite(d.high) and reach > largest):
        raise ValueError(f"{what}: lognormal: mean {d.mean:g} and sd {d.sd:g} are those of the logarithm, and "
                         f"exp({reach:.4g}) overflows a float (values up to about 1e308 only): give the "
                         "log-scale mean and sd (e.g. mean: 6.68 for a median of 800), or a `high:` bound")


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a number, found {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected a number, found {value!r}") from None
    if math.isnan(number):
        raise ValueError(f"{what}: expected a number, found NaN")
    return number


# --- uncertainties and levers --------------------------------------------------------------
@dataclass(frozen=True)
class Uncertainty:
    """An uncertain constant: its name (as ``run_batch`` takes it) and distribution."""

    name: str
    distribution: Distribution
    units: str = ""
    source: str = ""
    # How a draw sets a scheduled lever (h2sim.trajectories.check_form); (): the value.
    form: tuple = ()

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.distribution.ppf(u)


@dataclass(frozen=True)
class CorrelatedGroup:
    """Uncertainties sampled with a rank correlation (a Gaussian copula): ``members`` and
    the Spearman rank correlation matrix between them."""

    name: str
    members: tuple[str, ...]
    rank_correlation: np.ndarray = field(compare=False)

    def normal_correlation(self) -> np.ndarray:
        """The correlation of the normal scores that gives these rank correlations
        (Pearson's r = 2 sin(pi rho_s / 6) for a Gaussian copula)."""
        return 2.0 * np.sin(np.pi * self.rank_correlation / 6.0)


@dataclass(frozen=True)
class Lever:
    """A policy lever: a constant a policy sets, and the values it may take (a range, a
    list of options, or any value when the model does not say)."""

    name: str
    value: float
    low: float | None = None
    high: float | None = None
    options: tuple[float, ...] = ()
    units: str = ""
    # How a value sets a scheduled lever (h2sim.trajectories.check_form); (): the value.
    form: tuple = ()

    @property
    def has_domain(self) -> bool:
        return bool(self.options) or self.low is not None

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Lever values at points of [0, 1]: linear over the range, or an option each."""
        u = np.asarray(u, dtype=float)
        if self.options:
            index = np.minimum((u * len(self.options)).astype(int), len(self.options) - 1)
            return np.asarray(self.options, dtype=float)[index]
        if self.low is None:
            raise ValueError(f"lever `{self.name}` declares no values to sample: declare "
                             "`lever: {range: [low, high]}` or `lever: {options: [...]}` in the model, "
                             "or pass levers= or explicit policies")
        return self.low + (self.high - self.low) * u

    def levels(self, count: int = 3) -> list[float]:
        """The values a full factorial takes: the options, or ``count`` evenly spaced
        points over the range (ends included)."""
        if self.options:
            return list(self.options)
        if self.low is None:
            raise ValueError(f"lever `{self.name}` declares no values: give its levels explicitly")
        if count == 1:
            return [(self.low + self.high) / 2]
        return [self.low + (self.high - self.low) * i / (count - 1) for i in range(count)]

    def describe(self) -> str:
        how = f" ({describe_form(self.form)})" if self.form else ""
        if self.options:
            return "options " + ", ".join(f"{o:g}" for o in self.options) + how
        if self.low is not None:
            return f"{self.low:g} to {self.high:g}" + how
        return "any value" + how


@dataclass
class Space:
    """The uncertainties of a study (in sampling order) and their correlated groups."""

    uncertainties: list[Uncertainty]
    groups: list[CorrelatedGroup] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.uncertainties]

    def __len__(self) -> int:
        return len(self.uncertainties)

    def __getitem__(self, name: str) -> Uncertainty:
        for u in self.uncertainties:
            if u.name == name:
                return u
        raise KeyError(name)


# --- reading them from a model ---------------------------------------------------------------
class _Settable:
    """Which names run_batch can set on this model, and why a name cannot be set."""

    def __init__(self, model) -> None:
        self.model = model
        self.variables = model.variables
        self.canonical = {_h2sim.canonical_name(n): n for n in self.variables.index}
        parameters = model.parameters
        self.parameter_names = {_h2sim.canonical_name(n): n for n in parameters.index}
        self.parameters = parameters
        self.scheduled = {_h2sim.canonical_name(l["name"]): l for l in model.levers
                          if l.get("kind") != "constant"}

    def name(self, text: str) -> str:
        """The model's spelling of a settable constant (or ``name[element]``); raises
        ValueError saying why ``text`` cannot vary per run."""
        key = _h2sim.canonical_name(text.split("[", 1)[0])
        if "[" in text:
            full = _h2sim.canonical_name(text.replace(" ", ""))
            for canon, original in self.parameter_names.items():
                if canon.replace(" ", "") == full:
                    return original
        elif key in self.canonical and key in self.parameter_names:
            return self.canonical[key]
        elif key in self.canonical and key not in self.scheduled \
                and any(p.split("[", 1)[0] == key for p in self.parameter_names):
            return self.canonical[key]  # an arrayed constant: one value sets every element
        if key in self.canonical:
            # A lever the scenario schedules, or anything else the program can say why not.
            try:
                self.model._targets(text)
            except Exception as error:
                raise ValueError(f"`{text}` {getattr(error, 'message', '') or error}") from None
            return text if "[" in text else self.canonical[key]
        close = difflib.get_close_matches(key, list(self.canonical), n=1)
        hint = f" (did you mean `{self.canonical[close[0]]}`?)" if close else ""
        raise ValueError(f"`{text}`: no such constant in {self.model.name}{hint}")

    def units(self, name: str) -> str:
        base = name.split("[", 1)[0]
        if base in self.variables.index:
            return str(self.variables.loc[base, "units"] or "")
        return ""

    def value(self, name: str) -> float:
        """The scenario's value (a scheduled lever's at the start time)."""
        if name in self.parameters.index:
            return float(self.parameters.loc[name, "value"])
        first = [n for n in self.parameters.index if n.split("[", 1)[0] == name]
        if first:
            return float(self.parameters.loc[first[0], "value"])
        try:
            return self.model.trajectory(name).at(self.model.time["start"])
        except Exception:
            return math.nan

    def is_scheduled(self, name: str) -> bool:
        try:
            return bool(self.model._targets(name)[1])
        except Exception:
            return False


def declared_space(model, uncertainties: Any = None) -> Space:
    """The uncertainties of a study on ``model``.

    ``uncertainties`` is None (the constants with ``range:``/``distribution:`` that are not
    levers, changed by the scenario's ``uncertainties:`` section), a list of names (a subset
    of those, or other constants that declare a range), a mapping name -> specification in
    the section's format (``[low, high]``, ``{distribution: {...}}``, ``{range: [...]}``,
    ``true``/``false``, or a group ``{members: [...], rank_correlation: r}``), or a Space.
    """
    if isinstance(uncertainties, Space):
        return uncertainties
    settable = _Settable(model)
    declared: dict[str, Uncertainty] = {}
    own: dict[str, Uncertainty] = {}  # every constant's own declaration, levers included
    for name, row in settable.variables.iterrows():
        u = row["uncertainty"]
        scheduled = _h2sim.canonical_name(name) in settable.scheduled
        if (row["kind"] != "constant" and not scheduled) or not u:
            continue
        try:
            settable_name = settable.name(name)
        except ValueError:
            continue  # bound by a component input: it cannot vary per run
        distribution = _from_engine(u)
        if distribution.kind == "lognormal":
            try:
                _check_lognormal(distribution, f"constant `{name}`: distribution")
            except ValueError as error:
                from ..errors import ScenarioError

                raise ScenarioError(f"{model.file or model.name}: {error}", file=model.file or "",
                                    variable=str(name)) from None
        item = Uncertainty(settable_name, distribution, str(row["units"] or ""), str(row["source"] or ""))
        own[settable_name] = item
        if not row["lever"] and not scheduled:  # a study names scheduled ones itself
            declared[settable_name] = item
    section = model.section("uncertainties")
    groups: list[CorrelatedGroup] = []
    if section is not None:
        declared, groups = _apply_section(section, declared, own, settable)
    if uncertainties is None:
        return Space(list(declared.values()), groups)
    if isinstance(uncertainties, str):
        uncertainties = [uncertainties]
    if isinstance(uncertainties, Mapping):
        spec = _PythonSection(uncertainties)
        chosen, chosen_groups = _apply_section(spec, {}, {**own, **declared}, settable)
        return Space(list(chosen.values()), chosen_groups)
    chosen = {}
    for item in uncertainties:
        if isinstance(item, Uncertainty):
            chosen[item.name] = item
            continue
        try:
            name = settable.name(str(item))
        except ValueError as error:
            raise ValueError(f"uncertainties: {error}") from None
        if name in declared:
            chosen[name] = declared[name]
        elif name in own:
            chosen[name] = own[name]
        else:
            raise ValueError(f"uncertainties: `{item}` declares no range or distribution; give one: "
                             f"uncertainties={{'{item}': [low, high]}}")
    kept = [g for g in groups if set(g.members) <= set(chosen)]
    return Space(list(chosen.values()), kept)


def _from_engine(u: Mapping) -> Distribution:
    return Distribution(str(u["type"]), low=float(u["low"]), high=float(u["high"]), mode=float(u["mode"]),
                        mean=float(u["mean"]), sd=float(u["sd"]))


class _PythonSection:
    """A mapping given in Python, read like a located section (errors name the key)."""

    name = "uncertainties"

    def __init__(self, value: Mapping) -> None:
        self.value = {str(k): (v if not isinstance(v, tuple) else list(v)) for k, v in value.items()}

    def error(self, message: str, *path: Any) -> ValueError:
        where = ".".join(str(p) for p in ("uncertainties", *path))
        return ValueError(f"at `{where}`: {message}")


def _apply_section(section, declared: dict, own: dict, settable: _Settable):
    """Applies an ``uncertainties:`` section (located) to the declared set."""
    value = section.value
    if not isinstance(value, Mapping):
        raise section.error("expected a mapping: constant -> range, distribution, true/false, or "
                            "group name -> {members: [...], rank_correlation: ...}")
    declared = dict(declared)
    group_specs = []
    for key, spec in value.items():
        if isinstance(spec, Mapping) and "members" in spec:
            group_specs.append((key, spec))
            continue
        try:
            name = settable.name(str(key))
        except ValueError as error:
            raise section.error(str(error), key) from None
        if spec is False:
            declared.pop(name, None)
            continue
        form = ()
        if isinstance(spec, Mapping) and {"from", "change"} & set(spec):
            try:
                form = check_form(spec, str(key))
            except ValueError as error:
                raise section.error(str(error), key) from None
            if form and not settable.is_scheduled(name):
                raise section.error(f"`{name}` is a constant the scenario does not schedule: `from:` and `change:` "
                                    "apply to scheduled levers", key)
        if spec is True or spec is None or (isinstance(spec, Mapping) and not {"range", "distribution"} & set(spec)):
            extra = set(spec) - {"description", "source", "from", "change"} if isinstance(spec, Mapping) else set()
            if extra:
                raise section.error(f"unknown key `{sorted(extra)[0]}`; expected range, distribution, from, "
                                    "change, description, source (or members and rank_correlation for a group)", key)
            if name not in own:
                raise section.error(f"`{name}` declares no range or distribution in the model; give "
                                    "`range: [low, high]` or `distribution: {...}` here", key)
            declared[name] = _with_form(own[name], form)
            continue
        if isinstance(spec, list):
            spec = {"range": spec}
        if not isinstance(spec, Mapping):
            raise section.error("expected [low, high], {range: ...}, {distribution: ...}, true or false", key)
        extra = set(spec) - {"range", "distribution", "description", "source", "from", "change"}
        if extra:
            raise section.error(f"unknown key `{sorted(extra)[0]}`; expected range, distribution, from, "
                                "change, description, source (or members and rank_correlation for a group)", key)
        if "range" in spec and "distribution" in spec:
            raise section.error("give either `range:` or `distribution:`, not both", key)
        part = "range" if "range" in spec else "distribution"
        try:
            dist = distribution_from(spec[part], what=part)
        except ValueError as error:
            raise section.error(str(error), key, part) from None
        source = str(spec.get("source", "") or (own[name].source if name in own else ""))
        declared[name] = Uncertainty(name, dist, "" if form and dict(form).get("change") else settable.units(name),
                                     source, form)
    groups = []
    in_group: dict[str, str] = {}
    for key, spec in group_specs:
        extra = set(spec) - {"members", "rank_correlation", "description", "source"}
        if extra:
            raise section.error(f"unknown key `{sorted(extra)[0]}`; a correlated group has members, "
                                "rank_correlation, description, source", key)
        if str(key) in settable.canonical or _h2sim.canonical_name(str(key)) in settable.canonical:
            raise section.error(f"`{key}` names a variable; give the correlated group another name", key)
        members = spec["members"]
        if not isinstance(members, list) or len(members) < 2:
            raise section.error("`members:` must list at least two uncertainties", key, "members")
        names = []
        for i, member in enumerate(members):
            try:
                name = settable.name(str(member))
            except ValueError as error:
                raise section.error(str(error), key, "members", i) from None
            if name not in declared:
                raise section.error(f"`{member}` is not an uncertainty of this study (declare its range first)",
                                    key, "members", i)
            if name in in_group or name in names:
                raise section.error(f"`{member}` is already in group `{in_group.get(name, key)}`", key, "members", i)
            names.append(name)
        if "rank_correlation" not in spec:
            raise section.error("a correlated group needs `rank_correlation:` (a number or a matrix)", key)
        try:
            matrix = _correlation_matrix(spec["rank_correlation"], len(names))
        except ValueError as error:
            raise section.error(str(error), key, "rank_correlation") from None
        for name in names:
            in_group[name] = key
        groups.append(CorrelatedGroup(str(key), tuple(names), matrix))
    return declared, groups


def _with_form(u: Uncertainty, form: tuple) -> Uncertainty:
    if not form:
        return u
    return Uncertainty(u.name, u.distribution, u.units, u.source, form)


def _correlation_matrix(spec: Any, n: int) -> np.ndarray:
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        r = float(spec)
        if not -1 < r < 1:
            raise ValueError("a rank correlation must lie strictly between -1 and 1")
        matrix = np.full((n, n), r)
        np.fill_diagonal(matrix, 1.0)
    else:
        try:
            matrix = np.asarray(spec, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("expected a number or a square matrix of numbers") from None
        if matrix.shape != (n, n):
            raise ValueError(f"expected a {n} x {n} matrix (one row per member)")
        if not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1):
            raise ValueError("the matrix must be symmetric with ones on the diagonal")
    normal = 2.0 * np.sin(np.pi * matrix / 6.0)
    if np.linalg.eigvalsh(normal).min() <= 1e-10:
        raise ValueError("the correlations are inconsistent (the matrix is not positive definite)")
    return matrix


def declared_levers(model, levers: Any = None) -> list[Lever]:
    """The levers of a study on ``model``: the constants marked ``lever:`` that can vary
    per run (None), a list of names, or a mapping name -> ``(low, high)``, a list of
    options, ``{"range": [...]}`` or ``{"options": [...]}``."""
    settable = _Settable(model)
    variables = settable.variables
    found: dict[str, Lever] = {}
    scheduled: dict[str, Lever] = {}  # levers the scenario schedules: a study names them
    for name, row in variables.iterrows():
        is_scheduled = _h2sim.canonical_name(name) in settable.scheduled
        if (row["kind"] != "constant" and not is_scheduled) or not row["lever"]:
            continue
        try:
            settable_name = settable.name(name)
        except ValueError:
            continue  # bound by a component input
        lever = _lever(settable, settable_name, row.get("lever_domain"))
        (scheduled if is_scheduled else found)[settable_name] = lever
    if levers is None:
        return list(found.values())
    if isinstance(levers, str):
        levers = [levers]
    chosen = []
    if isinstance(levers, Mapping):
        for key, spec in levers.items():
            try:
                name = settable.name(str(key))
            except ValueError as error:
                raise ValueError(f"levers: {error}") from None
            if isinstance(spec, tuple) and len(spec) == 2:
                spec = {"range": list(spec)}
            elif isinstance(spec, (list, np.ndarray)):
                spec = {"options": list(spec)}
            if spec is not None and not isinstance(spec, Mapping):
                raise ValueError(f"levers: `{key}`: expected (low, high), a list of options, "
                                 "{'range': [...]} or {'options': [...]}")
            chosen.append(_lever(settable, name, spec))
        return chosen
    for item in levers:
        if isinstance(item, Lever):
            chosen.append(item)
            continue
        try:
            name = settable.name(str(item))
        except ValueError as error:
            raise ValueError(f"levers: {error}") from None
        chosen.append(found.get(name) or scheduled.get(name) or _lever(settable, name, None))
    return chosen


def _lever(settable: _Settable, name: str, domain: Mapping | None) -> Lever:
    units, value = settable.units(name), settable.value(name)
    form = ()
    if domain and {"from", "change"} & set(domain):
        form = check_form(domain, f"levers: `{name}`")
        if not settable.is_scheduled(name):
            raise ValueError(f"levers: `{name}` is a constant the scenario does not schedule: `from` and `change` "
                             "apply to scheduled levers")
        if dict(form).get("change"):
            units = ""  # a factor or a delay, not the lever's own units
        domain = {k: v for k, v in domain.items() if k not in ("from", "change")}
    if not domain:
        return Lever(name, value, units=units, form=form)
    unknown = set(domain) - {"range", "options"}
    if unknown or len(domain) != 1:
        raise ValueError(f"levers: `{name}`: expected {{'range': [low, high]}} or {{'options': [...]}} "
                         "(with `from` or `change` for a scheduled lever)")
    if "range" in domain:
        low, high = (float(x) for x in domain["range"])
        if not low < high:
            raise ValueError(f"levers: `{name}`: expected a range [low, high] with low < high")
        return Lever(name, value, low=low, high=high, units=units, form=form)
    options = tuple(float(x) for x in domain["options"])
    if not options or len(set(options)) != len(options):
        raise ValueError(f"levers: `{name}`: give distinct options")
    return Lever(name, value, options=options, units=units, form=form)


def settable_name(model, text: str) -> str:
    """The model's spelling of a constant that run_batch can set; ValueError otherwise."""
    return _Settable(model).name(text)


def trajectory_name(model, text: str) -> str:
    """The model's spelling of a constant or lever that a trajectory (a pandas Series, a
    schedule, h2sim.trajectories) can drive; ValueError otherwise."""
    return _Settable(model).name(text)


def check_no_overlap(uncertainty_names: Sequence[str], lever_names: Sequence[str]) -> None:
    both = sorted(set(uncertainty_names) & set(lever_names))
    if both:
        raise ValueError(f"`{both[0]}` is both an uncertainty and a lever in this study; a policy sets it, "
                            "so leave it out of the uncertainties (uncertainties: {name: false})")
