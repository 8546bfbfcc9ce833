#!/usr/bin/env python3
"""h2sim side by side with pysimlin and PySD, and with plain compiled C++ (the ceiling).

    python3 benchmarks/peers.py [--batch 10000] [--repeat 5] [--cases teacup,sir,fleet,hydrogen]

On each model every tool first runs once and the outputs are compared (relative 1e-6 at every
saved time; a tool that disagrees is reported, not timed); then every tool is timed in this one
run of the script, so the ratios compare like with like on the same machine at the same load:

- one run from Python (best of --repeat rounds of the mean of a few calls), DataFrame out;
  CPU time throughout (the machine may be shared), except for the parallel efficiency;
- per run in a batch of --batch runs varying one constant (h2sim: run_batch on one thread;
  pysimlin and PySD have no batch: a loop of calls, timed over a subset);
- for the generated fleet model, the same equations as plain C++ (compiled here with
  -O3 -march=native; scalar, no lanes), single runs and a loop of --batch runs, and h2sim's
  batch on 1 and 2 threads (parallel efficiency, in wall and CPU time).

pysimlin and PySD are optional (pip install pysimlin pysd): a tool that is not installed, or
cannot read a model, is skipped with a message. Cases: the shared conformance samples teacup and
SIR (../shared/sd-test-models, skipped when absent), a generated fleet model (20 segments x 8
vehicle cohorts, 484 variables, 480 Euler steps), and the Zhejiang hydrogen model (exported as
XMILE for the peers). Timings are never pass/fail; benchmarks/README.md has the results.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import h2sim

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "sd-test-models" / "samples"

SEGMENTS, COHORTS = 20, 8
STEPS = 480
# Divisions in one evaluation of the fleet model (its compiled code has exactly these): a
# cohort's outflow (cohort / (life / cohorts)), and per segment the cost's exponent, the two of
# the attractiveness 1 / (1 + cost / 100), the word-of-mouth term and the share of the fleet.
FLEET_DIVISIONS = SEGMENTS * COHORTS + 5 * SEGMENTS


# --- the generated fleet model: XMILE for every tool, and its plain C++ twin ----------------------
def fleet_xmile() -> str:
    """20 vehicle segments, each an 8-cohort aging chain fed by Bass-type sales that a learning
    curve makes cheaper; every equation scalar so that every tool reads it."""
    v = []
    v.append('<aux name="life"><eqn>12</eqn></aux>')
    v.append('<aux name="base_cost"><eqn>100</eqn></aux>')
    v.append('<aux name="learning"><eqn>0.3</eqn></aux>')
    for s in range(SEGMENTS):
        v.append(f'<aux name="market_{s}"><eqn>{1000 * (s + 1)}</eqn></aux>')
        v.append(f'<aux name="p_{s}"><eqn>{0.01 + 0.001 * s:.3f}</eqn></aux>')
        v.append(f'<aux name="q_{s}"><eqn>{0.3 + 0.01 * s:.2f}</eqn></aux>')
        for k in range(COHORTS):
            inflow = f"sales_{s}" if k == 0 else f"aging_{s}_{k - 1}"
            outflow = f"aging_{s}_{k}" if k < COHORTS - 1 else f"retirement_{s}"
            v.append(f'<stock name="cohort_{s}_{k}"><eqn>{1 if k == 0 else 0}</eqn>'
                     f'<inflow>{inflow}</inflow><outflow>{outflow}</outflow></stock>')
            v.append(f'<flow name="{outflow}"><eqn>cohort_{s}_{k} / (life / {COHORTS})</eqn></flow>')
        v.append(f'<aux name="fleet_{s}"><eqn>{" + ".join(f"cohort_{s}_{k}" for k in range(COHORTS))}</eqn></aux>')
        v.append(f'<aux name="cost_{s}"><eqn>base_cost * EXP(-learning * fleet_{s} / market_{s})</eqn></aux>')
        v.append(f'<aux name="attractiveness_{s}"><eqn>1 / (1 + cost_{s} / 100)</eqn></aux>')
        v.append(f'<flow name="sales_{s}"><eqn>(p_{s} + q_{s} * fleet_{s} / market_{s}) * '
                 f'MAX(0, market_{s} - fleet_{s}) * attractiveness_{s}</eqn></flow>')
        v.append(f'<aux name="share_{s}"><eqn>fleet_{s} / total_fleet</eqn></aux>')
    v.append(f'<aux name="total_fleet"><eqn>{" + ".join(f"fleet_{s}" for s in range(SEGMENTS))}</eqn></aux>')
    body = "\n      ".join(v)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>h2sim benchmarks</vendor><product version="1.0">peers.py</product></header>
  <sim_specs method="Euler" time_units="Years"><start>0</start><stop>30</stop><dt>0.0625</dt></sim_specs>
  <model>
    <variables>
      {body}
    </variables>
  </model>
</xmile>
"""


FLEET_CXX = r"""// The fleet model's equations as plain C++ (benchmarks/peers.py): the ceiling for h2sim.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <vector>
constexpr int S = %(segments)d, K = %(cohorts)d;
constexpr int STEPS = %(steps)d, VARIABLES = 4 + S * (8 + 2 * K);
// every: save every variable at every step (as a single run of h2sim reports all of them); else
// the three outputs the batch keeps (total fleet, fleet_0, cohort_19_7), as h2sim's batch does.
static double run(double p0, std::vector<double>& out, bool every) {
  const double dt = 0.0625, life = 12, base_cost = 100, learning = 0.3;
  double market[S], p[S], q[S], cohort[S][K], flow[S][K], sales[S], fleet[S], cost[S], attract[S];
  for (int s = 0; s < S; ++s) {
    market[s] = 1000.0 * (s + 1); p[s] = 0.01 + 0.001 * s; q[s] = 0.3 + 0.01 * s;
    for (int k = 0; k < K; ++k) cohort[s][k] = k == 0 ? 1 : 0;
  }
  p[0] = p0;
  double* o = out.data();
  for (int step = 0;; ++step) {
    double total = 0;
    for (int s = 0; s < S; ++s) {
      double f = 0;
      for (int k = 0; k < K; ++k) f += cohort[s][k];
      fleet[s] = f;
      total += f;
      cost[s] = base_cost * std::exp(-learning * f / market[s]);
      attract[s] = 1 / (1 + cost[s] / 100);
      sales[s] = (p[s] + q[s] * f / market[s]) * std::max(0.0, market[s] - f) * attract[s];
      for (int k = 0; k < K; ++k) flow[s][k] = cohort[s][k] / (life / K);
    }
    if (!every) {
      *o++ = total; *o++ = fleet[0]; *o++ = cohort[S - 1][K - 1];
      if (step == STEPS) return total;
    } else {
    *o++ = life; *o++ = base_cost; *o++ = learning; *o++ = total;
    for (int s = 0; s < S; ++s) {
      *o++ = market[s]; *o++ = p[s]; *o++ = q[s]; *o++ = fleet[s]; *o++ = cost[s];
      *o++ = attract[s]; *o++ = sales[s]; *o++ = fleet[s] / total;
      for (int k = 0; k < K; ++k) { *o++ = cohort[s][k]; *o++ = flow[s][k]; }
    }
    }
    if (step == STEPS) break;
    for (int s = 0; s < S; ++s)
      for (int k = 0; k < K; ++k)
        cohort[s][k] += dt * ((k == 0 ? sales[s] : flow[s][k - 1]) - flow[s][k]);
  }
  return out[static_cast<size_t>(STEPS) * VARIABLES + 3];  // total fleet at the stop time
}
int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 1000;
  std::vector<double> out(static_cast<size_t>(STEPS + 1) * VARIABLES);
  const double total = run(0.01, out, true);
  double sink = 0;
  // CPU time, as the script measures h2sim's.
  const std::clock_t t0 = std::clock();
  for (int r = 0; r < 200; ++r) sink += run(0.01, out, true);
  const std::clock_t t1 = std::clock();
  for (int r = 0; r < runs; ++r) sink += run(0.01 + 0.02 * r / runs, out, false);
  const std::clock_t t2 = std::clock();
  std::printf("%%.17g %%.9g %%.9g %%g\n", total, double(t1 - t0) / CLOCKS_PER_SEC / 200,
              double(t2 - t1) / CLOCKS_PER_SEC / runs, sink);
}
"""


# What one division costs, scalar and on eight lanes: the fleet model divides 260 times a
# step, and division is the one operation whose lanes barely pay (a divider is not eight
# times wider), so this sets the floor of a batch run and the most lanes can gain on it.
DIVISION_C = r"""
#include <stdio.h>
#include <time.h>
typedef double v8 __attribute__((vector_size(64)));
static double cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }
int main(void) {
  const long n = 100000000;
  volatile double seed = 1.0000001;
  const double d = seed;
  double a[8];
  v8 b[4], dv;
  for (int i = 0; i < 8; ++i) { a[i] = 1e300 + i; dv[i] = d; for (int k = 0; k < 4; ++k) b[k][i] = 1e300 + i; }
  double t0 = cpu();
  for (long i = 0; i < n / 8; ++i) for (int k = 0; k < 8; ++k) a[k] = a[k] / d;  /* 8 chains */
  double t1 = cpu();
  for (long i = 0; i < n / 32; ++i) for (int k = 0; k < 4; ++k) b[k] = b[k] / dv;
  double t2 = cpu();
  printf("%.6g %.6g %g\n", (t1 - t0) / n, (t2 - t1) / n, a[3] + b[1][2]);
  return 0;
}
"""


def division_costs(folder: Path) -> tuple[float, float] | None:
    """Seconds per divided value: scalar, and on eight lanes (the compiled backend's flags)."""
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        return None
    source = folder / "division.c"
    source.write_text(DIVISION_C)
    binary = folder / "division"
    # No auto-vectorisation: the scalar loop must stay scalar, as the twin's divisions are.
    subprocess.run([compiler, "-O2", "-march=native", "-fno-tree-vectorize", "-ffp-contract=off",
                    "-o", str(binary), str(source)], check=True)
    scalar, lanes, _ = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout.split()
    return float(scalar), float(lanes)


def build_twin(folder: Path) -> Path | None:
    compiler = shutil.which(os.environ.get("CXX", "c++")) or shutil.which("g++")
    if compiler is None:
        print("  the C++ twin is skipped: no C++ compiler")
        return None
    source = folder / "fleet_twin.cpp"
    source.write_text(FLEET_CXX % {"segments": SEGMENTS, "cohorts": COHORTS, "steps": STEPS})
    binary = folder / "fleet_twin"
    subprocess.run([compiler, "-O3", "-march=native", "-std=c++17", "-o", str(binary), str(source)], check=True)
    return binary


# --- the tools ------------------------------------------------------------------------------------
class Tool:
    """One tool on one model: run(params) -> DataFrame indexed by time; batch(column, values)."""

    name = ""

    def run(self, params=None):
        raise NotImplementedError

    def loop(self, column, values):
        for value in values:
            self.run({column: value})


class H2sim(Tool):
    def __init__(self, path, compiled=False):
        self.name = "h2sim compiled" if compiled else "h2sim"
        self.model = h2sim.load(path, backend="compiled" if compiled else "interpreter")
        if compiled and self.model.backend != "compiled":
            raise RuntimeError(f"not compiled: {self.model.build_info['reason']}")
        self.build_seconds = (self.model.build_info or {}).get("seconds")

    def run(self, params=None):
        return self.model.run(params=params)

    def batch(self, column, values, threads=1, outputs=None):
        return self.model.run_batch(pd.DataFrame({column: values}), return_columns=outputs, threads=threads,
                                    progress=False)


class Simlin(Tool):
    name = "pysimlin"

    def __init__(self, path):
        import simlin

        self.model = simlin.load(str(path))

    def run(self, params=None):
        return self.model.run(overrides=params, analyze_loops=False).results


class PySD(Tool):
    name = "PySD"

    def __init__(self, path):
        import pysd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model = pysd.read_xmile(str(path)) if str(path).endswith(".xmile") else pysd.read_vensim(str(path))

    def run(self, params=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.model.run(params=params or {}, progress=False)


def key(name: str) -> str:
    return h2sim.canonical_name(str(name)).replace('"', "")


def column(frame: pd.DataFrame, name: str) -> np.ndarray:
    for c in frame.columns:
        if key(c) == key(name):
            return frame[c].to_numpy(dtype=float)
    raise KeyError(name)


def agree(reference: pd.DataFrame, other: pd.DataFrame, names) -> str:
    """"" when every named output agrees at the common saved times, else what differs."""
    times = np.intersect1d(np.round(reference.index.to_numpy(dtype=float), 9),
                           np.round(other.index.to_numpy(dtype=float), 9))
    if len(times) < 2:
        return "no common saved times"
    for name in names:
        try:
            a = pd.Series(column(reference, name), index=np.round(reference.index.to_numpy(dtype=float), 9))
            b = pd.Series(column(other, name), index=np.round(other.index.to_numpy(dtype=float), 9))
        except KeyError:
            return f"no output {name!r}"
        a, b = a.loc[times].to_numpy(), b.loc[times].to_numpy()
        if not np.allclose(a, b, rtol=1e-6, atol=1e-9):
            worst = int(np.argmax(np.abs(a - b)))
            return f"{name} differs: {a[worst]} against {b[worst]} at time {times[worst]}"
    return ""


def timed(f, repeat: int, calls: int) -> float:
    """CPU seconds per call (the machine is shared: wall time would count other people's work):
    the best of `repeat` rounds, each the mean of `calls` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(calls):
            f()
        best = min(best, (time.process_time() - start) / calls)
    return best


def cpu_timed(f) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    f()
    return time.perf_counter() - wall, time.process_time() - cpu


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


# --- one case -------------------------------------------------------------------------------------
def case(label, path, compare, vary, args, yaml_path=None):
    """Loads every tool, checks agreement, times single runs and batches; returns table rows."""
    print(f"\n{label}: {path.name}")
    tools = []
    h2 = H2sim(yaml_path or path)
    tools.append(h2)
    try:
        compiled = H2sim(yaml_path or path, compiled=True)
        print(f"  h2sim compiled: built in {compiled.build_seconds:.2f} s")
        tools.append(compiled)
    except RuntimeError as error:
        print(f"  h2sim compiled is skipped: {error}")
    for cls in (Simlin, PySD):
        try:
            tools.append(cls(path))
        except ImportError:
            print(f"  {cls.name} is skipped: not installed (pip install {cls.name.lower()})")
        except Exception as error:  # noqa: BLE001 - a peer that cannot read the model is reported
            print(f"  {cls.name} is skipped: cannot read the model ({type(error).__name__}: {str(error)[:120]})")
    reference = h2.run()
    timed_tools = []
    for tool in tools:
        try:
            problem = agree(reference, tool.run(), compare)
        except Exception as error:  # noqa: BLE001
            problem = f"fails to run ({type(error).__name__}: {str(error)[:120]})"
        if problem:
            print(f"  {tool.name} is not timed: {problem}")
        else:
            timed_tools.append(tool)
    name, low, high = vary
    values = np.linspace(low, high, args.batch)
    rows = []
    for tool in timed_tools:
        one = timed(lambda t=tool: t.run(), args.repeat, 3 if "PySD" in tool.name else 20)
        if isinstance(tool, H2sim):
            # An ensemble keeps a few outputs: the compared ones (every variable of 10,000 runs
            # of the fleet model would be 19 GB).
            tool.batch(name, values[:64], outputs=compare)
            per_run = timed(lambda t=tool: t.batch(name, values, outputs=compare), 1, 1) / args.batch
            how = f"run_batch of {args.batch}, 1 thread, {len(compare)} outputs"
        else:
            subset = values[: min(args.batch, 20 if tool.name == "PySD" else 500)]
            per_run = timed(lambda t=tool: t.loop(name, subset), 1, 1) / len(subset)
            how = f"loop of {len(subset)} runs"
        rows.append([label, tool.name, one, per_run, how])
        print(f"  {tool.name:15s} one run {fmt(one):>9s}   per run in a batch {fmt(per_run):>9s} ({how})")
    return rows, h2, timed_tools


def fleet_extras(args, folder, h2_tools, rows):
    twin = build_twin(folder)
    if twin is not None:
        total, one, per_run, _ = subprocess.run([str(twin), str(args.batch)], check=True, capture_output=True,
                                                text=True).stdout.split()
        ours = float(column(h2_tools[0].run(), "total_fleet")[-1])
        if abs(float(total) - ours) > 1e-9 * abs(ours):
            print(f"  the C++ twin disagrees: total fleet {total} against h2sim's {ours}")
        else:
            rows.append(["fleet", "plain C++ (-O3 -march=native)", float(one), float(per_run),
                         f"loop of {args.batch} runs"])
            print(f"  {'plain C++':15s} one run {fmt(float(one)):>9s}   per run in a batch {fmt(float(per_run)):>9s}")
            costs = division_costs(folder)
            if costs is not None:
                scalar, lanes = costs
                divisions = FLEET_DIVISIONS * (STEPS + 1)
                print(f"  division: {scalar * 1e9:.2f} ns a value scalar, {lanes * 1e9:.2f} ns on eight lanes "
                      f"({scalar / lanes:.2f}x); {FLEET_DIVISIONS} divisions a step take the twin at least "
                      f"{fmt(divisions * scalar)} a run and a batch at least {fmt(divisions * lanes)} a run, "
                      f"so a batch can be at most {float(per_run) / (divisions * lanes):.2f}x faster than the twin")
    # Parallel efficiency: the same batch on 1 and 2 threads, wall and CPU time.
    values = np.linspace(0.01, 0.03, args.batch)
    for tool in h2_tools:
        if not isinstance(tool, H2sim):
            continue
        w1, c1 = cpu_timed(lambda t=tool: t.batch("p_0", values, threads=1, outputs=["total_fleet"]))
        w2, c2 = cpu_timed(lambda t=tool: t.batch("p_0", values, threads=2, outputs=["total_fleet"]))
        print(f"  {tool.name}: {args.batch} runs on 1 thread {w1:.2f} s wall ({c1:.2f} s CPU), on 2 threads "
              f"{w2:.2f} s wall ({c2:.2f} s CPU): efficiency {w1 / (2 * w2):.0%} by wall time, "
              f"{c1 / c2:.0%} by CPU time; load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10000, help="runs in a batch (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of single-run timing (default 5)")
    parser.add_argument("--cases", default="teacup,sir,fleet,hydrogen")
    args = parser.parse_args()
    cases = args.cases.split(",")
    print(f"h2sim {h2sim.__version__} on {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ.setdefault("H2SIM_CACHE_DIR", str(folder / "cache"))
        if "teacup" in cases or "sir" in cases:
            if not SHARED.is_dir():
                print(f"teacup and SIR are skipped: {SHARED} is absent")
            else:
                if "teacup" in cases:
                    rows += case("teacup", SHARED / "teacup" / "teacup.xmile", ["teacup_temperature"],
                                 ("room_temperature", 60, 80), args)[0]
                if "sir" in cases:
                    rows += case("SIR", SHARED / "SIR" / "SIR.xmile", ["infectious", "susceptible"],
                                 ("contact_infectivity", 0.2, 0.4), args)[0]
        if "fleet" in cases:
            path = folder / "fleet.xmile"
            path.write_text(fleet_xmile())
            fleet_rows, _, tools = case("fleet", path, ["total_fleet", "fleet_0", "cohort_19_7"],
                                        ("p_0", 0.01, 0.03), args)
            rows += fleet_rows
            fleet_extras(args, folder, tools, rows)
        if "hydrogen" in cases:
            yaml_path = ROOT / "scenarios" / "zhejiang" / "baseline.yaml"
            path = folder / "zhejiang.xmile"
            h2sim.load(yaml_path).to_xmile(path)
            rows += case("Zhejiang", path, ["fcev_fleet_total"], ("marketing", 0.01, 0.04),
                         argparse.Namespace(batch=min(args.batch, 512), repeat=max(1, args.repeat // 2)),
                         yaml_path=yaml_path)[0]
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end\n")
    print("| model | tool | one run from Python (CPU) | per run in a batch (CPU) | how | one run vs h2sim | batch vs h2sim |")
    print("|---|---|---:|---:|---|---:|---:|")
    base = {(r[0]): r for r in rows if r[1] == "h2sim"}
    for model, tool, one, per_run, how in rows:
        ref = base.get(model)
        ratio = lambda a, b: f"{a / b:.2g}x" if b else "-"  # noqa: E731
        print(f"| {model} | {tool} | {fmt(one)} | {fmt(per_run)} | {how} | "
              f"{ratio(one, ref[2]) if ref else '-'} | {ratio(per_run, ref[3]) if ref else '-'} |")


if __name__ == "__main__":
    sys.exit(main())
