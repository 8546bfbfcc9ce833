#!/usr/bin/env python3
"""Calibration at scale: interval coverage over many synthetic data sets, and
the speed of batched candidate evaluation.

    python3 benchmarks/calibration.py coverage [--sets 2000] [--profile-sets 200] [--seed 99]
    python3 benchmarks/calibration.py speed [--scenario scenarios/china/national.yaml]

coverage: the Bass model of scenarios/examples/bass_diffusion.yaml with p = 0.02 and
q = 0.5; each data set is adopters at years 1-15 plus normal noise of sd 150 (errors
estimated from the residuals), or yearly adoption as negative-binomial counts with
dispersion 20. Prints the share of data sets whose 95 % intervals contain the true values.

speed: seconds for one differential-evolution generation (popsize 15) of the scenario's
calibrated constants evaluated as one run_batch call against a loop of Model.run calls, and
for a central-difference Jacobian.
Never pass/fail; tests/python/test_calibration.py checks the numbers on a smaller scale.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import h2sim
from h2sim.calibration.optimise import Problem, _settings

ROOT = Path(__file__).resolve().parent.parent
BASS = ROOT / "scenarios" / "examples" / "bass_diffusion.yaml"
TRUE = np.array([0.02, 0.5])
BOUNDS = {"p": (0.001, 0.2), "q": (0.05, 1.5)}


def covered(fit, kind: str) -> np.ndarray:
    t = fit.parameters
    return ((t[f"{kind}_low"] <= TRUE) & (TRUE <= t[f"{kind}_high"])).to_numpy()


def coverage(sets: int, profile_sets: int, seed: int) -> None:
    model = h2sim.load(BASS)
    truth = model.run(params={"p": TRUE[0], "q": TRUE[1]}, return_columns=["adopters"])["adopters"].loc[1:15]
    rng = np.random.default_rng(seed)
    wald, profile, started = np.zeros(2), np.zeros(2), time.perf_counter()
    for i in range(sets):
        data = (truth + rng.normal(0, 150, len(truth))).rename("adopters")
        fit = h2sim.calibrate(model, data=data, parameters=BOUNDS, progress=False,
                              intervals="both" if i < profile_sets else "wald")
        wald += covered(fit, "wald")
        if i < profile_sets:
            profile += covered(fit, "profile")
    elapsed = time.perf_counter() - started
    print(f"normal errors, sd estimated, 15 points: {sets} data sets in {elapsed:.1f} s")
    print(f"  95 % Wald coverage     p {wald[0] / sets:.4f}  q {wald[1] / sets:.4f}")
    print(f"  95 % profile coverage  p {profile[0] / profile_sets:.4f}  q {profile[1] / profile_sets:.4f} "
          f"({profile_sets} data sets)")
    yearly = model.run(params={"p": TRUE[0], "q": TRUE[1]}, return_columns=["adopters"])["adopters"]
    sales = np.diff(yearly.to_numpy())[:15]
    k, hits, count = 20.0, np.zeros(2), max(sets // 4, 1)
    path = os.path.join(tempfile.mkdtemp(), "counts.csv")
    for _ in range(count):
        frame = pd.DataFrame({"time": np.arange(1.0, 16.0), "variable": "adoption",
                              "value": rng.negative_binomial(k, k / (k + sales))})
        frame.to_csv(path, index=False)
        fit = h2sim.calibrate(model, data={"file": path, "series": {"adoption": {"mean_over": 1}}}, parameters=BOUNDS,
                              error="negative_binomial", progress=False, intervals="wald")
        hits += covered(fit, "wald")
    print(f"negative-binomial counts (k = 20, estimated), 15 points: {count} data sets")
    print(f"  95 % Wald coverage     p {hits[0] / count:.4f}  q {hits[1] / count:.4f}")


def speed(scenario: str) -> None:
    model = h2sim.load(scenario)
    section = model.section("calibration")
    if section is None:
        raise SystemExit(f"{scenario} declares no calibration section")
    # Constants only: values of lever schedules cannot share a batch (docs/calibration.md).
    declared = section.value["parameters"]
    constants = {name: bounds for name, bounds in declared.items() if "@" not in str(name)}
    settings = _settings(model, None, constants, None, None, None, None, None, "none", None, None)
    for batch in (True, False):
        problem = Problem(model, settings["parameters"], settings["observations"], None, None, batch)
        rng = np.random.default_rng(0)
        problem.predict(problem.lower + rng.random((2, problem.p)) * (problem.upper - problem.lower))  # warm up
        population = problem.lower + rng.random((15 * problem.p, problem.p)) * (problem.upper - problem.lower)
        started = time.perf_counter()
        problem.predict(population)
        generation = time.perf_counter() - started
        started = time.perf_counter()
        problem.prediction_jacobian(problem.x0)
        jacobian = time.perf_counter() - started
        label = "one run_batch call" if batch else "a loop of Model.run"
        print(f"{model.name}, {problem.p} parameters, {label}: one generation of {len(population)} candidates "
              f"{generation:.3f} s; a Jacobian ({2 * problem.p + 1} runs) {jacobian:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cover = commands.add_parser("coverage")
    cover.add_argument("--sets", type=int, default=2000)
    cover.add_argument("--profile-sets", type=int, default=200)
    cover.add_argument("--seed", type=int, default=99)
    fast = commands.add_parser("speed")
    fast.add_argument("--scenario", default=str(ROOT / "scenarios" / "examples" / "bass_calibration.yaml"))
    args = parser.parse_args()
    if args.command == "coverage":
        coverage(args.sets, args.profile_sets, args.seed)
    else:
        speed(args.scenario)


if __name__ == "__main__":
    main()
