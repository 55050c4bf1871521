"""Each emitted expression parses with the engine and gives the right answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import InputError, UsageError
from generator.expressions import compile_expression, lint, parse
from generator.preview import judge
from generator.strategies import parse_marker

SUFFIXES = "upn-suffix:partners.contoso.com,contoso.com.au"


def result(spec: str, **attributes: str) -> str | None:
    marker = parse_marker(spec)
    values = {k: (v,) for k, v in attributes.items()}
    return judge(compile_expression(marker.expression).evaluate(values)).result


@pytest.mark.parametrize(
    ("upn", "expected"),
    [
        ("jane@partners.contoso.com", "Guest"),
        ("Jane@Partners.Contoso.COM", "Guest"),
        ("JOE@PARTNERS.CONTOSO.COM", "Guest"),
        ("kim@contoso.com.au", "Guest"),
        ("bob@partners.contoso.com.evil.example", "Member"),
        ("x@partners.contoso.community", "Member"),
        ("amy@contoso.com", "Member"),
        ("eve@sub.partners.contoso.com", "Member"),
        ("partners.contoso.com", "Member"),
        ("", "Member"),
    ],
)
def test_upn_suffix_is_anchored_and_case_insensitive(upn: str, expected: str) -> None:
    assert result(SUFFIXES, userPrincipalName=upn) == expected


def test_user_without_upn_gets_member_never_an_error() -> None:
    marker = parse_marker(SUFFIXES)
    outcome = compile_expression(marker.expression).evaluate({})
    assert judge(outcome).result == "Member"
    assert "Error(" not in marker.expression
    assert "NULL" not in marker.expression.upper().replace("ISNULL", "")


def test_a_suffix_that_ends_another_suffix_does_not_catch_it() -> None:
    spec = "upn-suffix:contoso.com"
    assert result(spec, userPrincipalName="a@partners.contoso.com") == "Member"
    assert result(spec, userPrincipalName="a@contoso.com") == "Guest"
    assert result(spec, userPrincipalName="a@notcontoso.com") == "Member"


def test_several_suffixes_make_one_expression() -> None:
    marker = parse_marker(SUFFIXES)
    assert marker.suffixes == ("partners.contoso.com", "contoso.com.au")
    assert marker.expression.count("IIF(") == 3
    assert "LCase(" in marker.expression
    parse(marker.expression)


def test_many_suffixes_make_a_shallow_expression() -> None:
    # a chain of one IIF per suffix nested past the engine's bound at ~150
    suffixes = [f"p{i}.example.com" for i in range(161)]
    marker = parse_marker("upn-suffix:" + ",".join(suffixes))
    assert marker.expression.count("IIF(") == 2
    assert lint(marker.expression, target="userType") == []
    for upn, expected in [
        ("a@p0.example.com", "Guest"),
        ("a@P160.EXAMPLE.COM", "Guest"),
        ("a@p77.example.com", "Guest"),
        ("a@p161.example.com", "Member"),
        ("a@x.p7.example.com", "Member"),
        ("a@p7.example.com.evil", "Member"),
    ]:
        assert result(marker.spec, userPrincipalName=upn) == expected, upn


@pytest.mark.parametrize(
    ("dn", "expected"),
    [
        ("CN=a,OU=Partners,DC=contoso,DC=com", "Guest"),
        ("cn=a,ou=PARTNERS,dc=Contoso,dc=COM", "Guest"),
        ("CN=a,OU=Sub,OU=Partners,DC=contoso,DC=com", "Guest"),
        ("CN=a,OU=Partners-Old,DC=contoso,DC=com", "Member"),
        ("CN=a,OU=OldPartners,DC=contoso,DC=com", "Member"),
        ("CN=a,OU=Partners,DC=contoso,DC=com,DC=evil", "Member"),
        ("CN=OU=Partners\\,DC=contoso\\,DC=com,OU=Staff,DC=x", "Member"),
    ],
)
def test_ou_is_anchored_at_the_end_of_the_dn(dn: str, expected: str) -> None:
    assert result("ou:OU=Partners, DC=contoso,DC=com", dn=dn) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Guest", "Guest"),
        (" guest ", "Guest"),
        ("GUEST", "Guest"),
        ("Member", "Member"),
        ("Partner", "Member"),
        ("", "Member"),
    ],
)
def test_designated_value_is_trimmed_and_case_folded(value: str, expected: str) -> None:
    marker = parse_marker("designate:extensionAttribute7")
    assert "Trim(" in marker.expression and "LCase(" in marker.expression
    assert (
        result("designate:extensionAttribute7", extensionAttribute7=value) == expected
    )


def test_designated_attribute_missing_gives_member() -> None:
    assert result("designate:extensionAttribute7") == "Member"


def test_attribute_value_strategy_compares_normalised() -> None:
    spec = "attribute:employeeType=Partner"
    assert result(spec, employeeType=" PARTNER") == "Guest"
    assert result(spec, employeeType="Employee") == "Member"
    assert result(spec) == "Member"


def test_strings_are_escaped_into_the_expression() -> None:
    marker = parse_marker('attribute:company=Acme "Partner" \\ Co')
    assert '\\"partner\\" \\\\ co' in marker.expression
    assert (
        result('attribute:company=Acme "Partner" \\ Co', company='acme "partner" \\ co')
        == "Guest"
    )


def test_attribute_names_take_the_schema_spelling() -> None:
    marker = parse_marker(
        "designate:EXTENSIONATTRIBUTE7", resolve=lambda n: "extensionAttribute7"
    )
    assert "[extensionAttribute7]" in marker.expression


@pytest.mark.parametrize(
    "spec",
    [
        "upn-suffix:",
        "upn-suffix:not a domain",
        "upn-suffix:-bad.com",
        "ou:Partners",
        "attribute:employeeType",
        "attribute:bad name=x",
        "designate:ext[1]",
        "weird:thing",
        "expression:no-at-sign",
    ],
)
def test_bad_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_marker(spec)


def test_expression_marker_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_text('IIF([department]="Vendors","Guest","Member")\n', encoding="utf-8")
    marker = parse_marker(f"expression:@{path}")
    assert marker.strategy == "expression"
    assert marker.source_attributes == ("department",)


def test_expression_marker_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        parse_marker(f"expression:@{tmp_path / 'absent.txt'}")
    assert "absent.txt" in str(error.value)


def test_expression_file_with_a_mistake_names_file_line_and_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rule.txt"
    path.write_text('IIF(IsPresent([upn]),\n  "Guest" "Member")\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        parse_marker(f"expression:@{path}")
    assert f"{path}:2:" in str(error.value)


def test_multi_line_expression_is_emitted_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_text(
        'IIF(IsPresent([upn]),\r\n  "Guest",\n  "Member")\n', encoding="utf-8"
    )
    marker = parse_marker(f"expression:@{path}")
    assert marker.expression == 'IIF(IsPresent([upn]), "Guest", "Member")'


def test_a_line_break_inside_a_string_is_refused_at_its_place(
    tmp_path: Path,
) -> None:
    # joining the lines would turn "kestrel<LF>consulting" into one space
    path = tmp_path / "rule.txt"
    path.write_text('IIF([company]="kestrel\nconsulting","Guest","Member")\n')
    with pytest.raises(InputError) as error:
        parse_marker(f"expression:@{path}")
    assert f"{path}:1:23: a line break inside a string" in str(error.value)
    assert "\\n" in str(error.value)


def test_string_text_is_kept_when_the_lines_are_joined(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    text = 'IIF([company]="a  \u2028b\\n\tc ",\n  "Guest",\r\n  "Member")'
    path.write_text(text, encoding="utf-8")
    marker = parse_marker(f"expression:@{path}")
    assert marker.expression == (
        'IIF([company]="a  \u2028b\\n\tc ", "Guest", "Member")'
    )


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"")],
)
def test_expression_files_in_utf16_and_with_a_bom_are_read(
    tmp_path: Path, encoding: str, bom: bytes
) -> None:
    # Windows PowerShell 5.1's ">" writes UTF-16 LE with a BOM
    path = tmp_path / "rule.txt"
    text = 'IIF([company]="Müller","Guest","Member")\r\n'
    path.write_bytes(bom + text.encode(encoding))
    marker = parse_marker(f"expression:@{path}")
    assert marker.expression == text.strip()


@pytest.mark.parametrize(
    "spec",
    [
        SUFFIXES,
        "ou:OU=Partners,DC=contoso,DC=com",
        "attribute:employeeType=Partner",
        "designate:extensionAttribute7",
    ],
)
def test_emitted_expressions_pass_the_engine_lint(spec: str) -> None:
    assert lint(parse_marker(spec).expression, target="userType") == []


_LABEL = st.text(alphabet="abcxyz-9", min_size=1, max_size=6).filter(
    lambda s: not s.startswith("-") and not s.endswith("-")
)
_DOMAIN = st.lists(_LABEL, min_size=1, max_size=3).map(".".join)


@settings(max_examples=80, deadline=None)
@given(
    suffixes=st.lists(_DOMAIN, min_size=1, max_size=12),  # both forms
    local=st.text(alphabet="aB@.x ", max_size=6),
    domain=_DOMAIN,
    upper=st.booleans(),
)
def test_upn_suffix_agrees_with_an_exact_domain_match(
    suffixes: list[str], local: str, domain: str, upper: bool
) -> None:
    upn = f"{local}@{domain}"
    upn = upn.upper() if upper else upn
    marker = parse_marker("upn-suffix:" + ",".join(suffixes))
    expected = any(upn.lower().endswith("@" + s) for s in suffixes)
    assert result(marker.spec, userPrincipalName=upn) == (
        "Guest" if expected else "Member"
    )


@settings(max_examples=80, deadline=None)
@given(
    ou=st.lists(_LABEL, min_size=1, max_size=3),
    path=st.lists(_LABEL, min_size=0, max_size=4),
    swap=st.booleans(),
)
def test_ou_agrees_with_a_subtree_match(
    ou: list[str], path: list[str], swap: bool
) -> None:
    container = ",".join(f"OU={o}" for o in ou) + ",DC=contoso,DC=com"
    user_ous = path if swap else [*path, *ou]
    dn = ",".join(["CN=u", *(f"OU={o}" for o in user_ous), "DC=contoso", "DC=com"])
    expected = dn.lower().endswith("," + container.lower())
    assert result(f"ou:{container}", dn=dn.upper()) == (
        "Guest" if expected else "Member"
    )
