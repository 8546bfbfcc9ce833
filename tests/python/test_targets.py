"""The `targets:` section (h2sim.read_targets) and the `label:` of variables."""

from __future__ import annotations

import os

import matplotlib
import pytest

import h2sim

matplotlib.use("Agg")

BASS = """\
name: bass
time: {start: 0, stop: 10, dt: 0.25, save_every: 1, method: rk4}
dimensions:
  segment: [bus, car]
constants:
  p: {value: 0.03, units: 1/year, label: innovation coefficient}
  q: {value: 0.38, units: 1/year}
  market: {value: 1000, units: vehicles}
stocks:
  adopters: {initial: 0, inflows: [adoption], units: vehicles, label: vehicles on the road}
flows:
  adoption: {equation: (p + q * adopters / market) * (market - adopters), units: vehicles/year, label: sales}
auxiliaries:
  by_segment: {dimensions: segment, equation: adopters / 2, units: vehicles, label: fleet by segment}
outputs: [adopters, adoption, by_segment]
"""


@pytest.fixture
def bass(write_yaml):
    return write_yaml("bass.yaml", BASS)


def scenario(write_yaml, targets_text: str):
    return write_yaml("scenario.yaml", "model: bass.yaml\ntargets:\n" + targets_text)


def test_targets_as_a_mapping_and_as_a_list(bass, write_yaml):
    path = scenario(write_yaml, """\
  half: {variable: adopters, time: 5, value: 500, label: half the market by year 5, source: a plan}
  cap: {variable: "by_segment[car]", time: 10, value: 480, kind: at_most}
""")
    model = h2sim.load(path)
    half, cap = h2sim.read_targets(model)
    assert (half.name, half.variable, half.time, half.value, half.kind) == ("half", "adopters", 5.0, 500.0, "at_least")
    assert half.label == "half the market by year 5" and half.source == "a plan"
    assert os.path.basename(half.where[0]) == "scenario.yaml" and half.where[1] == 3
    assert cap.kind == "at_most" and cap.label == "by_segment[car] at 10"
    result = model.run()
    reached = result.loc[5.0, "adopters"]
    assert half.reached(result) == pytest.approx(reached)
    assert half.met(result) == (reached >= 500)
    assert cap.met(result) == (result.loc[10.0, "by_segment[car]"] <= 480)
    # between saved times the value is interpolated linearly
    mid = h2sim.Target("mid", "adopters", 5.5, 1)
    assert mid.reached(result) == pytest.approx((result.loc[5.0, "adopters"] + result.loc[6.0, "adopters"]) / 2)
    assert h2sim.Target("late", "adopters", 11, 1).status(result) == "not in the run"

    listed = scenario(write_yaml, "  - {variable: adopters, time: 5, value: '5e2'}\n")
    (only,) = h2sim.read_targets(h2sim.load(listed))
    assert only.value == 500 and only.name == "adopters@5"


def test_extends_replaces_a_target_by_name(bass, write_yaml):
    scenario(write_yaml, "  half: {variable: adopters, time: 5, value: 500}\n  end: {variable: adopters, time: 10, value: 900}\n")
    child = write_yaml("child.yaml", "extends: scenario.yaml\ntargets:\n  half: {variable: adopters, time: 4, value: 450}\n")
    targets = {t.name: t for t in h2sim.read_targets(h2sim.load(child))}
    assert (targets["half"].time, targets["half"].value) == (4.0, 450.0)
    assert targets["end"].value == 900.0


@pytest.mark.parametrize("entry,line,message", [
    ("  a: {variable: adopters, time: 5, valeu: 1}\n", 3, "unknown key `valeu` (did you mean `value`?)"),
    ("  a: {variable: adopters, time: 5}\n", 3, "a target needs `value:`"),
    ("  a: {variable: adopter, time: 5, value: 1}\n", 3, "unknown variable `adopter` (did you mean `adopters`?)"),
    ("  a: {variable: by_segment, time: 5, value: 1}\n", 3, "is arrayed over segment: name one element"),
    ("  a: {variable: 'by_segment[truck]', time: 5, value: 1}\n", 3, "`truck` is not an element of `segment`"),
    ("  a:\n    variable: adopters\n    time: soon\n    value: 1\n", 5, "expected a number, found 'soon'"),
    ("  a: {variable: adopters, time: 5, value: 1, kind: exactly}\n", 3, "unknown kind `exactly`"),
    ("  - 12\n", 3, "a target is a mapping"),
])
def test_a_bad_target_is_an_error_at_its_line(bass, write_yaml, entry, line, message):
    model = h2sim.load(scenario(write_yaml, entry))
    with pytest.raises(h2sim.ScenarioError) as caught:
        h2sim.read_targets(model)
    error = caught.value
    assert message in str(error)
    assert os.path.basename(error.file) == "scenario.yaml" and error.line == line
    assert str(error).startswith(f"{error.file}:{line}:")


def test_targets_given_in_code_are_checked_too(bass):
    model = h2sim.load(bass)
    (t,) = h2sim.read_targets(model, [{"variable": "adopters", "time": 3, "value": 100}])
    assert t.value == 100
    with pytest.raises(ValueError, match="unknown variable `adoptres`"):
        h2sim.read_targets(model, [{"variable": "adoptres", "time": 3, "value": 100}])


def test_labels_reach_python_results_and_charts(bass):
    model = h2sim.load(bass)
    assert model.variables.loc["adopters", "label"] == "vehicles on the road"
    assert model.variables.loc["q", "label"] == ""
    result = model.run()
    assert result.attrs["labels"]["adopters"] == "vehicles on the road"
    assert result.attrs["labels"]["by_segment[car]"] == "fleet by segment [car]"
    assert model.label("q") == "q" and model.label("p") == "innovation coefficient"
    ds = model.run(as_xarray=True)
    assert ds["adopters"].attrs["long_name"] == "vehicles on the road"

    fig = h2sim.plot(result, ["adopters", "adoption"])
    legends = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert "vehicles on the road" in legends and "sales" in legends
    assert {ax.get_ylabel() for ax in fig.axes} == {"vehicles", "vehicles/year"}
    fig = h2sim.plot_comparison({"a": result, "b": result}, ["adopters"],
                                targets=[h2sim.Target("t", "adopters", 5, 500, label="half")])
    assert fig.axes[0].get_title() == "vehicles on the road"
    assert "half" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_label_is_a_known_key_with_a_location(write_yaml):
    path = write_yaml("bad.yaml", "constants:\n  p: {value: 1, lable: x}\n")
    with pytest.raises(h2sim.ScenarioError, match=r"unknown key `lable` \(did you mean `label`\?\)"):
        h2sim.load(path)


def test_model_files_lists_every_input_file(repo_root):
    model = h2sim.load(repo_root / "scenarios/zhejiang/plan_2025.yaml")
    names = [os.path.relpath(f, repo_root) for f in model.files]
    assert names[:3] == ["scenarios/zhejiang/baseline.yaml", "scenarios/zhejiang/plan_2025.yaml",
                         "scenarios/hydrogen/hydrogen_economy.yaml"]
    assert "scenarios/hydrogen/components/vehicles.yaml" in names
    assert [os.path.basename(f) for f in model.chain] == ["baseline.yaml", "plan_2025.yaml"]


@pytest.mark.parametrize("targets,valid", [
    ({"fleet": {"variable": "fcev_fleet_total", "time": 2026, "value": 5000, "label": "x", "source": "plan"}}, True),
    ([{"variable": "fcev_fleet[bus]", "time": "2026", "value": "5e3", "kind": "at_most"}], True),
    ({"fleet": {"variable": "x", "time": 2026}}, False),
    ([{"variable": "x", "time": 2026, "value": 1, "kind": "exactly"}], False),
    ([{"variable": "x", "time": 2026, "value": 1, "valeu": 2}], False),
    ("fleet", False),
], ids=["mapping", "list", "no-value", "bad-kind", "typo", "text"])
def test_the_schemas_describe_targets(repo_root, targets, valid):
    import json

    # A test dependency (h2sim[test], scripts/bootstrap.sh); without it the schemas go unchecked here.
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install jsonschema)")
    for name in ("model", "scenario"):
        schema = json.loads((repo_root / "schemas" / f"{name}.schema.json").read_text())
        document = {"targets": targets} if name == "model" else {"model": "m.yaml", "targets": targets}
        errors = list(jsonschema.Draft7Validator(schema).iter_errors(document))
        assert (errors == []) == valid, errors


def test_the_test_scenarios_with_targets_validate(repo_root):
    import json

    # Test dependencies (h2sim[test], scripts/bootstrap.sh).
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install jsonschema)")
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (pip install pyyaml)")
    schema = json.loads((repo_root / "schemas" / "scenario.schema.json").read_text())
    for path in (repo_root / "tests" / "data" / "report").glob("*.yaml"):
        assert list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(path.read_text()))) == [], path
        assert h2sim.read_targets(h2sim.load(path))


# --- the shipped Zhejiang scenarios -------------------------------------------------------------
def test_every_zhejiang_scenario_carries_the_plans_2025_targets_as_the_data_give_them(repo_root):
    import csv

    facts = list(csv.DictReader((repo_root / "data" / "zhejiang_hydrogen_facts.csv").open(encoding="utf-8")))

    def published(quantity):
        (row,) = [r for r in facts if r["scope"] == "Zhejiang" and r["quantity"] == quantity
                  and r["kind"] == "target for 2025"]
        return float(row["value"]), row["source"]

    expected = {"fcev_fleet_total": published("fcev_fleet"),
                "stations_operating_total": published("hydrogen_refuelling_stations"),
                "refuelling_capacity_t_per_day": published("refuelling_capacity_t_per_day"),
                "storage_power_total_gw": published("new_type_storage_gw")}
    for path in sorted((repo_root / "scenarios" / "zhejiang").glob("*.yaml")):
        model = h2sim.load(path)
        targets = {t.variable: t for t in h2sim.read_targets(model)}
        assert set(targets) == set(expected), path.name
        for variable, (value, source) in expected.items():
            target = targets[variable]
            assert (target.time, target.value, target.kind) == (2026.0, value, "at_least"), (path.name, variable)
            assert source in target.source and "data/zhejiang_hydrogen_facts.csv" in target.source
            assert os.path.basename(target.where[0]) == "baseline.yaml"
        assert model.label("fcev_fleet_total") == "fuel-cell vehicles on the road"


def test_the_flagship_takes_its_targets_from_the_scenario(repo_root, write_yaml):
    import importlib.util

    spec = importlib.util.spec_from_file_location("flagship", repo_root / "scripts" / "flagship.py")
    flagship = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(flagship)
    plan = h2sim.load(repo_root / "scenarios" / "zhejiang" / "plan_2025.yaml")
    targets = flagship.plan_targets(plan)
    assert {name: t.value for name, t in targets.items()} == {
        "fcev_fleet_total": 5000.0, "stations_operating_total": 50.0, "refuelling_capacity_t_per_day": 35.5,
        "storage_power_total_gw": 3.0}
    # A scenario that moves a target moves the flagship's; one without the fleet target is an error.
    moved = write_yaml("moved.yaml", f"extends: {(repo_root / 'scenarios/zhejiang/plan_2025.yaml').as_posix()}\n"
                                     "targets:\n  fleet_2025: {variable: fcev_fleet_total, time: 2026, value: 6000}\n")
    assert flagship.plan_targets(h2sim.load(moved))["fcev_fleet_total"].value == 6000.0
    bare = write_yaml("bare.yaml", f"model: {(repo_root / 'scenarios/hydrogen/hydrogen_economy.yaml').as_posix()}\n")
    with pytest.raises(h2sim.ScenarioError, match="no target for fcev_fleet_total or stations_operating_total"):
        flagship.plan_targets(h2sim.load(bare))
