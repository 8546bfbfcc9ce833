#!/usr/bin/env python3
"""Memory and wall time of h2sim.explore on the hydrogen model.

    python3 benchmarks/explore_memory.py [--runs 100000] [--threads 1 2] [--chunk-size N]

Explores scenarios/studies/zhejiang_2025_levers.yaml (the Zhejiang 2025 plan as written, the
model's 17 declared uncertainties and the study's 10 scalar outcomes) with outcomes only, once per thread count, each in a
fresh process, and prints the wall time, the CPU time and the peak resident memory
(ru_maxrss) of that process, beside what the whole trajectories would have taken.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "scenarios" / "studies" / "zhejiang_2025_levers.yaml"


def child(runs: int, threads: int, chunk_size: int | None) -> None:
    import numpy as np

    import h2sim

    model = h2sim.load(STUDY)
    model.program  # compile before timing
    before = resource.getrusage(resource.RUSAGE_SELF)
    baseline = before.ru_maxrss
    began = time.perf_counter()
    result = h2sim.explore(model, scenarios=runs, seed=1, threads=threads, chunk_size=chunk_size, progress=False)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak = after.ru_maxrss  # KiB on Linux
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    scalars = result.scalar_names
    times = len(np.arange(model.time["start"], model.time["stop"] + 1e-9, model.time["save_every"]))
    from h2sim.analysis.outcomes import columns_needed, resolve

    columns = len(columns_needed(resolve(model)))
    outputs = len(model.run().columns)  # the scenario's default outputs, arrays element by element
    print(json.dumps({"runs": len(result), "threads": threads, "seconds": seconds, "cpu_seconds": cpu,
                      "peak_rss_mib": peak / 1024,
                      "rss_before_mib": baseline / 1024, "outcomes": len(scalars),
                      "trajectories_mib": runs * times * columns * 8 / 2**20,
                      "outputs_mib": runs * times * outputs * 8 / 2**20, "outputs": outputs,
                      "fleet_median": float(np.median(result.outcomes["fleet_at_end_2025"])),
                      "share_targets_met": float(np.mean(result.outcomes["targets_met"]))}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, dest="chunk_size")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs, args.threads[0], args.chunk_size)
        return
    print(f"h2sim.explore, outcomes only: {args.runs:,} runs of {STUDY.relative_to(ROOT)}, {os.cpu_count()} cores")
    results = []
    for threads in args.threads:
        command = [sys.executable, __file__, "--child", "--runs", str(args.runs), "--threads", str(threads)]
        if args.chunk_size:
            command += ["--chunk-size", str(args.chunk_size)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        results.append(r)
        print(f"  {threads} thread(s): {r['seconds']:7.1f} s wall ({r['runs'] / r['seconds']:,.0f} runs/s), "
              f"{r['cpu_seconds']:.1f} s CPU, "
              f"peak RSS {r['peak_rss_mib']:,.0f} MiB (after loading: {r['rss_before_mib']:,.0f} MiB), "
              f"{r['outcomes']} scalar outcomes")
    r = results[0]
    print(f"  whole trajectories would take {r['trajectories_mib']:,.0f} MiB for the outcomes' variables, "
          f"{r['outputs_mib']:,.0f} MiB for the scenario's {r['outputs']} output columns")
    print(f"  median end-2025 fleet {r['fleet_median']:,.0f}, both 2025 targets met in {r['share_targets_met']:.1%} "
          "of runs")
    if len({json.dumps({k: v for k, v in x.items() if k in ('fleet_median', 'share_targets_met')})
            for x in results}) == 1:
        print("  results identical across thread counts: yes")


if __name__ == "__main__":
    main()
