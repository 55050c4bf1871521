"""``preview.csv`` and the counts and examples the documents quote from it.

The outcomes are streamed once: each row goes to the CSV as it arrives, and
only counters and a few examples are kept.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.bundle.writer import TextSink
from generator.marker import UserOutcome
from generator.preview import CSV_COLUMNS, NOT_IN_CLOUD, csv_row

EXAMPLES = 5
# The same columns as ``preview --csv``, plus the designated attribute's value today.
COLUMNS = (*CSV_COLUMNS, "currentMarker")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CLOUD_TYPE_KEY = "cloudUserType"  # UserOutcome.extra, filled from --current
CHANGE_KEY = "change"  # likewise: NOT_IN_CLOUD for a user --current does not list


@dataclass
class ForestCounts:
    users: int = 0
    guest: int = 0
    member: int = 0
    partners: int = 0


@dataclass
class PreviewStats:
    """What the streamed outcomes add up to."""

    total: int = 0
    guest: int = 0
    member: int = 0
    partners: int = 0
    partners_guest: int = 0
    employees_guest: int = 0
    partners_missed: int = 0
    # with --current: changes among the users found in the file, and the users
    # it does not list (not synced yet, or a partial export: type unknown)
    cloud_changes: int = 0
    cloud_known: bool = False
    cloud_found: int = 0
    cloud_missing: int = 0
    # the changes by direction; other: a type Entra ID does not know
    cloud_member_to_guest: int = 0
    cloud_guest_to_member: int = 0
    cloud_other_changes: int = 0
    by_forest: dict[str, ForestCounts] = field(default_factory=dict)
    classes: Counter[tuple[str, str]] = field(default_factory=Counter)
    guests: list[UserOutcome] = field(default_factory=list)
    members: list[UserOutcome] = field(default_factory=list)
    surprises: list[UserOutcome] = field(default_factory=list)

    @property
    def inetorgperson_forests(self) -> frozenset[str]:
        """Forests where partner accounts are inetOrgPerson objects."""
        return frozenset(
            forest.lower()
            for (forest, cls), n in self.classes.items()
            if cls.lower() == "inetorgperson" and n
        )

    def add(self, outcome: UserOutcome) -> None:
        self.total += 1
        forest = self.by_forest.setdefault(outcome.forest, ForestCounts())
        forest.users += 1
        guest = outcome.result == "Guest"
        self.guest += guest
        self.member += not guest
        forest.guest += guest
        forest.member += not guest
        if outcome.is_partner:
            self.partners += 1
            forest.partners += 1
            self.classes[(outcome.forest, outcome.object_class)] += 1
        self.partners_guest += outcome.is_partner and guest
        self.employees_guest += (not outcome.is_partner) and guest
        self.partners_missed += outcome.is_partner and not guest
        self._cloud(outcome)
        self._example(outcome, guest)

    def _cloud(self, outcome: UserOutcome) -> None:
        cloud = outcome.extra.get(CLOUD_TYPE_KEY)
        if cloud is None:
            return
        self.cloud_known = True
        if outcome.extra.get(CHANGE_KEY) == NOT_IN_CLOUD:
            self.cloud_missing += 1
            return
        self.cloud_found += 1
        today = cloud.strip().lower()
        if not today or today == outcome.result.lower():
            return  # an empty type is unknown (an export without -Property)
        self.cloud_changes += 1
        if today == "member":
            self.cloud_member_to_guest += 1
        elif today == "guest":
            self.cloud_guest_to_member += 1
        else:
            self.cloud_other_changes += 1

    def _example(self, outcome: UserOutcome, guest: bool) -> None:
        if outcome.is_partner != guest:
            if len(self.surprises) < 2 * EXAMPLES:
                self.surprises.append(outcome)
        elif guest and len(self.guests) < EXAMPLES:
            self.guests.append(outcome)
        elif not guest and len(self.members) < EXAMPLES:
            self.members.append(outcome)


def row(outcome: UserOutcome) -> list[str]:
    """One CSV row, in :data:`COLUMNS` order, formulas defused as ``preview`` does."""
    return [*csv_row(outcome), _cell(outcome.current_marker or "")]


def _cell(value: str) -> str:
    # the rule of generator.preview's cells: Excel must show text, not run it
    return "'" + value if value.startswith(FORMULA_START) else value


def write_preview(sink: TextSink, outcomes: Iterable[UserOutcome]) -> PreviewStats:
    """Stream every outcome into ``preview.csv``; return the totals."""
    stats = PreviewStats()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(COLUMNS)
    for outcome in outcomes:
        writer.writerow(row(outcome))
        stats.add(outcome)
    return stats
