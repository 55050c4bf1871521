"""Runtime values of the evaluator and the outcomes it hands back.

Inside the evaluator a value is a plain Python object: ``None`` (Null: an
absent attribute or ``NULL``), ``str``, ``int`` (Int64), ``bool``, ``bytes``,
``datetime`` (UTC), :class:`Ref` (a DN reference) or :class:`MV` (several
values). Attribute values arrive as text, as LDAP returns them, so numbers and
booleans are converted where an operator or function needs one.

Callers only see :class:`Outcome` objects: a value, Null, AuthoritativeNull,
IgnoreThisFlow or an error, never a Python exception.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from generator.model import format_sid

Scalar = str | int | bool | bytes | datetime


class Ref(str):
    """A DN reference (``CRef`` result); compared without regard to case."""

    __slots__ = ()


class MV(tuple[Any, ...]):
    """Several values of one multi-valued attribute or per-value result."""

    __slots__ = ()


class Marker:
    """``AuthoritativeNull`` and ``IgnoreThisFlow`` while evaluating."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


AUTHORITATIVE_NULL_MARK = Marker("AuthoritativeNull")
IGNORE_THIS_FLOW_MARK = Marker("IgnoreThisFlow")


class EvalError(Exception):
    """Internal: stops evaluation; :meth:`Compiled.evaluate` returns an Error."""

    def __init__(self, message: str, *, raised: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.raised = raised


class OutcomeKind(StrEnum):
    VALUE = "value"
    NULL = "null"
    AUTHORITATIVE_NULL = "authoritative-null"
    IGNORE_THIS_FLOW = "ignore-this-flow"
    ERROR = "error"


class Outcome:
    """What one evaluation of an expression produces for one object."""

    __slots__ = ()
    kind: ClassVar[OutcomeKind]


@dataclass(frozen=True, slots=True)
class Value(Outcome):
    """One or more values the flow contributes (several for multi-valued)."""

    values: tuple[Scalar, ...]
    kind: ClassVar[OutcomeKind] = OutcomeKind.VALUE

    @property
    def value(self) -> Scalar:
        """The first (for a single-valued result, the only) value."""
        return self.values[0]

    def texts(self) -> tuple[str, ...]:
        """Every value as an admin would read it."""
        return tuple(display(v) for v in self.values)


@dataclass(frozen=True, slots=True)
class Null(Outcome):
    """No contribution: a lower-precedence rule may still supply the value."""

    kind: ClassVar[OutcomeKind] = OutcomeKind.NULL


@dataclass(frozen=True, slots=True)
class AuthoritativeNull(Outcome):
    """The value is cleared, and no lower-precedence rule may supply one."""

    kind: ClassVar[OutcomeKind] = OutcomeKind.AUTHORITATIVE_NULL


@dataclass(frozen=True, slots=True)
class IgnoreThisFlow(Outcome):
    """As if the flow were not there: the target keeps what it has."""

    kind: ClassVar[OutcomeKind] = OutcomeKind.IGNORE_THIS_FLOW


@dataclass(frozen=True, slots=True)
class Error(Outcome):
    """The object would fail to sync; ``raised`` when Error() was called."""

    message: str
    raised: bool = False
    kind: ClassVar[OutcomeKind] = OutcomeKind.ERROR


NULL = Null()
AUTHORITATIVE_NULL = AuthoritativeNull()
IGNORE_THIS_FLOW = IgnoreThisFlow()


def outcome(result: object) -> Outcome:
    """The outcome for a finished evaluation's raw result."""
    if result is None:
        return NULL
    if result is AUTHORITATIVE_NULL_MARK:
        return AUTHORITATIVE_NULL
    if result is IGNORE_THIS_FLOW_MARK:
        return IGNORE_THIS_FLOW
    if type(result) is MV:
        kept = tuple(_plain(v) for v in result if v is not None)
        return Value(kept) if kept else NULL
    return Value((_plain(result),))


def _plain(value: object) -> Scalar:
    if isinstance(value, Marker):
        raise EvalError(f"{value.name} cannot be one of several values")
    if type(value) is Ref:
        return str(value)
    if isinstance(value, str | int | bool | bytes | datetime):
        return value
    raise EvalError(f"the expression produced an unsupported value {value!r}")


def describe(value: object) -> str:
    """A value's type as the engine's messages name it."""
    if value is None:
        return "Null"
    if isinstance(value, Marker):
        return value.name
    names = {
        bool: "boolean",
        int: "number",
        str: "string",
        Ref: "reference",
        bytes: "binary",
        datetime: "date",
        MV: "multi-valued",
    }
    return names.get(type(value), type(value).__name__)


def display(value: Scalar) -> str:
    """A value as text: binary as a GUID when it is 16 bytes, a SID, or base64."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, bytes):
        if len(value) == 16:
            return str(uuid.UUID(bytes_le=value))
        return format_sid(value) or base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
