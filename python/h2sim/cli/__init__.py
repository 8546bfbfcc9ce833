"""The h2sim command line: a thin shell over the Python API.

    h2sim run SCENARIO [-o out.csv|out.parquet|out.nc] [--set name=value ...] [--plot out.png]
    h2sim check SCENARIO [--strict] [--lenient-units] [--no-run]
    h2sim equations SCENARIO [--dot]
    h2sim export SCENARIO [-o model.xmile] [--set name=value ...]
    h2sim compare A B ... [--years 2025,2030,2035] [--columns a,b]
    h2sim sweep SCENARIO --lever name=v1,v2,... [--lever other=...] [-o out.csv]
    h2sim report SCENARIO [SCENARIO ...] [-o report.html] [--ensemble runs.nc]
    h2sim calibrate SCENARIO [-o fit.yaml] [--data FILE] [--parameter name=low:high ...]
    h2sim check SCENARIO --reality
    h2sim explore SCENARIO ... / h2sim sensitivity SCENARIO ...   (docs/exploration.md)
    h2sim functions [--markdown]

Each command is a module with ``add_parser(subparsers)`` (which sets ``handler`` to its
``run(args)``, returning the exit code) and is listed once, in COMMANDS below: a new command
is a new module and one line there. Commands use only h2sim's public API; what they share is
in common.py.

Exit codes: 0 ok, 1 a model, scenario or simulation error (h2sim.Error, or a scenario file
that cannot be read), 2 a usage error, 3 an I/O error while writing an output file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from .common import EPILOG, EXIT_MODEL_ERROR, EXIT_OK, EXIT_USAGE, EXIT_WRITE_ERROR, UsageError

#: The commands, in the order `h2sim --help` lists them: modules relative to this package.
COMMANDS = (
    ".run",
    ".check",
    ".equations",
    ".export",
    ".compare",
    ".sweep",
    "..reports.command",  # h2sim report
    "..calibration.command",  # h2sim calibrate
    "..analysis.cli_explore",  # h2sim explore
    "..analysis.cli_sensitivity",  # h2sim sensitivity
    ".functions",
)

__all__ = ["COMMANDS", "EPILOG", "EXIT_MODEL_ERROR", "EXIT_OK", "EXIT_USAGE", "EXIT_WRITE_ERROR", "UsageError",
           "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    import h2sim

    parser = argparse.ArgumentParser(
        prog="h2sim", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Runs, checks and compares system-dynamics scenarios of the hydrogen industry.")
    parser.add_argument("--version", action="version", version=f"h2sim {h2sim.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        importlib.import_module(name, __name__).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    import h2sim

    try:
        return args.handler(args)
    except UsageError as error:
        parser.exit(EXIT_USAGE, f"h2sim: error: {error}\n")
    except h2sim.WriteError as error:  # an h2sim.Error too: first, for its own exit code
        print(f"h2sim: error: {error}", file=sys.stderr)
        return EXIT_WRITE_ERROR
    except h2sim.Error as error:
        print(f"h2sim: error: {error}", file=sys.stderr)
        return EXIT_MODEL_ERROR
    except (ValueError, KeyError) as error:  # a bad value handed to the Python API
        print(f"h2sim: error: {error}", file=sys.stderr)
        return EXIT_MODEL_ERROR
    except BrokenPipeError:  # `h2sim equations x.yaml | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except KeyboardInterrupt:
        print("h2sim: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("h2sim: error: not enough memory (docs/limits.md: the limits on what h2sim builds and saves)",
              file=sys.stderr)
        return EXIT_MODEL_ERROR
    except Exception as error:  # a bug: say so in one line, not a traceback (H2SIM_TRACEBACK=1 shows it)
        if os.environ.get("H2SIM_TRACEBACK"):
            raise
        print(f"h2sim: error: internal error ({type(error).__name__}: {error}); please report it, with the "
              "command; H2SIM_TRACEBACK=1 shows where it happened", file=sys.stderr)
        return EXIT_MODEL_ERROR
    return EXIT_OK  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
