"""Streaming JSON with ijson, and exact error lines when a file is broken.

ijson (yajl) reports what went wrong but not where; when it fails, the file is
read once more with the stdlib decoder, which knows the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from generator.errors import InputError
from generator.readers.textlines import open_binary

# Past this size a broken file is not loaded again just to find the line.
_LOCATE_LIMIT = 64 * 1024 * 1024


def stream_items(path: Path, prefix: str) -> Iterator[Any]:
    """The values at ``prefix`` (ijson syntax), one at a time."""
    with open_binary(path) as stream:
        try:
            yield from ijson.items(stream, prefix, use_float=True)
        except (ijson.JSONError, UnicodeDecodeError) as error:
            raise broken_json(path, error) from None


def stream_events(path: Path) -> Iterator[tuple[str, str, Any]]:
    """ijson's ``(prefix, event, value)`` parse events."""
    with open_binary(path) as stream:
        try:
            yield from ijson.parse(stream, use_float=True)
        except (ijson.JSONError, UnicodeDecodeError) as error:
            raise broken_json(path, error) from None


def first_byte(path: Path) -> bytes:
    """The first byte that is not white space (``[`` or ``{`` for JSON)."""
    with open_binary(path) as stream:
        while chunk := stream.read(4096):
            stripped = chunk.lstrip()
            if stripped:
                return stripped[:1]
    return b""


def broken_json(path: Path, error: Exception) -> InputError:
    """An InputError naming the line where the JSON breaks."""
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if path.stat().st_size > _LOCATE_LIMIT:
        return InputError(f"broken JSON: {reason}", path=path)
    data = path.read_bytes()
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return InputError(
                "undecodable bytes: JSON must be UTF-8", path=path, line=number
            )
    try:
        # Decoded here: json.loads would guess UTF-16 from NUL bytes and fail.
        json.loads(data.decode("utf-8"))
    except RecursionError:
        return InputError("broken JSON: nested too deeply", path=path)
    except json.JSONDecodeError as decode_error:
        return InputError(
            f"broken JSON: {decode_error.msg}", path=path, line=decode_error.lineno
        )
    return InputError(f"broken JSON: {reason}", path=path)
