"""The hydrogen economy model: mass balances, units, back-tests and the behaviour the
literature predicts (issue 6). Time is the calendar year: t = 2023.0 is the end of 2022."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import h2sim

ROOT = Path(__file__).resolve().parents[2]
ZHEJIANG = ROOT / "scenarios" / "zhejiang"
BASELINE = ZHEJIANG / "baseline.yaml"
PLAN = ZHEJIANG / "plan_2025.yaml"
NATIONAL = ROOT / "scenarios" / "china" / "national.yaml"
ALL_SCENARIOS = sorted(ZHEJIANG.glob("*.yaml")) + [NATIONAL, ROOT / "scenarios/hydrogen/hydrogen_economy.yaml"]

REPORTING = ["fcev_fleet_total", "fcev_fleet", "fcev_sales_total", "stations_operating_total",
             "h2_demand_t_per_day", "h2_price_cny_per_kg", "storage_capacity_t", "storage_days_of_cover",
             "unmet_h2_demand_t_per_day", "co2_avoided_t_per_year", "public_spending_cny_per_year",
             "h2_industry_output_cny_per_year"]


@pytest.fixture(scope="module")
def baseline():
    return h2sim.load(BASELINE)


@pytest.fixture(scope="module")
def baseline_run(baseline):
    return baseline.run()


def end_of(year: int) -> float:
    return float(year + 1)


# --- structure ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ALL_SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_loads_with_strict_units_and_runs_finite(path):
    model = h2sim.load(path, strict_units=True)  # raises on any unit mismatch
    assert model.warnings == []
    result = model.run(return_columns=["fcev_fleet_total", "stations_operating_total", "h2_price_cny_per_kg"])
    assert np.isfinite(result.to_numpy()).all()
    assert (result["fcev_fleet_total"] >= 0).all()


def test_reporting_variables_exist_with_units(baseline):
    variables = baseline.variables
    for name in REPORTING:
        assert name in variables.index, name
        assert variables.loc[name, "units"], f"{name} has no units"
    assert list(variables.loc["fcev_fleet", "dimensions"]) == ["segment"]


def test_every_constant_has_units_and_every_published_figure_a_source(baseline):
    constants = baseline.variables[baseline.variables["kind"] == "constant"]
    missing_units = [n for n, row in constants.iterrows() if not row["units"]]
    assert missing_units == []


# --- mass balances -----------------------------------------------------------------------
def test_vehicle_mass_balance_sales_minus_retirements_is_the_fleet_change():
    model = h2sim.load(BASELINE)
    dt = model.time["dt"]
    run = model.run(return_columns=["vehicles.fleet", "vehicles.sales", "vehicles.retirements"], save_every=dt)
    fleet = run.filter(like="vehicles.fleet[").to_numpy()
    sales = run.filter(like="vehicles.sales[").to_numpy()
    retirements = run.filter(like="vehicles.retirements[").to_numpy()
    # Euler: fleet(t + dt) - fleet(t) = dt * (sales(t) - retirements(t)), element by element.
    change = fleet[1:] - fleet[:-1]
    expected = dt * (sales[:-1] - retirements[:-1])
    assert np.allclose(change, expected, rtol=1e-9, atol=1e-9)
    assert fleet[-1].sum() > 1000


def test_hydrogen_mass_balance_production_deliveries_storage_losses_unmet():
    model = h2sim.load(PLAN)
    dt = model.time["dt"]
    cols = ["storage.production", "storage.deliveries", "storage.losses", "storage.inventory",
            "storage.demand", "storage.unmet_demand"]
    run = model.run(return_columns=cols, save_every=dt)
    production = run["storage.production"].to_numpy()
    deliveries = run["storage.deliveries"].to_numpy()
    losses = run["storage.losses"].to_numpy()
    inventory = run["storage.inventory"].to_numpy()
    # production = deliveries + change in inventory + losses (t/year over each dt)
    change = (inventory[1:] - inventory[:-1]) / dt
    assert np.allclose(production[:-1], deliveries[:-1] + change + losses[:-1], rtol=1e-9, atol=1e-9)
    # demand = deliveries + unmet demand, and unmet demand is never negative
    demand = run["storage.demand"].to_numpy()
    assert np.allclose(demand, deliveries + run["storage.unmet_demand"].to_numpy(), atol=1e-9)
    assert (run["storage.unmet_demand"] >= -1e-12).all()


def test_inventory_never_exceeds_storage_capacity(baseline):
    run = baseline.run(return_columns=["storage.inventory", "storage_capacity_t"])
    assert (run["storage.inventory"] <= run["storage_capacity_t"] * (1 + 1e-9) + 1e-9).all()


# --- back-tests ----------------------------------------------------------------------------
def test_zhejiang_baseline_reproduces_the_end_of_2022(baseline_run):
    at = baseline_run.loc[end_of(2022)]
    assert 19 <= at["stations_operating_total"] <= 25          # 22 reported
    assert 150 <= at["fcev_fleet_total"] <= 400                # "more than 200" reported
    # Stations ahead of vehicles: fewer than 20 vehicles per station, stations mostly idle.
    assert at["fcev_fleet_total"] / at["stations_operating_total"] < 20
    cities = [c for c in baseline_run.columns if c.startswith("fcev_fleet_by_city[")]
    assert max(cities, key=lambda c: at[c]) == "fcev_fleet_by_city[jiaxing]"
    stations = [c for c in baseline_run.columns if c.startswith("stations_operating_by_city[")]
    assert max(stations, key=lambda c: at[c]) == "stations_operating_by_city[jiaxing]"


def test_national_scenario_reproduces_the_fleet_series_within_15_percent():
    run = h2sim.load(NATIONAL).run(return_columns=["fcev_fleet_total"])["fcev_fleet_total"]
    reported = {2020: 7352, 2022: 12682, 2025: 30000}  # shared/data/china_fcev_history.csv
    for year, fleet in reported.items():
        assert run.loc[end_of(year)] == pytest.approx(fleet, rel=0.15), year
    assert run.loc[end_of(2025)] < 50000  # short of the national target, as reported


def test_plan_2025_reaches_the_targets_and_costs_more():
    plan = h2sim.load(PLAN).run()
    at = plan.loc[end_of(2025)]
    assert at["fcev_fleet_total"] >= 5000
    assert at["stations_operating_total"] >= 50
    assert plan["unmet_h2_demand_t_per_day"].max() < 0.5
    base = h2sim.load(BASELINE).run()
    assert plan.loc[2023.0:2026.0, "public_spending_cny_per_year"].sum() > \
        3 * base.loc[2023.0:2026.0, "public_spending_cny_per_year"].sum()


# --- behaviour the literature predicts ----------------------------------------------------------
def _step(before: float, after: float, at: float = 2023.0) -> pd.Series:
    return pd.Series([before, after], index=[at - 1e-3, at])


def _after_pilots(model, marketing: float, stations: float) -> tuple[float, float]:
    """From 2023 on: no mandates, no subsidy, a constant marketing effort and a station
    plan of `stations` by 2030. Returns the fleet at the ends of 2025 and 2035."""
    params = {
        "marketing": _step(0.02, marketing),
        "bus_mandate_share": _step(0.08, 0.0),
        "truck_mandate_share": pd.Series([0.0, 0.0035, 0.0035, 0.0], index=[2021.49, 2021.5, 2022.999, 2023.0]),
        "province_station_target": pd.Series([0, 30, 30, stations], index=[2019.29, 2019.3, 2022.999, 2023.0]),
        "station_target_year": pd.Series([2022, 2022, 2030], index=[2019.3, 2022.999, 2023.0]),
    }
    run = model.run(params=params, return_columns=["fcev_fleet_total"])["fcev_fleet_total"]
    return run.loc[end_of(2025)], run.loc[end_of(2035)]


def _threshold(model, stations: float) -> float:
    """The marketing effort above which the fleet keeps growing on its own."""
    low, high = 0.0, 0.1
    for _ in range(12):
        mid = (low + high) / 2
        start, end = _after_pilots(model, mid, stations)
        low, high = (mid, high) if end < start else (low, mid)
    return (low + high) / 2


def test_tipping_threshold_below_it_adoption_dies_out_above_it_sustains(baseline):
    start, end = _after_pilots(baseline, marketing=0.0, stations=30)
    assert end < 0.5 * start            # dies out
    start, end = _after_pilots(baseline, marketing=0.05, stations=30)
    assert end > 3 * start              # sustains itself and grows


def test_more_stations_lower_the_threshold(baseline):
    few, many = _threshold(baseline, 30), _threshold(baseline, 120)
    assert 0 < many < few < 0.1


def test_removing_purchase_subsidies_early_stalls_adoption():
    plan = h2sim.load(PLAN).run(return_columns=["fcev_fleet_total"])["fcev_fleet_total"]
    early = h2sim.load(ZHEJIANG / "purchase_subsidy_phaseout.yaml").run(
        return_columns=["fcev_fleet_total"])["fcev_fleet_total"]
    assert early.loc[end_of(2025)] < 0.6 * plan.loc[end_of(2025)]
    assert early.loc[end_of(2035)] < plan.loc[end_of(2035)]


def test_each_policy_variant_moves_its_own_lever_the_right_way(baseline_run):
    def run(name):
        return h2sim.load(ZHEJIANG / f"{name}.yaml").run()
    fuel = run("fuel_subsidy_reference")
    assert fuel.loc[end_of(2030), "h2_price_cny_per_kg"] == pytest.approx(35.0, abs=1e-9)
    assert fuel.loc[end_of(2035), "fcev_fleet_total"] > baseline_run.loc[end_of(2035), "fcev_fleet_total"]
    push = run("station_push")
    assert push.loc[end_of(2026), "stations_operating_total"] > \
        1.3 * baseline_run.loc[end_of(2026), "stations_operating_total"]
    carbon = run("carbon_price")
    assert carbon.loc[end_of(2024)].equals(baseline_run.loc[end_of(2024)])  # no price before 2025
    cluster = run("cluster_membership")
    assert cluster.loc[end_of(2025), "fcev_fleet_total"] > baseline_run.loc[end_of(2025), "fcev_fleet_total"]


def test_fuel_cell_cost_follows_the_learning_curve(baseline_run):
    cost = baseline_run["fuel_cell_system_cost"]
    assert cost.loc[2015.0] == pytest.approx(30000)
    assert cost.loc[end_of(2024)] < 4000  # "< 4,000 CNY/kW (2024)", shared/data/parameters.md
    assert (np.diff(cost.to_numpy()) <= 1e-9).all()


def test_zhejiang_baseline_reproduces_the_reported_city_fleets(baseline):
    run = baseline.run(return_columns=["fcev_fleet_by_city", "vehicles.fleet"])
    november_2022, july_2022 = 2022.75, 2022.5   # saved quarterly; the reports are Nov and Jul
    jiaxing = run.loc[november_2022]
    assert jiaxing["fcev_fleet_by_city[jiaxing]"] == pytest.approx(167, rel=0.15)      # 146 buses + 21 trucks
    assert jiaxing["vehicles.fleet[heavy_truck,jiaxing]"] == pytest.approx(21, rel=0.25)
    assert run.loc[july_2022, "fcev_fleet_by_city[jinhua]"] == pytest.approx(31, rel=0.25)
