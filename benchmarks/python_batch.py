#!/usr/bin/env python3
"""Model.run_batch for N runs against a Python loop of N Model.run calls (issue 4).

    python3 benchmarks/python_batch.py [--runs 10000] [--scenario scenarios/examples/bass_diffusion.yaml]

Prints wall-clock seconds for: the loop of run() calls, run_batch on one thread, and
run_batch on every core; and checks that all three give the same numbers.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

import h2sim

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/examples/bass_diffusion.yaml"))
    args = parser.parse_args()

    model = h2sim.load(args.scenario)
    rng = np.random.default_rng(20261125)
    table = pd.DataFrame({"p": rng.uniform(0.01, 0.05, args.runs), "q": rng.uniform(0.2, 0.5, args.runs)})
    columns = ["adopters"]

    start = time.perf_counter()
    loop = [model.run(params={"p": p, "q": q}, return_columns=columns)["adopters"].to_numpy()
            for p, q in zip(table["p"], table["q"])]
    loop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    one = model.run_batch(table, return_columns=columns, threads=1, progress=False)
    one_seconds = time.perf_counter() - start

    start = time.perf_counter()
    every = model.run_batch(table, return_columns=columns, progress=False)
    every_seconds = time.perf_counter() - start

    loop_values = np.stack(loop)
    assert np.array_equal(loop_values, one["adopters"].to_numpy()), "run_batch differs from run"
    assert np.array_equal(loop_values, every["adopters"].to_numpy()), "threads change the results"
    steps = (model.time["stop"] - model.time["start"]) / model.time["dt"]
    print(f"{args.runs} runs of {Path(args.scenario).name} ({steps:.0f} steps each, "
          f"{model.time['method']}), {os.cpu_count()} cores")
    print(f"  Python loop of run():      {loop_seconds:8.3f} s  ({args.runs / loop_seconds:10.0f} runs/s)")
    print(f"  run_batch, 1 thread:       {one_seconds:8.3f} s  ({args.runs / one_seconds:10.0f} runs/s)"
          f"  {loop_seconds / one_seconds:6.1f}x the loop")
    print(f"  run_batch, every core:     {every_seconds:8.3f} s  ({args.runs / every_seconds:10.0f} runs/s)"
          f"  {loop_seconds / every_seconds:6.1f}x the loop")
    print("  results identical: yes")


if __name__ == "__main__":
    main()
