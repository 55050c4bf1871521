"""Write the malformed-input corpus in ``tests/data/malformed/`` (deterministic).

Run ``.venv/bin/python tests/hardening/make_malformed.py`` after changing a
case; ``test_malformed.py`` holds what each file must produce. The huge-line
cases (2 MB each) are made by the test in a temporary folder instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "data" / "malformed"
HUGE = 2 * 1024 * 1024

USER = (
    "dn: CN=Mara Lomax,OU=Staff,DC=corp,DC=example\n"
    "objectClass: top\n"
    "objectClass: person\n"
    "objectClass: organizationalPerson\n"
    "objectClass: user\n"
    "sAMAccountName: mlomax\n"
    "userPrincipalName: mlomax@corp.example\n"
    "\n"
    "dn: CN=Pat Ner,OU=Partners,DC=corp,DC=example\n"
    "objectClass: top\n"
    "objectClass: person\n"
    "objectClass: organizationalPerson\n"
    "objectClass: user\n"
    "sAMAccountName: pner\n"
    "userPrincipalName: pner@partners.corp.example\n"
)
CSV_HEAD = "DN,objectClass,sAMAccountName,userPrincipalName\n"
_CLASSES = "top;person;organizationalPerson;user"
CSV_ROW = (
    f'"CN=Mara Lomax,OU=Staff,DC=corp,DC=example",{_CLASSES},mlomax,'
    "mlomax@corp.example\n"
    f'"CN=Pat Ner,OU=Partners,DC=corp,DC=example",{_CLASSES},pner,'
    "pner@partners.corp.example\n"
)
SNAPSHOT_HEAD = (
    '{"format": "entra-rulegen-snapshot", "schema_version": 1,\n'
    '"source": "ldaps://dc1.corp.example", "forest": "corp.example",\n'
    '"base_dn": "DC=corp,DC=example", "schema": null,\n'
)
SNAP_USER = (
    '{"dn": "CN=Mara Lomax,OU=Staff,DC=corp,DC=example", "attributes": '
    '{"objectclass": ["top", "person", "organizationalPerson", "user"], '
    '"samaccountname": ["mlomax"], "userprincipalname": ["mlomax@corp.example"]}}'
)
SNAP_PARTNER = (
    '{"dn": "CN=Pat Ner,OU=Partners,DC=corp,DC=example", "attributes": '
    '{"objectclass": ["top", "person", "organizationalPerson", "user"], '
    '"samaccountname": ["pner"], '
    '"userprincipalname": ["pner@partners.corp.example"]}}'
)
SCHEMA_ATTR = (
    "dn: CN=Employee-Type,CN=Schema,CN=Configuration,DC=corp,DC=example\n"
    "objectClass: attributeSchema\n"
    "lDAPDisplayName: employeeType\n"
    "attributeSyntax: 2.5.5.12\n"
    "isSingleValued: TRUE\n"
)
RULE = """<synchronizationRule>
  <name>In from AD - User Partner Marker</name>
  <id>6f1c2a3b-1111-4a4a-9b9b-0123456789ab</id>
  <version>1</version>
  <description></description>
  <immutable-tag></immutable-tag>
  <connector>{2f9e1d0c-2222-4b4b-8c8c-0123456789ab}</connector>
  <direction>Inbound</direction>
  <disabled>False</disabled>
  <sourceObjectType>user</sourceObjectType>
  <targetObjectType>person</targetObjectType>
  <precedence>50</precedence>
  <linkType>Join</linkType>
  <attribute-mappings />
</synchronizationRule>"""
RULES = "SynchronizationRules/SynchronizationRule"
RULE_FILE = f"{RULES}_{{6f1c2a3b}}.xml"


def files() -> dict[str, bytes]:
    """Every corpus file, by its path under the corpus folder."""
    found: dict[str, bytes] = {}
    found.update(ldif_files())
    found.update(csv_files())
    found.update(json_files())
    found.update(schema_files())
    found.update(config_files())
    found.update(partner_files())
    found.update(expression_files())
    return found


def ldif_files() -> dict[str, bytes]:
    u = USER.encode()
    return {
        "ldif-empty.ldf": b"",
        "ldif-truncated-base64.ldf": u + b"objectGUID:: 7+RF5XILfkagJA=L",
        "ldif-no-dn.ldf": b"objectClass: user\nsAMAccountName: x\n",
        "ldif-fold-at-start.ldf": b" continued\n" + u,
        "ldif-latin1.ldf": u + "displayName: Ren\xe9e\n".encode("latin-1"),
        "ldif-utf16-truncated.ldf": b"\xff\xfe" + USER.encode("utf-16-le") + b"A",
        "ldif-no-colon.ldf": u + b"department Sales\n",
        "ldif-two-dn.ldf": u + b"dn: CN=Other,DC=corp,DC=example\n",
        "ldif-nul-in-name.ldf": u + b"descr\x00iption: a\n",
        "ldif-bad-attribute-name.ldf": u + b"bad name!: x\n",
        "ldif-bad-changetype.ldf": USER.replace(
            "objectClass: top", "changetype: frobnicate\nobjectClass: top", 1
        ).encode(),
        "ldif-binary-garbage.ldf": bytes(range(256)) * 4,
        # ldapsearch's trailer: the search stopped short, or a page was left.
        "ldif-size-limit.ldf": u
        + b"\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n",
        "ldif-paged-cookie.ldf": u
        + b"\n# search result\nsearch: 2\nresult: 0 Success\n"
        + b"pagedresults: estimate=9 cookie=MQA=\n",
    }


def csv_files() -> dict[str, bytes]:
    return {
        "csv-empty.csv": b"",
        "csv-no-dn-column.csv": b"sAMAccountName,userPrincipalName\nmlomax,m@corp\n",
        "csv-unterminated-quote.csv": (
            CSV_HEAD + CSV_ROW + '"CN=x,DC=corp,user\n'
        ).encode(),
        "csv-ragged-row.csv": (
            CSV_HEAD + CSV_ROW + CSV_ROW.strip() + ",extra,more\n"
        ).encode(),
        "csv-duplicate-header.csv": (
            "DN,objectClass,sAMAccountName,sAMAccountName\n" + CSV_ROW
        ).encode(),
        "csv-latin1.csv": (CSV_HEAD + CSV_ROW).encode()
        + b'"CN=Ren\xe9e,DC=corp",user,r,r@c\n',
        "csv-only-bom.csv": b"\xef\xbb\xbf",
        "csv-utf16-truncated.csv": b"\xff\xfe"
        + (CSV_HEAD + CSV_ROW).encode("utf-16-le")
        + b"\x41",
    }


def json_files() -> dict[str, bytes]:
    head = SNAPSHOT_HEAD
    return {
        "json-empty.json": b"",
        "json-truncated.json": (head + '"users": [' + SNAP_USER[:60]).encode(),
        "json-wrong-format.json": (
            head.replace("entra-rulegen-snapshot", "some-other-tool") + '"users": []}\n'
        ).encode(),
        "json-newer-version.json": (
            head.replace('"schema_version": 1', '"schema_version": 99')
            + '"users": []}\n'
        ).encode(),
        "json-users-not-list.json": (head + '"users": {"a": 1}}\n').encode(),
        "json-attributes-wrong-type.json": (
            head
            + '"users": [\n{"dn": "CN=a,DC=corp,DC=example", "attributes": "x"}\n]}\n'
        ).encode(),
        "json-user-without-attributes.json": (
            head + '"users": [\n{"dn": "CN=a,DC=corp,DC=example"}\n]}\n'
        ).encode(),
        "json-values-wrong-type.json": (
            head + '"users": [\n{"dn": "CN=a,DC=corp,DC=example", "attributes": '
            '{"samaccountname": [12, true]}}\n]}\n'
        ).encode(),
        "json-duplicate-keys.json": (
            head.replace('"forest": "corp.example"', '"forest": "a", "forest": "b"')
            + '"users": []}\n'
        ).encode(),
        "json-bad-base64.json": (
            head + '"users": [\n{"dn": "CN=a,DC=corp,DC=example", "attributes": '
            '{"objectguid": [{"base64": "!!not base64!!"}]}}\n]}\n'
        ).encode(),
        "json-latin1.json": (head + '"users": [\n').encode()
        + b'{"dn": "CN=Ren\xe9e,DC=corp", "attributes": {}}\n]}\n',
        "json-number.json": b"42\n",
        "json-lone-surrogate.json": (
            head
            + '"users": [\n'
            + SNAP_PARTNER.replace("pner", "pn\\ud800er")
            + "\n]}\n"
        ).encode(),
        "json-deep-nesting.json": b"[" * 100_000,
        "json-dump-not-objects.json": b"[1, 2, 3]\n",
        "json-schema-wrong-type.json": (
            head.replace('"schema": null', '"schema": "abc"') + '"users": []}\n'
        ).encode(),
    }


def schema_files() -> dict[str, bytes]:
    return {
        "schema-empty.ldf": b"",
        "schema-no-attributes.ldf": USER.encode(),
        "schema-truncated.ldf": SCHEMA_ATTR.encode()
        + b"\ndn: CN=x,CN=Schema\nattributeSyntax:: Zm9v=Z",
        "schema-latin1.ldf": SCHEMA_ATTR.encode()
        + "adminDescription: caf\xe9\n".encode("latin-1"),
    }


MV = b"<saved-mv-configuration>\n  <mv-data />\n</saved-mv-configuration>"


def config_files() -> dict[str, bytes]:
    lines = RULE.splitlines()
    cases = {
        "config-no-rules/Connectors/README.txt": b"no SynchronizationRules folder\n",
        f"config-truncated/{RULE_FILE}": "\n".join(lines[:7]).encode(),
        f"config-not-xml/{RULE_FILE}": b"this is not XML\n",
        f"config-latin1/{RULE_FILE}": RULE.replace(
            "Partner Marker", "Partenaire\xe9"
        ).encode("latin-1"),
        f"config-wrong-root/{RULE_FILE}": b"<connector>\n<name>x</name>\n</connector>",
        f"config-bad-precedence/{RULE_FILE}": RULE.replace(">50<", ">fifty<").encode(),
        f"config-missing-name/{RULE_FILE}": "\n".join(
            line for line in lines if "<name>" not in line
        ).encode(),
        f"config-unknown-direction/{RULE_FILE}": RULE.replace(
            "Inbound", "Sideways"
        ).encode(),
        f"config-duplicate-id/{RULES}_{{a}}.xml": RULE.encode(),
        f"config-duplicate-id/{RULES}_{{b}}.xml": RULE.replace(
            "Marker", "Copy"
        ).encode(),
        f"config-empty-file/{RULE_FILE}": b"",
    }
    # Each folder has a metaverse file, so only the broken file speaks.
    folders = {name.split("/")[0] for name in cases} - {"config-no-rules"}
    cases.update({f"{folder}/GlobalSettings/MV.xml": MV for folder in folders})
    return cases


def partner_files() -> dict[str, bytes]:
    return {
        "partners-empty.txt": b"",
        "partners-latin1.txt": b"alice\nRen\xe9e\n",
        "partners-control-char.txt": b"alice\nbo\x1bb\n",
        "partners-bad-upn.txt": b"alice\nbob@@example.com\n",
        "partners-bad-dn.txt": b"alice\nCN=bob,,=x\n",
        "partners-utf16-odd.txt": b"\xff\xfe" + "alice\n".encode("utf-16-le") + b"\x00",
    }


def expression_files() -> dict[str, bytes]:
    expr = 'IIF([employeeType]={},"Guest","Member")\n'
    return {
        "expr-empty.txt": b"",
        "expr-unterminated-string.txt": expr.format('"Partner').encode(),
        "expr-smart-quotes.txt": expr.format("\u201cPartner\u201d").encode(),
        "expr-bad-escape.txt": b'IIF([employeeType]="Part\\q","Guest","Member")\n',
        "expr-unbalanced.txt": b'IIF([employeeType]="Partner","Guest","Member"\n',
        "expr-latin1.txt": b'IIF([company]="Soci\xe9t\xe9","Guest","Member")\n',
        "expr-deep-nesting.txt": b"(" * 50_000 + b'"Guest"' + b")" * 50_000,
        "expr-empty-attribute.txt": b'\nIIF([]="x","Guest","Member")\n',
    }


def valid_files() -> dict[str, bytes]:
    """The well-formed versions the broken files start from: these must work."""
    users = ",\n".join([SNAP_USER, SNAP_PARTNER])
    return {
        "valid.ldf": USER.encode(),
        "valid.csv": (CSV_HEAD + CSV_ROW).encode(),
        "valid.json": (SNAPSHOT_HEAD + '"users": [\n' + users + "\n]}\n").encode(),
        "valid-partners.txt": b"pner\n",
        "valid-expr.txt": (
            b'IIF(Right(LCase([userPrincipalName]),Len("@partners.corp.example"))'
            b'="@partners.corp.example","Guest","Member")\n'
        ),
        f"valid-config/{RULE_FILE}": RULE.encode(),
        "valid-config/GlobalSettings/MV.xml": MV,
    }


def huge_files() -> dict[str, bytes]:
    """The huge-line cases: made at test time, too big to keep in the repository."""
    return {
        "ldif-huge-line.ldf": USER.encode() + b"x" * HUGE + b"\n",
        "csv-huge-field.csv": (CSV_HEAD + CSV_ROW).encode()
        + b'"CN=big,DC=corp",user,"'
        + b"y" * HUGE
        + b'",big@corp\n',
        "partners-huge-line.txt": b"alice\n" + b"b" * HUGE + b"\n",
        "expr-huge-line.txt": b'IIF([company]="' + b"c" * HUGE + b'"\n',
    }


def write() -> int:
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    everything = {**files(), **{f"valid/{k}": v for k, v in valid_files().items()}}
    for name, data in everything.items():
        path = CORPUS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return len(files())


if __name__ == "__main__":
    print(f"{write()} files in {CORPUS}")
