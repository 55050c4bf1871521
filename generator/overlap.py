"""Users that more than one source holds, and partner-list names that do.

Two ``--source`` exports of one directory (the same file twice, an LDIF and
its CSV twin, two exports of one domain under different ``--forest`` names)
count every shared user twice. :class:`SourceOverlap` finds them in pass one
by objectGUID and by userPrincipalName (any case) without keeping the users:
each finished source leaves a sorted array of 8-byte digests of its keys
(16 bytes per user with both: 1.6 MB per 100,000 users), which the next
sources look their users up in; the last source keeps nothing, and with one
source nothing is kept at all. Two different users whose digests
collide by chance (one in 2^64 per pair) would be counted as one duplicate.
"""

from __future__ import annotations

import hashlib
import heapq
from array import array
from bisect import bisect_left

from generator.marker import Finding
from generator.model import User
from generator.partners import PartnerCriteria
from generator.tally import Examples

SOURCES_OVERLAP = "ERG-SOURCES-OVERLAP"
# Digests are sorted in runs of this many, then merged: sorting goes through
# Python ints (about 40 bytes each), so a run bounds that to some 2.6 MB.
_RUN = 1 << 16
PARTNER_LIST_AMBIGUOUS = "ERG-PARTNER-LIST-AMBIGUOUS"


def _digest(kind: bytes, key: bytes) -> int:
    """A 64-bit digest of one identity key; ``kind`` keeps GUIDs and UPNs apart."""
    found = hashlib.blake2b(key, digest_size=8, person=kind).digest()
    return int.from_bytes(found, "little")


class SourceOverlap:
    """Pass one's users, source by source: which ones an earlier source held."""

    def __init__(self, sources: int) -> None:
        self._active = sources > 1
        self._left = sources  # sources not started yet: the last keeps nothing
        self._earlier: list[tuple[str, array[int]]] = []  # (source, sorted)
        self._current = ""
        self._keys: array[int] = array("Q")
        self._runs: list[array[int]] = []  # sorted runs of the current source
        self.shared = Examples()
        self.pairs: dict[tuple[str, str], int] = {}  # (earlier, later) -> users

    def start(self, source: str) -> None:
        """The users that follow are those of ``source``."""
        self._finish()
        self._current = source
        self._left -= 1

    def add(self, user: User) -> None:
        if not self._active:
            return
        keys = []
        guid = user.first("objectGUID")
        if isinstance(guid, bytes) and len(guid) == 16:
            keys.append(_digest(b"guid", guid))
        elif isinstance(guid, str) and guid.strip():
            keys.append(_digest(b"guid", guid.strip().strip("{}").lower().encode()))
        upn = user.upn
        if upn and upn.strip():
            keys.append(_digest(b"upn", upn.strip().lower().encode("utf-8", "replace")))
        earlier = self._held(keys)
        if earlier is not None:
            pair = (earlier, self._current)
            self.pairs[pair] = self.pairs.get(pair, 0) + 1
            self.shared.add(
                f"{upn or user.sam or user.dn} ({earlier}, {self._current})"
            )
        if self._left > 0:
            self._keys.extend(keys)
            if len(self._keys) >= _RUN:
                self._runs.append(array("Q", sorted(self._keys)))
                self._keys = array("Q")

    def _held(self, keys: list[int]) -> str | None:
        for source, held in self._earlier:
            for key in keys:
                at = bisect_left(held, key)
                if at < len(held) and held[at] == key:
                    return source
        return None

    def _finish(self) -> None:
        if self._keys:
            self._runs.append(array("Q", sorted(self._keys)))
            self._keys = array("Q")
        if self._runs:
            merged = array("Q", heapq.merge(*self._runs))
            self._runs = []
            self._earlier.append((self._current, merged))

    def findings(self) -> list[Finding]:
        self._finish()
        if not self.shared:
            return []
        pairs = "; ".join(
            f"{n} in both {a} and {b}" for (a, b), n in sorted(self.pairs.items())
        )
        return [
            Finding(
                id=SOURCES_OVERLAP,
                severity="warning",
                title=(
                    "users are in more than one source "
                    "(same objectGUID or userPrincipalName)"
                ),
                detail=(
                    f"{pairs}. Every count, the preview and the bundle hold "
                    "these users once per source, so totals are too high and two "
                    "rules would claim one account. Give each directory once: "
                    "one --source per forest or domain, not an export and its "
                    "copy in another format."
                ),
                count=self.shared.count,
                examples=tuple(self.shared.items),
            )
        ]


def ambiguous_list_findings(criteria: PartnerCriteria) -> list[Finding]:
    """A bare sAMAccountName of a ``--partner-list`` that names users of more
    than one source or domain: all of them became partners."""
    found = []
    for listed in criteria.lists:
        names = listed.ambiguous()
        if not names:
            continue
        examples = Examples(limit=5)
        for line, sam, holders in names:
            examples.add(f"line {line}: {sam} = {' and '.join(holders)}")
        found.append(
            Finding(
                id=PARTNER_LIST_AMBIGUOUS,
                severity="warning",
                title=(
                    f"sAMAccountNames of {listed.path.name} name users in more "
                    "than one source or domain"
                ),
                detail=(
                    "A sAMAccountName is unique in one domain only; each of "
                    "these matched several users and all of them count as "
                    "partners. Write the userPrincipalName or the DN instead."
                ),
                count=examples.count,
                examples=tuple(examples.items),
            )
        )
    return found
