"""Preview: the engine's verdict per user, counts, --current changes, --csv rows."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
from analysis_helpers import NO_CONFIG, partners, person, sources, user, write_ldif
from conftest import run_cli

from generator import analysis as facade
from generator.analysis import analyse, outcomes
from generator.errors import InputError
from generator.expressions import compile_expression
from generator.model import User
from generator.preview import (
    CSV_COLUMNS,
    NOT_IN_CLOUD,
    CurrentState,
    MarkerEvaluator,
    judge,
)
from generator.schema import Schema
from generator.strategies import parse_marker
from generator.tally import Examples
from generator.validate import current_coverage_findings

ENTRIES = [
    person("amy"),
    person("svc_backup", upn=None, ou="OU=ServiceAccounts"),
    person("jdoe", upn="jdoe@partners.contoso.com", ou="OU=Partners"),
    person("jane", upn="Jane@Partners.Contoso.COM", ou="OU=Partners"),
    person("evil", upn="evil@partners.contoso.com.evil.example"),
    person("=cmd", upn="=cmd@contoso.com"),
]
MARKER = "upn-suffix:partners.contoso.com"


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return write_ldif(tmp_path / "users.ldf", ENTRIES)


def test_counts_come_from_the_engine(directory: Path) -> None:
    analysis = analyse(sources(directory), partners(), NO_CONFIG, MARKER)
    (counts,) = analysis.preview
    assert (counts.guest, counts.member, counts.invalid) == (2, 4, 0)
    assert counts.defaulted == 1  # svc_backup has no UPN
    assert counts.changes is None


def test_outcomes_give_a_reason_per_user(directory: Path) -> None:
    analysis = analyse(sources(directory), partners(), NO_CONFIG, MARKER)
    found = {o.sam: o for o in outcomes(analysis)}
    assert found["svc_backup"].result == "Member"
    assert "no userPrincipalName" in found["svc_backup"].reason
    assert found["jane"].result == "Guest"
    assert found["evil"].result == "Member"
    assert found["jdoe"].source_values == (
        "userPrincipalName=jdoe@partners.contoso.com",
    )


def _current(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "current.csv"
    path.write_text(text, encoding=encoding)
    return path


CURRENT = (
    "#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\n"
    '"Id","UserPrincipalName","UserType"\n'
    '"1","amy@contoso.com","Member"\n'
    '"2","jdoe@partners.contoso.com","Member"\n'
    '"3","jane@partners.contoso.com","Guest"\n'
    '"4","cloudonly@contoso.onmicrosoft.com","Member"\n'
)


def test_current_state_counts_changes(directory: Path, tmp_path: Path) -> None:
    current = _current(tmp_path, CURRENT, "utf-16")
    analysis = analyse(
        sources(directory), partners(), NO_CONFIG, MARKER, current=current
    )
    (counts,) = analysis.preview
    assert (counts.to_guest, counts.to_member, counts.changes) == (1, 0, 1)
    assert counts.not_in_cloud == 3  # evil, =cmd and svc_backup are not in the cloud
    rows = {o.sam: o.extra for o in outcomes(analysis)}
    assert rows["jdoe"]["change"] == "Member -> Guest"
    assert rows["jane"]["change"] == "unchanged"
    assert rows["svc_backup"]["change"] == NOT_IN_CLOUD == "not in cloud file"


def test_changes_by_direction_and_guests_becoming_member_warn(
    directory: Path, tmp_path: Path
) -> None:
    current = _current(
        tmp_path,
        '"UserPrincipalName","UserType"\n'
        '"amy@contoso.com","Guest"\n'  # an employee: Guest -> Member
        '"jdoe@partners.contoso.com","Member"\n'  # a partner: Member -> Guest
        '"jane@partners.contoso.com","Admin"\n',  # not a type: other
    )
    analysis = analyse(
        sources(directory), partners(), NO_CONFIG, MARKER, current=current
    )
    (counts,) = analysis.preview
    assert (counts.member_to_guest, counts.guest_to_member) == (1, 1)
    assert counts.other_changes == 1 and counts.changes == 3
    warned = {f.id: f for f in analysis.findings}["ERG-CURRENT-GUESTS-TO-MEMBER"]
    assert warned.severity == "warning" and warned.count == 1
    assert warned.title == "1 user(s) Guest in current.csv today would become Member"
    assert warned.examples == ("amy@contoso.com",)
    result = run_cli(
        "preview", "--source", str(directory), "--marker", MARKER,
        "--current", str(current),
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    assert "WARNING  ERG-CURRENT-GUESTS-TO-MEMBER" in result.stdout
    assert "amy@contoso.com" in result.stdout


def test_no_guest_becoming_member_no_warning(directory: Path, tmp_path: Path) -> None:
    analysis = analyse(
        sources(directory), partners(), NO_CONFIG, MARKER,
        current=_current(tmp_path, CURRENT),
    )  # fmt: skip
    (counts,) = analysis.preview
    assert (counts.member_to_guest, counts.guest_to_member) == (1, 0)
    assert "ERG-CURRENT-GUESTS-TO-MEMBER" not in {f.id for f in analysis.findings}


def test_users_missing_from_the_cloud_file_are_a_finding(
    directory: Path, tmp_path: Path
) -> None:
    current = _current(tmp_path, CURRENT)
    analysis = analyse(
        sources(directory), partners(), NO_CONFIG, MARKER, current=current
    )
    missing = {f.id: f for f in analysis.findings}["ERG-CURRENT-USERS-MISSING"]
    # 3 of the 6 in-scope users are not in the file: far above a tenth
    assert missing.severity == "warning" and missing.count == 3
    assert missing.title == "in-scope users not in current.csv (cloud userType unknown)"
    assert "current.csv lists 3 of the 6 in-scope users" in missing.detail
    assert "Get-MgUser -All -Property UserPrincipalName,UserType" in missing.detail
    assert set(missing.examples) == {
        "evil@partners.contoso.com.evil.example",
        "=cmd@contoso.com",
        "svc_backup",
    }
    result = run_cli(
        "preview", "--source", str(directory), "--marker", MARKER,
        "--current", str(current),
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    assert "WARNING  ERG-CURRENT-USERS-MISSING" in result.stdout
    assert "Not in cloud file" in result.stdout


@pytest.mark.parametrize(
    ("missing", "compared", "severity"),
    [(0, 100, None), (1, 100, "info"), (10, 100, "info"), (11, 100, "warning"),
     (258, 308, "warning"), (3, 3, "warning"), (1, 0, "warning")],
)  # fmt: skip
def test_missing_users_warn_above_a_tenth(
    tmp_path: Path, missing: int, compared: int, severity: str | None
) -> None:
    state = CurrentState(tmp_path / "cloud.csv")
    found = current_coverage_findings(state, Examples(count=missing), compared)
    assert [f.severity for f in found] == ([severity] if severity else [])
    assert all(f.count == missing for f in found)


def test_no_coverage_finding_without_current() -> None:
    assert current_coverage_findings(None, Examples(count=5), 10) == []


def test_only_the_users_the_file_lacks_are_missing(
    directory: Path, tmp_path: Path
) -> None:
    rows = "".join(
        f'"9","{upn}","Member"\n'
        for upn in ("evil@partners.contoso.com.evil.example", "=cmd@contoso.com")
    )
    current = _current(tmp_path, CURRENT + rows)
    analysis = analyse(
        sources(directory), partners(), NO_CONFIG, MARKER, current=current
    )
    (counts,) = analysis.preview
    assert counts.not_in_cloud == 1  # svc_backup has no UPN to look up
    missing = {f.id: f for f in analysis.findings}["ERG-CURRENT-USERS-MISSING"]
    assert (missing.count, missing.examples) == (1, ("svc_backup",))
    assert "current.csv lists 5 of the 6 in-scope users" in missing.detail


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("UserPrincipalName,Mail\na@b.c,x\n", 1),
        ('userPrincipalName,userType\n"a@b.c,Member\n', 2),
        ("userPrincipalName,userType\na@b.c,Member,extra\n", 2),
    ],
)
def test_broken_current_file_names_the_line(
    tmp_path: Path, text: str, line: int
) -> None:
    with pytest.raises(InputError) as error:
        CurrentState.read(_current(tmp_path, text))
    assert f"current.csv:{line}" in str(error.value)


def test_csv_has_a_row_per_user_and_defuses_formulas(
    directory: Path, tmp_path: Path
) -> None:
    target = tmp_path / "preview.csv"
    result = run_cli(
        "preview", "--source", str(directory), "--marker", MARKER, "--csv", str(target)
    )
    assert result.code == 0, result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(ENTRIES)
    by_sam = {r["sAMAccountName"]: r for r in rows}
    assert by_sam["jdoe"]["userType"] == "Guest"
    assert by_sam["'=cmd"]["userPrincipalName"] == "'=cmd@contoso.com"
    assert "6 row(s) written" in result.stderr


def test_preview_json_document(directory: Path) -> None:
    result = run_cli(
        "preview", "--source", str(directory), "--marker", MARKER, "--json"
    )
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1 and document["command"] == "preview"
    assert document["preview"][0]["guest"] == 2
    assert document["marker"]["suffixes"] == ["partners.contoso.com"]


def test_designate_previews_the_stamped_values(directory: Path) -> None:
    analysis = analyse(
        sources(directory),
        partners(ous=("OU=Partners,DC=contoso,DC=com",)),
        NO_CONFIG,
        "designate:msDS-cloudExtensionAttribute1",
    )
    rows = {o.sam: o for o in outcomes(analysis)}
    assert rows["jdoe"].result == "Guest" and rows["amy"].result == "Member"
    assert rows["jdoe"].current_marker is None
    assert "stamped Guest" in rows["jdoe"].reason


def test_invalid_results_are_never_counted_as_member() -> None:
    evaluator = MarkerEvaluator(parse_marker("upn-suffix:p.example"))
    assert evaluator.verdict(user("CN=a,DC=x", userPrincipalName="a@p.example"), False)
    outcome = compile_expression('IIF(True,"guest",NULL)').evaluate({})
    assert judge(outcome).result is None
    assert judge(compile_expression("NULL").evaluate({})).shown == "null"
    assert judge(compile_expression('Error("x")').evaluate({})).shown.startswith(
        "error"
    )


class _Many:
    """A source that makes up ``count`` users on the fly, as a live read would."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.name = f"{count} users"
        self.forest = "contoso.com"

    def schema(self) -> Schema | None:
        return None

    def users(self, attributes: Collection[str] | None = None) -> Iterator[User]:
        for n in range(self.count):
            domain = "partners.contoso.com" if n % 10 == 0 else "contoso.com"
            yield user(
                f"CN=u{n},OU=Staff,DC=contoso,DC=com",
                userPrincipalName=f"u{n}@{domain}",
                sAMAccountName=f"u{n}",
                department=f"dept {n}",
            )


def _peak(count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(facade, "open_source", lambda spec, live: _Many(count))
    monkeypatch.setattr(
        facade, "load_schema", lambda spec, source: Schema("bundled", "x")
    )
    tracemalloc.start()
    analysis = analyse(
        sources(Path("fake.ldf")),
        partners(suffixes=("partners.contoso.com",)),
        NO_CONFIG,
        None,
    )
    rows = sum(1 for _ in outcomes(analysis))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rows == count
    return peak


def test_memory_does_not_grow_with_the_number_of_users(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = _peak(1_000, monkeypatch)
    large = _peak(4_000, monkeypatch)
    assert large < small * 2, (small, large)


def test_csv_into_a_missing_folder_is_an_output_error(directory: Path) -> None:
    target = directory.parent / "absent" / "preview.csv"
    result = run_cli(
        "preview", "--source", str(directory), "--marker", MARKER, "--csv", str(target)
    )
    assert result.code == 1
    assert "absent/preview.csv" in result.stderr
    assert not target.parent.exists()


def test_an_expression_may_read_the_domain_parameters(tmp_path: Path) -> None:
    rule = tmp_path / "rule.txt"
    rule.write_text(
        'IIF(%Domain.FQDN%="contoso.com","Member","Guest")', encoding="utf-8"
    )
    evaluator = MarkerEvaluator(parse_marker(f"expression:@{rule}"))
    inside = user("CN=a,OU=Staff,DC=contoso,DC=com")
    elsewhere = user("CN=b,OU=Staff,DC=fabrikam,DC=com")
    assert evaluator.verdict(inside, False).result == "Member"
    assert evaluator.verdict(elsewhere, False).result == "Guest"


def test_odd_and_conflicting_current_rows_are_findings(
    directory: Path, tmp_path: Path
) -> None:
    current = _current(
        tmp_path,
        CURRENT
        + '"5","amy@contoso.com","Sponsor"\n'
        + '"6","JDOE@partners.contoso.com","member"\n'  # the same value again
        + '"7","x@contoso.com",""\n',
    )
    analysis = analyse(
        sources(directory), partners(), NO_CONFIG, MARKER, current=current
    )
    found = {f.id: f for f in analysis.findings}
    other = found["ERG-CURRENT-USERTYPE-OTHER"]
    assert other.severity == "warning" and other.count == 2
    assert other.examples == ("amy@contoso.com: 'Sponsor'", "x@contoso.com: ''")
    assert "1 row(s) have no userType at all" in other.detail
    assert "-Property UserPrincipalName,UserType" in other.detail
    twice = found["ERG-CURRENT-UPN-CONFLICT"]
    assert twice.severity == "warning" and twice.count == 1
    assert twice.examples == ("amy@contoso.com: 'Member', then 'Sponsor'",)
    result = run_cli(
        "preview", "--source", str(directory), "--marker", MARKER,
        "--current", str(current),
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    assert "WARNING  ERG-CURRENT-USERTYPE-OTHER" in result.stdout
    assert "WARNING  ERG-CURRENT-UPN-CONFLICT" in result.stdout


def test_parameters_are_built_only_when_the_tree_reads_one() -> None:
    assert compile_expression(
        'IIF(%Domain.FQDN%="a","Guest","Member")'
    ).reads_parameters
    # A per cent sign inside a string is text, not a parameter.
    assert not compile_expression(
        'IIF([company]="50%","Guest","Member")'
    ).reads_parameters


@pytest.mark.parametrize(
    "spec",
    [
        "upn-suffix:partners.contoso.com",
        "ou:OU=Partners,DC=contoso,DC=com",
        "attribute:company=Kestrel",
        "designate:extensionAttribute5",
    ],
)
@pytest.mark.parametrize("stamp", [False, True])
def test_verdicts_match_an_evaluation_of_the_inputs(spec: str, stamp: bool) -> None:
    """The shortcuts (the user's own table, stamped tables) change no verdict."""
    evaluator = MarkerEvaluator(parse_marker(spec), stamp=stamp)
    compiled = compile_expression(evaluator.marker.expression)
    people = [
        user("CN=a,OU=Partners,DC=contoso,DC=com", upn="a@Partners.Contoso.com"),
        user("CN=b,OU=Staff,DC=contoso,DC=com", upn="b@contoso.com"),
        User("CN=c,DC=contoso,DC=com", {"company": (" kestrel ",)}),
        User("CN=d,DC=contoso,DC=com", {"extensionattribute5": ("GUEST", "x")}),
        User("CN=e,DC=contoso,DC=com", {"company": (b"\xff",)}),
    ]
    for person_ in people:
        for is_partner in (False, True):
            expected = judge(compiled.evaluate(evaluator.inputs(person_, is_partner)))
            assert evaluator.verdict(person_, is_partner) == expected
