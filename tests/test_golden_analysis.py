"""The sample directory's recommendation, validation and preview, byte for byte.

Regenerate after an intended change with:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden_analysis.py

and review the diff of tests/golden/analysis/ before committing it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLES, run_cli

GOLDEN = ROOT / "tests" / "golden" / "analysis"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _sample_args() -> list[str]:
    """The sample as `plan` reads it: source, schema, forest and partners."""
    sample = tomllib.loads((SAMPLES / "sample.toml").read_text(encoding="utf-8"))
    source = sample["source"]
    args = [
        "--source", f"samples/{source['file']}",
        "--schema", f"samples/{source['schema']}",
        "--forest", source["forest"],
    ]  # fmt: skip
    for suffix in sample["partners"].get("suffixes", []):
        args += ["--partner-suffix", suffix]
    for ou in sample["partners"].get("ous", []):
        args += ["--partner-ou", ou]
    return args


def _check(name: str, content: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    assert path.is_file(), f"{path} missing: run with UPDATE_GOLDEN=1"
    assert content == path.read_bytes(), f"{name} differs from its golden file"


@pytest.fixture(autouse=True)
def _in_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # relative paths in the documents


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("recommend.json", ["recommend", "--json"]),
        (
            "validate-designate.json",
            [
                "validate",
                "--marker",
                "designate:msDS-cloudExtensionAttribute1",
                "--json",
            ],
        ),
        (
            "validate-upn-suffix.json",
            [
                "validate",
                "--marker",
                "upn-suffix:partners.alderbrook.example,contractors.alderbrook.example",
                "--json",
            ],
        ),
    ],
)
def test_sample_documents(name: str, command: list[str]) -> None:
    result = run_cli(*command, *_sample_args())
    assert result.code in (0, 3), result.stderr
    _check(name, result.stdout.encode("utf-8"))


def test_sample_preview(tmp_path: Path) -> None:
    target = tmp_path / "preview.csv"
    current = (DATA / "analysis" / "alderbrook-current.csv").relative_to(ROOT)
    result = run_cli(
        "preview",
        "--marker",
        "upn-suffix:partners.alderbrook.example,contractors.alderbrook.example",
        "--current",
        str(current),
        "--csv",
        str(target),
        "--json",
        *_sample_args(),
    )
    assert result.code == 0, result.stderr
    _check("preview.json", result.stdout.encode("utf-8"))
    _check("preview.csv", target.read_bytes())
