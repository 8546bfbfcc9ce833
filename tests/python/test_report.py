"""`h2sim report` / h2sim.report: the self-contained HTML report.

The Zhejiang report (baseline and plan, with the targets their files declare and an ensemble)
is opened in headless Chromium: it loads with no console error and no network request, every
chart renders (each chart's screenshot shows coloured lines), its key-output table holds the
numbers `h2sim run` prints, and its targets table marks each target met or not met as
`Target.met` says on `model.run()` - whatever the model's numbers are.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import h2sim
from browser import Browser, find_chromium, png_pixels
from h2sim.reports import format_number

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "..", "data", "report")
# The baseline with one more target (Jiaxing's) beside those scenarios/zhejiang/baseline.yaml
# declares, and the shipped plan, which inherits the baseline's targets.
BASELINE = os.path.normpath(os.path.join(DATA, "zhejiang_targets.yaml"))
PLAN = os.path.normpath(os.path.join(HERE, "..", "..", "scenarios", "zhejiang", "plan_2025.yaml"))
MET, NOT_MET = "\u2713 met", "\u2717 not met"


def h2sim_cli(*args, cwd=None):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "h2sim", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def declared_range(model, name):
    uncertainty = model.variables.loc[name, "uncertainty"]
    assert uncertainty["type"] == "uniform", name
    return float(uncertainty["low"]), float(uncertainty["high"])


@pytest.fixture(scope="module")
def ensemble_file(tmp_path_factory):
    """48 runs of the baseline: marketing and the station subsidy share drawn from their
    declared ranges (seeded), with and without a 10 CNY/kg fuel subsidy (the `policy`)."""
    model = h2sim.load(BASELINE)
    rng = np.random.default_rng(16)
    n = 24
    draws = {name: rng.uniform(*declared_range(model, name), n)
             for name in ("marketing", "station_capital_subsidy_share")}
    table = pd.concat([pd.DataFrame({**draws, "fuel_subsidy_per_kg": 0.0}),
                       pd.DataFrame({**draws, "fuel_subsidy_per_kg": 10.0})], ignore_index=True)
    ensemble = model.run_batch(table, return_columns=["fcev_fleet_total", "stations_operating_total"],
                               progress=False)
    ensemble = ensemble.assign_coords(policy=("run", np.where(table["fuel_subsidy_per_kg"] > 0, "fuel subsidy",
                                                              "none")))
    path = tmp_path_factory.mktemp("ensemble") / "ensemble.nc"
    ensemble.to_netcdf(path)
    return path, ensemble


@pytest.fixture(scope="module")
def zhejiang_report(tmp_path_factory, ensemble_file):
    folder = tmp_path_factory.mktemp("report")
    out = folder / "zhejiang.html"
    done = h2sim_cli("report", BASELINE, PLAN, "--ensemble", ensemble_file[0], "-o", out, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    return out


def test_report_is_one_self_contained_file(zhejiang_report):
    text = zhejiang_report.read_text(encoding="utf-8")
    page = text.split("<script>", 1)[0]  # the page before plotly.js (which names URLs of map tiles)
    assert "http" not in page.replace('"http://www.w3.org', "")
    assert "<script src" not in text and "<link" not in page  # plotly.js is inside the page
    assert page.count("<div class='chart'") >= 16
    # No temporary file is left beside it.
    assert [p.name for p in zhejiang_report.parent.iterdir()] == [zhejiang_report.name]


def parse_run_table(stdout: str) -> tuple[list[float], dict[str, list[str]]]:
    """The table `h2sim run` prints: key times and, per column, the printed numbers."""
    lines = stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("--------"))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    header = [lines[rule - 1][a:b if k < len(spans) - 1 else None].strip() for k, (a, b) in enumerate(spans)]
    times = [float(h) for h in header[2:]]
    rows = {}
    for line in lines[rule + 1:]:
        if not line.strip() or line.startswith("wrote"):
            break
        cells = [line[a:spans[k + 1][0] if k + 1 < len(spans) else None].strip() for k, (a, _) in enumerate(spans)]
        rows[cells[0]] = cells[2:]
    return times, rows


@pytest.mark.skipif(find_chromium() is None, reason="no chromium on PATH (Debian package `chromium`, "
                                                     "installed by scripts/bootstrap.sh)")
def test_report_in_headless_chromium(zhejiang_report, tmp_path):
    url = zhejiang_report.resolve().as_uri()
    with Browser(width=1400, height=1000) as browser:
        page = browser.open(url, ready="window.H2SIM_CHARTS && window.h2simRendered === H2SIM_CHARTS.length",
                            wait=60)
        assert page.errors == []
        assert page.requests == [url], "the report asked the network for something"

        # Every chart rendered: plotly drew its traces, and the screenshot shows coloured lines.
        charts = browser.evaluate("""Array.from(document.querySelectorAll('.chart')).map(d => {
            const r = d.getBoundingClientRect();
            return {variable: d.dataset.variable, traces: d.querySelectorAll('.scatterlayer .trace').length,
                    x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })""")
        variables = {c["variable"] for c in charts}
        assert {"fcev_fleet_total", "fcev_fleet", "stations_operating_total", "fcev_fleet_by_city",
                "h2_price_cny_per_kg"} <= variables
        assert len(charts) == len(variables) >= 16
        for chart in charts:
            assert chart["traces"] >= 2, chart["variable"]
            pixels = png_pixels(browser.screenshot({k: chart[k] for k in ("x", "y", "width", "height")}))
            rgb = pixels[..., :3]
            coloured = (rgb.max(axis=2) - rgb.min(axis=2)) > 0.25  # line colours, not grey axes
            assert coloured.mean() > 0.002, f"chart of {chart['variable']} looks blank"
        whole = png_pixels(browser.screenshot())
        assert whole.shape[0] > 3000 and (whole[..., :3] < 0.9).any(axis=2).mean() > 0.02
        # Charts carry labels and units: the y axis of the fleet chart says vehicles.
        assert browser.evaluate("document.querySelector(\"[data-variable='fcev_fleet_total'] .ytitle\")"
                                ".textContent") == "vehicles"

        cells = browser.evaluate("""Array.from(document.querySelectorAll('#key-outputs td[data-value]')).map(td => (
            {column: td.parentElement.dataset.column, scenario: td.dataset.scenario, time: +td.dataset.time,
             value: td.dataset.value, text: td.textContent}))""")
        targets = browser.evaluate("""Array.from(document.querySelectorAll('#targets-table tr'))
            .map(tr => Array.from(tr.cells).map(c => c.textContent))""")

    # The key-output table holds what `h2sim run` prints, cell for cell.
    table = {(c["scenario"], c["column"], c["time"]): c for c in cells}
    for path in (BASELINE, PLAN):
        model = h2sim.load(path)
        done = h2sim_cli("run", path)
        assert done.returncode == 0, done.stderr
        times, rows = parse_run_table(done.stdout)
        assert len(rows) == len(model.run().columns)
        result = model.run()
        for column, printed in rows.items():
            for t, text in zip(times, printed):
                cell = table[(model.name, column, t)]
                assert cell["text"] == text, (model.name, column, t)
                assert float(cell["value"]) == result.loc[t, column]  # full precision in data-value
    # Targets: one row per target the files declare, and per scenario the value reached and a
    # mark that says what Target.met says on the scenario's run.
    header, rows = targets[0], targets[1:]
    models = [h2sim.load(path) for path in (BASELINE, PLAN)]
    declared = {t.label: t for model in models for t in h2sim.read_targets(model)}
    assert sorted(row[0] for row in rows) == sorted(declared)
    assert {"2025 plan, 5,000 FCEVs", "2025 plan, 50 stations", "Jiaxing (with Jiashan) 2025, 3,000 FCEVs"} <= set(declared)
    for model in models:
        column = header.index(model.name)
        result = model.run(return_columns=[t.variable for t in declared.values()])
        for row in rows:
            target = declared[row[0]]
            reached, met = target.reached(result), target.met(result)
            assert met is not None, target
            assert row[column] == f"{format_number(reached)} {MET if met else NOT_MET}", (model.name, target.label)


def test_targets_table_marks_met_and_not_met_as_target_met_says(tmp_path, examples):
    """Both marks, whatever the model: targets set below, above and exactly at a run's values."""
    model = h2sim.load(examples / "scenario_base.yaml")
    result = model.run()
    variable = result.columns[0]
    t = float(result.index[len(result.index) // 2])
    reached = float(result.loc[t, variable])
    extra = [h2sim.Target("below", variable, t, 0.5 * reached, label="half of it"),
             h2sim.Target("above", variable, t, 2 * reached, label="twice it"),
             h2sim.Target("exact", variable, t, reached, label="exactly it"),
             h2sim.Target("cap", variable, t, 0.5 * reached, kind="at_most", label="at most half of it")]
    text = h2sim.report([model], tmp_path / "r.html", targets=extra)
    table = text.split("id='targets-table'>")[1].split("</table>")[0]
    marks = dict(re.findall(r"<tr><td>([^<]+)</td>.*?<td class='num' data-value='[^']+'>[^<]*<span class='\w+'>"
                            r"&#(\d+);", table))
    expected = {target.label: target.met(result) for target in extra}
    assert expected == {"half of it": True, "twice it": False, "exactly it": True, "at most half of it": False}
    assert {label: mark == "10003" for label, mark in marks.items()} == expected


def test_uncertainty_section(zhejiang_report, ensemble_file):
    _, ensemble = ensemble_file
    text = zhejiang_report.read_text(encoding="utf-8")
    assert "Ensemble of 48 runs" in text
    # The share of runs that meet the 5,000-vehicle target, as the data say.
    reached = np.array([np.interp(2026.0, ensemble["time"].values, row)
                        for row in ensemble["fcev_fleet_total"].values])
    share = float(np.mean(reached >= 5000))
    row = re.search(r"<tr><td>2025 plan, 5,000 FCEVs</td>.*?data-value='([^']+)'", text.split("id='robustness'")[1])
    assert float(row.group(1)) == share
    # The lever benchmark groups the runs by their `policy` coordinate.
    bench = text.split("<h3>Lever benchmark</h3>")[1].split("</table>")[0]
    assert "<td>none</td><td class='num'>24</td>" in bench and "<td>fuel subsidy</td>" in bench
    assert "5-95 %" in text  # the bands are in the charts' data


def test_provenance_hashes_every_input_file(zhejiang_report):
    text = html.unescape(zhejiang_report.read_text(encoding="utf-8"))
    model = h2sim.load(PLAN)
    for f in model.files:
        assert hashlib.sha256(open(f, "rb").read()).hexdigest() in text, f
    assert f"<th>h2sim</th><td>{h2sim.__version__}</td>" in text


def test_settings_and_how_they_differ_from_the_parent(examples, tmp_path):
    text = h2sim.report([examples / "scenario_base.yaml", examples / "scenario_variant.yaml"], tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == text
    variant = text.split("<h3>bass_marketing_push</h3>")[1].split("</div>")[0]
    assert "Where it differs from bass_base" in variant
    assert re.search(r"<td>lever</td><td>p</td><td>0.03</td><td>step: 2025: 0.06, 2030: 0.03</td>", variant)
    assert re.search(r"<td>lever</td><td>q</td><td>0.38</td><td>ramp 0.38 at 2022 to 0.45 at 2028</td>", variant)
    assert "<td>outputs</td>" in variant
    base = text.split("<h3>bass_base</h3>")[1].split("</div>")[0]
    assert "Where it differs from its model bass_diffusion" in base
    assert re.search(r"<td>parameter</td><td>market</td><td>10,000</td><td>5,000</td>", base)
    assert re.search(r"<td>time</td><td>start</td><td>0</td><td>2020</td>", base)
    # The parameter table has sources and basis, and flags values that differ.
    params = text.split("id='parameters-table'")[1].split("</table>")[0]
    assert "typical new-product value, Bass (1969)" in params and "<td>published</td>" in params


def test_basis_is_read_from_the_source():
    from h2sim.reports import basis_of

    assert basis_of("assumption (order of magnitude)") == "assumption"
    assert basis_of("calibrated to the end-2022 fleets") == "calibrated"
    assert basis_of("Zhejiang 2020 census populations") == "published"
    assert basis_of("") == "none given"
    assert basis_of("anything", declared="calibrated") == "calibrated"


def test_command_line_errors_leave_no_file(tmp_path, examples):
    base = examples / "scenario_base.yaml"
    assert h2sim_cli("report", base, "-o", tmp_path / "r.pdf").returncode == 2
    missing = h2sim_cli("report", tmp_path / "nope.yaml", "-o", tmp_path / "r.html", cwd=tmp_path)
    assert missing.returncode == 1 and "no such scenario file" in missing.stderr
    unwritable = h2sim_cli("report", base, "-o", tmp_path / "no" / "such" / "r.html")
    assert unwritable.returncode == 3 and "cannot write" in unwritable.stderr
    # A scenario that fails keeps an earlier report as it was, and leaves no temporary file.
    earlier = tmp_path / "r.html"
    earlier.write_text("earlier")
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"extends: {base}\nparameters:\n  markte: 1\n")
    failed = h2sim_cli("report", base, broken, "-o", earlier, cwd=tmp_path)
    assert failed.returncode == 1 and "broken.yaml:3" in failed.stderr
    assert earlier.read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "r.html"]


def test_an_ensemble_needs_runs(examples):
    import xarray as xr

    with pytest.raises(ValueError, match="needs `run` and `time` dimensions"):
        h2sim.report(examples / "bass_diffusion.yaml", ensemble=xr.Dataset({"x": ("time", [1.0, 2.0])}))


def test_extra_tables_are_added(examples):
    bench = pd.DataFrame({"policy": ["push", "none"], "adopters in 2035": [4942.0, 4858.0]})
    text = h2sim.report(examples / "scenario_base.yaml", tables={"Lever benchmark": bench})
    assert "<h3>Lever benchmark</h3>" in text and "<td>push</td><td class='num'>4,942</td>" in text


def test_command_line_years_columns_and_tables(tmp_path, examples):
    bench = tmp_path / "bench.csv"
    pd.DataFrame({"policy": ["push", "none"], "share met": [0.8, 0.1]}).to_csv(bench, index=False)
    out = tmp_path / "r.html"
    done = h2sim_cli("report", examples / "scenario_base.yaml", examples / "scenario_variant.yaml", "--years", "2025,2030",
                     "--columns", "adopters", "--table", f"Lever benchmark={bench}", "--title", "Bass", "-o", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    keys = text.split("id='key-outputs'")[1].split("</table>")[0]
    assert re.findall(r"data-column='([^']+)'", keys) == ["adopters"]
    assert sorted(set(re.findall(r"data-time='([^']+)'", keys))) == ["2025.0", "2030.0"]
    model = h2sim.load(examples / "scenario_variant.yaml")
    value = float(model.run().loc[2030.0, "adopters"])
    assert f"data-scenario='bass_marketing_push' data-time='2030.0' data-value='{value!r}'" in keys
    assert "<title>Bass</title>" in text and "<td>push</td><td class='num'>0.8</td>" in text
    assert h2sim_cli("report", examples / "scenario_base.yaml", "--years", "soon", "-o", out).returncode == 2
    assert h2sim_cli("report", examples / "scenario_base.yaml", "--table", "nofile", "-o", out).returncode == 2
