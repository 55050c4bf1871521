"""One escaping function per output context.

Every value that reaches a generated file passes through exactly one of these,
chosen by where it lands. A value that a context cannot carry faithfully is
refused with :class:`UnrepresentableValue`, never mangled.
"""

from __future__ import annotations

import base64
import re

from generator.errors import RulegenError

# PowerShell ends a single-quoted string at ' and at its look-alikes
# U+2018..U+201B (about_Quoting_Rules); doubling any of them keeps it literal.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_QUOTE_RE = re.compile(f"([{_PS_QUOTES}])")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class UnrepresentableValue(RulegenError):
    """A value that cannot be written safely in the context asked for."""

    def __init__(self, context: str, value: str, why: str) -> None:
        shown = value if len(value) <= 60 else value[:57] + "..."
        super().__init__(f"cannot write {shown!r} into {context}: {why}")


def ps_literal(value: str) -> str:
    """A PowerShell single-quoted string literal whose content is exactly ``value``.

    Line breaks are refused: scripts are written with CRLF line ends, which would
    change a break inside a literal.
    """
    if "\n" in value or "\r" in value or _CONTROL_RE.search(value):
        raise UnrepresentableValue(
            "a PowerShell string", value, "it holds a line break or control character"
        )
    return "'" + _PS_QUOTE_RE.sub(r"\1\1", value) + "'"


_EXPR_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def expression_literal(value: str) -> str:
    """A sync-expression string literal (backslash escapes) for ``value``."""
    if _CONTROL_RE.search(value):
        raise UnrepresentableValue(
            "a sync expression string", value, "it holds a control character"
        )
    return '"' + "".join(_EXPR_ESCAPES.get(c, c) for c in value) + '"'


_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def md_text(value: str) -> str:
    """Markdown text that renders as ``value`` (safe in table cells, no HTML)."""
    flat = re.sub(r"[\r\n]+", " ", value)
    return _MD_SPECIAL_RE.sub(r"\\\1", flat)


def md_code(value: str) -> str:
    """Inline Markdown code showing ``value``; breaks become spaces, ``|`` escaped.

    The fence is one backtick longer than the longest run inside the value.
    """
    flat = re.sub(r"[\r\n]+", " ", value).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def md_block(value: str, info: str = "") -> str:
    """A fenced Markdown code block showing ``value`` line for line.

    Nothing inside a fence is markup, so only the fence itself needs care: it
    is longer than any run of backticks in the value.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


_LDIF_SAFE_RE = re.compile(
    r"^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f]"
    r"[\x01-\x09\x0b\x0c\x0e-\x7f]*$"
)


def ldif_line(name: str, value: str | bytes) -> str:
    """``name: value``, or ``name:: base64`` when RFC 2849 does not allow it plain."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*", name):
        raise UnrepresentableValue("an LDIF attribute name", name, "not a valid name")
    if isinstance(value, str):
        if value and _LDIF_SAFE_RE.match(value) and not value.endswith(" "):
            return f"{name}: {value}"
        value = value.encode("utf-8")
    return f"{name}:: {base64.b64encode(value).decode('ascii')}"
