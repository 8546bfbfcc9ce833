"""Hostile inputs at the Python boundary (issue 17): files read as bytes and decoded by one
rule, every public function's arguments checked (an h2sim.Error, never a TypeError from
pandas or pybind11), error text that survives any bytes, overrides that must be refused,
the limits and how to raise them, and bit-identical results across threads, lanes, runs and
processes."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import h2sim

BASS = """\
name: bass
time: {start: 0, stop: 10, dt: 0.5, method: rk4}
constants:
  p: {value: 0.03, units: 1/year}
  q: {value: 0.38, units: 1/year}
  market: {value: 1000, units: vehicles}
stocks:
  adopters: {initial: 0, inflows: [adoption], units: vehicles}
flows:
  adoption: {equation: (p + q * adopters / market) * (market - adopters), units: vehicles/year}
auxiliaries:
  share: {equation: adopters / market, units: dimensionless}
"""


@pytest.fixture
def bass(write_yaml):
    return h2sim.load(write_yaml("bass.yaml", BASS))


# --- files as bytes ---------------------------------------------------------------------------

def test_a_latin1_comment_is_a_parse_error_naming_the_byte(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(BASS.encode() + "# café\n".encode("latin-1"))
    with pytest.raises(h2sim.ParseError) as info:
        h2sim.load(path)
    error = info.value
    assert error.file == str(path)
    assert error.line == BASS.count("\n") + 1
    assert f"byte {len(BASS.encode()) + 5}" in str(error)
    assert "0xE9" in str(error)


def test_utf16_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_bytes(BASS.encode("utf-16"))  # Python writes the mark
    assert h2sim.load(path).run()["adopters"].iloc[-1] > 0


def test_binary_garbage_and_other_non_files(tmp_path):
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(h2sim.ParseError, match="NUL"):
        h2sim.load(garbage)
    with pytest.raises(h2sim.ScenarioError, match="is a folder"):
        h2sim.load(tmp_path)
    with pytest.raises(h2sim.ScenarioError, match="no such file"):
        h2sim.load(tmp_path / "missing.yaml")
    if os.path.exists("/dev/zero"):
        with pytest.raises(h2sim.ScenarioError, match="not a regular file"):
            h2sim.load("/dev/zero")


def test_an_old_vensim_file_is_read_in_the_windows_code_page(tmp_path):
    path = tmp_path / "old.mdl"
    path.write_bytes("x = 2 ~ € ~ café |\nINITIAL TIME = 0 ~~|\nFINAL TIME = 1 ~~|\n"
                     "TIME STEP = 1 ~~|\nSAVEPER = 1 ~~|\n".encode("cp1252"))
    model = h2sim.load(path)
    assert model.variables.loc["x", "units"] == "€"
    assert model.run()["x"].iloc[0] == 2


def test_error_text_with_bytes_that_are_not_utf8_converts(write_yaml):
    # The parser quotes one byte of the two that make 'é': the message holds half a character.
    path = write_yaml("cut.yaml", BASS + "  cut: 1é\n")
    with pytest.raises(h2sim.ParseError) as info:
        h2sim.load(path)
    assert "cut" in str(info.value)


def test_a_yaml_key_that_is_a_list_is_a_scenario_error(write_yaml):
    path = write_yaml("key.yaml", "name: k\nconstants:\n  ? [a, b]\n  : 1\n")
    with pytest.raises(h2sim.ScenarioError, match="a key must be a name") as info:
        h2sim.load(path)
    assert info.value.line == 3


# --- arguments -------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, text", [
    (lambda m: m.run(params={"p": "a lot"}), h2sim.ArgumentTypeError, "expected a number"),
    (lambda m: m.run(params=[("p", 1)]), h2sim.ArgumentTypeError, "must be a mapping"),
    (lambda m: m.run(params={1: 0.5}), h2sim.ArgumentTypeError, "must be text"),
    (lambda m: m.run(params={"p": float("nan")}), h2sim.ArgumentError, "finite"),
    (lambda m: m.run(params={"p": pd.Series(dtype=float)}), h2sim.ArgumentError, "no values"),
    (lambda m: m.run(params={"p": pd.Series([np.nan, np.nan], index=[0, 5])}), h2sim.ArgumentError,
     "no values"),
    (lambda m: m.run(params={"p": pd.Series([1, 2], index=["a", "b"])}), h2sim.ArgumentTypeError, "numbers"),
    (lambda m: m.run(params={"p": pd.Series([1, 2], index=[3, 3])}), h2sim.ArgumentError, "time twice"),
    (lambda m: m.run(return_columns=[1]), h2sim.ArgumentTypeError, "return_columns"),
    (lambda m: m.run(return_columns=5), h2sim.ArgumentTypeError, "return_columns"),
    (lambda m: m.run(method=3), h2sim.ArgumentTypeError, "method"),
    (lambda m: m.run(method="leapfrog"), h2sim.ArgumentError, "method"),
    (lambda m: m.run(dt="x"), h2sim.ArgumentTypeError, "dt"),
    (lambda m: m.run(start=True), h2sim.ArgumentTypeError, "start"),
    (lambda m: m.run(as_xarray="yes"), h2sim.ArgumentTypeError, "as_xarray"),
    (lambda m: m.run_batch(pd.DataFrame()), h2sim.ArgumentError, "no rows"),
    (lambda m: m.run_batch([1, 2]), h2sim.ArgumentTypeError, "params_table"),
    (lambda m: m.run_batch({"p": [0.1, 0.2], "q": [0.3]}), h2sim.ArgumentError, "equal-length"),
    (lambda m: m.run_batch({"p": ["a", "b"]}), h2sim.ArgumentTypeError, "the text 'a', not a number"),
    # Text that reads as a number is refused too, as run(params={"p": "0.5"}) refuses it (the
    # batch used to convert it silently).
    (lambda m: m.run_batch({"p": [0.1, "0.2"]}), h2sim.ArgumentTypeError, r"\[1\] is the text '0.2', not a number"),
    (lambda m: m.run_batch(pd.DataFrame({"p": ["0.1", "0.2"]})), h2sim.ArgumentTypeError,
     "run 0, column 'p' holds the text '0.1', not a number"),
    (lambda m: m.run_batch(pd.DataFrame({"p": pd.Series([0.1, "0.2"], dtype=object)})), h2sim.ArgumentTypeError,
     "run 1, column 'p' holds the text '0.2'"),
    (lambda m: m.run_batch(pd.DataFrame({"p": pd.Series(["0.1"], dtype="string")})), h2sim.ArgumentTypeError,
     "holds the text '0.1'"),
    (lambda m: m.run_batch({"p": [0.1, np.inf]}), h2sim.ArgumentError, "finite"),
    (lambda m: m.run_batch({"p": [0.1]}, threads=-1), h2sim.ArgumentError, "threads"),
    (lambda m: m.run_batch({"p": [0.1]}, threads=1.5), h2sim.ArgumentTypeError, "threads"),
    (lambda m: m.run_batch({"p": [0.1]}, progress="no"), h2sim.ArgumentTypeError, "progress"),
    (lambda m: m.run_batch(pd.DataFrame([[0.1, 0.2]], columns=["p", "p"])), h2sim.ArgumentError, "twice"),
    (lambda m: m.run_batch(pd.DataFrame({"p": [0.1], "P": [0.2]})), h2sim.ArgumentError, "same constant"),
    (lambda m: m.run_batch(pd.DataFrame({0: [0.1]})), h2sim.ArgumentTypeError, "column"),
    # Like a batch table, one mapping of settings names a constant once (the last spelling won).
    (lambda m: m.run(params={"p": 0.01, "P": 0.05}), h2sim.ArgumentError, "same constant twice"),
    (lambda m: m.with_params({"p": 0.01, "P": 0.05}), h2sim.ArgumentError, "same constant twice"),
    (lambda m: m.with_params({"p": 0.01}, P=0.05), h2sim.ArgumentError, "same constant twice"),
    (lambda m: m.with_params("p"), h2sim.ArgumentTypeError, "mapping"),
    (lambda m: m.with_params(p="high"), h2sim.ArgumentTypeError, "number"),
    (lambda m: m.check(strict_units="yes"), h2sim.ArgumentTypeError, "strict_units"),
    (lambda m: m.units_of(3), h2sim.ArgumentTypeError, "name"),
    (lambda m: m.section(3), h2sim.ArgumentError, "section"),
    (lambda m: m.to_xmile(path=3), h2sim.ArgumentTypeError, "path"),
    (lambda m: h2sim.load(3), h2sim.ArgumentTypeError, "path"),
    (lambda m: h2sim.load(b"bass.yaml"), h2sim.ArgumentTypeError, "path"),
    (lambda m: h2sim.load(m.file, strict_units="no"), h2sim.ArgumentTypeError, "strict_units"),
    (lambda m: h2sim.canonical_name(None), h2sim.ArgumentTypeError, "name"),
    (lambda m: m.run(params={"p": 10**400}), h2sim.ArgumentError, "401 digits"),
    (lambda m: m.run(params={"p": pd.Series([0.1], index=[pd.Timestamp("2025-01-01")])}), h2sim.ArgumentTypeError,
     "not by dates"),
    # Found by the red-team run of issue 17: calls that do not fit the signature, and objects
    # of the wrong kind where a Model, an Exploration or a DataFrame belongs, escaped as plain
    # TypeError, AttributeError, OverflowError or pybind11's "incompatible function arguments".
    (lambda m: h2sim.load(m.file, foo=1), h2sim.ArgumentTypeError, "unexpected keyword"),
    (lambda m: m.run(foo=1), h2sim.ArgumentTypeError, "unexpected keyword"),
    (lambda m: m.run(None, None, None, None, None, None, None, False, 9), h2sim.ArgumentTypeError, "positional"),
    (lambda m: m.equations(3), h2sim.ArgumentTypeError, "positional"),
    (lambda m: h2sim.limits(3), h2sim.ArgumentTypeError, "positional"),
    (lambda m: h2sim.functions("x"), h2sim.ArgumentTypeError, "positional"),
    (lambda m: m.trajectory(3), h2sim.ArgumentTypeError, "name"),
    (lambda m: m.compiled(3), h2sim.ArgumentTypeError, "compiled"),
    (lambda m: m.to_c(3), h2sim.ArgumentTypeError, "path"),
    (lambda m: m.run_batch(pd.DataFrame({"p": [10**400]})), h2sim.ArgumentTypeError, "params_table"),
    (lambda m: h2sim.explore(None, scenarios=4), h2sim.ArgumentTypeError, "h2sim.Model"),
    (lambda m: h2sim.sensitivity(3), h2sim.ArgumentTypeError, "h2sim.Model"),
    (lambda m: h2sim.calibrate(3), h2sim.ArgumentTypeError, "h2sim.Model"),
    (lambda m: h2sim.check_reality(None), h2sim.ArgumentTypeError, "h2sim.Model"),
    (lambda m: h2sim.read_targets(3), h2sim.ArgumentTypeError, "h2sim.Model"),
    (lambda m: h2sim.robustness(3), h2sim.ArgumentTypeError, "h2sim.Exploration"),
    (lambda m: h2sim.satisficing("x"), h2sim.ArgumentTypeError, "h2sim.Exploration"),
    (lambda m: h2sim.regret(None, "x"), h2sim.ArgumentTypeError, "h2sim.Exploration"),
    (lambda m: h2sim.discover(3, "x"), h2sim.ArgumentTypeError, "h2sim.Exploration"),
    (lambda m: h2sim.plot(None), h2sim.ArgumentTypeError, "DataFrame"),
    (lambda m: h2sim.plot(m.run(as_xarray=True)), h2sim.ArgumentTypeError, "DataFrame"),
    (lambda m: h2sim.plot_comparison([m.run()], ["adopters"]), h2sim.ArgumentTypeError, "mapping"),
    (lambda m: h2sim.Trajectory("x", "y", "linear"), h2sim.ArgumentTypeError, "numbers"),
    (lambda m: h2sim.results.write_table(3, "x.csv"), h2sim.ArgumentTypeError, "DataFrame"),
    (lambda m: h2sim.results.write_table(m.run(), "x.zzz"), h2sim.ArgumentError, "must end in"),
    # Samples are counted against the saved-values limit before they are drawn (10^9 scenarios
    # ran numpy out of memory).
    (lambda m: h2sim.explore(m, scenarios=10**9, uncertainties={"p": (0.01, 0.05)}), h2sim.ArgumentError, "H2SIM_MAX_SAVED_VALUES"),
    (lambda m: h2sim.sensitivity(m, n=2**30, uncertainties={"p": (0.01, 0.05)}), h2sim.ArgumentError, "H2SIM_MAX_SAVED_VALUES"),
])
def test_a_bad_argument_is_an_h2sim_error_that_names_it(bass, call, error, text):
    with pytest.raises(error, match=text) as info:
        call(bass)
    assert isinstance(info.value, h2sim.Error)
    assert isinstance(info.value, ValueError)  # and a TypeError for the wrong type
    assert isinstance(info.value, TypeError) == issubclass(error, h2sim.ArgumentTypeError)


@pytest.mark.parametrize("settings, text", [
    ({"dt": 0}, "dt must be a positive number"),
    ({"save_every": 0}, "save_every must be a positive number"),  # was silently dt
    ({"save_every": -1}, "save_every must be a positive number"),
    ({"save_every": float("nan")}, "save_every must be a positive number"),
    ({"stop": float("inf")}, "the stop time must be a finite number"),
    ({"start": 20, "stop": 10}, "must be after the start time"),
])
def test_impossible_time_settings_for_a_run_are_a_simulation_error(bass, settings, text):
    with pytest.raises(h2sim.SimulationError, match=text) as info:
        bass.run(**settings)
    assert "given for this run" in str(info.value)


def test_more_threads_than_any_machine_has_run_on_the_threads_there_are(bass):
    # 10**12 threads once overflowed the binding's int; results do not depend on threads.
    many = bass.run_batch({"p": [0.01, 0.02, 0.03]}, threads=10**12, progress=False)
    one = bass.run_batch({"p": [0.01, 0.02, 0.03]}, threads=1, progress=False)
    assert many.equals(one)


def test_good_arguments_in_every_accepted_form(bass):
    assert list(bass.run(return_columns="adopters").columns) == ["adopters"]
    assert list(bass.run(return_columns=("adopters", "share")).columns) == ["adopters", "share"]
    assert bass.run(params={"p": np.float32(0.05)}, dt=np.float64(0.25), method="RK4").shape[0] == 41
    ds = bass.run_batch({"p": [0.01, 0.05]}, threads=np.int64(2), progress=False)
    assert ds.sizes["run"] == 2


def test_a_variable_asked_for_twice_is_reported_once(bass, tmp_path):
    # Two columns of one name broke `h2sim run --columns adopters,adopters` (an internal
    # error printing the table) and gave ambiguous frames and batches.
    once = bass.run(return_columns=["adopters", "share"])
    for twice in (["adopters", "adopters", "share"], ["adopters", "ADOPTERS", "share", "Share"]):
        frame = bass.run(return_columns=twice)
        assert list(frame.columns) == ["adopters", "share"]
        assert frame.equals(once)
        batch = bass.run_batch({"p": [0.01, 0.02]}, return_columns=twice, progress=False)
        assert sorted(batch.data_vars) == ["adopters", "share"]
    (tmp_path / "bass.yaml").write_text(BASS)
    done = subprocess.run([sys.executable, "-m", "h2sim", "run", "bass.yaml", "--columns", "adopters,adopters"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()].count("adopters") == 1


def test_files_that_cannot_be_written_or_read_are_h2sim_errors(bass, tmp_path):
    # OSError escaped the API from every writer (to_xmile, to_c, report, write_table) and from
    # reading an ensemble; now a FileError (WriteError for outputs), still an OSError.
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    for write in (lambda p: bass.to_xmile(p), lambda p: bass.to_c(p),
                  lambda p: h2sim.results.write_table(bass.run(), p + ".csv"),
                  lambda p: h2sim.results.write_atomically(p, "text"), lambda p: h2sim.report([bass], p + ".html")):
        with pytest.raises(h2sim.WriteError, match="cannot write") as info:
            write(str(blocked / "out"))
        assert isinstance(info.value, h2sim.FileError) and isinstance(info.value, OSError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "bass.yaml"]
    with pytest.raises(h2sim.FileError, match="none.nc"):
        h2sim.report([bass], str(tmp_path / "r.html"), ensemble=str(tmp_path / "none.nc"))
    (tmp_path / "garbage.nc").write_bytes(b"garbage")  # xarray's error named no file
    with pytest.raises(h2sim.FileError, match="garbage.nc: cannot read the ensemble"):
        h2sim.report([bass], str(tmp_path / "r.html"), ensemble=str(tmp_path / "garbage.nc"))
    assert not (tmp_path / "r.html").exists()


def test_writers_keep_a_files_permissions_and_refuse_a_read_only_file(bass, tmp_path):
    # Writing through a rename replaced a read-only (0444) file and left it 0644: every
    # writer now refuses a file without write permission, as open() would (even for root),
    # and a file it replaces keeps its permissions.
    writers = {"m.xmile": lambda p: bass.to_xmile(p), "m.c": lambda p: bass.to_c(p),
               "t.csv": lambda p: h2sim.results.write_table(bass.run(), p),
               "a.txt": lambda p: h2sim.results.write_atomically(p, "new"),
               "e.nc": lambda p: h2sim.explore(bass, scenarios=2, uncertainties={"p": {"range": [0.01, 0.05]}}, outcomes=["adopters"],
                                                output=p, seed=1,
                                                progress=False)}
    for name, write in writers.items():
        target = tmp_path / name
        target.write_text("old")
        target.chmod(0o444)
        with pytest.raises(h2sim.WriteError, match=f"cannot write .*{name}: the file is read-only"):
            write(str(target))
        assert target.read_bytes() == b"old" and (target.stat().st_mode & 0o777) == 0o444
        target.chmod(0o640)
        write(str(target))
        assert target.read_bytes() != b"old" and (target.stat().st_mode & 0o777) == 0o640, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "bass.yaml", "e.nc", "m.c", "m.xmile", "t.csv"]


def test_the_table_of_a_run_with_thousands_of_columns_prints_quickly(tmp_path):
    # Each cell of `h2sim run`'s table copied the frame's attrs (units and labels of every
    # column): 5,000 columns took minutes (the red-team's SUM over 50,000 elements hung).
    elements = ", ".join(f"e{i}" for i in range(5000))
    (tmp_path / "wide.yaml").write_text(f"name: wide\ntime: {{start: 0, stop: 2, dt: 1}}\ndimensions:\n  d: [{elements}]\n"
                                        "constants:\n  c: {value: 1, dimensions: [d]}\nauxiliaries:\n  x: SUM(c[*])\n")
    done = subprocess.run([sys.executable, "-m", "h2sim", "run", "wide.yaml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["x", "5,000", "5,000", "5,000"] in [[r[0], *r[-3:]] for r in rows if r]
    assert sum(1 for r in rows if r and r[0].startswith("c[")) == 5000


def test_overrides_of_what_an_equation_computes_are_refused(bass):
    # with_params and Series used to overwrite auxiliaries, flows and stocks silently.
    for name in ("share", "adoption", "adopters"):
        with pytest.raises(h2sim.ModelError, match="computed by an equation|not a constant"):
            bass.with_params({name: 1.0})
        with pytest.raises(h2sim.ModelError, match="computed by an equation|not a constant"):
            bass.run(params={name: pd.Series([0.0, 1.0], index=[0, 10])})
        with pytest.raises(h2sim.ModelError):
            bass.run(params={name: 1.0})
    with pytest.raises(h2sim.ModelError, match="no constant"):
        bass.with_params(nothing=1)
    # A constant can still be set, by number or trajectory, and a schedule replaced again.
    scheduled = bass.with_params(p=pd.Series([0.01, 0.05], index=[0, 10]))
    assert scheduled.with_params(p=0.02).run()["adopters"].iloc[-1] == bass.run(params={"p": 0.02})[
        "adopters"].iloc[-1]


def test_a_batch_names_each_constant_once_and_matches_single_runs(bass):
    table = pd.DataFrame({"p": [0.01, 0.03, 0.05], "q": [0.2, 0.38, 0.5]})
    ds = bass.with_params(market=2000).run_batch(table, progress=False)
    one = bass.run(params={"p": 0.05, "q": 0.5, "market": 2000})
    assert np.array_equal(ds["adopters"].isel(run=2).to_numpy(), one["adopters"].to_numpy())
    # The table's own value of a with_params constant wins, without naming it twice.
    ds = bass.with_params(p=0.2).run_batch({"p": [0.05]}, progress=False)
    assert np.array_equal(ds["adopters"].isel(run=0).to_numpy(), bass.run(params={"p": 0.05})["adopters"].to_numpy())


# --- limits --------------------------------------------------------------------------------

def _python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **(env or {})))


def test_the_limits_are_listed_and_raised_by_environment_variables(write_yaml):
    limits = h2sim.limits()
    assert limits["H2SIM_MAX_NESTING"] == 500
    assert set(limits) == {"H2SIM_MAX_NESTING", "H2SIM_MAX_EQUATION_LENGTH", "H2SIM_MAX_EXPRESSION_SIZE",
                           "H2SIM_MAX_FILE_SIZE", "H2SIM_MAX_DOCUMENT_NODES", "H2SIM_MAX_VARIABLES",
                           "H2SIM_MAX_ELEMENTS", "H2SIM_MAX_COMPILED_TERMS", "H2SIM_MAX_STEPS",
                           "H2SIM_MAX_SAVED_VALUES"}
    deep = write_yaml("deep.yaml", "name: d\nauxiliaries:\n  x: " + "(" * 600 + "1" + ")" * 600 + "\n")
    with pytest.raises(h2sim.ParseError, match="H2SIM_MAX_NESTING"):
        h2sim.load(deep)
    code = f"""
        import h2sim
        print(h2sim.limits()["H2SIM_MAX_NESTING"], h2sim.load({str(deep)!r}).run()["x"].iloc[0])
    """
    done = _python(code, {"H2SIM_MAX_NESTING": "700"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["700", "1.0"]
    bad = _python(code, {"H2SIM_MAX_NESTING": "many"})
    assert bad.returncode == 1
    assert "h2sim.errors.ScenarioError" in bad.stderr and "H2SIM_MAX_NESTING must be a whole number" in bad.stderr


def test_a_run_too_long_to_save_is_refused_before_it_starts(bass):
    with pytest.raises(h2sim.SimulationError, match="H2SIM_MAX_STEPS"):
        bass.run(stop=1e19, dt=1)
    with pytest.raises(h2sim.SimulationError, match="H2SIM_MAX_SAVED_VALUES"):
        bass.run(method="dopri5", save_every=1e-9)
    # save_every beyond the run saves its start alone; a huge delay holds its initial value.
    assert list(bass.run(save_every=1e300).index) == [0.0]


# --- determinism ---------------------------------------------------------------------------

def _digest(frame_or_array) -> str:
    values = np.ascontiguousarray(np.asarray(frame_or_array, dtype=float))
    return hashlib.sha256(values.tobytes()).hexdigest()


@pytest.fixture(scope="module")
def hydrogen(repo_root):
    return h2sim.load(repo_root / "scenarios" / "zhejiang" / "baseline.yaml")


def test_results_are_bit_identical_across_threads_lanes_and_repeats(hydrogen):
    names = [n for n, _, _ in hydrogen.program.parameters][:3]
    rng = np.random.default_rng(17)
    base = np.array([v for _, v, _ in hydrogen.program.parameters][:3])
    table = pd.DataFrame(base * rng.uniform(0.8, 1.2, (21, 3)), columns=names)  # 21: a partial lane block
    runs = [hydrogen.run_batch(table, threads=t, progress=False) for t in (1, 2, 4, 1)]
    digests = {_digest(r.to_array()) for r in runs}
    assert len(digests) == 1
    # Every lane equals the single run of its row, bit for bit.
    for row in (0, 7, 20):
        single = hydrogen.run(params=dict(table.iloc[row]), return_columns=list(runs[0].data_vars))
        for column in ("fcev_fleet_total", "stations_operating_total"):
            if column in runs[0]:
                assert np.array_equal(runs[0][column].isel(run=row).to_numpy(), single[column].to_numpy())
    assert _digest(hydrogen.run()) == _digest(hydrogen.run())


def test_results_are_bit_identical_across_processes(hydrogen, repo_root):
    code = f"""
        import hashlib, numpy as np, h2sim
        model = h2sim.load({str(repo_root / "scenarios" / "zhejiang" / "baseline.yaml")!r})
        for method in ("euler", "rk4", "dopri5"):
            values = np.ascontiguousarray(model.run(method=method, dt=0.25).to_numpy(dtype=float))
            print(method, hashlib.sha256(values.tobytes()).hexdigest())
    """
    first, second = _python(code), _python(code, {"OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "123"})
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    here = {m: _digest(hydrogen.run(method=m, dt=0.25)) for m in ("euler", "rk4", "dopri5")}
    assert first.stdout.split() == [item for m in ("euler", "rk4", "dopri5") for item in (m, here[m])]


# --- the second red-team run of issue 17 ----------------------------------------------------

@pytest.mark.parametrize("ext", [".nc", ".parquet"])
@pytest.mark.parametrize("column, text", [
    (["s", 1], "column 'x' mixes text and number"),
    ([object(), object()], "column 'x' holds object values"),
])
def test_a_column_a_format_cannot_hold_leaves_no_file_and_names_the_column(tmp_path, ext, column, text):
    # A mixed column gave a plain ValueError and a 239-byte half-written .nc, and pyarrow's
    # own ArrowTypeError for .parquet.
    frame = pd.DataFrame({"a": [1.0, 2.0], "x": column}, index=pd.Index([0.0, 1.0], name="time"))
    target = tmp_path / f"m{ext}"
    with pytest.raises(h2sim.ArgumentTypeError, match=text) as info:
        h2sim.results.write_table(frame, str(target))
    assert f"m{ext}" in str(info.value) and ".part" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
    # ... and inside staged writes (what the commands use) the message names the target too.
    with pytest.raises(h2sim.ArgumentTypeError, match=text) as info, h2sim.results.staged() as files:
        files.write(str(target), lambda path: h2sim.results.write_table(frame, path, ext))
    assert str(target) in str(info.value)
    assert list(tmp_path.iterdir()) == []
    frame["x"] = frame["x"].astype(str)  # one kind of value is fine
    h2sim.results.write_table(frame, str(target))
    assert [p.name for p in tmp_path.iterdir()] == [f"m{ext}"]


def test_a_writer_failure_that_is_not_io_is_not_a_write_error(tmp_path):
    def fails(path):
        raise ValueError("no such dtype")
    with pytest.raises(h2sim.ArgumentError, match="no such dtype") as info, h2sim.results.staged() as files:
        files.write(str(tmp_path / "x.nc"), fails)
    assert not isinstance(info.value, h2sim.WriteError)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text, error, match", [
    (b"x", h2sim.ArgumentTypeError, "text must be text"),
    (None, h2sim.ArgumentTypeError, "text must be text"),
    ("\udcff", h2sim.ArgumentError, "UTF-8"),
])
def test_write_atomically_refuses_what_is_not_text(tmp_path, text, error, match):
    with pytest.raises(error, match=match):
        h2sim.results.write_atomically(tmp_path / "f.txt", text)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext", [".nc", ".parquet", ".csv"])
def test_a_sweep_of_numbers_and_schedules_writes_its_labels_as_text(cli, tmp_path, ext):
    # Lever settings label the runs: numbers, or the text of a schedule. A mix of both could
    # not be written (exit 3, "cannot write s.nc: unable to infer dtype").
    (tmp_path / "bass.yaml").write_text(BASS)
    done = cli("sweep", "bass.yaml", "--lever", "p=0.01;step:5=0.02", "--columns", "adopters", "-o", f"s{ext}")
    assert done.returncode == 0, done.stderr
    if ext == ".nc":
        import xarray as xr
        with xr.open_dataset(tmp_path / "s.nc") as ds:
            assert [str(v) for v in ds["p"].values] == ["0.01", "step 5: 0.02"]
            assert float(ds["adopters"].isel(run=0, time=-1)) != float(ds["adopters"].isel(run=1, time=-1))
    else:
        table = pd.read_parquet(tmp_path / "s.parquet") if ext == ".parquet" else pd.read_csv(tmp_path / "s.csv")
        assert sorted(str(v) for v in table["p"].unique()) == ["0.01", "step 5: 0.02"]


def test_explore_with_no_scenarios_says_the_declared_uncertainties_are_not_sampled(cli, tmp_path):
    # --scenarios 0 is documented as the scenario's values only; it printed "1 scenarios ...
    # 0 uncertainties" although the scenario declares one.
    (tmp_path / "bass.yaml").write_text(BASS)
    (tmp_path / "ex.yaml").write_text("model: bass.yaml\nuncertainties:\n  p: [0.01, 0.05]\n"
                                     "outcomes:\n  final: {variable: adopters, at: 10}\n")
    done = cli("explore", "ex.yaml", "--scenarios", "0", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "the scenario's own values only (--scenarios 0; its 1 declared uncertainty not sampled)" in done.stdout
    assert "0 uncertainties" not in done.stdout


@pytest.mark.parametrize("args", [
    ["sweep", "bass.yaml", "--lever", "p=0.1", "--from", "nan"],
    ["sweep", "bass.yaml", "--lever", "p=0.1", "--from", "inf"],
    ["explore", "bass.yaml", "--lever", "p=0.1", "--from=-inf"],
    ["calibrate", "bass.yaml", "--fit-until", "nan"],
    ["calibrate", "bass.yaml", "--level", "nan"],
    ["calibrate", "bass.yaml", "--parameter", "p=nan:1"],
    ["report", "bass.yaml", "--years", "1,nan", "-o", "r.html"],
])
def test_every_number_option_refuses_nan_and_infinity(cli, tmp_path, args):
    # --from nan was accepted (exit 0) and ignored.
    (tmp_path / "bass.yaml").write_text(BASS)
    done = cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "finite number" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args, text", [
    (["run", "bass.yaml", "--set", "p=0.01", "--set", "p=0.02"], "--set p is given twice"),
    (["run", "bass.yaml", "--set", "p=0.01", "--set", "P=0.02"], r"--set P is given twice \(as p and P: one constant\)"),
    (["sensitivity", "bass.yaml", "--set", "p=0.01", "--set", "p=0.02"], "--set p is given twice"),
])
def test_a_name_set_twice_on_the_command_line_is_a_usage_error(cli, tmp_path, args, text):
    # The last --set silently won.
    (tmp_path / "bass.yaml").write_text(BASS)
    done = cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert re.search(text, done.stderr), done.stderr


@pytest.mark.parametrize("call, error, text", [
    (lambda m: m.run(params={"p": pd.Series([0.1, 0.2], index=pd.MultiIndex.from_tuples([(0, 1), (1, 2)]))}),
     h2sim.ArgumentTypeError, "MultiIndex"),  # was NotImplementedError
    (lambda m: m.run(params={"p": pd.Series([1j, 2j], index=[0, 1])}), h2sim.ArgumentTypeError, "complex"),
    (lambda m: m.run(params={"p": pd.Series([True, False], index=[0, 1])}), h2sim.ArgumentTypeError, "True/False"),
    (lambda m: m.run(params={"p": pd.Series(["0.1", "0.2"], index=[0, 1])}), h2sim.ArgumentTypeError,
     "the text '0.1'"),
    (lambda m: m.run(params={"p": pd.Series([0.1, 0.2], index=["0", "5"])}), h2sim.ArgumentTypeError, "times"),
    (lambda m: m.run(params={"p": pd.Series(pd.to_timedelta([1, 2], unit="D"), index=[0, 1])}),
     h2sim.ArgumentTypeError, "dates or durations"),
    (lambda m: m.run(params={"p": {"scale": "2"}}), h2sim.ArgumentTypeError, "not a number"),
    (lambda m: m.run(params={"p": {"scale": True}}), h2sim.ArgumentTypeError, "not a number"),
    (lambda m: m.run(params={"p": {"step": {0: 1j}}}), h2sim.ArgumentTypeError, "not a number"),
    (lambda m: m.run_batch({"p": [True, False]}), h2sim.ArgumentTypeError, "True/False"),
    (lambda m: m.run_batch(pd.DataFrame({"p": [0.1, True]}, dtype=object)), h2sim.ArgumentTypeError, "True/False"),
    (lambda m: m.run_batch(pd.DataFrame({"p": pd.to_datetime(["2020-01-01"])})), h2sim.ArgumentTypeError,
     "dates or durations"),
    (lambda m: m.run_batch(pd.DataFrame({"p": [1j]})), h2sim.ArgumentTypeError, "complex"),
    (lambda m: m.run(return_columns=[]), h2sim.ArgumentError, "return_columns is empty"),
    (lambda m: m.run_batch({"p": [0.1]}, return_columns=[]), h2sim.ArgumentError, "return_columns is empty"),
])
def test_values_numpy_would_convert_silently_are_refused(bass, call, error, text):
    # Complex values lost their imaginary part, True/False became 1/0, dates nanoseconds,
    # the text '2' a number, and an empty return_columns returned every variable.
    with pytest.raises(error, match=text):
        call(bass)


def test_a_scenario_without_outputs_still_returns_every_variable(bass):
    assert {"adopters", "adoption", "share", "p"} <= set(bass.run().columns)


@pytest.mark.parametrize("call, error, text", [
    (lambda m: h2sim.report([m], columns=["zzz"]), h2sim.ArgumentError, "no such variable `zzz`"),
    (lambda m: h2sim.report([m], columns=["adoptrs"]), h2sim.ArgumentError, "did you mean `adopters`"),
    (lambda m: h2sim.report([m], columns=[]), h2sim.ArgumentError, "columns is empty"),
    (lambda m: h2sim.report([m], tables={"t": 3}), h2sim.ArgumentTypeError, r"tables\['t'\] must be a pandas DataFrame"),
    (lambda m: h2sim.report([m], tables=[3]), h2sim.ArgumentTypeError, "tables must be a mapping"),
    (lambda m: h2sim.report([m], years=["x"]), h2sim.ArgumentTypeError, r"years\[0\] must be a number"),
    (lambda m: h2sim.report([m], years=[float("nan")]), h2sim.ArgumentError, r"years\[0\] must be a finite"),
    (lambda m: h2sim.report([m], years=5), h2sim.ArgumentTypeError, "years must be a list"),
    (lambda m: h2sim.plot_comparison({"a": m.run()}, ["adopters"], targets={"adopters": [(1,)]}),
     h2sim.ArgumentTypeError, r"targets\['adopters'\]\[0\] must be \(time, value\)"),  # was IndexError
    (lambda m: h2sim.plot_comparison({"a": m.run()}, ["adopters"], targets={"adopters": 5}),
     h2sim.ArgumentTypeError, "list of"),
    (lambda m: h2sim.plot_comparison({"a": m.run()}, ["adopters"], targets=["x"]), h2sim.ArgumentTypeError,
     "h2sim.Target"),
    (lambda m: h2sim.read_targets(m, extra={"variable": "adopters", "time": 1, "value": 2}),
     h2sim.ArgumentTypeError, r"extra must be a list of targets .*put it in a list"),
    (lambda m: h2sim.read_targets(m, extra="x"), h2sim.ArgumentTypeError, "extra must be a list of targets"),
    (lambda m: h2sim.read_targets(m, extra=[3]), h2sim.ArgumentTypeError, r"extra\[0\] must be a Target"),
    (lambda m: h2sim.read_targets(m, extra=[{"variable": "adopters"}]), h2sim.ArgumentError,
     r"extra\[0\]: a target needs `time:`"),
    (lambda m: h2sim.read_targets(m, extra=[{"variable": "adopters", "time": 5, "value": 1}])[0].met("x"),
     h2sim.ArgumentTypeError, "Target.met: result"),  # was AttributeError
])
def test_report_plot_and_target_arguments_are_checked(bass, call, error, text):
    with pytest.raises(error, match=text):
        call(bass)


def test_report_columns_on_the_command_line_name_an_unknown_variable(cli, tmp_path):
    # An unknown --columns name was silently left out of the report.
    (tmp_path / "bass.yaml").write_text(BASS)
    done = cli("report", "bass.yaml", "--columns", "adoptrs", "-o", "r.html")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--columns: no such variable `adoptrs`" in done.stderr and "did you mean `adopters`" in done.stderr
    assert not (tmp_path / "r.html").exists()
    done = cli("report", "bass.yaml", "--columns", "adopters", "-o", "r.html")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("spec, text, line", [
    # "explore: math range error", with no uncertainty, file or line
    ("{distribution: {type: lognormal, mean: 800, sd: 1}}", "lognormal: mean 800 and sd 1 are those of the logarithm", 3),
    ("\n    distribution: {type: uniform, low: 0, high: 2, mean: 5}", "a uniform distribution does not use `mean`", 4),
    ("\n    distribution: {type: normal, mean: 0.03, sd: 0.01, mode: 0.02}", "a normal distribution does not use `mode`", 4),
])
def test_a_distribution_that_cannot_be_sampled_as_written_is_an_error_at_its_line(write_yaml, spec, text, line):
    write_yaml("bass.yaml", BASS)
    path = write_yaml("ex.yaml", f"model: bass.yaml\nuncertainties:\n  p: {spec}\n"
                                 "outcomes:\n  final: {variable: adopters, at: 10}\n")
    with pytest.raises(h2sim.ScenarioError, match=text) as info:
        h2sim.explore(h2sim.load(path), scenarios=4, progress=False)
    assert info.value.file.endswith("ex.yaml") and info.value.line == line
    assert "uncertainties.p" in str(info.value)


def test_a_lognormal_with_a_sensible_log_scale_still_samples(write_yaml):
    write_yaml("bass.yaml", BASS)
    path = write_yaml("ex.yaml", "model: bass.yaml\nuncertainties:\n  p: {distribution: {type: lognormal, "
                                 "mean: -3.5, sd: 0.3}}\noutcomes:\n  final: {variable: adopters, at: 10}\n")
    samples = h2sim.explore(h2sim.load(path), scenarios=64, seed=1, progress=False).experiments["p"]
    assert abs(float(np.median(samples)) - np.exp(-3.5)) < 0.005


def test_a_constant_whose_lognormal_overflows_is_named_with_its_file(write_yaml):
    path = write_yaml("c.yaml", BASS.replace("p: {value: 0.03, units: 1/year}",
                                             "p: {value: 0.03, units: 1/year, distribution: {type: lognormal, mean: 800, sd: 1}}")
                      + "outputs: [adopters]\n")
    with pytest.raises(h2sim.ScenarioError, match=r"c.yaml: constant `p`: distribution: lognormal: mean 800") as info:
        h2sim.explore(h2sim.load(path), scenarios=4, outcomes=["adopters"], progress=False)
    assert info.value.variable == "p"


def test_a_netcdf_table_needs_distinct_index_level_names(bass, tmp_path):
    frame = bass.run()
    twice = frame.set_index(pd.MultiIndex.from_arrays([frame.index, frame.index]))
    with pytest.raises(h2sim.ArgumentError, match="repeat a name"):
        h2sim.results.write_table(twice, str(tmp_path / "mi.nc"))
    assert not (tmp_path / "mi.nc").exists()


# --- found by the third red-team run ------------------------------------------------------------

ARRAYS_2D = """\
time: {start: 0, stop: 1, dt: 1}
dimensions: {d: [a, b], e: [x, y, z]}
constants:
  m: {dimensions: [d, e], value: {"a, x": 1, "a, y": 2, "a, z": 3, "b, x": 4, "b, y": 5, "b, z": 6}}
  v: {dimensions: [d], value: {a: 1, b: 2}}
"""


def test_elements_asked_for_out_of_order_keep_their_coordinates(write_yaml):
    # Every element named, in another order than the variable's: the values were reshaped in
    # the order given, so m[a, x] read 6 under the coordinates (a, x) (as_xarray, run_batch, .nc).
    model = h2sim.load(write_yaml("arrays.yaml", ARRAYS_2D))
    ds = model.run(as_xarray=True, return_columns=["m[b, z]", "m[a,x]", "m[a, y]", "m[a, z]", "m[b, x]",
                                                   "m[b, y]", "v[b]", "v[a]"])
    np.testing.assert_array_equal(ds["m"].sel(time=0).transpose("d", "e").values, [[1, 2, 3], [4, 5, 6]])
    assert ds["v"].sel(time=0, d="a").item() == 1 and ds["v"].sel(time=0, d="b").item() == 2
    batch = model.run_batch({"v[a]": [5.0, 7.0]}, return_columns=["v[b]", "v[a]"], progress=False)
    np.testing.assert_array_equal(batch["v"].sel(time=0, d="a").values, [5, 7])
    np.testing.assert_array_equal(batch["v"].sel(time=0, d="b").values, [2, 2])
    # One element of an array says which it is (it was a variable `v` holding v[b], unlabelled).
    one = model.run(as_xarray=True, return_columns=["v[b]"])
    assert list(one["v"].coords["element"].values) == ["v[b]"] and one["v"].values[0, 0] == 2
