"""Streaming JSON with ijson, and exact error lines when a file is broken.

ijson (yajl) reports what went wrong but not where. When a file fails, or a
value has the wrong shape, the file is read once more on this error path: the
stdlib decoder finds the line of a syntax error, and :func:`locate` walks to
the value an error is about. Nesting is capped at ``MAX_DEPTH`` while
streaming, because ijson's prefixes grow with the depth.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from generator.errors import InputError
from generator.readers.textlines import open_binary

MAX_DEPTH = 64  # a snapshot needs 5 levels, ldapdomaindump 4
# Past this size a broken file is not loaded again just to find the line.
_LOCATE_LIMIT = 64 * 1024 * 1024
_DECODER = json.JSONDecoder()
_BUFFER = 4096
_UTF8_BOM = b"\xef\xbb\xbf"
# A \u escape of half a UTF-16 pair (U+D800..U+DFFF).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})


class _TooDeep(Exception):
    """Nesting past MAX_DEPTH (turned into an InputError with its line)."""


def open_json(path: Path) -> BinaryIO:
    """``path`` opened past a UTF-8 byte-order mark; UTF-16 is refused.

    Windows PowerShell 5.1 writes UTF-8 with a BOM when a file is saved on
    Windows, so a snapshot copied through an admin's desktop may carry one.
    """
    stream = open_binary(path)
    head = stream.read(4)
    if head.startswith(_UTF8_BOM):
        stream.seek(len(_UTF8_BOM))
        return stream
    stream.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        stream.close()
        raise InputError(
            "is UTF-16 encoded; JSON sources must be UTF-8 (save it again as UTF-8)",
            path=path,
            line=1,
        )
    return stream


def stream_items(path: Path, prefix: str) -> Iterator[Any]:
    """The values at ``prefix`` (ijson syntax), one at a time."""
    with open_json(path) as stream:
        check_surrogates(path, stream)
        try:
            yield from ijson.items(_events(stream), prefix)
        except (ijson.JSONError, UnicodeDecodeError, _TooDeep) as error:
            raise broken_json(path, error) from None


def stream_events(path: Path) -> Iterator[tuple[str, str, Any]]:
    """ijson's ``(prefix, event, value)`` parse events."""
    with open_json(path) as stream:
        check_surrogates(path, stream)
        try:
            yield from _events(stream)
        except (ijson.JSONError, UnicodeDecodeError, _TooDeep) as error:
            raise broken_json(path, error) from None


def check_surrogates(path: Path, stream: BinaryIO) -> None:
    """Refuse a ``\\ud800``-style escape that is not half of a pair.

    JSON allows the escape, but it stands for no character; ijson's C backend
    turns a lone high half into ``?`` without a word (a silently changed UPN)
    and fails on a lone low half without a line. One regex pass over the
    mapped file finds any, so a good file costs a scan at memory speed.
    """
    try:
        view = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # an empty file, or one that cannot be mapped
        return
    with view:
        for found in _SURROGATE_ESCAPE.finditer(view):
            start = found.start()
            if _is_escape(view, start) and not _paired(view, start):
                line = view[:start].count(b"\n") + 1
                raise InputError(
                    f"the escape {found.group().decode('ascii')} is half of a "
                    "UTF-16 surrogate pair, not a character",
                    path=path,
                    line=line,
                )


def _is_escape(view: mmap.mmap, start: int) -> bool:
    """The backslash at ``start`` is not itself escaped (``\\\\u...`` is text)."""
    before = start
    while before > 0 and view[before - 1] == 0x5C:
        before -= 1
    return (start - before) % 2 == 0


def _paired(view: mmap.mmap, start: int) -> bool:
    """A high half followed by a low half, or a low half after a high one."""
    unit = int(view[start + 2 : start + 6], 16)
    if unit < 0xDC00:
        follower = _SURROGATE_ESCAPE.match(view[start + 6 : start + 12])
        return follower is not None and int(follower.group()[2:], 16) >= 0xDC00
    leader = _SURROGATE_ESCAPE.match(view[max(0, start - 6) : start])
    return (
        leader is not None
        and int(leader.group()[2:], 16) < 0xDC00
        and _is_escape(view, start - 6)
    )


def _events(stream: Any) -> Iterator[tuple[str, str, Any]]:
    # Small reads: yajl builds a whole buffer's events (with their ever longer
    # prefixes) before the depth check sees the first, so the buffer bounds
    # what a deeply nested file can cost.
    events = ijson.parse(stream, buf_size=_BUFFER, use_float=True)
    depth = 0
    for prefix, event, value in events:
        if event in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep
        elif event in _CLOSE:
            depth -= 1
        yield prefix, event, value


def first_byte(path: Path) -> bytes:
    """The first byte that is not white space (``[`` or ``{`` for JSON)."""
    with open_json(path) as stream:
        while chunk := stream.read(4096):
            stripped = chunk.lstrip()
            if stripped:
                return stripped[:1]
    return b""


def broken_json(path: Path, error: Exception) -> InputError:
    """An InputError naming the line where the JSON breaks."""
    if isinstance(error, _TooDeep):
        return InputError(
            f"JSON nested deeper than {MAX_DEPTH} levels",
            path=path,
            line=_depth_line(path),
        )
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if path.stat().st_size > _LOCATE_LIMIT:
        return InputError(f"broken JSON: {reason}", path=path)
    data = path.read_bytes()
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            message = "undecodable bytes: JSON must be UTF-8"
            return InputError(message, path=path, line=number)
    try:
        json.loads(data.decode("utf-8-sig"))  # bytes would let json guess UTF-16
    except json.JSONDecodeError as decode_error:
        message = f"broken JSON: {decode_error.msg}"
        return InputError(message, path=path, line=decode_error.lineno)
    except RecursionError:
        pass
    return InputError(f"broken JSON: {reason}", path=path)


def _depth_line(path: Path) -> int | None:
    """The line where nesting first passes MAX_DEPTH (strings skipped)."""
    depth, line, in_string, escaped = 0, 1, False, False
    with open_binary(path) as stream:
        while chunk := stream.read(65536):
            for byte in chunk:
                if in_string:
                    escaped = not escaped and byte == 0x5C
                    in_string = escaped or byte != 0x22
                elif byte in b"[{":
                    depth += 1
                    if depth > MAX_DEPTH:
                        return line
                elif byte in b"]}":
                    depth -= 1
                elif byte == 0x22:
                    in_string = True
                if byte == 0x0A:
                    line += 1
    return None


def locate(path: Path, steps: Sequence[str | int], occurrence: int = 1) -> int | None:
    """The line where the value at ``steps`` (keys, array indexes) starts.

    Used only to name the line of an error; None when the file is too large to
    load again or the value cannot be found. ``occurrence=2`` finds the second
    value of a key given twice.
    """
    if path.stat().st_size > _LOCATE_LIMIT:
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
        index: int | None = _skip(text, 0)
        for position, step in enumerate(steps):
            last = position == len(steps) - 1
            if index is not None:
                index = _child(text, index, step, occurrence if last else 1)
    except (ValueError, RecursionError, IndexError):
        return None
    return None if index is None else text.count("\n", 0, index) + 1


def _skip(text: str, position: int) -> int:
    """The first position at or after ``position`` that is not white space."""
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _child(text: str, start: int, step: str | int, occurrence: int) -> int | None:
    """Where the member ``step`` of the object or array at ``start`` begins."""
    opener = text[start]
    if opener not in "[{" or isinstance(step, int) != (opener == "["):
        return None
    position, seen, count = start + 1, 0, 0
    while True:
        position = _skip(text, position)
        if text[position] in "]}":
            return None
        found = count == step
        if opener == "{":
            key, position = _DECODER.raw_decode(text, position)
            position = _skip(text, _skip(text, position) + 1)  # past the ':'
            found = key == step
        if found:
            seen += 1
            if seen == occurrence:
                return position
        _value, position = _DECODER.raw_decode(text, position)
        position = _skip(text, position) + 1  # past the ',' or the closer
        count += 1
