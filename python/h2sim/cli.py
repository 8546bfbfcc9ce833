"""The h2sim command line (being written): run, check, equations, compare, sweep."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("h2sim: the command line is not written yet", file=sys.stderr)
    return 2
