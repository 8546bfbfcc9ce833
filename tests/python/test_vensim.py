"""Vensim .mdl models from Python and the CLI: h2sim.load, a scenario that names an .mdl
model and sets its constants, `h2sim run`, and the export to XMILE.

The model is a first-order decay written here, so the numbers have a closed form:
with Euler, stock(t) = 100 * (1 - dt / tau) ** (t / dt).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import h2sim

DECAY_MDL = """{UTF-8}
Stock= INTEG (
\t-Outflow,
\t\t100)
\t~\tkg
\t~\tWhat is left.
\t|
Outflow=
\tStock / Decay time
\t~\tkg/Year
\t~\t|
Decay time=
\t4
\t~\tYear [1,10]
\t~\tThe mean residence time.
\t|
********************************************************
\t.Control
********************************************************~
\t\tSimulation Control Parameters
\t|
FINAL TIME  = 10
\t~\tYear
\t~\tThe final time for the simulation.
\t|
INITIAL TIME  = 0
\t~\tYear
\t~\t|
SAVEPER  =
        TIME STEP
\t~\tYear [0,?]
\t~\t|
TIME STEP  = 0.5
\t~\tYear [0,?]
\t~\t|
\\\\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
"""


def closed_form(times: np.ndarray, tau: float, dt: float = 0.5) -> np.ndarray:
    return 100.0 * (1.0 - dt / tau) ** (times / dt)


@pytest.fixture()
def decay(tmp_path: Path) -> Path:
    path = tmp_path / "decay.mdl"
    path.write_text(DECAY_MDL, encoding="utf-8")
    return path


def test_load_runs_a_vensim_model(decay: Path):
    model = h2sim.load(decay)
    assert model.time["start"] == 0 and model.time["stop"] == 10 and model.time["dt"] == 0.5
    df = model.run()
    assert np.allclose(df["Stock"].to_numpy(), closed_form(df.index.to_numpy(), 4.0), rtol=1e-12)


def test_a_scenario_names_an_mdl_model_and_sets_its_constants(decay: Path, tmp_path: Path):
    scenario = tmp_path / "slow.yaml"
    scenario.write_text("model: decay.mdl\nparameters:\n  decay time: 8\n", encoding="utf-8")
    df = h2sim.load(scenario).run()
    assert np.allclose(df["Stock"].to_numpy(), closed_form(df.index.to_numpy(), 8.0), rtol=1e-12)
    df = h2sim.load(decay).with_params({"Decay time": 2}).run()
    assert np.allclose(df["Stock"].to_numpy(), closed_form(df.index.to_numpy(), 2.0), rtol=1e-12)


def test_a_windows_code_page_file_loads(tmp_path: Path):
    path = tmp_path / "old.mdl"
    text = DECAY_MDL.replace("{UTF-8}\n", "").replace("What is left.", "Rückstand")
    path.write_bytes(text.encode("cp1252"))
    df = h2sim.load(path).run()
    assert df["Stock"].iloc[-1] == pytest.approx(closed_form(np.array([10.0]), 4.0)[0], rel=1e-12)


def test_cli_runs_and_exports_an_mdl_model(decay: Path, tmp_path: Path):
    out = tmp_path / "decay.csv"
    run = subprocess.run([sys.executable, "-m", "h2sim", "run", str(decay), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    df = pd.read_csv(out, index_col=0)
    assert np.allclose(df["Stock"].to_numpy(), closed_form(df.index.to_numpy(), 4.0), rtol=1e-12)
    exported = tmp_path / "decay.xmile"
    export = subprocess.run([sys.executable, "-m", "h2sim", "export", str(decay), "-o", str(exported)],
                            capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    again = h2sim.load(exported).run()
    assert np.array_equal(again["Stock"].to_numpy(), h2sim.load(decay).run()["Stock"].to_numpy())


def test_an_unsupported_construct_is_refused_with_file_and_line(tmp_path: Path):
    path = tmp_path / "random.mdl"
    path.write_text(DECAY_MDL.replace("\t4\n", "\tRANDOM UNIFORM(1, 8, 0)\n"), encoding="utf-8")
    with pytest.raises(h2sim.Error) as error:
        h2sim.load(path)
    message = str(error.value)
    # The line of the definition ("Decay time="), and the construct.
    assert "random.mdl:12" in message and "RANDOM UNIFORM" in message
