"""Generated scripts: they parse, every literal reads back as it went in, encodings.

tree-sitter-powershell finds syntax errors; ``psquote`` (our reader of
PowerShell's quoting, look-alike quotes included) reads each literal back, so
a value whose quote was not doubled shows up as a literal cut short.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from bundle_cases import CASES, GOLDEN
from bundle_fixtures import HOSTILE, analysis, outcomes_of
from hypothesis import given
from hypothesis import strategies as st
from psquote import literals, single_quoted
from pssyntax import syntax_errors

from generator.bundle import write_bundle
from generator.escaping import UnrepresentableValue, ps_literal

GOLDEN_SCRIPTS = sorted(GOLDEN.glob("*/*.ps1"))


def _hostile_bundle(tmp_path: Path, strategy: str) -> tuple[Path, list]:  # type: ignore[type-arg]
    found, population = analysis(strategy, hostile=True, connect_version="1.4.38.0")
    out = tmp_path / strategy
    write_bundle(found, out, force=False, outcomes=outcomes_of(population))
    return out, population


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def test_every_strategy_has_golden_scripts() -> None:
    assert {p.parent.name for p in GOLDEN_SCRIPTS} == set(CASES)


@pytest.mark.parametrize(
    "path", GOLDEN_SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_golden_script_parses(path: Path) -> None:
    assert syntax_errors(_text(path)) == []


@pytest.mark.parametrize("strategy", ["upn-suffix", "designate"])
def test_hostile_scripts_parse(tmp_path: Path, strategy: str) -> None:
    out, _ = _hostile_bundle(tmp_path, strategy)
    scripts = sorted(out.glob("*.ps1"))
    assert len(scripts) >= 4
    for script in scripts:
        assert syntax_errors(_text(script)) == [], script.name


def test_hostile_values_read_back_from_every_script(tmp_path: Path) -> None:
    out, population = _hostile_bundle(tmp_path, "designate")
    found, _ = analysis("upn-suffix", hostile=True)
    marker = found.marker
    assert marker is not None
    upn_out, _ = _hostile_bundle(tmp_path, "upn-suffix")

    enable = single_quoted(_text(upn_out / "Enable-UserTypeSync.ps1"))
    assert marker.expression in enable
    assert any(value.endswith(marker.spec) for value in enable)

    marks = single_quoted(_text(out / "Set-PartnerMarker.ps1"))
    restore = single_quoted(_text(out / "Restore-PartnerMarker.ps1"))
    convert = single_quoted(_text(upn_out / "Convert-ExistingUsers.ps1"))
    for user in population:
        assert user.dn in marks and user.dn in restore
        if user.current_marker is not None:
            assert user.current_marker in restore
        if user.result == "Guest":
            assert user.upn in convert
    for value in HOSTILE:
        assert any(value in dn for dn in marks), value


def test_hostile_values_are_never_code(tmp_path: Path) -> None:
    """No hostile text appears outside a literal (a comment or bare code)."""
    out, _ = _hostile_bundle(tmp_path, "designate")
    for script in out.glob("*.ps1"):
        text = _text(script)
        spans = [(x.offset, x.end) for x in literals(text)]
        for value in ("$(Remove-Item", "back`tick"):
            start = text.find(value)
            while start >= 0:
                assert any(a <= start < b for a, b in spans), (script.name, start)
                start = text.find(value, start + 1)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_ps_literal_reads_back(value: str) -> None:
    try:
        literal = ps_literal(value)
    except UnrepresentableValue:
        assert any(ord(c) < 32 or ord(c) == 127 for c in value)
        return
    assert single_quoted(f"$x = {literal}\n") == [value]


@pytest.mark.parametrize("strategy", sorted(CASES))
def test_encodings(strategy: str) -> None:
    for path in sorted((GOLDEN / strategy).rglob("*")):
        if not path.is_file() or path.name == ".gitattributes":
            continue
        data = path.read_bytes()
        bom = data.startswith(b"\xef\xbb\xbf")
        if path.suffix == ".ps1":
            assert bom, path.name
            assert b"\n" not in data.replace(b"\r\n", b""), f"{path.name}: bare LF"
        elif path.suffix == ".csv":
            assert bom and b"\r" not in data, path.name
        else:
            assert not bom and b"\r" not in data, path.name
        data.decode("utf-8")


def _ldif_records(text: str) -> list[dict[str, list[str]]]:
    """A small reader of the change records we write (RFC 2849 subset)."""
    records = []
    for block in text.split("\n\n"):
        record: dict[str, list[str]] = {}
        for line in block.splitlines():
            if not line or line.startswith("#") or line == "-":
                continue
            name, _, value = line.partition(":")
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8")
            else:
                value = value.removeprefix(" ")
            record.setdefault(name, []).append(value)
        if record:
            records.append(record)
    return records


def test_ldif_reads_back(tmp_path: Path) -> None:
    out, population = _hostile_bundle(tmp_path, "designate")
    stamped = _ldif_records((out / "set-partner-marker.ldif").read_text("utf-8"))
    restored = _ldif_records((out / "restore-partner-marker.ldif").read_text("utf-8"))
    assert [r["dn"] for r in stamped] == [[u.dn] for u in population]
    assert [r["extensionAttribute7"] for r in stamped] == [
        [u.result] for u in population
    ]
    assert [r.get("extensionAttribute7", []) for r in restored] == [
        [u.current_marker] if u.current_marker is not None else [] for u in population
    ]
    assert all(r["changetype"] == ["modify"] for r in stamped + restored)


def _function(text: str, name: str) -> str:
    """The text of ``function NAME { ... }`` up to the next top-level function."""
    start = text.index(f"\nfunction {name} ")
    end = text.find("\nfunction ", start + 1)
    return text[start : end if end >= 0 else len(text)]


@pytest.mark.parametrize("strategy", sorted(CASES))
def test_undo_deselects_only_what_the_bundle_selects(strategy: str) -> None:
    """A record entry this bundle never makes (say objectGUID) stays selected."""
    undo = _text(GOLDEN / strategy / "Undo-UserTypeSync.ps1")
    own = _function(undo, "Test-OwnSelection")
    assert "foreach ($selection in $AttributeSelections)" in own
    remove = _function(undo, "Remove-Selections")
    guard = remove.index("if (-not (Test-OwnSelection -Entry $entry))")
    assert guard < remove.index("Remove-InclusionAttribute")
    assert "$remaining.Add($entry)" in remove[guard : remove.index("continue", guard)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("Set-PartnerMarker.ps1", "$user.Previous"),
        ("Restore-PartnerMarker.ps1", "$user.Stamped"),
    ],
)
def test_marker_scripts_leave_a_changed_value_alone(script: str, expected: str) -> None:
    """Set and Restore write only over the value they expect to find in AD."""
    text = _text(GOLDEN / "designate" / script)
    read = text.index("$current = Get-MarkerValue -User $user")
    check = text.index(f"if ($current -cne {expected})", read)
    assert text.index("$failed++", check) < text.index("Set-ADUser", check)
    assert read < check < text.index("Set-ADUser -Identity", read)
    assert (
        "Get-ADUser -Identity $User.Dn -Server $User.Server -Properties $Attribute"
        in text
    )
    key = expected.removeprefix("$user.")
    assert text.count(f"; {key} = ") == text.count("@{ Dn = ")


def test_marker_scripts_carry_both_values(tmp_path: Path) -> None:
    out, population = _hostile_bundle(tmp_path, "designate")
    marks = single_quoted(_text(out / "Set-PartnerMarker.ps1"))
    restore = single_quoted(_text(out / "Restore-PartnerMarker.ps1"))
    for user in population:
        if user.current_marker is not None:
            assert user.current_marker in marks
        assert user.result in restore


@pytest.mark.parametrize("script", ["Enable-UserTypeSync.ps1", "Undo-UserTypeSync.ps1"])
def test_scheduler_comes_back_with_a_full_cycle(script: str) -> None:
    """Delta cycles miss a newly selected attribute and rules new or gone."""
    text = _text(GOLDEN / "designate" / script)
    initial = text.index("Set-ADSyncScheduler -NextSyncCyclePolicyType Initial")
    condition = text.rindex(
        "if ($schedulerTurnedOff -and -not $KeepSchedulerDisabled", 0, initial
    )
    asked = text.index("$PSCmdlet.ShouldProcess('the sync scheduler'", condition)
    assert asked < initial < text.index("\nfinally {", initial)
    assert "runs the steps above by itself" not in text


def test_each_selection_changes_a_fresh_connector_object() -> None:
    enable = _text(GOLDEN / "expression" / "Enable-UserTypeSync.ps1")
    add = _function(enable, "Add-Selections")
    read = add.index(
        "Get-ADSyncConnector -Identifier $Connectors[$selection.ConnectorKey]"
    )
    assert add.index("foreach ($selection in $AttributeSelections)") < read
    assert read < add.index("Add-ADSyncConnector -Connector $connector")


# Verbs that change a server, a directory, a file or the cloud.
_WRITES = re.compile(
    r"\b(?:Set|Add|Remove|New|Start|Stop|Invoke|Update|Clear|Enable|Disable)-"
    r"(?:ADSync|AD|Mg|Item|Content|Transcript)\w*|\bOut-File\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("strategy", sorted(CASES))
def test_check_script_is_read_only(strategy: str) -> None:
    """Test-UserTypeSync.ps1 holds no command that changes anything."""
    text = _text(GOLDEN / strategy / "Test-UserTypeSync.ps1")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    found = {m.group(0) for m in _WRITES.finditer(code)}
    # The only mention is the advice printed when the scheduler is off.
    assert found <= {"Set-ADSyncScheduler"}, found
    assert all(
        "Set-ADSyncScheduler" not in line or "Write-Warning '" in line
        for line in code.splitlines()
    )


@pytest.mark.parametrize("strategy", ["upn-suffix", "designate", "attribute"])
def test_skip_selection_warning_cites_the_apply_step(strategy: str) -> None:
    """The script's pointer into CHANGE.md names the step that says how to select
    the attributes by hand, in every strategy's numbering (designate adds one)."""
    folder = GOLDEN / strategy
    change = (folder / "CHANGE.md").read_text(encoding="utf-8")
    apply = re.search(r"^(\d+)\. \*\*Apply\*\*", change, re.MULTILINE)
    assert apply is not None
    script = _text(folder / "Enable-UserTypeSync.ps1")
    cited = re.findall(r"Service Manager \(CHANGE\.md, step (\d+)\)", script)
    assert cited == [apply.group(1)]
    html = (folder / "CHANGE.html").read_text(encoding="utf-8")
    assert f'<li value="{apply.group(1)}"><strong>Apply</strong>' in html
