"""What a calibration gives back: :class:`CalibrationResult`."""

from __future__ import annotations

import datetime
import json
import os
import re
from typing import Any

import numpy as np
import pandas as pd

from .. import _h2sim
from ..errors import Error
from ..trajectories import Trajectory
from .intervals import profiles
from .optimise import covariance, critical_values, dof_scales
from .payoff import STATISTICS, fit_statistics

_CORRELATED = 0.95  # |correlation| above which a pair is reported as strongly correlated


class CalibrationResult:
    """The outcome of :func:`h2sim.calibrate`.

    Attributes:

    - ``parameters``: DataFrame by parameter: ``estimate``, ``initial``, ``low``,
      ``high`` (search bounds), ``units``, ``se`` (standard error; inf when the data do
      not determine it), ``wald_low``/``wald_high`` and ``profile_low``/``profile_high``
      (intervals at ``level``; NaN where not computed or not bounded by the data);
    - ``estimates``: {name: fitted value};
    - ``payoff``: the negative log-likelihood at the estimates (fitted observations);
    - ``statistics`` and ``holdout_statistics``: DataFrames by series (n, r2,
      correlation, mape in %, mae, rmse, mean_error, theil_um, theil_us, theil_uc), in
      the fitting period and after ``fit_until`` (empty without a hold-out);
    - ``n_observations``: the number of fitted observations;
    - ``residuals``: long DataFrame (series, variable, time, observed, fitted,
      residual = observed - fitted, standardised, sample "fit"/"holdout");
    - ``covariance``, ``correlation``: DataFrames over the parameters;
    - ``non_identifiable``: groups of parameters of which the data determine only a
      combination (e.g. two that enter as a product); ``strongly_correlated``: pairs
      (a, b, r) with |r| > 0.95;
    - ``profiles``: {name: DataFrame(value, change)}, the rise of the payoff along
      each parameter's profile; ``profile_limit`` the rise that bounds the interval;
    - ``scales``: DataFrame by series: error model, standard error or dispersion and
      whether it was estimated;
    - ``starts``: DataFrame of every local optimisation (start values, payoff,
      converged); ``evaluations``: {"batches", "runs", "failed"};
    - ``fitted_model``: the model with the estimates set; ``notes``: warnings worth
      reading (bounds reached, local optima, unidentified parameters).
    """

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    # --- using the fit --------------------------------------------------------------------
    @property
    def estimates(self) -> dict[str, float]:
        return {name: float(v) for name, v in self.parameters["estimate"].items()}

    def run(self, **kwargs: Any) -> pd.DataFrame:
        """Runs the fitted model (``Model.run`` arguments)."""
        return self.fitted_model.run(**kwargs)

    def plot_fit(self, **kwargs: Any):
        """Fit against data with residuals; see :func:`h2sim.calibration.plot_fit`."""
        from .plots import plot_fit

        return plot_fit(self, **kwargs)

    def plot_profiles(self, **kwargs: Any):
        """Profile-likelihood curves; see :func:`h2sim.calibration.plot_profiles`."""
        from .plots import plot_profiles

        return plot_profiles(self, **kwargs)

    def sample_posterior(self, **kwargs: Any):
        """MCMC around the fit; see :func:`h2sim.calibration.sample_posterior`."""
        from .mcmc import sample_posterior

        return sample_posterior(self, **kwargs)

    # --- the fitted scenario ------------------------------------------------------------------
    def to_scenario(self, path: str | os.PathLike, name: str | None = None, verify: bool = True) -> str:
        """Writes a scenario file that ``extends:`` the calibrated scenario (``model:``
        when it was a model file) and sets the fitted values under ``parameters:``, with
        their intervals as comments. With ``verify`` (default) the file is loaded and
        run before it is put in place, and must reproduce the fitted predictions; a
        failure leaves no file. Returns the text."""
        from ..results import write_atomically as _write_atomically

        path = os.fspath(path)
        text = self._scenario_text(path, name)
        if verify:
            self._verify_scenario(path, text)
        _write_atomically(path, text)
        return text

    def _scenario_text(self, path: str, name: str | None) -> str:
        model = self.model
        source = model._source[0] if model._source else model.file
        if not source:
            raise Error("the calibrated model was not loaded from a file: there is no scenario to extend")
        folder = os.path.dirname(os.path.abspath(path))
        relative = os.path.relpath(os.path.abspath(source), folder).replace(os.sep, "/")
        is_model_file = os.path.abspath(model._scenario.model_file) == os.path.abspath(model._scenario.file)
        link = "model" if is_model_file else "extends"
        stamp = datetime.date.today().isoformat()
        schema = _schema_path(folder)
        lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
        lines += [
            f"# Written by h2sim calibrate (h2sim {_h2sim.__version__}) on {stamp}: the fitted values of the",
            f"# {len(self.parameters)} parameter(s) below, by {self.method.replace('_', ' ')}"
            f" on {self.n_observations} observations"
            + (f" up to {self.fit_until:g}" if self.fit_until is not None else "") + ".",
            f"# Payoff (negative log-likelihood): {self.payoff:.6g}. Intervals at {self.level:.0%}.",
        ]
        for group in self.non_identifiable:
            lines.append(f"# Not identifiable from these data: {', '.join(group)} (only a combination is determined).")
        lines += [
            f"scenario: {_yaml_text((name or f'{model.name}_calibrated'))}",
            f"description: {_yaml_text(f'{model.name} with parameters fitted to data by h2sim calibrate')}",
            f"{link}: {_yaml_text(relative)}",
        ]
        evaluator = self._problem.evaluator
        fitted_levers = evaluator.lever_values(self.parameters["estimate"].to_numpy(dtype=float))
        numbers, schedules = {}, {}
        for key, value in model._overrides.items():
            (schedules if isinstance(value, Trajectory) else numbers)[key] = value
        constants = self.parameters[self.parameters.index.map(lambda n: "@" not in n)]
        lines.append("parameters:")
        for key, value in numbers.items():
            if key not in constants.index:
                lines.append(f"  {_yaml_key(key)}: {float(value)!r}  # set in Python before calibrating")
        for key, row in constants.iterrows():
            note = _interval_note(row, self.level)
            lines.append(f"  {_yaml_key(key)}: {float(row['estimate'])!r}" + (f"  # {note}" if note else ""))
        if len(constants) == 0 and not numbers:
            lines[-1] = "parameters: {}"
        if schedules or fitted_levers:
            lines.append("levers:")
            for key, trajectory in schedules.items():
                if key in fitted_levers:
                    continue
                try:
                    [(kind, points)] = trajectory.as_schedule(model.time["start"]).items()
                except ValueError as error:
                    raise Error(f"cannot write `{key}` set in Python before calibrating: {error}") from None
                text = ", ".join(f"{float(t)!r}: {float(v)!r}" for t, v in points.items())
                lines.append(f"  {_yaml_key(key)}:  # set in Python before calibrating")
                lines.append(f"    {kind}: {{{text}}}")
            for key, values in fitted_levers.items():
                lines.append(f"  {_yaml_key(key)}:")
                for name, row in self.parameters.iterrows():
                    if name.split("@", 1)[0] == key:
                        lines.append(f"    # {name} = {float(row['estimate']):.6g}: {_interval_note(row, self.level)}")
                lines.append(f"    {evaluator.schedules[key].yaml(values)}")
        return "\n".join(lines) + "\n"

    def _verify_scenario(self, path: str, text: str) -> None:
        import tempfile

        from ..model import load

        folder = os.path.dirname(os.path.abspath(path))
        fd, temp = tempfile.mkstemp(prefix=".calibrated.", suffix=".yaml", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            evaluator = self._problem.evaluator
            frame = load(temp).run(return_columns=evaluator.columns, **evaluator.run_options)
            values = frame.to_numpy(dtype=float)
            if values.shape[0] != len(evaluator.times) or not np.allclose(frame.index, evaluator.times):
                raise Error("the fitted scenario does not reproduce the fit: its run saves other times")
            observed = evaluator.observe(values[None])[0]
            for s, sl in zip(evaluator.observations, evaluator.slices):
                again = observed[sl]
                fitted = self._prediction[sl]
                if not np.allclose(again, fitted, rtol=1e-9, atol=1e-12 * max(1.0, float(np.max(np.abs(fitted))))):
                    k = int(np.argmax(np.abs(again - fitted)))
                    raise Error(f"the fitted scenario does not reproduce the fit: {s.variable} at {s.times[k]:g} is "
                                f"{again[k]:.10g}, the fit gave {fitted[k]:.10g}")
        finally:
            try:
                os.remove(temp)
            except OSError:
                pass

    # --- reading it ---------------------------------------------------------------------------
    def summary(self) -> str:
        """A plain-text report: estimates with intervals, fit statistics in and after
        the fitting period, identifiability and notes."""
        from ..text import format_number as _format_number, table as _table

        out = [f"calibration of {self.model.name}: {self.method.replace('_', ' ')}, "
               f"{len(self.starts)} start(s), payoff {self.payoff:.6g} "
               f"(negative log-likelihood of {self.n_observations} observations)"]
        header = ["parameter", "units", "estimate", "se", f"{self.level:.0%} Wald", f"{self.level:.0%} profile",
                  "bounds"]
        rows = []
        for name, row in self.parameters.iterrows():
            rows.append([name, row["units"], _format_number(row["estimate"]),
                         "inf" if np.isinf(row["se"]) else _format_number(row["se"]),
                         _range(row["wald_low"], row["wald_high"]), _range(row["profile_low"], row["profile_high"]),
                         f"{_format_number(row['low'])} to {_format_number(row['high'])}"])
        out.append(_table(header, rows, left=2))
        until = f" (to {self.fit_until:g})" if self.fit_until is not None else ""
        after = f"after {self.fit_until:g} (hold-out, not fitted)" if self.fit_until is not None else ""
        for title, table in ((f"in the fitting period{until}", self.statistics), (after, self.holdout_statistics)):
            if table is None or table.empty:
                continue
            header = ["series", "n", "R2", "MAPE %", "RMSE", "U_M", "U_S", "U_C"]
            rows = [[str(s), str(int(r["n"])), _format_number(r["r2"]), _format_number(r["mape"]),
                     _format_number(r["rmse"]), _format_number(r["theil_um"]), _format_number(r["theil_us"]),
                     _format_number(r["theil_uc"])] for s, r in table.iterrows()]
            out.append(f"statistics, {title}:\n" + _table(header, rows, left=1))
        if len(self.parameters) > 1:
            names = list(self.parameters.index)
            corr = self.correlation.to_numpy()
            rows = [[names[i], *(_format_number(round(corr[i, k], 3)) if k <= i else "" for k in range(len(names)))]
                    for i in range(len(names))]
            out.append("correlation of the estimates:\n" + _table(["", *names], rows, left=1))
        for group in self.non_identifiable:
            out.append(f"NOT IDENTIFIABLE: the data determine only a combination of {', '.join(group)}")
        for a, b, r in self.strongly_correlated:
            out.append(f"strongly correlated: {a} and {b} (r = {r:.3f})")
        out += [f"note: {n}" for n in self.notes]
        return "\n\n".join(out)

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:.4g}" for k, v in self.estimates.items())
        return f"<h2sim CalibrationResult {self.model.name!r}: {values}; payoff {self.payoff:.6g}>"


def _range(low: float, high: float) -> str:
    from ..text import format_number as _format_number

    if np.isnan(low) and np.isnan(high):
        return "-"
    return f"{'open' if np.isnan(low) else _format_number(low)} to {'open' if np.isnan(high) else _format_number(high)}"


def _interval_note(row: pd.Series, level: float) -> str:
    parts = []
    if np.isfinite(row["se"]):
        parts.append(f"se {row['se']:.4g}")
    elif np.isinf(row["se"]):
        parts.append("not identifiable")
    if not (np.isnan(row["wald_low"]) and np.isnan(row["wald_high"])):
        parts.append(f"{level:.0%} Wald {row['wald_low']:.6g} to {row['wald_high']:.6g}")
    if not (np.isnan(row["profile_low"]) and np.isnan(row["profile_high"])):
        low = "open" if np.isnan(row["profile_low"]) else f"{row['profile_low']:.6g}"
        high = "open" if np.isnan(row["profile_high"]) else f"{row['profile_high']:.6g}"
        parts.append(f"profile {low} to {high}")
    if row["units"]:
        parts.insert(0, str(row["units"]))
    return "; ".join(parts)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.$]*(\[[A-Za-z0-9_, ]+\])?$")


def _yaml_key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) else json.dumps(name)


def _yaml_text(text: str) -> str:
    return text if re.match(r"^[A-Za-z0-9_./][A-Za-z0-9_./-]*$", text) else json.dumps(text)


def _schema_path(folder: str) -> str:
    """schemas/scenario.schema.json relative to the folder when the folder is inside the
    h2sim repository (the installed package does not ship the schemas), else ""."""
    here = os.path.abspath(folder)
    while True:
        candidate = os.path.join(here, "schemas", "scenario.schema.json")
        if os.path.exists(candidate):
            return os.path.relpath(candidate, folder).replace(os.sep, "/")
        parent = os.path.dirname(here)
        if parent == here:
            return ""
        here = parent


# --- assembling the result ------------------------------------------------------------------
def build_result(problem: Any, settings: dict, found: list[dict], best: dict, bar: Any) -> CalibrationResult:
    x = best["x"]
    names = problem.names
    notes: list[str] = []
    payoff = float(problem.payoff.nll(problem.fit_part(problem.predict(x)))[0])
    if not np.isfinite(payoff):
        raise Error("the model cannot be run at the best parameters found (every candidate failed); "
                    "check the bounds")
    scales = dof_scales(problem, x)
    info = covariance(problem, x, scales)
    q, limit = critical_values(problem, settings["level"])
    theta = problem.theta(x)[0]
    se_x = info["se"]
    derivative = np.array([_dtheta_dx(p, xi) for p, xi in zip(problem.parameters, x)])
    cov_theta = info["covariance"] * np.outer(derivative, derivative)
    se_theta = se_x * np.abs(derivative)
    table = pd.DataFrame({
        "estimate": theta,
        "initial": [p.initial for p in problem.parameters],
        "low": [p.low for p in problem.parameters],
        "high": [p.high for p in problem.parameters],
        "units": [p.units for p in problem.parameters],
        "scale": [p.scale for p in problem.parameters],
        "se": se_theta,
        "wald_low": np.nan, "wald_high": np.nan, "profile_low": np.nan, "profile_high": np.nan,
    }, index=pd.Index(names, name="parameter"))
    if "wald" in settings["intervals"]:
        for j, p in enumerate(problem.parameters):
            if np.isfinite(se_x[j]):
                table.iloc[j, table.columns.get_loc("wald_low")] = float(p.from_internal(x[j] - q * se_x[j]))
                table.iloc[j, table.columns.get_loc("wald_high")] = float(p.from_internal(x[j] + q * se_x[j]))
    profile_curves: dict[str, pd.DataFrame] = {}
    if "profile" in settings["intervals"]:
        only = settings.get("profile")
        with bar.stage("profile likelihood", len(only) if only else problem.p, "parameter") as step:
            found_profiles, profile_notes = profiles(problem, x, scales, se_x, limit, step, only)
        notes += profile_notes
        for name, prof in found_profiles.items():
            table.loc[name, "profile_low"] = prof["low"]
            table.loc[name, "profile_high"] = prof["high"]
            profile_curves[name] = prof["curve"]
    for j, p in enumerate(problem.parameters):
        span = problem.upper[j] - problem.lower[j]
        if abs(x[j] - problem.lower[j]) <= 1e-6 * span or abs(x[j] - problem.upper[j]) <= 1e-6 * span:
            notes.append(f"{p.name} = {theta[j]:.6g} is at a search bound: widen [{p.low:g}, {p.high:g}] unless the "
                         "bound is physical (its interval then means little)")
    corr = pd.DataFrame(info["correlation"], index=names, columns=names)
    grouped = {frozenset(g) for g in info["non_identifiable"] if len(g) > 1}
    strongly = []
    for i in range(len(names)):
        for k in range(i + 1, len(names)):
            r = info["correlation"][i, k]
            if np.isfinite(r) and abs(r) > _CORRELATED and not any({names[i], names[k]} <= g for g in grouped):
                strongly.append((names[i], names[k], float(r)))
    for group in info["non_identifiable"]:
        if len(group) == 1:
            notes.append(f"{group[0]} does not affect the fitted observations: it cannot be estimated from them")
    if problem.evaluator.failed:
        notes.append(f"{problem.evaluator.failed} candidate run(s) failed (non-finite values) and were given an "
                     "infinite payoff")
    if not best["converged"]:
        notes.append(f"the optimiser did not report convergence: {best['message']}")

    prediction = info["prediction"]
    residuals, statistics, holdout_statistics = _tables(problem, prediction, best["scales"])
    for i in problem.payoff.estimated_sd:
        s = problem.fit.series[i]
        sd = float(np.median(best["scales"].sd[problem.payoff.slices[i]]))
        typical = float(np.sqrt(np.mean(np.square(s.values)))) if s.error == "normal" else 1.0
        if sd <= 1e-6 * max(typical, 1e-300):
            notes.append(f"series {s.name} is met exactly (its estimated standard error is {sd:.3g}): its likelihood "
                         "grows without bound, so it dominates the fit and the intervals mean little; give it `sd:`")
    scale_rows = []
    for i, s in enumerate(problem.fit.series):
        sl = problem.payoff.slices[i]
        scale_rows.append({"series": s.name, "error": s.error,
                           "sd": float(np.median(best["scales"].sd[sl])) if s.error in ("normal", "lognormal")
                           else np.nan,
                           "dispersion": float(best["scales"].dispersion[sl][0]) if s.error == "negative_binomial"
                           else np.nan,
                           "estimated": i in problem.payoff.estimated_sd or i in problem.payoff.estimated_k,
                           "units": "log" if s.error == "lognormal" else s.units})
    starts = pd.DataFrame([{**{f"start {n}": float(v) for n, v in zip(names, problem.theta(f["start"])[0])},
                            **{n: float(v) for n, v in zip(names, problem.theta(f["x"])[0])},
                            "payoff": f["nll"], "converged": f["converged"], "message": f["message"]} for f in found])
    starts.index.name = "start"
    fitted_model = problem.model.with_params(problem.evaluator.fitted_params(theta))
    return CalibrationResult(
        model=problem.model, fitted_model=fitted_model, method=settings["method"], level=settings["level"],
        fit_until=settings["fit_until"], parameters=table, payoff=payoff,
        statistics=statistics, holdout_statistics=holdout_statistics, residuals=residuals,
        covariance=pd.DataFrame(cov_theta, index=names, columns=names), correlation=corr,
        non_identifiable=[tuple(g) for g in info["non_identifiable"]], strongly_correlated=strongly,
        profiles=profile_curves, profile_limit=limit, scales=pd.DataFrame(scale_rows).set_index("series"),
        starts=starts, evaluations={"batches": problem.evaluator.batches, "runs": problem.evaluator.runs,
                                    "failed": problem.evaluator.failed,
                                    **({"generations": best["generations"]} if "generations" in best else {})},
        notes=notes, observations=problem.all, settings={k: v for k, v in settings.items() if k != "section"},
        n_observations=problem.n_fit, _problem=problem, _x=x, _scales=best["scales"], _prediction=prediction)


def _dtheta_dx(parameter: Any, x: float) -> float:
    return float(np.exp(x)) if parameter.scale == "log" else 1.0


def _tables(problem: Any, prediction: np.ndarray, scales: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    fit_part = prediction[: problem.n_fit]
    standardised = problem.payoff.residuals(fit_part[None, :], scales)[0]
    rows = []
    offset = 0
    for sample, observations in (("fit", problem.fit), ("holdout", problem.holdout)):
        for s in observations:
            values = prediction[offset: offset + len(s)]
            frame = pd.DataFrame({"series": s.name, "variable": s.variable, "time": s.times, "observed": s.values,
                                  "fitted": values, "residual": s.values - values, "sample": sample,
                                  "units": s.units})
            frame["standardised"] = standardised[offset: offset + len(s)] if sample == "fit" else np.nan
            rows.append(frame)
            offset += len(s)
    residuals = pd.concat(rows, ignore_index=True)

    def statistics(sample: str) -> pd.DataFrame:
        part = residuals[residuals["sample"] == sample]
        if part.empty:
            return pd.DataFrame(columns=list(STATISTICS))
        table = {name: fit_statistics(group["observed"], group["fitted"])
                 for name, group in part.groupby("series", sort=False)}
        return pd.DataFrame.from_dict(table, orient="index")[list(STATISTICS)].rename_axis("series")

    return residuals, statistics("fit"), statistics("holdout")
