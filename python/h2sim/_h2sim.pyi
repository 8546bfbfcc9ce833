"""Type stubs for the compiled core of h2sim (pybind11 module ``h2sim._h2sim``).

The pure-Python package (``h2sim.Model``) is the supported API; these few calls are what it
is built on. Times are in the model's time units (years unless the model says otherwise);
every value is in the units of its variable, listed beside it.

Errors raised here are the classes of :mod:`h2sim.errors` (``ParseError``,
``ScenarioError``, ``ModelError``, ``SimulationError``), carrying file, line, column,
variable and equation.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

__version__: str
"""The library version, as ``h2sim.__version__``."""

lane_block_width: int
"""How many runs (lanes) one instruction processes together in a batch."""

class UncertaintyDict(TypedDict):
    """A declared range of a constant, in the constant's units."""

    type: str  # "uniform", "normal", "triangular" or "lognormal"
    low: float
    high: float
    mode: float
    mean: float
    sd: float

class VariableDict(TypedDict):
    """One variable of a model, as ``Scenario.variables()`` lists it."""

    name: str
    kind: str  # "stock", "flow", "auxiliary" or "constant"
    equation: str  # stocks: the initial value; constants: the value as written
    units: str
    label: str  # the human name for charts and tables; "" when the file gives none
    description: str
    source: str
    basis: str  # "published", "calibrated", "assumption", or "" when the file gives none
    dimensions: list[str]
    lever: bool
    inflows: list[str]
    outflows: list[str]
    non_negative: bool
    file: str  # where it is defined; "" for models built in code
    line: int  # 1-based, 0 when unknown
    column: int  # 1-based, 0 when unknown
    uncertainty: UncertaintyDict | None

class TimeDict(TypedDict):
    start: float  # in `units`
    stop: float  # in `units`
    dt: float  # integration step, in `units`
    save_every: float  # interval between saved times, in `units`
    method: str  # "euler", "rk4", "dopri5" or "rosenbrock4"
    units: str  # the time unit, usually "year"

class LeverDict(TypedDict):
    name: str
    kind: str  # "constant", "step", "linear" or "ramp"
    times: list[float]  # in the model's time units (a ramp: start and end)
    values: list[float]  # in the lever's units (a ramp: from and to)
    before: float  # the constant's value the schedule replaced (a step holds it until its first time)

class Program:
    """A compiled model: immutable, shared freely between threads and runs."""

    @property
    def outputs(self) -> list[tuple[str, str, str]]:
        """Every reportable value as (name, variable, units); arrays give name[element]."""
    @property
    def parameters(self) -> list[tuple[str, float, str]]:
        """Every constant a run can set, as (name, value, units); arrays give name[element]."""
    @property
    def structural_parameters(self) -> list[str]:
        """The constants whose compiled value fixed the structure (an order of SMTHN or
        DELAYN): a run cannot change them; compile again instead."""
    @property
    def schedules(self) -> list[tuple[str, str, str, list[float], list[float], str]]:
        """Every table over time a run may replace (the levers the scenario schedules; arrays
        give name[element]), as (name, variable, units, times, values, "linear" or "step")."""
    def settable(self, name: str) -> tuple[list[int], list[int]]:
        """(indices into ``parameters``, indices into ``schedules``) that a run sets by
        ``name``. ModelError for anything else, saying what it is (an auxiliary, a flow, a
        stock) and which levers it depends on, at the variable's file and line."""
    @property
    def stock_count(self) -> int:
        """Number of state values (stocks after array expansion, plus the internal stocks of
        SMOOTH, DELAY and TREND)."""
    @property
    def instruction_count(self) -> int:
        """Number of instructions in the compiled program."""
    def run(
        self,
        overrides: Sequence[tuple[str, float]],
        start: float | None = None,
        stop: float | None = None,
        dt: float | None = None,
        save_every: float | None = None,
        method: str | None = None,
        outputs: Sequence[str] = ...,
        schedules: Sequence[tuple[str, npt.ArrayLike, npt.ArrayLike, str]] = ...,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[str], list[str]]:
        """One run with constants set by ``overrides`` ((name, value) pairs, in each
        constant's units; a scheduled lever then holds the value for the whole run) and
        lever tables by ``schedules`` ((name, times, values, "linear" or "step"); a time
        given twice is a jump). Time settings default to the model's (time units).

        Returns (times[time], values[time, output], names, units). Releases the GIL.
        """
    def run_batch(
        self,
        names: Sequence[str],
        table: npt.ArrayLike,
        start: float | None = None,
        stop: float | None = None,
        dt: float | None = None,
        save_every: float | None = None,
        method: str | None = None,
        outputs: Sequence[str] = ...,
        threads: int = 0,
        progress: Callable[[int, int], None] | None = None,
        schedules: Sequence[tuple[str, npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, Sequence[str], npt.ArrayLike]]
        = ...,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[str], list[str]]:
        """Many runs on the lanes: ``table[run, j]`` sets constant ``names[j]``; each of
        ``schedules`` is a lever's tables, (name, offsets, times, values, interpolations,
        lanes): table t has the points offsets[t]:offsets[t+1], run i reads table lanes[i]
        (empty: one table per run, or one for every run), after the numbers.

        ``threads=0`` uses every core. ``progress(done, total)`` is called now and then
        with the GIL held. Returns (times[time], values[run, time, output], names, units).
        """
    @property
    def backend(self) -> str:
        """``"interpreter"``, or ``"compiled"`` for machine code (:func:`build_native`)."""
    def prepare(
        self,
        outputs: Sequence[str] = ...,
        start: float | None = None,
        stop: float | None = None,
        dt: float | None = None,
        save_every: float | None = None,
        method: str | None = None,
    ) -> PreparedRun:
        """A single run with its outputs and time settings resolved once, for many calls."""

class PreparedRun:
    """A single run prepared once (h2sim::PreparedRun): names resolved, time grid made."""

    @property
    def names(self) -> list[str]: ...
    @property
    def units(self) -> list[str]: ...
    @property
    def times(self) -> npt.NDArray[np.float64]: ...
    def parameters(self, name: str) -> list[int]:
        """The parameter indices a constant's name sets (every element of an array)."""
    def settable(self, name: str) -> tuple[list[int], list[int]]:
        """(parameter indices, schedule indices) a name sets; ModelError for anything else."""
    def run(self, indices: Sequence[int] = ..., values: Sequence[float] = ...,
            schedules: Sequence[tuple[int, npt.ArrayLike, npt.ArrayLike, str]] = ...) -> npt.NDArray[np.float64]:
        """One run, values[k] for parameter indices[k] and, per (schedule index, times, values,
        'linear' or 'step'), that lever trajectory: values[time, output]. Releases the GIL."""

class Scenario:
    """A loaded scenario: its model, time settings, outputs and applied levers."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def file(self) -> str:
        """The scenario file it was loaded from."""
    @property
    def model_file(self) -> str:
        """The model file at the end of the scenario's ``extends`` chain."""
    def sections(self) -> tuple[dict[str, Any], dict[tuple, tuple[str, int, int]]]:
        """Analysis sections: (values by name, (file, line, column) by path tuple)."""
    @property
    def chain(self) -> list[str]:
        """The scenario files of the ``extends`` chain, from the first link to this one."""
    @property
    def outputs(self) -> list[str]:
        """Variables reported by default (all when empty)."""
    @property
    def warnings(self) -> list[str]:
        """Unit mismatches and other notes found while loading."""
    @property
    def parameters(self) -> list[tuple[str, float]]:
        """Constants the scenario sets, as (name, value) in each constant's units."""
    @property
    def levers(self) -> list[LeverDict]: ...
    @property
    def time(self) -> TimeDict: ...
    def copy(self) -> Scenario:
        """An independent copy (set_constant and set_time_schedule change only the copy)."""
    def variables(self) -> list[VariableDict]: ...
    def dimensions(self) -> dict[str, list[str]]:
        """Each dimension and its elements."""
    def set_constant(self, name: str, value: float, elements: Sequence[str] = ...) -> None:
        """Sets a constant (in its units); ``elements`` picks one element of an array.
        Raises ModelError for an unknown name."""
    def set_time_schedule(
        self, name: str, times: Sequence[float], values: Sequence[float], interpolation: str = "linear"
    ) -> None:
        """Drives a constant by a schedule over time (times in the model's time units,
        values in the constant's units); ``interpolation`` is "linear" or "step". Held
        constant beyond the ends."""
    def equations(self) -> str:
        """Every equation the model expands to, with units, descriptions and sources."""
    def dependency_graph(self) -> str:
        """The dependency graph as Graphviz DOT text."""
    def compile(self) -> Program:
        """Compiles the model; raises ModelError for unknown names, dimension errors and
        algebraic loops."""
    @property
    def program(self) -> Program | None:
        """The Program that loading compiled; None once the model has been changed."""
    def check(self, strict_units: bool = False) -> list[dict[str, Any]]:
        """Every problem found without running (severity, message, text, file, line,
        column, variable), errors first."""

def load_scenario(path: str, strict_units: bool = False) -> Scenario:
    """Loads a YAML scenario or model file, or an XMILE model."""

def parse_scenario(text: str, file: str, strict_units: bool = False) -> Scenario:
    """Parses scenario text; ``file`` names it in errors and resolves relative paths
    (``model:``, ``extends:``, components)."""

def schedule_table(
    kind: str, times: Sequence[float], values: Sequence[float], before: float, start: float
) -> tuple[list[float], list[float], str]:
    """The table a scenario's schedule (``kind`` constant, step, linear or ramp) runs as:
    (times, values, "linear" or "step"), by the rule the scenario files use; ``before`` is
    the value a step holds before its first time, ``start`` the model's start time."""

def canonical_name(name: str) -> str:
    """The name as the model compares names (case folded, spaces as underscores)."""

def unit_conversion_factor(from_units: str, to_units: str) -> float:
    """The factor that turns a value in ``from_units`` into one in ``to_units``
    (``"t/day"`` to ``"kg/year"`` is 365000); ModelError when the dimensions differ,
    ParseError when a unit does not parse."""

def canonical_element_name(name: str) -> str:
    """The same for a name with elements: "Fleet [ Heavy Truck ]" -> "fleet[heavy_truck]"."""

def builtin_functions() -> list[dict[str, Any]]:
    """The builtin functions of the equation language: name, aliases, min_arguments,
    max_arguments (-1: any number), bare, signature, description."""

def to_xmile(scenario: Scenario) -> str:
    """The scenario's model (overrides and levers applied) as XMILE 1.0 text."""

class NativeBuildDict(TypedDict):
    program: Program
    compiled: bool
    from_cache: bool
    failed: bool
    reason: str
    library: str
    compiler: str
    seconds: float

def build_native(program: Program, compiler: str = "", cache_dir: str = "") -> NativeBuildDict:
    """The program as machine code, built by the system's C compiler or found in the cache;
    where no compiler works, the interpreted program with the reason (docs/compiled.md)."""

def native_source(program: Program, standalone: bool = True, title: str = "") -> str:
    """The program as C: a standalone file for embedding, or the compiled backend's source."""

def math_functions_in_use() -> str:
    """Which SLEEF functions compute exp, log and pow on this processor."""
