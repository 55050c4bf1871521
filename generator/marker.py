"""The contract between analysis (recommend, validate, preview) and generation.

The analysis decides a :class:`Marker` (the exact expression that will feed
``userType``), reports :class:`Finding` objects, and computes one
:class:`UserOutcome` per in-scope user; the bundle renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Strategy = Literal["designate", "upn-suffix", "ou", "attribute", "expression"]
Severity = Literal["blocker", "warning", "info"]
UserType = Literal["Guest", "Member"]
DEFAULT_USER_TYPE: UserType = "Member"


@dataclass(frozen=True)
class Marker:
    """A marker strategy turned into the rule it emits."""

    strategy: Strategy
    spec: str  # as the admin wrote it: "upn-suffix:a.com,b.com"
    expression: str  # the inbound flow's expression for metaverse userType
    source_attributes: tuple[str, ...]  # AD attributes the expression reads
    designated_attribute: str | None = None  # designate only
    suffixes: tuple[str, ...] = ()  # upn-suffix only, lower-cased
    ou: str | None = None  # ou only
    where: tuple[str, str] | None = None  # attribute only: (name, value)


@dataclass(frozen=True)
class Finding:
    """One validation result, with a stable ID the admin can search for."""

    id: str  # e.g. "ERG-SCHEMA-MISSING"; stable across releases
    severity: Severity
    title: str
    detail: str = ""
    count: int = 0
    examples: tuple[str, ...] = ()
    forest: str | None = None


@dataclass(frozen=True)
class UserOutcome:
    """What the emitted expression makes of one in-scope user."""

    forest: str
    dn: str
    sam: str | None
    upn: str | None
    object_class: str  # "user" or "inetOrgPerson"
    source_values: tuple[str, ...]
    result: UserType
    reason: str
    is_partner: bool
    current_marker: str | None = None  # designate: the attribute's value today
    extra: dict[str, str] = field(default_factory=dict)
