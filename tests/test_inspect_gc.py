"""`inspect --gc`: attributes outside the partial attribute set are unknown.

Stands in for a Windows Global Catalog, which leaves attributes outside the
partial attribute set out of every entry without a word (Samba returns them,
so the lab DC cannot show this): the mock of ``test_ldap_reader`` drops them.
Such attributes must read "not readable through the GC", never "0 users", in
the table, in ``--json``, and in a snapshot taken through the GC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, run_cli
from ldap3 import Connection
from test_ldap_reader import BIND_DN, PASSWORD, WindowsDC, mock_directory

from generator.model import SourceSpec
from generator.readers import ldap as reader
from generator.readers.snapshot import SnapshotSource

HOST = "ldaps://dc1.contoso.test"
LOGIN = ("--user", BIND_DN)
ENV = {"ENTRA_RULEGEN_PASSWORD": PASSWORD}
USERS = 200  # every tenth a partner with extensionAttribute5


@pytest.fixture(scope="module")
def directory() -> Iterator[Connection]:
    conn = mock_directory(users=USERS)
    yield conn
    conn.unbind()


@pytest.fixture
def windows_gc(directory: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        reader, "connect", lambda target, live: WindowsDC(directory, gc=live.gc)
    )


def attributes_of(run: Run) -> dict[str, dict[str, Any]]:
    assert run.code == 0, run.stderr
    (source,) = json.loads(run.stdout)["sources"]
    return {a["name"]: a for a in source["attributes"]}


@pytest.mark.usefixtures("windows_gc")
def test_json_says_not_readable_never_zero() -> None:
    found = attributes_of(
        run_cli("inspect", "--source", HOST, *LOGIN, "--gc", "--json", env=ENV)
    )
    employee_type = found["employeeType"]  # outside the partial attribute set
    assert employee_type["readable"] is False
    assert employee_type["unreadable"] == "not readable through the GC"
    assert employee_type["users_with_value"] is None
    assert employee_type["values"] is None
    assert any("not readable through the GC" in n for n in employee_type["notes"])
    partners = found["extensionAttribute5"]  # in the partial attribute set
    assert partners["readable"] is True
    assert partners["users_with_value"] == USERS // 10


@pytest.mark.usefixtures("windows_gc")
def test_without_gc_every_attribute_is_readable() -> None:
    found = attributes_of(
        run_cli("inspect", "--source", HOST, *LOGIN, "--json", env=ENV)
    )
    assert all(a["readable"] for a in found.values())
    assert found["employeeType"]["users_with_value"] == USERS


def table_rows(text: str) -> dict[str, list[str]]:
    """The first table's rows by attribute, each cell's wrapped lines joined."""
    rows: dict[str, list[str]] = {}
    last: list[str] = []
    for line in text.splitlines():
        if not line.startswith("│"):  # a body row of the table
            if rows and line.startswith("└"):
                break  # the end of the first table
            continue
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells[0]:
            last = rows.setdefault(cells[0], cells)
        else:
            last[:] = [f"{a} {b}".strip() for a, b in zip(last, cells, strict=True)]
    return rows


@pytest.mark.usefixtures("windows_gc")
def test_table_says_not_readable_through_the_gc() -> None:
    run = run_cli("inspect", "--source", HOST, *LOGIN, "--gc", env=ENV)
    assert run.code == 0, run.stderr
    rows = table_rows(run.stdout)
    _name, _schema, gc, users, distinct, *_rest = rows["employeeType"]
    assert (gc, users, distinct) == ("no", "not readable through the GC", "")
    assert rows["extensionAttribute5"][3] == f"{USERS // 10:,}"


@pytest.mark.usefixtures("windows_gc")
def test_snapshot_through_the_gc_keeps_what_it_could_not_read(tmp_path: Path) -> None:
    out = tmp_path / "gc.json"
    taken = run_cli(
        "snapshot", "--source", HOST, *LOGIN, "--gc", "--out", str(out), env=ENV
    )
    assert taken.code == 0, taken.stderr
    header = json.loads(out.read_text(encoding="utf-8"))
    assert "employeeType" in header["unreadable_attributes"]
    assert "extensionAttribute5" not in header["unreadable_attributes"]
    snapshot = SnapshotSource(SourceSpec(str(out)))
    assert "employeeType" in snapshot.unreadable_attributes
    live = run_cli("inspect", "--source", HOST, *LOGIN, "--gc", "--json", env=ENV)
    offline = run_cli("inspect", "--source", str(out), "--json")
    from_live, from_file = attributes_of(live), attributes_of(offline)
    assert from_file["employeeType"]["users_with_value"] is None
    assert from_file == from_live


@pytest.mark.usefixtures("windows_gc")
def test_snapshot_without_gc_lists_nothing_unreadable(tmp_path: Path) -> None:
    out = tmp_path / "dc.json"
    taken = run_cli("snapshot", "--source", HOST, *LOGIN, "--out", str(out), env=ENV)
    assert taken.code == 0, taken.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["unreadable_attributes"] == []
    assert SnapshotSource(SourceSpec(str(out))).unreadable_attributes == frozenset()


def test_snapshot_unreadable_attributes_must_be_names(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '{"format": "entra-rulegen-snapshot", "schema_version": 1,\n'
        '"unreadable_attributes": "employeeType",\n'
        '"users": []}\n',
        encoding="utf-8",
    )
    run = run_cli("inspect", "--source", str(path))
    assert run.code == 1
    assert f'{path}:2: "unreadable_attributes" must be an array' in run.stderr


@pytest.mark.usefixtures("windows_gc")
def test_snapshot_of_no_users_writes_nothing(tmp_path: Path) -> None:
    # Every reader refuses a snapshot without users, so none is written.
    out = tmp_path / "empty.json"
    base = "CN=Schema,CN=Configuration,DC=contoso,DC=test"  # holds no users
    taken = run_cli(
        "snapshot", "--source", HOST, *LOGIN, "--base-dn", base, "--out", str(out),
        env=ENV,
    )  # fmt: skip
    assert taken.code == 1
    (line,) = taken.stderr.strip().splitlines()
    assert "dc1.contoso.test:636: no user objects under 'CN=Schema," in line
    assert list(tmp_path.iterdir()) == []
