"""h2sim: system-dynamics scenarios of the hydrogen industry.

    >>> import h2sim
    >>> model = h2sim.load("scenarios/examples/bass_diffusion.yaml")
    >>> df = model.run(params={"p": 0.05})            # pandas DataFrame, indexed by time
    >>> ds = model.run_batch(table)                   # xarray Dataset (run, time)

See ``h2sim.Model`` for the API (``h2sim.trajectories`` for what a run may give a lever),
``h2sim.plot`` / ``h2sim.plot_comparison`` for charts,
``h2sim.explore_widget`` for an interactive explorer in notebooks, ``h2sim.report`` for a
self-contained HTML report, and ``h2sim.calibrate`` / ``h2sim.check_reality``
(``h2sim.calibration``) for fitting to data and reality checks; ``h2sim.explore``, ``h2sim.sensitivity``,
``h2sim.robustness`` and ``h2sim.discover`` for exploratory modelling under uncertainty
(docs/exploration.md).
"""

from __future__ import annotations

from . import _h2sim, results
from .errors import (ArgumentError, ArgumentTypeError, Error, FileError, ModelError, ParseError, ScenarioError,
                     SimulationError, WriteError)
from .model import Model, load
from .plot import plot, plot_comparison
from .targets import Target, read_targets
from .trajectories import Trajectory
from .analysis import (Discovery, Exploration, Outcome, Sensitivity, benchmark, discover, explore, factorial,
                       open_exploration, regret, satisficing, sensitivity)
from .analysis import benchmark as robustness
from .arguments import api as _api

# Every public function: a bad argument is an h2sim.ArgumentError (a ValueError) or
# ArgumentTypeError (a TypeError), never a bare one from pandas or scipy underneath.
plot, plot_comparison, read_targets = _api(plot), _api(plot_comparison), _api(read_targets)
explore, open_exploration, factorial = _api(explore), _api(open_exploration), _api(factorial)
sensitivity, benchmark, robustness = _api(sensitivity), _api(benchmark), _api(robustness)
satisficing, regret, discover = _api(satisficing), _api(regret), _api(discover)

__version__ = _h2sim.__version__


def canonical_name(name: str) -> str:
    """How h2sim compares names of variables, dimensions and elements: lower case, spaces
    and underscores alike ("Fleet Size" and "fleet_size" are one name)."""
    from .arguments import text

    return _h2sim.canonical_name(text(name, "name"))


def limits() -> dict[str, int]:
    """The limits on what h2sim reads and builds (nesting, sizes, steps, saved values), by the
    environment variable that raises each; docs/limits.md explains them."""
    return dict(_h2sim.limits())


def functions():
    """The builtin functions of the equation language (name, aliases, arguments, signature,
    description), from the same registry the compiler and the units checker read; one row
    per function, in the order of docs/functions.md."""
    import pandas as pd

    rows = _h2sim.builtin_functions()
    return pd.DataFrame(rows, columns=["name", "aliases", "min_arguments", "max_arguments", "bare",
                                       "signature", "description"]).set_index("name")


@_api
def explore_widget(model_or_scenario, levers=None, outputs=None, targets=None, continuous_update=True):
    """An interactive explorer (ipywidgets): a slider or schedule editor per lever, charts
    of the chosen outputs that follow them, with the scenario as loaded as a ghost line and
    the plan targets as stars, and a button that saves the settings as a scenario.
    See :func:`h2sim.widget.explore_widget`."""
    from .widget import explore_widget as explorer

    return explorer(model_or_scenario, levers=levers, outputs=outputs, targets=targets,
                    continuous_update=continuous_update)


@_api
def report(scenarios, path=None, **options):
    """A self-contained HTML report of one or more scenarios; see :func:`h2sim.reports.report`."""
    from .reports import report as make_report

    return make_report(scenarios, path, **options)


# The analysis tools import scipy; they load on first use, so that `import h2sim` stays quick.
canonical_name, limits, functions = _api(canonical_name), _api(limits), _api(functions)


_CALIBRATION = ("calibrate", "sample_posterior", "check_reality")


def __getattr__(name: str):
    if name in _CALIBRATION:
        from . import calibration

        return _api(getattr(calibration, name))
    raise AttributeError(f"module 'h2sim' has no attribute {name!r}")


__all__ = [
    "Error", "ModelError", "ParseError", "ScenarioError", "SimulationError", "ArgumentError", "ArgumentTypeError",
    "FileError", "WriteError",
    "limits",
    "Model", "load", "Trajectory", "canonical_name", "functions", "results", "plot", "plot_comparison", "Target",
    "read_targets", "explore_widget", "report", "calibrate", "sample_posterior", "check_reality",
    "__version__",
    "explore", "Exploration", "open_exploration", "Outcome", "factorial", "sensitivity", "Sensitivity",
    "robustness", "benchmark", "satisficing", "regret", "discover", "Discovery",
]
