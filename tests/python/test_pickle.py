"""A Model crosses process boundaries: pickled by its scenario text and overrides."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import h2sim


def _final_adopters(model: h2sim.Model, p: float) -> float:
    return float(model.run(params={"p": p})["adopters"].iloc[-1])


def test_pickle_round_trip_keeps_results_and_overrides(bass_path):
    model = h2sim.load(bass_path).with_params(q=0.3)
    copy = pickle.loads(pickle.dumps(model))
    assert copy.name == model.name
    assert copy.parameters.loc["q", "value"] == 0.3
    np.testing.assert_array_equal(copy.run().to_numpy(), model.run().to_numpy())


def test_pickle_round_trip_of_a_scenario_chain(examples):
    model = h2sim.load(examples / "scenario_variant.yaml")
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.run().to_numpy(), model.run().to_numpy())


def test_models_run_in_worker_processes(bass_path):
    model = h2sim.load(bass_path)
    ps = [0.01, 0.02, 0.03, 0.04]
    with ProcessPoolExecutor(max_workers=2) as pool:
        remote = list(pool.map(_final_adopters, [model] * len(ps), ps))
    assert remote == [_final_adopters(model, p) for p in ps]


def test_errors_pickle_with_their_location(write_yaml):
    path = write_yaml("bad.yaml", "name: x\ntime: {start: 0, stop: 1, dt: 0.1}\nauxiliaries:\n  b: {equation: c}\n")
    try:
        h2sim.load(path).run()
    except h2sim.ModelError as error:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is h2sim.ModelError
        assert (copy.file, copy.line, copy.variable, str(copy)) == (error.file, error.line, error.variable, str(error))
    else:
        raise AssertionError("an unknown variable must raise ModelError")
