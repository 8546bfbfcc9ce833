"""`h2sim sensitivity`: Sobol or Morris indices on the command line. Registered by h2sim.cli
(``add_parser``); the work is h2sim.sensitivity."""

from __future__ import annotations

import argparse
import sys
import warnings

from .. import results
from ..cli import common as _cli

DESCRIPTION = """\
Which uncertainties matter: Sobol first-order and total indices (variance shares) or Morris
elementary effects (a cheaper screening) of every outcome, with confidence intervals, from
a SALib design over the scenario's uncertainties. Levers stay at the scenario's values
unless --set gives them."""

EXAMPLES = """\
examples:
  h2sim sensitivity study.yaml --sobol --n 1024 --seed 1
  h2sim sensitivity study.yaml --morris --n 50 --outcomes fleet_2025 --plot morris.png
  h2sim sensitivity study.yaml --set marketing=0.04 -o indices.csv
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sensitivity", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES + "\n" + _cli.EPILOG,
        help="Sobol or Morris indices of the outcomes", description=DESCRIPTION)
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario or model file")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sobol", action="store_const", const="sobol", dest="analysis", default="sobol",
                       help="Sobol first-order and total indices (the default)")
    which.add_argument("--morris", action="store_const", const="morris", dest="analysis",
                       help="Morris elementary effects (screening: fewer runs)")
    parser.add_argument("--n", type=int, default=None, metavar="N",
                        help="Sobol: base sample, a power of two (default 1024; runs = N x (D + 2)); "
                             "Morris: trajectories (default 50; runs = N x (D + 1))")
    parser.add_argument("--seed", type=int, help="seed of the design and of the bootstrap intervals")
    parser.add_argument("--outcomes", metavar="A,B", help="outcomes (default: the scenario's `outcomes:`)")
    parser.add_argument("--uncertainties", metavar="A,B", help="uncertainties (default: every declared one)")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="hold a lever or constant at a value")
    parser.add_argument("--second-order", action="store_true", dest="second_order", help="Sobol: also S2")
    parser.add_argument("--levels", type=int, default=4, help="Morris: grid levels (default 4)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the indices: .csv or .parquet")
    parser.add_argument("--plot", metavar="FILE", help="chart of the first outcome's indices: .png, .pdf or .svg")
    parser.add_argument("--threads", type=int, help="threads (default: every core)")
    _cli.add_backend_option(parser)
    parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="no progress bar")
    _cli.add_time_options(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import h2sim

    ext = _cli.suffix(args.output, (".csv", ".parquet"), "-o") if args.output else None
    plot_ext = _cli.suffix(args.plot, _cli.PLOT_FORMATS, "--plot") if args.plot else None
    n = args.n if args.n is not None else (1024 if args.analysis == "sobol" else 50)
    if n < 2:
        raise _cli.UsageError("--n must be at least 2")
    if args.analysis == "sobol" and n & (n - 1):
        raise _cli.UsageError(f"--n {n}: Sobol designs need a power of two (e.g. {1 << (n.bit_length() - 1)})")
    if args.levels < 2:
        raise _cli.UsageError("--levels must be at least 2")
    policy = {}
    for item in args.set or []:
        name, text = _cli.assignment(item, "--set")
        _cli.once(name, policy, "--set")
        policy[name] = _cli.number(text, f"--set {name}")
    model = _cli.load(args.scenario, backend=args.backend)
    _cli.check_settable(model, list(policy), "--set")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = h2sim.sensitivity(
            model, analysis=args.analysis, n=n, outcomes=_cli.columns(args.outcomes),
            uncertainties=_cli.columns(args.uncertainties), policy=policy or None, seed=args.seed,
            second_order=args.second_order, num_levels=args.levels, threads=args.threads or None,
            progress=False if args.no_progress else None, **_cli.time_options(args))
    for warning in caught:
        print(f"h2sim: warning: {warning.message}", file=sys.stderr)
    print(_cli.describe(model))
    print(f"{args.analysis.capitalize()} indices from {len(result.exploration)} runs, "
          f"{len(result.exploration.uncertainties)} uncertainties"
          + (f", seed {args.seed}" if args.seed is not None else "") + f"; intervals {result.conf_level:.0%}")
    for outcome in result.indices.index.get_level_values(0).unique():
        print()
        print(indices_text(result, outcome))
    with results.staged() as staged:
        if args.output:
            staged.write(args.output, lambda path: results.write_table(result.indices, path, ext))
        if args.plot:
            def chart(path: str) -> None:
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot as plt

                fig = result.plot()
                try:
                    fig.savefig(path, format=plot_ext.lstrip("."), dpi=110)
                finally:
                    plt.close(fig)

            staged.write(args.plot, chart)
        staged.commit()
    for path in (args.output, args.plot):
        if path:
            print(f"wrote {path}")
    return _cli.EXIT_OK


def indices_text(result, outcome: str) -> str:
    table = result.table(outcome)
    info = result.exploration.outcome_info
    units = info.loc[outcome, "units"] if outcome in info.index else ""
    title = f"{outcome}" + (f" [{units}]" if units else "")
    if result.analysis == "sobol":
        header = ["uncertainty", "S1", "± S1", "ST", "± ST"]
        rows = [[name, f"{r['S1']:.3f}", f"{r['S1_conf']:.3f}", f"{r['ST']:.3f}", f"{r['ST_conf']:.3f}"]
                for name, r in table.iterrows()]
    else:
        header = ["uncertainty", "mu*", "± mu*", "sigma", "mu"]
        rows = [[name, _cli.format_number(r["mu_star"]), _cli.format_number(r["mu_star_conf"]),
                 _cli.format_number(r["sigma"]), _cli.format_number(r["mu"])] for name, r in table.iterrows()]
    return f"{title}\n{_cli.table(header, rows, left=1)}"
