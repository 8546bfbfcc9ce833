"""h2sim.sensitivity against analytic indices: Ishigami, a linear model, an inert input."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

import h2sim

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "analysis")
ISHIGAMI = os.path.join(DATA, "ishigami.yaml")
LINEAR = os.path.join(DATA, "linear.yaml")


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict:
    """Analytic Sobol indices of the Ishigami function (Saltelli et al. 2008, ch. 4)."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return {"S1": [v1 / total, v2 / total, 0.0], "ST": [(v1 + v13) / total, v2 / total, v13 / total]}


def test_sobol_indices_of_ishigami_match_the_analytic_values_within_their_intervals():
    result = h2sim.sensitivity(ISHIGAMI, analysis="sobol", n=4096, seed=1, progress=False)
    table = result.indices.loc["y"]
    expected = ishigami_indices()
    assert expected["S1"][0] == pytest.approx(0.3139, abs=1e-4) and expected["ST"][2] == pytest.approx(0.2437, abs=1e-4)
    for j, name in enumerate(["x1", "x2", "x3"]):
        for key in ("S1", "ST"):
            estimate, half_width = table.loc[name, key], table.loc[name, f"{key}_conf"]
            assert half_width < 0.05, (name, key, half_width)  # the sample is large enough to mean something
            # within the sampling error: 2 half-widths of the 95 % interval (about 4 standard errors)
            assert abs(estimate - expected[key][j]) <= max(2 * half_width, 0.01), (name, key, estimate)
    assert len(result.exploration) == 4096 * 5  # n (D + 2)


def test_sobol_indices_of_a_linear_model_are_its_variance_shares():
    result = h2sim.sensitivity(LINEAR, n=1024, seed=2, progress=False)
    table = result.indices.loc["y"]
    shares = np.array([1, 4, 9, 0]) / 14
    for j, name in enumerate(["x1", "x2", "x3", "x4"]):
        assert abs(table.loc[name, "S1"] - shares[j]) <= max(2 * table.loc[name, "S1_conf"], 0.01)
        assert abs(table.loc[name, "ST"] - shares[j]) <= max(2 * table.loc[name, "ST_conf"], 0.01)
    assert table.loc["x4", "ST"] == 0 and table.loc["x4", "S1"] == 0  # an unused input: exactly nothing
    assert list(result.table().index) == ["x3", "x2", "x1", "x4"]


def test_morris_gives_the_inert_input_zero_and_the_others_their_slopes():
    result = h2sim.sensitivity(LINEAR, analysis="morris", n=40, seed=3, progress=False)
    table = result.indices.loc["y"]
    assert table.loc["x4", "mu_star"] == 0 and table.loc["x4", "sigma"] == 0
    # on [0, 1] every elementary effect of c * x is c exactly (up to rounding)
    for name, slope in (("x1", 1), ("x2", 2), ("x3", 3)):
        assert table.loc[name, "mu_star"] == pytest.approx(slope, rel=1e-9)
        assert table.loc[name, "sigma"] == pytest.approx(0, abs=1e-9)
    assert len(result.exploration) == 40 * 5  # n (D + 1)


def test_seeds_reproduce_the_design_and_the_intervals():
    a = h2sim.sensitivity(ISHIGAMI, n=256, seed=7, progress=False)
    b = h2sim.sensitivity(ISHIGAMI, n=256, seed=7, progress=False)
    c = h2sim.sensitivity(ISHIGAMI, n=256, seed=8, progress=False)
    assert a.indices.equals(b.indices)
    assert not a.indices.equals(c.indices)


def test_sensitivity_refuses_what_it_cannot_do(write_yaml):
    with pytest.raises(ValueError, match="power of two"):
        h2sim.sensitivity(ISHIGAMI, n=1000, progress=False)
    with pytest.raises(ValueError, match="unknown analysis"):
        h2sim.sensitivity(ISHIGAMI, analysis="fast", progress=False)
    path = write_yaml("never.yaml", """
name: never
time: {start: 0, stop: 2, dt: 1}
constants:
  r: {value: 1, range: [0, 2]}
stocks:
  s: {initial: 0, inflows: [f]}
flows:
  f: r
outcomes:
  reach: {variable: s, first_reaches: 3}
""")
    with pytest.raises(ValueError, match="`reach` is not a finite number in .* give it `never:`"):
        h2sim.sensitivity(path, n=16, seed=1, progress=False)


def test_correlated_groups_are_dropped_with_a_warning(repo_root):
    study = h2sim.load(repo_root / "scenarios" / "studies" / "zhejiang_2025_levers.yaml")
    with pytest.warns(UserWarning, match="learning_together"):
        result = h2sim.sensitivity(study, analysis="morris", n=4, seed=1, outcomes=["fleet_at_end_2025"],
                                   progress=False)
    assert len(result.indices) == len(result.exploration.uncertainties) > 10


def test_sensitivity_plots(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    sobol = h2sim.sensitivity(ISHIGAMI, n=128, seed=1, progress=False)
    morris = h2sim.sensitivity(LINEAR, analysis="morris", n=10, seed=1, progress=False)
    for result in (sobol, morris):
        fig = result.plot()
        assert fig.axes and fig.axes[0].get_title()
        fig.savefig(tmp_path / f"{result.analysis}.png")
