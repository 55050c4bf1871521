"""An Entra Connect configuration as plain data: rules, connectors, metaverse.

The shapes follow a ``Get-ADSyncServerConfiguration`` export closely enough
that a rule read from ``SynchronizationRule_{GUID}.xml`` and written back is
the same document (see :mod:`generator.connect.xmlio`). Identifiers keep the
spelling of the file (braces, case); compare them through :func:`guid_key`.

Building a new rule for a bundle::

    rule = SyncRule(
        id=guid_text(rule_uuid), name="In from AD - User UserType",
        direction=Direction.INBOUND, connector=ad.id,
        source_object_type="user", target_object_type="person",
        precedence=90, scope_groups=(ScopeGroup((ScopeCondition(
            "adminDescription", "NOTSTARTSWITH", "User_"),)),),
        flows=(AttributeFlow.from_expression("userType", text),),
    )
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

ZERO_GUID = "{00000000-0000-0000-0000-000000000000}"
OUT_OF_BOX_TAG_PREFIX = "Microsoft."
ENTRA_SUBTYPE = "Windows Azure Active Directory (Microsoft)"
AD_CATEGORY = "AD"
SERVER_VERSION_PARAMETER = "Microsoft.Synchronize.ServerConfigurationVersion"


def guid_key(value: str) -> str:
    """The comparable form of a GUID as exports spell it (braces and case vary)."""
    return value.strip().strip("{}").lower()


def guid_text(value: uuid.UUID) -> str:
    """A GUID spelled the way rule files spell it: ``{lowercase}``."""
    return "{" + str(value) + "}"


class Direction(StrEnum):
    INBOUND = "Inbound"
    OUTBOUND = "Outbound"


class FlowType(StrEnum):
    DIRECT = "Direct"
    CONSTANT = "Constant"
    EXPRESSION = "Expression"


# Tokens as exports write them; other values read from a file are kept as found.
LINK_TYPES = ("Join", "Provision", "StickyJoin", "JoinNoFlow")
MERGE_TYPES = ("Update", "Replace", "Merge", "MergeCaseInsensitive")
SCOPE_OPERATORS = (
    "EQUAL", "NOTEQUAL", "LESSTHAN", "LESSTHAN_OR_EQUAL", "CONTAINS", "NOTCONTAINS",
    "STARTSWITH", "NOTSTARTSWITH", "ENDSWITH", "NOTENDSWITH", "GREATERTHAN",
    "GREATERTHAN_OR_EQUAL", "ISNULL", "ISNOTNULL", "ISIN", "ISNOTIN", "ISBITSET",
    "ISBITNOTSET", "ISMEMBEROF", "ISNOTMEMBEROF",
)  # fmt: skip


@dataclass(frozen=True)
class ScopeCondition:
    """One clause of a scoping filter; ``value`` is ``""`` for ISNULL/ISNOTNULL.

    For outbound rules ``attribute`` names a metaverse attribute.
    """

    attribute: str
    operator: str
    value: str = ""


@dataclass(frozen=True)
class ScopeGroup:
    """Clauses that must all hold (AND); a rule's groups are alternatives (OR)."""

    conditions: tuple[ScopeCondition, ...]


@dataclass(frozen=True)
class JoinCondition:
    """Connector-space attribute matched against a metaverse attribute.

    ``case_sensitive`` is None when the file does not say (most rules).
    """

    cs_attribute: str
    mv_attribute: str
    case_sensitive: bool | None = None


@dataclass(frozen=True)
class JoinGroup:
    """Conditions that must all match; groups are tried top-down."""

    conditions: tuple[JoinCondition, ...]


@dataclass(frozen=True)
class AttributeFlow:
    """One transformation of a rule: what flows into ``destination``.

    ``sources`` are the attributes the file lists under ``<src>``; newer exports
    do not always list every attribute an expression reads, so ask
    :mod:`generator.connect.conflicts` rather than ``sources`` what a flow reads.
    ``constant`` is the literal of a Constant flow.
    """

    destination: str
    flow_type: FlowType
    sources: tuple[str, ...] = ()
    expression: str | None = None
    constant: str | None = None
    merge_type: str = "Update"
    execute_once: bool = False

    @classmethod
    def direct(cls, destination: str, source: str) -> AttributeFlow:
        return cls(destination, FlowType.DIRECT, sources=(source,))

    @classmethod
    def from_expression(
        cls, destination: str, expression: str, sources: tuple[str, ...] = ()
    ) -> AttributeFlow:
        return cls(destination, FlowType.EXPRESSION, sources, expression=expression)

    @classmethod
    def constant_value(cls, destination: str, value: str) -> AttributeFlow:
        return cls(destination, FlowType.CONSTANT, constant=value)


@dataclass(frozen=True)
class SyncRule:
    """A synchronization rule, field for field as the export holds it."""

    id: str
    name: str
    direction: Direction
    connector: str
    source_object_type: str
    target_object_type: str
    precedence: int
    internal_id: str = ""  # empty: same as ``id`` when written
    version: str = "1"
    description: str = ""
    immutable_tag: str = ""
    disabled: bool = False
    link_type: str = "Join"
    precedence_after: str = ZERO_GUID
    precedence_before: str = ZERO_GUID
    soft_delete_expiry: str = "00:00:00"
    enable_password_sync: bool = False
    flows: tuple[AttributeFlow, ...] = ()
    join_groups: tuple[JoinGroup, ...] = ()
    scope_groups: tuple[ScopeGroup, ...] = ()
    source: Path | None = field(default=None, compare=False, repr=False)

    @property
    def is_out_of_box(self) -> bool:
        """Microsoft's own rules carry an immutable tag ``Microsoft.<Name>.<nnn>``."""
        return self.immutable_tag.startswith(OUT_OF_BOX_TAG_PREFIX)

    @property
    def file_name(self) -> str:
        return f"SynchronizationRule_{self.id}.xml"

    @property
    def key(self) -> str:
        return guid_key(self.id)

    def scope_conditions(self) -> Iterator[ScopeCondition]:
        for group in self.scope_groups:
            yield from group.conditions

    def join_conditions(self) -> Iterator[JoinCondition]:
        for group in self.join_groups:
            yield from group.conditions


@dataclass(frozen=True)
class Partition:
    """A naming context of a connector (an AD domain) and what it selects."""

    name: str
    display_name: str = ""
    selected: bool = True
    object_classes: tuple[str, ...] = ()
    inclusions: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Connector:
    """A connector (management agent): its identity, selections and schema."""

    id: str
    name: str
    category: str
    subtype: str = ""
    description: str = ""
    partitions: tuple[Partition, ...] = ()
    attribute_inclusions: tuple[str, ...] = ()
    schema: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return guid_key(self.id)

    @property
    def is_ad(self) -> bool:
        return self.category.upper() == AD_CATEGORY

    @property
    def is_entra(self) -> bool:
        return self.subtype == ENTRA_SUBTYPE

    @property
    def kind(self) -> str:
        """What an admin calls it: ``AD``, ``Entra ID`` or the raw category."""
        if self.is_entra:
            return "Entra ID"
        return AD_CATEGORY if self.is_ad else self.category

    @property
    def object_types(self) -> tuple[str, ...]:
        """Object classes selected in any selected partition, in file order."""
        seen: dict[str, None] = {}
        for partition in self.partitions:
            if partition.selected:
                seen.update(dict.fromkeys(partition.object_classes))
        return tuple(seen)

    def includes(self, attribute: str) -> bool:
        """Is ``attribute`` in "Select Attributes" (case-insensitive, as AD is)?"""
        wanted = attribute.lower()
        return any(a.lower() == wanted for a in self.attribute_inclusions)


@dataclass(frozen=True)
class MetaverseAttribute:
    name: str
    syntax: str = ""
    multivalued: bool = False


@dataclass(frozen=True)
class MetaverseSchema:
    """Metaverse object types and the attributes each may hold."""

    object_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    attributes: Mapping[str, MetaverseAttribute] = field(default_factory=dict)
    server: str = ""
    export_date: str = ""
    parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def server_version(self) -> str:
        """The build that wrote the export, when the global settings say it."""
        return self.parameters.get(SERVER_VERSION_PARAMETER, "")

    def has(self, object_type: str, attribute: str) -> bool:
        """Does ``object_type`` carry ``attribute``? (case-insensitive)"""
        wanted = attribute.lower()
        names = self.object_types.get(object_type, ())
        return any(name.lower() == wanted for name in names)


@dataclass(frozen=True)
class Configuration:
    """Everything one export folder holds that the tool uses."""

    rules: tuple[SyncRule, ...]
    connectors: tuple[Connector, ...]
    metaverse: MetaverseSchema
    folder: Path | None = field(default=None, compare=False)

    def connector(self, id_or_name: str) -> Connector | None:
        """The connector with this GUID, or this name (case-insensitive)."""
        for connector in self.connectors:
            if connector.key == guid_key(id_or_name):
                return connector
        wanted = id_or_name.casefold()
        return next((c for c in self.connectors if c.name.casefold() == wanted), None)

    def connector_name(self, rule: SyncRule) -> str:
        """The name of the rule's connector, or its GUID when it is not exported."""
        found = self.connector(rule.connector)
        return found.name if found else rule.connector

    def rules_of(self, connector: Connector) -> tuple[SyncRule, ...]:
        return tuple(r for r in self.rules if guid_key(r.connector) == connector.key)

    @property
    def ad_connectors(self) -> tuple[Connector, ...]:
        return tuple(c for c in self.connectors if c.is_ad)

    @property
    def entra_connector(self) -> Connector | None:
        return next((c for c in self.connectors if c.is_entra), None)
