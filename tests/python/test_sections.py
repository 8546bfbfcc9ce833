"""Analysis sections reach Python as located plain data (docs/scenario-format.md)."""

from __future__ import annotations

import os

import pytest

import h2sim

HERE = os.path.dirname(__file__)
SECTIONS = os.path.join(HERE, "..", "data", "sections")


def test_sections_are_typed_as_yaml_types_them():
    model = h2sim.load(os.path.join(SECTIONS, "variant.yaml"))
    outcomes = model.section("outcomes").value
    assert outcomes["fleet_end"] == {"variable": "fleet", "at": 5}
    assert outcomes["sales_total"]["aggregate"] == "sum"
    quoted = outcomes["quoted"]
    assert quoted["label"] == "10" and quoted["count"] == 12 and quoted["flag"] is True
    assert quoted["none"] is None and quoted["ratio"] == pytest.approx(1.5e-3)
    assert model.section("targets").value == [{"variable": "fleet", "time": 10, "value": 300}]
    assert set(model.sections) == {"outcomes", "targets", "calibration"}
    assert model.section("reality_checks") is None


def test_section_errors_point_at_the_file_that_wrote_the_entry():
    model = h2sim.load(os.path.join(SECTIONS, "variant.yaml"))
    calibration = model.section("calibration")
    error = calibration.error("no such column", "parameters", "growth", "low")
    assert isinstance(error, h2sim.ScenarioError)
    assert os.path.basename(error.file) == "base.yaml" and error.line == 5
    assert "calibration.parameters.growth.low" in str(error)
    data = calibration.resolve_path(calibration.value["data"], "data")
    assert data == os.path.normpath(os.path.join(SECTIONS, "observed.csv"))
    with pytest.raises(ValueError, match="unknown section"):
        model.section("outcome")
