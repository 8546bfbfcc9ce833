"""`h2sim explore`: scenarios x policies on the command line, with a summary and the lever
benchmark. Registered by h2sim.cli (``add_parser``); the work is h2sim.explore."""

from __future__ import annotations

import argparse

from .. import results
from ..cli import common as _cli

TABLE_FORMATS = (".csv", ".parquet")
DATASET_FORMATS = (".nc", ".zarr")

DESCRIPTION = """\
Runs every policy (a setting of the levers) in every scenario (a sample of the
uncertainties) on the lanes, keeps the scenario's outcomes (its `outcomes:` section, or
--outcomes), and prints each outcome's spread per policy and, when there are targets, the
lever benchmark: P(targets met), the cost, the cost per unit of benefit."""

EXAMPLES = """\
examples:
  h2sim explore study.yaml --scenarios 10000 --sampler lhs --seed 1 -o out.nc
  h2sim explore study.yaml --scenarios 500 --lever marketing=0.02,0.04 --lever carbon_price=0:200:3
  h2sim explore study.yaml --scenarios 500 --policy plan:marketing=0.04,fuel_subsidy_per_kg=10
  h2sim explore study.yaml --scenarios 500 --lever fleet_plan_commitment=0.5,1 --from 2023
  h2sim explore study.yaml --scenarios 500 --policies 20 --cost public_cost --benefit co2_avoided
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "explore", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES + "\n" + _cli.EPILOG,
        help="scenarios x policies: outcome spreads, robustness, lever benchmark", description=DESCRIPTION)
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario or model file")
    parser.add_argument("--scenarios", type=int, default=1000, metavar="N",
                        help="scenarios sampled from the uncertainties (default 1000; 0: the scenario's values only)")
    parser.add_argument("--sampler", choices=["lhs", "mc", "sobol"], default="lhs", help="sampler (default lhs)")
    parser.add_argument("--seed", type=int, help="seed of the samples (the same seed gives the same runs)")
    policies = parser.add_argument_group("policies (default: the scenario as it is)")
    policies.add_argument("--lever", action="append", metavar="NAME=V1,V2,...",
                          help="settings of a lever (repeatable): every combination is a policy; LOW:HIGH:COUNT "
                               "spaces COUNT values; step:T=V,..., linear:..., ramp:..., scale:..., shift:... as "
                               "for `h2sim sweep`")
    policies.add_argument("--policy", action="append", metavar="NAME:LEVER=V,LEVER=V",
                          help="a named policy (repeatable)")
    policies.add_argument("--policies", type=int, metavar="N",
                          help="N policies sampled over the levers' declared ranges and options")
    policies.add_argument("--factorial", action="store_true",
                          help="every combination of the levers' declared options (3 levels of each range)")
    policies.add_argument("--from", dest="from_time", type=_cli.finite_float, metavar="TIME",
                          help="lever values of --lever and --policy hold from this time on; before it each lever "
                               "keeps the scenario's schedule (default: the scenario's start)")
    parser.add_argument("--outcomes", metavar="A,B", help="outcomes to keep (default: the scenario's `outcomes:`; "
                                                          "a variable name keeps its value at the stop time)")
    parser.add_argument("--uncertainties", metavar="A,B", help="uncertainties to sample (default: every declared one)")
    parser.add_argument("--time-series", dest="time_series", metavar="A,B",
                        help="variables kept whole (with -o .nc or .zarr they stream to the file)")
    parser.add_argument("--cost", metavar="OUTCOME", help="the cost outcome of the lever benchmark")
    parser.add_argument("--benefit", metavar="OUTCOME", help="the benefit outcome (cost per unit of it)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the runs: .nc or .zarr (Dataset with experiments, outcomes, time series), "
                             ".csv or .parquet (experiments and scalar outcomes)")
    parser.add_argument("--plot", metavar="FILE", help="outcome distributions per policy: .png, .pdf or .svg")
    parser.add_argument("--threads", type=int, help="threads (default: every core)")
    parser.add_argument("--chunk-size", type=int, dest="chunk_size", metavar="N", help="runs per chunk")
    _cli.add_backend_option(parser)
    parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="no progress bar")
    _cli.add_time_options(parser)
    parser.set_defaults(handler=run)
    return parser


def _policies(args, model):
    chosen = [bool(args.lever), bool(args.policy), args.policies is not None, args.factorial]
    if sum(chosen) > 1:
        raise _cli.UsageError("give one of --lever, --policy, --policies and --factorial")
    start = model.time["start"]
    since = args.from_time if args.from_time is not None and args.from_time > start else None
    if args.from_time is not None and not (args.lever or args.policy):
        raise _cli.UsageError("--from applies to the values of --lever and --policy")
    if args.lever:
        import itertools

        from .samplers import _policy_names, factorial

        grid: dict[str, list] = {}
        for item in args.lever:
            name, text = _cli.assignment(item, "--lever")
            if name in grid:
                raise _cli.UsageError(f"--lever {name} is given twice")
            grid[name] = [setting for _, setting in _cli.lever_settings(name, text, since)]
        _cli.check_settable(model, list(grid), "--lever")
        if all(isinstance(v, float) for values in grid.values() for v in values):
            return factorial(grid)
        mixes = list(itertools.product(*grid.values()))  # schedules among the settings: cells of any kind
        return {policy: dict(zip(grid, mix)) for policy, mix in zip(_policy_names(len(mixes)), mixes)}
    if args.policy:
        table = {}
        for item in args.policy:
            label, sep, rest = item.partition(":")
            if not sep or not label.strip():
                raise _cli.UsageError(f"--policy: expected NAME:LEVER=VALUE,LEVER=VALUE, got '{item}'")
            if label.strip() in table:
                raise _cli.UsageError(f"--policy {label.strip()} is given twice")
            settings = {}
            for part in _cli.split_top_level(rest):
                if part.strip():
                    name, text = _cli.assignment(part, "--policy")
                    value = _cli.number(text, f"--policy {label.strip()}: {name}")
                    settings[name] = value if since is None else {"from": since, "value": value}
            _cli.check_settable(model, list(settings), f"--policy {label.strip()}:")
            table[label.strip()] = settings
        return table
    if args.policies is not None:
        if args.policies < 1:
            raise _cli.UsageError("--policies must be at least 1")
        return args.policies
    if args.factorial:
        return "factorial"
    return None


def _ext(path: str, option: str) -> str:
    lowered = path.rstrip("/").lower()
    for ext in (*DATASET_FORMATS, *TABLE_FORMATS):
        if lowered.endswith(ext):
            return ext
    raise _cli.UsageError(f"{option} {path}: the file name must end in {', '.join((*DATASET_FORMATS, *TABLE_FORMATS))}")


def run(args) -> int:
    import h2sim

    from .robustness import benchmark

    ext = _ext(args.output, "-o") if args.output else None
    plot_ext = _cli.suffix(args.plot, _cli.PLOT_FORMATS, "--plot") if args.plot else None
    if args.scenarios < 0:
        raise _cli.UsageError("--scenarios must be 0 or more")
    if args.threads is not None and args.threads < 0:
        raise _cli.UsageError("--threads must be 0 (every core) or more")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise _cli.UsageError("--chunk-size must be at least 1")
    outcomes = _cli.columns(args.outcomes)
    uncertainties = _cli.columns(args.uncertainties)
    series = _cli.columns(args.time_series) or []
    if series and ext in TABLE_FORMATS:
        raise _cli.UsageError("--time-series needs -o with .nc or .zarr")
    model = _cli.load(args.scenario, backend=args.backend)
    policies = _policies(args, model)
    result = h2sim.explore(
        model, scenarios=args.scenarios, policies=policies, outcomes=outcomes, sampler=args.sampler,
        seed=args.seed, uncertainties=uncertainties, time_series=series,
        output=args.output if ext in DATASET_FORMATS else None, threads=args.threads or None,
        chunk_size=args.chunk_size, progress=False if args.no_progress else None, **_cli.time_options(args))
    n_pol = len(result.policies)
    n_scen = len(result) // max(n_pol, 1)
    sampled = f" ({args.sampler}, seed {args.seed})" if result.uncertainties and args.seed is not None else \
        (f" ({args.sampler})" if result.uncertainties else "")
    print(_cli.describe(model))
    overrides = {k: v for k, v in _cli.time_options(args).items() if v is not None}
    if overrides:
        print("these runs: " + ", ".join(f"{k.replace('_', ' ')} {v:g}" if isinstance(v, float) else f"{k} {v}"
                                         for k, v in overrides.items()))
    if args.scenarios == 0:  # the scenario's own values: say what is not sampled, not "0 uncertainties"
        from .parameters import declared_space

        declared = len(declared_space(model, uncertainties))
        not_sampled = f"; its {_cli.count(declared, 'declared uncertainty', 'declared uncertainties')} not sampled" if declared else ""
        print(f"the scenario's own values only (--scenarios 0{not_sampled}) x {n_pol} "
              f"{'policy' if n_pol == 1 else 'policies'} = {len(result)} runs; {len(result.levers)} levers")
    else:
        print(f"{n_scen} scenarios{sampled} x {n_pol} {'policy' if n_pol == 1 else 'policies'} = {len(result)} runs; "
              f"{len(result.uncertainties)} uncertainties, {len(result.levers)} levers")
    print()
    print(summary_text(result))
    if result.targets or args.cost:
        if args.cost and args.cost not in result.outcomes:
            raise _cli.UsageError(f"--cost {args.cost}: no such outcome ({', '.join(result.scalar_names)})")
        if args.benefit and args.benefit not in result.outcomes:
            raise _cli.UsageError(f"--benefit {args.benefit}: no such outcome ({', '.join(result.scalar_names)})")
        table = benchmark(result, cost=args.cost, benefit=args.benefit)
        print()
        print("lever benchmark" + (" (P(targets met): share of scenarios meeting every target, 95 % interval)"
                                   if "P(targets met)" in table else ""))
        print(benchmark_text(table, result, args.cost, args.benefit))
    with results.staged() as staged:
        if args.output and ext in TABLE_FORMATS:
            staged.write(args.output, lambda path: results.write_table(result.table().set_index(
                ["policy", "scenario"]), path, ext))
        if args.plot:
            staged.write(args.plot, lambda path: _chart(result, path, plot_ext))
        staged.commit()
    for path in (args.output, args.plot):
        if path:
            print(f"wrote {path}")
    return _cli.EXIT_OK


def summary_text(result) -> str:
    """Each outcome per policy: 5 %, median and 95 % (targets: the share met)."""
    summary = result.summary()
    header = ["outcome", "units", "policy", "5 %", "median", "95 %", "met"]
    rows = []
    for name in result.scalar_names:
        for i, policy in enumerate(result.policies.index):
            row = summary.loc[(policy, name)]
            met = row.get("share met")
            is_target = name in result.targets
            time_like = (row["units"] or "") == (result.attrs.get("time_units") or "year")
            cells = ["", "", ""] if is_target else [
                (f"{row.get(f'q{q:g}'):.2f}" if time_like else _cli.format_number(row.get(f"q{q:g}")))
                for q in (0.05, 0.5, 0.95)]
            rows.append([name if i == 0 else "", (row["units"] or "") if i == 0 and not is_target else "",
                         policy, *cells, f"{met:.1%}" if is_target else ""])
    return _cli.table(header, rows, left=3)


def benchmark_text(table, result, cost: str | None = None, benefit: str | None = None) -> str:
    """The lever benchmark as text: lever values, P(targets met) with its interval, each
    target's share, the cost's median and 90th percentile, the cost per unit of benefit."""
    info = result.outcome_info
    short = {}
    if cost:
        short[f"{cost} median"] = "cost median"
        short[f"{cost} p90"] = "cost p90"
    if benefit:
        short[f"{benefit} median"] = "benefit median"
    if cost and benefit:
        short[f"{cost} per {benefit}"] = "cost/benefit"
    columns = [c for c in table.columns if c in result.levers or c.startswith("P(") or c in short]
    header = ["policy", *(short.get(c, c) for c in columns)]
    rows = []
    for policy, row in table.iterrows():
        cells = [policy]
        for c in columns:
            value = row[c]
            if c.startswith("P("):
                text = f"{value:.1%}"
                if c == "P(targets met)":
                    text += f" [{row['low']:.0%}, {row['high']:.0%}]"
                cells.append(text)
            else:
                cells.append(_cli.format_number(value))
        rows.append(cells)
    legend = []

    def units(name: str) -> str:
        u = info.loc[name, "units"] if name in info.index else ""
        return f" [{u}]" if u else ""

    if cost:
        legend.append(f"cost: {cost}{units(cost)}")
    if benefit:
        legend.append(f"benefit: {benefit}{units(benefit)}")
    text = _cli.table(header, rows, left=1)
    return text + ("\n" + "; ".join(legend) if legend else "")


def _chart(result, path: str, ext: str) -> None:
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import plot_outcomes

    names = result.scalar_names
    columns = min(3, len(names))
    rows = math.ceil(len(names) / columns)
    width = max(4.0, 0.8 * len(result.policies) + 2)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, 3.6 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        plot_outcomes(result, name, ax=ax)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    try:
        fig.savefig(path, format=ext.lstrip("."), dpi=110)
    finally:
        plt.close(fig)
