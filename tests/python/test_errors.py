"""Every h2sim exception class, raised by a small bad input, says where the problem is."""

from __future__ import annotations

import pytest

import h2sim

TIME = "time: {start: 0, stop: 2, dt: 0.25}\n"


def test_the_classes_form_one_hierarchy():
    for cls in (h2sim.ParseError, h2sim.ScenarioError, h2sim.ModelError, h2sim.SimulationError):
        assert issubclass(cls, h2sim.Error)
    assert issubclass(h2sim.Error, Exception)


def raised(path, strict_units=False) -> h2sim.Error:
    with pytest.raises(h2sim.Error) as info:
        h2sim.load(path, strict_units=strict_units).run()
    return info.value


def test_yaml_syntax_is_a_parse_error(write_yaml):
    path = write_yaml("yaml.yaml", "name: x\ntime: {start: 0, stop: 1, dt: 0.1\nconstants:\n  a: 1\n")
    error = raised(path)
    assert type(error) is h2sim.ParseError
    assert error.file == str(path)
    assert error.line == 3
    assert str(error).startswith(f"{path}:3")


def test_equation_syntax_is_a_parse_error(write_yaml):
    path = write_yaml("eq.yaml", "name: x\n" + TIME + "constants:\n  a: {value: 1}\n"
                      "auxiliaries:\n  b:\n    equation: a * (2 +\n")
    error = raised(path)
    assert type(error) is h2sim.ParseError
    assert (error.file, error.line, error.variable) == (str(path), 7, "b")
    assert "a * (2 +" in str(error)


def test_an_unknown_key_is_a_scenario_error(write_yaml):
    path = write_yaml("key.yaml", "name: x\n" + TIME + "frobnicate: 3\nconstants:\n  a: {value: 1}\n")
    error = raised(path)
    assert type(error) is h2sim.ScenarioError
    assert (error.file, error.line) == (str(path), 3)
    assert "frobnicate" in str(error)


def test_a_unit_mismatch_is_an_error_only_when_strict(write_yaml):
    path = write_yaml("units.yaml", "name: x\n" + TIME + "constants:\n  a: {value: 1, units: vehicles}\n"
                      "  c: {value: 1, units: year}\nauxiliaries:\n  b:\n    equation: a + c\n    units: vehicles\n")
    model = h2sim.load(path)
    assert len(model.warnings) == 1 and "different units" in model.warnings[0]
    error = raised(path, strict_units=True)
    assert isinstance(error, h2sim.Error)
    # the line of the variable's definition (7) or of its equation (8)
    assert (error.file, error.variable) == (str(path), "b") and error.line in (7, 8)


def test_an_unknown_variable_is_a_model_error(write_yaml):
    path = write_yaml("unknown.yaml", "name: x\n" + TIME + "constants:\n  a: {value: 1}\n"
                      "auxiliaries:\n  b:\n    equation: a * c\n")
    error = raised(path)
    assert type(error) is h2sim.ModelError
    # the line of the variable's definition (6) or of its equation (7)
    assert (error.file, error.variable) == (str(path), "b") and error.line in (6, 7)
    assert "unknown variable 'c'" in str(error)


def test_an_algebraic_loop_is_a_model_error_that_names_the_loop(write_yaml):
    path = write_yaml("loop.yaml", "name: x\n" + TIME + "auxiliaries:\n  b:\n    equation: c + 1\n"
                      "  c:\n    equation: b * 2\n")
    error = raised(path)
    assert type(error) is h2sim.ModelError
    assert error.file == str(path) and error.line in (4, 6)
    assert "loop" in str(error) and "b" in str(error) and "c" in str(error)


def test_a_division_by_zero_at_run_time_is_a_simulation_error(write_yaml):
    path = write_yaml("divide.yaml", "name: x\n" + TIME + "constants:\n  a: {value: 1}\n"
                      "auxiliaries:\n  b:\n    equation: a / (1 - TIME)\n")
    model = h2sim.load(path)
    model.program  # compiles: the problem only shows when running
    with pytest.raises(h2sim.SimulationError) as info:
        model.run()
    error = info.value
    assert (error.file, error.line, error.variable) == (str(path), 6, "b")
    assert "infinity" in str(error) and str(error).startswith(f"{path}:6")
    with pytest.raises(h2sim.SimulationError):  # the batch path too
        model.run_batch({"a": [1.0, 2.0]}, progress=False)


def test_bad_time_settings_are_a_simulation_error(bass_path):
    with pytest.raises(h2sim.SimulationError, match="dt"):
        h2sim.load(bass_path).run(dt=0)


def test_setting_an_unknown_constant_is_a_model_error(bass_path):
    with pytest.raises(h2sim.ModelError) as info:
        h2sim.load(bass_path).with_params(nope=1)
    assert info.value.variable == "nope"
