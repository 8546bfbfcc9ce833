"""Calibration against data (h2sim.calibrate, docs/calibration.md): recovery of known
parameters and the coverage of their intervals, identifiability, the batched optimisers,
error models, hold-out statistics, the fitted scenario file, the YAML section and its
errors, MCMC, and the command line."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import h2sim
from h2sim.calibration import fit_statistics, read_data
from h2sim.calibration.optimise import Problem, _settings

TRUE_P, TRUE_Q = 0.02, 0.5
BOUNDS = {"p": (0.001, 0.2), "q": (0.05, 1.5)}


@pytest.fixture(scope="module")
def bass(examples):
    return h2sim.load(examples / "bass_diffusion.yaml")


@pytest.fixture(scope="module")
def truth(bass):
    """Adopters at years 1-15 of the Bass model with p = 0.02, q = 0.5."""
    return bass.run(params={"p": TRUE_P, "q": TRUE_Q}, return_columns=["adopters"])["adopters"].loc[1:15]


def noisy(truth, rng, sd=150.0):
    return (truth + rng.normal(0.0, sd, len(truth))).rename("adopters")


# --- recovery and coverage ---------------------------------------------------------------
def test_fit_recovers_known_parameters_within_their_intervals(bass, truth):
    data = noisy(truth, np.random.default_rng(7))
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, progress=False)
    table = fit.parameters
    for name, value in (("p", TRUE_P), ("q", TRUE_Q)):
        row = table.loc[name]
        assert row["wald_low"] < value < row["wald_high"], name
        assert row["profile_low"] < value < row["profile_high"], name
        assert abs(row["estimate"] - value) < 3 * row["se"], name
    # The profile interval of a nearly linear problem is close to the Wald interval.
    assert table.loc["q", "profile_low"] == pytest.approx(table.loc["q", "wald_low"], rel=0.01)
    # The estimated noise is of the size that made the data (sd 150): the maximum-likelihood
    # sd of 15 points with 2 fitted parameters lies within 0.55-1.45 sd at 95 %.
    assert 0.55 * 150 < fit.scales.loc["adopters", "sd"] < 1.45 * 150
    assert fit.statistics.loc["adopters", "r2"] > 0.99


def test_interval_coverage_over_repeated_synthetic_data_is_as_advertised(bass, truth):
    """Benchmark-style, fixed seed: 95 % intervals cover the true values in about 95 %
    of 200 synthetic data sets (Wald) and of 40 (profile likelihood). A binomial
    proportion of 200 at 0.95 has a standard deviation of 0.015."""
    rng = np.random.default_rng(20240501)
    truth_values = np.array([TRUE_P, TRUE_Q])
    wald = np.zeros(2)
    profile = np.zeros(2)
    runs = 200
    profiled = 40
    for i in range(runs):
        fit = h2sim.calibrate(bass, data=noisy(truth, rng), parameters=BOUNDS, progress=False,
                              intervals="both" if i < profiled else "wald")
        t = fit.parameters
        wald += ((t["wald_low"] <= truth_values) & (truth_values <= t["wald_high"])).to_numpy()
        if i < profiled:
            profile += ((t["profile_low"] <= truth_values) & (truth_values <= t["profile_high"])).to_numpy()
    wald /= runs
    profile /= profiled
    print(f"coverage of 95 % intervals: Wald p {wald[0]:.3f} q {wald[1]:.3f} ({runs} data sets), "
          f"profile p {profile[0]:.3f} q {profile[1]:.3f} ({profiled})")
    assert np.all(wald >= 0.91) and np.all(wald <= 0.99)
    assert np.all(profile >= 0.88) and np.all(profile <= 1.0)


def test_a_pair_that_enters_only_as_a_product_is_reported_non_identifiable(examples):
    model = h2sim.load(examples.parent.parent / "tests" / "data" / "calibration" / "product.yaml")
    run = model.run(return_columns=["stock"])["stock"]
    data = (run * np.exp(np.random.default_rng(3).normal(0, 0.05, len(run)))).rename("stock")
    fit = h2sim.calibrate(model, data=data, parameters={"growth_a": (0.01, 1), "growth_b": (0.1, 5)},
                          error="lognormal", progress=False)
    assert fit.non_identifiable == [("growth_a", "growth_b")]
    assert np.isinf(fit.parameters["se"]).all()
    assert fit.correlation.loc["growth_a", "growth_b"] == pytest.approx(-1, abs=1e-3)
    # The product is determined: 0.2 * 1.5.
    assert fit.estimates["growth_a"] * fit.estimates["growth_b"] == pytest.approx(0.3, rel=0.02)
    # Along the profile the other parameter compensates until it meets its bound:
    # growth_a can fall to 0.3 / 5 (growth_b = 5) and rise without limit.
    assert fit.parameters.loc["growth_a", "profile_low"] == pytest.approx(0.3 / 5, rel=0.05)
    assert math.isnan(fit.parameters.loc["growth_a", "profile_high"])
    assert "NOT IDENTIFIABLE" in fit.summary()
    # An identifiable pair is not reported.
    single = h2sim.calibrate(model, data=data, parameters={"growth_a": (0.01, 1)}, error="lognormal", progress=False,
                             intervals="wald")
    assert single.non_identifiable == []
    assert single.estimates["growth_a"] == pytest.approx(0.2, rel=0.05)


# --- batches ---------------------------------------------------------------------------------
class CountingBatches:
    def __init__(self, monkeypatch):
        self.calls = []
        original = h2sim.Model.run_batch

        def counted(model, table, *args, **kwargs):
            self.calls.append(len(pd.DataFrame(table)))
            return original(model, table, *args, **kwargs)

        monkeypatch.setattr(h2sim.Model, "run_batch", counted)


def test_a_finite_difference_jacobian_is_one_batch(bass, truth, monkeypatch):
    settings = _settings(bass, truth, BOUNDS, None, None, None, None, None, None, None, None)
    problem = Problem(bass, settings["parameters"], settings["observations"], None, None, True)
    counter = CountingBatches(monkeypatch)
    value, derivative = problem.prediction_jacobian(np.array([0.03, 0.4]))
    assert counter.calls == [5]  # the point and two per parameter, in one call
    # Against a difference of single runs.
    up = bass.run(params={"p": 0.03, "q": 0.4 + 1e-4}, return_columns=["adopters"])["adopters"].loc[1:15]
    down = bass.run(params={"p": 0.03, "q": 0.4 - 1e-4}, return_columns=["adopters"])["adopters"].loc[1:15]
    np.testing.assert_allclose(derivative[:, 1], (up - down).to_numpy() / 2e-4, rtol=1e-4)


def test_differential_evolution_evaluates_each_generation_in_one_batch_and_equals_single_runs(bass, truth,
                                                                                             monkeypatch):
    data = noisy(truth, np.random.default_rng(11))
    options = {"popsize": 8, "maxiter": 25, "polish": False}
    counter = CountingBatches(monkeypatch)
    batched = h2sim.calibrate(bass, data=data, parameters=BOUNDS, method="differential_evolution", seed=5,
                              options=options, intervals="none", progress=False)
    generations = batched.evaluations["generations"]
    population = 8 * 2  # popsize x parameters
    assert generations >= 5
    # The initial population, then one call per generation with the whole population.
    assert counter.calls[: generations + 1] == [population] * (generations + 1)
    assert population not in counter.calls[generations + 1:]
    assert batched.evaluations["batches"] == len(counter.calls)
    looped = h2sim.calibrate(bass, data=data, parameters=BOUNDS, method="differential_evolution", seed=5,
                             options=options, intervals="none", progress=False, batch=False)
    assert looped.evaluations["batches"] == 0
    assert looped.evaluations["runs"] == batched.evaluations["runs"]
    assert batched.estimates == looped.estimates  # bit for bit
    assert batched.payoff == looped.payoff
    assert batched.estimates["p"] == pytest.approx(TRUE_P, rel=0.2)


def test_differential_evolution_reaches_the_least_squares_optimum(bass, truth):
    data = noisy(truth, np.random.default_rng(12))
    local = h2sim.calibrate(bass, data=data, parameters=BOUNDS, intervals="none", progress=False)
    de = h2sim.calibrate(bass, data=data, parameters=BOUNDS, method="differential_evolution", seed=1,
                         intervals="none", progress=False)
    nm = h2sim.calibrate(bass, data=data, parameters=BOUNDS, method="nelder_mead", intervals="none", progress=False)
    for other in (de, nm):
        assert other.estimates["p"] == pytest.approx(local.estimates["p"], rel=1e-4)
        assert other.estimates["q"] == pytest.approx(local.estimates["q"], rel=1e-4)
        assert other.payoff == pytest.approx(local.payoff, abs=1e-6)


def test_profiles_of_chosen_parameters_only(bass, truth):
    data = noisy(truth, np.random.default_rng(14))
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, profile=["q"], progress=False)
    assert list(fit.profiles) == ["q"]
    assert np.isnan(fit.parameters.loc["p", "profile_low"]) and np.isfinite(fit.parameters.loc["q", "profile_low"])
    with pytest.raises(h2sim.Error, match="profile: `market` is not a fitted parameter"):
        h2sim.calibrate(bass, data=data, parameters=BOUNDS, profile=["market"], progress=False)


def test_multi_start_reports_every_start_and_keeps_the_best(bass, truth):
    data = noisy(truth, np.random.default_rng(13))
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, starts=4, seed=2, intervals="none", progress=False)
    assert len(fit.starts) == 4
    assert fit.payoff == pytest.approx(fit.starts["payoff"].min())
    starts = fit.starts[["start p", "start q"]].to_numpy()
    assert len({tuple(row) for row in starts}) == 4  # distinct starting points
    assert np.all((starts[:, 0] >= 0.001) & (starts[:, 0] <= 0.2))


# --- error models -------------------------------------------------------------------------------
def test_count_data_fit_with_poisson_and_negative_binomial(bass):
    yearly = bass.run(params={"p": TRUE_P, "q": TRUE_Q}, return_columns=["adopters"])["adopters"]
    sales = np.diff(yearly.to_numpy())[:15]  # adoption in each year 1-15
    rng = np.random.default_rng(5)
    times = np.arange(1.0, 16.0)
    poisson = pd.DataFrame({"time": times, "variable": "adoption", "value": rng.poisson(sales)})
    spec = {"series": {"adoption": {"mean_over": 1}}}
    assert read_data(poisson).series[0].error == "normal"  # the default, unless told
    fit = h2sim.calibrate(bass, data=_with(poisson, spec), parameters=BOUNDS, error="poisson", progress=False)
    assert fit.scales.loc["adoption", "error"] == "poisson"
    for name, value in (("p", TRUE_P), ("q", TRUE_Q)):
        assert fit.parameters.loc[name, "wald_low"] < value < fit.parameters.loc[name, "wald_high"]
    # Over-dispersed counts: negative binomial with dispersion 20 (variance m + m^2/20).
    k = 20.0
    overdispersed = rng.negative_binomial(k, k / (k + sales))
    frame = pd.DataFrame({"time": times, "variable": "adoption", "value": overdispersed})
    nb = h2sim.calibrate(bass, data=_with(frame, spec), parameters=BOUNDS, error="negative_binomial", progress=False)
    assert 5 < nb.scales.loc["adoption", "dispersion"] < 100
    assert nb.parameters.loc["q", "wald_low"] < TRUE_Q < nb.parameters.loc["q", "wald_high"]
    # A Poisson fit of the same data claims far narrower intervals than the data support.
    naive = h2sim.calibrate(bass, data=_with(frame, spec), parameters=BOUNDS, error="poisson", progress=False,
                            intervals="wald")
    assert naive.parameters.loc["q", "se"] < 0.7 * nb.parameters.loc["q", "se"]


def _with(frame, spec):
    """A DataFrame with series options, as a data entry from Python."""
    import os
    import tempfile

    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "data.csv")
    frame.to_csv(path, index=False)
    return {"file": path, **spec}


def test_lognormal_errors_and_the_likelihood_in_closed_form(bass, truth):
    rng = np.random.default_rng(9)
    data = (truth * np.exp(rng.normal(0, 0.1, len(truth)))).rename("adopters")
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, error="lognormal", intervals="wald", progress=False)
    log_residuals = np.log(data.to_numpy()) - np.log(fit.residuals["fitted"].to_numpy())
    sd = math.sqrt(np.mean(log_residuals ** 2))  # the maximum-likelihood sd
    assert fit.scales.loc["adopters", "sd"] == pytest.approx(sd, rel=1e-6)
    n = len(data)
    expected = n * (0.5 + math.log(sd) + 0.5 * math.log(2 * math.pi)) + float(np.sum(np.log(data)))
    assert fit.payoff == pytest.approx(expected, rel=1e-9)


def test_given_standard_errors_are_used_and_not_estimated(bass, truth):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"time": truth.index, "variable": "adopters",
                          "value": truth.to_numpy() + rng.normal(0, 100, len(truth)), "sd": 100.0})
    fit = h2sim.calibrate(bass, data=frame, parameters=BOUNDS, intervals="wald", progress=False)
    assert not fit.scales.loc["adopters", "estimated"]
    assert fit.scales.loc["adopters", "sd"] == 100
    r = fit.residuals["residual"].to_numpy()
    expected = float(np.sum(0.5 * (r / 100) ** 2 + math.log(100) + 0.5 * math.log(2 * math.pi)))
    assert fit.payoff == pytest.approx(expected, rel=1e-9)


# --- data: irregular times, means over a window, units ------------------------------------------
def test_irregular_times_are_interpolated(bass):
    data = pd.DataFrame({"time": [2.3, 5.7, 11.05], "variable": "adopters", "value": [1000.0, 5000.0, 9000.0]})
    fit = h2sim.calibrate(bass, data=data, parameters={"p": (0.001, 0.2)}, intervals="none", progress=False)
    run = bass.with_params(p=fit.estimates["p"]).run(return_columns=["adopters"], save_every=0.125)["adopters"]
    expected = np.interp([2.3, 5.7, 11.05], run.index, run.to_numpy())
    np.testing.assert_allclose(fit.residuals["fitted"], expected, rtol=1e-12)


def test_mean_over_a_window_is_the_stock_gain_in_an_euler_model(write_yaml):
    path = write_yaml("grow.yaml", """\
name: grow
time: {start: 0, stop: 10, dt: 0.25, save_every: 1, method: euler}
constants:
  rate: {value: 0.3, units: 1/year}
stocks:
  fleet: {initial: 10, inflows: [sales], units: vehicles}
flows:
  sales: {equation: rate * fleet, units: vehicles/year}
""")
    model = h2sim.load(path)
    truth = model.run(return_columns=["fleet"], save_every=0.25)["fleet"]
    yearly = pd.DataFrame({"time": [3.0, 6.0, 9.0], "variable": "sales",
                           "value": [truth.loc[t] - truth.loc[t - 1] for t in (3.0, 6.0, 9.0)]})
    data = {"file": _with(yearly, {})["file"], "series": {"sales": {"mean_over": 1}}}
    fit = h2sim.calibrate(model, data=data, parameters={"rate": (0.01, 1)}, intervals="none", progress=False)
    assert fit.estimates["rate"] == pytest.approx(0.3, rel=1e-8)
    np.testing.assert_allclose(fit.residuals["fitted"], yearly["value"], rtol=1e-10)


def test_data_units_are_converted_and_a_wrong_dimension_is_an_error(write_yaml, bass, truth):
    path = write_yaml("supply.yaml", """\
name: supply
time: {start: 0, stop: 5, dt: 0.25, save_every: 1}
constants:
  build_rate: {value: 2, units: t/day/year}
stocks:
  capacity: {initial: 1, inflows: [additions], units: t/day}
flows:
  additions: {equation: build_rate, units: t/day/year}
""")
    model = h2sim.load(path)
    # 1 + 2 t t/day, reported in kg/year: 365000 kg/year per t/day.
    frame = pd.DataFrame({"time": [1.0, 2.0, 3.0], "variable": "capacity",
                          "value": [365000 * 3.0, 365000 * 5.0, 365000 * 7.0], "units": "kg/year"})
    fit = h2sim.calibrate(model, data=frame, parameters={"build_rate": (0.1, 10)}, intervals="none",
                          progress=False)
    assert fit.estimates["build_rate"] == pytest.approx(2.0, rel=1e-8)
    assert list(fit.residuals["observed"]) == pytest.approx([3.0, 5.0, 7.0])
    frame["units"] = "vehicles"
    with pytest.raises(h2sim.Error, match="data are in vehicles, the model's `capacity` in t/day"):
        h2sim.calibrate(model, data=frame, parameters={"build_rate": (0.1, 10)}, progress=False)


# --- hold-out and statistics ----------------------------------------------------------------------
def test_fit_statistics_against_hand_computed_values():
    observed = np.array([10.0, 20.0, 30.0, 40.0])
    predicted = np.array([12.0, 18.0, 33.0, 41.0])
    s = fit_statistics(observed, predicted)
    error = predicted - observed
    mse = np.mean(error ** 2)  # (4 + 4 + 9 + 1) / 4 = 4.5
    assert mse == 4.5
    assert s["rmse"] == pytest.approx(math.sqrt(4.5))
    assert s["mape"] == pytest.approx(100 * np.mean([0.2, 0.1, 0.1, 0.025]))
    assert s["r2"] == pytest.approx(1 - 18 / 500)
    assert s["theil_um"] == pytest.approx((26.0 - 25.0) ** 2 / 4.5)
    assert s["theil_us"] + s["theil_um"] + s["theil_uc"] == pytest.approx(1.0)
    assert s["theil_us"] == pytest.approx((np.std(predicted) - np.std(observed)) ** 2 / 4.5)


def test_holdout_fits_up_to_the_cut_off_and_validates_after_it(bass, truth):
    data = noisy(truth, np.random.default_rng(21))
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, fit_until=9, intervals="none", progress=False)
    assert fit.statistics.loc["adopters", "n"] == 9 and fit.holdout_statistics.loc["adopters", "n"] == 6
    assert fit.n_observations == 9
    # Refitting on the first nine points alone gives the same estimates ...
    alone = h2sim.calibrate(bass, data=data.loc[:9], parameters=BOUNDS, intervals="none", progress=False)
    assert alone.estimates["p"] == pytest.approx(fit.estimates["p"], rel=1e-9)
    # ... and the hold-out statistics are those of the fitted model after 9.
    after = fit.run(return_columns=["adopters"])["adopters"].loc[10:15]
    expected = fit_statistics(data.loc[10:15].to_numpy(), after.to_numpy())
    for key in ("mape", "r2", "theil_um", "theil_us", "theil_uc"):
        assert fit.holdout_statistics.loc["adopters", key] == pytest.approx(expected[key], rel=1e-9)
    holdout = fit.residuals[fit.residuals["sample"] == "holdout"]
    assert list(holdout["time"]) == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]


# --- the fitted scenario --------------------------------------------------------------------------
def test_the_fitted_scenario_extends_the_original_and_reproduces_the_fit(examples, tmp_path, truth):
    base = h2sim.load(examples / "scenario_base.yaml")  # extends nothing; its model is bass_diffusion
    data = (base.run(params={"p": 0.025}, return_columns=["adopters"])["adopters"].loc[2021:2030]
            * np.exp(np.random.default_rng(1).normal(0, 0.03, 10))).rename("adopters")
    fit = h2sim.calibrate(base, data=data, parameters={"p": (0.001, 0.1), "q": (0.05, 1.5)}, error="lognormal",
                          progress=False)
    out = tmp_path / "sub" / "fitted.yaml"
    out.parent.mkdir()
    text = fit.to_scenario(out)
    assert "extends: ../" in text and "scenario_base.yaml" in text
    reloaded = h2sim.load(out)
    assert reloaded.parameters.loc["p", "value"] == fit.estimates["p"]
    assert reloaded.parameters.loc["market", "value"] == 5000  # kept from the original
    again = reloaded.run(return_columns=["adopters"])["adopters"].loc[2021:2030]
    np.testing.assert_array_equal(again.to_numpy(), fit.residuals["fitted"].to_numpy())
    # A model file is named with model:, since extends: takes scenarios only.
    model_fit = h2sim.calibrate(h2sim.load(examples / "bass_diffusion.yaml"), data=truth,
                                parameters={"p": (0.001, 0.2)}, progress=False, intervals="none")
    text = model_fit.to_scenario(tmp_path / "model_fit.yaml")
    assert "\nmodel: " in text and h2sim.load(tmp_path / "model_fit.yaml").parameters.loc["p", "value"] == \
        model_fit.estimates["p"]


def test_values_set_in_python_before_calibrating_are_written_too(bass, truth, tmp_path, examples):
    model = h2sim.load(examples / "bass_diffusion.yaml").with_params(market=10000.0)
    fit = h2sim.calibrate(model, data=truth, parameters={"p": (0.001, 0.2)}, progress=False, intervals="none")
    text = fit.to_scenario(tmp_path / "f.yaml")
    assert "market: 10000.0" in text


# --- the calibration section ------------------------------------------------------------------------
def test_the_section_declares_everything_and_the_cli_writes_the_fit(examples, cli, tmp_path):
    scenario = examples / "bass_calibration.yaml"
    fit = h2sim.calibrate(h2sim.load(scenario), progress=False)
    assert fit.fit_until == 8 and len(fit.starts) == 3
    assert set(fit.statistics.index) == {"adopters", "sales"}
    assert set(fit.holdout_statistics.index) == {"adopters", "sales"}
    assert fit.scales.loc["sales", "error"] == "poisson" and fit.parameters.loc["p", "scale"] == "log"
    for name, value in (("p", TRUE_P), ("q", TRUE_Q)):
        assert fit.parameters.loc[name, "profile_low"] < value < fit.parameters.loc[name, "profile_high"]
    result = cli("calibrate", scenario, "-o", "fitted.yaml", "--residuals", "residuals.csv", "--plot", "fit.png",
                 "--profile-plot", "profiles.png", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "statistics, after 8 (hold-out, not fitted)" in result.stdout and "MAPE" in result.stdout
    assert (tmp_path / "fit.png").stat().st_size > 10000 and (tmp_path / "profiles.png").exists()
    residuals = pd.read_csv(tmp_path / "residuals.csv")
    assert set(residuals["sample"]) == {"fit", "holdout"}
    fitted = h2sim.load(tmp_path / "fitted.yaml")
    assert fitted.parameters.loc["p", "value"] == pytest.approx(fit.estimates["p"], rel=1e-9)


BAD_SECTIONS = [
    ("parameters:\n    p: {low: 0.2, high: 0.1}\n", "expected low < high", "calibration.parameters.p.high"),
    ("parameters:\n    p: {low: 0.001, hihg: 0.1}\n", "unknown key `hihg` (did you mean `high`?)",
     "calibration.parameters.p.hihg"),
    ("parameters:\n    adopters: [0, 1]\n", "no constant of this name", "calibration.parameters.adopters"),
    ("parameters:\n    p: [0.001, 0.2]\n  methd: nelder_mead\n", "unknown key `methd` (did you mean `method`?)",
     "calibration.methd"),
    ("parameters:\n    p: [0.001, 0.2]\n  data:\n    - {file: missing.csv}\n", "no such data file",
     "calibration.data[0].file"),
    ("parameters:\n    p: [0.001, 0.2]\n  data:\n    - file: obs.csv\n      series: {adopterz: adopters}\n",
     "no series `adopterz` (did you mean `adopters`?)", "calibration.data[0].series.adopterz"),
    ("parameters:\n    p: [0.001, 0.2]\n  data:\n    - file: obs.csv\n      series: {adopters: adoptrs}\n",
     "no variable `adoptrs` (did you mean `adopters`?)", "calibration.data[0].series.adopters.variable"),
    ("parameters:\n    p: [0.001, 0.2]\n  data:\n    - file: obs.csv\n      error: gauss\n",
     "unknown error model `gauss`", "calibration.data[0].error"),
    ("parameters:\n    p: [0.001, 0.2]\n  data:\n    - file: obs.csv\n      series: {adopters: {error: poisson}}\n",
     "is for counts", "calibration.data[0].series.adopters.error"),
    ("parameters:\n    p: {low: 0.001, high: 0.2, prior: {type: normal, mean: 0.02}}\n",
     "a normal prior needs `sd:`", "calibration.parameters.p.prior"),
    # Found by the red-team run of issue 17: scipy's "unexpected keyword argument 'bogus'"
    # with no line, and mcmc settings that went unchecked until a posterior was sampled.
    ("parameters:\n    p: [0.001, 0.2]\n  options: {bogus: 1}\n",
     "options: least_squares has no setting `bogus`; expected one of: max_nfev", "calibration.options.bogus"),
    ("parameters:\n    p: [0.001, 0.2]\n  method: nelder_mead\n  options: {popsize: 5}\n",
     "nelder_mead has no setting `popsize`", "calibration.options.popsize"),
    ("parameters:\n    p: [0.001, 0.2]\n  mcmc: {walkers: -1}\n",
     "mcmc: walkers must be a whole number, 2 or more, not -1", "calibration.mcmc.walkers"),
    ("parameters:\n    p: [0.001, 0.2]\n  mcmc: {walkrs: 8}\n",
     "unknown key `walkrs` (did you mean `walkers`?)", "calibration.mcmc.walkrs"),
    ("parameters:\n    p: [0.001, 0.2]\n  mcmc: {steps: 0.5}\n",
     "mcmc: steps must be a whole number, 1 or more", "calibration.mcmc.steps"),
]


@pytest.mark.parametrize("body, message, where", BAD_SECTIONS, ids=[w for _, _, w in BAD_SECTIONS])
def test_a_bad_calibration_section_is_reported_at_its_line(write_yaml, examples, body, message, where):
    write_yaml("obs.csv", "time,adopters\n1,400.5\n2,900\n")
    path = write_yaml("bad.yaml", f"model: {examples / 'bass_diffusion.yaml'}\ncalibration:\n  {body}")
    model = h2sim.load(path)
    with pytest.raises(h2sim.ScenarioError) as raised:
        h2sim.calibrate(model, data=None if "data:" in body else pd.Series([400.0], index=[1.0], name="adopters"),
                        progress=False)
    error = raised.value
    assert message in str(error) and where in str(error)
    assert error.file.endswith("bad.yaml") and error.line >= 2


def test_a_bad_data_cell_names_the_file_and_line(write_yaml, examples):
    write_yaml("obs.csv", "time,adopters\n1,400\n2,lots\n")
    path = write_yaml("bad.yaml", f"model: {examples / 'bass_diffusion.yaml'}\ncalibration:\n"
                                  "  parameters: {p: [0.001, 0.2]}\n  data: [{file: obs.csv}]\n")
    with pytest.raises(h2sim.ScenarioError, match=r"obs.csv:3: column `adopters`: 'lots' is not a number"):
        h2sim.calibrate(h2sim.load(path), progress=False)


def test_a_scheduled_lever_is_fitted_by_the_values_of_its_schedule(examples, truth):
    variant = h2sim.load(examples / "scenario_variant.yaml")  # runs 2020-2035 and schedules p
    data = pd.Series(truth.to_numpy(), index=truth.index + 2020, name="adopters")
    with pytest.raises(h2sim.Error, match="schedules `p` .*no longer a constant; fit the values of its schedule "
                                          "instead: `p@2025`, `p@2030`"):
        h2sim.calibrate(variant, data=data, parameters={"p": (0.001, 0.2)}, progress=False)
    with pytest.raises(h2sim.Error, match="the step schedule of `p` has no point at 2024; its times: 2025, 2030"):
        h2sim.calibrate(variant, data=data, parameters={"p@2024": (0.001, 0.2)}, progress=False)
    with pytest.raises(h2sim.Error, match="`market` is not a lever the scenario schedules"):
        h2sim.calibrate(variant, data=data, parameters={"market@2025": (1, 2)}, progress=False)


def test_values_of_lever_schedules_are_recovered_and_written_back(examples, tmp_path, monkeypatch):
    variant = h2sim.load(examples / "scenario_variant.yaml")  # p: step {2025: 0.06, 2030: 0.03}; q: ramp to 0.45
    # The same scenario with p = 0.08 from 2025 (a scenario file, not a trajectory).
    changed = tmp_path / "changed.yaml"
    changed.write_text(f"extends: {examples / 'scenario_variant.yaml'}\nlevers:\n"
                       "  p: {step: {2025: 0.08, 2030: 0.03}}\n  q: {ramp: {start: 2022, end: 2028, to: 0.45}}\n")
    truth = h2sim.load(changed).run(return_columns=["adopters"])["adopters"].loc[2021:2035]
    data = (truth * np.exp(np.random.default_rng(1).normal(0, 0.02, len(truth)))).rename("adopters")
    parameters = {"p@2025": (0.001, 0.2), "q@2028": (0.1, 0.9), "market": (1000, 20000)}
    fit = h2sim.calibrate(variant, data=data, parameters=parameters, error="lognormal", progress=False)
    for name, value in (("p@2025", 0.08), ("q@2028", 0.45), ("market", 5000)):
        assert fit.parameters.loc[name, "profile_low"] < value < fit.parameters.loc[name, "profile_high"], name
    text = fit.to_scenario(tmp_path / "fitted.yaml")
    assert f"step: {{2025.0: {fit.estimates['p@2025']!r}, 2030.0: 0.03}}" in text
    assert f"ramp: {{start: 2022.0, end: 2028.0, from: 0.38, to: {fit.estimates['q@2028']!r}}}" in text
    again = h2sim.load(tmp_path / "fitted.yaml").run(return_columns=["adopters"])["adopters"].loc[2021:2035]
    np.testing.assert_allclose(again.to_numpy(), fit.residuals["fitted"].to_numpy(), rtol=1e-12)
    # A Jacobian is one batch: each row carries its own schedules (lever settings per run).
    settings = _settings(variant, data, parameters, None, None, None, None, "lognormal", None, None, None)
    problem = Problem(variant, settings["parameters"], settings["observations"], None, None, True)
    counter = CountingBatches(monkeypatch)
    problem.prediction_jacobian(problem.x0)
    assert counter.calls == [7]


def test_cli_usage_errors(cli, examples):
    scenario = examples / "bass_calibration.yaml"
    assert cli("calibrate", scenario, "-o", "fit.txt").returncode == 2
    assert cli("calibrate", scenario, "--parameter", "p=0.1").returncode == 2
    assert cli("calibrate", scenario, "--posterior", "post.csv").returncode == 2
    result = cli("calibrate", examples / "bass_diffusion.yaml")
    assert result.returncode == 1 and "no data" in result.stderr


# --- MCMC -------------------------------------------------------------------------------------------------
def test_the_posterior_agrees_with_the_fit_and_feeds_run_batch(bass, truth):
    data = noisy(truth, np.random.default_rng(31))
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, intervals="wald", progress=False)
    posterior = fit.sample_posterior(walkers=16, steps=600, burn=200, seed=3, progress=False)
    samples = posterior.samples
    assert list(samples.columns) == ["p", "q"] and len(samples) == 16 * 400
    assert 0.15 < posterior.acceptance_fraction < 0.8
    summary = posterior.summary()
    for name in ("p", "q"):
        assert summary.loc[name, "mean"] == pytest.approx(fit.estimates[name], abs=0.5 * fit.parameters.loc[name, "se"])
        assert summary.loc[name, "sd"] == pytest.approx(fit.parameters.loc[name, "se"], rel=0.35)
    assert summary.loc["p", "q2.5"] < TRUE_P < summary.loc["p", "q97.5"]
    # The posterior is an uncertainty sample: run_batch takes it as it is.
    ensemble = bass.run_batch(samples.iloc[::40], return_columns=["adopters"], progress=False)
    assert ensemble.sizes["run"] == len(samples.iloc[::40])
    figure = posterior.plot_pairs()
    assert len([a for a in figure.axes if a.get_visible()]) == 3


def test_mcmc_from_the_priors_without_a_fit(bass, truth):
    data = noisy(truth, np.random.default_rng(32))
    parameters = {"p": {"low": 0.001, "high": 0.2, "prior": {"type": "normal", "mean": 0.02, "sd": 0.005}},
                  "q": {"low": 0.05, "high": 1.5, "prior": {"type": "triangular", "low": 0.1, "mode": 0.5,
                                                            "high": 1.2}}}
    posterior = h2sim.sample_posterior(model=bass, data=data, parameters=parameters, walkers=16, steps=500, burn=300,
                                       seed=1, progress=False)
    assert posterior.samples["q"].median() == pytest.approx(TRUE_Q, abs=0.05)


def test_the_json_schemas_describe_the_sections(repo_root):
    import json

    import jsonschema
    import yaml

    schema = json.loads((repo_root / "schemas" / "scenario.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    good = yaml.safe_load((repo_root / "scenarios" / "examples" / "bass_calibration.yaml").read_text())
    assert list(validator.iter_errors(good)) == []
    for bad in ({"calibration": {"methd": "de"}}, {"calibration": {"parameters": {"p": {"low": 0}}}},
                {"calibration": {"data": [{"file": "x.csv", "error": "gauss"}]}},
                {"reality_checks": {"c": {"set": {"a": 0}}}},
                {"reality_checks": {"c": {"expect": {"variable": "x", "at_least": 0, "at_most": 1}}}}):
        assert list(validator.iter_errors({"model": "m.yaml", **bad})), bad


def test_cli_mcmc_writes_a_posterior_that_run_batch_reads(cli, examples, tmp_path):
    result = cli("calibrate", examples / "bass_calibration.yaml", "--intervals", "none", "--mcmc", "60",
                 "--walkers", "8", "--seed", "2", "--posterior", "post.csv", "--posterior-plot", "pairs.png", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "posterior: 360 draws (8 walkers x 60 steps, 15 burn-in)" in result.stdout
    posterior = pd.read_csv(tmp_path / "post.csv")
    assert list(posterior.columns) == ["p", "q"] and len(posterior) == 360
    runs = h2sim.load(examples / "bass_diffusion.yaml").run_batch(posterior.head(5), return_columns=["adopters"],
                                                                  progress=False)
    assert runs.sizes["run"] == 5 and (tmp_path / "pairs.png").exists()


def test_with_the_same_residuals_the_tool_reproduces_the_shipped_national_fit(repo_root):
    """scripts/validation.py fits scenarios/china/national.yaml with log errors of weight 1 and
    the bus share in units of 10 percentage points; the same payoff here must give the values
    it recorded in data/calibration.csv."""
    model = h2sim.load(repo_root / "scenarios" / "china" / "national.yaml")
    section = model.section("calibration").value
    entry = dict(section["data"][0], file=str(repo_root / "data" / "observations.csv"), sd=1)
    entry["series"] = dict(entry["series"])
    entry["series"]["bus_share_of_commercial_sales"] = dict(entry["series"]["bus_share_of_commercial_sales"], sd=0.1)
    entry["series"]["pump_price"] = dict(entry["series"]["pump_price"], sd=1)
    fit = h2sim.calibrate(model, data=[entry], intervals="none", progress=False)
    recorded = pd.read_csv(repo_root / "data" / "calibration.csv")
    recorded = recorded[recorded["region"] == "china"].set_index("parameter")["value"]
    names = {"bus_mandate_share (2016-2021)": "bus_mandate_share@2016",
             "bus_mandate_share (from mid-2021)": "bus_mandate_share@2021.5",
             "logistics_mandate_share (2016-2019)": "logistics_mandate_share@2016",
             "truck_mandate_share (from mid-2021)": "truck_mandate_share@2021.5", "marketing": "marketing",
             "plan_commitment (China)": "plan_commitment",
             "pricing_utilisation_floor": "stations.pricing_utilisation_floor"}
    assert set(names) == set(recorded.index)
    for theirs, ours in names.items():
        assert fit.estimates[ours] == pytest.approx(recorded[theirs], rel=0.01), ours
    assert fit.statistics.loc["fcev_sales", "mape"] == pytest.approx(24.0, abs=0.1)  # docs/model/validation.md


def test_a_series_may_be_an_expression_of_model_variables(bass, truth, tmp_path):
    fraction = (truth / 10000 + np.random.default_rng(8).normal(0, 0.01, len(truth))).to_numpy()
    path = tmp_path / "share.csv"
    pd.DataFrame({"time": truth.index, "share": fraction}).to_csv(path, index=False)
    data = {"file": str(path), "series": {"share": {"variable": "adopters / market"}}}
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, intervals="wald", progress=False)
    # The same fit as of adopters against the data times the market.
    plain = h2sim.calibrate(bass, data=pd.Series(fraction * 10000, index=truth.index, name="adopters"),
                            parameters=BOUNDS, intervals="wald", progress=False)
    for name in ("p", "q"):
        assert fit.estimates[name] == pytest.approx(plain.estimates[name], rel=1e-6)
        assert fit.parameters.loc[name, "se"] == pytest.approx(plain.parameters.loc[name, "se"], rel=1e-4)
    run = fit.run(return_columns=["adopters"])["adopters"].loc[1:15] / 10000
    np.testing.assert_allclose(fit.residuals["fitted"], run.to_numpy(), rtol=1e-12)
    for bad, message in (("adopters +", "is not a complete expression"), ("adopters & 2", "cannot read `& 2`"),
                         ("adopters / markt", "no variable `markt` (did you mean `market`?)")):
        with pytest.raises(h2sim.Error, match=re.escape(message)):
            h2sim.calibrate(bass, data={"file": str(path), "series": {"share": {"variable": bad}}},
                            parameters=BOUNDS, progress=False)


def test_long_tables_with_their_own_columns_and_a_row_filter(bass, truth, tmp_path):
    rows = []
    for t, v in truth.items():
        rows.append({"region": "here", "series": "adopters_count", "model_time": t - 1, "figure": v, "use": "fit"})
        rows.append({"region": "there", "series": "adopters_count", "model_time": "2021-08/2024-10", "figure": 1,
                     "use": "fit"})
    path = tmp_path / "observations.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    data = {"file": str(path), "time_column": "model_time", "variable_column": "series", "value_column": "figure",
            "rows": {"region": "here"}, "series": {"adopters_count": {"variable": "adopters", "time_shift": 1}}}
    observations = read_data(data)
    series = observations.series[0]
    assert list(series.times) == list(truth.index) and list(series.values) == list(truth.to_numpy())
    fit = h2sim.calibrate(bass, data=data, parameters=BOUNDS, intervals="none", progress=False)
    assert fit.estimates["p"] == pytest.approx(TRUE_P, rel=1e-6)
    # The other region's rows are not read (their times are not numbers).
    with pytest.raises(h2sim.Error, match=r"observations.csv:3: column `model_time`: '2021-08/2024-10' is not a"):
        read_data({**data, "rows": {"region": ["here", "there"]}})
    with pytest.raises(h2sim.Error, match="no row of the data matches"):
        read_data({**data, "rows": {"region": "nowhere"}})


def test_a_scale_needs_three_observations_and_an_exact_fit_is_flagged(bass, truth):
    with pytest.raises(h2sim.Error, match=r"2 fitted observation\(s\) cannot estimate their own standard error.*sd:"):
        h2sim.calibrate(bass, data=truth.iloc[:2], parameters={"p": (0.001, 0.2)}, progress=False)
    fit = h2sim.calibrate(bass, data=truth, parameters=BOUNDS, intervals="none", progress=False)  # no noise
    assert any("is met exactly" in note for note in fit.notes)


def test_an_infinite_observation_is_an_error_naming_the_series_and_time(bass, truth):
    # One infinite value was silently dropped (11 observations instead of 12); NaN stays
    # a missing observation.
    obs = truth.loc[1:12].reset_index()
    with pytest.raises(h2sim.Error, match=r"series `adopters`: row 2 \(time 3\): the value is inf"):
        read_data(obs.assign(adopters=obs.adopters.where(obs.time != 3, np.inf)))
    with pytest.raises(h2sim.Error, match=r"the value is -inf"):
        h2sim.calibrate(bass, data=obs.assign(adopters=obs.adopters.where(obs.time != 3, -np.inf)),
                        parameters=BOUNDS)
    with pytest.raises(h2sim.Error, match=r"the time is inf"):
        read_data(obs.assign(time=obs.time.where(obs.time != 3, np.inf)))
    missing = read_data(obs.assign(adopters=obs.adopters.where(obs.time != 3, np.nan)))
    assert len(missing.series[0].values) == 11


def test_an_unknown_optimiser_option_given_to_calibrate_is_an_argument_error(bass, truth):
    with pytest.raises(h2sim.ArgumentError, match="options: least_squares has no setting `bogus`"):
        h2sim.calibrate(bass, data=truth, parameters=BOUNDS, options={"bogus": 1}, progress=False)
