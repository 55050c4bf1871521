"""The table from function name to Python implementation.

Implementations receive arguments already converted to the kinds the
catalog declares, one value at a time; the compiler does the per-value
mapping over multi-valued input and the Null handling named here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Nulls(StrEnum):
    """What a Null argument does to a call."""

    PROPAGATE = "propagate"  # any Null argument makes the result Null
    EMPTY = "empty"  # a Null first argument reads as "" (Left, Mid, Word, ...)
    PASS = "pass"  # the implementation sees None itself


@dataclass(frozen=True, slots=True)
class Builtin:
    fn: Callable[..., Any]
    nulls: Nulls


REGISTRY: dict[str, Builtin] = {}

F = Callable[..., Any]


def builtin(*names: str, nulls: Nulls = Nulls.PROPAGATE) -> Callable[[F], F]:
    """Register ``fn`` as the implementation of each of ``names``."""

    def register(fn: F) -> F:
        for name in names:
            REGISTRY[name] = Builtin(fn, nulls)
        return fn

    return register
