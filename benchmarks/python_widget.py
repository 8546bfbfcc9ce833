#!/usr/bin/env python3
"""Redraw latency of h2sim.explore_widget on the Zhejiang model (target < 100 ms).

    python3 benchmarks/python_widget.py [--changes 50] [--scenario scenarios/zhejiang/baseline.yaml]

Moves a constant lever's slider and a scheduled lever's step point back and forth, and
times each change from setting the widget's value to the figure holding the new lines (the
model run with the schedule bound to it, and the plotly figure update; all in the
kernel, without the browser's repaint). Prints the median, 95th percentile and worst time
per kind of change, and, for comparison, a bare `Model.run` of the same outputs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import h2sim

ROOT = Path(__file__).resolve().parent.parent


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"{name:<44} {statistics.median(ms):8.1f} {p95:8.1f} {ms[-1]:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50, help="changes timed per kind")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/zhejiang/baseline.yaml"))
    parser.add_argument("--outputs", default="fcev_fleet_total,stations_operating_total,fcev_fleet,"
                                              "h2_price_cny_per_kg", help="charted variables")
    args = parser.parse_args()
    outputs = args.outputs.split(",")

    explorer = h2sim.explore_widget(args.scenario, outputs=outputs)
    model = explorer.model
    constant = next(lv for lv in explorer.levers if not lv.scheduled)
    scheduled = next((lv for lv in explorer.levers if lv.scheduled), None)

    bare = []
    for _ in range(args.changes):
        start = time.perf_counter()
        model.run(return_columns=outputs)
        bare.append(time.perf_counter() - start)

    slider = explorer.controls[constant.name]
    values = [constant.low + (constant.high - constant.low) * f for f in (0.25, 0.75)]
    moved = []
    for i in range(args.changes):
        start = time.perf_counter()
        slider.value = values[i % 2]
        moved.append(time.perf_counter() - start)

    rows = [summary(f"Model.run ({len(explorer.columns)} columns)", bare),
            summary(f"slider: {constant.name}", moved)]
    if scheduled is not None:
        _, point = explorer.controls[scheduled.name][-1]
        targets = [scheduled.low + (scheduled.high - scheduled.low) * f for f in (0.2, 0.6)]
        stepped = []
        for i in range(args.changes):
            start = time.perf_counter()
            point.value = targets[i % 2]
            stepped.append(time.perf_counter() - start)
        rows.append(summary(f"schedule point: {scheduled.name}", stepped))
    assert len(explorer.redraw_seconds) == args.changes * (2 if scheduled is not None else 1)

    print(f"{model.name}: {model.time['start']:g}-{model.time['stop']:g}, dt {model.time['dt']:g}, "
          f"{model.time['method']}; {len(explorer.levers)} levers, outputs {', '.join(outputs)}")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, h2sim {h2sim.__version__}; {args.changes} changes each")
    print(f"{'redraw (ms)':<44} {'median':>8} {'p95':>8} {'worst':>8}")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
