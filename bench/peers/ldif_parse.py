"""Peer: the bare parse of an LDIF file by the `ldif` package, nothing else.

Every record is parsed into its DN and attribute dictionary and thrown away;
the count goes to stdout so the harness can check both sides read the same
users.
"""

from __future__ import annotations

import sys

import ldif


def main(path: str) -> int:
    count = 0
    with open(path, "rb") as handle:
        for dn, _entry in ldif.LDIFParser(handle).parse():
            count += dn is not None  # the "version: 1" block has no DN
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
