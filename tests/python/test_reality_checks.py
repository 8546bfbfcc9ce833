"""Reality checks declared with the model (`reality_checks:`, h2sim.check_reality,
`h2sim check --reality`; docs/calibration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

import h2sim

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "calibration"
SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))


def test_a_stock_that_goes_negative_fails_its_check_with_the_time_and_value():
    report = h2sim.check_reality(h2sim.load(DATA / "broken_inventory.yaml"))
    assert not report.passed and report.failed == ["no_production_no_negative_inventory"]
    rows = report.to_frame().set_index("behaviour")
    # From 2022 the 90 t in store drain at 100 t/year: empty at 2022.9, and the Euler step
    # of 0.25 year first shows -10 t at 2023.
    first = rows.loc["inventory stays at or above 0"]
    assert not first["holds"]
    assert first["time"] == 2023.0 and first["value"] == pytest.approx(-10.0) and first["bound"] == 0
    # Delivering without producing: 100 t/year against production 0, from 2025 on.
    second = rows.loc["delivered never exceeds produced from 2025"]
    assert second["time"] == 2025.0 and second["value"] == 100 and second["bound"] == 0
    assert "first at 2023: inventory = -10, below 0" in str(report)


def test_the_repaired_model_passes_the_same_checks():
    report = h2sim.check_reality(h2sim.load(DATA / "fixed_inventory.yaml"))
    assert report.passed, str(report)
    assert [o.check.name for o in report.outcomes] == ["no_production_no_negative_inventory",
                                                       "production_fills_the_store"]


def test_a_condition_from_a_time_keeps_the_scenario_before_it():
    model = h2sim.load(DATA / "broken_inventory.yaml")
    from h2sim.calibration.reality import _condition, read_checks

    check = read_checks(model.section("reality_checks"))[0]
    params = _condition(model, check)
    run = model.run(params=params, return_columns=["inventory", "produced"], save_every=0.25)
    assert run.loc[2021.75, "produced"] == 120 and run.loc[2022.0, "produced"] == 0
    assert run.loc[2022.0, "inventory"] == pytest.approx(90.0)  # 50 + 2 years of +20 t/year


def test_goes_to_zero_within_a_time(write_yaml):
    path = write_yaml("decay.yaml", """\
name: decay
time: {start: 0, stop: 20, dt: 0.125, method: rk4}
constants:
  inflow_rate: {value: 10, units: t/year}
  residence: {value: 2, units: year}
stocks:
  store: {initial: 20, inflows: [filling], outflows: [draining], units: t}
flows:
  filling: {equation: inflow_rate, units: t/year}
  draining: {equation: store / residence, units: t/year}
reality_checks:
  quick:
    set: {inflow_rate: 0}
    expect: {variable: store, zero_within: 5, tolerance: 0.1}
  slow:
    set: {inflow_rate: 0}
    expect: {variable: store, zero_within: 15, tolerance: 0.1}
""")
    report = h2sim.check_reality(h2sim.load(path))
    # 20 exp(-t/2) falls below 0.1 at t = 2 ln 200 = 10.6: not within 5, within 15.
    assert report.failed == ["quick"]
    row = report.to_frame().set_index("check").loc["quick"]
    assert row["time"] == 5.0 and row["value"] == pytest.approx(20 * 2.718281828 ** -2.5, rel=1e-4)


def test_a_scheduled_lever_can_be_set_by_a_condition(examples):
    variant = h2sim.load(examples / "scenario_variant.yaml")  # schedules p and q
    from h2sim.calibration.reality import Behaviour, RealityCheck

    check = RealityCheck(name="no_influence", set={"p": 0.0, "q": 0.0},
                         behaviours=[Behaviour(variable="adopters", kind="equals", low=0.0, high=0.0)])
    assert h2sim.check_reality(variant, checks=[check]).passed
    late = RealityCheck(name="late", set={"p": 0.0, "q": 0.0}, start=2026,
                        behaviours=[Behaviour(variable="adoption", kind="equals", low=0.0, high=0.0, start=2026)])
    assert h2sim.check_reality(variant, checks=[late]).passed


BAD_CHECKS = [
    ("c: {set: {production: 0}}\n", "a reality check needs `expect:`", "reality_checks.c"),
    ("c: {set: {prodution: 0}, expect: {variable: inventory, at_least: 0}}\n",
     "no constant `prodution` (did you mean `production`?)", "reality_checks.c.set.prodution"),
    ("c: {set: {produced: 0}, expect: {variable: inventory, at_least: 0}}\n", "computed by an equation",
     "reality_checks.c.set.produced"),
    ("c: {set: {production: 0}, expect: {variable: inventry, at_least: 0}}\n",
     "no variable `inventry` (did you mean `inventory`?)", "reality_checks.c.expect.variable"),
    ("c: {set: {production: 0}, expect: {variable: inventory, at_least: 0, at_most: 5}}\n", "give exactly one of",
     "reality_checks.c.expect"),
    ("c: {set: {production: 0}, expect: {variable: inventory, within: [5, 1]}}\n", "needs low <= high",
     "reality_checks.c.expect.within"),
    ("c: {set: {production: 0}, expct: {variable: inventory}}\n", "unknown key `expct` (did you mean `expect`?)",
     "reality_checks.c.expct"),
    ("c: {set: {production: yes}, expect: {variable: inventory, at_least: 0}}\n", "expected a number",
     "reality_checks.c.set.production"),
    # Found by the red-team run of issue 17: a window after (or before) the run passed,
    # testing nothing.
    ("c: {set: {production: 0}, expect: {variable: inventory, at_least: 0, from: 1e300}}\n",
     "time 1e+300 is outside the run", "reality_checks.c.expect.from"),
    ("c: {set: {production: 0}, from: 1e300, expect: {variable: inventory, at_least: 0}}\n",
     "time 1e+300 is outside the run", "reality_checks.c.from"),
    ("c: {set: {production: 0}, expect: {variable: inventory, at_least: 0, until: -5}}\n",
     "time -5 is outside the run", "reality_checks.c.expect.until"),
    ("c: {set: {production: 0}, expect: {variable: inventory, at_least: 0, from: 2025, until: 2024}}\n",
     "the window from 2025 to 2024 holds no saved time", "reality_checks.c.expect"),
]


@pytest.mark.parametrize("body, message, where", BAD_CHECKS, ids=[w for _, _, w in BAD_CHECKS])
def test_a_bad_check_is_reported_at_its_line(write_yaml, body, message, where):
    text = (DATA / "broken_inventory.yaml").read_text().split("reality_checks:")[0]
    path = write_yaml("bad.yaml", text + "reality_checks:\n  " + body)
    with pytest.raises(h2sim.ScenarioError) as raised:
        h2sim.check_reality(h2sim.load(path))
    assert message in str(raised.value) and where in str(raised.value)
    assert raised.value.file.endswith("bad.yaml") and raised.value.line == 14  # the line of the check


def test_no_checks_declared_is_an_error(examples):
    with pytest.raises(h2sim.ScenarioError, match="declares no reality checks"):
        h2sim.check_reality(h2sim.load(examples / "bass_diffusion.yaml"))


def test_check_reality_on_the_command_line(cli):
    broken = cli("check", DATA / "broken_inventory.yaml", "--reality")
    assert broken.returncode == 1
    assert "FAIL  no_production_no_negative_inventory" in broken.stdout
    assert "first at 2023: inventory = -10, below 0" in broken.stdout
    assert "1 of 1 reality check(s) do not hold" in broken.stderr
    fixed = cli("check", DATA / "fixed_inventory.yaml", "--reality", "--only", "production_fills_the_store")
    assert fixed.returncode == 0, fixed.stderr
    assert "1 of 1 hold" in fixed.stdout and "no_production" not in fixed.stdout
    unknown = cli("check", DATA / "fixed_inventory.yaml", "--reality", "--only", "nope")
    assert unknown.returncode == 1 and "no reality check named `nope`" in unknown.stderr


def _declaring() -> list[Path]:
    """Shipped files that declare reality checks or inherit them (from their model file
    or an extended scenario)."""
    out = []
    for path in SHIPPED:
        try:
            if h2sim.load(path).section("reality_checks") is not None:
                out.append(path)
        except h2sim.Error:  # a component that does not load alone is tested elsewhere
            continue
    return out


DECLARING = _declaring()


# Checks that a shipped scenario is known to fail, and why: model issues to fix, reported
# rather than hidden by a weaker check. The test fails when the set of failures changes, in
# either direction, so that this list stays true.
KNOWN_FAILURES: dict[str, dict[str, str]] = {}  # scenario -> check -> why it fails (none now)


@pytest.mark.parametrize("path", DECLARING, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_shipped_scenarios_pass_their_reality_checks(path):
    report = h2sim.check_reality(h2sim.load(path))
    known = KNOWN_FAILURES.get(path.relative_to(ROOT / "scenarios").as_posix(), {})
    assert set(report.failed) == set(known), str(report)


def test_the_hydrogen_model_declares_the_review_checks():
    checks = h2sim.load(ROOT / "scenarios" / "hydrogen" / "hydrogen_economy.yaml").section("reality_checks").value
    for name in ("no_stations_no_hydrogen_and_no_vehicles", "no_supply_no_hydrogen_and_no_vehicles",
                 "mandates_of_one_keep_shares_within_zero_and_one", "storage_holds_no_more_than_its_capacity"):
        assert name in checks
    inherited = [p for p in DECLARING if "zhejiang" in p.as_posix() or "china" in p.as_posix()]
    assert len(inherited) >= 9  # every Zhejiang scenario and the national one run them


def test_the_example_declares_reality_checks():
    assert ROOT / "scenarios" / "examples" / "bass_calibration.yaml" in DECLARING
