"""Which users the inbound userType rule would see.

The rule is bound to the AD connector's ``user`` (and ``inetOrgPerson``)
objects, scoped like *In from AD - User Common* (``adminDescription
NOTSTARTSWITH User_``). Connect itself filters critical system objects, and a
computer is a ``user`` subclass the connector does not import as a user. With a
configuration export, the connector's partitions and OU filters (containers
included or excluded) narrow it further.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.connect.model import Configuration, Connector, Partition
from generator.errors import UsageError
from generator.model import User, forest_from_dn
from generator.strategies import normalise_dn

USER_CLASSES = ("user", "inetorgperson")
WRITEBACK_PREFIX = "user_"  # adminDescription of objects written back from Entra


def object_class(user: User) -> str | None:
    """``user`` or ``inetOrgPerson`` for the objects the rule sees, else None.

    An export without objectClass (``Get-ADUser | Export-Csv`` leaves it out)
    holds users only, so its objects count as ``user``.
    """
    return _class_of(user.object_classes)


def _class_of(classes: frozenset[str]) -> str | None:
    if not classes:
        return "user"
    if "computer" in classes:
        return None
    if "inetorgperson" in classes:
        return "inetOrgPerson"
    return "user" if "user" in classes else None


def object_reason(user: User) -> str | None:
    """Why the rule would not see ``user`` on its own terms, or None."""
    return _object_reason(user, user.object_classes)


def _object_reason(user: User, classes: frozenset[str]) -> str | None:
    if "computer" in classes:
        return "computer account"
    if _class_of(classes) is None:
        return "not a user object"
    critical = user.text("isCriticalSystemObject")
    if critical is not None and critical.strip().upper() == "TRUE":
        return "critical system object"
    description = user.text("adminDescription") or ""
    if description.lower().startswith(WRITEBACK_PREFIX):
        return "adminDescription starts with User_ (written back from Entra)"
    return None


@dataclass(frozen=True)
class ConnectorScope:
    """The partitions and container filters of the AD connectors of one forest."""

    connectors: tuple[Connector, ...]

    def reason(self, user: User, cls: str) -> str | None:
        """Why the connectors would not import ``user``, or None when one would."""
        try:
            dn = normalise_dn(user.dn)
        except UsageError:
            return "DN cannot be read"
        reasons = [self._partition_reason(p, dn, cls) for p in self._partitions()]
        if any(r is None for r in reasons):
            return None
        known = [r for r in reasons if r and r != _OUTSIDE]
        return known[0] if known else "outside the AD connector's partitions"

    def _partitions(self) -> list[Partition]:
        return [p for c in self.connectors for p in c.partitions if p.selected]

    @staticmethod
    def _partition_reason(partition: Partition, dn: str, cls: str) -> str | None:
        root = _dn(partition.name)
        if root is None or not _under(dn, root):
            return _OUTSIDE
        classes = {c.lower() for c in partition.object_classes}
        if classes and cls.lower() not in classes:
            return f"object type {cls} not selected on the connector"
        return None if _container_selected(partition, dn) else "OU not selected"


_OUTSIDE = "outside"


def _dn(text: str) -> str | None:
    try:
        return normalise_dn(text)
    except UsageError:
        return None


def _under(dn: str, container: str) -> bool:
    return dn == container or dn.endswith("," + container)


def _container_selected(partition: Partition, dn: str) -> bool:
    """The most specific inclusion or exclusion above the object decides."""
    best: tuple[int, bool] | None = None
    for text, included in [
        *((t, True) for t in partition.inclusions),
        *((t, False) for t in partition.exclusions),
    ]:
        container = _dn(text)
        if container is None or not _under(dn, container):
            continue
        if best is None or len(container) > best[0]:
            best = (len(container), included)
    if best is None:
        return not partition.inclusions
    return best[1]


def connectors_for(forest: str, configuration: Configuration) -> tuple[Connector, ...]:
    """The AD connectors whose name or partitions belong to ``forest``."""
    wanted = forest.lower()
    found = []
    for connector in configuration.ad_connectors:
        domains = {forest_from_dn(p.name) for p in connector.partitions}
        related = any(
            d == wanted or d.endswith("." + wanted) or wanted.endswith("." + d)
            for d in domains
            if d
        )
        if related or connector.name.lower() == wanted:
            found.append(connector)
    return tuple(found)


@dataclass
class Scope:
    """The rule's view of one forest: object rules plus the connector filters."""

    connectors: ConnectorScope | None = None

    def reason(self, user: User) -> str | None:
        """Why ``user`` is out of scope, or None when the rule would see it."""
        classes = user.object_classes
        found = _object_reason(user, classes)
        if found is not None:
            return found
        cls = _class_of(classes) or "user"
        if self.connectors is not None and self.connectors.connectors:
            return self.connectors.reason(user, cls)
        return None
