"""Property tests of every escaping context, with hostile values (issue #9, part 1).

Each context draws at least 10,000 values. A value is either written so that
its consumer reads back exactly that value, or refused with
:class:`UnrepresentableValue` for a reason the value really has; never mangled.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable

import ldif
import psquote
import pytest
from hostile import any_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html
from markdown_it import MarkdownIt
from readback import (
    ReadError,
    ps_tree,
    read_expression_string,
    read_ldif_line,
    read_ps_single_quoted,
    walk,
)

from generator import escaping
from generator.escaping import UnrepresentableValue
from generator.expressions import compile_expression, parse
from generator.expressions.values import Value
from generator.render import environment

EXAMPLES = 10_000
PER_CONTEXT = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _encodable(value: str) -> bool:
    return not _SURROGATE.search(value)


def _run(figures: Counter[str], name: str, check: Callable[[str], bool]) -> None:
    """Run ``check`` on EXAMPLES values and record how many it saw and refused."""

    @PER_CONTEXT
    @given(any_text())
    def each(value: str) -> None:
        figures[f"escaping {name}: examples"] += 1
        if not check(value):
            figures[f"escaping {name}: refused"] += 1

    each()
    assert figures[f"escaping {name}: examples"] >= EXAMPLES


def _refused(call: Callable[[], str], value: str, allowed_reason: bool) -> str | None:
    """The written text, or None when refused; a refusal needs a real reason."""
    try:
        return call()
    except UnrepresentableValue as error:
        assert allowed_reason, f"{value!r} refused without reason: {error}"
        assert "\n" not in str(error)
        return None


# PowerShell -------------------------------------------------------------------


def check_ps_literal(value: str) -> bool:
    unsafe = bool(re.search(r"[\r\n]", value) or _CONTROL.search(value))
    literal = _refused(
        lambda: escaping.ps_literal(value), value, unsafe or not _encodable(value)
    )
    if literal is None:
        return False
    script = f"$value = {literal}\r\nWrite-Output $value\r\n"
    tree = ps_tree(script)
    start = len("$value = ")
    read, end = read_ps_single_quoted(script, start)
    assert read == value
    assert script[end:].startswith("\r\nWrite-Output $value")
    assert psquote.single_quoted(script) == [value]
    strings = [n for n in walk(tree.root_node) if n.type == "string_literal"]
    assert len(strings) == 1
    assert strings[0].text == literal.encode("utf-8")
    return True


def test_ps_literal(figures: Counter[str]) -> None:
    _run(figures, "ps_literal", check_ps_literal)


# Sync expressions -------------------------------------------------------------


def check_expression_literal(value: str) -> bool:
    unsafe = bool(_CONTROL.search(value)) or not _encodable(value)
    literal = _refused(lambda: escaping.expression_literal(value), value, unsafe)
    if literal is None:
        return False
    expression = f'IIF([employeeType] = {literal}, "Guest", "Member")'
    start = expression.index("= ") + 2
    read, end = read_expression_string(expression, start)
    assert read == value
    assert expression[end:] == ', "Guest", "Member")'
    assert "\n" not in literal and "\r" not in literal
    # Our engine reads the same string: the value itself picks Guest, another not.
    compiled = compile_expression(parse(expression))
    assert compiled.evaluate({"employeetype": (value,)}) == Value(("Guest",))
    assert compiled.evaluate({"employeetype": (value + "x",)}) == Value(("Member",))
    return True


def test_expression_literal(figures: Counter[str]) -> None:
    _run(figures, "expression_literal", check_expression_literal)


# LDIF -------------------------------------------------------------------------


def check_ldif_line(value: str) -> bool:
    line = _refused(
        lambda: escaping.ldif_line("extensionAttribute1", value),
        value,
        not _encodable(value),
    )
    if line is None:
        return False
    assert "\n" not in line and "\r" not in line
    name, raw = read_ldif_line(line)
    assert name == "extensionAttribute1"
    assert raw == value.encode("utf-8")
    plain = line.split(": ", 1)[1] if not line.startswith(f"{name}::") else None
    if plain:  # what other tools trim or split on must be base64
        assert plain == plain.strip(" \t\x0b\x0c\x1c\x1d\x1e\x1f\x85")
        assert len(plain.splitlines()) == 1
    document = f"dn: CN=x,DC=contoso,DC=test\n{line}\n".encode("ascii")
    records = list(ldif.LDIFParser(io.BytesIO(document)).parse())
    assert records == [("CN=x,DC=contoso,DC=test", {name: [value]})]
    return True


def test_ldif_line(figures: Counter[str]) -> None:
    _run(figures, "ldif_line", check_ldif_line)


@pytest.mark.parametrize(
    "name", ["", "1abc", "cn:x", "cn x", "cn\n", "cn;", "mail\x00", "cn;lang-\u00e9"]
)
def test_ldif_line_refuses_bad_attribute_names(name: str) -> None:
    with pytest.raises(UnrepresentableValue, match="LDIF attribute name"):
        escaping.ldif_line(name, "x")


@given(st.binary(max_size=64))
@settings(max_examples=500, database=None)
def test_ldif_line_binary_values_round_trip(raw: bytes) -> None:
    name, read = read_ldif_line(escaping.ldif_line("mS-DS-ConsistencyGuid", raw))
    assert (name, read) == ("mS-DS-ConsistencyGuid", raw)


# Markdown ---------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark").enable("table")
_INLINE_OK = {"text", "text_special", "code_inline", "softbreak"}


def _cell_text(markdown_cell: str) -> tuple[str, set[str]]:
    """The text a reader sees in a one-cell table, and the inline token types."""
    document = f"| head |\n| --- |\n| {markdown_cell} |\n"
    tokens = _MARKDOWN.parse(document)
    cells = [t for t in tokens if t.type == "inline"]
    if len(cells) != 2:
        raise ReadError(f"the value breaks the table: {len(cells)} inline blocks")
    children = cells[1].children or []
    return "".join(c.content for c in children), {c.type for c in children}


def _flat(value: str) -> str:
    return re.sub(r"[\r\n]+", " ", value)


# Where prose values land in our templates: (document around the value, the
# text a reader must see). A line start after a paragraph line could form a
# setext heading; a heading drops closing #s; a list item ends in punctuation.
_PROSE = (
    ("{}\n", "{}"),
    ("Before.\n{}\n", "Before.\n{}"),
    ("### {}\n", "{}"),
    ("- x {}.\n", "x {}."),
)


def _read_prose(document: str) -> tuple[str, set[str]]:
    """The text of every inline block of ``document``, and the token types."""
    children = [
        c
        for t in _MARKDOWN.parse(document)
        if t.type == "inline"
        for c in t.children or []
    ]
    text = "".join("\n" if c.type == "softbreak" else c.content for c in children)
    return text, {c.type for c in children}


def _md_refusal(value: str) -> bool:
    controls = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value)
    return bool(controls) or not _encodable(value)


def check_md_text(value: str) -> bool:
    markdown = _refused(lambda: escaping.md_text(value), value, _md_refusal(value))
    if markdown is None:
        return False
    if not value:
        assert markdown == ""
        return True
    for around, shown in _PROSE:
        text, kinds = _read_prose(around.format(markdown))
        assert kinds <= _INLINE_OK - {"code_inline"}, (around, kinds)
        assert text == shown.format(_flat(value)), (around, markdown)
    return True


def test_md_text(figures: Counter[str]) -> None:
    _run(figures, "md_text", check_md_text)


def check_md_cell(value: str) -> bool:
    markdown = _refused(lambda: escaping.md_cell(value), value, _md_refusal(value))
    if markdown is None:
        return False
    text, kinds = _cell_text(markdown)
    assert kinds <= _INLINE_OK - {"code_inline"}, kinds
    assert text == _flat(value)
    return True


def test_md_cell(figures: Counter[str]) -> None:
    _run(figures, "md_cell", check_md_cell)


@pytest.mark.parametrize(
    "value",
    [
        "partners.alderbrook.example",
        "--connect-version",
        "msDS-cloudExtensionAttribute1 (single-valued, unused)",
        "extension_attribute",
        "C:\\Program Files\\Microsoft Azure AD Sync",
        "1.5.30.0",
        "Get-ADUser | Export-Csv",
        "R&D #2 - see notes!",
    ],
)
def test_md_text_leaves_plain_values_as_they_are(value: str) -> None:
    assert escaping.md_text(value) == value


def check_md_code(value: str) -> bool:
    unsafe = "\x00" in value or not _encodable(value)
    markdown = _refused(lambda: escaping.md_code(value), value, unsafe)
    if markdown is None:
        return False
    text, kinds = _read_prose(f"x {markdown}.\n")
    assert kinds == {"text", "code_inline"}, kinds
    if value:
        assert text == f"x {_flat(value)}."
    else:  # an empty code span does not exist in Markdown; it shows blank
        assert not text[2:-1].strip(" ")
    return True


def test_md_code(figures: Counter[str]) -> None:
    _run(figures, "md_code", check_md_code)


def test_md_code_in_prose_shows_no_backslash() -> None:
    assert escaping.md_code('IIF(a|b, "x", "y")') == '`IIF(a|b, "x", "y")`'


def check_md_cell_code(value: str) -> bool:
    unsafe = "\x00" in value or not _encodable(value)
    markdown = _refused(lambda: escaping.md_cell_code(value), value, unsafe)
    if markdown is None:
        return False
    text, kinds = _cell_text(markdown)
    assert kinds == {"code_inline"}, kinds
    if value:
        assert text == _flat(value)
    else:
        assert not text.strip(" ")
    return True


def test_md_cell_code(figures: Counter[str]) -> None:
    _run(figures, "md_cell_code", check_md_cell_code)


# HTML -------------------------------------------------------------------------

# HTML templates escape nothing by hand: the one environment autoescapes them.
# A value lands in element text, preformatted text or a double-quoted attribute.
_HTML = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title></head>'
    '<body><p title="{{ v }}">{{ v }}</p><pre>{{ v }}</pre></body></html>'
)
_HTML_TAGS = ["html", "head", "meta", "title", "body", "p", "pre"]


def check_html(value: str) -> bool:
    unsafe = "\x00" in value or not _encodable(value)  # no form in an HTML file
    written = _refused(
        lambda: environment().from_string(_HTML).render(v=value), value, unsafe
    )
    if written is None:
        return False
    assert not unsafe, f"{value!r} written into HTML"
    page = html.fromstring(written.encode())
    assert [e.tag for e in page.iter()] == _HTML_TAGS
    shown = value.replace("\r\n", "\n").replace("\r", "\n")  # HTML's line ends
    assert page.find(".//p").get("title") == shown
    assert page.find(".//p").text_content() == shown
    assert page.find(".//pre").text_content() == shown
    return True


def test_html(figures: Counter[str]) -> None:
    assert environment().autoescape("config/CONFIG.html.j2")
    assert environment().autoescape("bundle/CHANGE.html.j2")
    _run(figures, "html (autoescape)", check_html)


# Control characters -----------------------------------------------------------

# DEL is a control character like the C0 ones (tab, line feed and carriage
# return aside): every context treats it exactly as it treats them.
_C0_AND_DEL = ["\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f"]
_REFUSING = [
    ("a PowerShell string", escaping.ps_literal),
    ("a sync expression string", escaping.expression_literal),
    ("Markdown text", escaping.md_text),
    ("Markdown text", escaping.md_cell),
]


@pytest.mark.parametrize("char", _C0_AND_DEL, ids=lambda c: f"U+{ord(c):04X}")
def test_del_is_treated_like_the_c0_controls(char: str) -> None:
    value = f"Partner{char}Org"
    why = f"it holds the control character U+{ord(char):04X}"
    for context, write in _REFUSING:
        with pytest.raises(UnrepresentableValue) as refused:
            write(value)
        assert str(refused.value) == f"cannot write {value!r} into {context}: {why}"
    # Code spans and blocks show it as it is; LDIF carries it in base64.
    assert escaping.md_code(value) == escaping.md_cell_code(value) == f"`{value}`"
    assert escaping.md_block(value).split("\n")[1] == value
    line = escaping.ldif_line("description", value)
    assert line.startswith("description:: ")
    assert read_ldif_line(line) == ("description", value.encode("utf-8"))


@pytest.mark.parametrize("write", [w for _, w in _REFUSING])
def test_a_refusal_shows_the_character_deep_in_a_long_value(
    write: Callable[[str], str],
) -> None:
    value = "x" * 200 + "\x7f" + "y" * 100
    with pytest.raises(UnrepresentableValue) as refused:
        write(value)
    message = str(refused.value)
    assert "\\x7f" in message and message.endswith("U+007F")
    assert len(message) < 160


@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b"])
@pytest.mark.parametrize("template", [_HTML, "{{ v }}"])
def test_nul_and_lone_surrogates_reach_no_file(value: str, template: str) -> None:
    """HTML and unfiltered output refuse what no UTF-8 text file can hold."""
    with pytest.raises(UnrepresentableValue) as refused:
        environment().from_string(template).render(v=value)
    assert "\n" not in str(refused.value)
