#!/usr/bin/env python3
"""The flagship run: Zhejiang's hydrogen pilots, baseline against the 2025 plan.

Runs scenarios/zhejiang/baseline.yaml and scenarios/zhejiang/plan_2025.yaml, prints the
key outputs at the ends of 2025, 2030 and 2035 beside the plan's targets, and writes a
chart and the runs as CSV (default folder: results/).

    python3 scripts/flagship.py [--out results]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import h2sim

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "baseline": ROOT / "scenarios/zhejiang/baseline.yaml",
    "plan": ROOT / "scenarios/zhejiang/plan_2025.yaml",
}
# Zhejiang's targets for the end of 2025 (shared/data/zhejiang_hydrogen_facts.csv).
TARGETS_2025 = {"fcev_fleet_total": 5000, "stations_operating_total": 50, "refuelling_capacity_t_per_day": 35.5}
YEARS = (2025, 2030, 2035)  # ends of these years: t = year + 1

ROWS = [  # (label, column, scale, format)
    ("FCEVs on the road", "fcev_fleet_total", 1, "{:,.0f}"),
    ("  buses", "fcev_fleet[bus]", 1, "{:,.0f}"),
    ("  logistics vehicles", "fcev_fleet[logistics]", 1, "{:,.0f}"),
    ("  heavy trucks", "fcev_fleet[heavy_truck]", 1, "{:,.0f}"),
    ("  cars", "fcev_fleet[car]", 1, "{:,.0f}"),
    ("stations operating", "stations_operating_total", 1, "{:,.1f}"),
    ("refuelling capacity (t/day)", "refuelling_capacity_t_per_day", 1, "{:,.1f}"),
    ("H2 demand (t/day)", "h2_demand_t_per_day", 1, "{:,.1f}"),
    ("H2 pump price (CNY/kg)", "h2_price_cny_per_kg", 1, "{:,.1f}"),
    ("storage (days of cover)", "storage_days_of_cover", 1, "{:,.1f}"),
    ("CO2 avoided (kt/year)", "co2_avoided_t_per_year", 1e-3, "{:,.1f}"),
    ("public spending (M CNY/year)", "public_spending_cny_per_year", 1e-6, "{:,.0f}"),
    ("industry output (M CNY/year)", "h2_industry_output_cny_per_year", 1e-6, "{:,.0f}"),
]


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
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    def render(row):
        return "  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row))
    rule = "-" * len(render(header))
    return "\n".join([render(header), rule, *[render(r) for r in lines]])


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
    targets = {"fcev_fleet_total": [(2026.0, 5000, "2025 target")],
               "stations_operating_total": [(2026.0, 50, "2025 target")]}
    fig = h2sim.plot_comparison(results, variables, targets=targets,
                                title="Zhejiang hydrogen pilots: baseline and the 2025 plan "
                                      "(time: t = 2026 is the end of 2025; stars: 2025 targets)")
    write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "results"), help="folder for the chart and CSV files")
    args = parser.parse_args(argv)
    out = Path(args.out)

    results = {}
    for name, path in SCENARIOS.items():
        model = h2sim.load(path)
        for warning in model.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        frame = model.run()
        # The 2023 station plan counts capacity: stations times the average station size.
        station_size = model.parameters.loc["stations.station_capacity", "value"]
        frame["refuelling_capacity_t_per_day"] = frame["stations_operating_total"] * station_size
        frame.attrs["units"]["refuelling_capacity_t_per_day"] = "t/day"
        results[name] = frame

    print("Zhejiang hydrogen pilots - key outputs at the end of each year")
    print("(baseline: the policies in force; plan 2025: the levers that reach the 2025 targets)\n")
    print(summary_table(results))
    base, plan = results["baseline"], results["plan"]
    print(f"\nAt the end of 2022 the baseline has {base.loc[2023.0, 'stations_operating_total']:.0f} stations "
          f"and {base.loc[2023.0, 'fcev_fleet_total']:.0f} vehicles (reported: 22 stations, more than 200 "
          "vehicles): stations ahead of vehicles.")
    spending = (plan["public_spending_cny_per_year"] - base["public_spending_cny_per_year"])
    extra = spending.loc[2023.0:2026.0].iloc[:-1].mean() * 3 * 1e-9
    print(f"The plan reaches {plan.loc[2026.0, 'fcev_fleet_total']:,.0f} vehicles and "
          f"{plan.loc[2026.0, 'stations_operating_total']:.0f} stations by the end of 2025 for about "
          f"{extra:.1f} bn CNY of extra public spending over 2023-2025.")

    for name, frame in results.items():
        csv = out / f"zhejiang_{'baseline' if name == 'baseline' else 'plan_2025'}.csv"
        write_atomically(csv, lambda tmp, f=frame: f.to_csv(tmp))
    png = out / "zhejiang_flagship.png"
    chart(results, png)
    print(f"\nChart: {png}\nRuns:  {out}/zhejiang_baseline.csv, {out}/zhejiang_plan_2025.csv")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except h2sim.Error as error:
        print(f"flagship: error: {error}", file=sys.stderr)
        sys.exit(1)
