"""What a forest's schema says about an attribute.

The questions the analysis asks: does the attribute exist, is it a
single-valued string, is it in the Global Catalog's partial attribute set, and
may a ``user`` carry it (through its superclasses and its auxiliary and system
auxiliary classes, which is how ``msDS-cloudExtensionAttribute1..20`` reach
``user`` through ``msDS-CloudExtensions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

# attributeSyntax OIDs that hold text (MS-ADTS 3.1.1.2.2.2).
STRING_SYNTAXES = frozenset(
    {
        "2.5.5.3",  # case-sensitive string
        "2.5.5.4",  # case-insensitive string (teletex)
        "2.5.5.5",  # printable / IA5 string
        "2.5.5.12",  # Unicode string
    }
)

SchemaOrigin = Literal["file", "live", "bundled"]


@dataclass(frozen=True, slots=True)
class AttributeDef:
    name: str
    syntax: str
    single_valued: bool
    in_partial_attribute_set: bool = False
    system_only: bool = False

    @property
    def is_string(self) -> bool:
        return self.syntax in STRING_SYNTAXES


@dataclass(frozen=True, slots=True)
class ClassDef:
    name: str
    superclass: str | None = None
    auxiliary: tuple[str, ...] = ()
    may: tuple[str, ...] = ()
    must: tuple[str, ...] = ()


@dataclass
class Schema:
    """A forest's attribute and class definitions, looked up case-insensitively."""

    origin: SchemaOrigin
    source: str
    attributes: dict[str, AttributeDef] = field(default_factory=dict)
    classes: dict[str, ClassDef] = field(default_factory=dict)

    def add_attribute(self, attribute: AttributeDef) -> None:
        self.attributes[attribute.name.lower()] = attribute

    def add_class(self, cls: ClassDef) -> None:
        self.classes[cls.name.lower()] = cls

    def attribute(self, name: str) -> AttributeDef | None:
        return self.attributes.get(name.lower())

    def has(self, name: str) -> bool:
        return name.lower() in self.attributes

    def allowed_on(self, attribute: str, cls: str = "user") -> bool:
        """True when an object of class ``cls`` may hold ``attribute``."""
        wanted = attribute.lower()
        return any(
            wanted in (a.lower() for a in (*c.may, *c.must))
            for c in self._class_closure(cls)
        )

    def _class_closure(self, name: str) -> Iterable[ClassDef]:
        """The class, its superclasses, and every auxiliary class of any of them."""
        seen: set[str] = set()
        pending = [name.lower()]
        while pending:
            key = pending.pop()
            if key in seen or key not in self.classes:
                continue
            seen.add(key)
            cls = self.classes[key]
            yield cls
            if cls.superclass and cls.superclass.lower() != key:
                pending.append(cls.superclass.lower())
            pending.extend(a.lower() for a in cls.auxiliary)

    def verdict(self, attribute: str, cls: str = "user") -> str:
        """One phrase an admin reads in a table: why this attribute fits or not."""
        found = self.attribute(attribute)
        if found is None:
            return "not in schema"
        problems = []
        if not found.is_string:
            problems.append("not a string")
        if not found.single_valued:
            problems.append("multi-valued")
        if not self.allowed_on(attribute, cls):
            problems.append(f"not allowed on {cls}")
        return ", ".join(problems) if problems else "single-valued string on user"
