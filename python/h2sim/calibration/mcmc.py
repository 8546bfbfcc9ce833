"""Bayesian calibration: an MCMC sample of the posterior over the same payoff.

The sampler is emcee's affine-invariant ensemble (Foreman-Mackey et al. 2013, PASP 125).
Each move proposes new positions for half of the walkers at once, and those are one
``run_batch`` call. The log-posterior is the log-prior of each parameter (uniform on its
bounds unless ``prior:`` says otherwise) plus the log-likelihood of the fitted
observations; standard errors the data do not give are integrated out (Jeffreys prior),
negative-binomial dispersions are held at their fitted values.

The posterior sample is a DataFrame with one column per parameter: hand it to
``Model.run_batch`` to get the predictive distribution of any output.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class Posterior:
    """An MCMC sample: ``samples`` (DataFrame: one row per draw, one column per
    parameter, ready for ``Model.run_batch``), ``log_probability`` (Series, the
    log-posterior of each draw), ``acceptance_fraction`` (mean over walkers; 0.2-0.5 is
    healthy), ``autocorrelation_time`` (Series, in steps; NaN when the chain is too short
    to estimate it), ``chain`` (array: steps, walkers, parameters, burn-in included),
    ``walkers``, ``steps``, ``burn``, ``thin`` and ``notes``."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def summary(self) -> pd.DataFrame:
        """Mean, standard deviation and the 2.5, 50 and 97.5 percentiles of each parameter."""
        s = self.samples
        return pd.DataFrame({"mean": s.mean(), "sd": s.std(), "q2.5": s.quantile(0.025), "median": s.median(),
                             "q97.5": s.quantile(0.975)})

    def plot_pairs(self, **kwargs: Any):
        """Pairs of parameters as a corner plot; see :func:`h2sim.calibration.plot_posterior`."""
        from .plots import plot_posterior

        return plot_posterior(self, **kwargs)

    def __repr__(self) -> str:
        return (f"<h2sim Posterior: {len(self.samples)} draws of {', '.join(self.samples.columns)}, "
                f"acceptance {self.acceptance_fraction:.2f}>")


def sample_posterior(fit: Any = None, *, model: Any = None, data: Any = None, parameters: Any = None,
                     walkers: int | None = None, steps: int | None = None, burn: int | None = None,
                     thin: int | None = None, seed: int | None = None, threads: int | None = None,
                     progress: bool | None = None, **calibration: Any) -> Posterior:
    """Samples the posterior of the calibrated parameters with emcee.

    Either from a :class:`CalibrationResult` (``fit``): walkers start in a small ball
    around the estimates; or from a model (``model``, with ``data``/``parameters`` or its
    calibration section): walkers start from the priors. Settings left out come from the
    section's ``mcmc:`` entry, then: ``walkers`` max(16, 4 x parameters) (even),
    ``steps`` 2000, ``burn`` a quarter of the steps, ``thin`` 1, ``seed`` 0.
    """
    try:
        import emcee
    except ImportError:  # pragma: no cover - bootstrap installs it
        raise ImportError("sampling the posterior needs emcee: pip install emcee") from None
    from .optimise import Problem, _Progress, _settings

    if fit is not None:
        problem = fit._problem
        settings = fit.settings
        scales = fit._scales
    else:
        if model is None:
            raise TypeError("give a CalibrationResult or a model")
        settings = _settings(model, data, parameters, calibration.get("method"), None, None,
                             calibration.get("fit_until"), calibration.get("error"), "none", None, None)
        problem = Problem(model, settings["parameters"], settings["observations"], settings["fit_until"], threads,
                          True)
        scales = problem.payoff.estimate_scales(problem.fit_part(problem.predict(problem.x0))[0])
    declared = dict((settings.get("mcmc") or {}) if isinstance(settings.get("mcmc"), dict) else {})
    p = problem.p
    walkers = int(walkers or declared.get("walkers") or max(16, 4 * p))
    walkers += walkers % 2
    if walkers < 2 * p:
        raise ValueError(f"walkers: emcee needs at least twice as many walkers as parameters ({2 * p})")
    steps = int(steps or declared.get("steps") or 2000)
    burn = int(burn if burn is not None else declared.get("burn", steps // 4))
    thin = int(thin or declared.get("thin") or 1)
    seed = int(seed if seed is not None else declared.get("seed", 0))
    if not 0 <= burn < steps:
        raise ValueError(f"burn ({burn}) must be at least 0 and below steps ({steps})")
    rng = np.random.default_rng(seed)
    lows = np.array([q.low for q in problem.parameters])
    highs = np.array([q.high for q in problem.parameters])
    if fit is not None:
        centre = problem.theta(fit._x)[0]
        spread = np.where(np.isfinite(fit.parameters["se"].to_numpy()), 0.1 * fit.parameters["se"].to_numpy(),
                          0.01 * (highs - lows))
        spread = np.minimum(np.maximum(spread, 1e-6 * (highs - lows)), 0.05 * (highs - lows))
        start = centre + spread * rng.standard_normal((walkers, p))
    else:
        start = np.column_stack([_draw_prior(q, walkers, rng) for q in problem.parameters])
    start = np.clip(start, lows + 1e-9 * (highs - lows), highs - 1e-9 * (highs - lows))
    payoff = problem.payoff

    def log_posterior(theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        prior = np.sum([q.log_prior(theta[:, j]) for j, q in enumerate(problem.parameters)], axis=0)
        out = np.full(len(theta), -np.inf)
        inside = np.isfinite(prior)
        if inside.any():
            x = np.column_stack([q.to_internal(theta[inside, j]) for j, q in enumerate(problem.parameters)])
            prediction = problem.fit_part(problem.predict(x))
            out[inside] = prior[inside] + payoff.log_likelihood_marginal(prediction, scales)
        return out

    sampler = emcee.EnsembleSampler(walkers, p, log_posterior, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()  # emcee's seeding
    # emcee's own bar shows at once; ours appears after a second like the other stages.
    with _Progress(progress).stage("MCMC", steps, "step") as bar:
        for _ in sampler.sample(start, iterations=steps):
            bar.update(1)
    chain = sampler.get_chain()
    flat = sampler.get_chain(discard=burn, thin=thin, flat=True)
    log_prob = sampler.get_log_prob(discard=burn, thin=thin, flat=True)
    names = problem.names
    samples = pd.DataFrame(flat, columns=names)
    samples.index.name = "sample"
    notes = []
    try:
        tau = sampler.get_autocorr_time(discard=burn, tol=0, quiet=True)
    except Exception:  # noqa: BLE001 - emcee raises on chains too short to estimate
        tau = np.full(p, np.nan)
    tau = np.asarray(tau, dtype=float)
    if np.any(np.isfinite(tau)) and (steps - burn) < 50 * np.nanmax(tau):
        notes.append(f"the chain is short for its autocorrelation time (max {np.nanmax(tau):.0f} steps): run at "
                     f"least {int(50 * np.nanmax(tau)) + burn} steps for reliable tails")
    acceptance = float(np.mean(sampler.acceptance_fraction))
    if acceptance < 0.1:
        notes.append(f"acceptance fraction {acceptance:.2f}: the walkers hardly move; the sample may not have mixed "
                     "(a multimodal or very narrow posterior; try more walkers or steps)")
    return Posterior(samples=samples, log_probability=pd.Series(log_prob, index=samples.index, name="log_probability"),
                     acceptance_fraction=acceptance, autocorrelation_time=pd.Series(tau, index=names),
                     chain=chain, walkers=walkers, steps=steps, burn=burn, thin=thin, notes=notes,
                     evaluations={"batches": problem.evaluator.batches, "runs": problem.evaluator.runs})


def _draw_prior(parameter: Any, count: int, rng: np.random.Generator) -> np.ndarray:
    """Starting positions from a parameter's prior, truncated to its bounds."""
    prior = parameter.prior or {"type": "uniform"}
    kind = prior["type"]
    out = np.empty(0)
    while len(out) < count:
        if kind == "normal":
            draw = rng.normal(prior["mean"], prior["sd"], 4 * count)
        elif kind == "lognormal":
            draw = np.exp(rng.normal(prior["mean"], prior["sd"], 4 * count))
        elif kind == "triangular":
            draw = rng.triangular(prior["low"], prior["mode"], prior["high"], 4 * count)
        else:
            draw = rng.uniform(parameter.low, parameter.high, 4 * count)
        out = np.concatenate([out, draw[(draw >= parameter.low) & (draw <= parameter.high)]])
    return out[:count]
