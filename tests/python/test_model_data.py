"""Every default of the hydrogen model has a machine-readable basis and a source, and the data
it rests on lives in the repository (the model review's item 14, docs/model/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import h2sim

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = sorted((ROOT / "scenarios" / "hydrogen").rglob("*.yaml"))
SCENARIO_FILES = sorted((ROOT / "scenarios" / "zhejiang").glob("*.yaml")) + [ROOT / "scenarios/china/national.yaml"]
DATA = ROOT / "data"
BASES = {"published", "calibrated", "assumption"}


def entries(path: Path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in ("constants", "lookups"):
        for name, spec in (doc.get(section) or {}).items():
            yield section, name, spec


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_every_constant_and_lookup_has_a_basis_and_a_source(path):
    problems = []
    for section, name, spec in entries(path):
        if not isinstance(spec, dict):
            problems.append(f"{section}.{name}: a bare number has no basis or source")
            continue
        if spec.get("basis") not in BASES:
            problems.append(f"{section}.{name}: basis {spec.get('basis')!r}")
        if not str(spec.get("source", "")).strip():
            problems.append(f"{section}.{name}: no source")
    assert problems == []


PATH_IN_SOURCE = re.compile(r"\b((?:data|docs|scenarios|scripts)/[\w./-]+\.(?:csv|md|yaml|py))")


@pytest.mark.parametrize("path", MODEL_FILES + SCENARIO_FILES, ids=lambda p: p.name)
def test_sources_point_into_the_repository_and_the_files_exist(path):
    text = path.read_text(encoding="utf-8")
    assert "shared/data" not in text and "../shared" not in text
    for referenced in PATH_IN_SOURCE.findall(text):
        assert (ROOT / referenced).exists(), f"{path.name} cites {referenced}, which is not in the repository"


def test_published_defaults_cite_a_reference_not_an_assumption():
    for path in MODEL_FILES:
        for section, name, spec in entries(path):
            if spec.get("basis") == "published":
                assert not str(spec["source"]).lower().startswith("assumption"), f"{path.name}: {name}"
            if spec.get("basis") == "calibrated":
                source = str(spec["source"]).lower()
                assert "fitted" in source or "so that" in source, f"{path.name}: {name} must say what it was fitted to"


def test_the_data_folder_documents_every_file_it_holds():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in sorted(DATA.iterdir()):
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, f"data/README.md does not describe {path.name}"


def test_every_data_table_row_has_a_source():
    import csv
    for path in sorted(DATA.glob("*.csv")):
        with open(path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert rows, path.name
        column = "source" if "source" in rows[0] else ("fitted_to" if "fitted_to" in rows[0] else None)
        assert column, f"{path.name} has no source column"
        assert all(row[column].strip() for row in rows), path.name


def test_the_loader_rejects_an_unknown_basis_with_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nconstants:\n  price:\n    value: 35\n    basis: measured\n", encoding="utf-8")
    with pytest.raises(h2sim.Error) as caught:
        h2sim.load(path)
    assert "bad.yaml:5" in str(caught.value) and "published, calibrated or assumption" in str(caught.value)
