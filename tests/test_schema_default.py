"""The bundled default schema (ldap3's AD 2012 R2, converted once to JSON)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLES

from generator.console import log
from generator.default_schema import DEFAULT_SCHEMA_FILE, load_default_schema
from generator.model import SourceSpec
from generator.readers import load_schema
from generator.resources import data_dir


def test_default_schema_facts() -> None:
    schema = load_default_schema(warn=False)
    assert schema.origin == "bundled"
    assert len(schema.attributes) == 1472
    assert len(schema.classes) == 264
    # 2012 R2 without Exchange: no extensionAttributes
    assert schema.verdict("extensionAttribute1") == "not in schema"
    # msDS-cloudExtensionAttribute1..20 reach user through msDS-CloudExtensions
    user = schema.classes["user"]
    assert "msDS-cloudExtensionAttribute20" not in user.may
    assert "msDS-CloudExtensions" in user.auxiliary
    assert schema.verdict("msDS-cloudExtensionAttribute20") == (
        "single-valued string on user"
    )
    for name in ("employeeType", "company", "department"):
        assert schema.verdict(name) == "single-valued string on user"
    assert schema.verdict("proxyAddresses") == "multi-valued"
    assert not schema.has("msDS-ExternalDirectoryObjectId")


def test_default_schema_is_a_fresh_copy_each_time() -> None:
    first = load_default_schema(warn=False)
    first.attributes.clear()
    assert load_default_schema(warn=False).attributes


def test_runtime_reads_json_only_never_ldap3() -> None:
    code = (
        "import sys; from generator.default_schema import load_default_schema; "
        "load_default_schema(warn=False); "
        "from generator.readers import open_source; "
        "print('ldap3' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_bundled_schema_warns_and_a_given_schema_does_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log.addHandler(caplog.handler)
    try:
        source = str(DATA / "readers" / "ldifde-ansi.ldf")
        assert load_schema(SourceSpec(source)).origin == "bundled"
        warned = {id(r): r.getMessage() for r in caplog.records}
        assert any("forest's own schema was not" in w for w in warned.values())
        caplog.clear()
        given = SourceSpec(source, schema=str(SAMPLES / "alderbrook-schema.ldf"))
        assert load_schema(given).origin == "file"
        assert not caplog.records
    finally:
        log.removeHandler(caplog.handler)


def test_data_file_is_our_json_form() -> None:
    data = json.loads((data_dir() / DEFAULT_SCHEMA_FILE).read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    assert data["origin"] == "bundled"


def test_conversion_script_reproduces_the_bundled_file(
    tmp_path: Path, real_inputs: Path
) -> None:
    out = tmp_path / "default_schema.json"
    pas = real_inputs / "ad-exports" / "ldapsearch-samba-schema.ldif"
    script = ROOT / "scripts" / "convert_default_schema.py"
    subprocess.run(
        [sys.executable, str(script), "--pas-from", str(pas), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (data_dir() / DEFAULT_SCHEMA_FILE).read_bytes()
