"""Bring the lab DC up to a benchmark-sized population, fast.

``scripts/samba-dc.sh start`` seeds about a thousand users one LDAP add at a
time through ldap3, which is right for the tests and slow for ten thousand.
This tops the population up from an LDIF of the benchmark's own synthetic
users (the shape of ``make_directory``, minus what the DC owns: GUIDs, SIDs,
USNs, timestamps, back links), loaded by the method given:

* ``ldapadd``: one ldap-utils client, one connection, adds in sequence;
* ``parallel``: several ldapadd clients on slices of the LDIF at once;
* ``ldbadd``: straight into the stopped DC's ``sam.ldb`` (needs ldb-tools).

It prints how long the load took, so the README can say which is fastest.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_directory import (
    BASE,
    DEPARTMENTS,
    MAIN_SUFFIX,
    PARTNER_SUFFIXES,
    Population,
    ldif_record,
)

# The lab's own names (scripts/samba-dc.sh and scripts/seed_dc.py).
LAB_BASE = "DC=contoso,DC=test"
LAB_SUFFIXES = {
    MAIN_SUFFIX: "contoso.test",
    PARTNER_SUFFIXES[0]: "partners.contoso.test",
    PARTNER_SUFFIXES[1]: "fabrikam.example",
}
LAB_ADMIN = "Administrator@CONTOSO.TEST"
LAB_ADMIN_PASSWORD = "Lab-Admin-2026!x"  # the throwaway lab's, from samba-dc.sh
KEPT = frozenset(
    {
        "objectClass",
        "cn",
        "sn",
        "givenName",
        "displayName",
        "department",
        "title",
        "telephoneNumber",
        "company",
        "employeeType",
        "extensionAttribute1",
        "extensionAttribute10",
        "msDS-cloudExtensionAttribute2",
        "sAMAccountName",
        "userPrincipalName",
        "mail",
        "proxyAddresses",
        "userAccountControl",
        "employeeID",
        "mS-DS-ConsistencyGuid",
    }
)
# Accounts that need a password get "password not required" (32) instead:
# a password can only be set over LDAPS, and the benchmark reads, not logs on.
UAC = {"512": "544", "66048": "66080", "514": "514"}


def lab_text(value: str) -> str:
    value = value.replace(BASE, LAB_BASE)
    for ours, lab in LAB_SUFFIXES.items():
        value = value.replace(f"@{ours}", f"@{lab}")
        value = value.replace(f"@{ours.title()}", f"@{lab.title()}")
    return value


def entries(count: int, seed: int) -> Iterator[list[tuple[str, str | bytes]]]:
    """The department OUs first, then ``count`` users the DC will accept."""
    for department in DEPARTMENTS:
        dn = f"OU={department},OU=Staff,{LAB_BASE}"
        yield [("dn", dn), ("objectClass", "organizationalUnit"), ("ou", department)]
    for pairs in Population(seed, count).entries():
        kept: list[tuple[str, str | bytes]] = [("dn", lab_text(str(pairs[0][1])))]
        for name, value in pairs[1:]:
            if name not in KEPT:
                continue
            if name == "userAccountControl":
                kept.append((name, UAC.get(str(value), "544")))
            else:
                text = lab_text(value) if isinstance(value, str) else value
                kept.append((name, text))
        yield kept


def write_ldif(path: Path, count: int, seed: int, slices: int = 1) -> list[Path]:
    """The LDIF in ``slices`` files of about equal size (OUs in the first)."""
    paths = [path.with_suffix(f".{i}.ldif") for i in range(slices)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    try:
        users = 0
        for pairs in entries(count, seed):
            is_user = ("objectClass", "organizationalUnit") not in pairs
            target = handles[users % slices] if is_user else handles[0]
            users += is_user
            target.write(ldif_record(pairs))
    finally:
        for handle in handles:
            handle.close()
    return paths


def ldapadd(host: str, path: Path) -> subprocess.Popen[bytes]:
    argv = ["ldapadd", "-x", "-c", "-H", f"ldap://{host}", "-D", LAB_ADMIN]
    argv += ["-w", LAB_ADMIN_PASSWORD, "-f", str(path)]
    return subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def load_ldap(host: str, paths: list[Path]) -> None:
    """The first slice alone (it makes the OUs), the rest at once."""
    first, *rest = paths
    _check(ldapadd(host, first))
    for proc in [ldapadd(host, p) for p in rest]:
        _check(proc)


def load_ldb(lab: Path, paths: list[Path]) -> None:
    """Local adds into the stopped DC's database, without fsync."""
    for path in paths:
        proc = subprocess.Popen(
            ["ldbadd", "--nosync", "-H", str(lab / "private" / "sam.ldb"), str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _check(proc)


def _check(proc: subprocess.Popen[bytes]) -> None:
    _, stderr = proc.communicate()
    # ldapadd -c goes on past "already exists"; anything else is fatal.
    errors = [
        line
        for line in stderr.decode(errors="replace").splitlines()
        if line.startswith("ldap_add:") and "Already exists" not in line
    ]
    if proc.returncode not in (0, 68) or errors:
        raise SystemExit(f"loading failed ({proc.returncode}): {errors[:3]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True, help="users to add")
    parser.add_argument("--method", choices=("ldapadd", "parallel", "ldbadd"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--lab", type=Path, help="lab directory (ldbadd)")
    parser.add_argument("--work", type=Path, default=Path("/tmp"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slices", type=int, default=4, help="parallel clients")
    args = parser.parse_args(argv)
    slices = args.slices if args.method == "parallel" else 1
    started = time.perf_counter()
    paths = write_ldif(args.work / "bench-seed", args.users, args.seed, slices)
    written = time.perf_counter()
    if args.method == "ldbadd":
        load_ldb(args.lab, paths)
    else:
        load_ldap(args.host, paths)
    loaded = time.perf_counter()
    rate = args.users / (loaded - written)
    print(
        f"seeded {args.users} users by {args.method}: LDIF {written - started:.1f} s,"
        f" load {loaded - written:.1f} s ({rate:.0f}/s)"
    )
    for path in paths:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
