"""Calibration against data, Bayesian estimation, and reality checks declared with the
model (docs/calibration.md).

    >>> fit = h2sim.calibrate(model, data="observed.csv", parameters={"p": (0.001, 0.2)})
    >>> print(fit.summary())
    >>> fit.to_scenario("fitted.yaml")                  # extends the calibrated scenario
    >>> posterior = fit.sample_posterior(steps=2000)    # emcee; posterior.samples -> run_batch
    >>> report = h2sim.check_reality(model)             # the model's reality_checks

These tools sit above the Python API: they only call ``Model.run`` and
``Model.run_batch``. Modules: ``data`` (observations), ``problem`` (parameters and the
batched evaluation of candidates), ``payoff`` (likelihoods and fit statistics),
``optimise`` (the optimisers and ``calibrate``), ``intervals`` (profile likelihood),
``result``, ``mcmc``, ``reality``, ``plots`` and ``command`` (the CLI).
"""

from __future__ import annotations

import importlib

# Names and the modules that define them; loaded on first use (they import scipy).
_EXPORTS = {
    "calibrate": "optimise", "METHODS": "optimise",
    "CalibrationResult": "result",
    "sample_posterior": "mcmc", "Posterior": "mcmc",
    "check_reality": "reality", "RealityReport": "reality", "RealityCheck": "reality", "read_checks": "reality",
    "read_data": "data", "Observations": "data", "Series": "data", "DataError": "data", "ERROR_MODELS": "data",
    "Parameter": "problem",
    "fit_statistics": "payoff",
    "plot_fit": "plots", "plot_profiles": "plots", "plot_posterior": "plots",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
