"""Document an Entra Connect configuration: ``CONFIG.md`` and ``CONFIG.html``.

The document answers what an admin opens the Synchronization Rules Editor
for: which connectors select what, which rules run in what order with which
scope, join and flows, who wins each metaverse attribute, and, for the
UserType change, who writes ``userType`` today and whether that is safe.
Everything is gathered here into plain views; the templates only lay it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import outfolder
from generator.connect import conflicts
from generator.connect.exprtext import pretty
from generator.connect.model import (
    AttributeFlow,
    Configuration,
    Connector,
    Direction,
    FlowType,
    SyncRule,
    guid_key,
)
from generator.expressions import ExpressionError, Severity, lint
from generator.render import render

USER_TYPE_VALUES = ("Guest", "Member")


@dataclass(frozen=True)
class FlowView:
    flow: AttributeFlow
    source: str  # what the flow reads, as shown: attributes or the constant
    expression: str | None  # indented for reading


@dataclass(frozen=True)
class RuleView:
    rule: SyncRule
    anchor: str
    connector: str
    flows: tuple[FlowView, ...]


@dataclass(frozen=True)
class RuleGroup:
    """The rules of one connector in one direction, in precedence order."""

    connector: str
    direction: Direction
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class Contributor:
    precedence: int
    rule: str
    anchor: str
    connector: str
    how: str
    disabled: bool


@dataclass(frozen=True)
class AttributeRow:
    name: str
    in_schema: bool
    contributors: tuple[Contributor, ...]


@dataclass(frozen=True)
class ObjectTypeView:
    name: str
    attributes: tuple[AttributeRow, ...]


@dataclass(frozen=True)
class Verdict:
    """One finding on a rule that writes ``userType``."""

    severity: Severity
    message: str
    hint: str = ""

    @property
    def text(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.severity.value}: {self.message}{hint}"


@dataclass(frozen=True)
class UserTypeRow:
    contributor: Contributor
    direction: Direction
    expression: str | None
    verdicts: tuple[Verdict, ...]

    @property
    def ok(self) -> bool:
        return all(v.severity is Severity.INFO for v in self.verdicts)


@dataclass(frozen=True)
class UserTypeView:
    metaverse_has_it: bool
    entra_selects_it: bool | None
    rows: tuple[UserTypeRow, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    """The facts an admin checks before adding a rule."""

    free_precedences: tuple[int, ...]
    duplicates: dict[int, tuple[str, ...]]
    disabled_out_of_box: tuple[conflicts.Clone, ...]


@dataclass(frozen=True)
class ConfigDocument:
    title: str
    server: str
    export_date: str
    version: str
    custom_only: bool
    counts: dict[str, int]
    connectors: tuple[Connector, ...]
    connector_rules: dict[str, int]
    overview: Overview
    groups: tuple[RuleGroup, ...]
    object_types: tuple[ObjectTypeView, ...]
    user_type: UserTypeView


def anchor(rule: SyncRule) -> str:
    return "rule-" + "".join(c for c in guid_key(rule.id) if c.isalnum() or c == "-")


def build(config: Configuration, custom_only: bool = False) -> ConfigDocument:
    """Gather the views the templates lay out."""
    shown = [r for r in config.rules if not (custom_only and r.is_out_of_box)]
    custom = sum(not r.is_out_of_box for r in config.rules)
    mv = config.metaverse
    return ConfigDocument(
        title=mv.server or (config.folder.name if config.folder else "configuration"),
        server=mv.server,
        export_date=mv.export_date,
        version=mv.server_version,
        custom_only=custom_only,
        counts={
            "rules": len(config.rules),
            "custom": custom,
            "out_of_box": len(config.rules) - custom,
            "disabled": sum(r.disabled for r in config.rules),
            "shown": len(shown),
            "connectors": len(config.connectors),
        },
        connectors=tuple(sorted(config.connectors, key=lambda c: c.name.casefold())),
        connector_rules={c.key: len(config.rules_of(c)) for c in config.connectors},
        overview=Overview(
            tuple(conflicts.free_precedences(config)),
            {
                p: tuple(r.name for r in rules)
                for p, rules in conflicts.duplicate_precedences(config).items()
            },
            tuple(conflicts.disabled_with_clones(config)),
        ),
        groups=_groups(config, shown),
        object_types=_object_types(config, shown, only_written=custom_only),
        user_type=_user_type(config),
    )


def _groups(config: Configuration, rules: Iterable[SyncRule]) -> tuple[RuleGroup, ...]:
    grouped: dict[tuple[str, Direction], list[SyncRule]] = {}
    for rule in rules:
        grouped.setdefault((config.connector_name(rule), rule.direction), []).append(
            rule
        )
    order = sorted(grouped, key=lambda k: (k[0].casefold(), k[1] is Direction.OUTBOUND))
    return tuple(
        RuleGroup(
            name,
            direction,
            tuple(
                _rule_view(config, r)
                for r in sorted(grouped[name, direction], key=_precedence_order)
            ),
        )
        for name, direction in order
    )


def _precedence_order(rule: SyncRule) -> tuple[int, str]:
    return rule.precedence, rule.name.casefold()


def _rule_view(config: Configuration, rule: SyncRule) -> RuleView:
    flows = tuple(
        FlowView(
            flow,
            _flow_source(flow),
            None if flow.expression is None else pretty(flow.expression),
        )
        for flow in sorted(rule.flows, key=lambda f: f.destination.casefold())
    )
    return RuleView(rule, anchor(rule), config.connector_name(rule), flows)


def _flow_source(flow: AttributeFlow) -> str:
    if flow.flow_type is FlowType.CONSTANT:
        return flow.constant or ""
    return ", ".join(flow.sources)


def _contributor(
    config: Configuration, rule: SyncRule, flow: AttributeFlow
) -> Contributor:
    if flow.flow_type is FlowType.DIRECT:
        how = "Direct from " + ", ".join(flow.sources)
    elif flow.flow_type is FlowType.CONSTANT:
        how = f"Constant {flow.constant or ''}"
    else:
        how = "Expression"
    connector = config.connector_name(rule)
    return Contributor(
        rule.precedence, rule.name, anchor(rule), connector, how, rule.disabled
    )


def _object_types(
    config: Configuration, rules: list[SyncRule], only_written: bool = False
) -> tuple[ObjectTypeView, ...]:
    """Per metaverse object type, every attribute and its inbound contributors.

    ``only_written`` keeps the attributes some of ``rules`` write, so a
    custom-only document is not a list of every attribute saying "none".
    """
    inbound = [r for r in rules if r.direction is Direction.INBOUND]
    views = []
    types = list(config.metaverse.object_types)
    types += sorted({r.target_object_type for r in inbound} - set(types))
    for object_type in types:
        declared = config.metaverse.object_types.get(object_type, ())
        flows: dict[str, list[Contributor]] = {}
        for rule in sorted(inbound, key=_precedence_order):
            if rule.target_object_type.casefold() != object_type.casefold():
                continue
            for flow in rule.flows:
                entry = flows.setdefault(flow.destination.casefold(), [])
                entry.append(_contributor(config, rule, flow))
        known = {name.casefold(): name for name in declared}
        extra = {k: v[0].rule for k, v in flows.items() if k not in known}
        names = sorted(
            [*declared, *(_destination(rules, k) for k in extra)], key=str.casefold
        )
        rows = tuple(
            AttributeRow(
                name, name.casefold() in known, tuple(flows.get(name.casefold(), ()))
            )
            for name in names
        )
        if only_written:
            rows = tuple(row for row in rows if row.contributors)
        if rows:
            views.append(ObjectTypeView(object_type, rows))
    return tuple(views)


def _destination(rules: Iterable[SyncRule], folded: str) -> str:
    for rule in rules:
        for flow in rule.flows:
            if flow.destination.casefold() == folded:
                return flow.destination
    return folded


# --- userType ------------------------------------------------------------------


def lint_user_type(expression: str) -> list[Verdict]:
    """The expression linter's findings for an expression feeding ``userType``."""
    try:
        findings = lint(expression, target=conflicts.USER_TYPE)
    except ExpressionError as error:
        return [Verdict(Severity.BLOCKER, f"does not parse: {error.message}")]
    return [Verdict(f.severity, f.message, f.hint or "") for f in findings]


def _user_type(config: Configuration) -> UserTypeView:
    rows = tuple(
        _user_type_row(config, c.rule, c.flow)
        for c in conflicts.user_type_contributors(config)
    )
    return UserTypeView(
        metaverse_has_it=conflicts.metaverse_has_user_type(config),
        entra_selects_it=conflicts.entra_includes_user_type(config),
        rows=rows,
        notes=tuple(_user_type_notes(config, rows)),
    )


def _user_type_row(
    config: Configuration, rule: SyncRule, flow: AttributeFlow
) -> UserTypeRow:
    verdicts: list[Verdict] = []
    if rule.disabled:
        verdicts.append(Verdict(Severity.INFO, "disabled: contributes nothing"))
    if flow.flow_type is FlowType.EXPRESSION:
        verdicts += lint_user_type(flow.expression or "")
    elif flow.flow_type is FlowType.CONSTANT:
        if flow.constant not in USER_TYPE_VALUES:
            message = f"the constant {flow.constant!r} is neither Guest nor Member"
            verdicts.append(Verdict(Severity.BLOCKER, message))
    elif rule.direction is Direction.INBOUND:
        verdicts.append(
            Verdict(
                Severity.BLOCKER,
                "a Direct flow passes any value of the source, or none, to Entra "
                "ID, which accepts only Guest and Member",
                "normalise it in an expression with a Member default",
            )
        )
    if flow.execute_once:
        verdicts.append(
            Verdict(
                Severity.WARNING,
                "apply once: a user's type never changes after it is first set",
            )
        )
    return UserTypeRow(
        _contributor(config, rule, flow),
        rule.direction,
        None if flow.expression is None else pretty(flow.expression),
        tuple(verdicts),
    )


def _user_type_notes(config: Configuration, rows: tuple[UserTypeRow, ...]) -> list[str]:
    notes = []
    if not conflicts.metaverse_has_user_type(config):
        notes.append(
            "The metaverse person has no userType: this build is older than "
            "1.1.524.0 and must be upgraded before UserType can sync."
        )
    if conflicts.entra_includes_user_type(config) is False:
        notes.append(
            "userType is not selected on the Entra ID connector, so nothing exports it."
        )
    inbound = [r for r in rows if r.direction is Direction.INBOUND]
    by_connector: dict[str, int] = {}
    for row in inbound:
        if not row.contributor.disabled:
            key = row.contributor.connector
            by_connector[key] = by_connector.get(key, 0) + 1
    for connector, count in sorted(by_connector.items()):
        if count > 1:
            notes.append(
                f"{count} enabled inbound rules on {connector} write userType; "
                "only the one with the lowest precedence number wins for a user in "
                "scope of several."
            )
    if not rows:
        notes.append(
            "No rule writes userType: every user this server creates in Entra ID "
            "is a Member."
        )
    return notes


# --- output ---------------------------------------------------------------------


def render_document(config: Configuration, custom_only: bool = False) -> dict[str, str]:
    """``CONFIG.md`` and ``CONFIG.html`` for ``config``, by file name."""
    doc = build(config, custom_only)
    return {
        "CONFIG.md": render("config/CONFIG.md.j2", doc=doc),
        "CONFIG.html": render("config/CONFIG.html.j2", doc=doc),
    }


def write_document(
    config: Configuration,
    out: Path,
    custom_only: bool = False,
    force: bool = False,
    inputs: outfolder.Inputs = (),
) -> dict[str, str]:
    """Render both files and place them as the folder ``out``, all or nothing."""
    outfolder.check_target(out, force, inputs=inputs)
    files = render_document(config, custom_only)
    outfolder.write_folder(out, files, force)
    return files
