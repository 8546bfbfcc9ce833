"""The sectors added to the hydrogen model: the hydrogen equipment industry, large-scale
power storage (battery and hydrogen) and battery-electric vehicles as an endogenous competitor.

Conservation (energy through power-to-hydrogen-to-power, units sold times prices, vehicle shares
that add up), the extreme conditions the issue names (no renewable surplus, free batteries, no
national market), the behaviour each new loop is there for, and the back-tests against published
figures (scripts/validation.py states their tolerances; docs/model/validation.md lists them).
Time is the calendar year: t = 2023.0 is the end of 2022."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import h2sim

ROOT = Path(__file__).resolve().parents[2]
ZHEJIANG = ROOT / "scenarios" / "zhejiang"
BASELINE = ZHEJIANG / "baseline.yaml"
STORAGE = ZHEJIANG / "storage.yaml"
INDUSTRY_HUB = ZHEJIANG / "industry_hub.yaml"
NATIONAL = ROOT / "scenarios" / "china" / "national.yaml"
MODEL = ROOT / "scenarios" / "hydrogen" / "hydrogen_economy.yaml"
ALL_SCENARIOS = sorted(ZHEJIANG.glob("*.yaml")) + [NATIONAL, MODEL]
PRODUCTS = ["fuel_cell_system", "electrolyser", "tank", "vehicle"]
SEGMENTS = ["bus", "logistics", "heavy_truck", "car"]
LHV = 33.33          # kWh/kg, power_storage.hydrogen_lhv
T_TO_GWH = 1000 / 1e6  # kg per t over kWh per GWh


def constant(series_value: float) -> pd.Series:
    """A lever trajectory that holds one value over the whole run (replaces a scenario's schedule)."""
    return pd.Series([series_value, series_value], index=[2015.0, 2061.0])


@pytest.fixture(scope="module")
def baseline():
    return h2sim.load(BASELINE)


@pytest.fixture(scope="module")
def storage():
    return h2sim.load(STORAGE)


# --- conservation ------------------------------------------------------------------------------
def test_power_to_hydrogen_to_power_balances_energy_to_1e9_with_its_losses(storage):
    dt = storage.time["dt"]
    cols = ["power_storage.electricity_to_electrolysers", "power_storage.electrolysis_losses",
            "power_storage.h2_to_mobility", "power_storage.h2_stored", "power_storage.h2_to_power",
            "power_storage.h2_storage_losses", "power_storage.h2_inventory", "power_storage.power_from_hydrogen",
            "power_storage.fuel_cell_losses", "power_storage.battery_charged", "power_storage.battery_discharged",
            "power_storage.battery_losses"]
    run = storage.run(return_columns=cols, save_every=dt, start=2015, stop=2036)
    p = {c.split(".", 1)[1]: run[c].to_numpy() for c in cols}
    assert p["electricity_to_electrolysers"].max() > 100          # GWh/year: the path is in use
    assert p["power_from_hydrogen"].max() > 1 and p["h2_to_mobility"].max() > 100
    inventory_change = np.diff(p["h2_inventory"]) / dt               # t/year, Euler
    n = len(inventory_change)
    electricity_in = p["electricity_to_electrolysers"][:n]
    out = (p["electrolysis_losses"][:n]
           + LHV * T_TO_GWH * (p["h2_to_mobility"][:n] + inventory_change + p["h2_storage_losses"][:n])
           + p["power_from_hydrogen"][:n] + p["fuel_cell_losses"][:n])
    scale = electricity_in.max()
    assert np.abs(electricity_in - out).max() <= 1e-9 * scale
    # Each conversion on its own: the electrolysers, the tanks, the fuel cells.
    assert np.allclose(p["electricity_to_electrolysers"], p["electrolysis_losses"]
                       + LHV * T_TO_GWH * (p["h2_to_mobility"] + p["h2_stored"]), rtol=1e-12, atol=1e-9)
    assert np.allclose(inventory_change, (p["h2_stored"] - p["h2_to_power"] - p["h2_storage_losses"])[:n],
                       rtol=1e-9, atol=1e-9)
    assert np.allclose(LHV * T_TO_GWH * p["h2_to_power"], p["power_from_hydrogen"] + p["fuel_cell_losses"],
                       rtol=1e-12, atol=1e-12)
    # Losses are real: the round trip returns about a third.
    returned = p["power_from_hydrogen"].sum() / (LHV * T_TO_GWH * p["h2_to_power"]).sum()
    assert returned == pytest.approx(0.5)                            # the fuel cell's efficiency
    assert np.allclose(p["battery_charged"], p["battery_discharged"] + p["battery_losses"], rtol=1e-12, atol=1e-12)
    assert (p["h2_inventory"] >= 0).all()


def test_storage_never_takes_more_than_the_surplus_and_tanks_never_overfill(storage):
    run = storage.run(return_columns=["curtailment_avoided_gwh_per_year", "renewable_surplus_gwh_per_year",
                                      "power_storage.h2_inventory", "power_storage.tank_capacity"])
    assert (run["curtailment_avoided_gwh_per_year"] <= run["renewable_surplus_gwh_per_year"] * (1 + 1e-12) + 1e-9).all()
    assert run.loc[2036.0, "curtailment_avoided_gwh_per_year"] > 0.2 * run.loc[2036.0, "renewable_surplus_gwh_per_year"]
    assert (run["power_storage.h2_inventory"] <= run["power_storage.tank_capacity"] * (1 + 1e-3) + 1e-6).all()


def test_industry_output_equals_units_sold_times_prices():
    for path in (BASELINE, INDUSTRY_HUB, NATIONAL):
        model = h2sim.load(path)
        run = model.run(return_columns=["industry.output", "industry.price", "industry.output_value",
                                        "industry.total_output_value", "h2_equipment_output_total_cny_per_year",
                                        "industry.sales_by_market"])
        total = np.zeros(len(run))
        for product in PRODUCTS:
            units, price = run[f"industry.output[{product}]"], run[f"industry.price[{product}]"]
            assert np.allclose(run[f"industry.output_value[{product}]"], units * price, rtol=1e-12, atol=1e-6)
            by_market = run.filter(like=f"industry.sales_by_market[{product},").sum(axis=1)
            assert np.allclose(by_market, units, rtol=1e-9, atol=1e-9), product   # every unit goes to a market
            total += units * price
        assert np.allclose(run["industry.total_output_value"], total, rtol=1e-12)
        assert run["h2_equipment_output_total_cny_per_year"].iloc[-1] > 1e8


def test_the_industry_price_is_the_national_price_path(baseline):
    run = baseline.run(return_columns=["industry.price", "fuel_cell_system_cost", "supply.electrolyser_cost_index"])
    assert np.allclose(run["industry.price[fuel_cell_system]"], run["fuel_cell_system_cost"], rtol=1e-12)
    assert np.allclose(run["industry.price[electrolyser]"], 1950 * run["supply.electrolyser_cost_index"], rtol=1e-12)


SHARE_CASES = {
    "as shipped": {},
    "every mandate at 1": {"bus_mandate_share": constant(1.0), "truck_mandate_share": constant(1.0),
                           "logistics_mandate_share": constant(1.0)},
    "every zero-emission mandate at 1": {"zev_bus_mandate_share": constant(1.0), "zev_truck_mandate_share": constant(1.0),
                                         "zev_logistics_mandate_share": constant(1.0)},
    "both mandates, beyond bounds": {"zev_bus_mandate_share": constant(5.0), "bus_mandate_share": constant(0.4),
                                     "truck_mandate_share": constant(-2.0), "zev_truck_mandate_share": constant(0.5)},
    "no stations": {"plan_commitment": 0.0, "stations.hurdle_utilisation": 1e6},
    "free batteries for vehicles": {"learning.initial_battery_pack_cost": 0.0},
}


@pytest.mark.parametrize("case", list(SHARE_CASES), ids=list(SHARE_CASES))
def test_vehicle_shares_of_new_sales_sum_to_one_and_stay_in_zero_one(baseline, case):
    cols = ["vehicles.fcev_share_of_sales", "vehicles.bev_share_of_sales", "vehicles.diesel_share_of_sales"]
    run = baseline.run(params=SHARE_CASES[case], return_columns=cols)
    f, b, d = (run.filter(like=f"{c}[").to_numpy() for c in cols)
    assert np.abs(f + b + d - 1).max() <= 1e-12
    for share in (f, b, d):
        assert share.min() >= -1e-15 and share.max() <= 1 + 1e-12


@pytest.mark.parametrize("path", ALL_SCENARIOS, ids=lambda p: p.name)
def test_vehicle_shares_sum_to_one_in_every_shipped_scenario(path):
    cols = ["vehicles.fcev_share_of_sales", "vehicles.bev_share_of_sales", "vehicles.diesel_share_of_sales"]
    run = h2sim.load(path).run(return_columns=cols, save_every=1.0)
    f, b, d = (run.filter(like=f"{c}[").to_numpy() for c in cols)
    assert np.abs(f + b + d - 1).max() <= 1e-12


def test_nev_totals_add_fuel_cell_and_battery_electric_vehicles(baseline):
    run = baseline.run(return_columns=["nev_fleet_total", "fcev_fleet_total", "bev_fleet_total", "bev_fleet",
                                       "nev_sales_total", "fcev_sales_total", "bev_sales_total"])
    assert np.allclose(run["nev_fleet_total"], run["fcev_fleet_total"] + run["bev_fleet_total"], rtol=1e-12)
    assert np.allclose(run["nev_sales_total"], run["fcev_sales_total"] + run["bev_sales_total"], rtol=1e-12)
    assert np.allclose(run.filter(like="bev_fleet[").sum(axis=1), run["bev_fleet_total"], rtol=1e-12)
    assert run.loc[2036.0, "bev_fleet_total"] > 100 * run.loc[2036.0, "fcev_fleet_total"]


def test_battery_electric_fleet_mass_balance(baseline):
    dt = baseline.time["dt"]
    run = baseline.run(return_columns=["vehicles.bev_fleet", "vehicles.bev_sales", "vehicles.bev_retirements"],
                       save_every=dt, stop=2025)
    fleet = run.filter(like="vehicles.bev_fleet[").to_numpy()
    sales = run.filter(like="vehicles.bev_sales[").to_numpy()
    retirements = run.filter(like="vehicles.bev_retirements[").to_numpy()
    assert np.allclose(fleet[1:] - fleet[:-1], dt * (sales[:-1] - retirements[:-1]), rtol=1e-9, atol=1e-6)


# --- extreme conditions -------------------------------------------------------------------------
def test_no_renewable_surplus_means_no_green_hydrogen_from_surplus(storage):
    no_surplus = {"wind_curtailment_rate": constant(0.0), "solar_curtailment_rate": constant(0.0)}
    cols = ["green_h2_from_surplus_t_per_year", "curtailment_avoided_gwh_per_year", "power_storage.h2_inventory",
            "power_storage.power_from_hydrogen", "storage_power_gw", "renewable_surplus_gwh_per_year"]
    run = storage.run(params=no_surplus, return_columns=cols)
    assert run["renewable_surplus_gwh_per_year"].abs().max() == 0
    assert run["green_h2_from_surplus_t_per_year"].abs().max() == 0
    assert run["curtailment_avoided_gwh_per_year"].abs().max() == 0
    assert run["power_storage.h2_inventory"].abs().max() == 0
    assert run["power_storage.power_from_hydrogen"].abs().max() == 0
    # The demonstrations are still built: without surplus the electrolysers simply stand idle.
    assert run.loc[2036.0, "storage_power_gw[hydrogen]"] > 0.1
    shipped = storage.run(return_columns=cols)
    assert shipped.loc[2036.0, "green_h2_from_surplus_t_per_year"] > 1000


# Conditions in which hydrogen storage wins projects on cost: salt caverns, long surplus hours,
# batteries without peak-valley earnings, and no demonstration target (everything is economic).
HYDROGEN_FAVOURED = {"hydrogen_storage_target_gw": constant(0.0), "salt_cavern_available": 1.0,
                     "power_storage.arbitrage_cycles": 0.0, "power_storage.surplus_hours": 1500.0}


def test_free_batteries_mean_no_hydrogen_storage_is_built(storage):
    cols = ["storage_power_gw", "power_storage.new_storage_share", "green_h2_from_surplus_t_per_year"]
    favoured = storage.run(params=HYDROGEN_FAVOURED, return_columns=cols)
    assert favoured.loc[2036.0, "storage_power_gw[hydrogen]"] > 1.0                  # GW, won on cost
    free = storage.run(params={**HYDROGEN_FAVOURED, "power_storage.battery_cost_factor": 0.0}, return_columns=cols)
    assert free["storage_power_gw[hydrogen]"].abs().max() < 1e-12
    assert free["power_storage.new_storage_share[hydrogen]"].abs().max() == 0
    assert free["green_h2_from_surplus_t_per_year"].abs().max() < 1e-9
    assert free.loc[2036.0, "storage_power_gw[battery]"] > favoured.loc[2036.0, "storage_power_gw[battery]"]


def test_no_national_market_shrinks_the_industry_to_provincial_demand(baseline):
    cols = ["industry.orders", "industry.output", "industry.market_demand", "industry.capacity",
            "h2_equipment_output_total_cny_per_year"]
    dt = baseline.time["dt"]
    alone = baseline.run(params={"national_market_factor": 0.0}, return_columns=cols, save_every=dt)
    shipped = baseline.run(return_columns=cols, save_every=dt)
    for product in PRODUCTS:
        for market in ("rest_of_china", "export"):
            assert alone[f"industry.orders[{product},{market}]"].abs().max() == 0
        provincial = alone[f"industry.market_demand[{product},province]"]
        output = alone[f"industry.output[{product}]"]
        # All the makers deliver is what the province ordered from them, no more.
        assert output.sum() * dt <= provincial.sum() * dt + 1e-6
        assert (alone[f"industry.orders[{product},province]"] <= provincial * (1 + 1e-12) + 1e-12).all()
    assert (alone.loc[2036.0, "h2_equipment_output_total_cny_per_year"]
            < 0.5 * shipped.loc[2036.0, "h2_equipment_output_total_cny_per_year"])
    assert (alone.loc[2036.0, "industry.capacity[fuel_cell_system]"]
            < 0.5 * shipped.loc[2036.0, "industry.capacity[fuel_cell_system]"])


def test_no_market_at_all_runs_clean_and_makes_nothing(baseline):
    market = {f"province_vehicle_market[{s}]": 0.0 for s in SEGMENTS}
    run = baseline.run(params={**market, "national_market_factor": 0.0},
                       return_columns=["h2_equipment_output_total_cny_per_year", "bev_fleet_total", "bev_sales_total",
                                       "industry.relative_cost"])
    assert np.isfinite(run.to_numpy()).all()
    assert run["bev_sales_total"].abs().max() < 1e-9
    assert (np.diff(run["bev_fleet_total"].to_numpy()) <= 1e-12).all()       # the 2015 fleet only retires
    assert run.loc[2030.0:, "h2_equipment_output_total_cny_per_year"].abs().max() < 1e3   # the last backlog, CNY


def test_horizon_to_2060_keeps_the_new_sectors_bounded(baseline):
    cols = ["battery_pack_cost_cny_per_kwh", "storage_power_gw", "h2_industry_national_share", "bev_share_of_sales",
            "vehicles.heavy_charging_coverage", "industry.relative_cost"]
    run = h2sim.load(STORAGE).run(stop=2061, return_columns=cols)
    assert np.isfinite(run.to_numpy()).all()
    assert 200 < run["battery_pack_cost_cny_per_kwh"].min() < 600                 # CNY/kWh in 2060
    shares = run.filter(regex="national_share|bev_share|coverage").to_numpy()
    assert shares.min() >= 0 and shares.max() <= 1
    assert run.filter(like="storage_power_gw").to_numpy().max() < 100             # GW: the rules bound it


# --- behaviour each new loop is there for --------------------------------------------------------
def test_fuel_cell_share_is_a_share_of_zero_emission_vehicles_cheaper_batteries_take_it(baseline):
    cols = ["fcev_sales_total", "bev_sales_total", "bev_share_of_zev_commercial_sales"]
    plain = baseline.run(return_columns=cols)
    cheap = baseline.run(params={"learning.initial_battery_pack_cost": 1200.0}, return_columns=cols)
    t = 2031.0
    assert cheap.loc[t, "bev_sales_total"] > plain.loc[t, "bev_sales_total"]
    assert cheap.loc[t, "fcev_sales_total"] < plain.loc[t, "fcev_sales_total"]
    assert cheap.loc[t, "bev_share_of_zev_commercial_sales"] > plain.loc[t, "bev_share_of_zev_commercial_sales"]


def test_a_zero_emission_bus_mandate_leaves_no_diesel_bus_where_a_battery_bus_serves(baseline):
    run = baseline.run(return_columns=["vehicles.diesel_share_of_sales", "vehicles.bev_suitability"])
    diesel = run.filter(like="vehicles.diesel_share_of_sales[bus,")
    assert (run.filter(like="vehicles.bev_suitability[bus,").loc[2019.0:] == 1).all().all()
    assert diesel.loc[2019.0:].abs().max().max() < 1e-12          # the 2018 blue-sky plan's new-energy buses
    assert diesel.loc[2016.0].min() > 0.5                          # before it, mostly diesel


def test_heavy_truck_range_limits_battery_trucks_and_charging_sites_relieve_it(baseline):
    cols = ["vehicles.bev_suitability", "vehicles.duty_cycles_in_range", "bev_share_of_sales[heavy_truck]",
            "vehicles.charging_sites"]
    plain = baseline.run(return_columns=cols)
    p = baseline.parameters["value"]
    # Without public sites: half the operators can charge at a depot, and a 282 kWh battery at
    # 150 kWh/100 km covers 169 km of duty cycles spread evenly up to 700 km.
    range_km = p["vehicles.battery_capacity[heavy_truck]"] * p["vehicles.usable_battery_share"] / (
        p["vehicles.electricity_use[heavy_truck]"] / 100)
    assert range_km == pytest.approx(169.2)
    assert plain.loc[2015.0, "vehicles.duty_cycles_in_range[heavy_truck,jiaxing]"] == pytest.approx(
        range_km / (2 * p["vehicles.duty_cycle_distance[heavy_truck]"]))
    assert plain.loc[2015.0, "vehicles.bev_suitability[heavy_truck,jiaxing]"] == pytest.approx(0.5 * range_km / 700)
    assert (plain.filter(like="vehicles.bev_suitability[bus,") == 1).all().all()
    # R6: a charging plan puts sites in reach; battery trucks serve more duty cycles and sell more.
    sited = baseline.run(params={"province_charging_site_target": constant(500.0)}, return_columns=cols)
    assert sited.loc[2031.0, "vehicles.bev_suitability[heavy_truck,jiaxing]"] == pytest.approx(2 * range_km / 700)
    assert sited.loc[2031.0, "vehicles.bev_suitability[heavy_truck,jiaxing]"] > 2 * plain.loc[
        2031.0, "vehicles.bev_suitability[heavy_truck,jiaxing]"]
    assert sited.loc[2031.0, "bev_share_of_sales[heavy_truck]"] > plain.loc[2031.0, "bev_share_of_sales[heavy_truck]"]
    # Without any battery-electric truck there is no reason for sites.
    none = baseline.run(params={"vehicles.initial_bev_familiarity": 0.0, "marketing": 0.0},
                        return_columns=["vehicles.charging_sites"])
    assert none.abs().max().max() < 1e-9


def test_the_battery_learning_curve_prices_battery_electric_vehicles(baseline):
    run = baseline.run(return_columns=["battery_pack_cost_cny_per_kwh", "vehicles.bev_price"])
    p = baseline.parameters["value"]
    for segment in SEGMENTS:
        expected = p[f"vehicles.bev_price_without_battery[{segment}]"] + p[
            f"vehicles.battery_capacity[{segment}]"] * run["battery_pack_cost_cny_per_kwh"]
        assert np.allclose(run[f"vehicles.bev_price[{segment}]"], expected, rtol=1e-12)
    cost = run["battery_pack_cost_cny_per_kwh"]
    assert cost.loc[2015.0] == pytest.approx(2200)                  # 350 USD/kWh (BNEF 2016 survey) at 6.23
    assert (np.diff(cost.to_numpy()) <= 1e-9).all()
    # Each doubling of the market lowers the price by the learning rate (18 %).
    doubled = baseline.run(params={"learning.initial_battery_cumulative_market": 12.5},
                           return_columns=["battery_pack_cost_cny_per_kwh"])
    assert doubled.loc[2030.0].iloc[0] == pytest.approx(cost.loc[2030.0] * 0.82, rel=1e-9)


def test_cluster_levers_raise_the_industrys_share_output_and_jobs(baseline):
    cols = ["h2_industry_national_share", "h2_equipment_output_total_cny_per_year", "h2_industry_jobs"]
    plain = baseline.run(return_columns=cols)
    hub = h2sim.load(INDUSTRY_HUB).run(return_columns=cols)
    assert (hub.loc[2023.0] == plain.loc[2023.0]).all()            # the levers start in 2023
    t = 2031.0
    for product in PRODUCTS:
        assert hub.loc[t, f"h2_industry_national_share[{product}]"] > 1.3 * plain.loc[t, f"h2_industry_national_share[{product}]"]
    assert hub.loc[t, "h2_equipment_output_total_cny_per_year"] > 1.3 * plain.loc[t, "h2_equipment_output_total_cny_per_year"]
    assert hub.loc[t, "h2_industry_jobs"] == pytest.approx(hub.loc[t, "h2_equipment_output_total_cny_per_year"] / 1.5e6)


def test_learning_and_market_share_reinforce_each_other(baseline):
    # R7: a larger home market (the plan as written) builds experience, lowers the makers' relative
    # cost and wins them national share; with all learning spilling over, experience gives no edge.
    plan = h2sim.load(ZHEJIANG / "plan_2025.yaml")
    cols = ["industry.relative_cost[fuel_cell_system]", "h2_industry_national_share[fuel_cell_system]"]
    base_run, plan_run = baseline.run(return_columns=cols), plan.run(return_columns=cols)
    t = 2031.0
    assert plan_run.loc[t, cols[0]] < base_run.loc[t, cols[0]]
    assert plan_run.loc[t, cols[1]] > base_run.loc[t, cols[1]]
    spill = plan.run(params={"industry.learning_spillover": 1.0}, return_columns=cols)
    assert spill[cols[0]].to_numpy() == pytest.approx(1.0, abs=1e-12)


def test_storage_follows_the_plan_target_on_schedule(baseline):
    run = baseline.run(return_columns=["power_storage.storage_pipeline", "storage_power_total_gw"])
    # The gap closes over the time left, at least a year: most of the 3 GW by 2025, all of it after.
    assert 2.5 < run.loc[2025.0, "power_storage.storage_pipeline"] < 3.0
    assert run.loc[2028.0, "power_storage.storage_pipeline"] == pytest.approx(3.0, rel=0.03)
    assert run.loc[2026.0, "storage_power_total_gw"] > 2.5
    assert run.loc[2021.75, "storage_power_total_gw"] == 0                                    # before the plan


def test_surplus_saturation_lowers_the_value_of_more_storage(storage):
    # B13: the more of the surplus storage takes, the less another kW can store.
    run = storage.run(return_columns=["power_storage.unabsorbed_surplus_share", "power_storage.storage_value"])
    more = storage.run(params={"storage_target_gw": pd.Series([0, 3, 3, 30], index=[2021.874, 2021.875, 2025.999, 2026.0])},
                       return_columns=["power_storage.unabsorbed_surplus_share", "power_storage.storage_value"])
    t = 2033.0
    assert more.loc[t, "power_storage.unabsorbed_surplus_share"] < run.loc[t, "power_storage.unabsorbed_surplus_share"]
    assert more.loc[t, "power_storage.storage_value[hydrogen]"] < run.loc[t, "power_storage.storage_value[hydrogen]"]


def test_the_national_scenario_runs_the_new_sectors():
    run = h2sim.load(NATIONAL, strict_units=True).run(return_columns=[
        "storage_power_total_gw", "h2_equipment_output_total_cny_per_year", "industry.orders", "bev_fleet_total",
        "curtailment_avoided_gwh_per_year"])
    assert run.filter(like="industry.orders[").filter(like="rest_of_china").abs().max().max() == 0   # China is the nation
    assert run.loc[2025.0, "storage_power_total_gw"] > 20
    assert run.loc[2025.0, "h2_equipment_output_total_cny_per_year"] > 1e9
    assert run.loc[2025.0, "curtailment_avoided_gwh_per_year"] > 0


# --- back-tests against published figures (tolerances stated in scripts/validation.py) ----------
def load_validation():
    spec = importlib.util.spec_from_file_location("h2sim_validation_script_sectors", ROOT / "scripts" / "validation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def backtests():
    validation = load_validation()
    rows = validation.evaluate({region: validation.run(region) for region in validation.SCENARIOS})
    return validation.backtests(rows)


def test_back_tests_of_storage_capacity_hold_where_they_held(backtests):
    by = {(b["region"], b["series"], b["period"]): b for b in backtests}
    # China's new-type storage: every year 2022-2024 within the stated ±50 % (NEA).
    for year in ("2022", "2023", "2024"):
        assert by[("china", "storage_power", year)]["passed"], year
    errors = [abs(by[("china", "storage_power", y)]["error"]) for y in ("2022", "2023", "2024")]
    assert np.mean(errors) < 0.35
    assert by[("china", "storage_energy", "2023")]["passed"]
    # Zhejiang reached more than 2 GW by the end of 2024 (NEA), as the model does.
    assert by[("zhejiang", "storage_power", "2024")]["passed"]
    # The battery learning curve lands within 25 % of the 2024 price in China (BNEF).
    assert by[("china", "battery_pack_cost", "2024")]["passed"]


def test_the_industry_back_test_is_reported_with_its_scope_not_judged(backtests):
    [chain] = [b for b in backtests if b["series"] == "h2_chain_output_jan_sep"]
    assert chain["passed"] is None                       # a wider scope than the model's: not a pass or fail
    # The model's province-wide hydrogen chain is a few per cent of Jiaxing's published chain output
    # (chemical firms included); it must not exceed it.
    assert 0 < chain["model"] < 0.2 * chain["value"]
