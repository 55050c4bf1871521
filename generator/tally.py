"""Counters whose memory does not grow with the number of users.

A directory can hold a million users and, in a hostile case, a million distinct
values of one attribute. These counters keep at most ``limit`` keys; once full,
new keys are counted together under ``overflow`` so totals stay right.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

EXAMPLES = 5  # example users kept per finding


@dataclass
class BoundedCounter(Generic[K]):
    """A counter of at most ``limit`` keys (then ``overflow`` counts the rest)."""

    limit: int = 10_000
    counts: dict[K, int] = field(default_factory=dict)
    overflow: int = 0

    def add(self, key: K, amount: int = 1) -> None:
        if key in self.counts:
            self.counts[key] += amount
        elif len(self.counts) < self.limit:
            self.counts[key] = amount
        else:
            self.overflow += amount

    @property
    def full(self) -> bool:
        return self.overflow > 0

    def get(self, key: K) -> int:
        return self.counts.get(key, 0)

    def most_common(self, n: int | None = None) -> list[tuple[K, int]]:
        """Largest first; ties in key order so reports are deterministic."""
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return ranked if n is None else ranked[:n]

    def __iter__(self) -> Iterator[K]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)


@dataclass
class Examples:
    """A count with the first few examples (user identities) that made it."""

    count: int = 0
    items: list[str] = field(default_factory=list)
    limit: int = EXAMPLES

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(example)

    def __bool__(self) -> bool:
        return self.count > 0
