"""Compare two Entra Connect configurations: active against staging, before
against after.

Rule and connector ids differ between installations, so nothing is matched by
id. A rule is matched by direction, connector name (after ``--map``) and
rule name, all case-insensitively; matched rules are compared field by field,
expressions after normalising whitespace. Connectors are matched by name the
same way; their partitions and attribute selections are compared as sets.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.connect.exprtext import normalise
from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Connector,
    Direction,
    MetaverseSchema,
    SyncRule,
    guid_key,
)
from generator.errors import UsageError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One field that differs: its name and both values as shown to an admin."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class RuleRef:
    """A rule as the diff names it (the connector name is the side's own)."""

    direction: Direction
    connector: str
    name: str
    precedence: int
    custom: bool
    disabled: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction.value,
            "connector": self.connector,
            "name": self.name,
            "precedence": self.precedence,
            "custom": self.custom,
            "disabled": self.disabled,
        }


@dataclass(frozen=True)
class RuleChange:
    before: RuleRef
    after: RuleRef
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ConnectorChange:
    name: str  # as named in B
    changes: tuple[Change, ...]
    attributes_added: tuple[str, ...] = ()
    attributes_removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectTypeChange:
    object_type: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass
class ConfigDiff:
    """What differs between configuration A and configuration B."""

    a: str
    b: str
    mapping: dict[str, str]
    rules_added: list[RuleRef] = field(default_factory=list)
    rules_removed: list[RuleRef] = field(default_factory=list)
    rules_changed: list[RuleChange] = field(default_factory=list)
    connectors_added: list[str] = field(default_factory=list)
    connectors_removed: list[str] = field(default_factory=list)
    connectors_changed: list[ConnectorChange] = field(default_factory=list)
    metaverse_changed: list[ObjectTypeChange] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (
            self.rules_added
            or self.rules_removed
            or self.rules_changed
            or self.connectors_added
            or self.connectors_removed
            or self.connectors_changed
            or self.metaverse_changed
        )

    @property
    def selections_changed(self) -> list[ConnectorChange]:
        return [
            c
            for c in self.connectors_changed
            if c.attributes_added or c.attributes_removed
        ]

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` document.

        ``rules.added``/``removed`` hold rule references (direction, connector,
        name, precedence, custom, disabled); ``rules.changed`` pairs the A and
        B reference with ``changes`` of ``{field, before, after}``;
        ``connectors.changed`` adds ``attributes_added``/``attributes_removed``
        (selected in B only / in A only); ``metaverse`` lists object types whose
        attributes differ.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "a": self.a,
            "b": self.b,
            "mapping": self.mapping,
            "equal": self.equal,
            "rules": {
                "added": [r.as_json() for r in self.rules_added],
                "removed": [r.as_json() for r in self.rules_removed],
                "changed": [
                    {
                        "a": c.before.as_json(),
                        "b": c.after.as_json(),
                        "changes": [vars(x) for x in c.changes],
                    }
                    for c in self.rules_changed
                ],
            },
            "connectors": {
                "added": self.connectors_added,
                "removed": self.connectors_removed,
                "changed": [
                    {
                        "name": c.name,
                        "changes": [vars(x) for x in c.changes],
                        "attributes_added": list(c.attributes_added),
                        "attributes_removed": list(c.attributes_removed),
                    }
                    for c in self.connectors_changed
                ],
            },
            "metaverse": [
                {
                    "object_type": m.object_type,
                    "added": list(m.added),
                    "removed": list(m.removed),
                }
                for m in self.metaverse_changed
            ],
            "hints": self.hints,
        }


# --- connector mapping ----------------------------------------------------------


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``--map A_NAME=B_NAME`` options as a dict; a malformed one is a usage error."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        a, eq, b = pair.partition("=")
        if not eq or not a.strip() or not b.strip():
            raise UsageError(f"--map {pair!r}: expected NAME=NAME")
        if a.strip().casefold() in {k.casefold() for k in mapping}:
            raise UsageError(f"--map: {a.strip()!r} is mapped twice")
        mapping[a.strip()] = b.strip()
    return mapping


def _check_mapping(
    mapping: Mapping[str, str], a: Configuration, b: Configuration
) -> None:
    for source, target in mapping.items():
        if a.connector(source) is None:
            raise UsageError(f"--map {source}={target}: A has no connector {source!r}")
        if b.connector(target) is None:
            raise UsageError(f"--map {source}={target}: B has no connector {target!r}")


class _Names:
    """Connector names of A translated into B's, case-insensitively."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._map = {k.casefold(): v.casefold() for k, v in mapping.items()}

    def a(self, name: str) -> str:
        folded = name.casefold()
        return self._map.get(folded, folded)


# --- comparing ------------------------------------------------------------------


def compare(
    a: Configuration,
    b: Configuration,
    mapping: Mapping[str, str] | None = None,
    labels: tuple[str, str] = ("A", "B"),
) -> ConfigDiff:
    """Everything that differs between ``a`` and ``b``."""
    mapping = dict(mapping or {})
    _check_mapping(mapping, a, b)
    names = _Names(mapping)
    result = ConfigDiff(labels[0], labels[1], mapping)
    _compare_rules(a, b, names, result)
    _compare_connectors(a, b, names, result)
    result.metaverse_changed = _compare_metaverse(a.metaverse, b.metaverse)
    return result


def _ref(config: Configuration, rule: SyncRule) -> RuleRef:
    return RuleRef(
        rule.direction,
        config.connector_name(rule),
        rule.name,
        rule.precedence,
        not rule.is_out_of_box,
        rule.disabled,
    )


def _by_key(
    config: Configuration, translate: Callable[[str], str]
) -> dict[tuple[Direction, str, str], list[SyncRule]]:
    keyed: dict[tuple[Direction, str, str], list[SyncRule]] = {}
    for rule in sorted(config.rules, key=lambda r: r.precedence):
        key = (
            rule.direction,
            translate(config.connector_name(rule)),
            rule.name.casefold(),
        )
        keyed.setdefault(key, []).append(rule)
    return keyed


def _compare_rules(
    a: Configuration, b: Configuration, names: _Names, result: ConfigDiff
) -> None:
    left = _by_key(a, names.a)
    right = _by_key(b, str.casefold)
    for key in sorted(set(left) | set(right), key=lambda k: (k[1], k[0], k[2])):
        olds, news = left.get(key, []), right.get(key, [])
        for old, new in zip(olds, news, strict=False):
            changes = tuple(_rule_changes(a, old, b, new))
            if changes:
                result.rules_changed.append(
                    RuleChange(_ref(a, old), _ref(b, new), changes)
                )
        result.rules_removed += [_ref(a, r) for r in olds[len(news) :]]
        result.rules_added += [_ref(b, r) for r in news[len(olds) :]]


# Label shown to the admin -> SyncRule field; ids are left out on purpose.
_RULE_FIELDS = {
    "description": "description",
    "immutable tag": "immutable_tag",
    "version": "version",
    "disabled": "disabled",
    "source object type": "source_object_type",
    "target object type": "target_object_type",
    "link type": "link_type",
    "precedence": "precedence",
    "soft delete expiry": "soft_delete_expiry",
    "password sync": "enable_password_sync",
}
_NEIGHBOUR_FIELDS = {
    "precedence after": "precedence_after",
    "precedence before": "precedence_before",
}


def _rule_changes(
    a: Configuration, old: SyncRule, b: Configuration, new: SyncRule
) -> Iterable[Change]:
    for label, name in _RULE_FIELDS.items():
        before, after = str(getattr(old, name)), str(getattr(new, name))
        if before != after:
            yield Change(label, before, after)
    for label, name in _NEIGHBOUR_FIELDS.items():
        before = _neighbour(a, getattr(old, name))
        after = _neighbour(b, getattr(new, name))
        if before != after:
            yield Change(label, before, after)
    if _scope_key(old) != _scope_key(new):
        yield Change("scope", scope_text(old), scope_text(new))
    if _join_key(old) != _join_key(new):
        yield Change("join", join_text(old), join_text(new))
    yield from _flow_changes(old.flows, new.flows)


def _neighbour(config: Configuration, guid: str) -> str:
    """A precedence-after/before reference by rule name (ids differ per server)."""
    if not guid or guid_key(guid) == "00000000-0000-0000-0000-000000000000":
        return ""
    found = next((r for r in config.rules if r.key == guid_key(guid)), None)
    return found.name if found else guid


def _scope_key(rule: SyncRule) -> frozenset[frozenset[tuple[str, str, str]]]:
    """Scope groups are ORed and their clauses ANDed: order does not matter."""
    return frozenset(
        frozenset(
            (c.attribute.casefold(), c.operator.upper(), c.value) for c in g.conditions
        )
        for g in rule.scope_groups
    )


def _join_key(rule: SyncRule) -> tuple[frozenset[tuple[str, str, bool]], ...]:
    """Join groups are tried in order; conditions within one are ANDed."""
    return tuple(
        frozenset(
            (
                c.cs_attribute.casefold(),
                c.mv_attribute.casefold(),
                bool(c.case_sensitive),
            )
            for c in g.conditions
        )
        for g in rule.join_groups
    )


def scope_text(rule: SyncRule) -> str:
    groups = (
        [f"{c.attribute} {c.operator} {c.value}".rstrip() for c in g.conditions]
        for g in rule.scope_groups
    )
    return _groups_text(groups, " OR ") or "(every object)"


def join_text(rule: SyncRule) -> str:
    groups = (
        [
            f"{c.cs_attribute} = {c.mv_attribute}"
            + (" (case-sensitive)" if c.case_sensitive else "")
            for c in g.conditions
        ]
        for g in rule.join_groups
    )
    return _groups_text(groups, " ELSE ") or "(none)"


def _groups_text(groups: Iterable[list[str]], between: str) -> str:
    return between.join("(" + " AND ".join(group) + ")" for group in groups)


def _flow_changes(
    olds: Sequence[AttributeFlow], news: Sequence[AttributeFlow]
) -> Iterable[Change]:
    left: dict[str, list[AttributeFlow]] = {}
    right: dict[str, list[AttributeFlow]] = {}
    for flows, target in ((olds, left), (news, right)):
        for flow in flows:
            target.setdefault(flow.destination.casefold(), []).append(flow)
    for key in sorted(set(left) | set(right)):
        before, after = left.get(key, []), right.get(key, [])
        for old, new in zip(before, after, strict=False):
            yield from _one_flow(old, new)
        for old in before[len(after) :]:
            yield Change(f"flow {old.destination}", flow_text(old), "(none)")
        for new in after[len(before) :]:
            yield Change(f"flow {new.destination}", "(none)", flow_text(new))


def _one_flow(old: AttributeFlow, new: AttributeFlow) -> Iterable[Change]:
    prefix = f"flow {new.destination}"
    pairs = (
        ("type", old.flow_type.value, new.flow_type.value),
        ("merge type", old.merge_type, new.merge_type),
        ("apply once", str(old.execute_once), str(new.execute_once)),
        ("constant", old.constant or "", new.constant or ""),
    )
    for name, before, after in pairs:
        if before != after:
            yield Change(f"{prefix} {name}", before, after)
    if _sources(old) != _sources(new):
        yield Change(
            f"{prefix} sources", ", ".join(old.sources), ", ".join(new.sources)
        )
    if normalise(old.expression or "") != normalise(new.expression or ""):
        yield Change(f"{prefix} expression", old.expression or "", new.expression or "")


def _sources(flow: AttributeFlow) -> frozenset[str]:
    return frozenset(s.casefold() for s in flow.sources)


def flow_text(flow: AttributeFlow) -> str:
    if flow.expression is not None:
        return f"Expression {flow.expression}"
    if flow.constant is not None:
        return f"Constant {flow.constant}"
    return "Direct from " + ", ".join(flow.sources)


def _compare_connectors(
    a: Configuration, b: Configuration, names: _Names, result: ConfigDiff
) -> None:
    left = {names.a(c.name): c for c in a.connectors}
    right = {c.name.casefold(): c for c in b.connectors}
    for key in sorted(set(left) | set(right)):
        old, new = left.get(key), right.get(key)
        if old is None and new is not None:
            result.connectors_added.append(new.name)
        elif new is None and old is not None:
            result.connectors_removed.append(old.name)
        elif old is not None and new is not None:
            change = _connector_change(old, new)
            if change.changes or change.attributes_added or change.attributes_removed:
                result.connectors_changed.append(change)
    _hint_renames(a, b, result)


def _hint_renames(a: Configuration, b: Configuration, result: ConfigDiff) -> None:
    for name in result.connectors_removed:
        old = a.connector(name)
        new = b.connector(old.id) if old else None
        if new is not None and new.name in result.connectors_added:
            result.hints.append(
                f"connector {name!r} in {result.a} and {new.name!r} in {result.b} "
                f"share the id {new.id}; if they are the same, compare with "
                f"--map {shlex.quote(f'{name}={new.name}')}"
            )


def _connector_change(old: Connector, new: Connector) -> ConnectorChange:
    changes = []  # names match by definition (case-insensitive, or --map)
    for name, before, after in (
        ("type", old.kind, new.kind),
        ("subtype", old.subtype, new.subtype),
    ):
        if before != after:
            changes.append(Change(name, before, after))
    changes += _partition_changes(old, new)
    selected_a, selected_b = old.attribute_inclusions, new.attribute_inclusions
    return ConnectorChange(
        new.name,
        tuple(changes),
        _only(selected_b, selected_a),
        _only(selected_a, selected_b),
    )


def _only(these: Iterable[str], not_those: Iterable[str]) -> tuple[str, ...]:
    """Names in ``these`` but not in ``not_those``, case-insensitively, sorted."""
    excluded = {name.casefold() for name in not_those}
    kept = {name.casefold(): name for name in these if name.casefold() not in excluded}
    return tuple(sorted(kept.values(), key=str.casefold))


_PARTITION_FIELDS = {
    "selected": "selected",
    "object types": "object_classes",
    "included containers": "inclusions",
    "excluded containers": "exclusions",
}


def _partition_changes(old: Connector, new: Connector) -> list[Change]:
    left = {p.name.casefold(): p for p in old.partitions}
    right = {p.name.casefold(): p for p in new.partitions}
    changes = []
    for key in sorted(set(left) | set(right)):
        before, after = left.get(key), right.get(key)
        if before is None and after is not None:
            changes.append(Change(f"partition {after.name}", "(none)", "added"))
        elif after is None and before is not None:
            changes.append(Change(f"partition {before.name}", "present", "(none)"))
        elif before is not None and after is not None:
            for label, name in _PARTITION_FIELDS.items():
                x, y = _set_text(getattr(before, name)), _set_text(getattr(after, name))
                if x != y:
                    changes.append(Change(f"partition {after.name} {label}", x, y))
    return changes


def _set_text(values: Iterable[str] | bool) -> str:
    if isinstance(values, bool):
        return str(values)
    return ", ".join(
        sorted({v.casefold(): v for v in values}.values(), key=str.casefold)
    )


def _compare_metaverse(
    a: MetaverseSchema, b: MetaverseSchema
) -> list[ObjectTypeChange]:
    changes = []
    for object_type in sorted(set(a.object_types) | set(b.object_types)):
        left = a.object_types.get(object_type, ())
        right = b.object_types.get(object_type, ())
        added, removed = _only(right, left), _only(left, right)
        if added or removed:
            changes.append(ObjectTypeChange(object_type, added, removed))
    return changes


# --- human output ---------------------------------------------------------------


def _shown(text: str) -> str:
    """One terminal line: breaks and control characters made visible."""
    return "".join(
        c if c.isprintable() else repr(c)[1:-1] for c in text.replace("\r\n", "\n")
    )


def _rule_line(sign: str, ref: RuleRef) -> str:
    state = ", disabled" if ref.disabled else ""
    kind = "custom" if ref.custom else "out-of-box"
    return (
        f"  {sign} {ref.direction.value:<8} {_shown(ref.connector)}: "
        f"{_shown(ref.name)} (precedence {ref.precedence}, {kind}{state})"
    )


def format_text(diff: ConfigDiff) -> str:
    """The diff as plain text lines for the terminal."""
    lines = [f"A: {_shown(diff.a)}", f"B: {_shown(diff.b)}"]
    lines += [f"mapped: {_shown(a)} = {_shown(b)}" for a, b in diff.mapping.items()]
    if diff.equal:
        return "\n".join([*lines, "", "No differences."]) + "\n"
    sections = {
        "Rules added in B": [_rule_line("+", r) for r in diff.rules_added],
        "Rules removed from A": [_rule_line("-", r) for r in diff.rules_removed],
        "Rules changed": [x for c in diff.rules_changed for x in _changed(c)],
        "Connectors added in B": [f"  + {_shown(n)}" for n in diff.connectors_added],
        "Connectors removed from A": [
            f"  - {_shown(n)}" for n in diff.connectors_removed
        ],
        "Connectors changed": [
            x for c in diff.connectors_changed for x in _connector(c)
        ],
        "Metaverse schema changed": [
            x for m in diff.metaverse_changed for x in _object_type(m)
        ],
    }
    for title, body in sections.items():
        if body:
            lines += ["", f"{title}:", *body]
    lines += ["", *[f"hint: {_shown(h)}" for h in diff.hints]] if diff.hints else []
    lines += ["", summary(diff)]
    return "\n".join(lines) + "\n"


def summary(diff: ConfigDiff) -> str:
    counts = (
        (len(diff.rules_added), "added"),
        (len(diff.rules_removed), "removed"),
        (len(diff.rules_changed), "changed"),
    )
    rules = ", ".join(f"{n} {word}" for n, word in counts)
    connectors = (
        len(diff.connectors_added)
        + len(diff.connectors_removed)
        + len(diff.connectors_changed)
    )
    return f"Rules: {rules}. Connectors differing: {connectors}."


def _changed(change: RuleChange) -> list[str]:
    lines = [_rule_line("~", change.after)]
    for item in change.changes:
        name = _shown(item.field)
        before = _shown(item.before) or "(empty)"
        after = _shown(item.after) or "(empty)"
        if len(name) + len(before) + len(after) < 60:
            lines.append(f"      {name}: {before} -> {after}")
        else:
            lines.append(f"      {name}: {before}")
            lines.append(f"      {' ' * len(name)}  -> {after}")
    return lines


def _connector(change: ConnectorChange) -> list[str]:
    lines = [f"  ~ {_shown(change.name)}"]
    for item in change.changes:
        lines.append(
            f"      {_shown(item.field)}: {_shown(item.before)} -> {_shown(item.after)}"
        )
    if change.attributes_added:
        added = ", ".join(map(_shown, change.attributes_added))
        lines.append(f"      attributes selected in B only: {added}")
    if change.attributes_removed:
        removed = ", ".join(map(_shown, change.attributes_removed))
        lines.append(f"      attributes selected in A only: {removed}")
    return lines


def _object_type(change: ObjectTypeChange) -> list[str]:
    lines = [f"  ~ {_shown(change.object_type)}"]
    if change.added:
        lines.append("      attributes in B only: " + ", ".join(change.added))
    if change.removed:
        lines.append("      attributes in A only: " + ", ".join(change.removed))
    return lines
