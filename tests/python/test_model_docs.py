"""The model documentation in docs/model/ is generated from the YAML files and must not drift
from them: regenerating it gives exactly the committed pages."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "model"
GENERATOR = ROOT / "scripts" / "model_docs.py"
HAND_WRITTEN = {"README.md"}  # docs/model/README.md and docs/model/narrative/ are not generated

FIX = "run `python3 scripts/model_docs.py` and commit the pages it writes"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model_docs")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True, text=True)
    return out


def test_the_generator_writes_a_page_for_the_model_and_each_component(generated):
    pages = {p.name for p in generated.glob("*.md")}
    assert "hydrogen_economy.md" in pages
    for component in ("vehicles", "stations", "supply", "storage", "learning", "pilot_programme",
                      "accounting"):
        assert f"{component}.md" in pages


def test_every_component_has_a_loop_narrative(generated):
    for page in generated.glob("*.md"):
        assert (DOCS / "narrative" / page.name).exists(), (
            f"docs/model/narrative/{page.name} is missing: write the causal-loop description of "
            f"this component, then {FIX}")


def test_committed_pages_equal_the_regenerated_ones(generated):
    problems = []
    for page in sorted(generated.glob("*.md")):
        committed = DOCS / page.name
        if not committed.exists():
            problems.append(f"docs/model/{page.name} is missing")
            continue
        want = page.read_text(encoding="utf-8")
        have = committed.read_text(encoding="utf-8")
        if have != want:
            diff = "".join(list(difflib.unified_diff(
                have.splitlines(keepends=True), want.splitlines(keepends=True),
                fromfile=f"docs/model/{page.name} (committed)",
                tofile=f"docs/model/{page.name} (from the YAML now)"))[:40])
            problems.append(f"docs/model/{page.name} is out of date:\n{diff}")
    generated_names = {p.name for p in generated.glob("*.md")}
    for committed in sorted(DOCS.glob("*.md")):
        if committed.name not in generated_names | HAND_WRITTEN:
            problems.append(f"docs/model/{committed.name} is no longer generated: delete it")
    assert not problems, (f"The model documentation has drifted from the YAML files; {FIX}.\n\n"
                          + "\n\n".join(problems))
