"""h2sim.explore: declarations, samplers, outcomes, chunks and executors (docs/exploration.md)."""

from __future__ import annotations

import concurrent.futures
import math
import os

import numpy as np
import pandas as pd
import pytest

import h2sim
from h2sim.analysis import outcomes as outcome_module
from h2sim.analysis.parameters import declared_levers, declared_space

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "..", "data", "analysis")
RAMP = os.path.join(DATA, "ramp.yaml")


@pytest.fixture(scope="module")
def ramp():
    return h2sim.load(RAMP)


@pytest.fixture(scope="module")
def study(repo_root):
    return h2sim.load(repo_root / "scenarios" / "studies" / "zhejiang_2025_levers.yaml")


# --- outcomes: every kind against its closed form -------------------------------------------------
def test_every_outcome_kind_matches_its_closed_form(ramp):
    rates = np.array([1.0, 1.5, 2.0, 2.5, 3.0])
    result = h2sim.explore(ramp, scenarios=pd.DataFrame({"rate": rates}), progress=False)
    out = result.outcomes
    # level(t) = rate * t exactly; the saved times are whole years
    np.testing.assert_allclose(out["level_at_5"], rates * 5, rtol=1e-12)
    np.testing.assert_allclose(out["level_at_half"], rates * 4.5, rtol=1e-12)  # between saved times
    np.testing.assert_allclose(out["level_total"], rates * (8**2 - 2**2) / 2, rtol=1e-12)
    np.testing.assert_allclose(out["level_mean"], rates * 5, rtol=1e-12)
    np.testing.assert_allclose(out["level_max"], rates * 8, rtol=1e-12)
    np.testing.assert_allclose(out["level_change"], rates * 6, rtol=1e-12)
    np.testing.assert_allclose(out["level_final"], rates * 10, rtol=1e-12)
    # first passage of 12: t = 12 / rate when that is within the run; never: 99
    expected = np.where(12 / rates <= 10, 12 / rates, 99)
    np.testing.assert_allclose(out["reaches_12"], expected, rtol=1e-12)
    # within [7, 10]: a rate reaching 12 before 7 counts from 7; one never reaching it is NaN
    late = np.where(12 / rates <= 7, 7.0, np.where(12 / rates <= 10, 12 / rates, np.nan))
    np.testing.assert_allclose(out["reaches_late"], late, rtol=1e-12)
    assert out["enough"].dtype == bool
    assert out["enough"].tolist() == (rates * 10 >= 20).tolist()
    assert out["not_too_much"].tolist() == (rates * 10 <= 25).tolist()
    assert out["in_band"].tolist() == [False, False, True, True, False]
    assert out["either"].tolist() == [True, True, True, True, True]
    info = result.outcome_info
    assert info.loc["level_total", "units"] == "t*year"
    assert info.loc["reaches_12", "units"] == "year"
    assert info.loc["level_at_5", "goal"] == "maximize"


def from_2023(before: float, after: float) -> pd.Series:
    """A lever trajectory: the history's value until 2023, then the policy's."""
    return pd.Series([before, before, after, after], index=[2015.0, 2022.9999, 2023.0, 2036.0])


def test_explore_equals_the_same_runs_one_by_one(study):
    policies = {"plan": {}, "support": {"fuel_subsidy_to_reference": 1, "station_capital_subsidy_share": 0.3},
                "half": {"fleet_plan_commitment": from_2023(0.1043, 0.5)}}
    result = h2sim.explore(study, scenarios=4, policies=policies, seed=11, progress=False)
    experiments, outcomes = result  # the EMA Workbench's pair
    assert len(experiments) == 12 and list(experiments["policy"][:4]) == ["plan"] * 4
    assert list(experiments["scenario"]) == [0, 1, 2, 3] * 3
    assert experiments["fleet_plan_commitment"].iloc[-1] == "2015: 0.1043, 2023: 0.5"
    assert result.policies.loc["plan", "fleet_plan_commitment"] == "as scheduled"
    columns = ["fcev_fleet_total", "stations_operating_total", "accounting.cumulative_public_spending"]
    for i, row in experiments.iterrows():
        params = {c: row[c] for c in result.uncertainties}
        params.update({c: row[c] for c in ("fuel_subsidy_to_reference", "station_capital_subsidy_share")})
        if row["policy"] == "half":
            params["fleet_plan_commitment"] = policies["half"]["fleet_plan_commitment"]
        frame = study.run(params=params, return_columns=columns)
        assert outcomes["fleet_at_end_2025"][i] == frame.loc[2026.0, "fcev_fleet_total"]  # bit for bit
        assert outcomes["stations_at_end_2025"][i] == frame.loc[2026.0, "stations_operating_total"]
        spending = frame["accounting.cumulative_public_spending"]
        assert outcomes["public_cost_2023_2030"][i] == spending.loc[2031.0] - spending.loc[2023.0]
        # the scenario's targets: are target outcomes too
        assert outcomes["fleet_2025"][i] == (frame.loc[2026.0, "fcev_fleet_total"] >= 5000)
        assert outcomes["targets_met"][i] == (outcomes["fleet_2025"][i] and
                                              frame.loc[2026.0, "stations_operating_total"] >= 50)
    half = outcomes["fleet_at_end_2025"][experiments["policy"] == "half"]
    plan = outcomes["fleet_at_end_2025"][experiments["policy"] == "plan"]
    assert (half < plan).all()  # closing half the plan's gap gives fewer vehicles in every scenario


def test_seeds_reproduce_bit_for_bit_and_differ_between_seeds(ramp):
    a = h2sim.explore(ramp, scenarios=64, policies=3, seed=5, progress=False)
    b = h2sim.explore(ramp, scenarios=64, policies=3, seed=5, progress=False)
    c = h2sim.explore(ramp, scenarios=64, policies=3, seed=6, progress=False)
    pd.testing.assert_frame_equal(a.experiments, b.experiments)
    for name in a.outcomes:
        assert np.array_equal(a.outcomes[name], b.outcomes[name], equal_nan=True)
    assert not np.array_equal(a.experiments["rate"], c.experiments["rate"])


@pytest.mark.parametrize("sampler", ["lhs", "mc", "sobol"])
def test_samplers_draw_the_declared_distributions(ramp, sampler):
    result = h2sim.explore(ramp, scenarios=512, sampler=sampler, seed=1, progress=False, outcomes=["level"])
    rate = result.experiments["rate"].to_numpy()
    noise = result.experiments["noise"].to_numpy()
    assert rate.min() >= 1 and rate.max() <= 3
    assert abs(rate.mean() - 2) < 0.05  # uniform [1, 3]: mean 2, sd 0.58; 512 draws
    assert noise.min() >= 0 and noise.max() <= 1
    assert abs(noise.mean() - 0.5) < 0.02 and abs(noise.std() - 0.1) < 0.02
    if sampler == "lhs":  # one point in each of 512 equal strata
        counts = np.bincount(((rate - 1) / 2 * 512).astype(int), minlength=512)
        assert counts.max() == 1


def test_outcome_only_exploration_runs_in_chunks_and_chunks_do_not_change_results(ramp, monkeypatch):
    sizes = []
    original = h2sim.Model.run_batch

    def recording(self, table, *args, **kwargs):
        sizes.append(len(pd.DataFrame(table)))
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(h2sim.Model, "run_batch", recording)
    whole = h2sim.explore(ramp, scenarios=100, seed=2, progress=False)
    assert sizes == [100]
    sizes.clear()
    chunked = h2sim.explore(ramp, scenarios=100, seed=2, chunk_size=16, progress=False)
    assert sizes == [16] * 6 + [4]
    for name in whole.outcomes:
        assert np.array_equal(whole.outcomes[name], chunked.outcomes[name], equal_nan=True)


# --- executors --------------------------------------------------------------------------------------
def test_a_process_pool_gives_the_local_result_bit_for_bit(study):
    policies = {"a": {}, "b": {"fuel_subsidy_to_reference": 1}, "c": {"bus_mandate_share": from_2023(0, 0.1)}}
    local = h2sim.explore(study, scenarios=24, policies=policies, seed=4, progress=False)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        remote = h2sim.explore(study, scenarios=24, policies=policies, seed=4, executor=pool, chunk_size=8,
                               progress=False)
    pd.testing.assert_frame_equal(local.experiments, remote.experiments)
    for name in local.outcomes:
        assert np.array_equal(local.outcomes[name], remote.outcomes[name], equal_nan=True), name


def test_a_dask_local_cluster_with_two_workers_gives_the_local_result_bit_for_bit(study):
    distributed = pytest.importorskip(  # an optional extra (h2sim[analysis]); scripts/bootstrap.sh installs it
        "dask.distributed", reason="dask.distributed is not installed (pip install 'dask[distributed]')")
    local = h2sim.explore(study, scenarios=48, seed=9, time_series=["fcev_fleet_total"], progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = h2sim.explore(study, scenarios=48, seed=9, time_series=["fcev_fleet_total"], executor=client,
                                   chunk_size=8, progress=False)
            ran_on = client.run(lambda: list(__import__("h2sim.analysis.executors", fromlist=["_CACHE"])._CACHE))
    assert len(ran_on) == 2 and all(len(cached) == 1 for cached in ran_on.values())  # both workers did work
    for name in local.outcomes:
        assert np.array_equal(local.outcomes[name], remote.outcomes[name], equal_nan=True), name
    assert remote.outcomes["fcev_fleet_total"].shape == (48, len(local.times))


def test_errors_on_a_worker_name_the_users_file(write_yaml):
    path = write_yaml("divide.yaml", """
name: divide
time: {start: 0, stop: 2, dt: 1}
constants:
  d: {value: 1, range: [-1, 1]}
auxiliaries:
  b: 1 / d
outcomes:
  b_end: {variable: b}
""")
    model = h2sim.load(path)
    table = pd.DataFrame({"d": [1.0] * 16 + [0.0] * 8})
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        with pytest.raises(h2sim.SimulationError) as caught:
            h2sim.explore(model, scenarios=table, executor=pool, chunk_size=8, progress=False)
    assert caught.value.file == str(path) and caught.value.line == 7
    assert "divide.yaml:7" in str(caught.value)


# --- declarations -----------------------------------------------------------------------------------
def test_the_model_declares_uncertainties_and_levers_with_their_values(ramp):
    space = declared_space(ramp)
    assert space.names == ["rate", "noise"]  # levers are not uncertainties
    assert space["noise"].distribution.describe() == "normal mean 0.5 sd 0.1 within [0, 1]"
    levers = {lever.name: lever for lever in declared_levers(ramp)}
    assert (levers["boost"].low, levers["boost"].high) == (0, 1)
    assert levers["mode"].options == (0, 1, 2)
    assert not levers["free_lever"].has_domain
    assert ramp.variables.loc["mode", "lever_domain"] == {"options": [0.0, 1.0, 2.0]}


def test_sampled_policies_stay_within_the_lever_domains(ramp):
    result = h2sim.explore(ramp, scenarios=2, policies=30, levers=["boost", "mode"], seed=3, progress=False)
    policies = result.policies
    assert len(policies) == 30 and list(policies.columns) == ["boost", "mode"]
    assert policies["boost"].between(0, 1).all() and set(policies["mode"]) == {0, 1, 2}
    assert len(result) == 60
    with pytest.raises(ValueError, match="free_lever.*declares no values"):
        h2sim.explore(ramp, scenarios=2, policies=3, levers=["boost", "free_lever"], progress=False)


def test_factorial_policies_cover_every_combination(ramp):
    result = h2sim.explore(ramp, scenarios=0, policies="factorial", levers=["boost", "mode"], progress=False,
                           outcomes=["level_at_5"])
    assert len(result.policies) == 9  # 3 levels of the range x 3 options
    expected = sorted((b, m) for b in (0, 0.5, 1) for m in (0, 1, 2))
    assert sorted(map(tuple, result.policies.to_numpy())) == expected
    np.testing.assert_allclose(result.outcomes["level_at_5"], (2 + result.experiments["boost"]) * 5)


def test_uncertainties_section_adds_drops_and_correlates(write_yaml):
    base = write_yaml("model.yaml", """
name: m
time: {start: 0, stop: 1, dt: 1}
constants:
  a: {value: 1, range: [0, 2]}
  b: {value: 1, range: [0, 2]}
  c: {value: 1, range: [0, 2]}
  d: 5
  lever_with_range: {value: 1, range: [0, 4], lever: true}
auxiliaries:
  y: a + b + c + d + lever_with_range
""")
    study = write_yaml("study.yaml", f"""
model: {base.name}
uncertainties:
  c: false
  d: {{distribution: {{type: triangular, low: 4, mode: 5, high: 8}}, source: a guess}}
  lever_with_range: true
  ab:
    members: [a, b]
    rank_correlation: 0.8
outcomes:
  y: {{variable: y}}
""")
    model = h2sim.load(study)
    space = declared_space(model)
    assert space.names == ["a", "b", "d", "lever_with_range"]
    assert space["d"].distribution.kind == "triangular" and space["d"].source == "a guess"
    result = h2sim.explore(model, scenarios=4000, seed=1, progress=False)
    rho = result.experiments[["a", "b"]].corr(method="spearman").iloc[0, 1]
    assert abs(rho - 0.8) < 0.03
    assert abs(result.experiments[["a", "d"]].corr(method="spearman").iloc[0, 1]) < 0.05
    assert result.experiments["a"].between(0, 2).all()  # the margins keep their distributions


@pytest.mark.parametrize("section,message,line", [
    ("  nope: [0, 1]", "at `uncertainties.nope`: `nope`: no such constant", 3),
    ("  y: [0, 1]", "`y` is an auxiliary, computed by an equation", 3),
    ("  a: {range: [2, 1]}", "expected [low, high] with low < high", 3),
    ("  a: {rnage: [0, 1]}", "unknown key `rnage`", 3),
    ("  g:\n    members: [a, d]\n    rank_correlation: 0.5", "`d` is not an uncertainty of this study", 4),
    ("  g:\n    members: [a, b]\n    rank_correlation: 1.5", "strictly between -1 and 1", 5),
    ("  g:\n    members: [a, b]\n    rank_correlation: [[1, 0.9], [0.2, 1]]", "symmetric", 5),
])
def test_uncertainties_section_errors_are_located(write_yaml, section, message, line):
    base = write_yaml("model.yaml", """
name: m
constants:
  a: {value: 1, range: [0, 2]}
  b: {value: 1, range: [0, 2]}
  d: 5
auxiliaries:
  y: a + b + d
""")
    study = write_yaml("study.yaml", f"model: {base.name}\nuncertainties:\n{section}\n")
    with pytest.raises(h2sim.ScenarioError) as caught:
        declared_space(h2sim.load(study))
    assert message in str(caught.value)
    assert caught.value.file.endswith("study.yaml") and caught.value.line == line


def test_scheduled_levers_vary_per_run_as_uncertainties_and_policies(study):
    """plan_2025 schedules fleet_plan_commitment (step {2023: 1}) and the baseline the station
    target: sampled from 2023, scaled, shifted, and set by policies, each run equals the same
    run one by one, bit for bit."""
    space = {"fleet_plan_commitment": {"range": [0.2, 1.0], "from": 2023},
             "province_station_target": {"range": [0.5, 1.5], "change": "scale"},
             "station_target_year": {"range": [-1, 1], "change": "shift"}}
    policies = {"plan": {}, "half": {"purchase_subsidy_level": {"from": 2023, "value": 0.5}},
                "none": {"purchase_subsidy_level": 0}}
    result = h2sim.explore(study, scenarios=3, uncertainties=space, policies=policies, seed=4, stop=2027,
                           outcomes=["fleet_at_end_2025", "stations_at_end_2025"], progress=False)
    experiments, outcomes = result
    assert len(experiments) == 9 and experiments["fleet_plan_commitment"].between(0.2, 1.0).all()
    assert list(result.policies["purchase_subsidy_level"]) == ["as scheduled", "step 2015: 0, 2016: 1, 2020: 0, "
                                                              "2023: 0.5", "0"]
    for i, row in experiments.iterrows():
        params = {"fleet_plan_commitment": {"from": 2023, "value": row["fleet_plan_commitment"]},
                  "province_station_target": {"scale": row["province_station_target"]},
                  "station_target_year": {"shift": row["station_target_year"]}}
        if row["policy"] != "plan":
            params["purchase_subsidy_level"] = policies[row["policy"]]["purchase_subsidy_level"]
        frame = study.run(params=params, return_columns=["fcev_fleet_total", "stations_operating_total"], stop=2027)
        assert outcomes["fleet_at_end_2025"][i] == frame.loc[2026.0, "fcev_fleet_total"]  # bit for bit
        assert outcomes["stations_at_end_2025"][i] == frame.loc[2026.0, "stations_operating_total"]
    # the scaled and shifted targets reach the lanes: the stations differ between scenarios ...
    assert len(set(outcomes["stations_at_end_2025"])) == 3
    # ... and the purchase subsidy between policies
    assert len(set(outcomes["fleet_at_end_2025"])) == 9


def test_scheduled_levers_are_sampled_as_policies_from_a_time(study):
    levers = {"fleet_plan_commitment": {"range": [0, 1], "from": 2023}}
    (lever,) = declared_levers(study, levers)
    assert lever.form == (("from", 2023.0),) and lever.describe() == "0 to 1 (from 2023)"
    result = h2sim.explore(study, scenarios=0, policies=3, levers=levers, seed=2, stop=2027,
                           outcomes=["fleet_at_end_2025"], progress=False)
    for i, row in result.experiments.iterrows():
        frame = study.run(params={"fleet_plan_commitment": {"from": 2023, "value": row["fleet_plan_commitment"]}},
                          return_columns=["fcev_fleet_total"], stop=2027)
        assert result.outcomes["fleet_at_end_2025"][i] == frame.loc[2026.0, "fcev_fleet_total"]
    # By default the declared sets leave scheduled levers out: a study names them.
    assert "fleet_plan_commitment" not in [lv.name for lv in declared_levers(study)]
    with pytest.raises(ValueError, match="`from` and `change` apply to scheduled levers"):
        declared_levers(study, {"carbon_price": {"range": [0, 1], "from": 2023}})
    with pytest.raises(ValueError, match="`fcev_fleet_total` is an auxiliary, computed by an equation"):
        declared_levers(study, ["fcev_fleet_total"])


@pytest.mark.parametrize("entry,message,line", [
    ("x: {variable: levl}", "unknown variable `levl` (did you mean `level`?)", 4),
    ("x: {variable: level, at: 20}", "time 20 is outside the run (0 to 10)", 4),
    ("x: {variable: level, at: 1, aggregate: max}", "give one of `at:`", 4),
    ("x: {variable: level, aggregate: median}", "unknown aggregate `median`", 4),
    ("x: {variable: level, at_leest: 3}", "unknown key `at_leest` (did you mean `at_least`?)", 4),
    ("x: {at: 3}", "an outcome needs `variable:`", 4),
    ("x: {all: [level_at_5]}", "`level_at_5` is not a target", 4),
    ("x: {all: [y]}\n  y: {any: [x]}", "targets combine each other in a loop", 4),
    ("x: {variable: level, goal: best}", "unknown goal `best`", 4),
    ("x: {variable: level, from: 5, to: 2}", "`from:` (5) must be before `to:` (2)", 4),
])
def test_outcome_errors_are_located_in_the_file(write_yaml, entry, message, line):
    study = write_yaml("study.yaml", f"model: {RAMP}\noutcomes:\n  level_at_5: {{variable: level, at: 5}}\n  {entry}\n")
    with pytest.raises(h2sim.ScenarioError) as caught:
        h2sim.explore(h2sim.load(study), scenarios=2, progress=False)
    assert message in str(caught.value)
    assert caught.value.file.endswith("study.yaml") and caught.value.line == line


def test_outcomes_from_python(ramp):
    result = h2sim.explore(ramp, scenarios=pd.DataFrame({"rate": [1.0, 2.0]}), progress=False, outcomes={
        "peak": h2sim.Outcome("peak", variable="level", function=lambda x, t: x.max(axis=1)),
        "half": {"variable": "level", "at": 5, "at_least": 7},
        "level_final": None,  # declared in the file
    })
    assert result.outcomes["peak"].tolist() == [10.0, 20.0]
    assert result.outcomes["half"].tolist() == [False, True]
    assert result.outcomes["level_final"].tolist() == [10.0, 20.0]
    with pytest.raises(ValueError, match=r"at `outcomes.bad.variable`: unknown variable `nothing`"):
        h2sim.explore(ramp, scenarios=2, outcomes={"bad": {"variable": "nothing"}}, progress=False)


def test_arrayed_variables_need_an_element(study):
    result = h2sim.explore(study, scenarios=0, outcomes={"jiaxing": {"variable": "fcev_fleet_by_city[jiaxing]",
                                                                     "at": 2026}}, progress=False)
    frame = study.run(return_columns=["fcev_fleet_by_city[jiaxing]"])
    assert result.outcomes["jiaxing"][0] == frame.iloc[:, 0].loc[2026.0]
    with pytest.raises(ValueError, match="arrayed over city: name one element"):
        h2sim.explore(study, scenarios=0, outcomes={"x": {"variable": "fcev_fleet_by_city"}}, progress=False)


# --- results and files ----------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_time_series_stream_to_disk_and_read_back(ramp, tmp_path, suffix):
    path = tmp_path / f"runs{suffix}"
    memory = h2sim.explore(ramp, scenarios=40, policies=2, seed=8, time_series=["level"], progress=False)
    disk = h2sim.explore(ramp, scenarios=40, policies=2, seed=8, time_series=["level"], output=path, chunk_size=16,
                         progress=False)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]
    back = h2sim.open_exploration(path)
    for result in (disk, back):
        assert np.array_equal(np.asarray(result.outcomes["level"]), memory.outcomes["level"])
        for name in memory.scalar_names:
            assert np.array_equal(np.asarray(result.outcomes[name]), memory.outcomes[name], equal_nan=True)
    pd.testing.assert_frame_equal(back.experiments, memory.experiments, check_dtype=False)
    pd.testing.assert_frame_equal(back.policies, memory.policies, check_dtype=False)
    assert back.outcome_info.loc["level_total", "units"] == "t*year"
    assert back.outcomes["enough"].dtype == bool


def test_a_failed_exploration_leaves_no_file(write_yaml, tmp_path):
    path = write_yaml("divide.yaml", """
name: divide
time: {start: 0, stop: 2, dt: 1}
constants:
  d: {value: 1, range: [-1, 1]}
auxiliaries:
  b: 1 / d
outcomes:
  b_end: {variable: b}
""")
    out = tmp_path / "runs.nc"
    with pytest.raises(h2sim.SimulationError):
        h2sim.explore(h2sim.load(path), scenarios=pd.DataFrame({"d": [1.0] * 8 + [0.0]}), time_series=["b"],
                      output=out, chunk_size=8, progress=False)
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if ".part" in p]


def test_summary_and_for_policy(ramp):
    result = h2sim.explore(ramp, scenarios=50, policies={"none": {"boost": 0}, "boost": {"boost": 1}}, seed=1,
                           progress=False)
    summary = result.summary()
    assert summary.loc[("boost", "level_at_5"), "q0.5"] == pytest.approx(
        summary.loc[("none", "level_at_5"), "q0.5"] + 5, rel=0.05)
    assert summary.loc[("boost", "enough"), "share met"] == 1.0
    one = result.for_policy("boost")
    assert len(one) == 50 and set(one.experiments["policy"]) == {"boost"}
    assert "boost" in repr(result) or "policies" in repr(result)
    assert math.isclose(result.table()["level_at_5"].iloc[0], result.outcomes["level_at_5"][0])


def test_bad_arguments_say_what_is_wrong(ramp):
    with pytest.raises(ValueError, match="unknown sampler 'halton'"):
        h2sim.explore(ramp, scenarios=4, sampler="halton", progress=False)
    with pytest.raises(ValueError, match="`rate` is both an uncertainty and a lever"):
        h2sim.explore(ramp, scenarios=4, policies={"p": {"rate": 2}}, uncertainties=["rate"], progress=False)
    with pytest.raises(ValueError, match="no such constant"):
        h2sim.explore(ramp, scenarios=0, policies={"p": {"rte": 2}}, progress=False)
    with pytest.raises(ValueError, match="must end in .nc or .zarr"):
        h2sim.explore(ramp, scenarios=2, output="x.csv", progress=False)
    bass = h2sim.load(os.path.join(HERE, "..", "..", "scenarios", "examples", "bass_diffusion.yaml"))
    with pytest.raises(ValueError, match="declares no outcomes"):
        h2sim.explore(bass, scenarios=2, progress=False)
    assert outcome_module.GOALS["maximise"] == "maximize"


def test_the_flagships_ensemble_is_an_exploration_of_the_declared_ranges(repo_root):
    import importlib.util

    spec = importlib.util.spec_from_file_location("flagship", repo_root / "scripts" / "flagship.py")
    flagship = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(flagship)
    plan = h2sim.load(repo_root / "scenarios" / "zhejiang" / "plan_2025.yaml")
    ranges = flagship.declared_uncertainty(plan)
    variables = ["fcev_fleet_total", "stations_operating_total"]
    table, ens, explored = flagship.ensemble(plan, ranges, runs=16, seed=3, variables=variables)
    assert explored.uncertainties == list(ranges) and len(explored) == 16 and list(ens.columns) == variables
    for name, (low, _, high) in ranges.items():
        assert table[name].between(low, high).all()
    row = table.iloc[5]
    frame = plan.run(params={n: row[n] for n in ranges}, return_columns=variables, stop=flagship.END_2025)
    assert ens["fcev_fleet_total"].iloc[5] == frame.loc[flagship.END_2025, "fcev_fleet_total"]  # bit for bit
    assert explored.outcomes["fcev_fleet_total"][5] == ens["fcev_fleet_total"].iloc[5]
    met = pd.DataFrame({"fcev_fleet_total": ens["fcev_fleet_total"] >= 5000,
                        "stations_operating_total": ens["stations_operating_total"] >= 50})
    text = flagship.where_it_misses(explored, met, {"fcev_fleet_total": "5,000 vehicles",
                                                    "stations_operating_total": "50 stations"})
    assert text == "" or "(PRIM)" in text


def test_executor_chunks_are_sized_to_at_least_100_ms_of_work(ramp, monkeypatch):
    from h2sim.analysis import executors

    class Immediate:  # an executor that runs each chunk when it is submitted, and records it
        _max_workers = 2

        def __init__(self):
            self.sizes = []

        def submit(self, fn, bundle, names, values, plan, threads):
            self.sizes.append(len(values))
            result = fn(bundle, names, values, plan, threads)
            return type("Done", (), {"result": lambda self: result})()

    # the pilot chunk (16 runs) takes 16 ms by this clock: 1 ms a run
    ticks = iter([0.0, 0.016])
    monkeypatch.setattr(executors._time, "perf_counter", lambda: next(ticks))
    pool = Immediate()
    local = h2sim.explore(ramp, scenarios=2000, seed=1, progress=False)
    remote = h2sim.explore(ramp, scenarios=2000, seed=1, executor=pool, progress=False)
    target = executors.TARGET_CHUNK_SECONDS / 0.001  # runs in half a second of work
    assert pool.sizes[:-1] == [504] * (len(pool.sizes) - 1) and 504 >= target  # multiples of the lanes
    assert 16 + sum(pool.sizes) == 2000
    assert min(pool.sizes[:-1]) * 0.001 >= executors.MIN_CHUNK_SECONDS
    for name in local.outcomes:
        assert np.array_equal(local.outcomes[name], remote.outcomes[name], equal_nan=True)
