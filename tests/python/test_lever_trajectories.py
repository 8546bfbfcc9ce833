"""Scheduled levers stay levers: per run a lever's schedule is replaced by a number, another
schedule or a Series, scaled or shifted, in run, run_batch (a trajectory per run, one call),
with_params and h2sim sweep; and what a run cannot set is refused with what it is."""

from __future__ import annotations

import glob
import io
import pickle
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import h2sim
from h2sim import Trajectory
from h2sim.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "zhejiang" / "baseline.yaml"
ZHEJIANG = sorted(glob.glob(str(REPO / "scenarios" / "zhejiang" / "*.yaml")))
COLUMNS = ["fcev_fleet_total", "stations_operating_total", "purchase_subsidy_level", "wind_capacity_gw",
           "carbon_price", "accounting.cumulative_public_spending"]


@pytest.fixture(scope="module")
def baseline():
    return h2sim.load(BASELINE)


@pytest.fixture
def scenario_file(tmp_path):
    """A scenario file that extends the baseline with the given `levers:` entries, loaded."""

    def make(levers: str) -> h2sim.Model:
        path = tmp_path / f"variant_{abs(hash(levers))}.yaml"
        path.write_text(f"scenario: variant\nextends: {BASELINE}\nlevers:\n{levers}\n", encoding="utf-8")
        return h2sim.load(path)

    return make


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return list(a.columns) == list(b.columns) and np.array_equal(a.to_numpy(), b.to_numpy())


# --- the sweep of the issue ----------------------------------------------------------------------
@pytest.mark.parametrize("options,levers", [
    ([], ["  purchase_subsidy_level: 0", "  purchase_subsidy_level: 0.5", "  purchase_subsidy_level: 1"]),
    (["--from", "2023"], [f"  purchase_subsidy_level: {{step: {{2016: 1, 2020: 0, 2023: {v}}}}}"
                          for v in (0, 0.5, 1)]),
])
def test_the_sweep_equals_scenario_files_that_set_the_same_schedules(cli, tmp_path, scenario_file, options, levers):
    result = cli("sweep", BASELINE, "--lever", "purchase_subsidy_level=0,0.5,1", *options, "-o", "sweep.nc")
    assert result.returncode == 0, result.stderr
    assert "3 runs" in result.stdout and "fcev_fleet_total" in result.stdout
    with xr.open_dataset(tmp_path / "sweep.nc") as swept:
        assert list(swept["purchase_subsidy_level"].to_numpy()) == [0, 0.5, 1]
        for run, text in enumerate(levers):
            expected = scenario_file(text).run(as_xarray=True)
            for name in expected.data_vars:
                if name != "purchase_subsidy_level":  # the lever's own values are the run's coordinate
                    np.testing.assert_array_equal(swept[name].isel(run=run).to_numpy(), expected[name].to_numpy(),
                                                  err_msg=f"{text}: {name}")  # bit for bit


def test_the_sweep_takes_whole_schedules_and_prints_each_mix(cli, tmp_path, scenario_file):
    result = cli("sweep", BASELINE, "--lever", "purchase_subsidy_level=step:2023=1,2026=0",
                 "--lever", "purchase_subsidy_level=ramp:start=2023,end=2030,to=0.5", "--lever", "carbon_price=0,100",
                 "-o", "mixes.csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "4 runs; the targets' variables at their times" in lines[2]
    assert lines[3].split()[:3] == ["purchase_subsidy_level", "carbon_price", "fcev_fleet_total"]
    assert any(line.startswith("step 2023: 1, 2026: 0") for line in lines)
    assert any(line.startswith("ramp 2023-2030 to 0.5") for line in lines)
    frame = pd.read_csv(tmp_path / "mixes.csv")
    assert sorted(set(frame["purchase_subsidy_level"])) == ["ramp 2023-2030 to 0.5", "step 2023: 1, 2026: 0"]
    expected = scenario_file("  purchase_subsidy_level: {step: {2023: 1, 2026: 0}}\n  carbon_price: 100").run(
        return_columns=["fcev_fleet_total"])
    run = frame[(frame["purchase_subsidy_level"] == "step 2023: 1, 2026: 0") & (frame["carbon_price"] == 100)]
    np.testing.assert_allclose(run["fcev_fleet_total"].to_numpy(), expected["fcev_fleet_total"].to_numpy(),
                               rtol=1e-15)


@pytest.mark.parametrize("args,message", [
    (["--lever", "purchase_subsidy_level=step:2023"], "expected time=value pairs"),
    (["--lever", "purchase_subsidy_level=step:2026=1,2023=0"], "must increase"),
    (["--lever", "purchase_subsidy_level=ramp:start=2023,to=1"], "missing end"),
    (["--lever", "purchase_subsidy_level=scale:"], "give at least one number"),
])
def test_sweep_usage_errors(cli, args, message):
    result = cli("sweep", BASELINE, *args)
    assert result.returncode == 2 and message in result.stderr


def test_sweep_refuses_what_a_run_cannot_set(cli):
    result = cli("sweep", BASELINE, "--lever", "vehicles.purchase_subsidy=0,1")
    assert result.returncode == 1
    assert "baseline.yaml: --lever vehicles.purchase_subsidy: is an auxiliary, computed by an equation" in result.stderr
    assert "it depends on the lever 'purchase_subsidy_level' (set that instead)" in result.stderr
    assert "hydrogen_economy.yaml:" in result.stderr  # where it is defined


def levers_of(model: h2sim.Model) -> list[str]:
    scheduled = [lever["name"] for lever in model.levers]
    flagged = model.parameters.index[model.parameters["lever"]]
    return sorted(set(scheduled) | {name.split("[", 1)[0] for name in flagged})


@pytest.mark.parametrize("path", ZHEJIANG, ids=lambda p: Path(p).name)
def test_every_lever_of_every_zhejiang_scenario_can_be_swept_from_the_cli(path, monkeypatch):
    model = h2sim.load(path)
    # The command line as a user runs it, in this process (each load would only repeat this one).
    monkeypatch.setattr(h2sim, "load", lambda *args, **kwargs: model)
    start = model.time["start"]
    stop = start + 1
    for name in levers_of(model):
        value = float(model.trajectory(name).at(start))
        values = (value, value * 0.99) if value else (0.0, 0.01)
        out = io.StringIO()
        with redirect_stdout(out):
            code = cli_main(["sweep", path, "--lever", f"{name}={values[0]!r},{values[1]!r}", "--columns", name,
                             "--stop", f"{stop:g}", "--save-every", f"{model.time['dt']:g}"])
        assert code == 0, name
        rows = [line.split() for line in out.getvalue().splitlines()[-2:]]
        assert [float(r[0].replace(",", "")) for r in rows] == pytest.approx(values, rel=1e-3), name  # as printed
        # the lever holds the swept value in its own column (every element of an arrayed one)
        assert all(float(cell.replace(",", "")) == pytest.approx(v, rel=1e-3) for r, v in zip(rows, values)
                   for cell in r[1:]), (name, rows)


# --- run_batch: a trajectory per run, in one call -------------------------------------------------
def test_run_batch_with_a_series_per_run_equals_the_runs_one_by_one(baseline):
    settings = [pd.Series([0.0, 1.0], index=[2015.0, 2020.0]),
                pd.Series([1.0, 0.0, 0.5], index=[2016.0, 2022.0, 2030.0]),
                pd.Series([0.3], index=[2015.0]),
                {"step": {2023: 1, 2026: 0}},
                {"from": 2023, "value": 0.8},
                0.25,
                {"scale": 0.5},
                Trajectory((2020.0, 2020.0), (0.0, 1.0))]
    carbon = [0.0, 50.0, 100.0, 0.0, 25.0, 10.0, 5.0, 1.0]
    table = pd.DataFrame({"carbon_price": carbon, "purchase_subsidy_level": pd.Series(settings, dtype=object)})
    batch = baseline.run_batch(table, return_columns=COLUMNS)
    assert batch.sizes["run"] == len(settings)
    for run, (setting, price) in enumerate(zip(settings, carbon)):
        one = baseline.run(params={"purchase_subsidy_level": setting, "carbon_price": price}, return_columns=COLUMNS)
        for column in COLUMNS:
            np.testing.assert_array_equal(batch[column].isel(run=run).to_numpy(), one[column].to_numpy(),
                                          err_msg=f"run {run}: {column}")
    # the lever follows each run's own trajectory
    lever = batch["purchase_subsidy_level"]
    assert float(lever.isel(run=0).sel(time=2018.0)) == pytest.approx(0.6)
    assert float(lever.isel(run=3).sel(time=2024.0)) == 1.0 and float(lever.isel(run=3).sel(time=2027.0)) == 0.0
    assert float(lever.isel(run=4).sel(time=2017.0)) == 1.0 and float(lever.isel(run=4).sel(time=2023.0)) == 0.8


def test_a_series_per_run_for_a_constant_the_scenario_does_not_schedule_compiles_once(baseline):
    trajectories = [pd.Series([0.0, 300.0], index=[2025.0, 2035.0]), pd.Series([50.0], index=[2015.0]),
                    pd.Series([0.0, 100.0, 0.0], index=[2020.0, 2024.0, 2028.0])]
    model = baseline.with_params(purchase_subsidy_level=0.5)  # run_batch keeps what with_params set
    batch = model.run_batch({"carbon_price": trajectories}, return_columns=COLUMNS)
    again = model.run_batch({"carbon_price": trajectories[::-1]}, return_columns=COLUMNS)
    assert len(model._variants) == 1  # one variant with carbon_price scheduled, for both batches
    for run, series in enumerate(trajectories):
        one = model.run(params={"carbon_price": series}, return_columns=COLUMNS)
        for column in COLUMNS:
            np.testing.assert_array_equal(batch[column].isel(run=run).to_numpy(), one[column].to_numpy())
            np.testing.assert_array_equal(again[column].isel(run=2 - run).to_numpy(), one[column].to_numpy())
    assert (batch["purchase_subsidy_level"].to_numpy() == 0.5).all()


# --- with_params and run --------------------------------------------------------------------------
def test_with_params_reuses_the_program_for_every_setting_of_a_scheduled_lever(baseline):
    for setting in (0.5, pd.Series([0.0, 1.0], index=[2016.0, 2024.0]), {"step": {2023: 1}}, {"scale": 2},
                    {"shift": -1}, {"from": 2023, "linear": {2023: 0, 2030: 1}}):
        changed = baseline.with_params(purchase_subsidy_level=setting)
        assert changed.program is baseline.program
        assert same(changed.run(return_columns=COLUMNS),
                    baseline.run(params={"purchase_subsidy_level": setting}, return_columns=COLUMNS))
    # a Series for a constant the scenario does not schedule compiles a model of its own
    driven = baseline.with_params(carbon_price=pd.Series([0.0, 300.0], index=[2025.0, 2035.0]))
    assert driven.program is not baseline.program
    assert driven.trajectory("carbon_price") == Trajectory((2025.0, 2035.0), (0.0, 300.0))
    # settings compose: a scale of what with_params set before
    twice = baseline.with_params(purchase_subsidy_level={"scale": 2}).with_params(purchase_subsidy_level={"scale": 2})
    assert twice.trajectory("purchase_subsidy_level").values == (0.0, 4.0, 0.0)
    copy = pickle.loads(pickle.dumps(twice))
    assert same(copy.run(return_columns=COLUMNS), twice.run(return_columns=COLUMNS))


def test_scale_shift_and_from_change_the_schedule_as_documented(baseline, scenario_file):
    dt = baseline.time["dt"]

    def lever(setting, name="wind_capacity_gw"):
        return baseline.run(params={name: setting}, return_columns=[name], save_every=dt)[name]

    own = lever({"scale": 1})
    # linear: {2016: 1.0, 2021: 1.9, 2023: 4.6, 2025: 6.5}
    assert lever({"scale": 2}).to_numpy() == pytest.approx(2 * own.to_numpy(), rel=1e-15)
    shifted = lever({"shift": 2})
    assert shifted.loc[2025.0] == own.loc[2023.0] and shifted.loc[2027.0] == own.loc[2025.0]
    later = lever({"from": 2022, "value": 10})
    assert (later.loc[:2021.0] == own.loc[:2021.0]).all() and (later.loc[2022.0:] == 10).all()
    # the segment cut at 2022 ends there: the same line, to rounding
    np.testing.assert_allclose(later.loc[2021.0:2021.9921875], own.loc[2021.0:2021.9921875], rtol=1e-15)
    # inside `from`, "the lever's own value" is its value at that time: 1.9 + (4.6 - 1.9) / 2 in 2022
    ramp = lever({"from": 2022, "ramp": {"start": 2024, "end": 2026, "to": 20}})
    assert ramp.loc[2022.0] == ramp.loc[2023.0] == ramp.loc[2024.0] == 3.25
    assert ramp.loc[2025.0] == pytest.approx((3.25 + 20) / 2) and ramp.loc[2030.0] == 20
    # the same as a scenario file that writes the scaled and shifted step schedules
    assert same(baseline.run(params={"purchase_subsidy_level": {"scale": 0.5, "shift": 1}}, return_columns=COLUMNS),
                scenario_file("  purchase_subsidy_level: {step: {2017: 0.5, 2021: 0}}").run(return_columns=COLUMNS))


def test_the_cli_run_sets_a_whole_schedule(cli, tmp_path, scenario_file):
    result = cli("run", BASELINE, "--set", "purchase_subsidy_level=step:2023=1,2026=0", "-o", "one.nc")
    assert result.returncode == 0, result.stderr
    expected = scenario_file("  purchase_subsidy_level: {step: {2023: 1, 2026: 0}}").run(as_xarray=True)
    with xr.open_dataset(tmp_path / "one.nc") as one:
        np.testing.assert_array_equal(one["fcev_fleet_total"].to_numpy(), expected["fcev_fleet_total"].to_numpy())


# --- what a run cannot set ------------------------------------------------------------------------
@pytest.mark.parametrize("name,setting,message", [
    ("vehicles.purchase_subsidy", 5, "is an auxiliary, computed by an equation, not a constant: only constants and "
                                     "lever schedules can be set per run; it depends on the lever "
                                     "'purchase_subsidy_level' (set that instead)"),
    ("vehicles.purchase_subsidy", pd.Series([1.0], index=[2015.0]), "is an auxiliary"),
    ("fcev_sales_total", 1, "is an auxiliary, computed by an equation, not a constant"),
    ("stations.construction_starts", 1, "is a flow"),
    ("stations.stations_operating", {"step": {2020: 1}}, "is a stock, computed by integrating its flows"),
    ("purchase_subsidy_levle", 1, "no constant or lever with this name (did you mean 'purchase_subsidy_level'?)"),
])
def test_setting_what_is_not_a_lever_is_refused_everywhere(baseline, name, setting, message):
    for attempt in (lambda: baseline.with_params({name: setting}), lambda: baseline.run(params={name: setting}),
                    lambda: baseline.run_batch(pd.DataFrame({name: pd.Series([setting, setting], dtype=object)}))):
        with pytest.raises(h2sim.ModelError) as caught:
            attempt()
        assert message in str(caught.value), str(caught.value)
        assert caught.value.variable == name


@pytest.mark.parametrize("setting,message", [
    ({"stpe": {2023: 1}}, "a schedule is one of {constant:, step:, linear:, ramp:}"),
    ({"step": {2026: 1, 2023: 0}}, "the times of a schedule must increase"),
    ({"ramp": {"start": 2025, "to": 1}}, "a ramp is {start:, end:, to:}"),
    ({"from": 2023}, "a schedule is one of"),
    (pd.Series([], dtype=float), "the time series is empty"),
    ({"scale": "twice"}, "is not a number"),
    ("high", "expected a number"),
])
def test_bad_lever_settings_say_what_is_wrong(baseline, setting, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        baseline.run(params={"purchase_subsidy_level": setting})


def test_a_trajectory_reads_as_the_kernel_reads_it(baseline):
    jumps = Trajectory((2016.0, 2018.0, 2018.0, 2022.0), (0.0, 0.4, 0.9, 0.1))
    run = baseline.run(params={"purchase_subsidy_level": jumps}, return_columns=["purchase_subsidy_level"],
                       save_every=baseline.time["dt"])["purchase_subsidy_level"]
    assert [jumps.at(t) for t in run.index] == list(run.to_numpy())  # bit for bit, jumps included
    assert jumps.before(2018.0) == 0.4 and jumps.at(2018.0) == 0.9
    assert jumps.describe() == "2016: 0, 2018: 0.9, 2022: 0.1"
    assert Trajectory((2016.0, 2020.0), (1.0, 0.0), "step").as_schedule(2015.0) == {
        "step": {2015.0: 1.0, 2016.0: 1.0, 2020.0: 0.0}}
    with pytest.raises(ValueError, match="no scenario form"):
        jumps.as_schedule(2015.0)


# --- the analysis tools: forms travel with the chunks -----------------------------------------
def test_morris_screens_a_scheduled_lever_per_run_here_and_in_worker_processes(repo_root):
    import concurrent.futures

    study = h2sim.load(repo_root / "scenarios" / "studies" / "zhejiang_2025_levers.yaml")
    space = {"fleet_plan_commitment": {"range": [0.2, 1.0], "from": 2023},
             "province_station_target": {"range": [0.5, 1.5], "change": "scale"},
             "stations.build_time": True}
    options = dict(uncertainties=space, n=2, seed=5, outcomes=["fleet_at_end_2025", "stations_at_end_2025"],
                   stop=2027, progress=False)
    local = h2sim.sensitivity(study, "morris", **options)
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        remote = h2sim.sensitivity(study, "morris", executor=pool, chunk_size=4, **options)
    pd.testing.assert_frame_equal(local.indices, remote.indices)  # bit for bit
    runs = local.exploration.experiments
    for i in (0, len(runs) - 1):
        row = runs.iloc[i]
        frame = study.run(params={"fleet_plan_commitment": {"from": 2023, "value": row["fleet_plan_commitment"]},
                                  "province_station_target": {"scale": row["province_station_target"]},
                                  "stations.build_time": row["stations.build_time"]},
                          return_columns=["fcev_fleet_total"], stop=2027)
        assert local.exploration.outcomes["fleet_at_end_2025"][i] == frame.loc[2026.0, "fcev_fleet_total"]
    # both scheduled levers move the outcomes they drive
    assert local.table("fleet_at_end_2025").loc["fleet_plan_commitment", "mu_star"] > 0
    assert local.table("stations_at_end_2025").loc["province_station_target", "mu_star"] > 0
