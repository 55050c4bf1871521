"""The new sync rules the bundle adds, as plain records.

One inbound rule per AD connector in scope (and one more for ``inetOrgPerson``
where partner accounts use that class), and one outbound rule to the Entra
connector. The shape follows Microsoft's UserType procedure
(reference/entra-connect.md §1.3): link type Join, no join conditions, merge
type Update, apply-once off, empty immutable tag. Identifiers are derived, not
random, so that running the apply script twice replaces rather than duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.errors import UsageError
from generator.marker import Marker
from generator.rulenames import (
    ENTRA_KEY,
    OUTBOUND_NAME,
    Direction,
    inbound_label,
    inbound_name,
    rule_identifier,
)

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
ENTRA_SUBTYPE = "Windows Azure Active Directory (Microsoft)"
TARGET_ATTRIBUTE = "userType"
LOWEST_PRECEDENCE = 1
HIGHEST_PRECEDENCE = 99


@dataclass(frozen=True)
class ScopeCondition:
    """One clause of a scoping group: attribute, value, operator token."""

    attribute: str
    value: str
    operator: str


@dataclass(frozen=True)
class Flow:
    """One attribute flow into ``destination``."""

    destination: str
    flow_type: Literal["Direct", "Expression"]
    sources: tuple[str, ...]
    expression: str | None = None
    merge_type: str = "Update"
    execute_once: bool = False


@dataclass(frozen=True)
class ConnectorTarget:
    """A connector as the bundle expects to find it on the server."""

    name: str | None  # None: the Entra connector, found by its subtype alone
    identifier: str | None = None  # from --connect-config, checked again at run time
    kind: Literal["AD", "Entra"] = "AD"
    forest: str | None = None


@dataclass(frozen=True)
class RuleSpec:
    """A sync rule we add; rendered into scripts, documents and rule XML."""

    key: str  # short stable handle used in scripts, e.g. "in-user-contoso.com"
    name: str
    identifier: str
    description: str
    direction: Direction
    connector: ConnectorTarget
    source_object_type: str
    target_object_type: str
    scope_groups: tuple[tuple[ScopeCondition, ...], ...]
    flows: tuple[Flow, ...]
    proposed_precedence: int | None = None
    link_type: str = "Join"
    immutable_tag: str = ""


def inbound_rule(
    marker: Marker, connector: ConnectorTarget, object_type: str = "user"
) -> RuleSpec:
    """The AD-side rule: the marker's expression into metaverse ``userType``."""
    # keyed on the connector name the script looks for: one id per AD connector
    forest = connector.name or connector.forest or ""
    label = inbound_label(object_type)
    flow = Flow(
        destination=TARGET_ATTRIBUTE,
        flow_type="Expression",
        sources=tuple(sorted(set(marker.source_attributes), key=str.lower)),
        expression=marker.expression,
    )
    return RuleSpec(
        key=f"in-{label.lower()}-{forest.lower()}",
        name=inbound_name(object_type),
        identifier=rule_identifier(forest, "Inbound", object_type),
        description=_description(marker),
        direction="Inbound",
        connector=connector,
        source_object_type=object_type,
        target_object_type="person",
        # the scope of "In from AD - User Common": skip user-writeback objects
        scope_groups=((ScopeCondition("adminDescription", "User_", "NOTSTARTSWITH"),),),
        flows=(flow,),
    )


def outbound_rule(marker: Marker, connector: ConnectorTarget) -> RuleSpec:
    """The Entra-side rule: metaverse ``userType`` straight to the cloud user."""
    flow = Flow(
        destination=TARGET_ATTRIBUTE,
        flow_type="Direct",
        sources=(TARGET_ATTRIBUTE,),
    )
    # the scope of "Out to AAD - User Identity": only users sourced on-premises
    scope = (
        ScopeCondition("sourceObjectType", "User", "EQUAL"),
        ScopeCondition("cloudMastered", "True", "NOTEQUAL"),
    )
    return RuleSpec(
        key="out-user-entra",
        name=OUTBOUND_NAME,
        identifier=rule_identifier(ENTRA_KEY, "Outbound", "user"),
        description=_description(marker),
        direction="Outbound",
        connector=connector,
        source_object_type="person",
        target_object_type="user",
        scope_groups=(scope,),
        flows=(flow,),
    )


def build_rules(
    marker: Marker,
    ad_connectors: tuple[ConnectorTarget, ...],
    entra: ConnectorTarget,
    inetorgperson_forests: frozenset[str] = frozenset(),
    proposed: tuple[int, ...] = (),
) -> tuple[RuleSpec, ...]:
    """Every rule the change adds, inbound first, each with a proposed precedence."""
    rules: list[RuleSpec] = []
    for connector in sorted(ad_connectors, key=lambda c: c.forest or c.name or ""):
        rules.append(inbound_rule(marker, connector))
        if (connector.forest or "").lower() in inetorgperson_forests:
            rules.append(inbound_rule(marker, connector, "inetOrgPerson"))
    rules.append(outbound_rule(marker, entra))
    _check_room(proposed, len(rules))
    return tuple(_with_precedence(rule, proposed, i) for i, rule in enumerate(rules))


def _check_room(proposed: tuple[int, ...], count: int) -> None:
    """A pinned first precedence numbers the rules on from it, up to 99 at most.

    Pinned numbers arrive as the run from the admin's number to 99; when the
    run is shorter than the rule list, the last rules would have no number.
    """
    if not proposed or len(proposed) >= count:
        return
    first = proposed[0]
    if proposed != tuple(range(first, HIGHEST_PRECEDENCE + 1)):
        return  # free numbers from the configuration: validation reports a lack
    last = HIGHEST_PRECEDENCE - count + 1
    raise UsageError(
        f"--precedence {first}: the {count} new rules take consecutive "
        f"precedences from it, and only {len(proposed)} fit up to "
        f"{HIGHEST_PRECEDENCE}; choose a first precedence from "
        f"{LOWEST_PRECEDENCE} to {last}"
    )


def _with_precedence(rule: RuleSpec, proposed: tuple[int, ...], index: int) -> RuleSpec:
    if index >= len(proposed):
        return rule
    return RuleSpec(**{**rule.__dict__, "proposed_precedence": proposed[index]})


def _description(marker: Marker) -> str:
    return f"Sets userType (Guest for partners, else Member); marker {marker.spec}"
