"""Users that two sources both hold, and partner-list names that match several."""

from __future__ import annotations

import tracemalloc
import uuid
from pathlib import Path

from conftest import SAMPLES, run_cli

from generator.model import User
from generator.overlap import PARTNER_LIST_AMBIGUOUS, SOURCES_OVERLAP, SourceOverlap

LDIF = SAMPLES / "alderbrook-users.ldf"
CSV = SAMPLES / "alderbrook-users.csv"
SCHEMA = SAMPLES / "alderbrook-schema.ldf"


def person(number: int, *, upn: str | None = None, guid: int | None = None) -> User:
    attributes: dict[str, tuple[str | bytes, ...]] = {
        "samaccountname": (f"u{number}",),
        "userprincipalname": (upn or f"u{number}@corp.example",),
        "objectguid": (uuid.UUID(int=number if guid is None else guid).bytes_le,),
    }
    return User(f"CN=u{number},DC=corp,DC=example", attributes)


def test_same_guid_or_upn_in_another_source_is_counted_once_per_user() -> None:
    overlap = SourceOverlap(3)
    overlap.start("a.ldf")
    for n in range(10):
        overlap.add(person(n))
    overlap.start("b.csv")
    overlap.add(person(1))  # the same user: GUID and UPN
    overlap.add(person(2, guid=1000))  # the UPN alone, in another case below
    overlap.add(person(3, upn="U3@CORP.EXAMPLE", guid=2000))
    overlap.add(person(50))  # nobody else holds it
    overlap.start("c.json")
    overlap.add(person(50, upn="other@corp.example"))  # b.csv's GUID
    [finding] = overlap.findings()
    assert (finding.id, finding.severity, finding.count) == (
        SOURCES_OVERLAP,
        "warning",
        4,
    )
    assert "3 in both a.ldf and b.csv; 1 in both b.csv and c.json" in finding.detail
    assert finding.examples[0] == "u1@corp.example (a.ldf, b.csv)"


def test_one_source_keeps_nothing_and_finds_nothing() -> None:
    overlap = SourceOverlap(1)
    overlap.start("a.ldf")
    overlap.add(person(1))
    overlap.add(person(1))
    assert overlap.findings() == []


def test_memory_per_100k_users_is_16_bytes_each() -> None:
    # 100,000 users in the first of two sources: the digests kept for the
    # second one to look its users up in. Measured, then bounded.
    users = [person(n) for n in range(100_000)]
    overlap = SourceOverlap(2)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    overlap.start("a.ldf")
    for user in users:
        overlap.add(user)
    overlap.start("b.ldf")  # sorts and keeps a.ldf's digests
    kept = tracemalloc.get_traced_memory()[0] - before
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    assert kept < 100_000 * 17, kept  # 2 keys x 8 bytes per user
    # while a source is read: a run of unsorted digests; at its end the sorted
    # runs and the merged array side by side
    assert peak < 100_000 * 40 + 4_000_000, peak


def test_the_same_export_twice_is_a_warning_with_examples(tmp_path: Path) -> None:
    result = run_cli(
        "validate", "--json", "--source", str(LDIF), "--source", str(CSV),
        "--forest", "other.example", "--schema", str(SCHEMA),
        "--partner-suffix", "partners.alderbrook.example",
        "--marker", "upn-suffix:partners.alderbrook.example",
    )  # fmt: skip
    assert SOURCES_OVERLAP in result.stdout, result.stdout + result.stderr
    assert f"in both {LDIF} and {CSV}" in result.stdout


def test_a_bare_sam_matching_users_of_two_sources_is_ambiguous(
    tmp_path: Path,
) -> None:
    listed = tmp_path / "partners.txt"
    listed.write_text("lashgrove\nlinus.ashgrove@partners.alderbrook.example\n")
    result = run_cli(
        "recommend", "--source", str(LDIF), "--source", str(CSV),
        "--forest", "other.example", "--schema", str(SCHEMA),
        "--partner-list", str(listed),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert PARTNER_LIST_AMBIGUOUS in flat
    assert "line 1: lashgrove = CN=Linus Ashgrove (Kestrel)" in flat
    assert "in alderbrook.example and CN=Linus Ashgrove" in flat
    # one source: the same list is not ambiguous
    single = run_cli(
        "recommend", "--source", str(LDIF), "--schema", str(SCHEMA),
        "--partner-list", str(listed),
    )  # fmt: skip
    assert PARTNER_LIST_AMBIGUOUS not in single.stdout
    assert SOURCES_OVERLAP not in single.stdout
