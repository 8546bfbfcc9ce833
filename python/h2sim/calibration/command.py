"""The command-line side of calibration: ``h2sim calibrate`` and ``h2sim check --reality``.

``add_parser(subparsers)`` adds the ``calibrate`` command, ``run(args)`` runs it;
``add_reality_options(check_parser)`` adds ``--reality`` to ``check`` and
``run_reality(args, model)`` runs the checks after the usual ones.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

DESCRIPTION = """\
Fits constants of a scenario to observed data: the parameters, data and error model of the
scenario's `calibration:` section (docs/calibration.md), or those given here. Prints the
estimates with confidence intervals, fit statistics (R2, MAPE, Theil's U_M/U_S/U_C) in the
fitting period and after --fit-until, and identifiability; writes a scenario with the fitted
values that extends the original (-o)."""

EXAMPLES = """\
examples:
  h2sim calibrate scenarios/examples/bass_calibration.yaml -o fitted.yaml --plot fit.png
  h2sim calibrate model.yaml --data observed.csv --parameter p=0.001:0.2 --parameter q=0.05:1.5
  h2sim calibrate model.yaml -o fit.yaml --method differential_evolution --fit-until 2023
  h2sim calibrate model.yaml --mcmc 2000 --posterior posterior.csv --posterior-plot pairs.png
"""

PLOT_FORMATS = (".png", ".pdf", ".svg")
TABLE_FORMATS = (".csv", ".parquet")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from ..cli import EPILOG
    from ..cli.common import finite_float

    formatter = argparse.RawDescriptionHelpFormatter
    parser = subparsers.add_parser("calibrate", formatter_class=formatter, epilog=EXAMPLES + "\n" + EPILOG,
                                   help="fit constants to observed data", description=DESCRIPTION)
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario or model file")
    parser.add_argument("-o", "--output", metavar="FILE.yaml",
                        help="write a scenario that extends SCENARIO with the fitted values")
    parser.add_argument("--data", action="append", metavar="FILE",
                        help="observations (CSV, long or wide; repeatable), instead of the section's data")
    parser.add_argument("--parameter", action="append", metavar="NAME=LOW:HIGH",
                        help="a constant to fit within bounds (repeatable), instead of the section's parameters")
    parser.add_argument("--method", choices=["least_squares", "nelder_mead", "differential_evolution"],
                        help="optimiser (default: the section's, else least_squares)")
    parser.add_argument("--starts", type=int, help="local fits from this many starting points (multi-start)")
    parser.add_argument("--seed", type=int, help="seed of the starting points, evolution and MCMC")
    parser.add_argument("--fit-until", type=finite_float, dest="fit_until", metavar="T",
                        help="fit data up to time T; report statistics after it (hold-out)")
    parser.add_argument("--error", choices=["normal", "lognormal", "poisson", "negative_binomial"],
                        help="error model of series that do not name one")
    parser.add_argument("--intervals", metavar="KINDS", help="wald, profile, both (default) or none")
    parser.add_argument("--level", type=finite_float, help="confidence level of the intervals (default 0.95)")
    parser.add_argument("--profile", action="append", metavar="NAME",
                        help="profile only this parameter (repeatable; default: every one)")
    parser.add_argument("--residuals", metavar="FILE", help="write observed, fitted and residuals: .csv or .parquet")
    parser.add_argument("--plot", metavar="FILE", help="chart of the fit with residuals: .png, .pdf or .svg")
    parser.add_argument("--profile-plot", dest="profile_plot", metavar="FILE", help="profile-likelihood curves")
    parser.add_argument("--mcmc", type=int, metavar="STEPS", help="also sample the posterior with emcee")
    parser.add_argument("--walkers", type=int, help="MCMC walkers (default max(16, 4 x parameters))")
    parser.add_argument("--posterior", metavar="FILE", help="write the posterior sample: .csv or .parquet")
    parser.add_argument("--posterior-plot", dest="posterior_plot", metavar="FILE", help="posterior pairs chart")
    parser.add_argument("--threads", type=int, help="threads for the batches (default: every core)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from ..cli.common import EXIT_OK, UsageError, load, number, suffix
    from ..results import staged as _staged
    from .optimise import calibrate

    outputs = {"output": (".yaml", ".yml"), "residuals": TABLE_FORMATS, "plot": PLOT_FORMATS,
               "profile_plot": PLOT_FORMATS, "posterior": TABLE_FORMATS, "posterior_plot": PLOT_FORMATS}
    for option, formats in outputs.items():
        if getattr(args, option):
            suffix(getattr(args, option), formats, "--" + option.replace("_", "-") if option != "output" else "-o")
    if (args.posterior or args.posterior_plot) and not args.mcmc:
        raise UsageError("--posterior and --posterior-plot need --mcmc STEPS")
    if args.mcmc is not None and args.mcmc < 10:
        raise UsageError("--mcmc: give at least 10 steps")
    parameters = None
    if args.parameter:
        parameters = {}
        for item in args.parameter:
            name, sep, bounds = item.partition("=")
            low, colon, high = bounds.partition(":")
            if not sep or not colon or not name.strip():
                raise UsageError(f"--parameter: expected NAME=LOW:HIGH, got '{item}'")
            parameters[name.strip()] = (number(low.strip(), f"--parameter {name.strip()}"),
                                        number(high.strip(), f"--parameter {name.strip()}"))
    intervals = None
    if args.intervals is not None:
        intervals = [part.strip() for part in args.intervals.split(",") if part.strip()]
        intervals = intervals[0] if len(intervals) == 1 else intervals
    model = load(args.scenario)
    progress = False if args.quiet else None
    fit = calibrate(model, data=args.data, parameters=parameters, method=args.method, starts=args.starts,
                    seed=args.seed, fit_until=args.fit_until, error=args.error, intervals=intervals, level=args.level,
                    profile=args.profile, threads=args.threads, progress=progress)
    print(fit.summary())
    posterior = None
    if args.mcmc:
        posterior = fit.sample_posterior(steps=args.mcmc, walkers=args.walkers, seed=args.seed, progress=progress)
        print(f"\nposterior: {len(posterior.samples)} draws ({posterior.walkers} walkers x {posterior.steps} steps, "
              f"{posterior.burn} burn-in), acceptance {posterior.acceptance_fraction:.2f}")
        print(posterior.summary().to_string(float_format=lambda v: f"{v:.6g}"))
        for note in posterior.notes:
            print(f"note: {note}")

    written = []
    with _staged() as staged:
        if args.output:
            staged.write(args.output, lambda path: fit.to_scenario(path, verify=True) and None)
            written.append(args.output)
        if args.residuals:
            staged.write(args.residuals, lambda path: _table(fit.residuals, path, args.residuals))
            written.append(args.residuals)
        if posterior is not None and args.posterior:
            staged.write(args.posterior, lambda path: _table(posterior.samples, path, args.posterior))
            written.append(args.posterior)
        for option, draw in (("plot", fit.plot_fit), ("profile_plot", fit.plot_profiles),
                             ("posterior_plot", posterior.plot_pairs if posterior is not None else None)):
            target = getattr(args, option)
            if target and draw is not None:
                staged.write(target, lambda path, draw=draw, target=target: _figure(draw, path, target))
                written.append(target)
        staged.commit()
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _table(frame: Any, path: str, target: str, index: bool = False) -> None:
    if target.lower().endswith(".parquet"):
        frame.to_parquet(path, index=index)
    else:
        frame.to_csv(path, index=index)


def _figure(draw: Any, path: str, target: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = draw()
    try:
        fig.savefig(path, format=os.path.splitext(target)[1].lstrip("."), dpi=120)
    finally:
        plt.close(fig)


# --- h2sim check --reality ---------------------------------------------------------------------------
def add_reality_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reality", action="store_true",
                        help="also run the reality checks the scenario declares (reality_checks:); exit 1 when one "
                             "does not hold")
    parser.add_argument("--only", action="append", metavar="CHECK",
                        help="with --reality: run only this check (repeatable)")


def run_reality(args: argparse.Namespace, model: Any) -> int:
    from ..cli import EXIT_MODEL_ERROR, EXIT_OK
    from .reality import check_reality

    report = check_reality(model, names=args.only)
    print(report)
    if not report.passed:
        print(f"h2sim: error: {len(report.failed)} of {len(report.outcomes)} reality check(s) do not hold: "
              f"{', '.join(report.failed)}", file=sys.stderr)
        return EXIT_MODEL_ERROR
    return EXIT_OK
