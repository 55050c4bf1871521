"""The sample's bundle for each strategy, compared byte for byte with golden files.

``UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_bundle_golden.py`` rewrites them.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from bundle_cases import CASES, GOLDEN, files_of, generate

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _diff(name: str, want: bytes, got: bytes) -> str:
    lines = difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(),
        got.decode("utf-8", "replace").splitlines(),
        f"golden/{name}",
        f"generated/{name}",
        lineterm="",
        n=2,
    )
    return "\n".join(list(lines)[:60])


@pytest.mark.parametrize("strategy", sorted(CASES))
def test_bundle_matches_golden(strategy: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate(strategy, out)
    golden = GOLDEN / strategy
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden)
    got, want = files_of(out), files_of(golden)
    assert sorted(got) == sorted(want), "the bundle's file list changed"
    for name, data in got.items():
        assert data == want[name], f"{strategy}/{name} differs:\n" + _diff(
            name, want[name], data
        )


def test_second_generate_is_identical(tmp_path: Path) -> None:
    generate("upn-suffix", tmp_path / "one")
    generate("upn-suffix", tmp_path / "two")
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")
