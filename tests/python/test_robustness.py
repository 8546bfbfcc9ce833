"""Robustness (satisficing, regret, the lever benchmark), PRIM scenario discovery, the EMA
Workbench adapter and the exploration plots, on a model with closed-form answers."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest

import h2sim

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "analysis")
RAMP = os.path.join(DATA, "ramp.yaml")
BOOSTS = {"none": {"boost": 0.0}, "half": {"boost": 0.5}, "full": {"boost": 1.0}}


@pytest.fixture(scope="module")
def ramp():
    return h2sim.load(RAMP)


@pytest.fixture(scope="module")
def explored(ramp):
    # level(10) = 10 (rate + boost) with rate uniform on [1, 3]: `enough` (>= 20) holds when
    # rate >= 2 - boost, so P(enough) = (1 + boost) / 2
    return h2sim.explore(ramp, scenarios=400, policies=BOOSTS, seed=1, progress=False)


def test_satisficing_is_the_share_of_scenarios_meeting_the_targets(explored):
    table = h2sim.satisficing(explored, targets="enough")
    assert table.loc["none", "P(targets met)"] == pytest.approx(0.5, abs=0.01)
    assert table.loc["half", "P(targets met)"] == pytest.approx(0.75, abs=0.01)
    assert table.loc["full", "P(targets met)"] == 1.0
    assert table.loc["none", "low"] < 0.5 < table.loc["none", "high"]  # Wilson interval
    both = h2sim.satisficing(explored)  # every target: enough and not_too_much (<= 25: rate + boost <= 2.5)
    rate = explored.for_policy("half").experiments["rate"].to_numpy()
    assert both.loc["half", "P(targets met)"] == pytest.approx(np.mean((rate + 0.5 >= 2) & (rate + 0.5 <= 2.5)))


def test_regret_against_the_best_policy_in_each_scenario(explored):
    table = h2sim.regret(explored, "level_at_5")  # goal: maximize; boost 1 is best everywhere
    assert table.loc["full", "max regret"] == 0
    assert table.loc["none", "median regret"] == pytest.approx(5.0, rel=1e-12)
    assert table.loc["half", "max regret"] == pytest.approx(2.5, rel=1e-12)
    with pytest.raises(ValueError, match="has no goal"):
        h2sim.regret(explored, "level_total")
    assert h2sim.regret(explored, "level_total", goal="minimize").loc["none", "max regret"] == 0


def test_the_lever_benchmark_lists_every_mix_with_its_costs(explored):
    table = h2sim.robustness(explored, targets="enough", cost="level_change", benefit="level_final")
    assert list(table.index) == ["full", "half", "none"]  # most robust first
    assert table.loc["half", "boost"] == 0.5
    rate = explored.for_policy("half").experiments["rate"].to_numpy()
    cost, benefit = 6 * (rate + 0.5), 10 * (rate + 0.5)
    assert table.loc["half", "level_change median"] == pytest.approx(np.median(cost))
    assert table.loc["half", "level_change p90"] == pytest.approx(np.quantile(cost, 0.9))
    assert table.loc["half", "level_change per level_final"] == pytest.approx(np.median(cost) / np.median(benefit))
    assert table.loc["half", "level_change per level_final (median ratio)"] == pytest.approx(0.6)


def test_prim_finds_where_the_plan_fails(explored):
    found = h2sim.discover(explored, "not enough", policy="none", threshold=0.95)
    limits = found.limits
    assert list(limits.index) == ["rate"]  # noise does not matter
    assert limits.loc["rate", "max"] == pytest.approx(2.0, abs=0.05)  # it fails where rate < 2
    assert found.density >= 0.95 and found.coverage >= 0.9
    inside = found.in_box()
    assert inside.sum() == pytest.approx(found.mass * len(inside))
    assert "coverage" in found.describe()
    with pytest.raises(KeyError, match="no outcome 'nothing'"):
        h2sim.discover(explored, "nothing")
    with pytest.raises(ValueError, match="no run is of interest"):
        h2sim.discover(explored, "not enough", policy="full")


def test_the_ema_adapter_runs_perform_experiments_in_batches_and_prim_on_the_result(ramp, monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import perform_experiments as ema_perform_experiments
        from ema_workbench.analysis import prim
    from h2sim.analysis import ema

    model = ema.EMAModel(ramp, outcomes=["level_at_5", "enough"])
    assert [u.name for u in model.uncertainties] == ["rate", "noise"]
    assert [lever.name for lever in model.levers] == ["boost", "mode"]  # free_lever declares no values
    calls = []
    original = h2sim.Model.run_batch
    monkeypatch.setattr(h2sim.Model, "run_batch", lambda self, table, *a, **k: calls.append(len(pd.DataFrame(table))) or
                        original(self, table, *a, **k))
    experiments, outcomes = ema.perform_experiments(model, scenarios=200, policies=3)
    assert len(experiments) == 600 and sum(calls) == 600 and len(calls) == 1  # one batch
    assert set(experiments.columns) >= {"rate", "noise", "boost", "mode", "scenario", "policy", "model"}
    # each experiment equals an h2sim run with the same values, bit for bit
    for i in (0, 250, 599):
        frame = ramp.run(params={n: experiments.loc[i, n] for n in ("rate", "noise", "boost", "mode")},
                         return_columns=["level"])
        assert outcomes["level_at_5"][i] == frame.loc[5.0, "level"]
        assert outcomes["enough"][i] == (frame.loc[10.0, "level"] >= 20)
    # EMA's own sequential evaluator runs the same model one run at a time, to the same numbers
    calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seq_experiments, seq_outcomes = ema_perform_experiments(model, scenarios=5, policies=1)
    assert len(calls) == 5
    frame = ramp.run(params={n: seq_experiments.loc[0, n] for n in ("rate", "noise", "boost", "mode")},
                     return_columns=["level"])
    assert seq_outcomes["level_at_5"][0] == frame.loc[5.0, "level"]
    # scenario discovery on EMA's result with EMA's PRIM
    x = experiments[["rate", "noise", "boost"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's own deprecation notices
        box = prim.Prim(x, ~np.asarray(outcomes["enough"], dtype=bool), threshold=0.9).find_box()
    assert box.peeling_trajectory["density"].max() >= 0.9
    assert "rate" in box.box_lim.columns


def test_exploration_plots(explored, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from h2sim.analysis.plots import plot_outcomes

    for outcome in ("level_at_5", "enough"):
        fig = plot_outcomes(explored, outcome, target=12 if outcome == "level_at_5" else None)
        assert len(fig.axes[0].get_xticklabels()) == 3
        fig.savefig(tmp_path / f"{outcome}.png")
    fig = h2sim.discover(explored, "not enough", policy="none").plot()
    fig.savefig(tmp_path / "prim.png")
    assert (tmp_path / "prim.png").stat().st_size > 1000


def test_policies_as_a_table_fill_unset_levers_with_the_scenario_value(ramp):
    table = pd.DataFrame({"boost": [0.5, np.nan]}, index=["some", "default"])
    result = h2sim.explore(ramp, scenarios=0, policies=table, outcomes=["level_at_5"], progress=False)
    assert result.outcomes["level_at_5"].tolist() == [12.5, 10.0]
