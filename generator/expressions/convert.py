"""Conversions between runtime values, with the engine's type errors.

Attribute values come from LDAP as text, so ``"512"`` is a number where a
number is needed and ``"TRUE"`` a boolean where a boolean is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from generator.expressions import dates
from generator.expressions.values import MV, EvalError, Ref, describe

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def to_str(value: object) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):  # Ref
        return str(value)
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return dates.format_date(value, "G")
    raise EvalError(f"expected a string, got {describe(value)}")


def to_num(value: object) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and _INTEGER.match(value):
        number = int(value)
        if INT64_MIN <= number <= INT64_MAX:
            return number
        raise EvalError(f"{value!r} does not fit in a 64-bit number")
    if isinstance(value, str):
        raise EvalError(f"expected a number, got the string {value!r}")
    raise EvalError(f"expected a number, got {describe(value)}")


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in ("true", "false"):
            return folded == "true"
        if _INTEGER.match(folded):
            return int(folded) != 0
        raise EvalError(f"expected a boolean, got the string {value!r}")
    raise EvalError(f"expected a boolean, got {describe(value)}")


def to_bin(value: object) -> bytes:
    if type(value) is bytes:
        return value
    raise EvalError(f"expected binary data, got {describe(value)}")


def to_date(value: object) -> datetime:
    if type(value) is datetime:
        return value
    if type(value) is str:
        return dates.parse_date(value)
    raise EvalError(f"expected a date, got {describe(value)}")


def to_ref(value: object) -> Ref:
    if isinstance(value, Ref):
        return value
    if type(value) is str:
        return Ref(value)
    raise EvalError(f"expected a reference (DN), got {describe(value)}")


def to_mv(value: object) -> MV:
    """A multi-valued view of any value: Null has no values, a scalar one."""
    if isinstance(value, MV):
        return value
    if value is None:
        return MV(())
    return MV((value,))


def keep(value: object) -> object:
    return value


CONVERTERS: dict[str, Callable[[object], object]] = {
    "s": to_str,
    "n": to_num,
    "b": to_bin,
    "d": to_date,
    "r": to_ref,
    "m": to_mv,
    "v": keep,
    "e": keep,
    "q": keep,
}
PER_VALUE_KINDS = frozenset("snbdr")
