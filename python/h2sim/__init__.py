"""h2sim: system-dynamics scenarios of the hydrogen industry.

    >>> import h2sim
    >>> model = h2sim.load("scenarios/examples/bass_diffusion.yaml")
    >>> df = model.run(params={"p": 0.05})            # pandas DataFrame, indexed by time
    >>> ds = model.run_batch(table)                   # xarray Dataset (run, time)

See ``h2sim.Model`` for the API and ``h2sim.plot`` / ``h2sim.plot_comparison`` for charts.
"""

from __future__ import annotations

from . import _h2sim
from .errors import Error, ModelError, ParseError, ScenarioError, SimulationError
from .model import Model, load
from .plot import plot, plot_comparison

__version__ = _h2sim.__version__

__all__ = [
    "Error", "ModelError", "ParseError", "ScenarioError", "SimulationError",
    "Model", "load", "plot", "plot_comparison", "__version__",
]
