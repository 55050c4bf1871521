"""The new rules as ``SynchronizationRule_{GUID}.xml`` files, when ids are known.

A rule file names its connector by GUID, so the files are written only when
``--connect-config`` gives the id of every connector a rule is bound to, and
a precedence for each; otherwise the bundle says why they are missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from generator.bundle.rules import RuleSpec
from generator.connect import model
from generator.connect.xmlio import write_rule


def why_no_rule_files(analysis: Any, rules: tuple[RuleSpec, ...]) -> str | None:
    """None when the rule files can be written, else the reason, in words."""
    if analysis.configuration is None:
        return (
            "no --connect-config was given, so the connector ids that rule files "
            "must name are unknown; the apply script finds the connectors on the "
            "server instead"
        )
    missing = sorted(
        {r.connector.name or "Entra" for r in rules if not r.connector.identifier}
    )
    if missing:
        return (
            "the configuration export has no connector for "
            + ", ".join(missing)
            + ", so its id is unknown"
        )
    if any(r.proposed_precedence is None for r in rules):
        return "the configuration export leaves too few free precedences in 1-99"
    return None


def to_sync_rule(spec: RuleSpec) -> model.SyncRule:
    """Our rule record in the configuration model's terms."""
    assert spec.connector.identifier is not None
    assert spec.proposed_precedence is not None
    identifier = model.guid_text(uuid.UUID(spec.identifier))
    return model.SyncRule(
        id=identifier,
        internal_id=identifier,
        name=spec.name,
        direction=model.Direction(spec.direction),
        connector=model.guid_text(uuid.UUID(spec.connector.identifier)),
        source_object_type=spec.source_object_type,
        target_object_type=spec.target_object_type,
        precedence=spec.proposed_precedence,
        description=spec.description,
        immutable_tag=spec.immutable_tag,
        link_type=spec.link_type,
        flows=tuple(_flow(f) for f in spec.flows),
        scope_groups=tuple(
            model.ScopeGroup(
                tuple(model.ScopeCondition(c.attribute, c.operator, c.value) for c in g)
            )
            for g in spec.scope_groups
        ),
    )


def _flow(flow: Any) -> model.AttributeFlow:
    return model.AttributeFlow(
        destination=flow.destination,
        flow_type=model.FlowType(flow.flow_type),
        sources=flow.sources,
        expression=flow.expression,
        merge_type=flow.merge_type,
        execute_once=flow.execute_once,
    )


def rule_files(
    analysis: Any, rules: tuple[RuleSpec, ...]
) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) for every rule, or nothing when ids are unknown."""
    if why_no_rule_files(analysis, rules) is not None:
        return
    for spec in rules:
        rule = to_sync_rule(spec)
        yield rule.file_name, write_rule(rule)
