"""What an existing Entra Connect configuration says about a UserType change.

Each question here is one a careful admin checks in the Synchronization Rules
Editor before adding the two UserType rules: is the marker attribute already
read by some rule, does anything already write ``userType``, which
precedences are free, has someone cloned and disabled an out-of-box rule, are
the attributes selected on the connectors, and does this build know
``userType`` at all. Attribute names compare case-insensitively, as the sync
engine and AD do.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Direction,
    SyncRule,
    guid_key,
)
from generator.expressions import ExpressionError, attributes_read, parse

USER_TYPE = "userType"
CUSTOM_PRECEDENCE = range(1, 100)  # Microsoft reserves 1-99 for custom rules


class Place(StrEnum):
    """Where in a rule an attribute is read."""

    SCOPE = "scope"
    JOIN = "join"
    FLOW_SOURCE = "flow source"
    EXPRESSION = "expression"


@dataclass(frozen=True)
class AttributeUse:
    """One place where ``rule`` reads an attribute; ``detail`` says how."""

    rule: SyncRule
    place: Place
    detail: str


@dataclass(frozen=True)
class Contribution:
    """A flow of ``rule`` that writes the attribute asked about."""

    rule: SyncRule
    flow: AttributeFlow


@dataclass(frozen=True)
class Clone:
    """A disabled out-of-box rule and the enabled custom rules that replace it."""

    original: SyncRule
    clones: tuple[SyncRule, ...]


# --- what an expression reads --------------------------------------------------

_ATTRIBUTE_RE = re.compile(r"\[([^\[\]]+)\]")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


def _regex_attributes(text: str) -> frozenset[str]:
    """``[name]`` references outside string literals, for unparsable text."""
    return frozenset(
        m.group(1) for m in _ATTRIBUTE_RE.finditer(_STRING_RE.sub("", text))
    )


@functools.lru_cache(maxsize=4096)
def expression_reads(text: str) -> frozenset[str]:
    """The attributes an expression reads, by the expression engine.

    An expression the engine cannot parse is still searched for ``[name]``
    references, so a broken rule does not hide what it reads.
    """
    try:
        return frozenset(attributes_read(parse(text)))
    except ExpressionError:
        return _regex_attributes(text)


# --- the questions ---------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def rules_reading(
    config: Configuration, attribute: str, direction: Direction | None = None
) -> list[AttributeUse]:
    """Every place a rule reads ``attribute``: scope, join, flow source, expression.

    For inbound rules these are connector-space (AD) attributes, for outbound
    rules metaverse attributes; ``direction`` narrows the search to one side.
    """
    uses: list[AttributeUse] = []
    for rule in sorted(config.rules, key=lambda r: r.precedence):
        if direction is None or rule.direction is direction:
            uses.extend(_uses_in(rule, attribute))
    return uses


def _uses_in(rule: SyncRule, attribute: str) -> Iterator[AttributeUse]:
    for scope in rule.scope_conditions():
        if _same(scope.attribute, attribute):
            shown = f"{scope.attribute} {scope.operator} {scope.value}".rstrip()
            yield AttributeUse(rule, Place.SCOPE, shown)
    for join in rule.join_conditions():
        if _same(join.cs_attribute, attribute) or _same(join.mv_attribute, attribute):
            yield AttributeUse(
                rule, Place.JOIN, f"{join.cs_attribute} = {join.mv_attribute}"
            )
    for flow in rule.flows:
        target = f"-> {flow.destination}"
        if any(_same(s, attribute) for s in flow.sources):
            yield AttributeUse(rule, Place.FLOW_SOURCE, target)
        if flow.expression is not None and any(
            _same(a, attribute) for a in expression_reads(flow.expression)
        ):
            yield AttributeUse(rule, Place.EXPRESSION, target)


def contributors(
    config: Configuration,
    attribute: str,
    direction: Direction | None = None,
    object_type: str | None = None,
) -> list[Contribution]:
    """The flows that write ``attribute``, in precedence order (winner first)."""
    found = [
        Contribution(rule, flow)
        for rule in config.rules
        if (direction is None or rule.direction is direction)
        and (object_type is None or _same(rule.target_object_type, object_type))
        for flow in rule.flows
        if _same(flow.destination, attribute)
    ]
    return sorted(found, key=lambda c: (c.rule.precedence, c.rule.name.casefold()))


def user_type_contributors(config: Configuration) -> list[Contribution]:
    """Rules that already write ``userType``, inbound (to the metaverse) or out."""
    return contributors(config, USER_TYPE)


def precedences_in_use(config: Configuration) -> list[int]:
    return sorted({rule.precedence for rule in config.rules})


def free_precedences(config: Configuration) -> list[int]:
    """Values in 1-99 no rule uses, lowest first."""
    used = set(precedences_in_use(config))
    return [p for p in CUSTOM_PRECEDENCE if p not in used]


def duplicate_precedences(config: Configuration) -> dict[int, list[SyncRule]]:
    """Precedences that more than one rule claims (the engine's order is then
    undefined)."""
    by_value: dict[int, list[SyncRule]] = {}
    for rule in config.rules:
        by_value.setdefault(rule.precedence, []).append(rule)
    return {p: rules for p, rules in sorted(by_value.items()) if len(rules) > 1}


def disabled_with_clones(config: Configuration) -> list[Clone]:
    """Disabled out-of-box rules, each with the enabled custom rules that copy it.

    The editor's "edit" on an out-of-box rule disables the original and makes
    an editable copy with the same connector, direction and object types and,
    unless the admin renames it, a name that contains the original's.
    """
    result = []
    for original in config.rules:
        if original.is_out_of_box and original.disabled:
            clones = tuple(
                rule
                for rule in config.rules
                if not rule.is_out_of_box
                and not rule.disabled
                and _copies(rule, original)
            )
            result.append(Clone(original, clones))
    return sorted(result, key=lambda c: c.original.precedence)


def _copies(rule: SyncRule, original: SyncRule) -> bool:
    return (
        guid_key(rule.connector) == guid_key(original.connector)
        and rule.direction is original.direction
        and _same(rule.source_object_type, original.source_object_type)
        and _same(rule.target_object_type, original.target_object_type)
        and original.name.casefold() in rule.name.casefold()
    )


def ad_connectors_including(config: Configuration, attribute: str) -> dict[str, bool]:
    """For each AD connector (by name): is ``attribute`` in its selection?"""
    return {c.name: c.includes(attribute) for c in config.ad_connectors}


def entra_includes_user_type(config: Configuration) -> bool | None:
    """Is ``userType`` selected on the Entra connector? None: no such connector."""
    entra = config.entra_connector
    return None if entra is None else entra.includes(USER_TYPE)


def metaverse_has_user_type(config: Configuration) -> bool:
    """Does the metaverse ``person`` carry ``userType`` (Connect 1.1.524.0 on)?"""
    return config.metaverse.has("person", USER_TYPE)


@dataclass(frozen=True)
class ConflictReport:
    """The answers for one candidate source attribute, for findings and docs."""

    attribute: str
    readers: tuple[AttributeUse, ...]
    user_type_contributors: tuple[Contribution, ...]
    precedences_in_use: tuple[int, ...]
    free_precedences: tuple[int, ...]
    disabled_out_of_box: tuple[Clone, ...]
    ad_connectors_including: dict[str, bool]
    entra_includes_user_type: bool | None
    metaverse_has_user_type: bool


def analyse(config: Configuration, attribute: str) -> ConflictReport:
    """Every question above for ``attribute`` (read on the AD side)."""
    return ConflictReport(
        attribute=attribute,
        readers=tuple(rules_reading(config, attribute, Direction.INBOUND)),
        user_type_contributors=tuple(user_type_contributors(config)),
        precedences_in_use=tuple(precedences_in_use(config)),
        free_precedences=tuple(free_precedences(config)),
        disabled_out_of_box=tuple(disabled_with_clones(config)),
        ad_connectors_including=ad_connectors_including(config, attribute),
        entra_includes_user_type=entra_includes_user_type(config),
        metaverse_has_user_type=metaverse_has_user_type(config),
    )
