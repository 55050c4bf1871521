"""Live reads of the lab Samba AD DC: binds, TLS, schema, users, snapshot, errors.

Needs ``scripts/samba-dc.sh start`` (see ``labdc.py``); the DC holds the
seeded forest described in ``scripts/seed_dc.py``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from labdc import LabDC, lab_dc

from generator.model import LiveOptions, SourceSpec
from generator.readers.ldap import LdapSource, open_ldap

pytestmark = pytest.mark.dc
__all__ = ["lab_dc"]

WRONG_PASSWORD = "Wr0ng-But-Plausible-Secret"


def live_source(
    dc: LabDC, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> LdapSource:
    monkeypatch.setenv("ENTRA_RULEGEN_PASSWORD", dc.password)
    live = LiveOptions(
        user=dc.user,
        ca_file=dc.ca_file,
        tls_server_name=dc.cert_name,
        **options,
    )
    return open_ldap(SourceSpec(f"ldaps://{dc.host}"), live)


@pytest.fixture(scope="module")
def snapshot(lab_dc: LabDC, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("live") / "contoso.json"
    run = run_cli("snapshot", *lab_dc.ldaps(), "--out", str(out), env=lab_dc.env())
    assert run.code == 0, run.stderr
    return out


def test_live_inspect_equals_inspect_of_its_snapshot(
    lab_dc: LabDC, snapshot: Path
) -> None:
    live = run_cli("inspect", *lab_dc.ldaps(), "--json", env=lab_dc.env())
    offline = run_cli("inspect", "--source", str(snapshot), "--json")
    assert live.code == 0, live.stderr
    assert offline.code == 0, offline.stderr
    live_doc, offline_doc = json.loads(live.stdout), json.loads(offline.stdout)
    assert comparable(live_doc) == comparable(offline_doc)
    assert live_doc["sources"][0]["source"] == f"ldaps://{lab_dc.host}"
    # The forest's own schema was read: no bundled-schema warning
    assert live_doc["sources"][0]["schema"]["origin"] == "live"
    assert "bundled" not in live.stderr and "WARNING" not in live.stderr


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The inspect document without the fields naming where it was read from."""
    sources = [
        {k: v for k, v in s.items() if k not in {"source", "schema_source"}}
        for s in document["sources"]
    ]
    return {**document, "sources": sources}


def test_snapshot_holds_the_whole_seeded_forest(lab_dc: LabDC, snapshot: Path) -> None:
    header = json.loads(snapshot.read_text(encoding="utf-8"))
    assert header["forest"] == "contoso.test"
    assert header["base_dn"] == lab_dc.base_dn
    users = header["users"]
    assert len(users) >= max(lab_dc.seeded_users, 1000)
    upns = [u["attributes"].get("userprincipalname", [None])[0] for u in users]
    assert sum(u is None for u in upns) >= 20  # service accounts without a UPN
    partners = [u for u in upns if u and u.lower().endswith("@partners.contoso.test")]
    assert len(partners) >= 50
    assert any(u and u != u.lower() for u in upns)  # mixed case kept as entered
    attributes = [u["attributes"] for u in users]
    in_partners_ou = [u for u in users if ",OU=Partners," in u["dn"]]
    assert len(in_partners_ou) >= 50
    # a few partners sit in Staff and are known by their suffix only
    assert any(
        ",OU=Staff," in u["dn"]
        and u["attributes"]
        .get("userprincipalname", [""])[0]
        .lower()
        .endswith("@partners.contoso.test")
        for u in users
    )
    disabled = [a for a in attributes if int(a["useraccountcontrol"][0]) & 2]
    assert len(disabled) >= 20
    # the spare attribute already serves as the cost centre
    cost_centres = {a.get("extensionattribute1", [""])[0][:3] for a in attributes}
    assert "CC-" in cost_centres


def test_partner_upn_suffixes_are_registered(lab_dc: LabDC) -> None:
    import ssl  # noqa: PLC0415

    from ldap3 import BASE, Connection, Server, Tls  # noqa: PLC0415

    tls = Tls(
        ca_certs_file=lab_dc.ca_file,
        validate=ssl.CERT_REQUIRED,
        valid_names=[lab_dc.cert_name],
    )
    server = Server(lab_dc.host, port=636, use_ssl=True, tls=tls)
    with Connection(server, lab_dc.user, lab_dc.password, auto_bind=True) as conn:
        partitions = f"CN=Partitions,CN=Configuration,{lab_dc.base_dn}"
        conn.search(partitions, "(objectClass=*)", BASE, attributes=["uPNSuffixes"])
        suffixes = set(conn.entries[0]["uPNSuffixes"].values)
    assert {"partners.contoso.test", "fabrikam.example"} <= suffixes


def test_live_schema_has_the_exchange_and_cloud_attributes(
    lab_dc: LabDC, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = live_source(lab_dc, monkeypatch).schema()
    assert schema.origin == "live"
    for n in range(1, 16):
        found = schema.attribute(f"extensionAttribute{n}")
        assert found is not None and found.is_string and found.single_valued
    assert schema.allowed_on("extensionAttribute5", "user")
    # Allowed on user only through its system auxiliary class.
    user = schema.classes["user"]
    assert "msDS-cloudExtensionAttribute1" not in user.may
    assert "msDS-CloudExtensions" in user.auxiliary
    assert schema.allowed_on("msDS-cloudExtensionAttribute1", "user")
    consistency = schema.attribute("mS-DS-ConsistencyGuid")
    assert consistency is not None and not consistency.is_string


def test_users_stream_with_binary_values(
    lab_dc: LabDC, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = live_source(lab_dc, monkeypatch, page_size=250)
    wanted = ["extensionAttribute5", "mS-DS-ConsistencyGuid", "noSuchAttribute"]
    count, guids = 0, 0
    for user in source.users(wanted):
        count += 1
        value = user.first("mS-DS-ConsistencyGuid")
        if value is not None:
            assert isinstance(value, bytes) and len(value) == 16
            guids += 1
        assert isinstance(user.first("objectGUID"), bytes)
    assert count >= max(lab_dc.seeded_users, 1000)
    assert guids >= 900
    assert source.missing_attributes == {"noSuchAttribute"}


def test_gc_reports_non_partial_set_attributes_as_unreadable(
    lab_dc: LabDC, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Samba's GC returns every attribute; the reader still follows the schema.
    source = live_source(lab_dc, monkeypatch, gc=True)
    users = list(source.users(["employeeType", "extensionAttribute5"]))
    assert "employeeType" in source.unreadable_attributes
    assert "extensionAttribute5" not in source.unreadable_attributes
    assert not any(u.values("employeeType") for u in users)
    assert any(u.values("extensionAttribute5") for u in users)
    assert source.target.port == 3269


def test_gc_inspect_and_its_snapshot_say_not_readable(
    lab_dc: LabDC, tmp_path: Path
) -> None:
    # Samba's GC returns every attribute; the report still follows the schema.
    out = tmp_path / "gc.json"
    args = [*lab_dc.ldaps(), "--gc"]
    taken = run_cli("snapshot", *args, "--out", str(out), env=lab_dc.env())
    assert taken.code == 0, taken.stderr
    live = run_cli("inspect", *args, "--json", env=lab_dc.env())
    offline = run_cli("inspect", "--source", str(out), "--json")
    assert (live.code, offline.code) == (0, 0), live.stderr + offline.stderr
    live_doc, offline_doc = json.loads(live.stdout), json.loads(offline.stdout)
    assert comparable(live_doc) == comparable(offline_doc)
    found = {a["name"]: a for a in live_doc["sources"][0]["attributes"]}
    assert found["employeeType"]["unreadable"] == "not readable through the GC"
    assert found["employeeType"]["users_with_value"] is None
    assert found["extensionAttribute5"]["readable"] is True


def test_wrong_password_is_one_line_and_never_shown(
    lab_dc: LabDC, tmp_path: Path
) -> None:
    out = tmp_path / "never-written.json"
    for debug in ([], ["--debug"]):
        run = run_cli(
            *debug, "snapshot", *lab_dc.ldaps(), "--out", str(out),
            env=lab_dc.env(WRONG_PASSWORD),
        )  # fmt: skip
        assert run.code == 1
        assert WRONG_PASSWORD not in run.stdout + run.stderr
        assert "invalid credentials" in run.stderr
        if not debug:
            assert run.stderr.strip().splitlines() == [
                f"entra-rulegen: error: {lab_dc.host}:636: cannot bind as "
                f"'{lab_dc.user}': invalid credentials; check --user and "
                "ENTRA_RULEGEN_PASSWORD"
            ]
    assert list(tmp_path.iterdir()) == []


def test_wrong_base_dn_is_named(lab_dc: LabDC, tmp_path: Path) -> None:
    base = "OU=Nowhere,DC=contoso,DC=test"
    run = run_cli(
        "snapshot", *lab_dc.ldaps(), "--base-dn", base,
        "--out", str(tmp_path / "x.json"), env=lab_dc.env(),
    )  # fmt: skip
    assert run.code == 1
    assert f"base DN '{base}' does not exist" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_ldaps_needs_the_ca_unless_insecure(lab_dc: LabDC, tmp_path: Path) -> None:
    out = str(tmp_path / "s.json")
    base = ["snapshot", "--source", f"ldaps://{lab_dc.host}", "--user", lab_dc.user]
    unchecked = run_cli(*base, "--out", out, env=lab_dc.env())
    assert unchecked.code == 1
    assert "TLS failed" in unchecked.stderr and "--ca-file" in unchecked.stderr
    wrong_name = run_cli(
        *base, "--ca-file", lab_dc.ca_file, "--out", out, env=lab_dc.env()
    )
    assert wrong_name.code == 1 and "--tls-server-name" in wrong_name.stderr
    insecure = run_cli(*base, "--insecure", "--out", out, env=lab_dc.env())
    assert insecure.code == 0, insecure.stderr
    assert "--insecure" in insecure.stderr  # the warning


def test_starttls_is_the_default_for_ldap(lab_dc: LabDC, tmp_path: Path) -> None:
    args = ["snapshot", "--source", f"ldap://{lab_dc.host}", "--user", lab_dc.user]
    out = str(tmp_path / "s.json")
    checked = run_cli(
        *args, "--ca-file", lab_dc.ca_file, "--tls-server-name", lab_dc.cert_name,
        "--out", out, env=lab_dc.env(),
    )  # fmt: skip
    assert checked.code == 0, checked.stderr
    # Without the CA the StartTLS handshake fails: proof TLS was attempted.
    unchecked = run_cli(*args, "--out", out, "--force", env=lab_dc.env())
    assert unchecked.code == 1 and "TLS failed" in unchecked.stderr
    plain = run_cli(*args, "--no-tls", "--out", out, "--force", env=lab_dc.env())
    assert plain.code == 0 and "without TLS" in plain.stderr


def test_closed_port_names_host_and_port(lab_dc: LabDC, tmp_path: Path) -> None:
    run = run_cli(
        "snapshot", "--source", f"ldap://{lab_dc.host}:1", "--user", lab_dc.user,
        "--out", str(tmp_path / "x.json"), env=lab_dc.env(),
    )  # fmt: skip
    assert run.code == 1
    assert f"{lab_dc.host}:1: cannot connect to port 1" in run.stderr


def test_ntlm_against_samba_fails_with_one_line(lab_dc: LabDC, tmp_path: Path) -> None:
    # Samba lacks the Sicily NTLM bind ldap3 speaks; the failure must stay clean.
    run = run_cli(
        "snapshot", *lab_dc.ldaps(), "--auth", "ntlm",
        "--out", str(tmp_path / "x.json"), env=lab_dc.env(),
    )  # fmt: skip
    assert run.code == 2  # a UPN is not DOMAIN\name
    netbios = lab_dc.user.split("@")[0]
    args = lab_dc.ldaps()
    args[args.index("--user") + 1] = f"CONTOSO\\{netbios}"
    run = run_cli(
        "snapshot",
        *args,
        "--auth",
        "ntlm",
        "--out",
        str(tmp_path / "x.json"),
        env=lab_dc.env(),
    )
    assert run.code == 1 and len(run.stderr.strip().splitlines()) == 1
    assert lab_dc.password not in run.stderr


def test_kerberos_bind_with_a_ticket(lab_dc: LabDC, tmp_path: Path) -> None:
    # scripts/test.sh installs the kerberos extra and kinit when it runs as root;
    # this is then a real GSSAPI bind with a ticket from the lab DC's KDC.
    missing = [m for m in ("gssapi", "cryptography") if not importlib.util.find_spec(m)]
    if missing or not shutil.which("kinit") or not lab_dc.krb5_config:
        pytest.skip(f"Kerberos test needs {missing or 'kinit'} and the lab's krb5.conf")
    env = {"KRB5_CONFIG": lab_dc.krb5_config, "KRB5CCNAME": str(tmp_path / "cc")}
    principal = f"{lab_dc.user.split('@')[0]}@{lab_dc.realm}"
    subprocess.run(
        ["kinit", principal],
        input=lab_dc.password,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    args = ["--source", f"ldaps://{lab_dc.host}", "--auth", "kerberos"]
    tls = ["--ca-file", lab_dc.ca_file, "--tls-server-name", lab_dc.cert_name]
    out = tmp_path / "krb.json"
    run = run_cli("snapshot", *args, *tls, "--out", str(out), env=env)
    assert run.code == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["users"]
    env["KRB5CCNAME"] = str(tmp_path / "empty-cache")
    run = run_cli("snapshot", *args, *tls, "--out", str(out), "--force", env=env)
    assert run.code == 1 and "run kinit first" in run.stderr
