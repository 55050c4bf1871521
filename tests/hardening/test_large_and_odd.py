"""Large and odd directory data (issue #9, part 7): read and rendered correctly.

One LDIF file holds a 1 MB attribute value, a 10,000-value multi-valued
attribute, an OU path 40 levels deep, DNs with escaped commas and a
multi-valued RDN (``+``), and non-ASCII names. ``generate`` must read them,
sort the users as intended, and render each value unchanged in preview.csv,
the scripts and the report.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psquote
import pytest
from conftest import SAMPLES, run_cli
from pssyntax import syntax_errors

from generator.escaping import ldif_line
from generator.expressions import compile_expression
from generator.model import User

BASE = "DC=corp,DC=example"
BIG = ("Zoë-" + "\u4e2d\U0001f600ab" * 6) * (1024 * 1024 // 40)  # about 1 MB
MANY = [f"smtp:alias{n:05d}@corp.example" for n in range(10_000)]
DEEP = ",".join(f"OU=Level {n}" for n in range(40, 0, -1)) + f",{BASE}"
ESCAPED_OU = f"OU=Partners\\, External + Ünits,{BASE}"
USERS = {
    # dn: (upn, employeeType, extra attributes)
    f"CN=Doe\\, John+employeeNumber=7,{ESCAPED_OU}": (
        "jdoe@partners.corp.example",
        "Partner",
        {},
    ),
    f"CN=Zoë Ångström,{DEEP}": ("zoe.angstrom@corp.example", "Employee", {}),
    f"CN=Ünal Çelik,{ESCAPED_OU}": ("unal@partners.corp.example", "Partner", {}),
    f"CN=Big Value,OU=Staff,{BASE}": (
        "big@corp.example",
        "Employee",
        {"description": BIG},
    ),
    f"CN=Many Values,OU=Staff,{BASE}": (
        "many@corp.example",
        "Employee",
        {"proxyAddresses": MANY},
    ),
    f"CN=Deep Partner,{DEEP}": ("deep@partners.corp.example", "Partner", {}),
}


def ldif() -> str:
    records = []
    for dn, (upn, kind, extra) in USERS.items():
        lines = [ldif_line("dn", dn)]
        lines += [f"objectClass: {c}" for c in ("top", "person", "user")]
        lines.insert(3, "objectClass: organizationalPerson")
        lines += [
            ldif_line("sAMAccountName", upn.split("@")[0][:20]),
            ldif_line("userPrincipalName", upn),
            ldif_line("employeeType", kind),
        ]
        for name, value in extra.items():
            values = value if isinstance(value, list) else [value]
            lines += [ldif_line(name, v) for v in values]
        records.append("\n".join(lines) + "\n")
    return "\n".join(records)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("odd") / "odd.ldf"
    path.write_text(ldif(), encoding="utf-8")
    return path


def generate(source: Path, out: Path, *options: str) -> dict[str, object]:
    result = run_cli(
        "generate", "--source", str(source),
        "--schema", str(SAMPLES / "alderbrook-schema.ldf"),
        *options, "--out", str(out),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    for script in out.glob("*.ps1"):
        assert syntax_errors(script.read_bytes().decode("utf-8-sig")) == []
    report: dict[str, object] = json.loads((out / "report.json").read_text("utf-8"))
    return report


def preview_rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "preview.csv").open(encoding="utf-8-sig", newline="") as stream:
        return {row["distinguishedName"]: row for row in csv.DictReader(stream)}


def test_escaped_and_non_ascii_ou_as_the_marker(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    report = generate(
        source, out, "--partner-ou", ESCAPED_OU, "--marker", f"ou:{ESCAPED_OU}"
    )
    rows = preview_rows(out)
    assert set(rows) == set(USERS), "a DN did not come back as written"
    wanted = {dn: "Guest" if ESCAPED_OU in dn else "Member" for dn in USERS}
    assert {dn: row["userType"] for dn, row in rows.items()} == wanted
    expression = report["marker"]["expression"]  # type: ignore[index]
    compiled = compile_expression(expression)
    for dn, (upn, _, _) in USERS.items():
        user = User(dn, {"userprincipalname": (upn,)})
        assert compiled.evaluate_user(user).values == (wanted[dn],)  # type: ignore[attr-defined]
    script = (out / "Enable-UserTypeSync.ps1").read_bytes().decode("utf-8-sig")
    assert expression in psquote.single_quoted(script)


def test_deep_ou_as_the_marker(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate(source, out, "--partner-ou", DEEP, "--marker", f"ou:{DEEP}")
    rows = preview_rows(out)
    assert {dn for dn, row in rows.items() if row["userType"] == "Guest"} == {
        dn for dn in USERS if dn.endswith(DEEP)
    }


def test_big_and_many_values_come_through(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate(
        source,
        out,
        "--partner-where",
        "employeeType=Partner",
        "--marker",
        "attribute:employeeType=Partner",
    )
    rows = preview_rows(out)
    assert rows[f"CN=Big Value,OU=Staff,{BASE}"]["userType"] == "Member"
    assert rows[f"CN=Many Values,OU=Staff,{BASE}"]["userType"] == "Member"
    guests = {dn for dn, row in rows.items() if row["userType"] == "Guest"}
    assert guests == {dn for dn, (_, kind, _) in USERS.items() if kind == "Partner"}


def test_inspect_shows_big_and_many_values(source: Path) -> None:
    args = [
        "inspect", "--source", str(source),
        "--schema", str(SAMPLES / "alderbrook-schema.ldf"),
        "--attribute", "proxyAddresses", "--attribute", "description",
    ]  # fmt: skip
    table = run_cli(*args)
    assert table.code == 0, table.stderr
    result = run_cli(*args, "--json")
    assert result.code == 0, result.stderr
    found = {a["name"]: a for a in attributes(json.loads(result.stdout))}
    description = found["description"]
    assert [v["value"] for v in description["values"]["top"]] == [BIG]
    proxies = found["proxyAddresses"]
    assert (proxies["users_with_value"], proxies["users_with_several_values"]) == (1, 1)
    distinct = proxies["values"]
    assert distinct["distinct"] == len(MANY) or not distinct["distinct_exact"]
    assert {v["value"] for v in distinct["top"]} <= set(MANY)


def attributes(document: object) -> list[dict[str, object]]:
    """Every inventory entry (a dict with a name and values) in the document."""
    if isinstance(document, dict):
        if "name" in document and "values" in document:
            return [document]
        return [a for v in document.values() for a in attributes(v)]
    if isinstance(document, list):
        return [a for v in document for a in attributes(v)]
    return []
