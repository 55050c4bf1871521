"""One escaping function per output context.

Every value that reaches a generated file passes through exactly one of these,
chosen by where it lands. A value that a context cannot carry faithfully is
refused with :class:`UnrepresentableValue`, never mangled.
"""

from __future__ import annotations

import base64
import re
from typing import NoReturn

from generator.errors import RulegenError

# PowerShell ends a single-quoted string at ' and at its look-alikes
# U+2018..U+201B (about_Quoting_Rules); doubling any of them keeps it literal.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_QUOTE_RE = re.compile(f"([{_PS_QUOTES}])")
# C0 controls and DEL: refused in every context that cannot show them (tab, line
# feed and carriage return excepted where the context has a form for them).
_PS_UNSAFE_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_EXPR_UNESCAPABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone surrogate (JSON "\\ud800" decodes to one) has no UTF-8 form.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class UnrepresentableValue(RulegenError):
    """A value that cannot be written safely in the context asked for.

    ``where`` (the user, attribute, file and line the value came from) leads
    the message when the caller knows it.
    """

    def __init__(
        self,
        context: str,
        value: str,
        why: str,
        at: int | None = None,
        *,
        where: str = "",
    ) -> None:
        self.context, self.value, self.why, self.at = context, value, why, at
        text = f"cannot write {_excerpt(value, at)!r} into {context}: {why}"
        super().__init__(f"{where}: {text}" if where else text)

    def located(self, where: str) -> UnrepresentableValue:
        """The same refusal, saying where the value came from."""
        return UnrepresentableValue(
            self.context, self.value, self.why, self.at, where=where
        )


def _excerpt(value: str, at: int | None) -> str:
    """``value``, or 60 characters of it that show the character at ``at``."""
    if len(value) <= 60:
        return value
    if at is None or at < 50:
        return value[:57] + "..."
    start = max(0, min(at - 25, len(value) - 54))
    end = start + 54
    return (
        ("..." if start else "")
        + value[start:end]
        + ("..." if end < len(value) else "")
    )


def _refuse_control(context: str, value: str, found: re.Match[str]) -> NoReturn:
    """Refuse ``value`` for the control character ``found``, named by code point."""
    char = found.group()
    what = "a line break" if char in "\r\n" else "the control character"
    why = f"it holds {what} U+{ord(char):04X}"
    raise UnrepresentableValue(context, value, why, at=found.start())


def _require_utf8(context: str, value: str) -> None:
    if _SURROGATE_RE.search(value):
        raise UnrepresentableValue(context, value, "it holds a lone surrogate")


def any_output(value: object) -> object:
    """Every value a template writes, after its context's filter: no NUL, and
    only text that has a UTF-8 form.

    The context filters refuse these already; this guard also covers HTML, whose
    autoescaping would turn NUL into U+FFFD and fail on a lone surrogate.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise UnrepresentableValue(
                "a generated file", value, "it holds NUL", at=value.index("\x00")
            )
        _require_utf8("a generated file", value)
    return value


def ps_literal(value: str) -> str:
    """A PowerShell single-quoted string literal whose content is exactly ``value``.

    Line breaks are refused: scripts are written with CRLF line ends, which would
    change a break inside a literal.
    """
    found = _PS_UNSAFE_RE.search(value)
    if found:
        _refuse_control("a PowerShell string", value, found)
    _require_utf8("a PowerShell string", value)
    return "'" + _PS_QUOTE_RE.sub(r"\1\1", value) + "'"


_EXPR_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def expression_literal(value: str) -> str:
    """A sync-expression string literal (backslash escapes) for ``value``.

    Tab, line feed and carriage return have escapes (``\\t``, ``\\n``, ``\\r``);
    other control characters have none and are refused.
    """
    found = _EXPR_UNESCAPABLE_RE.search(value)
    if found:
        _refuse_control("a sync expression string", value, found)
    _require_utf8("a sync expression string", value)
    return '"' + "".join(_EXPR_ESCAPES.get(c, c) for c in value) + '"'


# Inline Markdown (CommonMark with GFM tables and strikethrough): characters
# that start markup wherever they stand. `_` between two letters or digits
# cannot open or close emphasis, so snake_case stays as it is.
_MD_ALWAYS_RE = re.compile(r"[`*\[\]<~]|&(?=#?[A-Za-z0-9]+;)")
_MD_UNDERSCORES_RE = re.compile(r"_+")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Markup that only counts at the start of a line (a value may land there):
# headings, lists, block quotes, setext underlines and thematic breaks.
_MD_LINE_START_RE = re.compile(
    r"#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|>|[-=][-= \t]*$|\d{1,9}(?=[.)](?:[ \t]|$))"
)
# A closing sequence of #s, which a heading drops from its text.
_MD_HEADING_TAIL_RE = re.compile(r"(?:^|(?<=[ \t]))#+$")
_MD_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def md_text(value: str) -> str:
    """Markdown prose that renders as ``value``, escaping only what would be markup.

    Control characters are refused: Markdown cannot show them at a line's edge.
    :func:`md_code` shows them. In a table cell use :func:`md_cell`.
    """
    found = _MD_CONTROL_RE.search(value)
    if found:
        _refuse_control("Markdown text", value, found)
    flat = _md_flat(value)
    core = flat.strip()
    # Paragraphs and cells drop outer whitespace; character references keep it.
    head = flat[: len(flat) - len(flat.lstrip())]
    tail = flat[len(flat.rstrip()) :] if core else ""
    return _md_refs(head) + _md_escape(core) + _md_refs(tail)


def md_cell(value: str) -> str:
    """:func:`md_text` for a GFM table cell, where ``|`` would end the cell."""
    return md_text(value).replace("|", "\\|")


def _md_escape(text: str) -> str:
    marks = [False] * len(text)
    for found in _MD_ALWAYS_RE.finditer(text):
        marks[found.start()] = True
    for run in _MD_UNDERSCORES_RE.finditer(text):
        before = text[run.start() - 1 : run.start()]
        after = text[run.end() : run.end() + 1]
        if not (before.isalnum() and after.isalnum()):
            marks[run.start() : run.end()] = [True] * (run.end() - run.start())
    for index, char in enumerate(text):
        if char == "\\":
            following = text[index + 1 : index + 2]
            marks[index] = not following or following in _ASCII_PUNCTUATION
    start = _MD_LINE_START_RE.match(text)
    if start:
        marks[start.end() if text[:1].isdigit() else 0] = True
    tail = _MD_HEADING_TAIL_RE.search(text)
    if tail:
        marks[tail.start()] = True
    return "".join("\\" + c if marks[i] else c for i, c in enumerate(text))


def md_code(value: str) -> str:
    """Inline Markdown code showing ``value`` in prose; breaks become spaces.

    The fence is one backtick longer than the longest run inside the value; a
    space pads the content when Markdown would otherwise eat its outer spaces.
    Nothing inside is escaped: a code span shows a backslash as it is.
    """
    return _md_span(_md_flat(value))


def md_cell_code(value: str) -> str:
    """:func:`md_code` for a GFM table cell: ``|`` as ``\\|``, which GFM unescapes."""
    return _md_span(_md_flat(value).replace("|", "\\|"))


def _md_span(flat: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    edges = (flat[:1], flat[-1:])
    pad = " " if not flat or (flat.strip(" ") and {"`", " "} & set(edges)) else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _md_flat(value: str) -> str:
    _require_utf8("Markdown", value)
    if "\x00" in value:
        raise UnrepresentableValue("Markdown", value, "it holds a NUL character")
    return re.sub(r"[\r\n]+", " ", value)


def _md_refs(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def md_block(value: str, info: str = "") -> str:
    """A fenced Markdown code block showing ``value`` line for line.

    Nothing inside a fence is markup, so only the fence itself needs care: it
    is longer than any run of backticks in the value.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


# RFC 2849 SAFE-STRING, narrowed to printable ASCII: parsers strip or split on
# tabs, form feeds and other controls, so those values go base64.
_LDIF_SAFE_RE = re.compile(r"[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*")


def ldif_line(name: str, value: str | bytes) -> str:
    """``name: value``, or ``name:: base64`` when RFC 2849 does not allow it plain."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*", name):
        raise UnrepresentableValue("an LDIF attribute name", name, "not a valid name")
    if isinstance(value, str):
        _require_utf8("an LDIF value", value)
        if _LDIF_SAFE_RE.fullmatch(value) and not value.endswith(" "):
            return f"{name}: {value}"
        value = value.encode("utf-8")
    return f"{name}:: {base64.b64encode(value).decode('ascii')}"
