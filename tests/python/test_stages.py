"""What the stages promise the Python package: a loaded scenario keeps its compiled
program, plain-number changes reuse it, checking lists every problem, and the builtin
reference comes from the registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import h2sim

SMOOTHED = """\
name: smoothed
time: {start: 0, stop: 4, dt: 0.25}
constants:
  target: {value: 10, units: vehicles}
  order: {value: 2}
  delay: {value: 1, units: year}
auxiliaries:
  perceived:
    equation: SMTHN(target * TIME, delay, order)
    units: vehicles
"""


def test_plain_numbers_reuse_the_compiled_program(bass_path):
    model = h2sim.load(bass_path)
    program = model.program
    changed = model.with_params(p=0.05, q=0.5)
    assert changed.program is program  # nothing compiled again
    assert changed.parameters.loc["p", "value"] == 0.05
    np.testing.assert_array_equal(changed.run().to_numpy(), model.run(params={"p": 0.05, "q": 0.5}).to_numpy())
    # Chained changes keep both numbers; the batch path sets them too.
    again = changed.with_params(q=0.3)
    assert again.program is program
    np.testing.assert_array_equal(again.run().to_numpy(), model.run(params={"p": 0.05, "q": 0.3}).to_numpy())
    batch = again.run_batch(pd.DataFrame({"market": [10000.0, 20000.0]}))
    np.testing.assert_array_equal(batch["adopters"].isel(run=1).to_numpy(),
                                  model.run(params={"p": 0.05, "q": 0.3, "market": 20000})["adopters"].to_numpy())


def test_a_lever_trajectory_compiles_a_new_program(bass_path):
    model = h2sim.load(bass_path)
    trajectory = pd.Series([0.01, 0.05], index=[0.0, 20.0])
    changed = model.with_params(p=trajectory)
    assert changed.program is not model.program
    assert changed.run()["adopters"].iloc[-1] != model.run()["adopters"].iloc[-1]


def test_an_order_that_fixes_the_structure_is_never_set_per_run(write_yaml):
    model = h2sim.load(write_yaml("smoothed.yaml", SMOOTHED))
    assert model.program.structural_parameters == ["order"]
    with pytest.raises(h2sim.ModelError, match="fixes the compiled structure"):
        model.run(params={"order": 3})
    third = model.with_params(order=3)  # compiled again, with three stages
    assert third.program is not model.program
    assert third.program.stock_count == model.program.stock_count + 1
    assert third.run()["perceived"].iloc[-1] != model.run()["perceived"].iloc[-1]


def test_check_lists_every_problem_with_its_line(write_yaml):
    path = write_yaml("units.yaml", "name: u\ntime: {start: 0, stop: 1, dt: 0.5}\nconstants:\n"
                      "  a: {value: 1, units: vehicles}\n  c: {value: 1, units: year}\n"
                      "auxiliaries:\n  b: {equation: a + c, units: vehicles}\n"
                      "  d: {equation: a * c, units: vehicles}\n")
    model = h2sim.load(path)
    assert model.check() == [d for d in model.check() if d["severity"] == "warning"]
    errors = model.check(strict_units=True)
    assert [(e["variable"], e["line"], e["severity"]) for e in errors] == [("b", 7, "error"), ("d", 8, "error")]
    assert all(e["file"] == str(path) and e["text"].startswith(f"{path}:") for e in errors)


def test_the_function_reference_comes_from_the_registry(repo_root):
    from h2sim.cli import functions

    table = h2sim.functions()
    assert table.loc["XIDZ", "signature"] == "(a, b, x)" and table.loc["SMTH1", "aliases"] == ["SMOOTH", "SMOOTHI"]
    assert (table.loc["TIME", "bare"], table.loc["MIN", "max_arguments"]) == (True, -1)
    committed = (repo_root / "docs" / "functions.md").read_text(encoding="utf-8")
    assert committed == functions.markdown(), (
        "docs/functions.md is out of date: run `python3 -m h2sim functions --markdown > docs/functions.md`")
