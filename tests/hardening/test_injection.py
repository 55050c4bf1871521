"""Hostile values through the whole bundle (issue #9, part 1, end to end).

Hypothesis puts hostile text into what a directory and an admin feed the tool:
the partner UPN suffix, the partner OU, the marker attribute value, the
user's name and the previous values a designated attribute holds. The real
CLI reads an LDIF file holding them and writes the bundle. Then every script
parses with tree-sitter, every literal reads back with PowerShell's quoting,
the expression the bundle carries parses with our engine and sorts the two
users as intended, and every LDIF line is valid RFC 2849. A value the tool
cannot carry must be refused with one line on stderr and no bundle.

Whole-bundle examples are kept few (each runs the CLI); the per-context
escaping tests in test_escaping.py draw 10,000 each.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import psquote
import pytest
from conftest import SAMPLES, run_cli
from hostile import hostile_text
from hypothesis import HealthCheck, given, settings
from lxml import html
from markdown_it import MarkdownIt
from pssyntax import syntax_errors
from readback import read_ldif_line

from generator.escaping import ldif_line
from generator.expressions import OutcomeKind, compile_expression
from generator.model import User

BUNDLE_EXAMPLES = 15
WHOLE_BUNDLE = settings(
    max_examples=BUNDLE_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SCHEMA = SAMPLES / "alderbrook-schema.ldf"
BASE = "DC=corp,DC=example"
_DN_SPECIAL = re.compile(r'([,+"\\<>;=])')


def escape_rdn(value: str) -> str:
    """An RDN value escaped as RFC 4514 says."""
    escaped = _DN_SPECIAL.sub(r"\\\1", value).replace("\x00", "\\00")
    if escaped.startswith(("#", " ")):
        escaped = "\\" + escaped
    if escaped.endswith(" ") and not escaped.endswith("\\ "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def user_entry(dn: str, attributes: dict[str, str]) -> str:
    lines = [ldif_line("dn", dn), "objectClass: top", "objectClass: person"]
    lines += ["objectClass: organizationalPerson", "objectClass: user"]
    lines += [ldif_line(name, value) for name, value in attributes.items()]
    return "\n".join(lines) + "\n"


class Case:
    """Two users (an employee and a partner) and the options that pick the partner."""

    def __init__(self, strategy: str, hostile: str, name: str, old: str) -> None:
        self.strategy = strategy
        self.hostile = hostile
        suffix = (
            f"p{hostile}.example"
            if strategy == "upn-suffix"
            else "partners.corp.example"
        )
        ou = f"OU={escape_rdn(hostile or 'x')},{BASE}"
        value = hostile if strategy == "attribute" else "Partner"
        container = ou if strategy == "ou" else f"OU=P,{BASE}"
        self.partner = User(
            dn=f"CN={escape_rdn(name or 'n')},{container}",
            attributes={
                "userprincipalname": (f"pat@{suffix}",),
                "samaccountname": ("pat",),
                "employeetype": (value,),
                "extensionattribute7": (old,),
            },
        )
        self.employee = User(
            dn=f"CN=Emp,OU=Staff,{BASE}",
            attributes={
                "userprincipalname": ("emp@corp.example",),
                "samaccountname": ("emp",),
                "employeetype": ("Employee",),
                "extensionattribute7": (old[::-1],),
            },
        )
        self.options = {
            "upn-suffix": [
                "--partner-suffix",
                suffix,
                "--marker",
                f"upn-suffix:{suffix}",
            ],
            "ou": ["--partner-ou", ou, "--marker", f"ou:{ou}"],
            "attribute": [
                "--partner-where",
                f"employeeType={value}",
                "--marker",
                f"attribute:employeeType={value}",
            ],
            "designate": [
                "--partner-suffix",
                suffix,
                "--marker",
                "designate:extensionAttribute7",
            ],
        }[strategy]

    def ldif(self) -> str:
        return "\n".join(
            user_entry(u.dn, {k: str(v[0]) for k, v in u.attributes.items()})
            for u in (self.employee, self.partner)
        )


STRATEGIES = ["upn-suffix", "ou", "attribute", "designate"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@WHOLE_BUNDLE
@given(hostile=hostile_text(6), name=hostile_text(4), old=hostile_text(4))
def test_hostile_values_through_the_bundle(
    strategy: str, hostile: str, name: str, old: str
) -> None:
    _check_case(Case(strategy, hostile, name, old))


def _check_case(case: Case) -> None:
    import tempfile  # noqa: PLC0415 - one folder per example

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "users.ldf"
        try:
            source.write_text(case.ldif(), encoding="utf-8")
        except Exception:
            return
        out = work / "bundle"
        result = run_cli(
            "generate",
            "--source",
            str(source),
            "--schema",
            str(SCHEMA),
            *case.options,
            "--out",
            str(out),
        )
        OUTCOMES[f"{case.strategy}: exit {result.code}"] += 1
        assert "Traceback" not in result.stderr
        assert "internal error" not in result.stderr, result.stderr
        if result.code != 0:
            assert result.code in (1, 2, 3), result.stderr
            assert not out.exists()
            if result.code in (1, 2):
                assert len(result.stderr.splitlines()) == 1, result.stderr
            return
        check_bundle(case, out)


OUTCOMES: Counter[str] = Counter()


def check_bundle(case: Case, out: Path) -> None:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    expression = report["marker"]["expression"]
    check_scripts(out, expression)
    check_expression(case, expression)
    for ldif in out.glob("*.ldif"):
        check_ldif(ldif, case)
    check_markdown(out / "CHANGE.md")
    check_preview(out / "preview.csv", case)


def check_preview(path: Path, case: Case) -> None:
    """Two users, every row as wide as the header, and no cell Excel would run."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert len(rows) == 3, rows[:1]
    assert {len(row) for row in rows} == {len(rows[0])}
    for cell in (c for row in rows for c in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    by_dn = {row[rows[0].index("distinguishedName")]: row for row in rows[1:]}
    assert case.partner.dn in by_dn or ("'" + case.partner.dn) in by_dn


def check_scripts(out: Path, expression: str) -> None:
    scripts = sorted(out.glob("*.ps1"))
    assert scripts
    carried = []
    for script in scripts:
        raw = script.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), script.name
        text = raw.decode("utf-8-sig")
        assert syntax_errors(text) == [], script.name
        carried += psquote.single_quoted(text)
    assert expression in carried, "the expression is not one literal of a script"


def check_expression(case: Case, expression: str) -> None:
    compiled = compile_expression(expression)
    partner, employee = case.partner, case.employee
    if case.strategy == "designate":  # evaluated after the stamping scripts ran
        partner, employee = _stamped(partner, "Guest"), _stamped(employee, "Member")
    for user, wanted in ((partner, "Guest"), (employee, "Member")):
        outcome = compiled.evaluate_user(user)
        assert outcome.kind == OutcomeKind.VALUE, (user.dn, outcome)
        assert list(outcome.values) == [wanted], (user.dn, outcome)  # type: ignore[attr-defined]


def _stamped(user: User, value: str) -> User:
    return User(user.dn, {**user.attributes, "extensionattribute7": (value,)})


def check_ldif(path: Path, case: Case) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text
    unfolded = re.sub(r"\n ", "", text)
    values = []
    for line in unfolded.split("\n"):
        if not line or line.startswith("#") or line == "-":
            continue
        name, raw = read_ldif_line(line)
        if name.lower() == "extensionattribute7":
            values.append(raw.decode("utf-8"))
    old = {
        str(u.attributes["extensionattribute7"][0])
        for u in (case.partner, case.employee)
    }
    if path.name.startswith("restore"):
        assert set(values) <= old | set(), (values, old)
    else:
        assert set(values) <= {"Guest", "Member"}, values


def check_markdown(path: Path) -> None:
    """CHANGE.md holds no raw HTML; CHANGE.html no script, handler or odd link."""
    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text("utf-8"))
    kinds = {t.type for t in tokens} | {
        c.type for t in tokens for c in t.children or []
    }
    assert not kinds & {"html_block", "html_inline"}, kinds
    page = html.fromstring((path.parent / "CHANGE.html").read_bytes())
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in {"script", "iframe", "object", "embed"}
        assert not [a for a in element.attrib if a.lower().startswith("on")]
        href = element.get("href", "#")
        assert href.startswith(("#", "https://", "http://")), href


def test_whole_bundle_figures(figures: Counter[str]) -> None:
    """Reports what the property test above saw (it runs first in this file)."""
    for key, count in OUTCOMES.items():
        figures[f"whole bundle {key}"] += count
    assert sum(OUTCOMES.values()) >= BUNDLE_EXAMPLES * len(STRATEGIES) // 2


def test_ou_name_with_outer_space() -> None:
    """An escaped trailing space in the OU name survives DN tidying."""
    _check_case(Case("ou", " ", "n", ""))
