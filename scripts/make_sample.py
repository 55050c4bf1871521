"""Write the bundled sample directory in samples/ (fictional, deterministic).

Alderbrook Logistics, forest ``alderbrook.example``: employees in department
OUs under ``OU=Staff`` at the main UPN suffix; partner accounts of two firms at
``partners.alderbrook.example`` and ``contractors.alderbrook.example`` in
``OU=Partners``, with a few exceptions either way; service accounts without a
UPN; mixed-case UPNs; ``extensionAttribute1`` already used for cost centres;
a few disabled accounts. Written as ldifde-style LDIF, csvde-style CSV and an
ldifde-style export of the schema partition (with Exchange's
``extensionAttribute1..15`` and ``msDS-CloudExtensions``).

    .venv/bin/python scripts/make_sample.py [--out samples]

The same seed always gives the same bytes; tests regenerate and compare.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import ldif
from ldap3.protocol.schemas import ad2012R2  # noqa: TID251 - build-time only

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.readers.schema_file import schema_from_json  # noqa: E402
from generator.schema import AttributeDef, ClassDef, Schema  # noqa: E402

SEED = 20261203
DOMAIN_DN = "DC=alderbrook,DC=example"
MAIN_SUFFIX = "alderbrook.example"
PARTNER_FIRMS = (
    ("Kestrel Consulting", "partners.alderbrook.example", 36),
    ("Brightwave Services", "contractors.alderbrook.example", 20),
)
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations", "Warehouse", "HR")
DOMAIN_SID = "S-1-5-21-1204975116-3391128510-2844513360"
CREATED = "20240115093000.0Z"

GIVEN = (
    "Ada Basil Cora Dario Edith Felix Greta Hugo Ines Jonas Kira Linus Mara Nils "
    "Orla Pavel Quinn Rosa Stellan Tilde Ugo Vera Wendel Xenia Yannick Zora Aurélie "
    "Søren Zoë José Maren Otto Liesel Bram Ilse Teodor Nadia Emrik Solveig"
).split()
SURNAMES = (
    "Ashdown Brackwell Calloway Dunmore Elsworth Farrow Glenister Hartigan Ivesley "
    "Jardine Kettering Lomax Marchbank Northcott Oakhurst Pembury Quarrie Redwater "
    "Saltonstall Thornbury Underhill Vance Whitlock Yardley Ashgrove Birchall "
    "Coldharbour Dellow Eastwick Fennimore Gorsuch Holloway Inchbald Juniper Kilbride"
).split()
TITLES = {
    "Sales": ("Account Manager", "Sales Director", "Sales Assistant"),
    "Engineering": ("Software Engineer", "Network Engineer", "Architect"),
    "Finance": ("Accountant", "Controller", "Payroll Officer"),
    "Operations": ("Planner", "Dispatcher", "Operations Lead"),
    "Warehouse": ("Forklift Operator", "Shift Supervisor", "Stock Clerk"),
    "HR": ("HR Advisor", "Recruiter", "HR Director"),
}
USER_CLASSES = ("top", "person", "organizationalPerson", "user")
NORMAL, DISABLED, DONT_EXPIRE = 0x200, 0x2, 0x10000


@dataclass
class Account:
    """One sample account; ``attributes`` in ldifde's order."""

    cn: str
    ou: str
    sam: str
    uac: int
    upn: str | None = None
    attributes: dict[str, list[str | bytes]] = field(default_factory=dict)

    @property
    def dn(self) -> str:
        return f"CN={self.cn},{self.ou}"


class Directory:
    """Builds the accounts with one seeded random source."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.rid = 1100
        self.sams: set[str] = set()
        self.accounts: list[Account] = []

    def person(self) -> tuple[str, str, str]:
        """A fictional given name, surname and a unique sAMAccountName."""
        while True:
            given, sur = self.rng.choice(GIVEN), self.rng.choice(SURNAMES)
            sam = _ascii(f"{given[0]}{sur}").lower()[:20]
            if sam not in self.sams:
                self.sams.add(sam)
                return given, sur, sam

    def add(self, account: Account, **values: str | list[str] | None) -> None:
        self.rid += 1
        guid = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        attrs: dict[str, list[str | bytes]] = {
            "objectClass": list(USER_CLASSES),
            "cn": [account.cn],
            "distinguishedName": [account.dn],
            "instanceType": ["4"],
            "whenCreated": [CREATED],
        }
        for name, value in values.items():
            if value:
                found = value if isinstance(value, list) else [value]
                attrs[name] = list(found)
        attrs["name"] = [account.cn]
        attrs["objectGUID"] = [guid.bytes_le]
        attrs["userAccountControl"] = [str(account.uac)]
        attrs["objectSid"] = [_sid_bytes(f"{DOMAIN_SID}-{self.rid}")]
        attrs["sAMAccountName"] = [account.sam]
        if account.upn:
            attrs["userPrincipalName"] = [account.upn]
        attrs["sAMAccountType"] = ["805306368"]
        attrs["objectCategory"] = [f"CN=Person,CN=Schema,CN=Configuration,{DOMAIN_DN}"]
        if account.upn and self.rng.random() < 0.5:
            attrs["mS-DS-ConsistencyGuid"] = [guid.bytes_le]
        account.attributes = attrs
        self.accounts.append(account)


def build() -> list[Account]:
    """Every sample account, in a fixed order."""
    directory = Directory()
    _builtins(directory)
    _employees(directory)
    _partners(directory)
    _service_accounts(directory)
    return directory.accounts


def _builtins(directory: Directory) -> None:
    users = f"CN=Users,{DOMAIN_DN}"
    for cn, uac, description in (
        ("Administrator", NORMAL | DONT_EXPIRE, "Built-in account for administering"),
        ("Guest", NORMAL | DISABLED | DONT_EXPIRE | 0x20, "Built-in guest account"),
        ("krbtgt", NORMAL | DISABLED, "Key Distribution Center Service Account"),
    ):
        directory.add(
            Account(cn, users, cn, uac),
            description=description,
            isCriticalSystemObject="TRUE",
        )


def _employees(directory: Directory) -> None:
    rng = directory.rng
    for index in range(240):
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        given, sur, sam = directory.person()
        local = _ascii(f"{given}.{sur}").lower()
        upn = f"{local}@{MAIN_SUFFIX}"
        if index % 40 == 7:  # typed by hand at some point
            upn = f"{_ascii(given)}.{_ascii(sur)}@{MAIN_SUFFIX.title()}"
        uac = NORMAL | (DISABLED if index % 41 == 5 else 0)
        employee_type = "Employee"
        if index % 47 == 3:
            employee_type = "employee"
        elif index % 61 == 9:
            employee_type = "Employee "
        elif index % 23 == 11:
            employee_type = ""
        directory.add(
            Account(
                f"{given} {sur}", f"OU={department},OU=Staff,{DOMAIN_DN}", sam, uac, upn
            ),
            sn=sur,
            givenName=given,
            displayName=f"{given} {sur}",
            title=rng.choice(TITLES[department]),
            department=department,
            company="Alderbrook logistics"
            if index % 97 == 13
            else "Alderbrook Logistics",
            employeeID=f"E{10000 + index}",
            employeeType=employee_type,
            extensionAttribute1=f"CC-{rng.choice((1010, 1020, 2040, 3300, 4100))}"
            if index % 6
            else None,
            mail=upn.lower(),
            proxyAddresses=[f"SMTP:{upn.lower()}", f"smtp:{sam}@{MAIN_SUFFIX}"],
        )


def _partners(directory: Directory) -> None:
    """Partner accounts; the exceptions are the admin's real-world mess."""
    partners_ou = f"OU=Partners,{DOMAIN_DN}"
    for firm, suffix, count in PARTNER_FIRMS:
        for index in range(count):
            given, sur, sam = directory.person()
            local = _ascii(f"{given}.{sur}").lower()
            ou, upn = partners_ou, f"{local}@{suffix}"
            if index in (4, 17) and suffix.startswith("partners"):
                ou = f"OU=Engineering,OU=Staff,{DOMAIN_DN}"  # seated with a team
            if index == 9 and suffix.startswith("contractors"):
                ou = f"OU=Operations,OU=Staff,{DOMAIN_DN}"
            if index in (2, 12) and suffix.startswith("partners"):
                upn = f"{local}@{MAIN_SUFFIX}"  # created with the wrong suffix
            if index % 10 == 6:
                upn = upn.split("@")[0] + "@" + suffix.upper()
            kind = "Contractor" if suffix.startswith("contractors") else "Partner"
            if index % 11 == 5:
                kind = kind.lower()
            uac = NORMAL | (DISABLED if index % 13 == 8 else 0)
            directory.add(
                Account(f"{given} {sur} ({firm.split()[0]})", ou, sam, uac, upn),
                sn=sur,
                givenName=given,
                displayName=f"{given} {sur} ({firm})",
                company=firm,
                employeeType=kind if index % 9 != 4 else "",
                mail=f"{local}@{firm.split()[0].lower()}.example",
            )


def _service_accounts(directory: Directory) -> None:
    ou = f"OU=Service Accounts,{DOMAIN_DN}"
    for index, name in enumerate(
        "backup sql-reporting print-spooler scanner hr-sync crm-connector "
        "monitoring ftp-gateway build-agent label-printer erp-batch legacy-fax".split()
    ):
        uac = NORMAL | DONT_EXPIRE | (DISABLED if name == "legacy-fax" else 0)
        directory.add(
            Account(f"svc-{name}", ou, f"svc-{name}"[:20], uac),
            description=f"Service account for {name.replace('-', ' ')}",
            extensionAttribute1="CC-9000" if index % 3 == 0 else None,
        )


def _rfc2849_safe(value: str) -> str | bytes:
    """Values ending in a space go out as base64 (RFC 2849 note 8), as bytes."""
    return value.encode("utf-8") if value.endswith(" ") else value


def _ascii(text: str) -> str:
    table = str.maketrans("éëøöüåæ", "eeoouaa")
    return re.sub(r"[^A-Za-z.]", "", text.translate(table))


def _sid_bytes(sid: str) -> bytes:
    parts = [int(p) for p in sid.split("-")[1:]]
    head = bytes([parts[0], len(parts) - 2]) + parts[1].to_bytes(6, "big")
    return head + b"".join(p.to_bytes(4, "little") for p in parts[2:])


def write_ldif(accounts: list[Account]) -> bytes:
    """ldifde -f style: ``changetype: add``, base64 for binary and non-ASCII, CRLF."""
    buffer = io.BytesIO()
    writer = ldif.LDIFWriter(
        buffer, base64_attrs=("objectGUID",), cols=78, line_sep=b"\r\n"
    )
    for account in accounts:
        record = [
            (name, [_rfc2849_safe(v) if isinstance(v, str) else v for v in values])
            for name, values in account.attributes.items()
        ]
        writer.unparse(account.dn, record)
    return buffer.getvalue()


def write_csv(accounts: list[Account]) -> bytes:
    """csvde -f style: DN first, ``;`` between values, X'hex' for binary, CRLF."""
    columns: list[str] = []
    for account in accounts:
        columns.extend(n for n in account.attributes if n not in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["DN", *columns])
    for account in accounts:
        row = [
            ";".join(_csv_value(v) for v in account.attributes.get(c, []))
            for c in columns
        ]
        writer.writerow([account.dn, *row])
    return buffer.getvalue().encode("utf-8")


def _csv_value(value: str | bytes) -> str:
    return f"X'{value.hex()}'" if isinstance(value, bytes) else value


# The schema export: the classes a user is built from, with their attributes.
SCHEMA_CLASSES = (
    "top",
    "person",
    "organizationalPerson",
    "user",
    "mailRecipient",
    "securityPrincipal",
    "msDS-CloudExtensions",
)
SYSTEM_AUXILIARY = {
    "user": ("securityPrincipal", "mailRecipient", "msDS-CloudExtensions")
}
EXCHANGE_CLASS = "msExchCustomAttributes"
# Exchange's OIDs for extensionAttribute1..10 and 11..15.
EXTENSION_OIDS = [
    f"1.2.840.113556.1.2.{n}" for n in (*range(423, 433), *range(599, 604))
]
# A private OID in Microsoft's arc for schema extensions, for the sample only.
EXCHANGE_CLASS_OID = "1.2.840.113556.1.8000.2554.50123.1"
OM_SYNTAX = {
    "2.5.5.1": 127, "2.5.5.2": 6, "2.5.5.3": 27, "2.5.5.4": 20, "2.5.5.5": 22,
    "2.5.5.6": 18, "2.5.5.7": 127, "2.5.5.8": 1, "2.5.5.9": 2, "2.5.5.10": 4,
    "2.5.5.11": 24, "2.5.5.12": 64, "2.5.5.13": 127, "2.5.5.14": 127,
    "2.5.5.15": 66, "2.5.5.16": 65, "2.5.5.17": 4,
}  # fmt: skip


def write_schema(domain_dn: str) -> bytes:
    """An ldifde export of the schema partition, reduced to the user classes."""
    bundled = _bundled_schema()
    oids = _ldap3_oids()
    classes = [bundled.classes[c.lower()] for c in SCHEMA_CLASSES]
    names = sorted({a for c in classes for a in (*c.may, *c.must)}, key=str.lower)
    buffer = io.BytesIO()
    writer = ldif.LDIFWriter(buffer, cols=78, line_sep=b"\r\n")
    base = f"CN=Schema,CN=Configuration,{domain_dn}"
    for name in names:
        found = bundled.attribute(name)
        if found is not None:
            _write_attribute(writer, base, found, oids.get(name.lower(), ""))
    for number, oid in enumerate(EXTENSION_OIDS, 1):
        extension = AttributeDef(f"extensionAttribute{number}", "2.5.5.12", True, True)
        _write_attribute(writer, base, extension, oid)
    for cls in classes:
        _write_class(writer, base, cls, oids.get(cls.name.lower(), ""))
    exchange = ClassDef(
        EXCHANGE_CLASS, "top", may=tuple(f"extensionAttribute{n}" for n in range(1, 16))
    )
    _write_class(writer, base, exchange, EXCHANGE_CLASS_OID, category="3")
    return buffer.getvalue()


def _bundled_schema() -> Schema:
    data = json.loads((ROOT / "generator" / "data" / "default_schema.json").read_text())
    return schema_from_json(data, "bundled", "default")


def _ldap3_oids() -> dict[str, str]:
    raw = json.loads(ad2012R2.ad_2012_r2_schema)["raw"]
    pattern = re.compile(r"\( ([0-9.]+) NAME '([^']+)'")
    found = {}
    for definition in (*raw["attributeTypes"], *raw["objectClasses"]):
        match = pattern.search(definition)
        if match:
            found[match.group(2).lower()] = match.group(1)
    return found


def _common_name(name: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name)
    return spaced[:1].upper() + spaced[1:]


def _write_attribute(
    writer: ldif.LDIFWriter, base: str, attribute: AttributeDef, oid: str
) -> None:
    cn = _common_name(attribute.name)
    entry: list[tuple[str, list[str]]] = [
        ("objectClass", ["top", "attributeSchema"]),
        ("cn", [cn]),
        ("attributeID", [oid]),
        ("attributeSyntax", [attribute.syntax]),
        ("isSingleValued", ["TRUE" if attribute.single_valued else "FALSE"]),
        ("oMSyntax", [str(OM_SYNTAX.get(attribute.syntax, 127))]),
        ("lDAPDisplayName", [attribute.name]),
    ]
    if attribute.in_partial_attribute_set:
        entry.append(("isMemberOfPartialAttributeSet", ["TRUE"]))
    if attribute.system_only:
        entry.append(("systemOnly", ["TRUE"]))
    writer.unparse(f"CN={cn},{base}", [(k, v) for k, v in entry if v != [""]])


def _write_class(
    writer: ldif.LDIFWriter, base: str, cls: ClassDef, oid: str, category: str = ""
) -> None:
    cn = _common_name(cls.name)
    system_aux = SYSTEM_AUXILIARY.get(cls.name, ())
    entry: list[tuple[str, list[str]]] = [
        ("objectClass", ["top", "classSchema"]),
        ("cn", [cn]),
        ("governsID", [oid]),
        ("subClassOf", [cls.superclass or "top"]),
        ("objectClassCategory", [category or ("3" if cls.name in _AUXILIARY else "1")]),
        ("lDAPDisplayName", [cls.name]),
        ("auxiliaryClass", [EXCHANGE_CLASS] if cls.name == "user" else []),
        ("systemAuxiliaryClass", list(system_aux)),
        ("systemMayContain", list(cls.may) if cls.name != EXCHANGE_CLASS else []),
        ("mayContain", list(cls.may) if cls.name == EXCHANGE_CLASS else []),
        ("systemMustContain", list(cls.must)),
    ]
    writer.unparse(f"CN={cn},{base}", [(k, v) for k, v in entry if v and v != [""]])


_AUXILIARY = {"mailRecipient", "securityPrincipal", "msDS-CloudExtensions"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "samples")
    args = parser.parse_args()
    accounts = build()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "alderbrook-users.ldf").write_bytes(write_ldif(accounts))
    (args.out / "alderbrook-users.csv").write_bytes(write_csv(accounts))
    (args.out / "alderbrook-schema.ldf").write_bytes(write_schema(DOMAIN_DN))
    summary = {"users": len(accounts), "seed": SEED}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
