"""The compiled backend from Python: h2sim.load(..., backend="compiled") and Model.compiled()
give the interpreter's numbers bit for bit; without a compiler the interpreter runs, silently;
a failing compiler warns; the CLI's --backend and `export --format c`. The C++ tests
(tests/cpp/test_native.cpp) check every conformance model and the hydrogen model."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess

import numpy as np
import pandas as pd
import pytest

import h2sim

TEACUP = """\
name: teacup
time: {start: 0, stop: 30, dt: 0.125, method: euler}
constants:
  room_temperature: {value: 70, units: degF}
  characteristic_time: {value: 10, units: minute}
stocks:
  teacup_temperature:
    initial: 180
    units: degF
    outflows: [heat_loss_to_room]
flows:
  heat_loss_to_room:
    equation: (teacup_temperature - room_temperature) / characteristic_time
    units: degF/minute
auxiliaries:
  cooling_share:
    equation: EXP(-TIME / characteristic_time) + SQRT(ABS(-heat_loss_to_room)) * 0
"""


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """Builds go to this test's own cache folder (the CLI's subprocesses inherit it)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("H2SIM_CACHE_DIR", str(folder))
    return folder


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def test_a_compiled_model_gives_the_interpreters_bits(bass_path, cache):
    interpreted = h2sim.load(bass_path)
    compiled = h2sim.load(bass_path, backend="compiled")
    assert interpreted.backend == "interpreter"
    assert compiled.backend == "compiled"
    info = compiled.build_info
    assert info["compiled"] and info["seconds"] > 0 and info["library"].startswith(str(cache))
    assert same_bits(compiled.run(), interpreted.run())
    assert same_bits(compiled.run(params={"p": 0.04}), interpreted.run(params={"p": 0.04}))
    for method in ("rk4", "dopri5", "rosenbrock4"):
        assert same_bits(compiled.run(method=method), interpreted.run(method=method))
    table = pd.DataFrame({"p": np.linspace(0.01, 0.05, 19), "q": np.linspace(0.2, 0.6, 19)})
    a = compiled.run_batch(table, progress=False)
    b = interpreted.run_batch(table, progress=False)
    for name in b.data_vars:
        assert same_bits(a[name], b[name])
    # A second load takes the build from the cache.
    again = h2sim.load(bass_path, backend="compiled")
    assert again.build_info["from_cache"]


def test_changes_keep_the_backend(bass_path):
    model = h2sim.load(bass_path).compiled()
    numbers = model.with_params(p=0.05)
    assert numbers.program is model.program and numbers.backend == "compiled"
    trajectory = model.with_params(p=pd.Series([0.01, 0.05], index=[0.0, 20.0]))
    assert trajectory.program is not model.program and trajectory.backend == "compiled"
    plain = h2sim.load(bass_path).with_params(p=pd.Series([0.01, 0.05], index=[0.0, 20.0]))
    assert same_bits(trajectory.run(), plain.run())
    restored = pickle.loads(pickle.dumps(numbers))
    assert restored.backend == "compiled"
    assert same_bits(restored.run(), numbers.run())


def test_without_a_compiler_the_interpreter_runs_silently(bass_path, tmp_path, monkeypatch, recwarn):
    # Hidden: no $H2SIM_CC or $CC, and nothing on PATH.
    monkeypatch.delenv("H2SIM_CC", raising=False)
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    model = h2sim.load(bass_path, backend="compiled")
    assert model.backend == "interpreter"
    assert not model.build_info["compiled"]
    assert "no C compiler found" in model.build_info["reason"]
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    monkeypatch.undo()
    assert same_bits(model.run(), h2sim.load(bass_path).run())


def test_a_failing_compiler_warns_and_the_interpreter_runs(bass_path, tmp_path):
    broken = tmp_path / "broken-cc"
    broken.write_text('#!/bin/sh\n[ "$1" = --version ] && { echo broken 1.0; exit 0; }\n'
                      'echo "broken: error: no" >&2\nexit 1\n')
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    with pytest.warns(RuntimeWarning, match="broken: error: no") as caught:
        model = h2sim.load(bass_path).compiled(compiler=str(broken))
        assert model.backend == "interpreter"
        model.run()
    assert len(caught) == 1  # one attempt, one warning
    assert same_bits(model.run(), h2sim.load(bass_path).run())


def test_a_run_prepares_once_and_frames_stay_independent(write_yaml):
    model = h2sim.load(write_yaml("teacup.yaml", TEACUP))
    first = model.run()
    first.index.name = "minute"
    first.attrs["units"]["teacup_temperature"] = "changed"
    second = model.run(params={"room_temperature": 60})
    assert second.index.name == "time"
    assert second.attrs["units"]["teacup_temperature"] == "degF"
    assert list(second.columns) == list(first.columns)
    assert {"teacup_temperature", "heat_loss_to_room", "cooling_share"} <= set(second.columns)
    # The same numbers as a fresh model's, and a parameter set per run is not kept.
    assert same_bits(model.run(), h2sim.load(write_yaml("again.yaml", TEACUP)).run())
    assert second["teacup_temperature"].iloc[-1] < first["teacup_temperature"].iloc[-1]
    with pytest.raises(h2sim.ModelError, match="no constant"):
        model.run(params={"room_temperatur": 60})
    with pytest.raises(h2sim.ModelError):
        model.run(return_columns=["nothing_like_it"])


def test_the_cli_runs_compiled_and_exports_c(cli, bass_path, tmp_path, write_yaml):
    result = cli("run", bass_path, "--backend", "compiled", "-o", tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    plain = cli("run", bass_path, "-o", tmp_path / "plain.csv")
    assert (tmp_path / "out.csv").read_text() == (tmp_path / "plain.csv").read_text()

    result = cli("export", bass_path, "-o", tmp_path / "model.c", "--set", "p=0.05")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "model.c").read_text()
    assert "int h2sim_model_run(" in text and "(0x1.999999999999ap-5)" in text  # p = 0.05
    compiler = shutil.which("cc")
    if compiler:
        built = subprocess.run([compiler, "-std=gnu11", "-c", "-o", str(tmp_path / "model.o"),
                                str(tmp_path / "model.c")], capture_output=True, text=True)
        assert built.returncode == 0, built.stderr

    adaptive = write_yaml("adaptive.yaml", TEACUP.replace("method: euler", "method: dopri5"))
    result = cli("export", adaptive, "--format", "c")
    assert result.returncode == 1
    assert "Euler or RK4" in result.stderr
    assert cli("export", bass_path, "--format", "c", "-o", tmp_path / "model.xmile").returncode == 2


def test_scheduled_levers_set_per_run_give_the_interpreters_bits(examples):
    """Lever trajectories are bound per run (and per lane) at run time: the compiled program
    reads them as the interpreter does, in runs, with_params and batches, without a new build."""
    path = examples / "scenario_variant.yaml"  # p and q are schedules
    interpreted = h2sim.load(path)
    compiled = h2sim.load(path, backend="compiled")
    assert compiled.backend == "compiled"
    settings = [
        {},
        {"p": 0.02},  # a scheduled lever held at a number
        {"p": {"step": {2022: 0.01, 2026: 0.05}}},
        {"q": {"scale": 1.2}, "p": pd.Series([0.01, 0.04], index=[2021.0, 2027.0])},
        {"q": {"from": 2024, "value": 0.5}},
    ]
    for params in settings:
        assert same_bits(compiled.run(params=params), interpreted.run(params=params)), params
        assert same_bits(compiled.with_params(params).run(), interpreted.with_params(params).run()), params
    assert compiled.with_params(settings[2]).program is compiled.program  # no new build
    table = pd.DataFrame({"q": pd.Series([{"scale": f} for f in np.linspace(0.8, 1.2, 11)], dtype=object),
                          "p": np.linspace(0.01, 0.05, 11)})
    a = compiled.run_batch(table, progress=False)
    b = interpreted.run_batch(table, progress=False)
    for name in b.data_vars:
        assert same_bits(a[name], b[name]), name
    # Lane 7 of the batch is the single run with row 7's settings.
    single = compiled.run(params={"q": {"scale": table["q"][7]["scale"]}, "p": table["p"][7]})
    assert same_bits(a["adopters"].isel(run=7), single["adopters"])
