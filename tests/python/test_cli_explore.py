"""`h2sim explore` and `h2sim sensitivity`: tables, files, exit codes."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import h2sim

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "analysis")
RAMP = os.path.join(DATA, "ramp.yaml")
LINEAR = os.path.join(DATA, "linear.yaml")


def test_help_lists_the_exploration_commands(cli):
    result = cli("--help")
    assert "explore" in result.stdout and "sensitivity" in result.stdout
    result = cli("explore", "--help")
    assert result.returncode == 0 and "--scenarios" in result.stdout and "--lever" in result.stdout


def test_explore_prints_spreads_and_the_lever_benchmark_and_writes_netcdf(cli, tmp_path):
    result = cli("explore", RAMP, "--scenarios", "200", "--seed", "3", "--lever", "boost=0,1",
                 "--cost", "level_change", "--benefit", "level_final", "-o", "runs.nc", "--plot", "runs.png")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "200 scenarios (lhs, seed 3) x 2 policies = 400 runs; 2 uncertainties, 1 levers" in out
    assert "lever benchmark" in out and "cost: level_change [t]; benefit: level_final [t]" in out
    # the same study through the API gives the numbers the table shows
    api = h2sim.explore(RAMP, scenarios=200, seed=3, policies=h2sim.factorial({"boost": [0, 1]}), progress=False)
    share = api.outcomes["enough"][api.experiments["policy"] == "policy 1"].mean()
    assert f"{share:.1%}" in out
    median = np.median(api.outcomes["level_at_5"][api.experiments["policy"] == "policy 0"])
    assert f"{median:.4g}" in out
    written = h2sim.open_exploration(tmp_path / "runs.nc")
    assert np.array_equal(written.outcomes["level_at_5"], api.outcomes["level_at_5"])
    assert (tmp_path / "runs.png").stat().st_size > 10_000
    assert "wrote runs.nc" in out and "wrote runs.png" in out


def test_explore_writes_a_table_and_named_policies(cli, tmp_path):
    result = cli("explore", RAMP, "--scenarios", "10", "--seed", "1", "--policy", "none:boost=0",
                 "--policy", "push:boost=1,mode=2", "--outcomes", "level_at_5,enough", "-o", "runs.csv",
                 "--no-progress")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "runs.csv")
    assert len(table) == 20 and set(table["policy"]) == {"none", "push"}
    push = table[table["policy"] == "push"]
    np.testing.assert_allclose(push["level_at_5"], (push["rate"] + 1) * 5, rtol=1e-12)
    assert (push["mode"] == 2).all()


def test_explore_streams_time_series_to_zarr(cli, tmp_path):
    result = cli("explore", RAMP, "--scenarios", "20", "--seed", "1", "--time-series", "level",
                 "--chunk-size", "8", "-o", "runs.zarr")
    assert result.returncode == 0, result.stderr
    back = h2sim.open_exploration(tmp_path / "runs.zarr")
    level = np.asarray(back.outcomes["level"])
    assert level.shape == (20, 11)
    np.testing.assert_allclose(level[:, 5], back.outcomes["level_at_5"])


@pytest.mark.parametrize("args,message", [
    (["--lever", "boost=0,1", "--policies", "3"], "give one of --lever, --policy, --policies and --factorial"),
    (["-o", "runs.txt"], "the file name must end in"),
    (["--policy", "noname"], "expected NAME:LEVER=VALUE"),
    (["--time-series", "level", "-o", "x.csv"], "--time-series needs -o with .nc or .zarr"),
    (["--scenarios", "-1"], "--scenarios must be 0 or more"),
])
def test_explore_usage_errors_exit_2(cli, args, message):
    result = cli("explore", RAMP, *args)
    assert result.returncode == 2 and message in result.stderr


def test_explore_model_errors_exit_1_with_the_location(cli, write_yaml, tmp_path):
    path = write_yaml("bad.yaml", f"model: {RAMP}\noutcomes:\n  x: {{variable: levl}}\n")
    result = cli("explore", path, "--scenarios", "5")
    assert result.returncode == 1
    assert "bad.yaml:3:" in result.stderr and "unknown variable `levl`" in result.stderr
    result = cli("explore", RAMP, "--scenarios", "5", "--policy", "p:nothing=1")
    assert result.returncode == 1 and "--policy p: nothing: no constant or lever with this name" in result.stderr
    assert not list(tmp_path.glob("*.part"))


def test_sensitivity_prints_indices_and_writes_them(cli, tmp_path):
    result = cli("sensitivity", LINEAR, "--morris", "--n", "20", "--seed", "1", "-o", "indices.csv",
                 "--plot", "morris.png")
    assert result.returncode == 0, result.stderr
    assert "Morris indices from 100 runs, 4 uncertainties, seed 1" in result.stdout
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.startswith("x")}
    assert lines["x3"][1] == "3" and lines["x4"][1] == "0"
    indices = pd.read_csv(tmp_path / "indices.csv", index_col=[0, 1])
    assert indices.loc[("y", "x2"), "mu_star"] == pytest.approx(2)
    result = cli("sensitivity", LINEAR, "--n", "256", "--seed", "1")
    assert result.returncode == 0 and "Sobol indices from 1536 runs" in result.stdout
    result = cli("sensitivity", LINEAR, "--n", "100")
    assert result.returncode == 2 and "power of two" in result.stderr


def test_check_reports_a_bad_outcome_or_uncertainty_at_its_line(cli, write_yaml):
    path = write_yaml("bad.yaml", f"model: {RAMP}\nuncertainties:\n  rate: [3, 1]\n")
    result = cli("check", path)
    assert result.returncode == 1 and "bad.yaml:3:" in result.stderr and "low < high" in result.stderr
    path = write_yaml("bad2.yaml", f"model: {RAMP}\noutcomes:\n  late: {{variable: level, at: 99}}\n")
    result = cli("check", path)
    assert result.returncode == 1 and "bad2.yaml:3:" in result.stderr and "outside the run" in result.stderr
    result = cli("check", RAMP)
    assert result.returncode == 0, result.stderr


def test_an_exploration_with_time_series_is_an_ensemble_the_report_reads(repo_root, tmp_path):
    study = h2sim.load(repo_root / "scenarios" / "studies" / "zhejiang_2025_levers.yaml")
    path = tmp_path / "study.nc"
    h2sim.explore(study, scenarios=6, seed=1, policies=h2sim.factorial({"fuel_subsidy_to_reference": [0, 1]}),
                  time_series=["fcev_fleet_total", "stations_operating_total"], output=path, progress=False)
    html = tmp_path / "report.html"
    h2sim.report([study], html, ensemble=path)
    text = html.read_text()
    assert "Lever benchmark" in text and "policy 1" in text
