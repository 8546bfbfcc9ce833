#!/usr/bin/env python3
"""Model.run_batch for N runs against a Python loop of N Model.run calls.

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
    parser.add_argument("--vary", action="append", metavar="NAME=LOW:HIGH",
                        help="a constant to sample uniformly (default: p=0.01:0.05 and q=0.2:0.5)")
    parser.add_argument("--column", default="adopters", help="the output compared between methods")
    args = parser.parse_args()
    vary = args.vary or ["p=0.01:0.05", "q=0.2:0.5"]

    model = h2sim.load(args.scenario)
    rng = np.random.default_rng(20261125)
    table = pd.DataFrame({name: rng.uniform(float(low), float(high), args.runs)
                          for name, _, rest in (v.partition("=") for v in vary)
                          for low, high in [rest.split(":")]})
    columns = [args.column]

    model.run_batch(table.head(8), return_columns=columns, progress=False)  # imports xarray, compiles
    start = time.perf_counter()
    loop = [model.run(params=dict(row), return_columns=columns)[args.column].to_numpy()
            for _, row in table.iterrows()]
    loop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    one = model.run_batch(table, return_columns=columns, threads=1, progress=False)
    one_seconds = time.perf_counter() - start

    start = time.perf_counter()
    every = model.run_batch(table, return_columns=columns, progress=False)
    every_seconds = time.perf_counter() - start

    loop_values = np.stack(loop)
    variable = args.column.split("[", 1)[0]
    assert np.array_equal(loop_values, one[variable].to_numpy()), "run_batch differs from run"
    assert np.array_equal(loop_values, every[variable].to_numpy()), "threads change the results"
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
