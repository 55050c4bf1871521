"""Seed the lab Samba AD DC the way a hybrid forest with Exchange looks.

Run by ``scripts/samba-dc.sh start`` right after provisioning. It extends the
schema with Exchange's extensionAttribute1..15 (on an auxiliary class attached
to ``user``, as the Exchange schema update does), registers the partner UPN
suffixes, creates the OUs, a read-only service account for the tests, and a
population of employees, partners, service accounts and disabled accounts.
The population is deterministic (fixed random seed), so test runs agree.
"""

from __future__ import annotations

import argparse
import random
import ssl
import sys
import time
import uuid
from collections.abc import Iterator

# A lab tool: the product itself talks LDAP only in generator/readers/ldap.py.
from ldap3 import MODIFY_ADD, MODIFY_REPLACE, NONE, Connection, Server, Tls  # noqa: TID251

# Exchange's own OIDs for ms-Exch-Extension-Attribute-1..15.
EXTENSION_OIDS = [f"1.2.840.113556.1.2.{n}" for n in range(423, 433)] + [
    f"1.2.840.113556.1.2.{n}" for n in range(599, 604)
]
# Samba rejects 2.25.* governsIDs; this arc (Microsoft's documented base for
# locally generated OIDs) is accepted.
AUX_CLASS_OID = "1.2.840.113556.1.8000.2554.47011.21930.6109.17418.40541.3316549.1"
PARTNER_SUFFIXES = ("partners.contoso.test", "fabrikam.example")
DEPARTMENTS = ("Finance", "Sales", "Engineering", "HR", "Legal", "Support")
FIRST = ("Anna", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hugo", "Ines")
LAST = ("Smith", "Müller", "Okafor", "Tanaka", "García", "Novak", "Berg", "Lee")


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    conn = connect(args.host, args.admin, args.admin_password, tls=False)
    extend_schema(conn, args.base_dn)
    add_suffixes(conn, args.base_dn)
    add_ous(conn, args.base_dn)
    count = 0
    for dn, attributes in population(args.base_dn, args.users):
        add(conn, dn, attributes)
        count += 1
    add_ldap_spn(conn, args.base_dn)
    secure = connect(args.host, args.admin, args.admin_password, tls=True)
    add_reader(secure, args.base_dn, args.reader, args.reader_password)
    elapsed = time.monotonic() - started
    print(f"seeded in {elapsed:.1f} s: {count} users")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("host", "base-dn", "admin", "admin-password", "reader"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--reader-password", required=True)
    parser.add_argument("--users", type=int, default=1200)
    return parser.parse_args()


def connect(host: str, user: str, password: str, *, tls: bool) -> Connection:
    port = 636 if tls else 389
    server = Server(
        host,
        port=port,
        use_ssl=tls,
        tls=Tls(validate=ssl.CERT_NONE),
        get_info=NONE,
    )
    return Connection(
        server, user=user, password=password, auto_bind=True, check_names=False
    )


def add(conn: Connection, dn: str, attributes: dict[str, object]) -> None:
    classes = attributes.pop("objectClass")
    if not conn.add(dn, classes, attributes):
        raise SystemExit(f"cannot add {dn}: {conn.result}")


def modify(conn: Connection, dn: str, changes: dict[str, object]) -> None:
    if not conn.modify(dn, changes):
        raise SystemExit(f"cannot modify {dn!r}: {conn.result}")


def extend_schema(conn: Connection, base_dn: str) -> None:
    """Exchange attributes on an auxiliary class of ``user``, then reload."""
    schema_dn = f"CN=Schema,CN=Configuration,{base_dn}"
    for index, oid in enumerate(EXTENSION_OIDS, start=1):
        name = f"extensionAttribute{index}"
        add(
            conn,
            f"CN=ms-Exch-Extension-Attribute-{index},{schema_dn}",
            {
                "objectClass": ["top", "attributeSchema"],
                "attributeID": oid,
                "lDAPDisplayName": name,
                "adminDisplayName": name,
                "attributeSyntax": "2.5.5.12",
                "oMSyntax": 64,
                "isSingleValued": "TRUE",
                "rangeLower": 1,
                "rangeUpper": 1024,
                "searchFlags": 1,
                # Exchange replicates these to the Global Catalog.
                "isMemberOfPartialAttributeSet": "TRUE",
            },
        )
    add(
        conn,
        f"CN=ms-Exch-Custom-Attributes,{schema_dn}",
        {
            "objectClass": ["top", "classSchema"],
            "governsID": AUX_CLASS_OID,
            "lDAPDisplayName": "msExchCustomAttributes",
            "adminDisplayName": "ms-Exch-Custom-Attributes",
            "objectClassCategory": 3,
            "subClassOf": "top",
            "mayContain": [f"extensionAttribute{i}" for i in range(1, 16)],
        },
    )
    modify(
        conn,
        f"CN=User,{schema_dn}",
        {"auxiliaryClass": [(MODIFY_ADD, ["msExchCustomAttributes"])]},
    )
    modify(conn, "", {"schemaUpdateNow": [(MODIFY_REPLACE, ["1"])]})


def add_suffixes(conn: Connection, base_dn: str) -> None:
    modify(
        conn,
        f"CN=Partitions,CN=Configuration,{base_dn}",
        {"uPNSuffixes": [(MODIFY_ADD, list(PARTNER_SUFFIXES))]},
    )


def add_ous(conn: Connection, base_dn: str) -> None:
    for ou in ("Staff", "Partners", "Service Accounts"):
        add(
            conn,
            f"OU={ou},{base_dn}",
            {"objectClass": ["top", "organizationalUnit"], "ou": ou},
        )


def population(base_dn: str, total: int) -> Iterator[tuple[str, dict[str, object]]]:
    """Employees, partners (by suffix, by OU, or both), service accounts."""
    rng = random.Random(20261203)
    for index in range(total):
        if index % 50 == 7:
            yield service_account(base_dn, index)
        elif index % 9 == 4:
            yield partner(base_dn, index, rng)
        else:
            yield employee(base_dn, index, rng)


def person(index: int, rng: random.Random) -> tuple[str, str, str]:
    given = FIRST[index % len(FIRST)]
    surname = f"{LAST[(index // len(FIRST)) % len(LAST)]}{index:04d}"
    return given, surname, f"{given[0]}{surname}".lower()


def base_user(sam: str, given: str, surname: str, disabled: bool) -> dict[str, object]:
    # 544 = normal account that needs no password (no LDAPS needed to seed).
    return {
        "objectClass": ["top", "person", "organizationalPerson", "user"],
        "sAMAccountName": sam,
        "givenName": given,
        "sn": surname,
        "displayName": f"{given} {surname}",
        "userAccountControl": 514 if disabled else 544,
    }


def employee(
    base_dn: str, index: int, rng: random.Random
) -> tuple[str, dict[str, object]]:
    given, surname, sam = person(index, rng)
    attrs = base_user(sam, given, surname, disabled=index % 23 == 0)
    upn = f"{given}.{surname}@contoso.test"
    # Some admins typed UPNs in mixed case; AD keeps the case as entered.
    attrs["userPrincipalName"] = (
        upn if index % 13 else upn.replace("contoso", "Contoso")
    )
    attrs.update(
        mail=f"{given}.{surname}@contoso.test",
        department=DEPARTMENTS[index % len(DEPARTMENTS)],
        company="Contoso",
        employeeID=f"E{index:05d}",
        employeeType="Employee" if index % 5 else "Contractor",
        # extensionAttribute1 already serves as the cost centre.
        extensionAttribute1=f"CC-{1000 + index % 40}",
        proxyAddresses=[f"SMTP:{given}.{surname}@contoso.test"],
    )
    attrs["mS-DS-ConsistencyGuid"] = uuid.UUID(int=rng.getrandbits(128)).bytes_le
    return f"CN={given} {surname},OU=Staff,{base_dn}", attrs


def partner(
    base_dn: str, index: int, rng: random.Random
) -> tuple[str, dict[str, object]]:
    given, surname, sam = person(index, rng)
    attrs = base_user(f"p-{sam}", given, surname, disabled=index % 31 == 4)
    suffix = PARTNER_SUFFIXES[index % 2]
    upn = f"{given}.{surname}@{suffix}"
    attrs["userPrincipalName"] = upn if index % 3 else upn.upper()
    attrs.update(
        mail=f"{given}.{surname}@{suffix}",
        company="Fabrikam",
        department="External",
        proxyAddresses=[f"SMTP:{given}.{surname}@{suffix}"],
    )
    # The partner flag is kept, inconsistently, the way real directories drift.
    if index % 4:
        attrs["employeeType"] = "Partner" if index % 7 else " partner "
    if index % 5:
        attrs["extensionAttribute5"] = "B2B-Partner" if index % 11 else "b2b-partner"
    attrs["msDS-cloudExtensionAttribute1"] = "PartnerAccount"
    attrs["mS-DS-ConsistencyGuid"] = uuid.UUID(int=rng.getrandbits(128)).bytes_le
    # A few partners were created in Staff: only their suffix gives them away.
    ou = "Staff" if index % 17 == 0 else "Partners"
    return f"CN={given} {surname},OU={ou},{base_dn}", attrs


def service_account(base_dn: str, index: int) -> tuple[str, dict[str, object]]:
    name = f"svc-app{index:04d}"
    attrs = base_user(name, "Service", name, disabled=False)
    attrs["description"] = "Application service account (no UPN)"
    return f"CN={name},OU=Service Accounts,{base_dn}", attrs


def add_ldap_spn(conn: Connection, base_dn: str) -> None:
    """Kerberos binds ask for ldap/HOST; without dnsupdate Samba lacks that SPN."""
    host = "dc1." + ".".join(p[3:] for p in base_dn.split(","))
    modify(
        conn,
        f"CN=DC1,OU=Domain Controllers,{base_dn}",
        {"servicePrincipalName": [(MODIFY_ADD, [f"ldap/{host}"])]},
    )


def add_reader(conn: Connection, base_dn: str, upn: str, password: str) -> None:
    """The account the tests bind with; a password needs LDAPS."""
    sam = upn.split("@", maxsplit=1)[0]
    quoted = f'"{password}"'.encode("utf-16-le")
    add(
        conn,
        f"CN={sam},OU=Service Accounts,{base_dn}",
        {
            "objectClass": ["top", "person", "organizationalPerson", "user"],
            "sAMAccountName": sam,
            "userPrincipalName": upn,
            "unicodePwd": quoted,
            "userAccountControl": 512,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
