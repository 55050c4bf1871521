"""Peer: the bare parse of a CSV export by the stdlib csv module.

Each row becomes a dict keyed by the header, multi-values split on ';' (as a
csvde reader must), and is thrown away; the count goes to stdout.
"""

from __future__ import annotations

import csv
import sys


def main(path: str) -> int:
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            {name: value.split(";") for name, value in row.items() if value}
            count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
