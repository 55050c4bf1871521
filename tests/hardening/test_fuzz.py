"""Fuzzing the readers and the expression engine (issue #9, part 3).

Hypothesis mutates well-formed seeds (inserting structural tokens, deleting,
truncating, duplicating, flipping bytes) and also draws raw bytes. Whatever
comes in, a reader either reads it or raises one of our own errors
(:class:`RulegenError`); the expression parser raises only
:class:`ExpressionError`, and evaluation never raises. Each target is bounded
by a number of examples so that the whole file stays within about a minute;
the executions and time are reported in the hardening figures.
"""

from __future__ import annotations

import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli
from hostile import hostile_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from make_malformed import MV, RULE, SCHEMA_ATTR, valid_files

from generator.connect.xmlio import read_configuration
from generator.errors import RulegenError
from generator.escaping import expression_literal
from generator.expressions import ExpressionError, compile_expression, parse
from generator.model import SourceSpec
from generator.partners import PartnerList
from generator.readers import open_source
from generator.readers.schema_file import read_schema

FUZZ_EXAMPLES = 1_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

SCHEMA_SEED = SCHEMA_ATTR.encode() + (
    b"\ndn: CN=User,CN=Schema,CN=Configuration,DC=corp,DC=example\n"
    b"objectClass: classSchema\nlDAPDisplayName: user\n"
    b"subClassOf: organizationalPerson\nauxiliaryClass: msDS-CloudExtensions\n"
    b"mayContain: employeeType\n"
)
TOKENS = [
    b"\n",
    b"\r\n",
    b"\n\n",
    b" ",
    b":",
    b"::",
    b":<",
    b"dn: ",
    b"-\n",
    b"changetype: modify\n",
    b"#",
    b",",
    b'"',
    b'""',
    b";",
    b"X'",
    b"{",
    b"}",
    b"[",
    b"]",
    b'{"base64": "',
    b"null",
    b"true",
    b"1e999",
    b"\\u0000",
    b"\\ud800",
    b"<",
    b">",
    b"</",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"&e;",
    b"]]>",
    b"<![CDATA[",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xe9",
    b"\xc3",
    "\u2028".encode(),
    b"=",
    b"@",
    b"\\",
    b"%",
    b"(",
    b")",
    b"IIF(",
    b"x" * 300,
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` after a few random edits."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        op = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "copy"]))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        if op == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(max_size=6))
        elif op == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=24))]
        elif op == "flip" and at < len(data):
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif op == "truncate":
            del data[at:]
        elif op == "copy":
            start = draw(st.integers(min_value=0, max_value=len(data)))
            data[at:at] = data[start : start + draw(st.integers(1, 80))]
    return bytes(data)


def inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(mutated(seed), mutated(seed), st.binary(max_size=300))


def read_users(path: Path) -> None:
    source = open_source(SourceSpec(str(path)))
    for user in source.users():
        user.text("userPrincipalName")
        user.object_classes  # noqa: B018 - reading it is the point
    source.forest  # noqa: B018


def read_config(path: Path) -> None:
    read_configuration(path.parent.parent)


TARGETS: dict[str, tuple[str, bytes, Callable[[Path], object]]] = {
    "ldif": ("users.ldf", valid_files()["valid.ldf"], read_users),
    "csv": ("users.csv", valid_files()["valid.csv"], read_users),
    "json snapshot": ("users.json", valid_files()["valid.json"], read_users),
    "schema export": ("schema.ldf", SCHEMA_SEED, read_schema),
    "partner list": (
        "partners.txt",
        b"pner\nCN=Pat Ner,DC=corp\np@x.example\n",
        PartnerList.read,
    ),
    "configuration XML": (
        "cfg/SynchronizationRules/SynchronizationRule_{x}.xml",
        RULE.encode(),
        read_config,
    ),
}


@pytest.mark.parametrize("target", list(TARGETS))
def test_reader_raises_only_our_errors(
    target: str, tmp_path: Path, figures: Counter[str]
) -> None:
    name, seed, read = TARGETS[target]
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if target == "configuration XML":
        (tmp_path / "cfg" / "GlobalSettings").mkdir()
        (tmp_path / "cfg" / "GlobalSettings" / "MV.xml").write_bytes(MV)
    started = time.monotonic()

    @FUZZ
    @given(inputs(seed))
    def each(data: bytes) -> None:
        figures[f"fuzz {target}: executions"] += 1
        path.write_bytes(data)
        try:
            read(path)
        except RulegenError as error:
            figures[f"fuzz {target}: refused"] += 1
            assert "\n" not in str(error)

    each()
    figures[f"fuzz {target}: seconds"] += round(time.monotonic() - started)


EXPRESSION_SEEDS = [
    'IIF(Right(LCase([userPrincipalName]),Len("@partners.corp.example"))'
    '="@partners.corp.example","Guest","Member")',
    'IIF(IsPresent([employeeType]),IIF(LCase(Trim([employeeType]))="partner",'
    '"Guest","Member"),"Member")',
    'Switch(True,InStr([dn],"OU=Partners")>0,"Guest",True,"Member")',
    "Left(Item([proxyAddresses],1),5) & CStr(BitAnd([userAccountControl],&H2))",
    'IIF(DNComponentRev(CRef([dn]),1,"DC")="x",Error("no"),NULL)',
    'Select($a,[proxyAddresses],Replace($a,"smtp:",""))',
    '%Domain.FQDN% & "\\\\" & [sAMAccountName]',
]


_LEAVES = st.one_of(
    st.sampled_from(["[userPrincipalName]", "[employeeType]", "[dn]", "[x-y]"]),
    st.sampled_from(["NULL", "True", "False", "&HFF", "-1", "0", "99999999999"]),
    hostile_text(4).filter(lambda v: not _CONTROL.search(v)).map(expression_literal),
)
_CALLS = [
    "IIF({0},{1},{2})",
    "LCase({0})",
    "Trim({0})",
    "Left({0},{1})",
    "Right({0},Len({1}))",
    "InStr({0},{1})",
    "Replace({0},{1},{2})",
    "IsPresent({0})",
    "CStr({0})",
    "CNum({0})",
    "Item({0},{1})",
    "Split({0},{1})",
    "Join({0},{1})",
    "Switch({0},{1},{2},{0})",
    "({0}) & ({1})",
    "{0} = {1}",
    "{0} <> {1}",
    "{0} && {1}",
    "{0} || {1}",
    "Coalesce({0},{1})",
    "DNComponent(CRef({0}),{1})",
]
GRAMMAR = st.recursive(
    _LEAVES,
    lambda inner: st.tuples(st.sampled_from(_CALLS), inner, inner, inner).map(
        lambda t: t[0].format(*t[1:])
    ),
    max_leaves=12,
)
EXPRESSIONS = st.one_of(
    GRAMMAR,
    GRAMMAR,
    st.one_of(*[mutated(s.encode()) for s in EXPRESSION_SEEDS]).map(
        lambda raw: raw.decode("utf-8", "replace")
    ),
    st.binary(max_size=120).map(lambda raw: raw.decode("utf-8", "replace")),
)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["userprincipalname", "employeetype", "dn", "proxyaddresses"]),
    st.lists(st.text(max_size=12) | st.binary(max_size=8), max_size=3).map(tuple),
    max_size=4,
)


def test_expression_engine_raises_only_expression_errors(
    figures: Counter[str],
) -> None:
    started = time.monotonic()

    @FUZZ
    @given(EXPRESSIONS, ATTRIBUTES)
    def each(text: str, attributes: dict[str, tuple[str | bytes, ...]]) -> None:
        figures["fuzz expressions: executions"] += 1
        try:
            compiled = compile_expression(parse(text))
        except ExpressionError as error:
            figures["fuzz expressions: refused"] += 1
            assert "\n" not in str(error)
            return
        assert compiled.evaluate(attributes) is not None

    each()
    figures["fuzz expressions: seconds"] += round(time.monotonic() - started)


SPEC_PIECES = st.sampled_from(
    [
        "upn-suffix:", "ou:", "attribute:", "designate:", "expression:@", "expression:",
        "OU=", "DC=", ",", "=", "\\", "\\,", "+", "@", ".", ";", ":", "'", '"', "%",
        "]", "[", "$(x)", "`", " ", "\n", "\x00", "employeeType", "Partner",
        "partners.corp.example", "extensionAttribute7", "userPrincipalName",
        "\u2019", "\U0001f600", "é", "*", "(", ")", "#",
    ]
)  # fmt: skip
SPECS = st.lists(SPEC_PIECES, max_size=8).map("".join)


def test_admin_options_fail_cleanly(tmp_path: Path, figures: Counter[str]) -> None:
    """Hostile --marker and PARTNERS values: a bundle, a finding or one line."""
    source = tmp_path / "users.ldf"
    source.write_bytes(valid_files()["valid.ldf"])
    started = time.monotonic()

    @settings(max_examples=300, deadline=None, database=None)
    @given(marker=SPECS, suffix=SPECS, ou=SPECS, where=SPECS)
    def each(marker: str, suffix: str, ou: str, where: str) -> None:
        figures["fuzz admin options: executions"] += 1
        out = tmp_path / "bundle"
        shutil.rmtree(out, ignore_errors=True)
        result = run_cli(
            "generate", "--source", str(source), "--marker", marker,
            "--partner-suffix", suffix, "--partner-ou", ou, "--partner-where", where,
            "--out", str(out),
        )  # fmt: skip
        assert "Traceback" not in result.stderr
        assert "internal error" not in result.stderr, result.stderr
        assert result.code in (0, 1, 2, 3), result.stderr
        if result.code in (1, 2):
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert out.is_dir() == (result.code == 0)

    each()
    figures["fuzz admin options: seconds"] += round(time.monotonic() - started)
