"""The benchmark code must keep working: generator and harness on a tiny directory.

Not a timed test: it checks that every benchmark runs to the end and reports
figures, never what the figures are.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import ldif
import pytest
from conftest import ROOT

BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import live  # noqa: E402
import make_directory  # noqa: E402
import seed_dc  # noqa: E402

USERS = 200


def read_ldif(path: Path) -> list[tuple[str, dict[str, list[bytes | str]]]]:
    with path.open("rb") as handle:
        return [(dn, e) for dn, e in ldif.LDIFParser(handle).parse() if dn]


def test_sizes_round_trip() -> None:
    assert make_directory.parse_size("10k") == 10_000
    assert make_directory.parse_size("1M") == 1_000_000
    assert make_directory.size_label(1_000_000) == "1m"
    assert make_directory.size_label(100_000) == "100k"
    assert make_directory.size_label(250) == "250"


def test_generator_writes_the_samples_shape(tmp_path: Path) -> None:
    ldif_path, csv_path = make_directory.ensure(USERS, tmp_path)
    entries = read_ldif(ldif_path)
    assert len(entries) == USERS
    suffixes = Counter(
        str(e["userPrincipalName"][0]).rsplit("@", 1)[1].lower()
        for _, e in entries
        if "userPrincipalName" in e
    )
    assert set(suffixes) <= {
        make_directory.MAIN_SUFFIX,
        *make_directory.PARTNER_SUFFIXES,
    }
    assert suffixes[make_directory.MAIN_SUFFIX] > USERS / 2
    assert all(suffixes[s] > 0 for s in make_directory.PARTNER_SUFFIXES)
    assert any(dn.endswith(make_directory.PARTNERS_OU) for dn, _ in entries)
    assert any("userPrincipalName" not in e for _, e in entries)  # service accounts
    assert all(isinstance(e["objectGUID"][0], bytes) for _, e in entries)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in handle) == USERS + 1  # header, one line a user


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ldif", tmp_path / "b.ldif"
    make_directory.write(50, first, None, seed=3)
    make_directory.write(50, second, None, seed=3)
    assert first.read_bytes() == second.read_bytes()
    make_directory.write(50, second, None, seed=4)
    assert first.read_bytes() != second.read_bytes()


def test_dc_seed_ldif_holds_only_what_a_dc_accepts(tmp_path: Path) -> None:
    (path,) = seed_dc.write_ldif(tmp_path / "seed", 40, seed=1)
    entries = read_ldif(path)
    users = [(dn, e) for dn, e in entries if "sAMAccountName" in e]
    assert len(users) == 40
    owned_by_the_dc = {"objectGUID", "objectSid", "uSNCreated", "memberOf", "name"}
    for dn, entry in users:
        assert dn.endswith(seed_dc.LAB_BASE)
        assert not owned_by_the_dc & set(entry)
        assert entry["userAccountControl"][0] in {"514", "544", "66080"}


@pytest.mark.slow
def test_harness_runs_every_offline_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    argv = [sys.executable, str(BENCH / "run.py"), "--sizes", str(USERS)]
    argv += ["--data", str(tmp_path), "--out", str(out), "--skip-live"]
    run = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr  # 1: a target missed
    report = json.loads(out.read_text())
    rows = {row["name"]: row for row in report["rows"]}
    for name in (
        f"inspect LDIF {USERS}",
        f"plan LDIF {USERS}",
        f"peak RSS inspect {USERS}",
    ):
        assert rows[name]["ours"] > 0, rows[name]
        assert rows[name]["peer"] > 0, rows[name]
        assert rows[name]["note"] == "", rows[name]["note"]
    preview = next(r for n, r in rows.items() if n.startswith("preview"))
    assert preview["ours"] > 0 and preview["peer"] > 0, preview
    assert report["machine"]["cores"]
    assert "inspect LDIF" in run.stdout  # the table


def test_live_reads_the_lab_env(tmp_path: Path) -> None:
    line = "export ENTRA_RULEGEN_TEST_DC_USER='a b@c'"
    (tmp_path / "env.sh").write_text(f"# comment\n{line}\n")
    assert live.lab_env(tmp_path) == {"ENTRA_RULEGEN_TEST_DC_USER": "a b@c"}
