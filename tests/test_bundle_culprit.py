"""A user's value the bundle cannot write names the user, attribute, file, line.

One control character in one account refuses the whole bundle (it cannot be
written faithfully into Markdown, PowerShell or an expression). The one error
line must let the admin find that account: its DN, the attribute, and for a
file source the file and the line of the user's record.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from conftest import SAMPLES, run_cli

from generator.bundle import culprit
from generator.escaping import UnrepresentableValue
from generator.marker import UserOutcome

LDIF = SAMPLES / "alderbrook-users.ldf"
CSV = SAMPLES / "alderbrook-users.csv"
SCHEMA = SAMPLES / "alderbrook-schema.ldf"
SUFFIX = "partners.alderbrook.example"
PARTNER_DN = "CN=Linus Ashgrove (Kestrel),OU=Partners,DC=alderbrook,DC=example"


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def ldif_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The sample LDIF with line ``old`` of the partner replaced by ``new``;
    with the line of the partner's ``dn:``. A line the record lacks is added."""
    text = LDIF.read_text(encoding="utf-8")
    start = text.index(f"dn: {PARTNER_DN}\n")
    end = text.index("\n\n", start)
    record = text[start:end]
    if old in record:
        record = record.replace(old, new, 1)
    else:
        record += f"\n{new}"
    path = tmp_path / "users.ldf"
    path.write_text(text[:start] + record + text[end:], encoding="utf-8")
    return path, text[:start].count("\n") + 1


def refusal(*args: str) -> str:
    result = run_cli(*args)
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "marker", [f"upn-suffix:{SUFFIX}", "designate:extensionAttribute9"]
)
def test_nul_in_an_account_name_names_user_attribute_file_and_line(
    tmp_path: Path, marker: str
) -> None:
    nul = _b64(b"s3\x00")
    path, line = ldif_with(
        tmp_path, "sAMAccountName: lashgrove", f"sAMAccountName:: {nul}"
    )
    out = tmp_path / "bundle"
    error = refusal(
        "generate", "--source", str(path), "--schema", str(SCHEMA),
        "--partner-suffix", SUFFIX, "--marker", marker, "--out", str(out),
    )  # fmt: skip
    assert (
        f"{path}:{line}: user '{PARTNER_DN}', attribute sAMAccountName: "
        "cannot write 's3\\x00' into" in error
    )
    assert not out.exists()


def test_a_nul_in_a_upn_is_named_by_its_attribute(tmp_path: Path) -> None:
    upn = b"linus.ashgrove\x00@partners.alderbrook.example"
    path, line = ldif_with(
        tmp_path,
        "userPrincipalName: linus.ashgrove@partners.alderbrook.example",
        f"userPrincipalName:: {_b64(upn)}",
    )
    error = refusal(
        "generate", "--source", str(path), "--schema", str(SCHEMA),
        "--partner-suffix", SUFFIX, "--marker", f"upn-suffix:{SUFFIX}",
        "--out", str(tmp_path / "bundle"),
    )  # fmt: skip
    assert f"{path}:{line}: user '{PARTNER_DN}', attribute userPrincipalName:" in (
        error
    )


def outcome(dn: str, **fields: object) -> UserOutcome:
    values: dict[str, object] = {
        "forest": "corp.example", "dn": dn, "sam": None, "upn": None,
        "object_class": "user", "source_values": (), "result": "Member",
        "reason": "", "is_partner": False,
    }  # fmt: skip
    values.update(fields)
    return UserOutcome(**values)  # type: ignore[arg-type]


class Bare:
    """An analysis without marker or sources: no file, no line."""

    marker = None

    def source_of(self, forest: str) -> None:
        return None


def test_the_holder_is_the_first_user_whose_value_holds_the_refused_text() -> None:
    users = [
        outcome("CN=a,DC=corp", sam="a", source_values=("company=Fine",)),
        outcome("CN=b,DC=corp", sam="b", source_values=("company=Bad\x07Co",)),
        outcome("CN=c,DC=corp", sam="c\x07"),
    ]
    # The template joined the source values: the user's one value is part of it.
    error = UnrepresentableValue("a PowerShell string", "x; company=Bad\x07Co", "why")
    found = culprit.located(error, Bare(), users)  # type: ignore[arg-type]
    assert str(found).startswith("user 'CN=b,DC=corp', attribute company: cannot write")
    error = UnrepresentableValue("Markdown", "c\x07", "why")
    found = culprit.located(error, Bare(), users)  # type: ignore[arg-type]
    assert str(found).startswith("user 'CN=c,DC=corp', attribute sAMAccountName:")


def test_a_csv_source_names_the_row_of_the_user(tmp_path: Path) -> None:
    lines = CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(n for n, text in enumerate(lines) if f'"{PARTNER_DN}"' in text)
    lines[row] = lines[row].replace(",lashgrove,", ",lash\x00grove,", 1)
    path = tmp_path / "users.csv"
    path.write_text("".join(lines), encoding="utf-8")
    error = refusal(
        "generate", "--source", str(path), "--schema", str(SCHEMA),
        "--partner-suffix", SUFFIX, "--marker", f"upn-suffix:{SUFFIX}",
        "--out", str(tmp_path / "bundle"),
    )  # fmt: skip
    assert f"{path}:{row + 1}: user '{PARTNER_DN}', attribute sAMAccountName:" in (
        error
    )


def test_a_value_no_user_holds_is_left_as_it_was() -> None:
    error = UnrepresentableValue("Markdown", "x\x00", "it holds a NUL character")
    assert culprit.located(error, Bare(), []) is error  # type: ignore[arg-type]
    assert str(error.located("here")).startswith("here: cannot write 'x\\x00'")
