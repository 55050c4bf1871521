"""Broken files are input errors: exit 1, one line on stderr naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, run_cli

READERS = DATA / "readers"


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad-base64.ldf", 3, "bad base64"),
        ("truncated.ldf", 7, "truncated record"),
        ("undecodable.ldf", 3, "undecodable byte 0xfc"),
        ("modify.ldf", 4, "changetype: modify"),
        ("too-many-fields.csv", 3, "4 fields, the header has 3"),
        ("undecodable.csv", 3, "undecodable byte 0xfc"),
        ("broken.json", 6, "broken JSON"),
    ],
)
def test_broken_file_names_file_and_line(name: str, line: int, words: str) -> None:
    path = READERS / name
    result = run_cli("inspect", "--source", str(path), "--json")
    assert result.code == 1
    assert result.stdout == ""  # no partial output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{path}:{line}:" in lines[0]
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_file_type() -> None:
    path = READERS / "users.txt"
    result = run_cli("inspect", "--source", str(path))
    assert result.code == 1
    assert result.stderr.strip().splitlines() == [
        f"entra-rulegen: error: {path}: unknown file type '.txt': give an "
        ".ldf/.ldif, .csv or .json export, or ldap[s]://HOST"
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.ldf"
    result = run_cli("inspect", "--source", str(path))
    assert result.code == 1
    assert result.stderr.strip() == f"entra-rulegen: error: {path}: file not found"


def test_missing_schema_file(tmp_path: Path) -> None:
    schema = tmp_path / "schema.ldf"
    result = run_cli(
        "inspect", "--source", str(READERS / "ldifde-ansi.ldf"), "--schema", str(schema)
    )
    assert result.code == 1
    assert f"{schema}: file not found" in result.stderr


def test_debug_shows_the_traceback() -> None:
    result = run_cli("--debug", "inspect", "--source", str(READERS / "bad-base64.ldf"))
    assert result.code == 1
    assert "Traceback" in result.stderr


def test_utf16_file_with_a_broken_code_unit(tmp_path: Path) -> None:
    path = tmp_path / "broken16.ldf"
    text = "dn: CN=a,DC=b,DC=example\r\nobjectClass: user\r\nsn: x"
    # a lone low surrogate cannot be decoded
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le") + b"\x00\xdc\r\x00\n\x00")
    result = run_cli("inspect", "--source", str(path))
    assert result.code == 1
    assert f"{path}:3: undecodable bytes" in result.stderr


def test_schema_file_that_is_not_a_schema_export() -> None:
    result = run_cli(
        "inspect",
        "--source",
        str(READERS / "ldifde-ansi.ldf"),
        "--schema",
        str(READERS / "ldifde-ansi.ldf"),
    )
    assert result.code == 1
    assert "no attributeSchema entries" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.csv", b"", "empty CSV file"),
        ("scalar.json", b"  42\n", "not a snapshot or ldapdomaindump file"),
        ("entry.json", b'[{"dn": "CN=a,DC=x"}]', "entry 1 is not an ldapdomaindump"),
    ],
)
def test_files_of_the_wrong_shape(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("inspect", "--source", str(path))
    assert result.code == 1
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
