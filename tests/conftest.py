"""Shared fixtures: the CLI runner, the repository's paths, the real inputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL_INPUTS = SHARED / "real-inputs"
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    """Run ``entra-rulegen ARGS`` in-process; stdout and stderr kept apart."""
    result = CliRunner().invoke(app, list(args), env=env)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> type[Run]:
    return Run


@pytest.fixture(scope="session")
def real_inputs() -> Path:
    if not REAL_INPUTS.is_dir():
        pytest.fail(f"{REAL_INPUTS} is missing: the tests read ../shared/ in place")
    return REAL_INPUTS
