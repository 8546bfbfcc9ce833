#!/usr/bin/env python3
"""The flagship run: Zhejiang's hydrogen pilots, the baseline against the 2025 plan as written.

Prints, in order:

1. the validation summary (scripts/validation.py): the model fitted to China and Zhejiang up to
   the end of 2022 and checked on 2023-2024, MAPE and Theil's statistics per series;
2. the key outputs of scenarios/zhejiang/baseline.yaml and plan_2025.yaml at the ends of 2025,
   2030 and 2035 beside the plans' 2025 targets: vehicles and stations, the battery-electric
   competitor, new-type storage, and the hydrogen chain's output with its equipment makers;
3. how robustly the plan reaches its 2025 targets (5,000 vehicles, 50 stations, 35.5 t/day of
   refuelling capacity): a one-at-a-time tornado of the end-2025 fleet over every declared
   uncertainty range (and over the plan's implementation, from the commitment history shows to the
   plan as written), the share of a seeded Latin-hypercube ensemble over those ranges (run with
   h2sim.explore) that reaches each target, and where the plan misses (PRIM, h2sim.discover).

The targets are the `targets:` section of scenarios/zhejiang/baseline.yaml (read with
h2sim.read_targets), where they are written once with their sources.

4. the industry hub (scenarios/zhejiang/industry_hub.yaml) and large-scale storage
   (scenarios/zhejiang/storage.yaml) beside the baseline: the equipment makers' output, national
   share and jobs; storage by technology, curtailment avoided and hydrogen made from the surplus.

It writes a chart, a tornado chart, the two runs and the ensemble as CSV (default folder: results/).

    python3 scripts/flagship.py [--out results] [--runs 256] [--seed 2025]

The ensemble runs through the exploration tools (docs/exploration.md);
notebooks/zhejiang_robustness.ipynb compares lever mixes the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

import h2sim

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import validation  # noqa: E402  (scripts/validation.py)

SCENARIOS = {
    "baseline": ROOT / "scenarios/zhejiang/baseline.yaml",
    "plan": ROOT / "scenarios/zhejiang/plan_2025.yaml",
}
END_2025 = 2026.0  # the targets' time: the end of 2025
# The robustness section needs these two targets in the scenario's `targets:` section.
FLEET, STATIONS = "fcev_fleet_total", "stations_operating_total"
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
    ("battery-electric vehicles (thousands)", "bev_fleet_total", 1e-3, "{:,.0f}"),
    ("new-energy vehicles (thousands)", "nev_fleet_total", 1e-3, "{:,.0f}"),
    ("battery-electric share of ZEV buses+trucks sold (%)", "bev_share_of_zev_commercial_sales", 100, "{:,.1f}"),
    ("  of new buses (%)", "bev_share_of_sales[bus]", 100, "{:,.1f}"),
    ("  of new heavy trucks (%)", "bev_share_of_sales[heavy_truck]", 100, "{:,.1f}"),
    ("new-type storage (GW)", "storage_power_total_gw", 1, "{:,.2f}"),
    ("  of it hydrogen (GW)", "storage_power_gw[hydrogen]", 1, "{:,.2f}"),
    ("storage energy (GWh)", "storage_energy_gwh_total", 1, "{:,.1f}"),
    ("H2 from surplus power (t/year)", "green_h2_from_surplus_t_per_year", 1, "{:,.0f}"),
    ("equipment makers' output (M CNY/year)", "h2_equipment_output_total_cny_per_year", 1e-6, "{:,.0f}"),
    ("  their share of the national market (%)", "h2_industry_national_share[fuel_cell_system]", 100, "{:,.1f}"),
    ("  jobs", "h2_industry_jobs", 1, "{:,.0f}"),
    ("hydrogen chain output (M CNY/year)", "h2_industry_output_cny_per_year", 1e-6, "{:,.0f}"),
]
# Columns the flagship reads besides each scenario's outputs.
EXTRA_COLUMNS = ["fcev_fleet", "storage_days_of_cover", "refuelling_capacity_t_per_day", "bev_fleet_total",
                 "nev_fleet_total", "bev_share_of_zev_commercial_sales", "bev_share_of_sales", "storage_power_total_gw",
                 "storage_power_gw", "storage_energy_gwh", "green_h2_from_surplus_t_per_year",
                 "curtailment_avoided_gwh_per_year", "h2_equipment_output_total_cny_per_year", "h2_industry_national_share",
                 "h2_industry_jobs", "h2_industry_output_cny_per_year"]
SECTOR_SCENARIOS = {"industry hub": ROOT / "scenarios/zhejiang/industry_hub.yaml",
                    "storage": ROOT / "scenarios/zhejiang/storage.yaml"}
SECTOR_ROWS = [  # (label, column, scale, format)
    ("equipment makers' output (M CNY/year)", "h2_equipment_output_total_cny_per_year", 1e-6, "{:,.0f}"),
    ("  their share of the national market (%)", "h2_industry_national_share[fuel_cell_system]", 100, "{:,.1f}"),
    ("  jobs", "h2_industry_jobs", 1, "{:,.0f}"),
    ("new-type storage (GW)", "storage_power_total_gw", 1, "{:,.2f}"),
    ("  of it hydrogen (GW)", "storage_power_gw[hydrogen]", 1, "{:,.2f}"),
    ("curtailment avoided (GWh/year)", "curtailment_avoided_gwh_per_year", 1, "{:,.0f}"),
    ("H2 from surplus power (t/year)", "green_h2_from_surplus_t_per_year", 1, "{:,.0f}"),
]


def run_scenario(model: h2sim.Model) -> pd.DataFrame:
    """A scenario's outputs and the flagship's extra columns, with the storage energy summed."""
    frame = model.run(return_columns=list(dict.fromkeys([*model.outputs, *EXTRA_COLUMNS])))
    frame["storage_energy_gwh_total"] = frame.filter(like="storage_energy_gwh[").sum(axis=1)
    frame.attrs["units"]["storage_energy_gwh_total"] = "GWh"
    return frame


def sector_table(frames: dict) -> str:
    header = ["", *[f"{name} {y}" for name in frames for y in YEARS]]
    lines = []
    for label, column, scale, fmt in SECTOR_ROWS:
        lines.append([label, *[fmt.format(frame.loc[float(y + 1), column] * scale)
                               for frame in frames.values() for y in YEARS]])
    return render_table(header, lines)


def industry_goals_text(results: dict) -> str:
    """The plans' goals for the hydrogen industry's output (data/zhejiang_hydrogen_facts.csv), beside
    the model's hydrogen chain. They are not in the scenarios' `targets:`: their scope is wider than
    the model's."""
    facts = pd.read_csv(ROOT / "data" / "zhejiang_hydrogen_facts.csv")
    goals = facts[(facts["quantity"] == "hydrogen_industry_output_cny") & facts["kind"].str.startswith("target")]
    lines = ["The plans' goals for the hydrogen industry's output (data/zhejiang_hydrogen_facts.csv), beside the "
             "model's hydrogen chain (equipment makers, stations built, hydrogen sold to vehicles):"]
    for _, goal in goals.iterrows():
        year = int(str(goal["kind"]).split()[-1])
        model = ", ".join(f"{name} {frame.loc[float(year + 1), 'h2_industry_output_cny_per_year'] / 1e9:,.2f}"
                          for name, frame in results.items())
        lines.append(f"  {goal['scope']}, {goal['kind']}: {float(goal['value']) / 1e9:,.0f} bn CNY a year ({goal['source']}); "
                     f"model, whole province: {model} bn")
    lines.append("  These goals, like Jiaxing's reported 12.7 bn CNY for Jan-Sep 2022, count whole chemical firms that "
                 "make by-product hydrogen, which the model does not have: they are not comparable "
                 "(docs/model/validation.md reports the ratio).")
    return "\n".join(lines)


def render_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row))
    return "\n".join([line(header), "-" * len(line(header)), *[line(r) for r in rows]])


def plan_targets(model: h2sim.Model) -> dict[str, h2sim.Target]:
    """The scenario's `targets:` for the end of 2025, by variable (the fleet and the stations
    are required)."""
    targets = {t.variable: t for t in h2sim.read_targets(model) if abs(t.time - END_2025) < 1e-9}
    missing = [name for name in (FLEET, STATIONS) if name not in targets]
    if missing:
        raise h2sim.ScenarioError(f"{model.files[-1]}: the `targets:` section has no target for "
                                  f"{' or '.join(missing)} at {END_2025:g} (the end of 2025)", file=model.files[-1])
    return targets


def target_text(target: h2sim.Target, units: str) -> str:
    """'5,000 vehicles', '35.5 t/day'."""
    return f"{target.value:,.{0 if target.value == int(target.value) else 1}f} {units}"


def summary_table(results: dict, targets: dict[str, h2sim.Target]) -> str:
    header = ["", *[f"{name} {y}" for name in results for y in YEARS], "target 2025"]
    lines = []
    for label, column, scale, fmt in ROWS:
        cells = [label]
        for frame in results.values():
            for y in YEARS:
                cells.append(fmt.format(frame.loc[float(y + 1), column] * scale))
        target = targets.get(column)
        cells.append(fmt.format(target.value * scale) if target is not None else "")
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


def ensemble(model: h2sim.Model, ranges: dict, runs: int, seed: int,
             variables: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, h2sim.Exploration]:
    """A seeded Latin-hypercube sample of the declared ranges, run to the end of 2025 with
    h2sim.explore (on the C++ lanes, in chunks): the sample, the end-2025 values of the
    variables in every run, and the exploration itself."""
    outcomes = {name: {"variable": name, "at": END_2025} for name in variables}
    explored = h2sim.explore(model, scenarios=runs, uncertainties=list(ranges), outcomes=outcomes, sampler="lhs",
                             seed=seed, stop=END_2025, progress=False)
    table = explored.experiments[list(ranges)]
    return table, pd.DataFrame({name: explored.outcomes[name] for name in variables}, index=table.index), explored


def where_it_misses(explored: h2sim.Exploration, met: pd.DataFrame, labels: dict[str, str]) -> str:
    """PRIM scenario discovery: the box of uncertainties where the plan misses its targets
    (all of them together, or else the first target some runs meet and others miss)."""
    candidates = [("the targets", met.all(axis=1).to_numpy())] + \
        [(labels[name], met[name].to_numpy()) for name in met.columns]
    for label, hit in candidates:
        if 0 < hit.sum() < len(hit):
            found = h2sim.discover(explored, ~hit, policy="base")
            limits = "; ".join(f"{n} {row['min']:.3g}-{row['max']:.3g} (of {row['low']:.3g}-{row['high']:.3g})"
                               for n, row in found.limits.iterrows())
            return (f"  it misses {label} mostly where {limits}: {found.density:.0%} of the runs there miss, "
                    f"{found.coverage:.0%} of all misses lie there (PRIM)")
    return ""


def tornado(model: h2sim.Model, ranges: dict, implementation: tuple[float, dict, dict]) -> pd.DataFrame:
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
    the historical value kept after 2023, as lever settings (h2sim.trajectories)."""
    history = float(baseline.parameters.loc["fleet_plan_commitment", "value"])
    kept = {"from": 2023, "value": history}
    as_written = {"from": 2023, "value": 1.0}
    return history, kept, as_written


def robustness_text(tor: pd.DataFrame, ens: pd.DataFrame, runs: int, seed: int, n_uncertain: int,
                    targets: dict[str, h2sim.Target], units: dict[str, str],
                    explored: h2sim.Exploration | None = None) -> str:
    central = tor.attrs["central"]
    lines = [f"The plan as written, central values: {central[FLEET]:,.0f} vehicles and "
             f"{central[STATIONS]:.1f} stations at the end of 2025 "
             f"(targets {targets[FLEET].value:,.0f} and {targets[STATIONS].value:,.0f}).", "",
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
    met = pd.DataFrame({name: ens[name] >= t.value if t.kind == "at_least" else ens[name] <= t.value
                        for name, t in targets.items()})
    q = ens[FLEET].quantile([0.05, 0.5, 0.95])
    lines += ["", f"Latin-hypercube ensemble: {runs} runs over the {n_uncertain} declared ranges (seed {seed}), "
              "the plan implemented as written:",
              "  " + "; ".join(f"reach {target_text(t, units[name])}: {100 * met[name].mean():.0f} % of runs"
                               for name, t in targets.items())
              + f"; all {len(targets)}: {100 * met.all(axis=1).mean():.0f} %",
              f"  end-2025 fleet: median {q[0.5]:,.0f}, 90 % of runs between {q[0.05]:,.0f} and {q[0.95]:,.0f}; "
              f"stations between {ens['stations_operating_total'].quantile(0.05):.1f} and "
              f"{ens['stations_operating_total'].quantile(0.95):.1f}"]
    if explored is not None:
        misses = where_it_misses(explored, met, {name: target_text(t, units[name]) for name, t in targets.items()})
        if misses:
            lines.append(misses)
    return "\n".join(lines)


# --- output ---------------------------------------------------------------------------------------
def write_atomically(path: Path, write) -> None:
    """Writes through a temporary file in the same folder: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600: readable by others as any file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def chart(results: dict, targets: dict[str, h2sim.Target], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    variables = ["fcev_fleet_total", "stations_operating_total", "h2_demand_t_per_day",
                 "h2_price_cny_per_kg", "co2_avoided_t_per_year", "public_spending_cny_per_year"]
    fig = h2sim.plot_comparison(results, variables, targets=list(targets.values()),
                                title="Zhejiang hydrogen pilots: baseline and the 2025 plan as written "
                                      "(t = 2026 is the end of 2025; stars: 2025 targets)")
    write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))


def tornado_chart(tor: pd.DataFrame, fleet_target: h2sim.Target, path: Path) -> None:
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
    ax.axvline(fleet_target.value, color="tab:red", ls="--", lw=1, label=fleet_target.label)
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
        models[name], results[name] = model, run_scenario(model)
    targets = plan_targets(models["plan"])  # the plan's targets (its files declare them in the baseline)

    print("\n2. Zhejiang: the baseline (plans pursued as history shows) and the 2025 plan as written\n")
    print(summary_table(results, targets))
    base = results["baseline"]
    print(f"\nAt the end of 2022 the baseline has {base.loc[2023.0, 'stations_operating_total']:.0f} stations "
          f"and {base.loc[2023.0, 'fcev_fleet_total']:.0f} vehicles (reported: 22 stations, more than 200 "
          "vehicles): stations ahead of vehicles.")
    print(industry_goals_text(results))

    print("\n3. How robustly the plan reaches its 2025 targets\n")
    plan = models["plan"]
    ranges = declared_uncertainty(plan)
    tor = tornado(plan, ranges, implementation_schedules(plan, models["baseline"]))
    table, ens, explored = ensemble(plan, ranges, args.runs, args.seed, list(targets))
    print(robustness_text(tor, ens, args.runs, args.seed, len(ranges), targets, results["plan"].attrs["units"],
                          explored))

    print("\n4. The industry hub and large-scale storage, beside the baseline\n")
    sectors = {"baseline": results["baseline"]}
    for name, path in SECTOR_SCENARIOS.items():
        sectors[name] = run_scenario(h2sim.load(path))
    print(sector_table(sectors))

    for name, frame in results.items():
        csv = out / f"zhejiang_{'baseline' if name == 'baseline' else 'plan_2025'}.csv"
        write_atomically(csv, lambda tmp, f=frame: f.to_csv(tmp))
    write_atomically(out / "zhejiang_plan_ensemble.csv", lambda tmp: pd.concat([table, ens], axis=1).to_csv(tmp))
    write_atomically(out / "zhejiang_plan_tornado.csv", lambda tmp: tor.to_csv(tmp, index=False))
    chart(results, targets, out / "zhejiang_flagship.png")
    tornado_chart(tor, targets[FLEET], out / "zhejiang_plan_tornado.png")
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
