"""Files that are cut off, empty or self-contradictory are input errors.

A truncated export must not read as a shorter directory, an empty one not as a
forest of zero users, and a user with two UPNs not as either of them: each is
one line on stderr naming the file (and the line), exit 1, nothing on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REAL_INPUTS, SAMPLES, run_cli

LDIF = SAMPLES / "alderbrook-users.ldf"
CSV = SAMPLES / "alderbrook-users.csv"
DUMP = REAL_INPUTS / "ad-exports" / "ldapdomaindump-samba-domain_users.json"


def refused(path: Path) -> str:
    """The one error line ``inspect`` gives for ``path``."""
    result = run_cli("inspect", "--source", str(path), "--json")
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def last_dn_line(text: str) -> int:
    lines = text.split("\n")
    return max(n for n, line in enumerate(lines, 1) if line.startswith("dn:"))


def cut_points(text: str, count: int) -> list[int]:
    """Offsets in the middle of ``givenName`` values spread over the file."""
    starts = [i for i in range(len(text)) if text.startswith("\ngivenName: ", i)]
    step = max(1, len(starts) // count)
    return [start + len("\ngivenName: ") + 2 for start in starts[::step][:count]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_ldif_cut_mid_line_names_the_last_record(tmp_path: Path, encoding: str) -> None:
    text = LDIF.read_text(encoding="utf-8")
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b""
    for offset in cut_points(text, 4):
        cut = text[:offset]
        path = tmp_path / f"cut-{offset}.ldf"
        path.write_bytes(bom + cut.encode(encoding))
        line = refused(path)
        assert f"{path}:{last_dn_line(cut)}:" in line
        assert "ends in the middle of a line: truncated?" in line


def test_the_example_cut_of_the_sample_is_refused(tmp_path: Path) -> None:
    cut = LDIF.read_bytes()[:20000]
    path = tmp_path / "t.ldf"
    path.write_bytes(cut)
    line = refused(path)
    assert f"{path}:{last_dn_line(cut.decode('utf-8'))}:" in line


def test_ldif_cut_in_a_base64_value_says_so(tmp_path: Path) -> None:
    text = LDIF.read_text(encoding="utf-8")
    start = text.index("\nobjectGUID:: ", 5000) + 1
    cut = text[: start + len("objectGUID:: ") + 5]
    path = tmp_path / "cut-base64.ldf"
    path.write_text(cut, encoding="utf-8")
    line = refused(path)
    assert f"{path}:{cut.count(chr(10)) + 1}: bad base64" in line
    assert "truncated?" in line


def test_ldif_without_its_final_line_end_is_refused(tmp_path: Path) -> None:
    text = LDIF.read_text(encoding="utf-8").rstrip("\n")
    path = tmp_path / "no-final-newline.ldf"
    path.write_text(text, encoding="utf-8")
    assert f"{path}:{last_dn_line(text)}: the file ends" in refused(path)


def test_ldif_cut_in_a_closing_comment_is_read(tmp_path: Path) -> None:
    # ldapsearch's trailer is comments: a cut there loses no value.
    path = tmp_path / "trailer.ldf"
    path.write_bytes(LDIF.read_bytes() + b"\n# numEntries: 3")
    result = run_cli("inspect", "--source", str(path), "--json")
    assert result.code == 0, result.stderr
    whole = run_cli("inspect", "--source", str(LDIF), "--json")
    assert (
        json.loads(result.stdout)["sources"][0]["users"]
        == (json.loads(whole.stdout)["sources"][0]["users"])
    )


@pytest.mark.parametrize("size", [20000, 33333, 61000])
def test_csv_cut_mid_row_is_called_truncated(tmp_path: Path, size: int) -> None:
    cut = CSV.read_bytes()[:size]
    path = tmp_path / "cut.csv"
    path.write_bytes(cut)
    line = refused(path)
    text = cut.decode("utf-8")
    if text.count('"', text.rfind("\n")) % 2:  # the cut is inside quotes
        assert "never ends" in line
    else:
        assert "the file ends in the middle of a row" in line
    assert f"{path}:{text.count(chr(10)) + 1}:" in line


def test_csv_row_that_is_short_but_ended_is_not_called_truncated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "short.csv"
    path.write_text('DN,sn,cn\n"CN=a,DC=b,DC=example",x\nz,z,z\n', encoding="utf-8")
    line = refused(path)
    assert f"{path}:2: row has 2 fields, the header has 3" in line


def test_csv_stray_quote_is_reported_where_the_field_starts(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text(
        "DN,sAMAccountName,sn\n"
        'CN=a\\,DC=b,"stray,x\n'
        '"CN=c,DC=b",c,y\n'
        '"CN=d,DC=b",d,z\n',
        encoding="utf-8",
    )
    assert f"{path}:2: broken CSV" in refused(path)


def test_csv_quote_never_closed_is_reported_where_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    path.write_text(
        'DN,sAMAccountName,sn\n"CN=a,DC=b",a,x\n"CN=c,DC=b",c,"y\nz,z,z\n',
        encoding="utf-8",
    )
    line = refused(path)
    assert f"{path}:3: a quoted field starts here and never ends" in line


def test_csv_after_a_type_line_still_counts_physical_lines(tmp_path: Path) -> None:
    path = tmp_path / "typed.csv"
    path.write_text(
        "#TYPE Microsoft.ActiveDirectory.Management.ADUser\n"
        '"DistinguishedName","SamAccountName"\n'
        '"CN=a,DC=b","a"x\n',
        encoding="utf-8",
    )
    assert f"{path}:3: broken CSV" in refused(path)


SNAPSHOT_HEAD = (
    '{"format": "entra-rulegen-snapshot", "schema_version": 1, "source": "x",\n'
    '"forest": "corp.example", "base_dn": null, "schema": null,\n'
)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("zero.ldf", b""),
        ("comments.ldf", b"# an export\nversion: 1\n\n# numEntries: 0\n"),
        (
            "computers.ldf",
            b"dn: CN=PC1,DC=corp,DC=example\nobjectClass: computer\n"
            b"sAMAccountName: PC1$\n",
        ),
        ("zero.csv", b""),
        ("header.csv", b"DN,sAMAccountName,userPrincipalName\r\n"),
        ("zero.json", b"  \n"),
        ("dump.json", b"[]\n"),
        ("snapshot.json", (SNAPSHOT_HEAD + '"users": []}\n').encode()),
    ],
)
def test_a_file_without_users_is_an_input_error(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    line = refused(path)
    assert f"error: {path}" in line
    assert "holds no user records" in line


def snapshot_with(tmp_path: Path, attributes: dict[str, object]) -> Path:
    user = {"dn": "CN=a,DC=corp,DC=example", "attributes": attributes}
    path = tmp_path / "snap.json"
    path.write_text(
        SNAPSHOT_HEAD + '"users": [\n' + json.dumps(user) + "\n]}\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("bad", ["!!!", "%%%", "YQ", " YQ==", "YQ==\n"])
def test_snapshot_base64_is_decoded_strictly(tmp_path: Path, bad: str) -> None:
    path = snapshot_with(tmp_path, {"objectguid": [{"base64": bad}]})
    assert f"{path}:4: user 'CN=a,DC=corp,DC=example'" in refused(path)


@pytest.mark.parametrize("name", ["userprincipalname", "samaccountname"])
def test_snapshot_user_with_two_identities_is_refused(
    tmp_path: Path, name: str
) -> None:
    path = snapshot_with(tmp_path, {name: ["a@corp.example", "b@corp.example"]})
    line = refused(path)
    assert f"{path}:4: user 'CN=a,DC=corp,DC=example' has 2 values of" in line


def dump_line(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("bad", ["!!!", "%%%", "fCQNSWnUld2BNVxT8OZC9A="])
def test_ldapdomaindump_base64_is_decoded_strictly(tmp_path: Path, bad: str) -> None:
    entries = json.loads(DUMP.read_text(encoding="utf-8"))
    entries[1]["attributes"]["mS-DS-ConsistencyGuid"] = [
        {"encoded": bad, "encoding": "base64"}
    ]
    path = tmp_path / "domain_users.json"
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    line = refused(path)
    assert "'mS-DS-ConsistencyGuid' holds bad base64" in line
    # the line of the value: the one holding its '{', just above "encoded"
    assert f"{path}:{dump_line(path, json.dumps(bad)) - 1}:" in line


def test_ldapdomaindump_user_with_two_upns_is_refused(tmp_path: Path) -> None:
    entries = json.loads(DUMP.read_text(encoding="utf-8"))
    attributes = entries[2]["attributes"]
    attributes["userPrincipalName"].append("second@contoso.test")
    path = tmp_path / "domain_users.json"
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    line = refused(path)
    dn = entries[2]["dn"]
    assert f"user {dn!r} has 2 values of userPrincipalName" in line
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [n for n, text in enumerate(lines, 1) if text == " {"]  # entries
    assert f"{path}:{starts[2]}:" in line


def test_ldif_user_with_two_upns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.ldf"
    path.write_text(
        "dn: CN=a,DC=corp,DC=example\nobjectClass: user\n\n"
        "dn: CN=b,DC=corp,DC=example\nobjectClass: user\n"
        "userPrincipalName: b@corp.example\nuserPrincipalName: c@corp.example\n",
        encoding="utf-8",
    )
    line = refused(path)
    assert f"{path}:4: user 'CN=b,DC=corp,DC=example' has 2 values" in line


@pytest.mark.parametrize(
    ("value", "escape"),
    [
        ("pn\\ud800er", "\\ud800"),  # ijson alone would read 'pn?er'
        ("pn\\udc00er", "\\udc00"),
        ("\\ud800\\ud800x", "\\ud800"),
        ("x\\\\\\ud83d", "\\ud83d"),  # an escaped backslash, then a lone half
    ],
)
def test_json_lone_surrogate_escape_is_refused_with_its_line(
    tmp_path: Path, value: str, escape: str
) -> None:
    path = tmp_path / "snap.json"
    user = '{"dn": "CN=a,DC=corp,DC=example", "attributes": {"sn": ["' + value + '"]}}'
    path.write_text(SNAPSHOT_HEAD + '"users": [\n' + user + "\n]}\n", encoding="utf-8")
    assert f"{path}:4: the escape {escape} is half of a UTF-16" in refused(path)


@pytest.mark.parametrize("kind", ["snapshot", "dump"])
def test_json_surrogate_pairs_and_escaped_backslashes_are_text(
    tmp_path: Path, kind: str
) -> None:
    value = "Ana \\ud83d\\ude00 \\\\ud800"  # an emoji, then the text \ud800
    attributes = '{"sn": ["' + value + '"], "objectClass": ["user"]}'
    user = '{"dn": "CN=a,DC=corp,DC=example", "attributes": ' + attributes + "}"
    path = tmp_path / f"{kind}.json"
    text = (
        "[" + user + "]"
        if kind == "dump"
        else SNAPSHOT_HEAD + '"users": [' + user + "]}"
    )
    path.write_text(text, encoding="utf-8")
    result = run_cli("inspect", "--source", str(path), "--attribute", "sn", "--json")
    assert result.code == 0, result.stderr
    (source,) = json.loads(result.stdout)["sources"]
    sn = next(a for a in source["attributes"] if a["name"].lower() == "sn")
    assert sn["values"]["top"] == [{"value": "Ana \U0001f600 \\ud800", "users": 1}]
