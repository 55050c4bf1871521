"""The bundle with ``--current``: changes among the users the cloud file lists,
and the in-scope users it does not list counted apart (their type is unknown)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

from bundle_cases import sample_arguments
from bundle_fixtures import analysis, outcomes_of
from conftest import run_cli
from psquote import single_quoted

from generator.bundle import write_bundle
from generator.bundle.preview import PreviewStats
from generator.marker import UserOutcome
from generator.preview import NOT_IN_CLOUD

SUFFIXES = "partners.alderbrook.example,contractors.alderbrook.example"


def _cloud(population: list[UserOutcome], known: dict[str, str]) -> list[UserOutcome]:
    """``--current`` as analyse() fills it: ``known`` by UPN, the rest missing."""
    found = []
    for user in population:
        cloud = known.get(user.upn or "")
        change = NOT_IN_CLOUD if cloud is None else "whatever"
        extra = {"cloudUserType": cloud or "", "change": change}
        found.append(replace(user, extra=extra))
    return found


def test_stats_count_the_users_found_and_missing() -> None:
    _, population = analysis()
    # Ada and Cy become Guest: Ada is a Member in the cloud, Cy already a Guest;
    # Bo stays Member; Di, Ed and Flo are not in the file
    cloud = _cloud(
        population,
        {
            "Ada@partners.contoso.com": "Member",
            "Cy@partners.contoso.com": "Guest",
            "Bo@contoso.com": "Member",
        },
    )
    stats = PreviewStats()
    for outcome in cloud:
        stats.add(outcome)
    assert stats.cloud_known
    assert (stats.cloud_changes, stats.cloud_found, stats.cloud_missing) == (1, 3, 3)


def test_stats_without_current_know_nothing_of_the_cloud() -> None:
    _, population = analysis()
    stats = PreviewStats()
    for outcome in population:
        stats.add(outcome)
    assert not stats.cloud_known
    assert (stats.cloud_changes, stats.cloud_found, stats.cloud_missing) == (0, 0, 0)


def _bundle(tmp_path: Path, known: dict[str, str], **options: str) -> Path:
    found, population = analysis(**options)
    out = tmp_path / "b"
    cloud = _cloud(population, known)
    write_bundle(found, out, force=False, outcomes=outcomes_of(cloud))
    return out


def test_documents_count_the_users_the_cloud_file_lacks(tmp_path: Path) -> None:
    out = _bundle(tmp_path, {"Ada@partners.contoso.com": "Member"})
    preview = json.loads((out / "report.json").read_text())["preview"]
    assert preview["cloud_changes"] == 1
    assert (preview["cloud_found"], preview["not_in_cloud"]) == (1, 5)
    for name in ("CHANGE.md", "CHANGE.html"):
        text = (out / name).read_text()
        assert (
            "1 of the 1 in-scope user(s) found in the cloud file (--current) would "
            "change userType (1 Member to Guest, 0 Guest to Member); 5 in-scope "
            "user(s) are not in that file (not synced yet, or the export was "
            "partial), so their userType is unknown."
        ) in text, name
        assert (
            "about 1 among the 1 in-scope users found in the cloud file "
            "(--current), plus up to 5 more, one for each in-scope user it does "
            "not list"
        ) in " ".join(text.split()), name


def test_a_complete_cloud_file_reads_as_before(tmp_path: Path) -> None:
    _, population = analysis()
    out = _bundle(tmp_path, {u.upn or "": "Member" for u in population})
    preview = json.loads((out / "report.json").read_text())["preview"]
    assert (preview["cloud_changes"], preview["cloud_found"]) == (3, 6)
    assert preview["not_in_cloud"] == 0
    text = " ".join((out / "CHANGE.md").read_text().split())
    assert "3 of the 6 in-scope user(s) found in the cloud file (--current)" in text
    assert "about 3, the users whose cloud userType the preview says" in text
    assert "not in that file" not in text and "does not list" not in text


def test_changes_are_counted_by_direction(tmp_path: Path) -> None:
    # Ada Member -> Guest, Bo Guest -> Member, Cy from a type Entra ID does not
    # know; Di unchanged; Ed's empty type is unknown, not a change; Flo missing
    known = {
        "Ada@partners.contoso.com": "Member",
        "Bo@contoso.com": "Guest",
        "Cy@partners.contoso.com": "Admin",
        "Di@contoso.com": "member",
        "Ed@partners.contoso.com": "",
    }
    out = _bundle(tmp_path, known)
    preview = json.loads((out / "report.json").read_text())["preview"]
    assert (preview["cloud_changes"], preview["cloud_found"]) == (3, 5)
    assert preview["cloud_member_to_guest"] == 1
    assert preview["cloud_guest_to_member"] == 1
    assert preview["cloud_other_changes"] == 1
    for name in ("CHANGE.md", "CHANGE.html"):
        text = " ".join((out / name).read_text().split())
        assert (
            "3 of the 5 in-scope user(s) found in the cloud file (--current) would "
            "change userType (1 Member to Guest, 1 Guest to Member, 1 from a "
            "userType Entra ID does not know)"
        ) in text, name


def test_without_current_the_cloud_counts_are_null(tmp_path: Path) -> None:
    found, population = analysis()
    write_bundle(found, tmp_path / "b", force=False, outcomes=outcomes_of(population))
    preview = json.loads((tmp_path / "b" / "report.json").read_text())["preview"]
    assert preview["cloud_changes"] is None
    assert preview["cloud_found"] is None and preview["not_in_cloud"] is None
    assert preview["cloud_guest_to_member"] is None


def test_convert_keeps_partners_the_cloud_file_lacks(tmp_path: Path) -> None:
    # Connect before 1.5.30: a partial export must not drop partners from the
    # Graph script (it looks each one up and skips those not in the cloud)
    out = _bundle(
        tmp_path,
        {"Ada@partners.contoso.com": "Guest", "Bo@contoso.com": "Member"},
        connect_version="1.4.38.0",
    )
    script = (out / "Convert-ExistingUsers.ps1").read_text("utf-8-sig")
    listed = set(single_quoted(script))
    assert "Ada@partners.contoso.com" not in listed  # already a Guest
    assert {"Cy@partners.contoso.com", "Ed@partners.contoso.com"} <= listed
    assert not {"Bo@contoso.com", "Di@contoso.com", "Flo@contoso.com"} & listed


def test_generate_with_a_partial_cloud_file(tmp_path: Path) -> None:
    sample = tmp_path / "users.csv"
    run = run_cli(
        "preview", *sample_arguments(), "--marker", f"upn-suffix:{SUFFIXES}",
        "--csv", str(sample),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    with sample.open(encoding="utf-8-sig", newline="") as stream:
        upns = [r["userPrincipalName"] for r in csv.DictReader(stream)]
    listed = [u for u in upns if u][::6]  # a partial export, as a tester made
    current = tmp_path / "cloud.csv"
    current.write_text(
        "UserPrincipalName,UserType\n" + "".join(f"{u},Member\n" for u in listed),
        encoding="utf-8",
    )
    out = tmp_path / "bundle"
    run = run_cli(
        "generate", *sample_arguments(), "--marker", f"upn-suffix:{SUFFIXES}",
        "--current", str(current), "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stdout + run.stderr
    total, found = len(upns), len(listed)
    missing = total - found
    preview = json.loads((out / "report.json").read_text())["preview"]
    assert (preview["users"], preview["cloud_found"]) == (total, found)
    assert preview["not_in_cloud"] == missing
    changes = preview["cloud_changes"]
    assert 0 < changes <= found
    to_guest, to_member = (
        preview["cloud_member_to_guest"],
        preview["cloud_guest_to_member"],
    )
    assert to_guest + to_member + preview["cloud_other_changes"] == changes
    assert (
        f"Cloud file: {changes} of the {found} in-scope users found in it would "
        f"change userType ({to_guest} Member to Guest, {to_member} Guest to "
        f"Member); {missing} in-scope users are not in it, and their "
        "userType is unknown."
    ) in " ".join(run.stdout.split())
    assert "WARNING  ERG-CURRENT-USERS-MISSING" in run.stdout
    change = " ".join((out / "CHANGE.md").read_text().split())
    assert f"plus up to {missing} more, one for each in-scope user it" in change
    assert "`ERG-CURRENT-USERS-MISSING`" in change
    findings = json.loads((out / "report.json").read_text())["findings"]
    (finding,) = [f for f in findings if f["id"] == "ERG-CURRENT-USERS-MISSING"]
    assert (finding["severity"], finding["count"]) == ("warning", missing)
    assert "Get-MgUser -All -Property UserPrincipalName,UserType" in finding["detail"]
    rows = (out / "preview.csv").read_text("utf-8-sig").count(NOT_IN_CLOUD)
    assert rows == missing
