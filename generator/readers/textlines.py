"""Open an export file as numbered text lines, whatever its encoding.

ldifde writes ANSI (ASCII plus base64) by default and UTF-16LE with a BOM with
``-u``; csvde and Export-Csv write UTF-8 with or without a BOM, or UTF-16.
Every reader goes through here, so an undecodable byte is reported the same way
everywhere: the file and the line.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from generator.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading, turning OS errors into an :class:`InputError`."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=path) from None


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """The codec of a file from its first bytes, and the length of its BOM."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    # UTF-16 without a BOM: ASCII text leaves every other byte zero.
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le", 0
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be", 0
    return "utf-8", 0


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line with its line break)``, decoding strictly."""
    with open_binary(path) as raw:
        codec, bom = sniff_encoding(raw.read(4))
        raw.seek(bom)
        if codec == "utf-8":
            yield from _utf8_lines(path, raw)
        else:
            yield from _wide_lines(path, raw, codec)


def read_text(path: Path) -> str:
    """The whole file as text, decoded as :func:`text_lines` decodes it."""
    return "".join(line for _, line in text_lines(path))


def utf8_byte_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Like :func:`text_lines`, but each line as UTF-8 bytes (checked, never
    decoded twice for a file that is UTF-8 already)."""
    with open_binary(path) as raw:
        codec, bom = sniff_encoding(raw.read(4))
        raw.seek(bom)
        if codec != "utf-8":
            for number, text in _wide_lines(path, raw, codec):
                yield number, text.encode("utf-8")
            return
        for number, line in enumerate(raw, 1):
            if not line.isascii():
                _decoded(path, number, line)
            yield number, line


def _decoded(path: Path, number: int, line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"undecodable byte 0x{line[error.start]:02x} at column "
            f"{error.start + 1}: the file is neither UTF-8 nor UTF-16; "
            "save it as UTF-8 or UTF-16 (an AD export: ldifde -u, csvde -u, "
            "Export-Csv -Encoding UTF8)",
            path=path,
            line=number,
        ) from None


def _utf8_lines(path: Path, raw: BinaryIO) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(raw, 1):
        yield number, _decoded(path, number, line)


def _wide_lines(path: Path, raw: BinaryIO, codec: str) -> Iterator[tuple[int, str]]:
    # Decoding in chunks would report an error lines early, so mark bad bytes
    # with U+FFFD and refuse the line that holds one.
    text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
    for number, line in enumerate(text, 1):
        if "\ufffd" in line:
            raise InputError(
                f"undecodable bytes at column {line.index(chr(0xFFFD)) + 1} "
                f"of this {codec.upper()} file",
                path=path,
                line=number,
            )
        yield number, line
