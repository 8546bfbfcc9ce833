"""Shared fixtures of the Python tests: where the repository and its example scenarios are."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "scenarios" / "examples"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder with pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def examples() -> Path:
    """scenarios/examples/ of the repository."""
    return EXAMPLES


@pytest.fixture(scope="session")
def bass_path() -> Path:
    return EXAMPLES / "bass_diffusion.yaml"


@pytest.fixture
def write_yaml(tmp_path):
    """Writes a small YAML file into tmp_path and returns its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli(tmp_path):
    """Runs `python -m h2sim ARGS...` in tmp_path; returns the CompletedProcess."""

    def run(*args: str | os.PathLike, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ, MPLBACKEND="Agg")
        return subprocess.run([sys.executable, "-m", "h2sim", *map(str, args)], cwd=cwd or tmp_path,
                              capture_output=True, text=True, timeout=120, env=env)

    return run
