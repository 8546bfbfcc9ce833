"""Results of the Python API against numbers that can be trusted: the Bass closed form,
convergence orders, exact agreement between single runs and batch lanes, conservation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h2sim


def bass_closed_form(t, p, q, market):
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return market * (1 - decay) / (1 + (q / p) * decay)


@pytest.fixture(scope="module")
def bass(bass_path):
    return h2sim.load(bass_path)


def test_run_returns_a_frame_indexed_by_time_with_units(bass):
    df = bass.run()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "time"
    assert list(df.columns) == ["adopters", "adoption", "adopted_fraction"]
    np.testing.assert_array_equal(df.index.to_numpy(), np.arange(0.0, 21.0))
    assert df.attrs["units"] == {"adopters": "vehicles", "adoption": "vehicles/year",
                                 "adopted_fraction": "dimensionless"}


@pytest.mark.parametrize("p,q", [(0.03, 0.38), (0.01, 0.5), (0.05, 0.2)])
def test_bass_matches_the_closed_form(bass, p, q):
    df = bass.run(params={"p": p, "q": q}, dt=1 / 64)
    expected = bass_closed_form(df.index, p, q, 10000)
    np.testing.assert_allclose(df["adopters"].to_numpy(), expected, rtol=0, atol=1e-5)
    # the flow is the closed form's derivative: (p + q F)(1 - F) * market
    fraction = expected / 10000
    np.testing.assert_allclose(df["adoption"].to_numpy(), (p + q * fraction) * (1 - fraction) * 10000, atol=1e-4)


def test_rk4_and_euler_converge_at_their_orders(bass):
    exact = bass_closed_form(np.arange(0.0, 21.0), 0.03, 0.38, 10000)

    def error(method, dt):
        return np.max(np.abs(bass.run(method=method, dt=dt)["adopters"].to_numpy() - exact))

    assert error("rk4", 0.125) / error("rk4", 0.0625) == pytest.approx(16, rel=0.15)
    assert error("euler", 0.125) / error("euler", 0.0625) == pytest.approx(2, rel=0.15)


def test_run_batch_lanes_equal_single_runs_exactly(bass):
    rng = np.random.default_rng(7)
    table = pd.DataFrame({"p": rng.uniform(0.01, 0.05, 37), "q": rng.uniform(0.2, 0.5, 37),
                          "market": rng.uniform(1000, 20000, 37)})
    ds = bass.run_batch(table, threads=2, progress=False)
    assert ds["adopters"].dims == ("run", "time")
    assert ds.sizes["run"] == 37
    for i, row in table.iterrows():
        single = bass.run(params=row.to_dict())
        for column in single.columns:
            np.testing.assert_array_equal(ds[column].sel(run=i).to_numpy(), single[column].to_numpy())


def test_run_batch_of_an_arrayed_model_equals_single_runs(examples):
    model = h2sim.load(examples / "arrayed_fleet.yaml")
    table = pd.DataFrame({"sales_growth": [0.05, 0.1, 0.3]})
    ds = model.run_batch(table, progress=False)
    assert ds["fleet_by_segment"].dims == ("run", "time", "segment")
    for i, growth in enumerate(table["sales_growth"]):
        single = model.run(params={"sales_growth": growth})
        for segment in ["bus", "logistics", "heavy_truck", "car"]:
            np.testing.assert_array_equal(ds["fleet_by_segment"].sel(run=i, segment=segment).to_numpy(),
                                          single[f"fleet_by_segment[{segment}]"].to_numpy())
        # conservation: the total is the sum over segments
        by_segment = single[[c for c in single.columns if c.startswith("fleet_by_segment[")]].sum(axis=1)
        np.testing.assert_allclose(single["fleet_total"], by_segment, rtol=1e-12)


def test_run_batch_threads_do_not_change_results(bass):
    table = pd.DataFrame({"p": np.linspace(0.01, 0.05, 64)})
    one = bass.run_batch(table, threads=1, progress=False)
    two = bass.run_batch(table, threads=2, progress=False)
    np.testing.assert_array_equal(one["adopters"].to_numpy(), two["adopters"].to_numpy())


def test_as_xarray_matches_the_frame(bass):
    df = bass.run()
    ds = bass.run(as_xarray=True)
    assert ds["adopters"].dims == ("time",)
    assert ds["adopters"].attrs["units"] == "vehicles"
    np.testing.assert_array_equal(ds["adopters"].to_numpy(), df["adopters"].to_numpy())


def test_with_params_returns_a_new_model(bass):
    changed = bass.with_params(p=0.05)
    assert bass.parameters.loc["p", "value"] == 0.03
    assert changed.parameters.loc["p", "value"] == 0.05
    np.testing.assert_array_equal(changed.run()["adopters"].to_numpy(),
                                  bass.run(params={"p": 0.05})["adopters"].to_numpy())


def test_parameters_table(bass):
    table = bass.parameters
    assert list(table.columns) == ["value", "units", "description", "source", "basis", "range", "lever"]
    assert table.loc["q", "units"] == "1/year"
    assert table.loc["p", "range"] == "uniform 0.01 to 0.05"
    assert "Bass (1969)" in table.loc["p", "source"]


def test_a_constant_series_equals_the_number(bass):
    series = pd.Series([0.05, 0.05], index=[0.0, 20.0])
    np.testing.assert_array_equal(bass.run(params={"p": series})["adopters"].to_numpy(),
                                  bass.run(params={"p": 0.05})["adopters"].to_numpy())


def test_a_lever_series_drives_the_constant(examples):
    model = h2sim.load(examples / "scenario_base.yaml")
    series = pd.Series([0.01, 0.05], index=[2020.0, 2030.0])
    df = model.run(params={"p": series}, return_columns=["p", "adopters"])
    assert df.loc[2020.0, "p"] == pytest.approx(0.01)
    assert df.loc[2025.0, "p"] == pytest.approx(0.03)
    assert df.loc[2035.0, "p"] == pytest.approx(0.05)  # held beyond the last point


def test_scenario_levers_are_applied(examples):
    df = h2sim.load(examples / "scenario_variant.yaml").run()
    assert df.loc[2024.0, "p"] == pytest.approx(0.03)
    assert df.loc[2026.0, "p"] == pytest.approx(0.06)
    assert df.loc[2031.0, "p"] == pytest.approx(0.03)
    assert df.loc[2022.0, "q"] == pytest.approx(0.38)
    assert df.loc[2028.0, "q"] == pytest.approx(0.45)


def test_delay1_equals_the_explicit_stock(examples):
    df = h2sim.load(examples / "first_order_delay.yaml").run()
    np.testing.assert_allclose(df["openings_by_delay1"], df["completions"], rtol=1e-9, atol=1e-9)
