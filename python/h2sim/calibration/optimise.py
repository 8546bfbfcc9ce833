"""h2sim.calibrate: fitting a model's constants to observed time series.

Three optimisers from scipy, all evaluating candidates in blocks on the C++ lanes:

- ``least_squares`` (default): trust-region least squares on deviance residuals, with
  the Jacobian from central finite differences of every parameter in one batch;
- ``nelder_mead``: the simplex method on the payoff (one run per step);
- ``differential_evolution``: a global search; each generation's whole population is
  one batch. It is then polished by least squares (``polish=False`` keeps DE's optimum).

``starts=N`` runs a local optimiser from the starting values and from N-1 Latin-
hypercube points within the bounds, and keeps the best. After the fit come the
covariance and correlation of the estimates (from the Fisher information at the
optimum), Wald and profile-likelihood intervals, a check for parameters that the data
cannot tell apart, and the fit statistics in and after the fitting period.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize, stats

from ..errors import ArgumentError
from .data import Observations, _fail, canonical_error, check_against_model, read_data, split_at
from .payoff import Payoff, Scales
from .problem import Evaluator, Parameter, check_parameters, read_parameters

if TYPE_CHECKING:
    from .result import CalibrationResult

METHODS = ("least_squares", "nelder_mead", "differential_evolution")
_METHOD_ALIASES = {"least_squares": "least_squares", "leastsq": "least_squares", "lsq": "least_squares",
                   "nelder_mead": "nelder_mead", "neldermead": "nelder_mead", "simplex": "nelder_mead",
                   "differential_evolution": "differential_evolution", "de": "differential_evolution"}
INTERVALS = ("wald", "profile")
CALIBRATION_KEYS = ("parameters", "data", "error", "fit_until", "method", "starts", "seed", "level", "intervals",
                    "profile", "options", "mcmc")
MCMC_KEYS = ("walkers", "steps", "burn", "thin", "seed")

# Finite-difference step, relative to the parameter's magnitude (or to a tenth of its
# search range when the value is near zero): about the cube root of machine precision,
# the best step for central differences of smooth functions.
_FD_STEP = 1e-5
# Normalised singular values below this mark a direction the data do not determine.
_RANK_TOLERANCE = 1e-6


class Problem:
    """A calibration problem in the optimisers' coordinates: ``x`` is each parameter's
    value, or its logarithm for ``scale: log``; predictions are cached by ``x``."""

    def __init__(self, model: Any, parameters: list[Parameter], observations: Observations,
                 fit_until: float | None, threads: int | None, batch: bool) -> None:
        self.model = model
        self.parameters = parameters
        self.names = [p.name for p in parameters]
        self.fit_until = fit_until
        self.all = observations
        self.fit, self.holdout = split_at(observations, fit_until)
        if self.fit.count == 0:
            raise _fail(f"no observations at or before fit_until = {fit_until:g}: nothing to fit", None)
        # Fit series first, hold-out after: both come from the same runs.
        self.evaluator = Evaluator(model, parameters, Observations(self.fit.series + self.holdout.series),
                                   threads=threads, batch=batch)
        self.n_fit = self.fit.count
        self.payoff = Payoff(self.fit)
        self.lower = np.array([p.internal_bounds[0] for p in parameters])
        self.upper = np.array([p.internal_bounds[1] for p in parameters])
        self.x0 = np.array([float(p.to_internal(p.initial)) for p in parameters])
        self._cache: dict[bytes, np.ndarray] = {}

    @property
    def p(self) -> int:
        return len(self.parameters)

    def theta(self, x: np.ndarray) -> np.ndarray:
        """Internal coordinates (candidates, parameters) to the parameters' own units."""
        x = np.atleast_2d(x)
        return np.column_stack([p.from_internal(x[:, j]) for j, p in enumerate(self.parameters)])

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predictions (candidates, fit and hold-out observations), one batch for the
        candidates not yet cached."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        keys = [row.tobytes() for row in x]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            values = self.evaluator.predict(self.theta(x[missing]))
            if len(self._cache) > 4096:
                self._cache.clear()
            for i, row in zip(missing, values):
                self._cache[keys[i]] = row
        return np.stack([self._cache[k] for k in keys])

    def fit_part(self, prediction: np.ndarray) -> np.ndarray:
        return prediction[..., : self.n_fit]

    def steps(self, x: np.ndarray) -> np.ndarray:
        width = self.upper - self.lower
        return _FD_STEP * np.maximum(np.abs(x), 0.1 * width)

    def difference_points(self, x: np.ndarray, free: np.ndarray | None = None) -> tuple[np.ndarray, list]:
        """The points of a central-difference Jacobian at x (one-sided at a bound), and
        for each free parameter (index, row of x+h, row of x-h, denominator)."""
        free = np.arange(self.p) if free is None else free
        h = self.steps(x)
        rows, plan = [x.copy()], []
        for j in free:
            up, down = x.copy(), x.copy()
            up[j] += h[j]
            down[j] -= h[j]
            if up[j] > self.upper[j]:
                up = x.copy()
                denominator = h[j]
            elif down[j] < self.lower[j]:
                down = x.copy()
                denominator = h[j]
            else:
                denominator = 2 * h[j]
            plan.append((j, len(rows), len(rows) + 1, denominator))
            rows += [up, down]
        return np.array(rows), plan

    def prediction_jacobian(self, x: np.ndarray, free: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(prediction at x, d prediction / d x (observations, free parameters)): one batch."""
        rows, plan = self.difference_points(x, free)
        values = self.predict(rows)
        derivative = np.column_stack([(values[a] - values[b]) / d for _, a, b, d in plan]) if plan else \
            np.zeros((values.shape[1], 0))
        return values[0], derivative


# --- the optimisers ---------------------------------------------------------------------------
def _least_squares(problem: Problem, x0: np.ndarray, scales: Scales | None = None, free: np.ndarray | None = None,
                   options: Mapping | None = None) -> dict:
    """Least squares from x0 over the free parameters (all by default). Estimated scales
    are re-estimated after each fit until they settle (at most 10 rounds), so the result
    is the maximum of the profile likelihood; given ``scales`` stay fixed."""
    free = np.arange(problem.p) if free is None else np.asarray(free)
    payoff = problem.payoff
    x = x0.copy()
    fixed_scales = scales is not None
    if scales is None:
        scales = payoff.estimate_scales(problem.fit_part(problem.predict(x))[0])
    options = dict(options or {})
    options.setdefault("max_nfev", 200)
    options.setdefault("xtol", 1e-10)
    options.setdefault("ftol", 1e-10)
    options.setdefault("gtol", 1e-10)
    result = None
    for _ in range(10 if not fixed_scales and payoff.scales_estimated else 1):
        current = scales

        def full(z: np.ndarray) -> np.ndarray:
            point = x.copy()
            point[free] = z
            return point

        def residuals(z: np.ndarray) -> np.ndarray:
            return payoff.residuals(problem.fit_part(problem.predict(full(z))), current)[0]

        def jacobian(z: np.ndarray) -> np.ndarray:
            point = full(z)
            rows, plan = problem.difference_points(point, free)
            values = problem.fit_part(problem.predict(rows))
            r = payoff.residuals(values, current)
            return np.column_stack([(r[a] - r[b]) / d for _, a, b, d in plan])

        if len(free) == 0:
            break
        z0 = np.clip(x[free], problem.lower[free], problem.upper[free])
        result = optimize.least_squares(residuals, z0, jac=jacobian, bounds=(problem.lower[free], problem.upper[free]),
                                        method="trf", x_scale="jac", **options)
        x = full(result.x)
        if fixed_scales or not payoff.scales_estimated:
            break
        scales = payoff.estimate_scales(problem.fit_part(problem.predict(x))[0])
        if _scales_settled(current, scales):
            break
    prediction = problem.fit_part(problem.predict(x))[0]
    return {"x": x, "scales": scales, "nll": float(payoff.nll(prediction, None if not fixed_scales else scales)[0]),
            "converged": bool(result.success) if result is not None else True,
            "message": result.message if result is not None else "nothing to fit",
            "evaluations": int(result.nfev) if result is not None else 0}


def _scales_settled(a: Scales, b: Scales) -> bool:
    def close(u: np.ndarray, v: np.ndarray) -> bool:
        both = np.isfinite(u) & np.isfinite(v)
        return bool(np.all(np.abs(u[both] - v[both]) <= 1e-6 * np.abs(v[both])))

    return close(a.sd, b.sd) and close(a.dispersion, b.dispersion)


def _objective(problem: Problem):
    """The payoff of candidates (rows of internal coordinates), in one batch; failed
    runs give a huge finite payoff (optimisers compare and average payoffs)."""

    def payoffs(x: np.ndarray) -> np.ndarray:
        values = problem.payoff.nll(problem.fit_part(problem.predict(x)))
        return np.where(np.isfinite(values), values, 1e300)

    return payoffs


def _nelder_mead(problem: Problem, x0: np.ndarray, options: Mapping | None = None) -> dict:
    payoffs = _objective(problem)
    options = {"maxfev": 400 * problem.p, "xatol": 1e-8, "fatol": 1e-10, "adaptive": problem.p > 3, **(options or {})}
    found = optimize.minimize(lambda x: float(payoffs(x[None, :])[0]), x0, method="Nelder-Mead",
                              bounds=list(zip(problem.lower, problem.upper)), options=options)
    x = np.clip(found.x, problem.lower, problem.upper)
    scales = problem.payoff.estimate_scales(problem.fit_part(problem.predict(x))[0])
    return {"x": x, "scales": scales, "nll": float(payoffs(x[None, :])[0]), "converged": bool(found.success),
            "message": str(found.message), "evaluations": int(found.nfev)}


def _differential_evolution(problem: Problem, seed: int, options: Mapping | None = None,
                            progress: Any = None) -> dict:
    """Differential evolution with the whole population of each generation evaluated as
    one batch (scipy's ``vectorized=True``, which implies deferred updating)."""
    payoffs = _objective(problem)
    options = dict(options or {})
    polish = options.pop("polish", True)
    settings = {"popsize": 15, "maxiter": 300, "tol": 0.01, "init": "latinhypercube", **options}
    generations = [0]

    def callback(*_args: Any, **_kwargs: Any) -> None:
        generations[0] += 1
        if progress is not None:
            progress.update(1)

    import inspect

    accepts_rng = "rng" in inspect.signature(optimize.differential_evolution).parameters
    seeding = {"rng": seed} if accepts_rng else {"seed": seed}
    found = optimize.differential_evolution(lambda X: payoffs(np.asarray(X).T), list(zip(problem.lower, problem.upper)),
                                            vectorized=True, updating="deferred", polish=False, callback=callback,
                                            x0=problem.x0, **seeding, **settings)
    x = np.clip(found.x, problem.lower, problem.upper)
    out = {"x": x, "scales": problem.payoff.estimate_scales(problem.fit_part(problem.predict(x))[0]),
           "nll": float(found.fun), "converged": bool(found.success), "message": str(found.message),
           "evaluations": int(found.nfev), "generations": int(found.nit)}
    if polish:
        polished = _least_squares(problem, x)
        if polished["nll"] <= out["nll"]:
            out.update(x=polished["x"], scales=polished["scales"], nll=polished["nll"],
                       message=f"{out['message']}; polished by least squares")
    return out


# --- after the fit ------------------------------------------------------------------------------
def covariance(problem: Problem, x: np.ndarray, scales: Scales) -> dict:
    """Covariance of the estimates (internal coordinates) from the Fisher information
    J^T J at x, with the directions the data do not determine found from the singular
    values of J with unit-length columns."""
    prediction, derivative = problem.prediction_jacobian(x)
    J = problem.payoff.information_rows(problem.fit_part(prediction), problem.fit_part(derivative.T).T, scales)
    p = problem.p
    norms = np.linalg.norm(J, axis=0)
    no_effect = norms <= 1e-12 * max(float(norms.max(initial=0.0)), 1e-300)
    safe = np.where(no_effect, 1.0, norms)
    _, s, vt = np.linalg.svd(J / safe, full_matrices=False)
    s = np.concatenate([s, np.zeros(p - len(s))]) if len(s) < p else s
    vt = vt if vt.shape[0] == p else np.vstack([vt, np.zeros((p - vt.shape[0], p))])
    largest = float(s.max(initial=0.0))
    weak = s <= _RANK_TOLERANCE * largest if largest > 0 else np.ones(p, dtype=bool)
    groups: list[tuple[str, ...]] = []
    undetermined = set(np.flatnonzero(no_effect))
    for k in np.flatnonzero(weak):
        members = tuple(problem.names[j] for j in range(p) if abs(vt[k, j]) >= 0.1 and not no_effect[j])
        if members:
            groups.append(members)
            undetermined.update(problem.names.index(m) for m in members)
    for j in np.flatnonzero(no_effect):
        groups.append((problem.names[j],))
    # The inverse with tiny singular values floored: finite numbers whose correlations
    # show the direction along which the data say nothing.
    floor = max(_RANK_TOLERANCE * largest, 1e-300)
    s_safe = np.maximum(s, floor)
    scaled = (vt.T / s_safe ** 2) @ vt
    cov = scaled / np.outer(safe, safe)
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    for j in undetermined:
        se[j] = np.inf
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.diag(scaled))
        corr = scaled / np.outer(d, d)
    for j in np.flatnonzero(no_effect):
        corr[j, :] = np.nan
        corr[:, j] = np.nan
        corr[j, j] = 1.0
    return {"covariance": cov, "se": se, "correlation": corr, "non_identifiable": groups,
            "singular_values": s, "prediction": prediction, "derivative": derivative}


def critical_values(problem: Problem, level: float) -> tuple[float, float]:
    """(two-sided quantile for Wald intervals, payoff rise that bounds a profile interval).
    When standard errors or dispersions are estimated from the residuals: Student's t
    and F with n - p degrees of freedom; otherwise the normal and chi-square limits."""
    nu = problem.n_fit - problem.p
    if problem.payoff.scales_estimated and nu >= 1:
        return float(stats.t.ppf(0.5 + level / 2, nu)), float(stats.f.ppf(level, 1, nu)) / 2
    return float(stats.norm.ppf(0.5 + level / 2)), float(stats.chi2.ppf(level, 1)) / 2


def dof_scales(problem: Problem, x: np.ndarray) -> Scales:
    """Scales for intervals: estimated ones with their variance inflation for the
    degrees of freedom the fit used (Payoff.estimate_scales)."""
    return problem.payoff.estimate_scales(problem.fit_part(problem.predict(x))[0], fitted_parameters=problem.p)


# --- the entry point ---------------------------------------------------------------------------
def calibrate(model: Any, data: Any = None, parameters: Any = None, *, method: str | None = None,
              starts: int | None = None, seed: int | None = None, fit_until: float | None = None,
              error: str | None = None, intervals: Any = None, level: float | None = None,
              profile: Any = None, options: Mapping | None = None, threads: int | None = None,
              batch: bool = True, progress: bool | None = None) -> "CalibrationResult":
    """Fits constants of ``model`` to observed data; returns a :class:`CalibrationResult`.

    Arguments left out come from the model's ``calibration:`` section
    (docs/calibration.md), then from the defaults:

    - ``data``: observations (a CSV path, a DataFrame long or wide, a Series named as
      the variable, a dict of Series, ``data:`` entries as in YAML, or a list of these);
    - ``parameters``: ``{name: (low, high)}`` or ``{name: {"low", "high", "initial",
      "prior", "scale"}}``;
    - ``method``: ``"least_squares"`` (default), ``"nelder_mead"`` or
      ``"differential_evolution"``; ``options``: passed to the scipy optimiser
      (``popsize``, ``maxiter``, ``polish`` for differential evolution, ...);
    - ``starts``: local optimisations from the starting values and ``starts - 1``
      Latin-hypercube points (seeded by ``seed``, default 0);
    - ``fit_until``: fit observations at times up to it, report statistics after it
      (hold-out validation);
    - ``error``: the error model of series that do not name one: ``"normal"`` (default),
      ``"lognormal"``, ``"poisson"``, ``"negative_binomial"``;
    - ``intervals``: ``"wald"``, ``"profile"``, both (default) or ``"none"``; ``level``:
      their coverage, 0.95 by default; ``profile``: when the intervals include profiles,
      the parameters to profile (default all; each profile refits the others many times,
      so on a slow model name the few that matter);
    - ``threads``: for ``run_batch``; ``batch=False`` runs candidates one by one with
      ``Model.run`` (the same numbers, slower: for checking);
    - ``progress``: progress bars for work that takes more than a second (None), always
      (True) or never (False).
    """
    from .. import arguments
    from .result import build_result

    model = arguments.model(model)
    settings = _settings(model, data, parameters, method, starts, seed, fit_until, error, intervals, level, options,
                         profile)
    problem = Problem(model, settings["parameters"], settings["observations"], settings["fit_until"], threads, batch)
    bar = _Progress(progress)
    found = []
    method = settings["method"]
    if method == "differential_evolution":
        with bar.stage("differential evolution", None, "generation") as step:
            found.append({**_differential_evolution(problem, settings["seed"], settings["options"], step),
                          "start": problem.x0})
    else:
        points = _start_points(problem, settings["starts"], settings["seed"])
        with bar.stage("fitting", len(points), "start") as step:
            for x0 in points:
                local = _least_squares(problem, x0, options=settings["options"]) if method == "least_squares" \
                    else _nelder_mead(problem, x0, settings["options"])
                found.append({**local, "start": x0})
                step.update(1)
    best = min(found, key=lambda f: f["nll"])
    return build_result(problem, settings, found, best, bar)


#: The optimiser settings ``options`` may give, by method (what each scipy optimiser takes,
#: less what h2sim sets itself: the function, bounds, Jacobian, seed and vectorisation).
OPTIMISER_OPTIONS = {
    "least_squares": ("max_nfev", "xtol", "ftol", "gtol", "loss", "f_scale", "diff_step", "tr_solver", "verbose"),
    "nelder_mead": ("maxiter", "maxfev", "xatol", "fatol", "adaptive", "disp", "initial_simplex"),
    "differential_evolution": ("popsize", "maxiter", "tol", "atol", "mutation", "recombination", "init",
                               "strategy", "polish", "disp"),
}
#: The keys of the section's ``mcmc:`` entry, and the least each may be.
MCMC_SETTINGS = {"walkers": 2, "steps": 1, "burn": 0, "thin": 1, "seed": 0}


def _check_mcmc(mcmc: Any, where: Any) -> None:
    """The section's ``mcmc:`` defaults, checked when the section is read (a bad one went
    unnoticed until a posterior was sampled, and -1 walkers then read as the default)."""
    from .data import _at, _unknown_key

    if not isinstance(mcmc, Mapping):
        raise _fail("mcmc: expected a mapping (walkers, steps, burn, thin, seed)", where)
    for name, value in mcmc.items():
        if name not in MCMC_SETTINGS:
            raise _fail(f"mcmc: {_unknown_key(name, list(MCMC_SETTINGS))}", _at(where, name))
        least = MCMC_SETTINGS[name]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise _fail(f"mcmc: {name} must be a whole number, {least} or more, not {value!r}", _at(where, name))


def _settings(model: Any, data: Any, parameters: Any, method: Any, starts: Any, seed: Any, fit_until: Any,
              error: Any, intervals: Any, level: Any, options: Any, profile: Any = None) -> dict:
    """Arguments merged with the calibration section, checked; errors in the section
    point at its lines."""
    from .data import _at, _number, _unknown_key

    section = model.section("calibration")
    spec = section.value if section is not None else {}
    if section is not None and not isinstance(spec, Mapping):
        raise section.error("expected a mapping (parameters, data, error, fit_until, method, ...)")
    where = (section, ()) if section is not None else None
    for key in spec:
        if key not in CALIBRATION_KEYS:
            raise _fail(_unknown_key(key, CALIBRATION_KEYS), _at(where, key))

    def pick(argument: Any, key: str, default: Any) -> tuple[Any, Any]:
        if argument is not None:
            return argument, None
        if key in spec:
            return spec[key], _at(where, key)
        return default, None

    error_value, error_where = pick(error, "error", "normal")
    default_error = canonical_error(error_value, error_where)
    if data is None:
        if "data" not in spec:
            raise _fail("no data: pass `data=` or declare `data:` in the calibration section", where)
        observations = read_data(spec["data"], section, ("data",), {"error": default_error})
    else:
        observations = read_data(data, defaults={"error": default_error})
    observations = check_against_model(observations, model)
    if parameters is None:
        if "parameters" not in spec:
            raise _fail("no parameters to fit: pass `parameters=` or declare `parameters:` in the calibration "
                        "section", where)
        parsed = read_parameters(spec["parameters"], section, ("parameters",))
    else:
        parsed = read_parameters(parameters)
    parsed = check_parameters(parsed, model)

    method_value, method_where = pick(method, "method", "least_squares")
    key = str(method_value).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _METHOD_ALIASES:
        raise _fail(f"unknown method `{method_value}`; expected one of: {', '.join(METHODS)}", method_where)
    starts_value, starts_where = pick(starts, "starts", 1)
    starts_number = _number(starts_value, "starts", starts_where)
    if starts_number < 1 or starts_number != int(starts_number):
        raise _fail("starts: expected a whole number, 1 or more", starts_where)
    seed_value, seed_where = pick(seed, "seed", 0)
    seed_number = _number(seed_value, "seed", seed_where)
    fit_value, fit_where = pick(fit_until, "fit_until", None)
    fit_number = None if fit_value is None else _number(fit_value, "fit_until", fit_where)
    level_value, level_where = pick(level, "level", 0.95)
    level_number = _number(level_value, "level", level_where)
    if not 0 < level_number < 1:
        raise _fail("level: expected a number between 0 and 1, e.g. 0.95", level_where)
    intervals_value, intervals_where = pick(intervals, "intervals", list(INTERVALS))
    if isinstance(intervals_value, str):
        intervals_value = [] if intervals_value.lower() in ("none", "") else \
            list(INTERVALS) if intervals_value.lower() in ("both", "all") else [intervals_value]
    chosen = []
    for item in intervals_value:
        if str(item).lower() not in INTERVALS:
            raise _fail(f"unknown interval kind `{item}`; expected {', '.join(INTERVALS)}, both or none",
                        intervals_where)
        chosen.append(str(item).lower())
    profile_value, profile_where = pick(profile, "profile", None)
    profiled = None
    if profile_value is not None:
        names = [profile_value] if isinstance(profile_value, str) else list(profile_value)
        fitted = {_canonical(p.name): p.name for p in parsed}
        profiled = []
        for name in names:
            if _canonical(str(name)) not in fitted:
                if profile is None and parameters is not None:
                    continue  # the section's choice, for parameters this call does not fit
                raise _fail(f"profile: `{name}` is not a fitted parameter ({', '.join(fitted.values())})",
                            profile_where)
            profiled.append(fitted[_canonical(str(name))])
    options_value, options_where = pick(options, "options", {})
    if not isinstance(options_value, Mapping):
        raise _fail("options: expected a mapping of optimiser settings", options_where)
    method_name = _METHOD_ALIASES[key]
    for option in options_value:  # scipy's "unexpected keyword argument" came at the end of a fit, with no line
        if option not in OPTIMISER_OPTIONS[method_name]:
            message = f"options: {method_name} has no setting {_unknown_key(option, OPTIMISER_OPTIONS[method_name])[12:]}"
            if options_where is None:
                raise ArgumentError(f"calibrate: {message}")
            raise _fail(message, _at(options_where, option))
    mcmc = spec.get("mcmc")
    if mcmc is not None:
        _check_mcmc(mcmc, _at(where, "mcmc"))
    return {"observations": observations, "parameters": parsed, "method": _METHOD_ALIASES[key],
            "starts": int(starts_number), "seed": int(seed_number), "fit_until": fit_number, "level": level_number,
            "intervals": chosen, "profile": profiled, "options": dict(options_value), "error": default_error,
            "mcmc": spec.get("mcmc"), "section": section}


def _canonical(name: str) -> str:
    from .. import _h2sim

    base, at, time = name.replace(" ", "").partition("@")
    return _h2sim.canonical_name(base) + at + (f"{float(time):g}" if at else "")


def _start_points(problem: Problem, starts: int, seed: int) -> list[np.ndarray]:
    points = [problem.x0]
    if starts > 1:
        sampler = stats.qmc.LatinHypercube(d=problem.p, seed=seed)
        unit = sampler.random(starts - 1)
        points += list(problem.lower + unit * (problem.upper - problem.lower))
    return points


class _Progress:
    """tqdm bars for the stages of a calibration, shown once a stage takes more than a
    second (``show=None``), always (True) or never (False)."""

    def __init__(self, show: bool | None) -> None:
        self.show = show

    def stage(self, description: str, total: int | None, unit: str):
        import contextlib

        @contextlib.contextmanager
        def bar():
            if self.show is False:
                yield _Silent()
                return
            try:
                from tqdm.auto import tqdm
            except ImportError:
                yield _Silent()
                return
            progress = tqdm(total=total, desc=f"h2sim calibrate: {description}", unit=unit,
                            delay=0 if self.show else 1.0, leave=False)
            try:
                yield progress
            finally:
                progress.close()

        return bar()


class _Silent:
    def update(self, _n: int = 1) -> None:
        pass

    def set_postfix_str(self, _text: str) -> None:
        pass

