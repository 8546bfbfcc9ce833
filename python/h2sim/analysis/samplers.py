"""Seeded samplers for scenarios (uncertainties) and policies (levers).

Every sampler draws points of the unit hypercube, which are then mapped through each
uncertainty's quantile function (so any declared distribution works with any sampler) or
each lever's range or options. Correlated groups are imposed with a Gaussian copula.

- ``mc``: Monte Carlo, numpy's default generator.
- ``lhs``: Latin hypercube (scipy.stats.qmc.LatinHypercube).
- ``sobol``: a scrambled Sobol sequence (scipy.stats.qmc.Sobol): quasi-random, even cover.
- ``factorial``: a full factorial of the levers' options or levels.

Sobol/Saltelli and Morris designs for sensitivity indices come from SALib
(:mod:`h2sim.analysis.sensitivity`). The same seed gives the same sample, bit for bit.
"""

from __future__ import annotations

import math
import itertools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .parameters import Lever, Space

SAMPLERS = ("lhs", "mc", "sobol")


def streams(seed: Any, count: int) -> list[np.random.Generator]:
    """Independent generators derived from one seed (None: fresh entropy)."""
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(s) for s in sequence.spawn(count)]


def unit_sample(n: int, d: int, sampler: str, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in [0, 1)^d."""
    from scipy.stats import qmc

    if n < 1:
        raise ValueError(f"the number of samples must be at least 1, not {n}")
    from ..arguments import within_saved_values

    within_saved_values(n * max(d, 1), f"a sample of {n} points in {d} dimensions")
    if d == 0:
        return np.zeros((n, 0))
    sampler = sampler.lower()
    if sampler in ("mc", "monte_carlo", "montecarlo", "random"):
        return rng.random((n, d))
    if sampler in ("lhs", "latin_hypercube"):
        return _qmc(qmc.LatinHypercube, d, rng).random(n)
    if sampler in ("sobol", "qmc"):
        with warnings.catch_warnings():
            # n need not be a power of two here: balance is a nicety for exploration
            warnings.simplefilter("ignore", UserWarning)
            return _qmc(qmc.Sobol, d, rng, scramble=True).random(n)
    raise ValueError(f"unknown sampler {sampler!r}: use one of {', '.join(SAMPLERS)} "
                     "(or h2sim.sensitivity for Sobol/Saltelli and Morris designs)")


def _qmc(engine, d: int, rng: np.random.Generator, **options):
    try:
        return engine(d, rng=rng, **options)
    except TypeError:  # scipy before 1.15 names the generator `seed`
        return engine(d, seed=rng, **options)


def correlate(u: np.ndarray, space: Space) -> np.ndarray:
    """Imposes each group's rank correlation on the uniform columns (a Gaussian copula):
    the margins stay uniform, so every member keeps its distribution."""
    if not space.groups:
        return u
    from scipy.stats import norm

    u = u.copy()
    names = space.names
    for group in space.groups:
        columns = [names.index(m) for m in group.members]
        z = norm.ppf(np.clip(u[:, columns], 1e-15, 1 - 1e-15))
        lower = np.linalg.cholesky(group.normal_correlation())
        u[:, columns] = norm.cdf(z @ lower.T)
    return u


def to_values(u: np.ndarray, space: Space) -> pd.DataFrame:
    """Uniform points mapped through each uncertainty's distribution."""
    return pd.DataFrame({x.name: x.ppf(u[:, i]) for i, x in enumerate(space.uncertainties)},
                        columns=space.names)


def sample_scenarios(space: Space, n: int, sampler: str = "lhs", seed: Any = None) -> pd.DataFrame:
    """``n`` scenarios: one row per scenario, one column per uncertainty."""
    rng = seed if isinstance(seed, np.random.Generator) else streams(seed, 1)[0]
    u = correlate(unit_sample(n, len(space), sampler, rng), space)
    table = to_values(u, space)
    table.index.name = "scenario"
    return table


def sample_policies(levers: Sequence[Lever], n: int, sampler: str = "lhs", seed: Any = None) -> pd.DataFrame:
    """``n`` policies sampled over the levers' ranges and options."""
    rng = seed if isinstance(seed, np.random.Generator) else streams(seed, 1)[0]
    missing = [lever.name for lever in levers if not lever.has_domain]
    if missing:
        raise ValueError(f"cannot sample policies: lever `{missing[0]}` declares no values; declare "
                         "`lever: {range: [low, high]}` or `lever: {options: [...]}` in the model, pass "
                         "levers={name: (low, high)}, or give the policies explicitly")
    if not levers:
        raise ValueError("cannot sample policies: the model declares no levers that can vary per run")
    u = unit_sample(n, len(levers), sampler, rng)
    table = pd.DataFrame({lever.name: lever.from_unit(u[:, i]) for i, lever in enumerate(levers)},
                         index=_policy_names(n))
    table.index.name = "policy"
    return table


def factorial(levers: Sequence[Lever] | Mapping[str, Sequence[float]], levels: int = 3) -> pd.DataFrame:
    """Every combination of the levers' values: a Lever's options (or ``levels`` values
    evenly spread over its range), or the values given in a mapping name -> values."""
    if isinstance(levers, Mapping):
        grid = {str(name): [float(v) for v in values] for name, values in levers.items()}
    else:
        grid = {lever.name: lever.levels(levels) for lever in levers}
    for name, values in grid.items():
        if not values:
            raise ValueError(f"factorial: lever `{name}` has no values")
    from ..arguments import within_saved_values

    within_saved_values(math.prod(len(v) for v in grid.values()) * max(len(grid), 1), "factorial: the lever grid")
    rows = list(itertools.product(*grid.values()))
    table = pd.DataFrame(rows, columns=list(grid), index=_policy_names(len(rows)), dtype=float)
    table.index.name = "policy"
    return table


def _policy_names(n: int) -> list[str]:
    width = len(str(max(n - 1, 0)))
    return [f"policy {i:0{width}d}" for i in range(n)]
