"""XMILE from Python: loading a conformance sample, Model.to_xmile, and `h2sim export`.

The exported file must load back (h2sim.load) to the same results, bit for bit.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import h2sim
from h2sim._h2sim import canonical_name

REPO_ROOT = Path(__file__).resolve().parents[2]
SD_TEST_MODELS = REPO_ROOT.parent / "shared" / "sd-test-models"
TEACUP = SD_TEST_MODELS / "samples" / "teacup" / "teacup.xmile"

needs_sd_test_models = pytest.mark.skipif(
    not SD_TEST_MODELS.is_dir(),
    reason=f"the SD conformance models are absent ({SD_TEST_MODELS} does not exist); "
           "the XMILE sample tests need ../shared/sd-test-models",
)


def same_results(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same columns (by canonical name: the XMILE reader shows "adopted_fraction" as
    "adopted fraction") and the same numbers, bit for bit, at the same times."""
    assert [canonical_name(c) for c in a.columns] == [canonical_name(c) for c in b.columns]
    assert np.array_equal(a.index.to_numpy(), b.index.to_numpy())
    assert np.array_equal(a.to_numpy(), b.to_numpy()), (a - b).abs().max().sort_values().tail()


@needs_sd_test_models
def test_load_reads_an_xmile_conformance_sample():
    model = h2sim.load(TEACUP)
    assert model.time["method"] == "euler"
    frame = model.run()
    expected = pd.read_csv(TEACUP.parent / "output.csv", index_col=0)
    got = frame["Teacup Temperature"]
    want = expected["Teacup Temperature"]
    assert len(got) == len(want)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-3)
    assert got.iloc[0] == 180.0  # the initial value, exactly


@needs_sd_test_models
def test_a_conformance_sample_exports_and_reloads_to_the_same_results(tmp_path):
    model = h2sim.load(TEACUP)
    path = tmp_path / "teacup_again.xmile"
    model.to_xmile(path)
    same_results(h2sim.load(path).run(), model.run())


def test_the_bass_example_exports_and_reloads_to_the_same_results(bass_path, tmp_path):
    model = h2sim.load(bass_path)
    path = tmp_path / "bass.xmile"
    text = model.to_xmile(path)
    assert text.startswith("<?xml")
    assert path.read_text(encoding="utf-8") == text
    back = h2sim.load(path)
    assert back.time == model.time
    before = model.run()
    same_results(back.run(return_columns=list(before.columns)), before)
    # Every variable, not only the scenario's outputs.
    assert ({canonical_name(n) for n in back.variables.index}
            == {canonical_name(n) for n in model.variables.index})


def test_parameters_set_from_python_are_exported_exactly(bass_path, tmp_path):
    # 1/3 needs 17 digits to come back as the same double.
    model = h2sim.load(bass_path).with_params(p=1 / 3 * 0.1)
    path = tmp_path / "bass_p.xmile"
    model.to_xmile(path)
    before = model.run()
    same_results(h2sim.load(path).run(return_columns=list(before.columns)), before)


def test_to_xmile_without_a_path_only_returns_the_text(bass_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = h2sim.load(bass_path).to_xmile()
    assert "<xmile" in text and "</xmile>" in text
    assert os.listdir(tmp_path) == []


def test_a_failed_export_leaves_nothing(bass_path, tmp_path):
    target = tmp_path / "no_such_folder" / "bass.xmile"
    with pytest.raises(OSError):
        h2sim.load(bass_path).to_xmile(target)
    assert os.listdir(tmp_path) == []
    # Over a folder: the rename fails, and the temporary file is removed.
    (tmp_path / "occupied.xmile").mkdir()
    with pytest.raises(OSError):
        h2sim.load(bass_path).to_xmile(tmp_path / "occupied.xmile")
    assert os.listdir(tmp_path) == ["occupied.xmile"]


def test_cli_export_writes_xmile_that_runs(cli, bass_path, tmp_path):
    done = cli("export", bass_path, "-o", "bass.xmile")
    assert done.returncode == 0, done.stderr
    assert "wrote bass.xmile" in done.stdout
    path = tmp_path / "bass.xmile"
    assert [n for n in os.listdir(tmp_path) if n.endswith(".part")] == []
    model = h2sim.load(bass_path)
    before = model.run()
    same_results(h2sim.load(path).run(return_columns=list(before.columns)), before)

    ran = cli("run", "bass.xmile", "-o", "bass.csv")
    assert ran.returncode == 0, ran.stderr
    written = pd.read_csv(tmp_path / "bass.csv", index_col=0)
    np.testing.assert_allclose(written["adopters"].to_numpy(), before["adopters"].to_numpy(), rtol=1e-12)


def test_cli_export_applies_set_and_prints_without_output(cli, bass_path):
    done = cli("export", bass_path, "--set", "p=0.05")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<?xml")
    assert h2sim.load(bass_path).with_params(p=0.05).to_xmile() == done.stdout


def test_cli_export_refuses_other_file_names(cli, bass_path, tmp_path):
    done = cli("export", bass_path, "-o", "bass.csv")
    assert done.returncode == 2
    assert "-o bass.csv" in done.stderr
    assert os.listdir(tmp_path) == []


@needs_sd_test_models
def test_cli_runs_an_xmile_conformance_sample(cli):
    done = cli("run", TEACUP)
    assert done.returncode == 0, done.stderr
    assert "Teacup Temperature" in done.stdout
