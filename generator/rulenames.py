"""The names and identifiers of the sync rules the change adds.

Both the bundle (which writes the rules) and validation (which checks the
existing configuration for rules in their way) need them, so they live here,
below both. Identifiers are derived, not random, so that running the apply
script twice replaces rather than duplicates.
"""

from __future__ import annotations

import uuid
from typing import Literal

Direction = Literal["Inbound", "Outbound"]

# Fixed namespace for our rule identifiers; changing it orphans deployed rules.
RULE_NAMESPACE = uuid.UUID("6f1c2b8e-4d5a-5e0b-9c71-2a3f8d4e6b10")
ENTRA_KEY = "entra"  # stands for the one Entra connector in identifiers
OUTBOUND_NAME = "Out to AAD - User UserType"


def rule_identifier(connector_key: str, direction: Direction, object_type: str) -> str:
    """The rule's GUID: the same connector, direction and class give the same id."""
    name = f"{direction.lower()}|{object_type.lower()}|{connector_key.lower()}"
    return str(uuid.uuid5(RULE_NAMESPACE, name))


def inbound_label(object_type: str) -> str:
    """``User`` or ``InetOrgPerson``: the class as the rule's name spells it."""
    return "InetOrgPerson" if object_type.lower() == "inetorgperson" else "User"


def inbound_name(object_type: str) -> str:
    return f"In from AD - {inbound_label(object_type)} UserType"
