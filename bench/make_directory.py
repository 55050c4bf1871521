"""Synthetic Active Directory exports for the benchmarks, at any size.

The population has the shape of the bundled sample, scaled: employees in
department OUs at the main UPN suffix (a few with mixed-case UPNs), partners at
two partner suffixes and mostly in the Partners OU (with exceptions either
way), service accounts without a UPN, a few disabled accounts, a spare
attribute already used for something else, and the attributes an
``ldapsearch ... '*'`` of a real DC returns (about 45 lines per user, binary
GUIDs and SIDs in base64, long values folded).

Users are written one at a time, so a million users take no more memory than
ten. The same seed gives the same files, byte for byte.

    python bench/make_directory.py --users 100000 --out bench/data
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BASE = "DC=alderbrook,DC=example"
MAIN_SUFFIX = "alderbrook.example"
PARTNER_SUFFIXES = ("partners.alderbrook.example", "contractors.alderbrook.example")
PARTNERS_OU = f"OU=Partners,{BASE}"
SERVICE_OU = f"OU=Service Accounts,{BASE}"
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations", "Warehouse", "HR")
TITLES = ("Account Manager", "Engineer", "Accountant", "Planner", "Supervisor")
COST_CENTRES = ("CC-1010", "CC-1020", "CC-2040", "CC-3300", "CC-4100")
GIVEN = [
    "Ada",
    "Basil",
    "Cora",
    "Dario",
    "Edith",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Linus",
    "Mara",
    "Nils",
    "Orla",
    "Pavel",
    "Quinn",
    "Rosa",
    "Stellan",
    "Tilde",
    "Ugo",
    "Vera",
    "Wendel",
    "Xenia",
    "Yannick",
    "Zora",
]
GIVEN_ACCENTED = ("Aurélie", "Søren", "Zoë", "José")
SURNAMES = [
    "Ashdown",
    "Brackwell",
    "Calloway",
    "Dunmore",
    "Elsworth",
    "Farrow",
    "Glenister",
    "Hartigan",
    "Ivesley",
    "Jardine",
    "Kettering",
    "Lomax",
    "Marchbank",
    "Northcott",
    "Oakhurst",
    "Pembury",
    "Quarrie",
    "Redwater",
    "Saltonstall",
    "Thornbury",
    "Underhill",
    "Vance",
    "Whitlock",
    "Yardley",
    "Ashgrove",
    "Birchall",
]
# The sample's two firms first; bigger directories have many more.
FIRM_STEMS = [
    "Kestrel",
    "Brightwave",
    "Harrier",
    "Lowmoor",
    "Pinecrest",
    "Quayside",
    "Redfern",
    "Stonebridge",
    "Tidewater",
    "Upland",
    "Vantage",
    "Westerly",
    "Yarrowby",
    "Corrib",
    "Dovetail",
    "Emberly",
]
FIRM_FORMS = ("Consulting", "Services", "Logistics", "Systems", "Partners", "Group")
GROUPS = tuple(
    f"CN=GRP-{name},OU=Groups,{BASE}"
    for name in (
        "AllStaff",
        "VPN-Users",
        "Print-Depot2",
        "SharePoint-Readers",
        "Finance-Reports",
        "Warehouse-Scanners",
        "Partner-Portal",
        "Wifi-Guest",
    )
)
OBJECT_CLASSES = ("top", "person", "organizationalPerson", "user")
CSV_COLUMNS = (
    "DN",
    "objectClass",
    "cn",
    "distinguishedName",
    "instanceType",
    "whenCreated",
    "whenChanged",
    "description",
    "name",
    "objectGUID",
    "userAccountControl",
    "objectSid",
    "sAMAccountName",
    "sAMAccountType",
    "objectCategory",
    "sn",
    "givenName",
    "displayName",
    "title",
    "department",
    "company",
    "employeeID",
    "employeeType",
    "mail",
    "proxyAddresses",
    "userPrincipalName",
    "extensionAttribute1",
    "mS-DS-ConsistencyGuid",
    "manager",
    "memberOf",
    "telephoneNumber",
    "pwdLastSet",
    "lastLogonTimestamp",
)
LDIF_WIDTH = 78
NORMAL, DISABLED, DONT_EXPIRE = 0x200, 0x2, 0x10000


@dataclass(frozen=True)
class Counts:
    """What was written, so a benchmark can say what it read."""

    users: int
    in_partners_ou: int
    service: int
    disabled: int


def size_label(users: int) -> str:
    """10000 -> '10k', 1000000 -> '1m', 200 -> '200'."""
    if users % 1_000_000 == 0:
        return f"{users // 1_000_000}m"
    if users % 1000 == 0:
        return f"{users // 1000}k"
    return str(users)


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '250' -> 250."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    digits = text[:-1] if factor > 1 else text
    return int(digits) * factor


def data_paths(out: Path, users: int) -> tuple[Path, Path]:
    label = size_label(users)
    return out / f"directory-{label}.ldif", out / f"directory-{label}.csv"


class Population:
    """Draws one account after another from a seeded random generator.

    Proportions follow the sample (of its 311 accounts: 240 employees, 36 +
    20 partner accounts of two firms, 12 service accounts, 3 built-ins), and
    so do its exceptions: partners seated in a department OU or created with
    the main suffix, hand-typed mixed-case UPNs, case and white-space variants
    of ``employeeType`` and ``company``, cost centres in extensionAttribute1.
    """

    def __init__(self, seed: int, users: int) -> None:
        self.rng = random.Random(seed)
        self.users = users
        # About one partner firm per 25 partner accounts, as the sample has.
        count = max(2, users * 56 // 311 // 25)
        self.firms = [
            f"{FIRM_STEMS[i % len(FIRM_STEMS)]} "
            f"{FIRM_FORMS[(i // len(FIRM_STEMS)) % len(FIRM_FORMS)]}"
            + (f" {i // (len(FIRM_STEMS) * len(FIRM_FORMS)) + 1}" if i >= 96 else "")
            for i in range(count)
        ]
        self.firms[:2] = ["Kestrel Consulting", "Brightwave Services"]

    def entries(self) -> Iterator[list[tuple[str, str | bytes]]]:
        for index in range(self.users):
            yield self.entry(index)

    def entry(self, index: int) -> list[tuple[str, str | bytes]]:
        draw = self.rng.random() * 311
        if index < 3:
            return self._builtin(index)
        if draw < 12:
            return self._service(index)
        if draw < 12 + 56:
            return self._partner(index, contractor=draw < 12 + 20)
        return self._employee(index)

    def _common(
        self, index: int, cn: str, ou: str, sam: str, uac: int
    ) -> list[tuple[str, str | bytes]]:
        dn = f"CN={cn},{ou}"
        created = f"2024{1 + index % 12:02d}{1 + index % 28:02d}093000.0Z"
        usn = str(12000 + index * 3)
        pairs: list[tuple[str, str | bytes]] = [("dn", dn), ("changetype", "add")]
        pairs += [("objectClass", c) for c in OBJECT_CLASSES]
        pairs += [
            ("cn", cn),
            ("distinguishedName", dn),
            ("instanceType", "4"),
            ("whenCreated", created),
            ("whenChanged", "20261101120000.0Z"),
            ("uSNCreated", usn),
            ("uSNChanged", usn),
            ("name", cn),
            ("objectGUID", self.rng.randbytes(16)),
            ("userAccountControl", str(uac)),
            ("objectSid", _sid(1100 + index)),
            ("sAMAccountName", sam),
            ("sAMAccountType", "805306368"),
            ("objectCategory", f"CN=Person,CN=Schema,CN=Configuration,{BASE}"),
            ("pwdLastSet", str(133_500_000_000_000_000 + index)),
        ]
        return pairs

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        given = rng.choice(GIVEN_ACCENTED if rng.random() < 0.03 else GIVEN)
        return given, rng.choice(SURNAMES)

    def _builtin(self, index: int) -> list[tuple[str, str | bytes]]:
        cn, uac = (
            ("Administrator", NORMAL | DONT_EXPIRE),
            ("Guest", NORMAL | DISABLED | DONT_EXPIRE | 0x20),
            ("krbtgt", NORMAL | DISABLED),
        )[index]
        pairs = self._common(index, cn, f"CN=Users,{BASE}", cn, uac)
        pairs += [
            ("description", "Built-in account"),
            ("isCriticalSystemObject", "TRUE"),
        ]
        return pairs

    def _employee(self, index: int) -> list[tuple[str, str | bytes]]:
        rng = self.rng
        given, sur = self._person()
        sam = f"u{index:07d}"
        department = rng.choice(DEPARTMENTS)
        local = f"{_ascii(given)}.{sur}{index}".lower()
        upn = f"{local}@{MAIN_SUFFIX}"
        if rng.random() < 1 / 40:  # typed by hand at some point
            upn = f"{_ascii(given)}.{sur}{index}@{MAIN_SUFFIX.title()}"
        uac = NORMAL | (DISABLED if rng.random() < 1 / 41 else 0)
        employee_type = rng.choices(
            ("Employee", "employee", "Employee ", None), (1500, 32, 25, 65)
        )[0]
        ou = f"OU={department},OU=Staff,{BASE}"
        pairs = self._common(index, f"{given} {sur} {index}", ou, sam, uac)
        pairs += [
            ("sn", sur),
            ("givenName", given),
            ("displayName", f"{given} {sur}"),
            ("title", rng.choice(TITLES)),
            ("department", department),
            (
                "company",
                "Alderbrook Logistics"
                if rng.random() > 1 / 97
                else "Alderbrook logistics",
            ),
            ("employeeID", f"E{index:07d}"),
        ]
        if employee_type is not None:
            pairs.append(("employeeType", employee_type))
        pairs += [
            ("mail", upn.lower()),
            ("proxyAddresses", f"SMTP:{upn.lower()}"),
            ("proxyAddresses", f"smtp:{sam}@{MAIN_SUFFIX}"),
            ("userPrincipalName", upn),
        ]
        if rng.random() < 5 / 6:  # the cost centre: a spare attribute in use
            pairs.append(("extensionAttribute1", rng.choice(COST_CENTRES)))
        pairs += self._extras(manager=True)
        return pairs

    def _partner(self, index: int, contractor: bool) -> list[tuple[str, str | bytes]]:
        rng = self.rng
        given, sur = self._person()
        sam = f"p{index:07d}"
        suffix = PARTNER_SUFFIXES[1 if contractor else 0]
        firm = self.firms[1] if contractor else self.firms[0]
        if len(self.firms) > 2 and rng.random() < 0.6:
            firm = rng.choice(self.firms)
        local = f"{_ascii(given)}.{sur}{index}".lower()
        ou, upn = PARTNERS_OU, f"{local}@{suffix}"
        if rng.random() < 0.05:  # seated with a team
            ou = f"OU={rng.choice(DEPARTMENTS)},OU=Staff,{BASE}"
        if not contractor and rng.random() < 2 / 36:  # created with the main suffix
            upn = f"{local}@{MAIN_SUFFIX}"
        if rng.random() < 0.1:
            upn = f"{local}@{upn.split('@')[1].upper()}"
        kind = "Contractor" if contractor else "Partner"
        kind = kind.lower() if rng.random() < 1 / 11 else kind
        uac = NORMAL | (DISABLED if rng.random() < 1 / 13 else 0)
        cn = f"{given} {sur} {index} ({firm.split()[0]})"
        pairs = self._common(index, cn, ou, sam, uac)
        pairs += [
            ("sn", sur),
            ("givenName", given),
            ("displayName", f"{given} {sur} ({firm})"),
            ("company", firm),
        ]
        if rng.random() > 1 / 9:
            pairs.append(("employeeType", kind))
        pairs += [
            ("mail", f"{local}@{firm.split()[0].lower()}.example"),
            ("userPrincipalName", upn),
        ]
        pairs += self._extras(manager=False)
        return pairs

    def _service(self, index: int) -> list[tuple[str, str | bytes]]:
        rng = self.rng
        name = f"svc-{index:07d}"
        uac = NORMAL | DONT_EXPIRE | (DISABLED if rng.random() < 1 / 12 else 0)
        pairs = self._common(index, name, SERVICE_OU, name, uac)
        pairs.append(("description", "Service account"))
        if rng.random() < 1 / 3:
            pairs.append(("extensionAttribute1", "CC-9000"))
        return pairs

    def _extras(self, manager: bool) -> list[tuple[str, str | bytes]]:
        """What a full export carries besides the sample's attributes."""
        rng = self.rng
        pairs: list[tuple[str, str | bytes]] = []
        if rng.random() < 0.5:
            pairs.append(("mS-DS-ConsistencyGuid", rng.randbytes(16)))
        if manager:
            pairs.append(
                ("manager", f"CN=Manager {rng.randint(1, 500)},OU=Staff,{BASE}")
            )
        pairs += [("memberOf", g) for g in rng.sample(GROUPS, rng.randint(1, 4))]
        pairs.append(("telephoneNumber", f"+44 20 7946 {rng.randint(0, 9999):04d}"))
        pairs.append(
            (
                "lastLogonTimestamp",
                str(134_000_000_000_000_000 + rng.randint(0, 10**12)),
            )
        )
        return pairs


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("éëøöüåæ", "eeoouaa"))


def _sid(rid: int) -> bytes:
    domain = (21, 3_150_000_001, 2_850_000_002, 1_020_000_003)
    body = b"".join(part.to_bytes(4, "little") for part in (*domain, rid))
    return bytes((1, 5)) + (5).to_bytes(6, "big") + body


def ldif_record(pairs: list[tuple[str, str | bytes]]) -> str:
    """One entry as ldifde writes it: base64 where needed, folded, CRLF."""
    lines = []
    for name, value in pairs:
        if isinstance(value, bytes):
            line = f"{name}:: {base64.b64encode(value).decode('ascii')}"
        elif not value.isascii() or value[:1] in (" ", ":", "<") or value[-1:] == " ":
            line = f"{name}:: {base64.b64encode(value.encode()).decode('ascii')}"
        else:
            line = f"{name}: {value}"
        lines.append(_fold(line) if len(line) > LDIF_WIDTH else line)
    return "\r\n".join(lines) + "\r\n\r\n"


def _fold(line: str) -> str:
    head, rest = line[:LDIF_WIDTH], line[LDIF_WIDTH:]
    step = LDIF_WIDTH - 1
    parts = [head] + [" " + rest[i : i + step] for i in range(0, len(rest), step)]
    return "\r\n".join(parts)


def csv_row(pairs: list[tuple[str, str | bytes]]) -> list[str]:
    """One row as csvde writes it: DN first, ';' between values, X'hex' binary."""
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        text = f"X'{value.hex()}'" if isinstance(value, bytes) else value
        values.setdefault(name, []).append(text)
    values["DN"] = values.pop("dn")
    return [";".join(values.get(column, ())) for column in CSV_COLUMNS]


def write(
    users: int, ldif_path: Path | None, csv_path: Path | None, seed: int = 1
) -> Counts:
    """Write the directory to either file or both, in one pass."""
    partners = service = disabled = 0
    with _open(ldif_path) as ldif_out, _open(csv_path) as csv_out:
        writer = csv.writer(csv_out, lineterminator="\r\n")
        if csv_path is not None:
            writer.writerow(CSV_COLUMNS)
        for pairs in Population(seed, users).entries():
            dn = str(pairs[0][1])
            partners += PARTNERS_OU in dn
            service += SERVICE_OU in dn
            uac = next(v for n, v in pairs if n == "userAccountControl")
            disabled += bool(int(uac) & DISABLED)
            if ldif_path is not None:
                ldif_out.write(ldif_record(pairs))
            if csv_path is not None:
                writer.writerow(csv_row(pairs))
    return Counts(users, partners, service, disabled)


class _open:
    """A buffered UTF-8 text file, or a sink when there is no path."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: io.TextIOBase | None = None

    def __enter__(self) -> io.TextIOBase:
        if self.path is None:
            return io.StringIO()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".part")
        self.handle = tmp.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        return self.handle

    def __exit__(self, kind: object, *rest: object) -> None:
        if self.handle is None or self.path is None:
            return
        self.handle.close()
        tmp = self.path.with_suffix(self.path.suffix + ".part")
        if kind is None:
            tmp.replace(self.path)  # a half-written file never looks finished
        else:
            tmp.unlink(missing_ok=True)


def ensure(users: int, out: Path, seed: int = 1) -> tuple[Path, Path]:
    """The LDIF and CSV for ``users``, generated unless already there."""
    ldif_path, csv_path = data_paths(out, users)
    missing_ldif = None if ldif_path.exists() else ldif_path
    missing_csv = None if csv_path.exists() else csv_path
    if missing_ldif or missing_csv:
        started = time.perf_counter()
        write(users, missing_ldif, missing_csv, seed)
        took = time.perf_counter() - started
        print(f"generated {size_label(users)} users in {took:.1f} s", file=sys.stderr)
    return ldif_path, csv_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10k", help="e.g. 200, 10k, 1M")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--format", choices=("ldif", "csv", "both"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    users = parse_size(args.users)
    ldif_path, csv_path = data_paths(args.out, users)
    started = time.perf_counter()
    counts = write(
        users,
        ldif_path if args.format in ("ldif", "both") else None,
        csv_path if args.format in ("csv", "both") else None,
        args.seed,
    )
    took = time.perf_counter() - started
    print(f"{counts} in {took:.1f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
