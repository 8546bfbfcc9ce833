"""Exploratory modelling on h2sim models: sampling, exploration, sensitivity, robustness,
scenario discovery, and an EMA Workbench adapter (docs/exploration.md).

Everything here sits above the Python API and runs models only through
:meth:`h2sim.Model.run_batch`, so that an executor (concurrent.futures, Dask) can ship the
same work elsewhere.
"""

from __future__ import annotations

from .explore import Exploration, explore, open_exploration
from .outcomes import Outcome
from .parameters import CorrelatedGroup, Distribution, Lever, Space, Uncertainty
from .prim import Discovery, discover
from .robustness import benchmark, regret, satisficing
from .samplers import factorial
from .sensitivity import Sensitivity, sensitivity



def check_declarations(model) -> None:
    """Checks the model's ``outcomes:`` and ``uncertainties:`` sections against the model
    (what ``h2sim check`` does): raises ScenarioError at the first bad entry, with its file
    and line."""
    from . import outcomes as _outcomes
    from .parameters import declared_space

    if model.section("outcomes") is not None:
        _outcomes.resolve(model)
    if model.section("uncertainties") is not None:
        declared_space(model)


__all__ = ["check_declarations", "Exploration", "explore", "open_exploration", "Outcome", "Distribution", "Uncertainty",
           "CorrelatedGroup", "Lever", "Space", "factorial", "sensitivity", "Sensitivity", "benchmark",
           "satisficing", "regret", "discover", "Discovery"]
