"""The EMA Workbench adapter: an h2sim model as an ``ema_workbench`` model.

    from h2sim.analysis import ema
    ema_model = ema.EMAModel(h2sim.load("study.yaml"))          # uncertainties, levers, outcomes
    experiments, outcomes = ema.perform_experiments(ema_model, scenarios=1000, policies=4)

``EMAModel`` is an ``ema_workbench.AbstractModel``: its uncertainties, levers and outcomes
come from the model's declarations (or are given), so every EMA tool - samplers, PRIM, CART,
feature scoring, optimisation - works with it. ``perform_experiments`` here (or
``ema_workbench.perform_experiments(..., evaluator=H2simEvaluator(ema_model))``) runs the
whole design on h2sim's lanes, in chunks, instead of one run at a time; with EMA's own
evaluators each experiment is one ``Model.run``.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np

from . import outcomes as _outcomes
from .executors import Plan, run_chunks
from .parameters import Distribution, _Settable, declared_levers, declared_space


def _ema():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional EMA back ends (ipyparallel, ...) it may lack
        import ema_workbench
        from ema_workbench.em_framework import evaluators, model, outcomes, parameters, points
    return ema_workbench, evaluators, model, outcomes, parameters, points


def _identifier(name: str) -> str:
    """EMA wants Python identifiers as names: `learning.learning_rate` -> `learning_learning_rate`."""
    text = re.sub(r"\W", "_", name)
    return text if text[:1].isalpha() or text[:1] == "_" else f"_{text}"


def _scipy_distribution(d: Distribution):
    """A frozen scipy distribution for EMA's samplers; None for a uniform (a plain range)."""
    from scipy import stats

    if d.kind == "uniform":
        return None
    if d.kind == "triangular" or not (np.isfinite(d.low) or np.isfinite(d.high)):
        return d.to_scipy()
    if d.kind == "normal":
        return stats.truncnorm((d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd, loc=d.mean, scale=d.sd)
    return _Quantiles(d)()


class _Quantiles:
    """A scipy distribution whose quantile function is the h2sim Distribution's (for the
    truncated lognormal, which scipy lacks)."""

    def __init__(self, d: Distribution) -> None:
        self.d = d

    def __call__(self):
        from scipy import stats

        d = self.d

        class truncated(stats.rv_continuous):  # noqa: N801 - scipy's naming
            def _ppf(self, q):
                return d.ppf(q)

            def _cdf(self, x):
                grid = d.ppf(np.linspace(0, 1, 2001))
                return np.interp(x, grid, np.linspace(0, 1, 2001))

        return truncated(name="truncated")()


def _base_class():
    return _ema()[2].AbstractModel


class EMAModel:
    """Builds the EMA model class lazily, so that importing h2sim does not import EMA."""

    def __new__(cls, model, name: str | None = None, outcomes: Any = None, uncertainties: Any = None,
                levers: Any = None, threads: int | None = None, **run_options):
        return _make_class()(model, name, outcomes, uncertainties, levers, threads, **run_options)


_CLASS = None


def _make_class():
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    ema_workbench, _, model_module, outcome_module, parameters, _ = _ema()

    class H2simEMAModel(model_module.AbstractModel):
        """An h2sim Model as an EMA Workbench model (see :mod:`h2sim.analysis.ema`)."""

        def __init__(self, model, name=None, outcomes=None, uncertainties=None, levers=None, threads=None,
                     **run_options):
            import h2sim

            if isinstance(model, str):
                model = h2sim.load(model)
            super().__init__(name or re.sub(r"[^0-9A-Za-z]", "", model.name.title()) or "h2sim")
            self.h2sim_model = model
            self.threads = threads
            self.run_options = {k: v for k, v in run_options.items() if v is not None}
            space = declared_space(model, uncertainties)
            lever_list = [lever for lever in declared_levers(model, levers) if lever.has_domain]
            lever_names = {lever.name for lever in lever_list}
            params = []
            for u in space.uncertainties:
                if u.name in lever_names:
                    continue
                dist = _scipy_distribution(u.distribution)
                if dist is None:
                    params.append(parameters.RealParameter(_identifier(u.name), u.distribution.low,
                                                           u.distribution.high, variable_name=u.name))
                else:
                    params.append(parameters.RealParameter.from_dist(_identifier(u.name), dist,
                                                                      variable_name=[u.name]))
            self.uncertainties = params
            lever_params = []
            for lever in lever_list:
                if lever.options and len(lever.options) > 1:
                    lever_params.append(parameters.CategoricalParameter(_identifier(lever.name), list(lever.options),
                                                                        variable_name=lever.name))
                elif lever.low is not None:
                    lever_params.append(parameters.RealParameter(_identifier(lever.name), lever.low, lever.high,
                                                                 variable_name=lever.name))
            self.levers = lever_params
            self.h2sim_outcomes = _outcomes.resolve(model, outcomes, self.run_options.get("start"),
                                                    self.run_options.get("stop"))
            kinds = {"maximize": outcome_module.ScalarOutcome.MAXIMIZE,
                     "minimize": outcome_module.ScalarOutcome.MINIMIZE}
            self.outcomes = [outcome_module.ScalarOutcome(
                o.name, kind=kinds.get(o.goal, outcome_module.ScalarOutcome.INFO), variable_name=o.name)
                for o in self.h2sim_outcomes]

        def plan(self) -> Plan:
            return Plan(self.h2sim_outcomes, [], self.run_options)

        def run_model(self, scenario, policy):
            """One experiment: one h2sim run (EMA's own evaluators call this)."""
            super().run_model(scenario, policy)
            params = {**dict(scenario.items()), **dict(policy.items())}
            names = list(params)
            values = np.array([[float(params[n]) for n in names]])
            reduced, _, _ = _evaluate_one(self.h2sim_model, names, values, self.plan())
            self.outcomes_output = {name: _scalar(v[0]) for name, v in reduced.items()}

        def run_experiments(self, experiments, executor=None, chunk_size=None, progress=None):
            """Runs EMA experiments as h2sim batches; returns one dict of outcomes per
            experiment, in order."""
            rows = []
            for experiment in experiments:
                scenario, policy = experiment.scenario.copy(), experiment.policy.copy()
                self._transform(scenario, self.uncertainties)
                self._transform(policy, self.levers)
                rows.append({**dict(scenario.items()), **dict(policy.items())})
            names: list[str] = []
            for row in rows:
                names += [k for k in row if k not in names]
            settable = _Settable(self.h2sim_model)
            values = np.array([[float(row[n]) if n in row else settable.value(n) for n in names] for row in rows])
            out = [dict() for _ in rows]
            for a, b, (reduced, _, _) in run_chunks(self.h2sim_model, names, values, self.plan(),
                                                     executor=executor, chunk_size=chunk_size,
                                                     threads=self.threads):
                for name, array in reduced.items():
                    for i in range(a, b):
                        out[i][name] = _scalar(array[i - a])
            return out

    _CLASS = H2simEMAModel
    return _CLASS


def _evaluate_one(model, names, values, plan):
    from .executors import evaluate_chunk

    return evaluate_chunk(model, names, values, plan, threads=1)


def _scalar(value):
    """EMA's ScalarOutcome wants Python numbers (numpy's bool is not one)."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    return float(value)


def _evaluator_class():
    _, evaluators, _, _, _, points = _ema()

    class H2simEvaluator(evaluators.BaseEvaluator):
        """An EMA evaluator that runs all experiments of an h2sim model as h2sim batches
        (on the lanes, in chunks, optionally on an executor such as a Dask client)."""

        def __init__(self, msis, executor=None, chunk_size=None):
            super().__init__(msis)
            self.executor = executor
            self.chunk_size = chunk_size

        def initialize(self):
            pass

        def finalize(self):
            pass

        def evaluate_experiments(self, scenarios, policies, callback, combine="factorial", **kwargs):
            experiments = list(points.experiment_generator(scenarios, self._msis, policies, combine=combine))
            models = {m.name: m for m in self._msis}
            for name, model in models.items():
                mine = [e for e in experiments if e.model_name == name]
                if not hasattr(model, "run_experiments"):
                    raise TypeError(f"{name} is not an h2sim model; use EMA's own evaluators for it")
                results = model.run_experiments(mine, executor=self.executor, chunk_size=self.chunk_size)
                for experiment, outcome in zip(mine, results):
                    callback(experiment, outcome)

    return H2simEvaluator


def H2simEvaluator(msis, executor=None, chunk_size=None):  # noqa: N802 - reads as the class it builds
    """An ``ema_workbench`` evaluator that runs h2sim models' experiments as batches."""
    return _evaluator_class()(msis, executor=executor, chunk_size=chunk_size)


def perform_experiments(models, scenarios=0, policies=0, executor=None, chunk_size=None, **kwargs):
    """``ema_workbench.perform_experiments`` with the experiments run as h2sim batches.
    Returns EMA's pair: (experiments DataFrame, outcomes dict)."""
    ema_workbench = _ema()[0]
    evaluator = H2simEvaluator(models, executor=executor, chunk_size=chunk_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return ema_workbench.perform_experiments(models, scenarios=scenarios, policies=policies,
                                                 evaluator=evaluator, **kwargs)
