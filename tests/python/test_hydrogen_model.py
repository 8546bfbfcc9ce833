"""The hydrogen economy model: mass balances, the reality checks of a model review
(/work/shared/MODEL_REVIEW.md: extreme conditions, integration error), figures against their
published sources, and the behaviour each feedback loop is there for.

The model review's items (docs/model/README.md, "What changed in the model review") map to tests here and in test_validation.py / test_model_data.py; each test
names its item. Time is the calendar year: t = 2023.0 is the end of 2022."""

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
MODEL = ROOT / "scenarios" / "hydrogen" / "hydrogen_economy.yaml"
ALL_SCENARIOS = sorted(ZHEJIANG.glob("*.yaml")) + [NATIONAL, MODEL]

SEGMENTS = ["bus", "logistics", "heavy_truck", "car"]
ROUTES = ["byproduct", "coal", "gas_reforming", "grid_electrolysis", "renewable_electrolysis"]
REPORTING = ["fcev_fleet_total", "fcev_fleet", "fcev_sales_total", "fcev_sales_cumulative_total",
             "stations_operating_total", "stations_built_total", "h2_demand_t_per_day", "h2_delivered_t_per_day",
             "h2_price_cny_per_kg", "storage_capacity_t", "storage_days_of_cover", "unmet_h2_demand_t_per_day",
             "co2_avoided_t_per_year", "public_spending_cny_per_year", "h2_industry_output_cny_per_year"]


@pytest.fixture(scope="module")
def baseline():
    return h2sim.load(BASELINE)


@pytest.fixture(scope="module")
def baseline_run(baseline):
    return baseline.run()


@pytest.fixture(scope="module")
def national():
    return h2sim.load(NATIONAL)


def end_of(year: int) -> float:
    return float(year + 1)


def step(before: float, after: float, at: float) -> pd.Series:
    """A lever trajectory that steps at `at` (a scheduled lever replaced for one run)."""
    return pd.Series([before, after], index=[at - 1e-9, at])


def annual(run: pd.DataFrame, cumulative: str, year: int) -> float:
    """A year's amount from a cumulative column: its change over the year."""
    return float(np.interp(year + 1, run.index, run[cumulative]) - np.interp(year, run.index, run[cumulative]))


# --- structure ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ALL_SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_loads_with_strict_units_and_runs_finite_and_non_negative(path):
    model = h2sim.load(path, strict_units=True)  # raises on any unit mismatch
    assert model.warnings == []
    result = model.run(return_columns=REPORTING)
    assert np.isfinite(result.to_numpy()).all()
    non_negative = [c for c in result.columns if not c.startswith("co2_avoided")]
    assert (result[non_negative].to_numpy() >= -1e-9).all()


def test_reporting_variables_exist_with_units(baseline):
    variables = baseline.variables
    for name in REPORTING:
        assert name in variables.index, name
        assert variables.loc[name, "units"], f"{name} has no units"
    assert list(variables.loc["fcev_fleet", "dimensions"]) == ["segment"]


# --- mass balances --------------------------------------------------------------------------------
def test_vehicle_mass_balance_sales_minus_retirements_is_the_fleet_change(baseline):
    dt = baseline.time["dt"]
    run = baseline.run(return_columns=["vehicles.fleet", "vehicles.sales", "vehicles.retirements"], save_every=dt)
    fleet = run.filter(like="vehicles.fleet[").to_numpy()
    sales = run.filter(like="vehicles.sales[").to_numpy()
    retirements = run.filter(like="vehicles.retirements[").to_numpy()
    # Euler: fleet(t + dt) - fleet(t) = dt * (sales(t) - retirements(t)), element by element.
    assert np.allclose(fleet[1:] - fleet[:-1], dt * (sales[:-1] - retirements[:-1]), rtol=1e-9, atol=1e-9)
    assert fleet[-1].sum() > 1000


def test_hydrogen_mass_balance_production_deliveries_storage_losses_unmet():
    model = h2sim.load(PLAN)
    dt = model.time["dt"]
    cols = ["storage.production", "storage.deliveries", "storage.losses", "storage.inventory",
            "storage.demand", "storage.unmet_demand", "h2_demand_t_per_day", "h2_delivered_t_per_day",
            "unmet_h2_demand_t_per_day"]
    run = model.run(return_columns=cols, save_every=dt)
    production, deliveries = run["storage.production"].to_numpy(), run["storage.deliveries"].to_numpy()
    losses, inventory = run["storage.losses"].to_numpy(), run["storage.inventory"].to_numpy()
    # production = deliveries + change in inventory + losses (t/year over each dt)
    change = (inventory[1:] - inventory[:-1]) / dt
    assert np.allclose(production[:-1], deliveries[:-1] + change + losses[:-1], rtol=1e-9, atol=1e-9)
    # demand = delivered + unmet, for the stations' part and for the whole
    assert np.allclose(run["storage.demand"], deliveries + run["storage.unmet_demand"], atol=1e-9)
    assert np.allclose(run["h2_demand_t_per_day"], run["h2_delivered_t_per_day"] + run["unmet_h2_demand_t_per_day"],
                       atol=1e-9)
    assert (run["storage.unmet_demand"] >= -1e-12).all()


def test_inventory_never_exceeds_storage_capacity(baseline):
    run = baseline.run(return_columns=["storage.inventory", "storage_capacity_t"])
    assert (run["storage.inventory"] <= run["storage_capacity_t"] * (1 + 1e-9) + 1e-9).all()


# --- extreme conditions (MODEL_REVIEW.md; Sterman 2000, ch. 21) ---------------------------------
NO_STATIONS = {"plan_commitment": 0.0, "stations.hurdle_utilisation": 1e6}


def test_item2_zero_stations_no_hydrogen_reaches_vehicles_and_no_vehicle_is_bought(baseline):
    run = baseline.run(params=NO_STATIONS, return_columns=[
        "stations_operating_total", "storage.deliveries", "fcev_fleet_total", "h2_price_cny_per_kg"])
    assert run["stations_operating_total"].abs().max() < 1e-9
    assert run["storage.deliveries"].abs().max() < 1e-9       # was about 4,700 t/year (model review, item 2)
    assert run["fcev_fleet_total"].abs().max() < 1e-9
    assert np.isfinite(run["h2_price_cny_per_kg"]).all()


@pytest.mark.parametrize("path", sorted(ZHEJIANG.glob("*.yaml")), ids=lambda p: p.name)
def test_item2_no_city_runs_vehicles_without_a_station(path):
    run = h2sim.load(path).run(return_columns=["fcev_fleet_by_city", "stations_operating_by_city"])
    for city in [c.split("[")[1][:-1] for c in run.columns if c.startswith("fcev_fleet_by_city[")]:
        fleet, stations = run[f"fcev_fleet_by_city[{city}]"], run[f"stations_operating_by_city[{city}]"]
        assert not ((fleet > 1) & (stations < 0.01)).any(), f"{city} runs vehicles with no station"


def test_item2_city_demand_never_exceeds_what_its_stations_can_dispense():
    run = h2sim.load(PLAN).run(return_columns=["stations.hydrogen_demand", "stations.throughput_capacity"])
    demand = run.filter(like="stations.hydrogen_demand[").to_numpy()
    capacity = run.filter(like="stations.throughput_capacity[").to_numpy()
    assert (demand <= capacity * (1 + 1e-6) + 1e-9).all()


def test_item3_zero_supply_delivers_nothing_and_no_vehicle_is_bought(baseline):
    # No production capacity is usable and nothing is in storage: operators who know they cannot
    # refuel buy nothing (mandates and plans included).
    run = baseline.run(params={"storage.maximum_utilisation": 0.0},
                       return_columns=["storage.deliveries", "fcev_fleet_total", "stations_operating_total"])
    assert run["storage.deliveries"].abs().max() < 1e-9
    assert run["fcev_fleet_total"].max() < 1e-6                 # was about 2,700 (model review, item 3)
    assert run["stations_operating_total"].iloc[-1] > 20       # stations still follow the plans


def test_zero_market_sells_nothing_and_runs_clean(baseline):
    market = {f"province_vehicle_market[{s}]": 0.0 for s in SEGMENTS}
    run = baseline.run(params=market, return_columns=REPORTING)
    assert np.isfinite(run.to_numpy()).all()
    assert run["fcev_fleet_total"].abs().max() < 1e-9
    assert run["h2_demand_t_per_day"].abs().max() < 1e-9
    assert run["stations_operating_total"].iloc[-1] > 20


def test_hydrogen_at_1000_cny_per_kg_leaves_only_what_public_fleets_must_buy(baseline):
    expensive = {**{f"supply.base_production_cost[{r}]": 1000.0 for r in ROUTES},
                 "supply.electrolyser_share_of_cost": 0.0}   # no route gets cheaper with learning
    cols = ["h2_price_cny_per_kg", "fcev_fleet_total", "vehicles.choice_share"]
    run = baseline.run(params=expensive, return_columns=cols)
    assert run["h2_price_cny_per_kg"].min() > 1000
    assert run.filter(like="vehicles.choice_share[").to_numpy().max() < 1e-4   # nobody chooses one freely
    # What is left is procurement: no more than a run in which nobody is familiar with the vehicles.
    no_choice = baseline.run(params={**expensive, "vehicles.initial_familiarity": 0.0, "marketing": 0.0,
                                     "vehicles.word_of_mouth_drivers": 0.0, "vehicles.word_of_mouth_others": 0.0},
                             return_columns=["fcev_fleet_total"])
    assert np.allclose(run["fcev_fleet_total"], no_choice["fcev_fleet_total"], rtol=1e-3, atol=1e-3)
    assert run.loc[end_of(2035), "fcev_fleet_total"] < 0.5 * baseline.run().loc[end_of(2035), "fcev_fleet_total"]


def test_item1_every_mandate_at_one_keeps_shares_in_zero_one_and_fleets_below_all_vehicles(baseline):
    always_one = pd.Series([1.0, 1.0], index=[2015.0, 2036.0])    # replaces any schedule the scenario has
    mandates = {"bus_mandate_share": always_one, "truck_mandate_share": always_one}
    run = baseline.run(params=mandates, return_columns=[
        "vehicles.fcev_share_of_sales", "vehicles.fleet", "vehicles.segment_fleet_all_drivetrains"])
    shares = run.filter(like="vehicles.fcev_share_of_sales[").to_numpy()
    assert shares.max() <= 1 + 1e-12 and shares.min() >= 0        # was 1.5 in Jiaxing (model review, item 1)
    run = baseline.run(params={**mandates, "logistics_mandate_share": always_one}, return_columns=[
        "vehicles.fcev_share_of_sales", "vehicles.procurement_share", "vehicles.fleet",
        "vehicles.segment_fleet_all_drivetrains"])
    assert run.filter(like="vehicles.procurement_share[").to_numpy().max() <= 1 + 1e-12
    fleet = run.filter(like="vehicles.fleet[").to_numpy()
    everything = run.filter(like="vehicles.segment_fleet_all_drivetrains[").to_numpy()
    assert (fleet <= everything * 1.001).all()
    # Beyond the bounds: any lever value keeps the share in [0, 1].
    wild = baseline.run(params={"bus_mandate_share": 7.0, "truck_mandate_share": -3.0},
                        return_columns=["vehicles.fcev_share_of_sales"]).to_numpy()
    assert wild.max() <= 1 + 1e-12 and wild.min() >= 0


def test_every_subsidy_off_lowers_adoption_raises_the_price_and_spends_nothing(baseline, baseline_run):
    off = {"purchase_subsidy_level": pd.Series([0.0, 0.0], index=[2015.0, 2036.0]),
           "station_capital_subsidy_share": 0.0, "fuel_subsidy_per_kg": 0.0,
           **{f"cluster_member[{c}]": 0.0 for c in baseline.dimensions["city"]}}
    run = baseline.run(params=off)
    assert np.isfinite(run.to_numpy()).all()
    assert run["public_spending_cny_per_year"].abs().max() < 1e-6
    assert (run["fcev_fleet_total"] <= baseline_run["fcev_fleet_total"] + 1e-6).all()
    assert (run["h2_price_cny_per_kg"] >= baseline_run["h2_price_cny_per_kg"] - 1e-9).all()


def test_item5_horizon_to_2060_stays_bounded_retires_stations_and_sells_no_cars(baseline):
    cols = ["fcev_fleet", "fcev_fleet_total", "stations_operating_total", "supply.electrolyser_cumulative_external",
            "supply.electrolyser_cost_index", "fuel_cell_system_cost", "h2_price_cny_per_kg"]
    run = baseline.run(stop=2061, return_columns=cols)
    assert np.isfinite(run.to_numpy()).all()
    # The electrolyser market is an input, not a runaway stock (was about 50 TW).
    assert run["supply.electrolyser_cumulative_external"].max() < 500e6      # kW: below 500 GW
    assert 0.1 < run["supply.electrolyser_cost_index"].min() <= 1
    assert run["fuel_cell_system_cost"].min() > 200                         # the learning curve's floor
    # No 70 MPa stations, no cars (they were the largest segment by 2060).
    assert run["fcev_fleet[car]"].abs().max() < 1e-9
    run = baseline.run(stop=2061, return_columns=["stations_operating_total", "stations_built_total", "vehicles.fleet",
                                                  "vehicles.segment_fleet_all_drivetrains",
                                                  "supply.capacity_retirements"])
    # Stations and supply capacity retire; retired stations are replaced.
    assert run.loc[2061.0, "stations_built_total"] > run.loc[2061.0, "stations_operating_total"] + 10
    assert run["supply.capacity_retirements[byproduct]"].iloc[-1] > 0
    fleet = run.filter(like="vehicles.fleet[").to_numpy()
    assert (fleet <= run.filter(like="vehicles.segment_fleet_all_drivetrains[").to_numpy() * 1.001).all()


def test_item9_cars_only_where_70_mpa_stations_are_built():
    base = h2sim.load(BASELINE).run(return_columns=["fcev_fleet[car]"])
    cars = h2sim.load(ZHEJIANG / "hydrogen_cars.yaml").run(
        return_columns=["fcev_fleet[car]", "stations.stations_70mpa"])
    assert base["fcev_fleet[car]"].abs().max() < 1e-9
    assert cars.loc[:2023.0, "fcev_fleet[car]"].abs().max() < 1e-9
    assert cars.loc[end_of(2035), "fcev_fleet[car]"] > 1
    assert cars.filter(like="stations.stations_70mpa[").iloc[-1].sum() > 5


# --- integration error (item 4) ---------------------------------------------------------------------
KEY = ["fcev_fleet_total", "stations_operating_total", "h2_demand_t_per_day", "h2_price_cny_per_kg",
       "fcev_sales_total"]
# Near-zero values are judged against their variable's scale (a steep onset is a time shift, not a
# wrong level); unmet demand against the demand it is a part of.
SCALE = {"unmet_h2_demand_t_per_day": "h2_demand_t_per_day"}


def convergence_errors(run: pd.DataFrame, reference: pd.DataFrame) -> dict[str, float]:
    """For each column, the largest |run - reference| as a share of the column's largest magnitude
    over the run (1 % "of full scale")."""
    out = {}
    for column in reference.columns:
        scale_column = SCALE.get(column.split("[")[0], column)
        scale = max(float(reference[scale_column].abs().max()) if scale_column in reference else 0.0, 1e-6)
        out[column] = float((run[column] - reference[column]).abs().max()) / scale
    return out


@pytest.mark.parametrize("path", ALL_SCENARIOS, ids=lambda p: p.name)
def test_item4_every_reporting_variable_within_1_percent_at_dt_over_2_and_4(path):
    model = h2sim.load(path)
    columns = list(dict.fromkeys(model.outputs + ["h2_demand_t_per_day"]))
    dt = model.time["dt"]
    reference = model.run(dt=dt / 4, save_every=0.25, return_columns=columns)
    for divisor in (1, 2):
        run = model.run(dt=dt / divisor, save_every=0.25, return_columns=columns)
        worst = max(convergence_errors(run, reference).items(), key=lambda kv: kv[1])
        assert worst[1] <= 0.01, f"dt/{divisor}: {worst[0]} differs by {100 * worst[1]:.2f} % of its range"
        # The outputs conclusions rest on, point by point, relative at the reporting years.
        for year in (2022, 2025, 2030, 2035):
            for key in KEY:
                a, b = run.loc[end_of(year), key], reference.loc[end_of(year), key]
                assert a == pytest.approx(b, rel=0.01, abs=1e-6), (key, year, divisor)


@pytest.mark.parametrize("path", [BASELINE, PLAN, NATIONAL], ids=lambda p: p.name)
def test_item4_euler_agrees_with_rk4(path):
    # The shipped Euler run against RK4 at a quarter of the step: a fourth-order method agrees
    # with the shipped first-order one to 1 % of each variable's range (RK4 reads lever schedules
    # at its half steps, which is why it is not run at the same coarse step).
    model = h2sim.load(path)
    dt = model.time["dt"]
    columns = list(dict.fromkeys(model.outputs + ["h2_demand_t_per_day"]))
    euler = model.run(dt=dt, method="euler", save_every=0.25, return_columns=columns)
    rk4 = model.run(dt=dt / 4, method="rk4", save_every=0.25, return_columns=columns)
    worst = max(convergence_errors(euler, rk4).items(), key=lambda kv: kv[1])
    assert worst[1] <= 0.01, f"{worst[0]} differs by {100 * worst[1]:.2f} % of its range"


def test_item4_supply_investment_does_not_explode_on_a_demand_step():
    # The supply component alone: demand steps from 0.001 t/day to 3 t/day in 2019. Capacity
    # must settle near the demand plus the reserve, whatever the time step (FORCST on a
    # fractional trend gave 53, 141 or 1,053 t/day at dt = 1/32, 1/16, 1/8).
    model = h2sim.load(ROOT / "scenarios/hydrogen/components/supply.yaml")
    demand = pd.Series([0.365, 0.365, 3 * 365.0, 3 * 365.0], index=[2015.0, 2018.999, 2019.0, 2035.0])
    peaks = []
    for dt in (1 / 8, 1 / 16, 1 / 32, 1 / 64):
        run = model.run(params={"demand": demand, "initial_capacity[byproduct]": 0.0}, start=2015, stop=2030,
                        dt=dt, method="euler",
                        return_columns=["total_capacity", "expected_demand"])
        peaks.append(run["total_capacity"].max())
        # Expectations are bounded by (1 + horizon / averaging time) times the step, capacity by
        # that times the reserve; the overshoot retires over the plant life, never below need.
        assert run["expected_demand"].max() <= 3 * (1 + 1.5 / 1) * 1.001
        assert run["total_capacity"].max() <= 3 * 2.5 * 1.3 * 1.001
        assert 3 * 1.3 * 0.95 <= run.loc[2030.0, "total_capacity"] < run["total_capacity"].max()
    assert max(peaks) / min(peaks) < 1.1                        # and it does not depend on dt


# --- figures against their sources -------------------------------------------------------------------
def test_item6_national_consumption_aug_2021_to_oct_2024_within_30_percent_of_the_programme_totals(national):
    run = national.run(return_columns=["h2_demand_t_per_day"], save_every=national.time["dt"])
    window = run.loc[(run.index >= 2021 + 7 / 12) & (run.index <= 2024 + 10 / 12)]
    hydrogen = float(np.trapezoid(window["h2_demand_t_per_day"] * 365.0, window.index))
    # 20,000 t over 300 M km (data/china_hydrogen_market.csv); was 152 kt and 2.5 bn km.
    assert hydrogen == pytest.approx(20000, rel=0.30)
    run = national.run(return_columns=["accounting.cumulative_vehicle_km"], save_every=national.time["dt"])
    km = float(np.interp(2024 + 10 / 12, run.index, run["accounting.cumulative_vehicle_km"])
               - np.interp(2021 + 7 / 12, run.index, run["accounting.cumulative_vehicle_km"]))
    assert km == pytest.approx(300e6, rel=0.30)


def test_item7_refuelling_penalty_is_a_one_off_purchase_cost_in_melainas_form(baseline):
    variables = baseline.variables
    assert variables.loc["vehicles.refuelling_penalty", "units"] == "CNY/vehicle"     # not per year
    run = baseline.run(return_columns=["vehicles.refuelling_penalty", "vehicles.car_refuelling_penalty"])
    commercial = [c for c in run.columns if c.startswith("vehicles.refuelling_penalty[")
                  and not c.startswith("vehicles.refuelling_penalty[car")]
    assert run[commercial].abs().max().max() == 0
    cars = run.filter(like="vehicles.car_refuelling_penalty[")
    # Melaina (2008): 500-700 USD at the sparsest coverage he gives (mid-point 600), at 6.95 CNY/USD.
    assert cars.max().max() == pytest.approx(600 * 6.95)
    lookup = baseline.run(params={"stations.urban_area_per_market": 1e-6, "station_70mpa_share": 1.0},
                          return_columns=["vehicles.car_refuelling_penalty"]).filter(like="[jiaxing]")
    assert lookup.iloc[-1, 0] == pytest.approx(60 * 6.95)      # dense coverage: 20-100 USD


def test_item8_pump_price_2022_within_the_published_index_range(national, baseline):
    for model in (national, baseline):
        run = model.run(return_columns=["h2_price_cny_per_kg"], save_every=0.25)
        price = run.loc[(run.index >= 2022) & (run.index < 2023), "h2_price_cny_per_kg"].mean()
        assert 55 <= price <= 73, price      # consumer index 2022: clusters 55, national 60, others 73


def test_item8_station_cost_is_a_levelised_cost_with_capital_recovery(baseline):
    run = baseline.run(return_columns=["stations.station_cost_per_kg", "stations.pricing_utilisation",
                                       "stations.station_capital_cost"]).loc[end_of(2022)]
    p = baseline.parameters["value"]
    r, life = p["cost_of_capital"], p["stations.station_life"]
    crf = r / (1 - (1 + r) ** -life)
    capital = run["stations.station_capital_cost"] * (1 - p["station_capital_subsidy_share"]) * crf
    kg = p["stations.station_capacity"] * 365 * 1000 * run["stations.pricing_utilisation"]
    expected = (capital + p["stations.station_fixed_operating_cost"]) / kg + p["stations.station_variable_cost"]
    assert run["stations.station_cost_per_kg"] == pytest.approx(expected, rel=1e-9)
    assert run["stations.station_capital_cost"] == pytest.approx(11e6 + 4e6)   # 500 kg/day, land included
    assert 20 < run["stations.station_cost_per_kg"] < 60


@pytest.mark.parametrize("distance,trailer,liquid", [(100, 6.3, 10.5), (500, 16.2, 14.47)])
def test_item8_delivery_cost_by_mode_and_distance(baseline, distance, trailer, liquid):
    run = baseline.run(params={"delivery_distance": distance},
                       return_columns=["supply.delivery_cost_by_mode", "supply.delivery_cost"]).iloc[0]
    assert run["supply.delivery_cost_by_mode[tube_trailer]"] == pytest.approx(trailer, abs=0.01)
    assert run["supply.delivery_cost_by_mode[liquid]"] == pytest.approx(liquid, abs=0.01)
    assert run["supply.delivery_cost"] == pytest.approx(min(trailer, liquid), abs=0.01)  # the cheaper mode


def test_item9_segment_mix_of_2022_national_sales_has_trucks_the_largest_commercial_segment(national):
    dt = national.time["dt"]
    run = national.run(return_columns=["vehicles.sales"], save_every=dt)
    year = run.loc[(run.index >= 2022) & (run.index < 2023)]
    sold = {s: float(year.filter(like=f"vehicles.sales[{s},").sum(axis=1).sum() * dt)
            for s in ("bus", "logistics", "heavy_truck")}
    trucks = sold["logistics"] + sold["heavy_truck"]
    assert trucks / sum(sold.values()) > 0.6              # 74 % in 2022 (Interact Analysis); buses were 56 %
    assert sold["heavy_truck"] > sold["bus"]


def test_item10_published_fleet_counts_are_compared_with_cumulative_sales(national):
    dt = national.time["dt"]
    run = national.run(return_columns=["fcev_fleet_total", "fcev_sales_total"], save_every=dt)
    sold = pd.Series(np.concatenate([[0.0], np.cumsum(run["fcev_sales_total"].to_numpy()[:-1]) * dt]), run.index)
    # A young fleet keeps almost all the vehicles sold: an Erlang-4 life retires few in their first
    # years (17-26 % within three years before), so the fleet is close to the published counts,
    # which are cumulative registrations.
    assert run.loc[end_of(2020), "fcev_fleet_total"] > 0.9 * sold.loc[end_of(2020)]
    # The model reports cumulative sales, the integral of sales, to compare with those counts.
    reported = national.run(return_columns=["fcev_sales_cumulative_total"], save_every=dt)
    assert np.allclose(reported["fcev_sales_cumulative_total"], sold, rtol=1e-9, atol=1e-6)


def test_item11_the_carbon_price_raises_the_cost_of_every_fuel_including_grid_electricity(baseline):
    cols = ["vehicles.bev_yearly_cost", "vehicles.diesel_yearly_cost", "h2_price_cny_per_kg"]
    plain = baseline.run(return_columns=cols).loc[end_of(2024)]
    priced = baseline.run(params={"carbon_price": 300.0}, return_columns=cols).loc[end_of(2024)]
    for s in ("bus", "heavy_truck"):
        assert priced[f"vehicles.bev_yearly_cost[{s}]"] > plain[f"vehicles.bev_yearly_cost[{s}]"]  # was unchanged
    plain = baseline.run(return_columns=cols + ["vehicles.distance"]).loc[end_of(2024)]
    priced = baseline.run(params={"carbon_price": 300.0}, return_columns=cols + ["vehicles.distance"]).loc[end_of(2024)]
    p = baseline.parameters["value"]
    for s in ("bus", "heavy_truck"):
        expected = (plain[f"vehicles.distance[{s}]"] * p[f"vehicles.electricity_use[{s}]"] / 100
                    * p["grid_co2"] / 1000 * 300)
        assert priced[f"vehicles.bev_yearly_cost[{s}]"] - plain[f"vehicles.bev_yearly_cost[{s}]"] == \
            pytest.approx(expected, rel=1e-9)
        assert priced[f"vehicles.diesel_yearly_cost[{s}]"] > plain[f"vehicles.diesel_yearly_cost[{s}]"]
    assert priced["h2_price_cny_per_kg"] > plain["h2_price_cny_per_kg"]


# --- behaviour the loops are there for (behaviour anomaly tests) ---------------------------------------
def _without_procurement_from_2023(model, **changes) -> pd.Series:
    params = {"fleet_plan_commitment": step(model.parameters.loc["fleet_plan_commitment", "value"], 0.0, 2023.0),
              **changes}
    return model.run(params=params, return_columns=["fcev_fleet_total"])["fcev_fleet_total"]


def test_word_of_mouth_and_marketing_carry_adoption_once_procurement_stops(baseline):
    plain = _without_procurement_from_2023(baseline)
    no_word_of_mouth = _without_procurement_from_2023(baseline, **{"vehicles.word_of_mouth_drivers": 0.0,
                                                                   "vehicles.word_of_mouth_others": 0.0})
    more_marketing = _without_procurement_from_2023(baseline, marketing=step(0.001575, 0.05, 2023.0))
    assert no_word_of_mouth.loc[end_of(2035)] < plain.loc[end_of(2035)]          # R1
    assert more_marketing.loc[end_of(2035)] > 2 * plain.loc[end_of(2035)]


def test_learning_is_reinforcing(baseline):
    plain = _without_procurement_from_2023(baseline)
    no_learning = _without_procurement_from_2023(baseline, **{"learning.learning_rate": 1e-9})
    assert no_learning.loc[end_of(2035)] < 0.8 * plain.loc[end_of(2035)]         # R3


def test_stations_in_a_new_city_bring_vehicles_there_and_idle_stations_raise_the_price(baseline):
    # R2 through reach: Hangzhou has no station in the 2021 plan and so no fuel-cell vehicles;
    # give it a tenth of the stations and its market opens.
    shares = {name: 0.9 * value for name, value in
              baseline.parameters["value"].filter(like="city_station_share[").items()}
    shares["city_station_share[hangzhou]"] = 0.1
    base = baseline.run(return_columns=["fcev_fleet_by_city[hangzhou]", "h2_price_cny_per_kg",
                                        "stations.average_utilisation"])
    opened = baseline.run(params=shares, return_columns=["fcev_fleet_by_city[hangzhou]"])
    assert base["fcev_fleet_by_city[hangzhou]"].abs().max() < 1e-9
    assert opened.loc[end_of(2030), "fcev_fleet_by_city[hangzhou]"] > 10
    # B8 utilisation dilution: three times the stations at the same demand lower utilisation and
    # keep the price up.
    many = baseline.run(params={"province_station_target": pd.Series(
        [0, 30, 30, 50, 50, 150], index=[2019.2499, 2019.25, 2021.8749, 2021.875, 2022.9999, 2023.0])},
        return_columns=["h2_price_cny_per_kg", "stations.average_utilisation"])
    assert many.loc[end_of(2035), "stations.average_utilisation"] < base.loc[end_of(2035), "stations.average_utilisation"]
    assert many.loc[end_of(2035), "h2_price_cny_per_kg"] > base.loc[end_of(2035), "h2_price_cny_per_kg"]


def test_each_policy_variant_moves_its_own_lever_the_right_way(baseline_run):
    def run(name):
        return h2sim.load(ZHEJIANG / f"{name}.yaml").run(return_columns=REPORTING + ["pilot.pre_subsidy_price"])
    fuel = run("fuel_subsidy_reference")
    at = fuel.loc[end_of(2030)]
    assert at["h2_price_cny_per_kg"] == pytest.approx(max(35.0, at["pilot.pre_subsidy_price"] - 18.0), abs=1e-9)
    assert fuel.loc[end_of(2035), "fcev_fleet_total"] > baseline_run.loc[end_of(2035), "fcev_fleet_total"]
    push = run("station_push")
    assert push.loc[end_of(2026), "stations_operating_total"] > 1.3 * baseline_run.loc[end_of(2026), "stations_operating_total"]
    carbon = run("carbon_price")
    assert carbon.loc[end_of(2024), "fcev_fleet_total"] == baseline_run.loc[end_of(2024), "fcev_fleet_total"]
    cluster = run("cluster_membership")
    assert cluster.loc[end_of(2025), "fcev_fleet_total"] > baseline_run.loc[end_of(2025), "fcev_fleet_total"]
    plan = run("plan_2025")
    subsidised = run("purchase_subsidy_phaseout")
    assert subsidised.loc[end_of(2025), "fcev_fleet_total"] > plan.loc[end_of(2025), "fcev_fleet_total"]
    assert subsidised.loc[end_of(2025), "public_spending_cny_per_year"] >= 0


def test_fuel_cell_cost_follows_the_learning_curve(baseline_run):
    cost = baseline_run["fuel_cell_system_cost"]
    assert cost.loc[2015.0] == pytest.approx(30000)
    assert cost.loc[end_of(2024)] < 4000  # "< 4,000 CNY/kW (2024)", data/parameters.md
    assert (np.diff(cost.to_numpy()) <= 1e-9).all()


# --- family member: the same components for a region not in the repository ------------------------
OTHER_PROVINCE = """\
scenario: another_province
model: {model}
time: {{start: 2015, stop: 2041, dt: 0.0078125, save_every: 0.25, method: euler}}
dimensions:
  city: [port_city, capital, inland]
parameters:
  city_market_share[port_city]: 0.3
  city_market_share[capital]: 0.5
  city_market_share[inland]: 0.2
  city_station_share[port_city]: 0.6
  city_station_share[capital]: 0.4
  city_station_share[inland]: 0
  city_fleet_share[port_city]: 0.7
  city_fleet_share[capital]: 0.3
  city_fleet_share[inland]: 0
  city_market_areas[port_city]: 1
  city_market_areas[capital]: 1
  city_market_areas[inland]: 3
  cluster_member[port_city]: 1
  cluster_member[capital]: 0
  cluster_member[inland]: 0
  initial_stations[port_city]: 0
  initial_stations[capital]: 0
  initial_stations[inland]: 0
  fleet_plan_commitment: 0.5
  plan_commitment: 1
levers:
  province_station_target: {{step: {{2020: 20, 2024: 60}}}}
  station_target_year: {{step: {{2020: 2024, 2024: 2030}}}}
  province_fleet_target: {{step: {{2021: 2000}}}}
  fleet_target_year: {{step: {{2021: 2027}}}}
  truck_mandate_share: {{step: {{2026: 0.05}}}}
"""


def test_another_province_runs_clean_with_the_same_components(tmp_path):
    path = tmp_path / "another_province.yaml"
    path.write_text(OTHER_PROVINCE.format(model=MODEL.as_posix()), encoding="utf-8")
    model = h2sim.load(path, strict_units=True)
    run = model.run(return_columns=REPORTING + ["fcev_fleet_by_city", "stations_operating_by_city",
                                                "vehicles.fcev_share_of_sales"])
    assert np.isfinite(run.to_numpy()).all()
    shares = run.filter(like="vehicles.fcev_share_of_sales[").to_numpy()
    assert shares.min() >= 0 and shares.max() <= 1 + 1e-12
    # The inland city has no station in the plan, so no vehicles; the port city leads.
    assert run["fcev_fleet_by_city[inland]"].abs().max() < 1e-9
    assert run.loc[2030.0, "fcev_fleet_by_city[port_city]"] > run.loc[2030.0, "fcev_fleet_by_city[capital]"] > 0
    assert 45 < run.loc[2031.0, "stations_operating_total"] <= 60      # the plan counts projects under way
    # Its own dt check: within 1 % at dt/4.
    reference = model.run(dt=model.time["dt"] / 4, save_every=0.25, return_columns=REPORTING)
    worst = max(convergence_errors(run[reference.columns], reference).items(), key=lambda kv: kv[1])
    assert worst[1] <= 0.01, worst
