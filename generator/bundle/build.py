"""Turn an analysis into the change bundle (PRODUCT.md, "The change bundle").

The order matters: ``preview.csv`` streams first (its totals and the partner
classes decide the rules), then the scripts, rule files and ``report.json``,
and last the two change documents, which list the SHA-256 of every other file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from generator import __version__
from generator.analysis import Analysis
from generator.bundle import culprit
from generator.bundle import rules as rulebook
from generator.bundle.preview import (
    CHANGE_KEY,
    CLOUD_TYPE_KEY,
    PreviewStats,
    write_preview,
)
from generator.bundle.rules import ConnectorTarget, RuleSpec
from generator.bundle.writer import BundleFolder, staged_bundle
from generator.bundle.xmlrules import rule_files, why_no_rule_files
from generator.errors import BlockedError, UsageError
from generator.escaping import UnrepresentableValue
from generator.marker import Marker, UserOutcome
from generator.model import forest_from_dn
from generator.preview import NOT_IN_CLOUD
from generator.render import stream
from generator.validate import CHANGES_SINCE, parse_version

SCHEMA_VERSION = 1
PSEUDO_ATTRIBUTES = frozenset({"dn", "distinguishedname"})
SEVERITY_ORDER = {"blocker": 0, "warning": 1, "info": 2}
ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")

Outcomes = Callable[[Analysis], Iterator[UserOutcome]]


@dataclass(frozen=True)
class Selection:
    """An attribute the change needs in a connector's "Select Attributes" list."""

    connector: ConnectorTarget
    attribute: str
    selected: bool | None  # None: unknown without --connect-config


@dataclass(frozen=True)
class BundleResult:
    out: Path
    files: tuple[tuple[str, str], ...]  # (relative path, sha256), sorted
    stats: PreviewStats
    rules: tuple[RuleSpec, ...]


def write_bundle(
    analysis: Analysis, out: Path, *, force: bool, outcomes: Outcomes
) -> BundleResult:
    """Write the whole bundle for ``analysis`` into ``out``, or nothing at all."""
    marker = _usable_marker(analysis)
    try:
        return _write(analysis, marker, out, force=force, outcomes=outcomes)
    except UnrepresentableValue as error:
        raise culprit.located(error, analysis, outcomes(analysis)) from None


def _write(
    analysis: Analysis, marker: Marker, out: Path, *, force: bool, outcomes: Outcomes
) -> BundleResult:
    with staged_bundle(out, force) as folder:
        sink = folder.open_text("preview.csv")
        try:
            stats = write_preview(sink, outcomes(analysis))
        finally:
            sink.close()
        context = _context(analysis, marker, stats)
        _write_scripts(folder, context, analysis, outcomes)
        for name, data in rule_files(analysis, context["rules"]):
            folder.write_bytes(f"rules/{name}", data)
        folder.write_text("report.json", [_report(context, folder.digests)])
        context["files"] = sorted(folder.digests.items())
        folder.write_text("CHANGE.md", stream("bundle/CHANGE.md.j2", **context))
        folder.write_text("CHANGE.html", stream("bundle/CHANGE.html.j2", **context))
        files = tuple(sorted(folder.digests.items()))
    return BundleResult(out, files, stats, context["rules"])


def _usable_marker(analysis: Analysis) -> Marker:
    if analysis.blocked or analysis.marker is None:
        count = len(analysis.blockers)
        raise BlockedError(
            f"{count} blocker{'s' if count != 1 else ''} found; no bundle written"
            if count
            else "no marker could be chosen; no bundle written"
        )
    designated = analysis.marker.designated_attribute
    if designated is not None and not ATTRIBUTE_NAME.fullmatch(designated):
        # it lands bare in LDIF "replace:" lines and PowerShell hashtable keys
        raise UnrepresentableValue("an attribute name", designated, "not an LDAP name")
    return analysis.marker


def connectors(
    analysis: Analysis,
) -> tuple[tuple[ConnectorTarget, ...], ConnectorTarget]:
    """The AD connectors in scope (one per forest) and the Entra connector."""
    ad: list[ConnectorTarget] = []
    for forest in analysis.forests:
        found = forest.ad_connectors or ()
        if not found:
            ad.append(ConnectorTarget(forest.name, None, "AD", forest.name))
        for ref in found:
            ad.append(ConnectorTarget(ref.name, _guid(ref.id), "AD", forest.name))
    entra = analysis.entra_connector
    if entra is None:
        return tuple(ad), ConnectorTarget(None, None, "Entra")
    return tuple(ad), ConnectorTarget(entra.name, _guid(entra.id), "Entra")


def _guid(value: str | None) -> str | None:
    return value.strip().strip("{}").lower() if value else None


def _context(analysis: Analysis, marker: Marker, stats: PreviewStats) -> dict[str, Any]:
    ad, entra = connectors(analysis)
    proposed = _proposed(analysis)
    rules = rulebook.build_rules(
        marker, ad, entra, stats.inetorgperson_forests, proposed
    )
    designate = marker.strategy == "designate"
    convert = needs_conversion(analysis.connect_version)
    return {
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "analysis": analysis,
        "marker": marker,
        "rules": rules,
        "ad_connectors": ad,
        "entra": entra,
        "selections": _selections(analysis, marker, ad, entra),
        "pinned": analysis.precedence or 0,
        "stats": stats,
        "findings": sorted(
            analysis.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.id)
        ),
        "designate": designate,
        "convert": convert,
        "steps": change_steps(designate=designate, convert=convert),
        "rule_files_reason": why_no_rule_files(analysis, rules),
        "config_name": _config_name(analysis),
        "zero_guid": rulebook.ZERO_GUID,
        "entra_subtype": rulebook.ENTRA_SUBTYPE,
        "files": [],
    }


# The steps of CHANGE.md, in order; "stamp" (designate) and "convert" (Connect
# before 1.5.30.0) only where they apply. The documents and the scripts that
# point at a step take its number from here.
CHANGE_STEPS = (
    "stamp",
    "copy_bundle",
    "dry_run",
    "apply",
    "import",
    "preview",
    "sync",
    "pending",
    "export",
    "scheduler",
    "check",
    "convert",
    "staging",
)


def change_steps(*, designate: bool, convert: bool) -> dict[str, int]:
    """Each step of CHANGE.md with its number for this bundle."""
    left_out = {"stamp": not designate, "convert": not convert}
    kept = [s for s in CHANGE_STEPS if not left_out.get(s, False)]
    return {step: number for number, step in enumerate(kept, start=1)}


def _proposed(analysis: Analysis) -> tuple[int, ...]:
    """Precedences to propose: pinned ones count up from the admin's number."""
    if analysis.precedence:
        return tuple(range(analysis.precedence, rulebook.HIGHEST_PRECEDENCE + 1))
    return tuple(sorted(analysis.free_precedences))


def _selections(
    analysis: Analysis,
    marker: Marker,
    ad: tuple[ConnectorTarget, ...],
    entra: ConnectorTarget,
) -> tuple[Selection, ...]:
    wanted = sorted(
        {a for a in marker.source_attributes if a.lower() not in PSEUDO_ATTRIBUTES},
        key=str.lower,
    )
    found: list[Selection] = [
        Selection(c, a, _selected(analysis, c, a)) for c in ad for a in wanted
    ]
    target = rulebook.TARGET_ATTRIBUTE
    found.append(Selection(entra, target, _selected(analysis, entra, target)))
    return tuple(found)


def _selected(
    analysis: Analysis, target: ConnectorTarget, attribute: str
) -> bool | None:
    config = analysis.configuration
    if config is None or target.identifier is None:
        return None
    connector = config.connector(target.identifier)
    return None if connector is None else bool(connector.includes(attribute))


def _config_name(analysis: Analysis) -> str | None:
    config = analysis.configuration
    folder = getattr(config, "folder", None)
    return Path(folder).name if folder else None


def needs_conversion(version: str | None) -> bool:
    """Is the Connect build older than 1.5.30.0 (existing cloud users stay as is)?"""
    if not version:
        return False
    try:
        return parse_version(version) < CHANGES_SINCE
    except UsageError:
        return False  # a version the export spells oddly is not ours to judge


def _write_scripts(
    folder: BundleFolder,
    context: dict[str, Any],
    analysis: Analysis,
    outcomes: Outcomes,
) -> None:
    for name in ("Enable", "Undo", "Test"):
        template = f"bundle/{name}-UserTypeSync.ps1.j2"
        folder.write_text(f"{name}-UserTypeSync.ps1", stream(template, **context))
    if context["designate"]:
        for name in (
            "Set-PartnerMarker.ps1",
            "Restore-PartnerMarker.ps1",
            "set-partner-marker.ldif",
            "restore-partner-marker.ldif",
        ):
            users = _marker_rows(outcomes(analysis))
            folder.write_text(name, stream(f"bundle/{name}.j2", users=users, **context))
    if context["convert"]:
        cloud = _cloud_rows(outcomes(analysis))
        template = "bundle/Convert-ExistingUsers.ps1.j2"
        folder.write_text(
            "Convert-ExistingUsers.ps1", stream(template, users=cloud, **context)
        )


class MarkerRow(NamedTuple):
    """One user for the designate scripts (a tuple: four files, every user)."""

    dn: str
    server: str
    name: str
    value: str
    previous: str | None


def _marker_rows(found: Iterator[UserOutcome]) -> Iterator[MarkerRow]:
    for outcome in found:
        server = _domain(outcome.dn) or outcome.forest
        name = outcome.sam or outcome.upn or outcome.dn
        yield MarkerRow(
            outcome.dn, server, name, outcome.result, outcome.current_marker
        )


def _domain(dn: str) -> str:
    """``forest_from_dn``, computed once per parent DN (users share them)."""
    head, _, parent = dn.partition(",")
    if head.strip()[:3].lower() == "dc=":
        return forest_from_dn(dn)
    return _parent_domain(parent)


@lru_cache(maxsize=4096)
def _parent_domain(parent: str) -> str:
    return forest_from_dn(parent)


@dataclass(frozen=True)
class CloudRow:
    """One user whose cloud userType sync cannot change (Connect < 1.5.30.0)."""

    upn: str
    user_type: str
    cloud: str | None


def _cloud_rows(found: Iterator[UserOutcome]) -> Iterator[CloudRow]:
    """Users to convert: known to differ in the cloud, else every Guest to be.

    A user ``--current`` does not list (or lists without a type) is unknown,
    not unchanged: a partial export must not drop partners from the script,
    which looks every user up again and skips those not in the cloud.
    """
    for outcome in found:
        if not outcome.upn:
            continue
        cloud = outcome.extra.get(CLOUD_TYPE_KEY)
        if outcome.extra.get(CHANGE_KEY) == NOT_IN_CLOUD:
            cloud = None
        if cloud:
            if cloud.lower() != outcome.result.lower():
                yield CloudRow(outcome.upn, outcome.result, cloud)
        elif outcome.result == "Guest":
            yield CloudRow(outcome.upn, outcome.result, None)


def _report(context: dict[str, Any], digests: dict[str, str]) -> str:
    """``report.json``: the bundle's facts for machines, sorted and stable."""
    analysis: Analysis = context["analysis"]
    marker: Marker = context["marker"]
    stats: PreviewStats = context["stats"]
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "entra-rulegen", "version": context["version"]},
        "marker": {
            "strategy": marker.strategy,
            "spec": marker.spec,
            "expression": marker.expression,
            "source_attributes": list(marker.source_attributes),
        },
        "partners": {
            "description": analysis.partners.description,
            "count": analysis.partners.count,
        },
        "why": analysis.ranking.why,
        "alternatives": [_candidate(c) for c in analysis.ranking.candidates],
        "rules": [_rule(r) for r in context["rules"]],
        "attribute_selections": [
            {
                "connector": s.connector.name,
                "connector_kind": s.connector.kind,
                "attribute": s.attribute,
                "selected": s.selected,
            }
            for s in context["selections"]
        ],
        "preview": _preview(stats),
        "findings": [_finding(f) for f in context["findings"]],
        "connect_version": analysis.connect_version,
        "convert_existing_users": context["convert"],
        "rule_files": context["rule_files_reason"] is None,
        "rule_files_reason": context["rule_files_reason"],
        "files": dict(sorted(digests.items())),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _candidate(candidate: Any) -> dict[str, Any]:
    c = candidate.confusion
    return {
        "strategy": candidate.marker.strategy,
        "spec": candidate.marker.spec,
        "partners_guest": c.partners_guest,
        "employees_guest": c.employees_guest,
        "partners_missed": c.partners_missed,
        "employees_member": c.employees_member,
        "invalid": c.invalid,
        "lacking_value": candidate.lacking_value,
        "blockers": list(candidate.blockers),
        "conflicts": list(candidate.conflicts),
    }


def _rule(rule: RuleSpec) -> dict[str, Any]:
    return {
        "name": rule.name,
        "identifier": rule.identifier,
        "direction": rule.direction,
        "connector": rule.connector.name,
        "connector_id": rule.connector.identifier,
        "source_object_type": rule.source_object_type,
        "target_object_type": rule.target_object_type,
        "link_type": rule.link_type,
        "proposed_precedence": rule.proposed_precedence,
        "immutable_tag": rule.immutable_tag,
        "scope_groups": [
            [
                {"attribute": c.attribute, "operator": c.operator, "value": c.value}
                for c in group
            ]
            for group in rule.scope_groups
        ],
        "flows": [
            {
                "destination": f.destination,
                "flow_type": f.flow_type,
                "sources": list(f.sources),
                "expression": f.expression,
                "merge_type": f.merge_type,
                "execute_once": f.execute_once,
            }
            for f in rule.flows
        ],
    }


def _preview(stats: PreviewStats) -> dict[str, Any]:
    return {
        "users": stats.total,
        "guest": stats.guest,
        "member": stats.member,
        "partners": stats.partners,
        "partners_guest": stats.partners_guest,
        "employees_guest": stats.employees_guest,
        "partners_missed": stats.partners_missed,
        "cloud_changes": stats.cloud_changes if stats.cloud_known else None,
        "cloud_found": stats.cloud_found if stats.cloud_known else None,
        "not_in_cloud": stats.cloud_missing if stats.cloud_known else None,
        "cloud_member_to_guest": (
            stats.cloud_member_to_guest if stats.cloud_known else None
        ),
        "cloud_guest_to_member": (
            stats.cloud_guest_to_member if stats.cloud_known else None
        ),
        "cloud_other_changes": stats.cloud_other_changes if stats.cloud_known else None,
        "by_forest": {
            name: vars(counts) for name, counts in sorted(stats.by_forest.items())
        },
    }


def _finding(finding: Any) -> dict[str, Any]:
    return {
        "id": finding.id,
        "severity": finding.severity,
        "title": finding.title,
        "detail": finding.detail,
        "count": finding.count,
        "examples": list(finding.examples),
        "forest": finding.forest,
    }
