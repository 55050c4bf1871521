"""Generated scripts call only cmdlets and parameters that real scripts and
Microsoft's documentation use, and the apply script keeps its safety order.

The allowed list comes from ../shared/real-inputs/adsync-cmdlets.md (Tables A
and B: cmdlets and parameters seen in real rule scripts and exports) and
../shared/reference/entra-connect.md (Microsoft's documented scheduler, run
and connector cmdlets). Calls are found with tree-sitter-powershell; a splatted
call contributes the keys of the hashtable it splats.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import tree_sitter_powershell as tsps
from bundle_cases import GOLDEN
from tree_sitter import Language, Node, Parser

_PARSER = Parser(Language(tsps.language()))
COMMON = {"ErrorAction", "WhatIf", "Confirm", "OutVariable", "Verbose"}
ALLOWED: dict[str, set[str]] = {
    # Table A: rule building (Add-ADSyncJoinConditionGroup is left out on
    # purpose: our rules have no join conditions).
    "New-ADSyncRule": {
        "Name",
        "Identifier",
        "Description",
        "Direction",
        "Precedence",
        "PrecedenceAfter",
        "PrecedenceBefore",
        "SourceObjectType",
        "TargetObjectType",
        "Connector",
        "LinkType",
        "SoftDeleteExpiryInterval",
        "ImmutableTag",
        "Disabled",
        "EnablePasswordSync",
    },
    "Add-ADSyncAttributeFlowMapping": {
        "SynchronizationRule",
        "Source",
        "Destination",
        "FlowType",
        "ValueMergeType",
        "Expression",
        "ExecuteOnce",
    },
    "Add-ADSyncScopeConditionGroup": {"SynchronizationRule", "ScopeConditions"},
    "Add-ADSyncRule": {"SynchronizationRule"},
    "Get-ADSyncRule": {"Identifier"},
    "Remove-ADSyncRule": {"Identifier"},
    # Table B and Microsoft's scheduler documentation
    "Get-ADSyncConnector": {"Name", "Identifier"},
    "Add-ADSyncConnector": {"Connector"},
    "Get-ADSyncScheduler": set(),
    "Set-ADSyncScheduler": {"SyncCycleEnabled", "NextSyncCyclePolicyType"},
    "Get-ADSyncConnectorRunStatus": set(),
    "Invoke-ADSyncRunProfile": {"ConnectorName", "RunProfileName"},
    # ActiveDirectory and Microsoft Graph modules (their own reference pages)
    "Get-ADUser": {"Identity", "Server", "Properties"},
    "Set-ADUser": {"Identity", "Server", "Replace", "Clear"},
    "Connect-MgGraph": {"Scopes"},
    "Get-MgUser": {
        "UserId",
        "Property",
        "Filter",
        "ConsistencyLevel",
        "CountVariable",
        "All",
    },
    "Update-MgUser": {"UserId", "UserType"},
}
_MODULE_VERB = re.compile(r"^[A-Za-z]+-(?:ADSync|AD|Mg)[A-Za-z]*$")
SCRIPTS = sorted(GOLDEN.glob("*/*.ps1"))


def _text(node: Node, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8")


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _splats(source: bytes) -> dict[str, set[str]]:
    """``$name = @{ Key = ... }`` and ``$name.Key = ...``: the keys per name."""
    text = source.decode("utf-8")
    keys: dict[str, set[str]] = {}
    for match in re.finditer(r"\$(\w+) = @\{\n(.*?)\n\s*\}", text, re.S):
        found = re.findall(r"^\s*(\w+)\s+=", match.group(2), re.M)
        keys.setdefault(match.group(1), set()).update(found)
    for name, key in re.findall(r"\$(\w+)\.(\w+) = ", text):
        if name in keys:
            keys[name].add(key)
    return keys


def calls(script: str) -> dict[str, set[str]]:
    """Module cmdlets called in ``script`` and the parameters given to each."""
    source = script.removeprefix("\ufeff").encode("utf-8")
    splats = _splats(source)
    used: dict[str, set[str]] = {}
    for node in _walk(_PARSER.parse(source).root_node):
        if node.type != "command":
            continue
        name_node = node.child_by_field_name("command_name") or node.children[0]
        name = _text(name_node, source)
        if not _MODULE_VERB.match(name):
            continue
        parameters = used.setdefault(name, set())
        for part in _walk(node):
            if part.type == "command_parameter":
                parameters.add(_text(part, source).lstrip("-").split(":")[0])
            elif part.type == "variable" and _text(part, source).startswith("@"):
                splat = _text(part, source)[1:]
                assert splat in splats, f"@{splat} is not a hashtable built here"
                parameters.update(splats[splat])
    return used


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_known_cmdlets_and_parameters(path: Path) -> None:
    used = calls(path.read_text("utf-8-sig"))
    assert used, "no module cmdlet found: the reader is broken"
    unknown = {
        name: sorted(parameters - ALLOWED[name] - COMMON)
        for name, parameters in used.items()
        if name not in ALLOWED or parameters - ALLOWED[name] - COMMON
    }
    assert unknown == {}


def test_the_reader_sees_splatted_parameters() -> None:
    used = calls((GOLDEN / "upn-suffix" / "Enable-UserTypeSync.ps1").read_text("utf-8"))
    assert {"ImmutableTag", "Precedence", "Connector", "OutVariable"} <= used[
        "New-ADSyncRule"
    ]
    assert "Expression" in used["Add-ADSyncAttributeFlowMapping"]
    assert used["Set-ADSyncScheduler"] == {
        "SyncCycleEnabled",
        "NextSyncCyclePolicyType",
    }


def _top_level(script: str) -> str:
    """The script's body after its last top-level function."""
    return script[script.rindex("\nfunction ") :].split("\n}\n", 1)[1]


@pytest.mark.parametrize("script", ["Enable-UserTypeSync.ps1", "Undo-UserTypeSync.ps1"])
def test_change_scripts_check_first_log_and_restore_the_scheduler(script: str) -> None:
    text = (GOLDEN / "designate" / script).read_text("utf-8-sig").replace("\r\n", "\n")
    head = text[: text.index("param(")]
    assert head.rstrip().endswith("[CmdletBinding(SupportsShouldProcess)]")
    body = _top_level(text)
    statements = [line for line in body.splitlines() if line and line[0].isalpha()]
    # Prerequisites, then the transcript, before anything reads or changes sync.
    assert statements[:2] == [
        "Assert-Prerequisites",
        f"Start-Log -Name '{script.removesuffix('.ps1')}'",
    ]
    attempt = body.index("\ntry {")
    final = body.index("\nfinally {", attempt)
    inside, after = body[attempt:final], body[final:]
    assert inside.index("StagingModeEnabled") < inside.index("Assert-SyncIdle")
    off = inside.index("Set-ADSyncScheduler -SyncCycleEnabled $false")
    assert inside.index("Assert-SyncIdle") < off
    assert "Assert-SyncIdle" in inside[off:]  # again, once the scheduler is off
    assert "Set-ADSyncScheduler -SyncCycleEnabled $true" in after
    assert "Stop-Transcript" in after[after.index("finally {", 1) :]
    assert "Set-ADSyncScheduler -SyncCycleEnabled $true" not in inside


def test_apply_script_plans_every_rule_before_it_changes_anything() -> None:
    text = (GOLDEN / "ou" / "Enable-UserTypeSync.ps1").read_text("utf-8-sig")
    body = _top_level(text.replace("\r\n", "\n"))
    order = [
        "$connectors = Resolve-Connectors",
        "$plan = @(Get-RulePlan -Connectors $connectors)",
        "$importNeeded = Add-Selections -Connectors $connectors",
        "Set-Rules -Plan $plan",
        "Write-NextSteps",
    ]
    assert [body.index(step) for step in order] == sorted(
        body.index(step) for step in order
    )
    create = text[text.index("function New-UserTypeRule") :]
    create = create[: create.index("\nfunction ")]
    assert "ImmutableTag             = ''" in create
    # no join conditions, ever (the drift check only reads them)
    assert "Add-ADSyncJoinConditionGroup" not in text
    assert "ObjectModel.JoinCondition" not in text
