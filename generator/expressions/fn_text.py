"""String functions of the expression language.

Behaviour follows Microsoft's functions reference, including its unusual
edges (``Left(s, -1)`` is ``s``; ``Mid`` returns ``s`` when start is out of
range). Positions are 1-based and 0 means "not found".
"""

from __future__ import annotations

import base64
import binascii

from generator.expressions.registry import Nulls, builtin
from generator.expressions.values import MV, EvalError, Ref


@builtin("Left", nulls=Nulls.EMPTY)
def left(text: str, count: int) -> str:
    if count < 0:
        return text
    return text[:count]


@builtin("Right", nulls=Nulls.EMPTY)
def right(text: str, count: int) -> str:
    if count < 0:
        return text
    return text[len(text) - count :] if count else ""


@builtin("Mid", nulls=Nulls.EMPTY)
def mid(text: str, start: int, count: int | None = None) -> str:
    # Documented: start <= 0, start past the end or a negative count return
    # the input unchanged. Two arguments (used in the Item example) mean "to
    # the end" [inferred].
    if start <= 0 or start > len(text) or (count is not None and count < 0):
        return text
    if count is None:
        return text[start - 1 :]
    return text[start - 1 : start - 1 + count]


@builtin("Word", nulls=Nulls.EMPTY)
def word(text: str, number: int, delimiters: str) -> str:
    # Each character of ``delimiters`` separates words; runs of separators
    # count as one [inferred: the reference does not say].
    if number < 1:
        return ""
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if char in delimiters:
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words[number - 1] if number <= len(words) else ""


@builtin("PCase")
def pcase(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))


@builtin("LCase")
def lcase(text: str) -> str:
    return text.lower()


@builtin("UCase")
def ucase(text: str) -> str:
    return text.upper()


@builtin("Trim")
def trim(text: str) -> str:
    return text.strip()


@builtin("LTrim")
def ltrim(text: str) -> str:
    return text.lstrip()


@builtin("RTrim")
def rtrim(text: str) -> str:
    return text.rstrip()


@builtin("Len")
def length(text: str) -> int:
    return len(text)


def _compare_mode(option: object, function: str) -> bool:
    """True for a case-insensitive (text) comparison."""
    if option is None or option == "vbBinaryCompare":
        return False
    if option == "vbTextCompare":
        return True
    raise EvalError(f"{function}: unknown comparison {option!r}")


@builtin("InStr")
def instr(text: str, find: str, start: int = 1, option: object = None) -> int:
    if start < 1:
        raise EvalError(f"InStr: start must be 1 or more, got {start}")
    if _compare_mode(option, "InStr"):
        text, find = text.casefold(), find.casefold()
    return text.find(find, start - 1) + 1


@builtin("InStrRev")
def instr_rev(text: str, find: str, start: int = -1, option: object = None) -> int:
    if start == 0 or start < -1:
        raise EvalError(f"InStrRev: start must be -1 or 1 or more, got {start}")
    if _compare_mode(option, "InStrRev"):
        text, find = text.casefold(), find.casefold()
    end = len(text) if start == -1 else start
    return text.rfind(find, 0, end) + 1


# Longer than any directory value; a bigger padding is a mistake, not data.
MAX_LENGTH = 1_000_000


def _pad(text: str, width: int, pad: str, function: str) -> tuple[str, int, str]:
    if width > MAX_LENGTH:
        raise EvalError(f"{function}: a length of {width} is too long")
    if width < 0:
        raise EvalError(f"{function}: the length must not be negative, got {width}")
    if len(pad) != 1:
        raise EvalError(f"{function}: the padding must be one character, got {pad!r}")
    return text, width, pad


@builtin("PadLeft", nulls=Nulls.EMPTY)
def pad_left(text: str, width: int, pad: str) -> str:
    text, width, pad = _pad(text, width, pad, "PadLeft")
    return text.rjust(width, pad)


@builtin("PadRight", nulls=Nulls.EMPTY)
def pad_right(text: str, width: int, pad: str) -> str:
    text, width, pad = _pad(text, width, pad, "PadRight")
    return text.ljust(width, pad)


@builtin("Replace")
def replace(text: str, old: str, new: str) -> str:
    if not old:
        raise EvalError("Replace: the text to replace must not be empty")
    return text.replace(old, new)


@builtin("ReplaceChars")
def replace_chars(text: str, pattern: str) -> str:
    table: dict[int, str] = {}
    for pair in "".join(pattern.split()).split(","):
        source, colon, target = pair.partition(":")
        if not colon or len(source) != 1:
            raise EvalError(
                f"ReplaceChars: {pair!r} is not 'character:replacement' in {pattern!r}"
            )
        table[ord(source)] = target
    return text.translate(table)


@builtin("Split")
def split(text: str, delimiter: str, limit: int | None = None) -> MV:
    if len(delimiter) != 1:
        raise EvalError(
            f"Split: the delimiter must be one character, got {delimiter!r}"
        )
    if limit is not None and limit > 0:
        return MV(text.split(delimiter, limit - 1))
    return MV(text.split(delimiter))


@builtin("Error", nulls=Nulls.PASS)
def error(message: str | None) -> None:
    raise EvalError(message or "", raised=True)


@builtin("ConvertToUTF8Hex")
def to_utf8_hex(text: str) -> str:
    return text.encode("utf-8").hex().upper()


@builtin("ConvertFromUTF8Hex")
def from_utf8_hex(text: str) -> str:
    try:
        return bytes.fromhex(text).decode("utf-8")
    except ValueError:
        raise EvalError(f"ConvertFromUTF8Hex: {text!r} is not UTF-8 hex") from None


_ENCODINGS = {"Unicode": "utf-16-le", "ASCII": "ascii", "UTF8": "utf-8"}


@builtin("ConvertFromBase64")
def from_base64(text: str, encoding: object = None) -> str:
    codec = _ENCODINGS.get(str(encoding or "Unicode"))
    if codec is None:
        raise EvalError(f"ConvertFromBase64: unknown encoding {encoding!r}")
    try:
        return base64.b64decode(text, validate=True).decode(codec)
    except (binascii.Error, UnicodeDecodeError):
        raise EvalError(
            f"ConvertFromBase64: {text!r} is not base64 {encoding or 'Unicode'}"
        ) from None


@builtin("ConvertToBase64", nulls=Nulls.PASS)
def to_base64(value: object) -> str | None:
    """Text is encoded as UTF-16LE first (documented); binary is encoded as is."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, str):
        return base64.b64encode(value.encode("utf-16-le")).decode("ascii")
    raise EvalError("ConvertToBase64: expected a string or binary value")


@builtin("Concat")
def concat(first: str, second: str) -> str:
    return first + second


# RFC 4514 section 2.4: characters escaped in an attribute value.
_DN_SPECIAL = ',+"\\<>;='


@builtin("EscapeDNComponent")
def escape_dn_component(text: str) -> str:
    """Escape the value of one RDN; ``cn=`` in front is kept as written."""
    kind, equals, value = text.partition("=")
    if not equals:
        kind, value = "", text
    escaped = "".join("\\" + c if c in _DN_SPECIAL else c for c in value)
    if escaped.startswith((" ", "#")):
        escaped = "\\" + escaped
    if escaped.endswith(" ") and not escaped.endswith("\\ "):
        escaped = escaped[:-1] + "\\ "
    return f"{kind}{equals}{escaped}"


def _rdns(dn: str) -> list[tuple[str, str]]:
    """(type, raw value) of each RDN, left to right; escapes are kept."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(dn)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    found = []
    for part in parts:
        kind, equals, value = part.partition("=")
        if not equals or not kind.strip():
            raise EvalError(f"{dn!r} is not a distinguished name")
        found.append((kind.strip(), value.strip()))
    return found


@builtin("DNComponent")
def dn_component(dn: Ref, number: int) -> str:
    rdns = _rdns(dn)
    if not 1 <= number <= len(rdns):
        raise EvalError(f"DNComponent: {number} is out of range for {str(dn)!r}")
    return rdns[number - 1][1]


@builtin("DNComponentRev")
def dn_component_rev(dn: Ref, number: int, option: str | None = None) -> str:
    rdns = _rdns(dn)
    if option is not None:
        if option.upper() != "DC":
            raise EvalError(f'DNComponentRev: unknown option {option!r} (only "DC")')
        rdns = [r for r in rdns if r[0].lower() != "dc"]
    if not 1 <= number <= len(rdns):
        raise EvalError(f"DNComponentRev: {number} is out of range for {str(dn)!r}")
    return rdns[-number][1]
