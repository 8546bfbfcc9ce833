"""h2sim.sensitivity: which uncertainties matter, as Sobol or Morris indices (SALib).

    result = h2sim.sensitivity(model, "sobol", n=1024, seed=1)
    result.indices            # per outcome and uncertainty: S1, S1_conf, ST, ST_conf
    result.plot()             # bars with confidence intervals

Designs are drawn by SALib on the unit hypercube and mapped through each uncertainty's
quantile function, so any declared distribution can be analysed; the runs go through
:func:`h2sim.explore` (chunks, executors, seeds). Both methods assume independent inputs:
the rank correlations of correlated groups are dropped, with a warning.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .explore import Exploration, explore
from .parameters import Space, declared_space
from .samplers import streams

METHODS = ("sobol", "morris")


class Sensitivity:
    """The result of :func:`sensitivity`.

    - ``analysis``: ``"sobol"`` or ``"morris"``.
    - ``indices``: DataFrame indexed by (outcome, uncertainty). Sobol: ``S1``, ``S1_conf``,
      ``ST``, ``ST_conf`` (first and total order, with the half-width of their confidence
      interval); Morris: ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma`` (elementary effects
      per unit of quantile, see docs/exploration.md).
    - ``second_order``: dict outcome -> DataFrame of S2 (Sobol with ``second_order=True``).
    - ``exploration``: the runs (an :class:`Exploration`).
    """

    def __init__(self, analysis: str, indices: pd.DataFrame, second_order: dict, exploration: Exploration,
                 conf_level: float) -> None:
        self.analysis = analysis
        self.indices = indices
        self.second_order = second_order
        self.exploration = exploration
        self.conf_level = conf_level

    def __repr__(self) -> str:
        outcomes = self.indices.index.get_level_values(0).unique()
        count = len(self.indices.index.get_level_values(1).unique())
        return (f"<h2sim.Sensitivity {self.analysis}: {len(self.exploration)} runs, {count} uncertainties, "
                f"outcomes: {', '.join(outcomes)}>")

    def table(self, outcome: str | None = None) -> pd.DataFrame:
        """The indices of one outcome (default: the first), most influential first."""
        outcome = outcome or self.indices.index.get_level_values(0)[0]
        frame = self.indices.loc[outcome]
        key = "ST" if self.analysis == "sobol" else "mu_star"
        return frame.sort_values(key, ascending=False)

    def plot(self, outcome: str | None = None, ax=None):
        from .plots import plot_morris, plot_sobol

        return plot_sobol(self, outcome, ax=ax) if self.analysis == "sobol" else plot_morris(self, outcome, ax=ax)


def sensitivity(model, analysis: str = "sobol", n: int = 1024, outcomes: Any = None, uncertainties: Any = None,
                policy: dict | None = None, seed: Any = None, *, second_order: bool = False, num_levels: int = 4,
                conf_level: float = 0.95, num_resamples: int = 1000, executor=None, threads: int | None = None,
                chunk_size: int | None = None, progress: bool | None = None, **run_options) -> Sensitivity:
    """Sobol (``analysis="sobol"``) or Morris (``"morris"``) indices of every scalar outcome.

    - ``n``: Sobol: the base sample (a power of two; the runs are n * (D + 2), or
      n * (2D + 2) with ``second_order``); Morris: the number of trajectories (n * (D + 1)
      runs), for D uncertainties.
    - ``outcomes``, ``uncertainties``: as for :func:`h2sim.explore`; ``policy``: lever values
      held fixed in every run ({name: value}).
    - ``num_levels``: Morris grid levels; ``conf_level``, ``num_resamples``: the bootstrap
      confidence intervals; ``seed``: the design and the bootstrap.
    - ``executor``, ``threads``, ``chunk_size``, ``progress`` and time settings
      (``start=``, ``stop=``, ``method=`` for the integration method, ...): as for explore.
    """
    import h2sim

    model = h2sim.arguments.model(model)
    method = analysis.lower()
    if method not in METHODS:
        raise ValueError(f"unknown analysis {analysis!r}: use sobol or morris")
    if n < 2:
        raise ValueError(f"n must be at least 2, not {n}")
    space = declared_space(model, uncertainties)
    if policy:
        space = Space([u for u in space.uncertainties if u.name not in policy],
                      [g for g in space.groups if not set(g.members) & set(policy)])
    if len(space) < 1:
        raise ValueError(f"{model.name}: no uncertainties to analyse (declare ranges or pass uncertainties=)")
    if space.groups:
        names = ", ".join(f"`{g.name}`" for g in space.groups)
        warnings.warn(f"Sobol and Morris indices assume independent inputs: the rank correlation of {names} is "
                      "ignored here (explore keeps it)", UserWarning, stacklevel=2)
        space = Space(space.uncertainties, [])
    design_seed, analysis_seed = (int(s.integers(2**31 - 1)) for s in streams(seed, 2))
    problem = {"num_vars": len(space), "names": space.names, "bounds": [[0.0, 1.0]] * len(space)}
    h2sim.arguments.within_saved_values(runs_needed(method, int(n), len(space), second_order) * len(space),
                                        f"a {method} design of n = {n}")
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        if n & (n - 1):
            lower = 1 << max(1, int(n).bit_length() - 1)
            raise ValueError(f"n = {n}: Sobol designs need a power of two (e.g. {lower})")
        unit = sobol_sample.sample(problem, n, calc_second_order=second_order, scramble=True, seed=design_seed)
    else:
        from SALib.sample import morris as morris_sample

        unit = morris_sample.sample(problem, n, num_levels=num_levels, seed=design_seed)
        # grid ends at quantiles 0 and 1 are infinite for unbounded distributions: those
        # take the grid at the centres of num_levels equal bins instead
        for j, u in enumerate(space.uncertainties):
            if not u.distribution.bounded:
                unit[:, j] = (unit[:, j] * (num_levels - 1) + 0.5) / num_levels
    table = pd.DataFrame({u.name: u.ppf(unit[:, j]) for j, u in enumerate(space.uncertainties)})
    policies = {"policy": dict(policy)} if policy else None
    exploration = explore(model, scenarios=table, policies=policies, outcomes=outcomes, executor=executor,
                          threads=threads, chunk_size=chunk_size, progress=progress, uncertainties=space,
                          **run_options)
    exploration.uncertainties = space.names
    exploration.attrs.update({"analysis": method, "n": n, "seed": "" if seed is None else str(seed)})
    rows, second = [], {}
    for name in exploration.scalar_names:
        y = np.asarray(exploration.outcomes[name], dtype=float)
        bad = ~np.isfinite(y)
        if bad.any():
            raise ValueError(f"outcome `{name}` is not a finite number in {int(bad.sum())} of {len(y)} runs "
                             "(a first passage that never happens?): give it `never:` or leave it out")
        if method == "sobol":
            from SALib.analyze import sobol as sobol_analyze

            result = sobol_analyze.analyze(problem, y, calc_second_order=second_order, num_resamples=num_resamples,
                                           conf_level=conf_level, seed=analysis_seed)
            for j, u in enumerate(space.names):
                rows.append({"outcome": name, "uncertainty": u, "S1": result["S1"][j],
                             "S1_conf": result["S1_conf"][j], "ST": result["ST"][j], "ST_conf": result["ST_conf"][j]})
            if second_order:
                second[name] = pd.DataFrame(result["S2"], index=space.names, columns=space.names)
        else:
            from SALib.analyze import morris as morris_analyze

            result = morris_analyze.analyze(problem, unit, y, num_resamples=num_resamples, conf_level=conf_level,
                                            num_levels=num_levels, seed=analysis_seed)
            for j, u in enumerate(space.names):
                rows.append({"outcome": name, "uncertainty": u, "mu": result["mu"][j],
                             "mu_star": result["mu_star"][j], "mu_star_conf": result["mu_star_conf"][j],
                             "sigma": result["sigma"][j]})
    indices = pd.DataFrame(rows).set_index(["outcome", "uncertainty"])
    return Sensitivity(method, indices, second, exploration, conf_level)


def runs_needed(method: str, n: int, d: int, second_order: bool = False) -> int:
    """How many runs a design takes."""
    if method == "sobol":
        return n * (2 * d + 2 if second_order else d + 2)
    return n * (d + 1)
