"""The candidate marker inventory: what each candidate attribute holds today.

One pass over the users, memory bounded by the number of *distinct* values kept
per attribute (``DISTINCT_CAP``), never by the number of users. Past the cap
new values are counted but not kept, and the inventory says "at least N
distinct" rather than pretend to be exact.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.dn import parent_dn
from generator.model import User, display_value
from generator.schema import Schema

CANDIDATE_ATTRIBUTES: tuple[str, ...] = (
    *(f"extensionAttribute{i}" for i in range(1, 16)),
    *(f"msDS-cloudExtensionAttribute{i}" for i in range(1, 21)),
    "employeeType",
    "company",
    "department",
    "division",
)
DISTINCT_CAP = 1000
TOP_VALUES = 10
ACCOUNTDISABLE = 0x2  # userAccountControl bit (MS-ADTS 2.2.16)
NOT_READABLE_THROUGH_GC = "not readable through the GC"


@dataclass
class ValueTally:
    """Counts per distinct value, keeping at most ``cap`` distinct values."""

    cap: int = DISTINCT_CAP
    counts: dict[str, int] = field(default_factory=dict)
    untracked: int = 0  # occurrences of values first seen after the cap

    def add(self, value: str) -> None:
        if value in self.counts:
            self.counts[value] += 1
        elif len(self.counts) < self.cap:
            self.counts[value] = 1
        else:
            self.untracked += 1

    @property
    def exact(self) -> bool:
        return self.untracked == 0

    @property
    def distinct(self) -> int:
        """Exact when :attr:`exact`, else a lower bound."""
        return len(self.counts) + (1 if self.untracked else 0)

    def top(self, n: int) -> list[tuple[str, int]]:
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked if n <= 0 else ranked[:n]

    def distinct_text(self) -> str:
        return str(self.distinct) if self.exact else f"at least {self.distinct}"

    def to_json(self, top: int) -> dict[str, Any]:
        return {
            "distinct": self.distinct,
            "distinct_exact": self.exact,
            "top": [{"value": v, "users": c} for v, c in self.top(top)],
        }


def normalized(value: str) -> str:
    """The form under which case and white-space variants compare equal."""
    return " ".join(value.split()).casefold()


@dataclass
class AttributeInventory:
    """One candidate attribute: schema verdict and what the users hold."""

    name: str
    schema_verdict: str
    in_schema: bool
    single_valued: bool | None
    is_string: bool | None
    in_global_catalog: bool | None
    allowed_on_user: bool
    users_with_value: int = 0
    users_with_several_values: int = 0
    binary_values: int = 0
    blank_values: int = 0
    padded_values: int = 0  # leading or trailing white space
    values: ValueTally = field(default_factory=ValueTally)
    # Why the read could not see this attribute (None: it could). Its counts
    # are then unknown, not zero: a GC leaves such values out without a word.
    unreadable: str | None = None

    def add(self, values: tuple[str | bytes, ...]) -> None:
        self.users_with_value += 1
        if len(values) > 1:
            self.users_with_several_values += 1
        for raw in values:
            if isinstance(raw, bytes):
                self.binary_values += 1
            value = display_value(self.name, raw)
            if not value.strip():
                self.blank_values += 1
            elif value != value.strip():
                self.padded_values += 1
            self.values.add(value)

    def variants(self) -> list[list[tuple[str, int]]]:
        """Groups of kept values that differ only in case or white space."""
        groups: dict[str, list[tuple[str, int]]] = {}
        for value, count in self.values.counts.items():
            groups.setdefault(normalized(value), []).append((value, count))
        found = [sorted(g, key=lambda vc: (-vc[1], vc[0])) for g in groups.values()]
        return sorted((g for g in found if len(g) > 1), key=lambda g: g[0][0])

    def notes(self) -> list[str]:
        """What an admin should know before using this attribute as the marker."""
        notes = []
        if self.unreadable is not None:
            notes.append(f"{self.unreadable}: the users' values are unknown")
        if self.users_with_value and not self.in_schema:
            notes.append("users carry values, but the schema has no such attribute")
        elif self.users_with_value and not self.allowed_on_user:
            notes.append("users carry values, but the schema does not allow it on user")
        if self.users_with_several_values:
            notes.append(f"{self.users_with_several_values} users with several values")
        if self.binary_values:
            notes.append(f"{self.binary_values} binary values")
        if self.blank_values:
            notes.append(f"{self.blank_values} blank values")
        if self.padded_values:
            notes.append(f"{self.padded_values} values with leading/trailing spaces")
        if not self.values.exact:
            notes.append(f"more than {self.values.cap} distinct values; not all kept")
        return notes

    def to_json(self, top: int) -> dict[str, Any]:
        readable = self.unreadable is None
        return {
            "name": self.name,
            "readable": readable,
            "unreadable": self.unreadable,
            "schema": {
                "verdict": self.schema_verdict,
                "exists": self.in_schema,
                "single_valued": self.single_valued,
                "string": self.is_string,
                "global_catalog": self.in_global_catalog,
                "allowed_on_user": self.allowed_on_user,
            },
            # null, never 0, for an attribute the read could not see
            "users_with_value": self.users_with_value if readable else None,
            "users_with_several_values": self.users_with_several_values,
            "binary_values": self.binary_values,
            "blank_values": self.blank_values,
            "padded_values": self.padded_values,
            "values": self.values.to_json(top) if readable else None,
            "variants": [
                [{"value": v, "users": c} for v, c in group]
                for group in self.variants()
            ],
            "notes": self.notes(),
        }


@dataclass
class Inventory:
    """Everything ``inspect`` reports about one source."""

    schema_origin: str
    schema_source: str
    attributes: list[AttributeInventory]
    source: str = ""
    forest: str = ""
    users: int = 0
    disabled: int = 0
    without_upn: int = 0
    mixed_case_upns: int = 0
    upn_suffixes: ValueTally = field(default_factory=ValueTally)
    ous: ValueTally = field(default_factory=ValueTally)
    _ou_spelling: dict[str, str] = field(default_factory=dict, repr=False)
    _keys: list[tuple[str, AttributeInventory]] = field(
        default_factory=list, repr=False
    )

    def add(self, user: User) -> None:
        self.users += 1
        self.forest = self.forest or user.forest
        if _disabled(user):
            self.disabled += 1
        self._add_upn(user.upn)
        self._add_ou(parent_dn(user.dn) or "(top)")
        found = user.attributes
        for key, attribute in self._keyed():
            values = found.get(key)
            if values:
                attribute.add(values)

    def _keyed(self) -> list[tuple[str, AttributeInventory]]:
        """The attributes with their lower-case keys, worked out once."""
        if len(self._keys) != len(self.attributes):
            self._keys = [(a.name.lower(), a) for a in self.attributes]
        return self._keys

    def _add_ou(self, container: str) -> None:
        """DNs compare case-insensitively: count under the first spelling seen."""
        key = container.casefold()
        if key in self._ou_spelling or len(self._ou_spelling) < self.ous.cap:
            container = self._ou_spelling.setdefault(key, container)
        self.ous.add(container)

    def _add_upn(self, upn: str | None) -> None:
        if not upn or "@" not in upn:
            self.without_upn += 1
            return
        if upn != upn.lower():
            self.mixed_case_upns += 1
        self.upn_suffixes.add(upn.rsplit("@", 1)[1].strip().casefold())

    def mark_unreadable(
        self, names: Collection[str], reason: str = NOT_READABLE_THROUGH_GC
    ) -> None:
        """Flag the attributes the source could not read (a live read through
        the Global Catalog, or a snapshot taken through it)."""
        hidden = {name.lower() for name in names}
        for key, attribute in self._keyed():
            if key in hidden:
                attribute.unreadable = reason

    def to_json(self, top: int = TOP_VALUES) -> dict[str, Any]:
        """The inventory as ``inspect --json`` reports it (without the envelope)."""
        return {
            "source": self.source,
            "forest": self.forest,
            "schema": {"origin": self.schema_origin, "source": self.schema_source},
            "users": self.users,
            "disabled": self.disabled,
            "upn": {
                "without_upn": self.without_upn,
                "mixed_case": self.mixed_case_upns,
                "suffixes": self.upn_suffixes.to_json(0),
            },
            "ous": self.ous.to_json(0),
            "attributes": [a.to_json(top) for a in self.attributes],
        }


def build_inventory(
    users: Iterable[User], schema: Schema, extra: Sequence[str] = ()
) -> Inventory:
    """Count, in one pass, what the candidate attributes (and ``extra``) hold."""
    names = _unique([*CANDIDATE_ATTRIBUTES, *extra])
    inventory = Inventory(
        schema_origin=schema.origin,
        schema_source=schema.source,
        attributes=[_attribute_inventory(name, schema) for name in names],
    )
    for user in users:
        inventory.add(user)
    return inventory


def _attribute_inventory(name: str, schema: Schema) -> AttributeInventory:
    found = schema.attribute(name)
    return AttributeInventory(
        name=found.name if found else name,
        schema_verdict=schema.verdict(name),
        in_schema=found is not None,
        single_valued=found.single_valued if found else None,
        is_string=found.is_string if found else None,
        in_global_catalog=found.in_partial_attribute_set if found else None,
        allowed_on_user=schema.allowed_on(name, "user"),
    )


def _unique(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            kept.append(name)
    return kept


def _disabled(user: User) -> bool:
    raw = user.text("userAccountControl")
    if raw is not None and raw.strip().lstrip("-").isdigit():
        return bool(int(raw) & ACCOUNTDISABLE)
    enabled = user.text("enabled")  # Get-ADUser's computed property
    return enabled is not None and enabled.strip().lower() == "false"
