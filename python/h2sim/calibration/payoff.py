"""The payoff: how well model predictions explain the observations.

The payoff is the negative log-likelihood (NLL) of the observations under their error
models; a calibration minimises it. Each observation ``y`` with model value ``m``,
weight ``w`` (which multiplies the observation's log-likelihood) and scale contributes:

============================  ====================================================================
error model                   NLL of one observation
============================  ====================================================================
``normal``                    ``w * (z^2/2 + ln sd + ln(2 pi)/2)``,  ``z = (y - m) / sd``
``lognormal``                 the same with ``z = (ln y - ln m) / sd``, plus ``w * ln y``
``poisson``                   ``w * (m - y ln m + ln y!)``
``negative_binomial``         ``w * -ln NB(y; mean m, variance m + m^2/k)`` (k: the dispersion)
============================  ====================================================================

A series without a standard error (normal, log-normal) or without a dispersion
(negative binomial) has it estimated: at each candidate the payoff uses the value that
maximises the likelihood (the profile likelihood), so the scales never have to be
guessed. Least squares works on deviance residuals ``r`` with ``sum(r^2)/2 = NLL -
NLL(saturated)`` at fixed scales, so it minimises the same payoff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from .data import Observations, _fail

_LOG_2PI = math.log(2 * math.pi)
# A series needs this many fitted observations to estimate its own scale.
MINIMUM_FOR_A_SCALE = 3


@dataclass
class Scales:
    """Per observation: the standard error (normal, log-normal; NaN for counts), the
    negative-binomial dispersion (NaN for others) and, for intervals, the variance
    inflation that accounts for scales estimated from the same data (None: 1)."""

    sd: np.ndarray
    dispersion: np.ndarray
    inflation: np.ndarray | None = None


class Payoff:
    """The negative log-likelihood of a set of observations, for many candidates at once:
    predictions are arrays of shape (candidates, observations) in the order of
    ``observations`` (series after series)."""

    def __init__(self, observations: Observations) -> None:
        self.observations = observations
        self.series = list(observations)
        bounds = np.cumsum([0] + [len(s) for s in self.series])
        self.slices = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
        self.n = int(bounds[-1])
        self.y = np.concatenate([s.values for s in self.series]) if self.series else np.zeros(0)
        self.w = np.concatenate([s.weights for s in self.series]) if self.series else np.zeros(0)
        self.kind = np.concatenate([[s.error] * len(s) for s in self.series]) if self.series else np.zeros(0, str)
        self.given_sd = np.concatenate([s.sd if s.sd is not None else np.full(len(s), np.nan)
                                        for s in self.series]) if self.series else np.zeros(0)
        self.given_k = np.concatenate([np.full(len(s), s.dispersion if s.dispersion is not None else np.nan)
                                       for s in self.series]) if self.series else np.zeros(0)
        # Series whose scale is estimated: (index, slice).
        self.estimated_sd = [i for i, s in enumerate(self.series)
                             if s.error in ("normal", "lognormal") and s.sd is None]
        self.estimated_k = [i for i, s in enumerate(self.series)
                            if s.error == "negative_binomial" and s.dispersion is None]
        for i in (*self.estimated_sd, *self.estimated_k):
            s = self.series[i]
            if len(s) < MINIMUM_FOR_A_SCALE:
                what = "dispersion" if s.error == "negative_binomial" else "standard error"
                hint = "`dispersion:`" if s.error == "negative_binomial" else "`sd:` (e.g. \"10%\")"
                raise _fail(f"series `{s.name}`: {len(s)} fitted observation(s) cannot estimate their own {what} "
                            f"(a model that meets them exactly would have an infinite likelihood); give {hint}",
                            s.where)
        self.log_y = np.log(np.where(self.kind == "lognormal", np.maximum(self.y, 1e-300), 1.0))
        self.lgamma_y1 = special.gammaln(self.y + 1.0)
        # Model values at or below zero have no likelihood under log-normal and count
        # models; they are held a little above zero so that the payoff stays finite (huge)
        # and optimisers can climb away from them.
        self.floor = 1e-9 * np.maximum(1.0, np.abs(self.y))

    @property
    def scales_estimated(self) -> bool:
        """True when a standard error or a dispersion is estimated from the data."""
        return bool(self.estimated_sd or self.estimated_k)

    # --- scales ---------------------------------------------------------------------------
    def estimate_scales(self, prediction: np.ndarray, fitted_parameters: int | None = None) -> Scales:
        """Scales at one prediction (shape (observations,)): the given ones, and maximum-
        likelihood estimates of the others. With ``fitted_parameters`` p, also the
        variance inflation of each series whose scale was estimated: its Pearson
        chi-square over its share of the n - p degrees of freedom (for a normal series
        exactly n/(n - p), the usual unbiased variance; for a negative-binomial series the
        quasi-likelihood dispersion)."""
        sd = self.given_sd.copy()
        k = self.given_k.copy()
        for i in self.estimated_sd:
            sl = self.slices[i]
            z = self._raw_residual(prediction[None, sl], sl)[0]
            w = self.w[sl]
            var = float(np.sum(w * z * z) / max(np.sum(w), 1e-300))
            sd[sl] = math.sqrt(max(var, 1e-300))
        for i in self.estimated_k:
            sl = self.slices[i]
            k[sl] = self._dispersion_mle(prediction[sl], sl)
        scales = Scales(sd=sd, dispersion=k)
        if fitted_parameters is not None and self.n > fitted_parameters:
            inflation = np.ones(self.n)
            share = 1.0 - fitted_parameters / self.n
            for i in (*self.estimated_sd, *self.estimated_k):
                sl = self.slices[i]
                m = np.maximum(prediction[sl], self.floor[sl])
                if self.series[i].error == "negative_binomial":
                    pearson = (self.y[sl] - m) ** 2 / (m + m * m / k[sl])
                else:
                    pearson = (self._raw_residual(prediction[None, sl], sl)[0] / sd[sl]) ** 2
                w = self.w[sl]
                chi2 = float(np.sum(w * pearson))
                # A perfect fit leaves nothing to inflate (and its scale is already ~0).
                inflation[sl] = chi2 / (float(np.sum(w)) * share) if chi2 > 0 else 1.0
            scales.inflation = inflation
        return scales

    def _dispersion_mle(self, m: np.ndarray, sl: slice) -> float:
        m = np.maximum(m, self.floor[sl])
        y, w = self.y[sl], self.w[sl]

        def nll(log_k: float) -> float:
            return float(np.sum(w * _nb_nll(y, m, math.exp(log_k), self.lgamma_y1[sl])))

        found = optimize.minimize_scalar(nll, bounds=(math.log(1e-4), math.log(1e9)), method="bounded",
                                         options={"xatol": 1e-6})
        return float(math.exp(found.x))

    # --- residuals and likelihood ------------------------------------------------------------
    def _raw_residual(self, prediction: np.ndarray, sl: slice) -> np.ndarray:
        """y - m (normal) or ln y - ln m (log-normal), unscaled."""
        kind = self.kind[sl]
        y = self.y[sl]
        m = prediction
        out = y - m
        log = kind == "lognormal"
        if log.any():
            out = np.where(log, self.log_y[sl] - np.log(np.maximum(m, self.floor[sl])), out)
        return out

    def residuals(self, prediction: np.ndarray, scales: Scales) -> np.ndarray:
        """Deviance residuals (candidates, observations): ``sum(r^2)/2`` is the NLL less
        that of a perfect fit, at these scales. Non-finite predictions give a large
        residual, so that least squares moves away from them."""
        prediction = np.atleast_2d(prediction)
        y, w = self.y, self.w
        m = prediction
        r = np.empty_like(m)
        normal = (self.kind == "normal") | (self.kind == "lognormal")
        if normal.any():
            raw = self._raw_residual(m, slice(None))
            r[:, normal] = (np.sqrt(w) * raw / scales.sd)[:, normal]
        pois = self.kind == "poisson"
        nb = self.kind == "negative_binomial"
        if pois.any() or nb.any():
            mm = np.maximum(m, self.floor)
            ylog = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mm), 0.0)
            if pois.any():
                dev = 2 * (ylog - (y - mm))
                r[:, pois] = (np.sign(y - mm) * np.sqrt(np.maximum(w * dev, 0.0)))[:, pois]
            if nb.any():
                k = scales.dispersion
                dev = 2 * (ylog - (y + k) * np.log((y + k) / (mm + k)))
                r[:, nb] = (np.sign(y - mm) * np.sqrt(np.maximum(w * dev, 0.0)))[:, nb]
        if scales.inflation is not None:
            r = r / np.sqrt(scales.inflation)
        bad = ~np.isfinite(r)
        if bad.any():
            r[bad] = 1e8
        return r

    def nll(self, prediction: np.ndarray, scales: Scales | None = None) -> np.ndarray:
        """The payoff of each candidate (shape (candidates,)). Without ``scales`` every
        estimated scale is re-estimated for each candidate (the profile likelihood).
        Non-finite predictions give +inf."""
        prediction = np.atleast_2d(prediction)
        out = np.empty(len(prediction))
        for c, m in enumerate(prediction):
            if not np.all(np.isfinite(m)):
                out[c] = np.inf
                continue
            s = scales if scales is not None else self.estimate_scales(m)
            out[c] = float(np.sum(self.pointwise_nll(m, s)))
        return out

    def pointwise_nll(self, m: np.ndarray, scales: Scales) -> np.ndarray:
        y, w, kind = self.y, self.w, self.kind
        out = np.zeros(self.n)
        normal = (kind == "normal") | (kind == "lognormal")
        if normal.any():
            z = self._raw_residual(m[None, :], slice(None))[0] / scales.sd
            term = 0.5 * z * z + np.log(scales.sd) + 0.5 * _LOG_2PI + np.where(kind == "lognormal", self.log_y, 0.0)
            out[normal] = (w * term)[normal]
        mm = np.maximum(m, self.floor)
        pois = kind == "poisson"
        if pois.any():
            term = mm - y * np.log(mm) + self.lgamma_y1
            out[pois] = (w * term)[pois]
        nb = kind == "negative_binomial"
        if nb.any():
            out[nb] = (w * _nb_nll(y, mm, scales.dispersion, self.lgamma_y1))[nb]
        return out

    def log_likelihood_marginal(self, prediction: np.ndarray, scales: Scales) -> np.ndarray:
        """The log-likelihood used by MCMC (candidates,): standard errors that the data
        do not give are integrated out under a Jeffreys prior (each such series gives
        ``-W/2 ln(sum w z^2)``, W the sum of its weights); dispersions are held at
        ``scales``."""
        prediction = np.atleast_2d(prediction)
        fixed = np.ones(self.n, dtype=bool)
        for i in self.estimated_sd:
            fixed[self.slices[i]] = False
        out = np.empty(len(prediction))
        for c, m in enumerate(prediction):
            if not np.all(np.isfinite(m)):
                out[c] = -np.inf
                continue
            total = -float(np.sum(self.pointwise_nll(m, scales)[fixed]))
            for i in self.estimated_sd:
                sl = self.slices[i]
                z = self._raw_residual(m[None, sl], sl)[0]
                w = self.w[sl]
                total -= 0.5 * float(np.sum(w)) * math.log(max(float(np.sum(w * z * z)), 1e-300))
            out[c] = total
        return out

    def information_rows(self, prediction: np.ndarray, derivative: np.ndarray, scales: Scales) -> np.ndarray:
        """Rows J with J^T J the Fisher information: the derivative of each prediction
        (observations, parameters) divided by the observation's standard deviation under
        its error model."""
        m = np.maximum(prediction, self.floor)
        kind = self.kind
        sd = np.ones(self.n)
        normal = kind == "normal"
        sd[normal] = scales.sd[normal]
        log = kind == "lognormal"
        sd[log] = (scales.sd * m)[log]  # d ln m = dm / m
        pois = kind == "poisson"
        sd[pois] = np.sqrt(m)[pois]
        nb = kind == "negative_binomial"
        sd[nb] = np.sqrt(m + m * m / scales.dispersion)[nb]
        if scales.inflation is not None:
            sd = sd * np.sqrt(scales.inflation)
        return derivative * (np.sqrt(self.w) / sd)[:, None]


def _nb_nll(y: np.ndarray, m: np.ndarray, k: np.ndarray | float, lgamma_y1: np.ndarray) -> np.ndarray:
    k = np.asarray(k, dtype=float)
    return (-special.gammaln(y + k) + special.gammaln(k) + lgamma_y1
            - k * np.log(k / (k + m)) - y * np.log(m / (k + m)))


# --- fit statistics --------------------------------------------------------------------------
STATISTICS = ("n", "r2", "correlation", "mape", "mae", "rmse", "mean_error", "theil_um", "theil_us", "theil_uc")


def fit_statistics(observed: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Summary statistics of a fit (Sterman 1984, Appropriate summary statistics for
    evaluating the historical fit of system dynamics models, Dynamica 10(2)):

    - ``r2``: 1 - SSE/SST, the share of the data's variance the model explains;
    - ``correlation``: Pearson's r between model and data;
    - ``mape``: mean absolute percent error (%, over non-zero observations);
    - ``mae``, ``rmse``, ``mean_error`` (model - data), in the data's units;
    - ``theil_um``, ``theil_us``, ``theil_uc``: Theil's inequality proportions of the
      mean squared error: bias (unequal means), unequal variation and imperfect
      covariation; they sum to 1. Systematic error shows as large U_M or U_S; U_C large
      with a small MSE is unsystematic noise.
    """
    y = np.asarray(observed, dtype=float)
    m = np.asarray(predicted, dtype=float)
    n = len(y)
    out = dict.fromkeys(STATISTICS, math.nan)
    out["n"] = n
    if n == 0:
        return out
    error = m - y
    mse = float(np.mean(error ** 2))
    out["mae"] = float(np.mean(np.abs(error)))
    out["rmse"] = math.sqrt(mse)
    out["mean_error"] = float(np.mean(error))
    nonzero = y != 0
    if nonzero.any():
        out["mape"] = float(100 * np.mean(np.abs(error[nonzero] / y[nonzero])))
    sst = float(np.sum((y - y.mean()) ** 2))
    if sst > 0:
        out["r2"] = 1 - float(np.sum(error ** 2)) / sst
    sy, sm = float(np.std(y)), float(np.std(m))
    if sy > 0 and sm > 0:
        r = float(np.mean((y - y.mean()) * (m - m.mean())) / (sy * sm))
        out["correlation"] = r
    else:
        r = 0.0
    if mse > 0:
        out["theil_um"] = (float(m.mean()) - float(y.mean())) ** 2 / mse
        out["theil_us"] = (sm - sy) ** 2 / mse
        out["theil_uc"] = 2 * (1 - r) * sm * sy / mse
    return out
