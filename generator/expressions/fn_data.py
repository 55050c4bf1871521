"""Conversion, test, number, date, GUID/SID and multi-valued functions."""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import re
import secrets
import string
import uuid
from datetime import datetime

from generator.expressions import dates
from generator.expressions.convert import to_bool, to_num, to_str
from generator.expressions.fn_text import MAX_LENGTH
from generator.expressions.registry import Nulls, builtin
from generator.expressions.values import MV, EvalError, Ref
from generator.model import format_sid

_GUID = re.compile(
    r"^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
    re.IGNORECASE,
)


@builtin("CBool", nulls=Nulls.PASS)
def cbool(value: object) -> bool:
    return to_bool(value)


@builtin("CNum")
def cnum(text: str) -> int:
    try:
        return to_num(text)
    except EvalError as problem:
        raise EvalError(f"CNum: {problem.message}") from None


@builtin("CStr")
def cstr(text: str) -> str:
    return text


@builtin("CRef")
def cref(text: str) -> Ref:
    return Ref(text)


@builtin("CDate")
def cdate(text: str) -> datetime:
    return dates.parse_date(text)


@builtin("CGuid")
def cguid(text: str) -> bytes:
    if not _GUID.match(text.strip()):
        raise EvalError(f"CGuid: {text!r} is not a GUID")
    return uuid.UUID(text.strip()).bytes_le


@builtin("StringFromGuid")
def string_from_guid(raw: bytes) -> str:
    if len(raw) != 16:
        raise EvalError(f"StringFromGuid: expected 16 bytes, got {len(raw)}")
    return str(uuid.UUID(bytes_le=raw))


@builtin("StringFromSid")
def string_from_sid(raw: bytes) -> str:
    text = format_sid(raw)
    if text is None:
        raise EvalError("StringFromSid: the value is not a binary SID")
    return text


@builtin("SidFromString")
def sid_from_string(text: str) -> bytes:
    parts = text.upper().split("-")
    if len(parts) < 3 or parts[0] != "S" or not all(p.isdigit() for p in parts[1:]):
        raise EvalError(f"SidFromString: {text!r} is not a SID")
    numbers = [int(p) for p in parts[1:]]
    subs = numbers[2:]
    head = bytes([numbers[0], len(subs)]) + numbers[1].to_bytes(6, "big")
    return head + b"".join(s.to_bytes(4, "little") for s in subs)


@builtin("ConvertToBinaryFromBase64")
def binary_from_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise EvalError(f"{text!r} is not base64") from None


@builtin("BitAnd")
def bit_and(first: int, second: int) -> int:
    return first & second


@builtin("BitOr")
def bit_or(first: int, second: int) -> int:
    return first | second


@builtin("IsBitSet")
def is_bit_set(value: int, flag: int) -> bool:
    # The flag is a mask (IsBitSet(&HF, 4) is True); a multi-bit mask must be
    # wholly set [inferred].
    return value & flag == flag


@builtin("RandomNum")
def random_num(start: int, end: int) -> int:
    if end < start:
        raise EvalError(f"RandomNum: end {end} is below start {start}")
    return random.randint(start, end)


@builtin("RandomStr")
def random_str(length: int) -> str:
    if length > MAX_LENGTH:
        raise EvalError(f"RandomStr: a length of {length} is too long")
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(max(length, 0)))


@builtin("RegexIsMatch")
def regex_is_match(text: str, pattern: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error as problem:
        raise EvalError(f"RegexIsMatch: bad pattern {pattern!r}: {problem}") from None


@builtin("Guid")
def new_guid() -> str:
    return str(uuid.uuid4())


@builtin("DateFromNum")
def date_from_num(ticks: int) -> datetime:
    return dates.from_filetime(ticks)


@builtin("NumFromDate")
def num_from_date(moment: datetime) -> int:
    return dates.to_filetime(moment)


@builtin("DateAdd")
def date_add(interval: str, count: int, moment: datetime) -> datetime:
    return dates.add(interval, count, moment)


@builtin("FormatDateTime")
def format_date_time(moment: datetime, pattern: str) -> str:
    return dates.format_date(moment, pattern)


def _text_values(value: object) -> list[object]:
    return list(value) if type(value) is MV else [value]


@builtin("IsNull", nulls=Nulls.PASS)
def is_null(value: object) -> bool:
    return value is None or (type(value) is MV and not value)


@builtin("IsEmpty", nulls=Nulls.PASS)
def is_empty(value: object) -> bool:
    values = [] if value is None else _text_values(value)
    return bool(values) and all(v == "" for v in values)


@builtin("IsPresent", nulls=Nulls.PASS)
def is_present(value: object) -> bool:
    if type(value) is str:
        return value != ""
    if value is None:
        return False
    return any(v is not None and v != "" for v in _text_values(value))


@builtin("IsNullOrEmpty", nulls=Nulls.PASS)
def is_null_or_empty(value: object) -> bool:
    return not is_present(value)


def _succeeds(function: object, value: object) -> bool:
    if value is None or type(value) is MV:
        return False
    try:
        function(value)  # type: ignore[operator]
    except EvalError:
        return False
    return True


@builtin("IsString", nulls=Nulls.PASS)
def is_string(value: object) -> bool:
    return _succeeds(to_str, value)


@builtin("IsNumeric", nulls=Nulls.PASS)
def is_numeric(value: object) -> bool:
    return _succeeds(to_num, value)


@builtin("IsDate", nulls=Nulls.PASS)
def is_date(value: object) -> bool:
    if type(value) is datetime:
        return True
    return type(value) is str and dates.is_date(value)


@builtin("IsGuid", nulls=Nulls.PASS)
def is_guid(value: object) -> bool:
    return type(value) is str and _GUID.match(value.strip()) is not None


@builtin("Count")
def count(values: MV) -> int:
    return sum(1 for v in values if v is not None)


@builtin("Contains")
def contains(values: MV, find: str, option: object = None) -> int:
    folded = option == "CaseInsensitive"
    if option not in (None, "CaseSensitive", "CaseInsensitive"):
        raise EvalError(f"Contains: unknown option {option!r}")
    needle = find.casefold() if folded else find
    for index, value in enumerate(values, start=1):
        if type(value) is Ref:
            if str(value).casefold() == find.casefold():
                return index
            continue
        text = to_str(value)
        if needle in (text.casefold() if folded else text):
            return index
    return 0


@builtin("Item")
def item(values: MV, index: int) -> object:
    if not 1 <= index <= len(values):
        raise EvalError(
            f"Item: index {index} is out of range for {len(values)} value(s)"
        )
    return values[index - 1]


@builtin("ItemOrNull")
def item_or_null(values: MV, index: int) -> object:
    return values[index - 1] if 1 <= index <= len(values) else None


@builtin("Join")
def join(values: MV, delimiter: str = " ") -> str:
    return delimiter.join(to_str(v) for v in values if v is not None)


@builtin("RemoveDuplicates")
def remove_duplicates(values: MV) -> MV:
    return MV(dict.fromkeys(v for v in values if v is not None))


def _certificate(raw: bytes) -> bytes:
    """The DER bytes of a certificate given as DER or base64 text."""
    if raw[:1] == b"\x30":
        return raw
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise EvalError("the value is not an X.509 certificate") from None


@builtin("CertThumbprint")
def cert_thumbprint(raw: bytes) -> str:
    return hashlib.sha1(_certificate(raw), usedforsecurity=False).hexdigest().upper()


@builtin("IsCert", nulls=Nulls.PASS)
def is_cert(value: object) -> bool:
    # TODO(#4): only checks for a DER SEQUENCE; parse the certificate itself.
    return type(value) is bytes and value[:1] == b"\x30" and len(value) > 64
