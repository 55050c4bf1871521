"""The bundle against a real Entra Connect configuration export.

The real export predates userType (Connect 1.1.524.0), so ``plan`` stops with
the upgrade blocker. A copy given ``userType`` the way newer builds define it
(metaverse ``person`` and the Entra connector's ``user``) lets the bundle
propose real connector names and ids, free precedences, and rule files that
the configuration reader reads back as the same rules.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import DATA, run_cli
from connect_copies import (
    AD_ID,
    ENTRA_CONNECTOR_FILE,
    ENTRA_ID,
    EXPORT,
    add_rule,
    copy_export,
    edit,
)
from psquote import single_quoted

from generator.analysis import analyse, outcomes
from generator.bundle import write_bundle
from generator.bundle.xmlrules import to_sync_rule
from generator.commands.options import Config, Partners, Sources
from generator.connect.model import AttributeFlow, Direction, SyncRule, guid_key
from generator.connect.xmlio import read_configuration
from generator.model import LiveOptions, SourceSpec
from generator.rulenames import rule_identifier
from generator.validate import CONFIG_NO_USERTYPE, CONFIG_RULE_NAME_TAKEN

USERS = DATA / "bundle" / "contoso-corp-users.ldf"
PARTNERS = ("--partner-suffix", "partners.contoso.com")
USER_TYPE_TYPE = (
    '        <dsml:attribute-type id="userType" single-value="true">\n'
    "          <dsml:name>userType</dsml:name>\n"
    "          <dsml:syntax>1.3.6.1.4.1.1466.115.121.1.15</dsml:syntax>\n"
    "        </dsml:attribute-type>\n"
)


def with_user_type(tmp_path: Path) -> Path:
    """A copy of the real export where the metaverse and Entra know userType."""
    export = copy_export(tmp_path)
    for path, cls in (
        (export / "GlobalSettings" / "MV.xml", "person"),
        (export / "Connectors" / ENTRA_CONNECTOR_FILE, "user"),
    ):
        name = f"<dsml:name>{cls}</dsml:name>\n"
        ref = '          <dsml:attribute ref="#userType" required="false" />\n'
        edit(path, name, name + ref, 1)
        anchor = '        <dsml:attribute-type id="usageLocation"'
        edit(path, anchor, USER_TYPE_TYPE + anchor, 1)
    return export


def test_real_export_stops_plan_with_the_upgrade_blocker(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    run = run_cli(
        "plan", "--source", str(USERS), *PARTNERS, "--connect-config", str(EXPORT),
        "--out", str(out),
    )  # fmt: skip
    assert run.code == 3, run.stderr
    assert "blocker" in run.stdout.lower() and "no bundle written" in run.stderr
    assert not out.exists()
    found = analyse(
        Sources((SourceSpec(str(USERS)),), LiveOptions()),
        Partners(suffixes=("partners.contoso.com",)),
        Config(connect_config=EXPORT),
        None,
    )
    assert CONFIG_NO_USERTYPE in [f.id for f in found.blockers]


def _plan(export: Path, out: Path) -> dict:  # type: ignore[type-arg]
    run = run_cli(
        "plan", "--source", str(USERS), *PARTNERS, "--connect-config", str(export),
        "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stdout + run.stderr
    return json.loads((out / "report.json").read_text())  # type: ignore[no-any-return]


def test_copy_with_user_type_gets_names_ids_and_free_precedences(
    tmp_path: Path,
) -> None:
    export = with_user_type(tmp_path)
    report = _plan(export, tmp_path / "bundle")
    rules = report["rules"]
    inbound = [r for r in rules if r["direction"] == "Inbound"]
    outbound = [r for r in rules if r["direction"] == "Outbound"]
    assert [r["connector"] for r in inbound] == ["contoso.com"]
    assert [r["connector"] for r in outbound] == ["contoso.onmicrosoft.com - AAD"]
    assert inbound[0]["connector_id"] == guid_key(AD_ID)
    assert outbound[0]["connector_id"] == guid_key(ENTRA_ID)

    taken = {r.precedence for r in read_configuration(export).rules}
    chosen = [r["proposed_precedence"] for r in rules]
    assert len(set(chosen)) == len(chosen)
    assert all(1 <= p <= 99 and p not in taken for p in chosen)

    script = (tmp_path / "bundle" / "Enable-UserTypeSync.ps1").read_text("utf-8-sig")
    literals = single_quoted(script)
    assert "contoso.com" in literals
    assert "contoso.onmicrosoft.com - AAD" in literals
    assert guid_key(AD_ID) in literals and guid_key(ENTRA_ID) in literals
    selections = {(s["connector"], s["attribute"]): s["selected"] for s in
                  report["attribute_selections"]}  # fmt: skip
    assert selections[("contoso.onmicrosoft.com - AAD", "userType")] is False


def test_rule_files_read_back_as_the_same_rules(tmp_path: Path) -> None:
    export = with_user_type(tmp_path)
    found = analyse(
        Sources((SourceSpec(str(USERS)),), LiveOptions()),
        Partners(suffixes=("partners.contoso.com",)),
        Config(connect_config=export),
        "upn-suffix:partners.contoso.com",
    )
    result = write_bundle(found, tmp_path / "bundle", force=False, outcomes=outcomes)
    files = sorted((tmp_path / "bundle" / "rules").glob("*.xml"))
    assert len(files) == len(result.rules) == 2

    merged = tmp_path / "merged"
    shutil.copytree(export, merged)
    for path in files:
        shutil.copy(path, merged / "SynchronizationRules" / path.name)
    read = {r.key: r for r in read_configuration(merged).rules}
    for spec in result.rules:
        expected = to_sync_rule(spec)
        assert read[expected.key] == expected
        assert read[expected.key].join_groups == ()
        assert read[expected.key].immutable_tag == ""


def test_no_rule_files_without_connector_ids(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    run = run_cli(
        "generate", "--source", str(USERS), *PARTNERS,
        "--marker", "upn-suffix:partners.contoso.com", "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert not (out / "rules").exists()
    change = (out / "CHANGE.md").read_text()
    assert "not included" in change and "--connect-config" in change


def _namesake(name: str, connector: str, identifier: str) -> SyncRule:
    """A custom rule flowing something else than userType."""
    return SyncRule(
        id="{" + identifier + "}",
        name=name,
        direction=Direction.INBOUND,
        connector=connector,
        source_object_type="user",
        target_object_type="person",
        precedence=7,
        flows=(AttributeFlow.direct("extensionAttribute9", "department"),),
    )


def _clashes(export: Path) -> list[str]:
    found = analyse(
        Sources((SourceSpec(str(USERS)),), LiveOptions()),
        Partners(suffixes=("partners.contoso.com",)),
        Config(connect_config=export),
        None,
    )
    return [f.title for f in found.blockers if f.id == CONFIG_RULE_NAME_TAKEN]


def test_rule_of_the_same_name_on_the_connector_blocks(tmp_path: Path) -> None:
    """The apply script refuses a namesake on the connector; plan says so first,
    whatever the case of the name."""
    export = with_user_type(tmp_path)
    other = "0d5b6a1e-0000-4000-8000-00000000beef"
    add_rule(export, _namesake("in from AD - user usertype", AD_ID, other))
    assert _clashes(export) == [
        "connector contoso.com already has a rule named In from AD - User UserType"
    ]
    run = run_cli(
        "plan", "--source", str(USERS), *PARTNERS, "--connect-config", str(export),
        "--out", str(tmp_path / "bundle"),
    )  # fmt: skip
    assert run.code == 3, run.stdout + run.stderr
    assert CONFIG_RULE_NAME_TAKEN in run.stdout and other in run.stdout


def test_our_own_rule_or_another_connector_is_no_clash(tmp_path: Path) -> None:
    export = with_user_type(tmp_path)
    ours = rule_identifier("contoso.com", "Inbound", "user")
    add_rule(export, _namesake("In from AD - User UserType", AD_ID, ours))
    other = "0d5b6a1e-0000-4000-8000-00000000cafe"
    add_rule(export, _namesake("In from AD - User UserType", ENTRA_ID, other))
    assert _clashes(export) == []
