"""``plan`` against the lab Samba AD DC: the whole job over LDAPS, bundle included."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import run_cli
from labdc import LabDC, lab_dc
from psquote import single_quoted
from pssyntax import syntax_errors

__all__ = ["lab_dc"]
pytestmark = pytest.mark.dc
PARTNERS = ("--partner-suffix", "partners.contoso.test", "--partner-suffix",
            "fabrikam.example")  # fmt: skip


def test_plan_against_the_dc_writes_a_bundle(
    lab_dc: LabDC,
    tmp_path: Path,
) -> None:
    out = tmp_path / "bundle"
    run = run_cli(
        "plan", *lab_dc.ldaps(), *PARTNERS, "--out", str(out), env=lab_dc.env()
    )
    assert run.code == 0, run.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["preview"]["partners_guest"] > 0
    assert report["preview"]["employees_guest"] == 0

    with (out / "preview.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == report["preview"]["users"]
    for script in out.glob("*.ps1"):
        text = script.read_bytes().decode("utf-8-sig")
        assert syntax_errors(text) == [], script.name
    if (out / "Set-PartnerMarker.ps1").exists():
        literals = set(
            single_quoted((out / "Set-PartnerMarker.ps1").read_text("utf-8-sig"))
        )
        assert all(row["distinguishedName"] in literals for row in rows)
    assert lab_dc.password not in "".join(
        p.read_text("utf-8-sig") for p in out.iterdir() if p.is_file()
    )
