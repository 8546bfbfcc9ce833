"""The h2sim command line through `python -m h2sim`: outputs, files and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import h2sim
from h2sim import cli as h2sim_cli

DIVIDE_BY_ZERO = """\
name: divide
time: {start: 0, stop: 2, dt: 0.25}
constants:
  a: {value: 1}
auxiliaries:
  b:
    equation: a / (1 - TIME)
"""

BROKEN_EQUATION = """\
name: broken
time: {start: 0, stop: 2, dt: 0.25}
constants:
  a: {value: 1}
auxiliaries:
  b:
    equation: a * (2 +
"""


def leftovers(folder) -> list[str]:
    """Temporary files the CLI may have left (it writes .NAME.*.part, then renames)."""
    return [n for n in os.listdir(folder) if n.endswith(".part")]


def test_help_lists_the_commands_and_exit_codes(cli):
    result = cli("--help")
    assert result.returncode == 0
    for word in ("run", "check", "equations", "compare", "sweep", "exit codes", "I/O error"):
        assert word in result.stdout


def test_the_console_script_is_installed():
    script = os.path.join(os.path.dirname(sys.executable), "h2sim")
    if not os.path.exists(script):
        # pip installs the script beside the interpreter; a --user or --target install puts it
        # elsewhere, where this test cannot know to look.
        pytest.skip("the h2sim script is not beside this interpreter (a --user or --target install?)")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and h2sim.__version__ in result.stdout


def test_run_prints_key_years_and_writes_csv_and_png(cli, bass_path, tmp_path):
    result = cli("run", bass_path, "--set", "p=0.05", "-o", "out.csv", "--plot", "out.png")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("variable"))
    assert header.split() == ["variable", "units", "0", "10", "20"]
    assert any(line.split()[:2] == ["adopters", "vehicles"] for line in lines)
    frame = pd.read_csv(tmp_path / "out.csv", index_col="time")
    expected = h2sim.load(bass_path).run(params={"p": 0.05})
    np.testing.assert_allclose(frame.to_numpy(), expected.to_numpy(), rtol=1e-15)
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert leftovers(tmp_path) == []


def test_run_writes_parquet_and_netcdf(cli, examples, tmp_path):
    result = cli("run", examples / "arrayed_fleet.yaml", "-o", "fleet.parquet")
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(tmp_path / "fleet.parquet")
    assert "fleet_by_segment[bus]" in frame.columns and len(frame) == 11

    result = cli("run", examples / "arrayed_fleet.yaml", "-o", "fleet.nc", "--columns", "fleet_by_segment")
    assert result.returncode == 0, result.stderr
    import xarray as xr

    with xr.open_dataset(tmp_path / "fleet.nc") as ds:
        assert ds["fleet_by_segment"].dims == ("time", "segment")
        assert ds["fleet_by_segment"].attrs["units"] == "vehicles"
        np.testing.assert_allclose(ds["fleet_by_segment"].sel(segment="bus").to_numpy(),
                                   frame["fleet_by_segment[bus]"].to_numpy())


def test_run_takes_time_settings_and_a_lever_trajectory(cli, examples, tmp_path):
    result = cli("run", examples / "scenario_base.yaml", "--set", "p=2020:0.01,2030:0.05",
                 "--columns", "p,adopters", "--stop", "2030", "--method", "euler", "-o", "lever.csv")
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(tmp_path / "lever.csv", index_col="time")
    assert frame.index[-1] == 2030
    assert frame.loc[2025, "p"] == pytest.approx(0.03)


def test_a_failed_run_leaves_nothing_written(cli, write_yaml, tmp_path):
    path = write_yaml("divide.yaml", DIVIDE_BY_ZERO)
    (tmp_path / "old.csv").write_text("previous results\n")
    result = cli("run", path, "-o", "new.csv", "--plot", "new.png")
    assert result.returncode == 1
    assert result.stderr.startswith(f"h2sim: error: {path}:6")
    assert "infinity" in result.stderr
    assert not (tmp_path / "new.csv").exists() and not (tmp_path / "new.png").exists()
    result = cli("run", path, "-o", "old.csv")
    assert result.returncode == 1
    assert (tmp_path / "old.csv").read_text() == "previous results\n"
    assert leftovers(tmp_path) == []


def test_a_write_error_exits_3(cli, bass_path, tmp_path):
    result = cli("run", bass_path, "-o", tmp_path / "no_such_folder" / "out.csv")
    assert result.returncode == 3
    assert result.stderr.startswith("h2sim: error: cannot write")


def test_a_writer_that_fails_half_way_leaves_nothing(bass_path, tmp_path, monkeypatch, capsys):
    def half_written(frame, path, ext, dataset_factory=None):
        with open(path, "w") as handle:
            handle.write("time,adop")
        raise OSError("disk full")

    monkeypatch.setattr(h2sim.results, "write_table", half_written)
    target = tmp_path / "out.csv"
    code = h2sim_cli.main(["run", str(bass_path), "-o", str(target), "--plot", str(tmp_path / "out.png")])
    assert code == 3
    assert "disk full" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == []


def test_usage_errors_exit_2(cli, bass_path):
    assert cli().returncode == 2
    assert cli("run").returncode == 2
    bad_format = cli("run", bass_path, "-o", "out.txt")
    assert bad_format.returncode == 2 and "h2sim: error:" in bad_format.stderr
    assert cli("run", bass_path, "--set", "p").returncode == 2
    assert cli("run", bass_path, "--set", "p=abc").returncode == 2
    assert cli("sweep", bass_path).returncode == 2


def test_model_errors_exit_1(cli, bass_path, tmp_path):
    unknown = cli("run", bass_path, "--set", "nope=1")
    assert unknown.returncode == 1 and "nope" in unknown.stderr
    missing = cli("run", tmp_path / "missing.yaml")
    assert missing.returncode == 1 and "no such scenario file" in missing.stderr


@pytest.mark.parametrize("args,said", [
    (["run", "--set", "nope=1"], "--set nope: no constant or lever with this name"),
    (["run", "--set", "pp=0.1"], "--set pp: no constant or lever with this name (did you mean 'p'?)"),
    (["export", "--set", "nope=1"], "--set nope: no constant or lever"),
    (["sweep", "--lever", "nope=1,2"], "--lever nope: no constant or lever"),
    (["sensitivity", "--morris", "--n", "4", "--set", "nope=1"], "--set nope: no constant or lever"),
    (["explore", "--lever", "nope=1,2"], "--lever nope: no constant or lever"),
])
def test_a_name_given_on_the_command_line_is_refused_with_the_option_and_file(cli, bass_path, args, said):
    # These used to say only "variable 'nope': no constant or lever with this name", or name the
    # model and the Python argument (policies) instead of the option and the scenario file.
    result = cli(args[0], bass_path, *args[1:])
    assert result.returncode == 1
    assert result.stderr.startswith(f"h2sim: error: {bass_path}: {said}"), result.stderr


def test_a_stock_given_to_set_says_where_it_is_defined(cli, bass_path):
    result = cli("run", bass_path, "--set", "adopters=1")
    assert result.returncode == 1
    assert "--set adopters: is a stock" in result.stderr
    assert f"(adopters is defined at {bass_path}:" in result.stderr


def test_check_accepts_the_examples(cli, examples):
    for path in sorted(examples.glob("*.yaml")):
        result = cli("check", path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("OK ") and "stock" in result.stdout and "variables" in result.stdout


def test_check_reports_the_located_error(cli, write_yaml):
    path = write_yaml("broken.yaml", BROKEN_EQUATION)
    result = cli("check", path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"h2sim: error: {path}:7: variable 'b':")
    assert result.stdout == ""


def test_check_is_strict_about_units(cli, write_yaml):
    path = write_yaml("units.yaml", "name: u\ntime: {start: 0, stop: 1, dt: 0.5}\nconstants:\n"
                      "  a: {value: 1, units: vehicles}\n  c: {value: 1, units: year}\n"
                      "auxiliaries:\n  b: {equation: a + c, units: vehicles}\n")
    strict = cli("check", path)
    assert strict.returncode == 1 and "different units" in strict.stderr
    lenient = cli("check", path, "--lenient-units")
    assert lenient.returncode == 0 and "h2sim: warning:" in lenient.stderr
    assert cli("check", path, "--lenient-units", "--strict").returncode == 1


def test_check_runs_the_model(cli, write_yaml):
    path = write_yaml("divide.yaml", DIVIDE_BY_ZERO)
    assert cli("check", path).returncode == 1
    assert cli("check", path, "--no-run").returncode == 0


def test_equations_and_dot(cli, bass_path):
    text = cli("equations", bass_path)
    assert text.returncode == 0
    assert "= (p + q * adopters / market) * (market - adopters)" in text.stdout
    dot = cli("equations", bass_path, "--dot")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph")


def test_compare_prints_scenarios_side_by_side(cli, examples):
    result = cli("compare", examples / "scenario_base.yaml", examples / "scenario_variant.yaml",
                 "--years", "2025,2035", "--columns", "adopters")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["variable", "units", "year", "bass_base", "bass_marketing_push"]
    base = h2sim.load(examples / "scenario_base.yaml").run()
    variant = h2sim.load(examples / "scenario_variant.yaml").run()
    row_2035 = next(line for line in lines if line.split()[:1] == ["2035"])
    assert row_2035.split()[1:] == [f"{base.loc[2035.0, 'adopters']:,.0f}", f"{variant.loc[2035.0, 'adopters']:,.0f}"]


def test_sweep_runs_the_grid(cli, bass_path, tmp_path):
    result = cli("sweep", bass_path, "--lever", "p=0.01,0.05", "--lever", "q=0.2:0.5:4", "-o", "sweep.csv")
    assert result.returncode == 0, result.stderr
    assert "8 runs" in result.stdout
    frame = pd.read_csv(tmp_path / "sweep.csv")
    assert sorted(set(zip(frame["p"], frame["q"]))) == sorted(
        (p, q) for p in (0.01, 0.05) for q in np.linspace(0.2, 0.5, 4))
    one = frame[(frame["p"] == 0.05) & np.isclose(frame["q"], 0.3)]
    single = h2sim.load(bass_path).run(params={"p": 0.05, "q": 0.3})
    np.testing.assert_array_equal(one["adopters"].to_numpy(), single["adopters"].to_numpy())


def test_sweep_writes_netcdf_with_lever_coordinates(cli, examples, tmp_path):
    result = cli("sweep", examples / "arrayed_fleet.yaml", "--lever", "sales_growth=0.1,0.2", "-o", "s.nc")
    assert result.returncode == 0, result.stderr
    import xarray as xr

    with xr.open_dataset(tmp_path / "s.nc") as ds:
        assert ds["fleet_by_segment"].dims == ("run", "time", "segment")
        np.testing.assert_allclose(ds["sales_growth"].to_numpy(), [0.1, 0.2])
