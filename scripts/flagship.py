#!/usr/bin/env python3
"""The flagship run: Zhejiang's hydrogen pilots, the baseline against the 2025 plan as written.

Prints, in order:

1. the validation summary (scripts/validation.py): the model fitted to China and Zhejiang up to
   the end of 2022 and checked on 2023-2024, MAPE and Theil's statistics per series;
2. the key outputs of scenarios/zhejiang/baseline.yaml and plan_2025.yaml at the ends of 2025,
   2030 and 2035 beside the plan's 2025 targets;
3. how robustly the plan reaches its 2025 targets (5,000 vehicles, 50 stations): a one-at-a-time
   tornado of the end-2025 fleet over every declared uncertainty range (and over the plan's
   implementation, from the commitment history shows to the plan as written), and the share of a
   seeded Latin-hypercube ensemble over those ranges (run through Model.run_batch) that reaches
   each target.

It writes a chart, a tornado chart, the two runs and the ensemble as CSV (default folder: results/).

    python3 scripts/flagship.py [--out results] [--runs 256] [--seed 2025]

The ensemble code is kept small on purpose: the exploration toolkit (issue 11) will replace
`latin_hypercube` and `ensemble` with its samplers and robustness measures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import h2sim

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import validation  # noqa: E402  (scripts/validation.py)

SCENARIOS = {
    "baseline": ROOT / "scenarios/zhejiang/baseline.yaml",
    "plan": ROOT / "scenarios/zhejiang/plan_2025.yaml",
}
# Zhejiang's targets for the end of 2025 (data/zhejiang_hydrogen_facts.csv).
TARGETS_2025 = {"fcev_fleet_total": 5000, "stations_operating_total": 50, "refuelling_capacity_t_per_day": 35.5}
END_2025 = 2026.0
YEARS = (2025, 2030, 2035)  # ends of these years: t = year + 1

ROWS = [  # (label, column, scale, format)
    ("FCEVs on the road", "fcev_fleet_total", 1, "{:,.0f}"),
    ("  buses", "fcev_fleet[bus]", 1, "{:,.0f}"),
    ("  logistics vehicles", "fcev_fleet[logistics]", 1, "{:,.0f}"),
    ("  heavy trucks", "fcev_fleet[heavy_truck]", 1, "{:,.0f}"),
    ("  cars", "fcev_fleet[car]", 1, "{:,.0f}"),
    ("FCEVs sold so far", "fcev_sales_cumulative_total", 1, "{:,.0f}"),
    ("stations operating", "stations_operating_total", 1, "{:,.1f}"),
    ("refuelling capacity (t/day)", "refuelling_capacity_t_per_day", 1, "{:,.1f}"),
    ("H2 demand (t/day)", "h2_demand_t_per_day", 1, "{:,.1f}"),
    ("H2 pump price (CNY/kg)", "h2_price_cny_per_kg", 1, "{:,.1f}"),
    ("storage (days of cover)", "storage_days_of_cover", 1, "{:,.1f}"),
    ("CO2 avoided (kt/year)", "co2_avoided_t_per_year", 1e-3, "{:,.1f}"),
    ("public spending (M CNY/year)", "public_spending_cny_per_year", 1e-6, "{:,.0f}"),
    ("industry output (M CNY/year)", "h2_industry_output_cny_per_year", 1e-6, "{:,.0f}"),
]


def render_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row))
    return "\n".join([line(header), "-" * len(line(header)), *[line(r) for r in rows]])


def summary_table(results: dict) -> str:
    header = ["", *[f"{name} {y}" for name in results for y in YEARS], "target 2025"]
    lines = []
    for label, column, scale, fmt in ROWS:
        cells = [label]
        for frame in results.values():
            for y in YEARS:
                cells.append(fmt.format(frame.loc[float(y + 1), column] * scale))
        target = TARGETS_2025.get(column)
        cells.append(f"{target:,}" if target is not None else "")
        lines.append(cells)
    return render_table(header, lines)


def validation_summary() -> str:
    frames = {region: validation.run(region) for region in validation.SCENARIOS}
    rows = validation.evaluate(frames)
    stats = sorted(validation.table_by_series(rows), key=lambda s: (s["region"] != "china", s["use"], s["series"]))
    table = [[s["region"], validation.SERIES_TEXT.get(s["series"], s["series"]),
              "in sample" if s["use"] == "fit" else "OUT OF SAMPLE", str(s["n"]), f"{100 * s['mape']:.1f} %",
              validation.fmt(s["um"]), validation.fmt(s["us"]), validation.fmt(s["uc"])] for s in stats]
    text = render_table(["region", "series", "sample", "n", "MAPE", "U_M", "U_S", "U_C"], table)
    failed = [c for c in validation.checks(rows) if not c["passed"]]
    text += (f"\n{len(validation.checks(rows)) - len(failed)} of {len(validation.checks(rows))} bounds and "
             "cross-sections hold (docs/model/validation.md lists them).")
    return text


# --- robustness -----------------------------------------------------------------------------------
def declared_uncertainty(model: h2sim.Model) -> dict[str, tuple[float, float, float]]:
    """Constants with a declared range that the scenario does not schedule and that are not
    policy levers: name -> (low, central, high)."""
    variables = model.variables
    scheduled = {lever["name"] for lever in model.levers}
    values = model.parameters["value"]
    out = {}
    for name, row in variables[variables["kind"] == "constant"].iterrows():
        u = row["uncertainty"]
        if not isinstance(u, dict) or row["lever"] or name in scheduled or row["dimensions"]:
            continue
        if u["type"] != "uniform":
            continue
        out[name] = (float(u["low"]), float(values[name]), float(u["high"]))
    return out


def latin_hypercube(ranges: dict[str, tuple[float, float, float]], runs: int, seed: int) -> pd.DataFrame:
    from scipy.stats import qmc
    names = list(ranges)
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(runs)
    low = np.array([ranges[n][0] for n in names])
    high = np.array([ranges[n][2] for n in names])
    return pd.DataFrame(qmc.scale(unit, low, high), columns=names)


def ensemble(model: h2sim.Model, table: pd.DataFrame) -> pd.DataFrame:
    """End-2025 fleet and stations of every run of the table (one batch on the C++ lanes)."""
    result = model.run_batch(table, return_columns=["fcev_fleet_total", "stations_operating_total"],
                             stop=END_2025, save_every=1.0, progress=False)
    at = result.sel(time=END_2025)
    return pd.DataFrame({"fcev_fleet_total": at["fcev_fleet_total"].to_numpy(),
                         "stations_operating_total": at["stations_operating_total"].to_numpy()}, index=table.index)


def tornado(model: h2sim.Model, ranges: dict, implementation: tuple[float, pd.Series, pd.Series]) -> pd.DataFrame:
    """End-2025 fleet and stations with each uncertain value at its low and high end, the
    others central; and with the plan implemented at the commitment history shows."""
    columns = ["fcev_fleet_total", "stations_operating_total"]
    central = model.run(return_columns=columns, stop=END_2025).loc[END_2025]
    rows = []
    for name, (low, _, high) in ranges.items():
        lo = model.run(params={name: low}, return_columns=columns, stop=END_2025).loc[END_2025]
        hi = model.run(params={name: high}, return_columns=columns, stop=END_2025).loc[END_2025]
        rows.append({"parameter": name, "low": low, "high": high,
                     "fleet_at_low": lo["fcev_fleet_total"], "fleet_at_high": hi["fcev_fleet_total"],
                     "stations_at_low": lo["stations_operating_total"], "stations_at_high": hi["stations_operating_total"]})
    history, schedule_history, schedule_plan = implementation
    lo = model.run(params={"fleet_plan_commitment": schedule_history}, return_columns=columns, stop=END_2025).loc[END_2025]
    rows.append({"parameter": "implementation: fleet_plan_commitment from 2023", "low": history, "high": 1.0,
                 "fleet_at_low": lo["fcev_fleet_total"], "fleet_at_high": central["fcev_fleet_total"],
                 "stations_at_low": lo["stations_operating_total"], "stations_at_high": central["stations_operating_total"]})
    frame = pd.DataFrame(rows)
    frame["swing"] = (frame["fleet_at_high"] - frame["fleet_at_low"]).abs()
    frame.attrs["central"] = central
    return frame.sort_values("swing", ascending=False).reset_index(drop=True)


def implementation_schedules(plan: h2sim.Model, baseline: h2sim.Model):
    """The plan's fleet commitment as scheduled (history, then 1 from 2023), and the same with
    the historical value kept after 2023."""
    history = float(baseline.parameters.loc["fleet_plan_commitment", "value"])
    start, stop = plan.time["start"], plan.time["stop"]
    kept = pd.Series([history, history], index=[start, stop])
    as_written = pd.Series([history, history, 1.0, 1.0], index=[start, 2023.0 - 1e-9, 2023.0, stop])
    return history, kept, as_written


def robustness_text(tor: pd.DataFrame, ens: pd.DataFrame, runs: int, seed: int, n_uncertain: int) -> str:
    central = tor.attrs["central"]
    fleet_target, station_target = TARGETS_2025["fcev_fleet_total"], TARGETS_2025["stations_operating_total"]
    lines = [f"The plan as written, central values: {central['fcev_fleet_total']:,.0f} vehicles and "
             f"{central['stations_operating_total']:.1f} stations at the end of 2025 "
             f"(targets {fleet_target:,} and {station_target}).", "",
             "Tornado of the end-2025 fleet (one value at a time at the ends of its declared range, the rest "
             "central; the largest swings first):", ""]
    table = []
    for _, r in tor.head(12).iterrows():
        table.append([r["parameter"], f"{r['low']:g} .. {r['high']:g}", f"{r['fleet_at_low']:,.0f}",
                      f"{r['fleet_at_high']:,.0f}", f"{r['stations_at_low']:.1f} / {r['stations_at_high']:.1f}"])
    lines.append(render_table(["parameter", "range", "fleet at low", "fleet at high", "stations low / high"], table))
    by_stations = tor.assign(station_swing=(tor["stations_at_high"] - tor["stations_at_low"]).abs()) \
        .sort_values("station_swing", ascending=False).head(3)
    by_stations = by_stations[by_stations["station_swing"] > 0.05]
    lines += ["", "The end-2025 stations move only with: " + "; ".join(
        f"{r['parameter']} {r['stations_at_low']:.1f} .. {r['stations_at_high']:.1f}" for _, r in by_stations.iterrows())]
    fleet_ok = ens["fcev_fleet_total"] >= fleet_target
    stations_ok = ens["stations_operating_total"] >= station_target
    q = ens["fcev_fleet_total"].quantile([0.05, 0.5, 0.95])
    lines += ["", f"Latin-hypercube ensemble: {runs} runs over the {n_uncertain} declared ranges (seed {seed}), "
              "the plan implemented as written:",
              f"  reach 5,000 vehicles: {100 * fleet_ok.mean():.0f} % of runs; reach 50 stations: "
              f"{100 * stations_ok.mean():.0f} %; both: {100 * (fleet_ok & stations_ok).mean():.0f} %",
              f"  end-2025 fleet: median {q[0.5]:,.0f}, 90 % of runs between {q[0.05]:,.0f} and {q[0.95]:,.0f}; "
              f"stations between {ens['stations_operating_total'].quantile(0.05):.1f} and "
              f"{ens['stations_operating_total'].quantile(0.95):.1f}"]
    return "\n".join(lines)


# --- output ---------------------------------------------------------------------------------------
def write_atomically(path: Path, write) -> None:
    """Writes through a temporary file in the same folder: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def chart(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    variables = ["fcev_fleet_total", "stations_operating_total", "h2_demand_t_per_day",
                 "h2_price_cny_per_kg", "co2_avoided_t_per_year", "public_spending_cny_per_year"]
    targets = {"fcev_fleet_total": [(END_2025, 5000, "2025 target")],
               "stations_operating_total": [(END_2025, 50, "2025 target")]}
    fig = h2sim.plot_comparison(results, variables, targets=targets,
                                title="Zhejiang hydrogen pilots: baseline and the 2025 plan as written "
                                      "(t = 2026 is the end of 2025; stars: 2025 targets)")
    write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))


def tornado_chart(tor: pd.DataFrame, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    top = tor.head(12).iloc[::-1]
    central = tor.attrs["central"]["fcev_fleet_total"]
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (_, r) in enumerate(top.iterrows()):
        lo, hi = sorted([r["fleet_at_low"], r["fleet_at_high"]])
        ax.barh(i, hi - lo, left=lo, color="tab:blue", alpha=0.7)
    ax.set_yticks(range(len(top)), [p.split(".")[-1] for p in top["parameter"]], fontsize=8)
    ax.axvline(central, color="black", lw=1, label="central")
    ax.axvline(TARGETS_2025["fcev_fleet_total"], color="tab:red", ls="--", lw=1, label="2025 target")
    ax.set_xlabel("fuel-cell vehicles at the end of 2025")
    ax.set_title("Plan as written: end-2025 fleet, one uncertain value at a time")
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "results"), help="folder for the charts and CSV files")
    parser.add_argument("--runs", type=int, default=256, help="runs in the Latin-hypercube ensemble")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the ensemble")
    args = parser.parse_args(argv)
    out = Path(args.out)

    print("1. Validation: fitted to 2022, checked on 2023-2024 (docs/model/validation.md)\n")
    print(validation_summary())

    models, results = {}, {}
    for name, path in SCENARIOS.items():
        model = h2sim.load(path)
        for warning in model.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        frame = model.run(return_columns=[*dict.fromkeys([*model.outputs, "fcev_fleet", "storage_days_of_cover"])])
        capacity = model.run(return_columns=["stations.throughput_capacity"], save_every=model.time["save_every"])
        frame["refuelling_capacity_t_per_day"] = capacity.sum(axis=1) / 365.0
        frame.attrs["units"]["refuelling_capacity_t_per_day"] = "t/day"
        models[name], results[name] = model, frame

    print("\n2. Zhejiang: the baseline (plans pursued as history shows) and the 2025 plan as written\n")
    print(summary_table(results))
    base = results["baseline"]
    print(f"\nAt the end of 2022 the baseline has {base.loc[2023.0, 'stations_operating_total']:.0f} stations "
          f"and {base.loc[2023.0, 'fcev_fleet_total']:.0f} vehicles (reported: 22 stations, more than 200 "
          "vehicles): stations ahead of vehicles.")

    print("\n3. How robustly the plan reaches its 2025 targets\n")
    plan = models["plan"]
    ranges = declared_uncertainty(plan)
    tor = tornado(plan, ranges, implementation_schedules(plan, models["baseline"]))
    table = latin_hypercube(ranges, args.runs, args.seed)
    ens = ensemble(plan, table)
    print(robustness_text(tor, ens, args.runs, args.seed, len(ranges)))

    for name, frame in results.items():
        csv = out / f"zhejiang_{'baseline' if name == 'baseline' else 'plan_2025'}.csv"
        write_atomically(csv, lambda tmp, f=frame: f.to_csv(tmp))
    write_atomically(out / "zhejiang_plan_ensemble.csv", lambda tmp: pd.concat([table, ens], axis=1).to_csv(tmp))
    write_atomically(out / "zhejiang_plan_tornado.csv", lambda tmp: tor.to_csv(tmp, index=False))
    chart(results, out / "zhejiang_flagship.png")
    tornado_chart(tor, out / "zhejiang_plan_tornado.png")
    print(f"\nCharts: {out}/zhejiang_flagship.png, {out}/zhejiang_plan_tornado.png")
    print(f"Runs:   {out}/zhejiang_baseline.csv, {out}/zhejiang_plan_2025.csv, "
          f"{out}/zhejiang_plan_ensemble.csv, {out}/zhejiang_plan_tornado.csv")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except h2sim.Error as error:
        print(f"flagship: error: {error}", file=sys.stderr)
        sys.exit(1)
