"""h2sim.explore_widget: the controls drive the model exactly as `run` with the same parameters.

The tests move sliders and schedule points as a user would (setting the widgets' values),
then compare the figure's data with runs made independently: `Model.run(params=...)` for a
constant, a scenario file with the same schedule for a scheduled lever.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import h2sim

# The explorer is an optional extra (h2sim[explore]); scripts/bootstrap.sh installs both.
pytest.importorskip("ipywidgets", reason="ipywidgets is not installed (pip install 'h2sim[explore]')")
pytest.importorskip("plotly", reason="plotly is not installed (pip install plotly)")

HERE = os.path.dirname(__file__)
ZHEJIANG = os.path.normpath(os.path.join(HERE, "..", "data", "report", "zhejiang_targets.yaml"))


@pytest.fixture
def explorer():
    return h2sim.explore_widget(ZHEJIANG, outputs=["fcev_fleet_total", "stations_operating_total", "fcev_fleet"])


def drawn(explorer) -> dict[str, np.ndarray]:
    """The current lines of the figure, by result column."""
    return {column: np.asarray(explorer.figure.data[i].y) for i, column in explorer._current_traces}


def test_one_control_per_lever_with_units_and_ranges(explorer):
    levers = {lever.name: lever for lever in explorer.levers}
    model = h2sim.load(ZHEJIANG)
    declared = set(model.variables.index[model.variables["lever"] & (model.variables["kind"] == "constant")])
    scheduled = {lv["name"] for lv in model.levers}
    assert set(levers) == declared | scheduled
    commitment = levers["fleet_plan_commitment"]
    assert (commitment.low, commitment.high, commitment.range_basis) == (0.0, 1.0, "declared range")
    assert commitment.units == "dimensionless"
    assert explorer.controls["fleet_plan_commitment"].value == model.parameters.loc["fleet_plan_commitment", "value"]
    assert levers["station_target_year"].range_basis == "assumed: the run's time span"
    subsidy = levers["purchase_subsidy_level"]
    assert (subsidy.kind, subsidy.times, subsidy.values, subsidy.before) == ("step", [2016.0, 2020.0], [1.0, 0.0], 0.0)
    assert [(t.value, s.value) for t, s in explorer.controls["purchase_subsidy_level"]] == [(2016, 1), (2020, 0)]


def test_moving_a_slider_redraws_what_run_gives(explorer):
    model = h2sim.load(ZHEJIANG)
    columns = explorer.columns
    assert {c for c in columns if c.startswith("fcev_fleet[")} == {f"fcev_fleet[{s}]" for s in
                                                                    ("bus", "logistics", "heavy_truck", "car")}
    baseline = model.run(return_columns=columns)
    before = drawn(explorer)
    for column in columns:
        np.testing.assert_array_equal(before[column], baseline[column].to_numpy())

    explorer.controls["fleet_plan_commitment"].value = 0.9
    explorer.controls["station_capital_subsidy_share"].value = 0.5
    expected = model.run(params={"fleet_plan_commitment": 0.9, "station_capital_subsidy_share": 0.5}, return_columns=columns)
    after = drawn(explorer)
    for column in columns:
        np.testing.assert_array_equal(after[column], expected[column].to_numpy())
    assert after["fcev_fleet_total"][-1] > 1.2 * before["fcev_fleet_total"][-1]
    # The ghost lines stay the scenario as loaded.
    ghosts = [np.asarray(trace.y) for trace in explorer.figure.data if trace.name == "as loaded"]
    np.testing.assert_array_equal(ghosts[0], baseline["fcev_fleet_total"].to_numpy())
    assert explorer.changed() == {"fleet_plan_commitment": 0.9, "station_capital_subsidy_share": 0.5}
    assert len(explorer.redraw_seconds) == 2


def test_a_schedule_editor_equals_the_same_schedule_in_a_scenario_file(explorer, tmp_path):
    # Points: 2016 -> 1.0 and, moved by the user, 2022 -> 0.5 (the scenario has 2020 -> 0).
    (_, first), (second_time, second_value) = explorer.controls["purchase_subsidy_level"]
    with explorer.hold():
        second_time.value = 2022
        second_value.value = 0.5
    written = tmp_path / "same.yaml"
    written.write_text(f"extends: {ZHEJIANG}\nlevers:\n  purchase_subsidy_level:\n    step: {{2016: 1, 2022: 0.5}}\n")
    expected = h2sim.load(written).run(return_columns=explorer.columns)
    for column, values in drawn(explorer).items():
        np.testing.assert_array_equal(values, expected[column].to_numpy())  # bit for bit
    assert explorer.changed() == {"purchase_subsidy_level": ([2016.0, 2022.0], [1.0, 0.5])}
    # set() does the same from code, and a mapping moves the times too.
    explorer.reset()
    explorer.set("purchase_subsidy_level", {2016: 1, 2022: 0.5})
    for column, values in drawn(explorer).items():
        np.testing.assert_array_equal(values, expected[column].to_numpy())  # bit for bit


def test_saved_scenario_extends_the_original_and_reproduces_the_charts(explorer, tmp_path):
    explorer.set("carbon_price", 250)  # beyond the assumed range: the slider widens
    explorer.set("purchase_subsidy_level", [1, 0.5])
    explorer.path.value = str(tmp_path / "mine.yaml")
    explorer.save_button.click()
    text = (tmp_path / "mine.yaml").read_text()
    assert f"extends: \"{os.path.relpath(ZHEJIANG, tmp_path)}\"" in text
    assert "parameters:\n  carbon_price: 250\n" in text and "purchase_subsidy_level:\n    step: {2016: 1, 2020: 0.5}" in text
    saved = h2sim.load(tmp_path / "mine.yaml")
    assert os.path.normpath(saved.chain[-2]) == ZHEJIANG
    again = saved.run(return_columns=explorer.columns)
    for column, values in drawn(explorer).items():
        np.testing.assert_array_equal(values, again[column].to_numpy())  # bit for bit
    assert "saved" in explorer.status.value


def test_targets_are_markers_and_status(explorer):
    stars = [trace for trace in explorer.figure.data if trace.name == "target"]
    points = sorted((x, y) for trace in stars for x, y in zip(trace.x, trace.y))
    assert points == [(2026.0, 50.0), (2026.0, 5000.0)]
    assert "2025 plan, 5,000 FCEVs" in explorer.status.value
    explorer.set("fleet_plan_commitment", 1.0)
    explorer.set("purchase_subsidy_level", {2016: 1, 2023: 2})
    fleet = h2sim.Target("t", "fcev_fleet_total", 2026, 5000)
    assert ("&#10003; 2025 plan, 5,000 FCEVs" in explorer.status.value) == fleet.met(explorer.result)


def test_a_bad_schedule_is_shown_not_run(explorer):
    runs = len(explorer.redraw_seconds)
    (first_time, _), _ = explorer.controls["purchase_subsidy_level"]
    first_time.value = 2030  # after the second point
    assert "must increase" in explorer.status.value
    assert len(explorer.redraw_seconds) == runs


def test_levers_can_be_chosen_with_ranges():
    explorer = h2sim.explore_widget(h2sim.load(ZHEJIANG), levers={"carbon_price": (0, 600)},
                                    outputs=["co2_avoided_t_per_year"])
    assert [lv.name for lv in explorer.levers] == ["carbon_price"]
    assert (explorer.controls["carbon_price"].min, explorer.controls["carbon_price"].max) == (0, 600)
    with pytest.raises(KeyError, match="not a variable"):
        h2sim.explore_widget(ZHEJIANG, levers=["carbon_prise"])
    with pytest.raises(ValueError, match="computed by an equation"):
        h2sim.explore_widget(ZHEJIANG, levers=["fcev_fleet_total"])
