"""The hostile-input corpus (tests/data/hostile, written by its make_corpus.py): `h2sim check`
on each case, in its own process with 10 s and 4 GiB, must end as expectations.txt says: the
expected error in one line on stderr (exit 1, no traceback), or success (exit 0). And hostile
command lines: every one ends in a usage error (exit 2) or an h2sim error (exit 1), never a
traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile"
SECONDS = 10
MEMORY = 4 << 30


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in (CORPUS / "expectations.txt").read_text(encoding="utf-8").splitlines():
        name, outcome, text = (line.split("\t") + ["", ""])[:3]
        cases.append((name, outcome, text))
    return cases


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _h2sim(*args: str, cwd: Path = CORPUS) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("H2SIM_TRACEBACK", None)
    return subprocess.run([sys.executable, "-m", "h2sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=SECONDS, env=env, preexec_fn=_limit_memory, errors="replace")


def _judge(name: str, outcome: str, text: str, done: subprocess.CompletedProcess) -> list[str]:
    problems = []
    if "Traceback" in done.stderr:
        problems.append("a traceback")
    if outcome == "ok" and done.returncode != 0:
        problems.append(f"exit {done.returncode}, expected success")
    if outcome == "error":
        if done.returncode != 1:
            problems.append(f"exit {done.returncode}, expected 1")
        if "h2sim: error:" not in done.stderr:
            problems.append("no 'h2sim: error:' line")
        if "internal error" in done.stderr:
            problems.append("an internal error")
    if text and text not in done.stderr:
        problems.append(f"stderr lacks {text!r}")
    return [f"{name}: {p}\n{done.stderr[-600:]}" for p in problems]


def test_every_hostile_input_ends_in_a_clean_error_or_a_result():
    cases = _cases()
    assert len(cases) > 60

    def check(case):
        name, outcome, text = case
        try:
            return _judge(name, outcome, text, _h2sim("check", name))
        except subprocess.TimeoutExpired:
            return [f"{name}: took over {SECONDS} s"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(check, cases) for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("args, code, text", [
    (["run", "utf16.yaml", "--dt", "nan"], 2, "not a finite number"),
    (["run", "utf16.yaml", "--stop", "inf"], 2, "not a finite number"),
    (["run", "utf16.yaml", "--dt", "0"], 1, "dt must be a positive number"),
    (["run", "utf16.yaml", "--save-every", "-1"], 1, "save_every must be a positive number"),
    (["run", "utf16.yaml", "--set", "a=lots"], 2, "not a number"),
    (["run", "utf16.yaml", "--set", "x=1"], 1, "not a constant"),
    (["run", "utf16.yaml", "--set", "a=2020:1,2020:2"], 1, "time twice"),
    (["run", "utf16.yaml", "--columns", "nothing"], 1, "no such variable"),
    (["run", "utf16.yaml", "-o", "out.exe"], 2, "must end in"),
    (["run", "missing.yaml"], 1, "no such"),
    (["run", "fanout"], 1, "folder"),
    (["check", "/dev/zero"], 1, "not a regular file"),
    (["sweep", "utf16.yaml", "--lever", "a=1:2:1e12"], 2, "more than a sweep runs"),
    (["sweep", "utf16.yaml", "--lever", "a=1,2", "--lever", "A=3,4"], 1, "same constant"),
    (["sweep", "utf16.yaml", "--lever", "a=1,2", "--threads", "-3"], 2, "--threads"),
    (["equations", "deep_parentheses.yaml"], 1, "H2SIM_MAX_NESTING"),
    (["export", "latin1_comment.yaml", "-o", "x.xmile"], 1, "0xE9"),
    (["compare", "utf16.yaml", "billion_laughs.yaml"], 1, "H2SIM_MAX_DOCUMENT_NODES"),
])
def test_hostile_command_lines(args, code, text, tmp_path):
    for name in ("utf16.yaml", "deep_parentheses.yaml", "latin1_comment.yaml", "billion_laughs.yaml"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    (tmp_path / "fanout").mkdir()
    done = _h2sim(*args, cwd=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.returncode == code, done.stderr
    assert text in done.stderr
    assert not (tmp_path / "x.xmile").exists()
