"""Edited copies of the real Entra Connect export, for the document and diff tests.

The real export is read in place; a test that needs a changed configuration
copies it into its tmp_path and edits the copy's text, the way an admin's
change would show up in a second export.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

from conftest import REAL_INPUTS

from generator.connect.model import (
    AttributeFlow,
    Direction,
    ScopeCondition,
    ScopeGroup,
    SyncRule,
    guid_text,
)
from generator.connect.xmlio import write_rule

EXPORT = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
AD_ID = "{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}"
ENTRA_ID = "{b891884f-051e-4a83-95af-2544101c9083}"
AD_CONNECTOR_FILE = "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml"
ENTRA_CONNECTOR_FILE = "Connector_{b891884f-051e-4a83-95af-2544101c9083}.xml"
HOSTILE = (
    'Bob\'s "rule" `x` | y <script>alert(1)</script>\n$(Remove-Item C:\\) *z* [a](b)'
)
DOC_EXPRESSION = (
    "IIF(IsPresent([userPrincipalName]),IIF(CBool(InStr(LCase([userPrincipalName]),"
    '"@partners.fabrikam123.org")=0),"Member","Guest"),'
    'Error("UserPrincipalName is not present to determine UserType"))'
)


def copy_export(tmp_path: Path, name: str = "export") -> Path:
    """A writable copy of the real export."""
    target = tmp_path / name
    shutil.copytree(EXPORT, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    target.chmod(0o755)
    return target


def rule_file(export: Path, name: str) -> Path:
    """The file of the rule called ``name`` (exactly one must match)."""
    found = [
        p
        for p in (export / "SynchronizationRules").glob("*.xml")
        if f"<name>{name}</name>" in p.read_text()
    ]
    assert len(found) == 1, f"{len(found)} rules named {name!r}"
    return found[0]


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    """Replace ``old`` (which must be there) by ``new``, ``count`` times at most."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


def rename_connector(export: Path, file_name: str, old: str, new: str) -> None:
    """Give a connector another name (its top-level <name>, nothing else)."""
    edit(export / "Connectors" / file_name, f"<name>{old}</name>",
         f"<name>{escape(new)}</name>", 1)  # fmt: skip


def add_rule(export: Path, rule: SyncRule) -> Path:
    path = export / "SynchronizationRules" / rule.file_name
    path.write_bytes(write_rule(rule))
    return path


def user_type_rules(
    expression: str = DOC_EXPRESSION, name: str = "In from AD - User UserType"
) -> tuple[SyncRule, SyncRule]:
    """The two rules of Microsoft's UserType procedure, built from the model."""
    inbound = SyncRule(
        id=guid_text(uuid.uuid5(uuid.NAMESPACE_URL, "in:" + name)),
        name=name,
        direction=Direction.INBOUND,
        connector=AD_ID,
        source_object_type="user",
        target_object_type="person",
        precedence=90,
        scope_groups=(
            ScopeGroup((ScopeCondition("adminDescription", "NOTSTARTSWITH", "User_"),)),
        ),
        flows=(
            AttributeFlow.from_expression(
                "userType", expression, ("userPrincipalName",)
            ),
        ),
    )
    outbound = SyncRule(
        id=guid_text(uuid.uuid5(uuid.NAMESPACE_URL, "out:" + name)),
        name="Out to AAD - User UserType",
        direction=Direction.OUTBOUND,
        connector=ENTRA_ID,
        source_object_type="person",
        target_object_type="user",
        precedence=91,
        scope_groups=(
            ScopeGroup(
                (
                    ScopeCondition("sourceObjectType", "EQUAL", "User"),
                    ScopeCondition("cloudMastered", "NOTEQUAL", "True"),
                )
            ),
        ),
        flows=(AttributeFlow.direct("userType", "userType"),),
    )
    return inbound, outbound
