"""Preview: what the exact emitted expression makes of every user.

The expression is evaluated by the engine (:mod:`generator.expressions`), the
same text the bundle writes into the rule, never a Python imitation of it.
For a *designate* marker with a partner population, each user is evaluated
with the value the stamping script will write (Guest for partners, Member for
the others), so the preview shows the state after the bundle is applied.

Memory: counters and bounded example lists per forest; the only table kept is
``--current`` (the admin's own export of cloud users, keyed by UPN).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from generator import outfolder
from generator.errors import InputError
from generator.expressions import Error, Outcome, Value, compile_expression
from generator.marker import Marker, UserOutcome, UserType
from generator.model import User, display_value, forest_from_dn
from generator.model import Value as AttributeValue
from generator.readers.textlines import read_text
from generator.recommend import Confusion
from generator.tally import Examples

CSV_COLUMNS = (
    "forest",
    "distinguishedName",
    "sAMAccountName",
    "userPrincipalName",
    "objectClass",
    "partner",
    "sourceValues",
    "userType",
    "reason",
    "cloudUserType",
    "change",
)
VALID: frozenset[str] = frozenset({"Guest", "Member"})
# The "change" word of a user missing from --current: not synced yet, or the
# export was partial; either way its cloud userType is unknown.
NOT_IN_CLOUD = "not in cloud file"


@dataclass(frozen=True)
class Verdict:
    """The engine's answer for one user: Guest, Member, or invalid (result None)."""

    result: UserType | None
    shown: str


class MarkerEvaluator:
    """The marker's expression, compiled once, evaluated per user.

    What each user's evaluation needs is worked out here, once: which inputs
    come from the user, the DN or the stamp, and whether the expression reads
    the ``%Domain.*%`` parameters at all (the parse tree says).
    """

    def __init__(self, marker: Marker, *, stamp: bool = False) -> None:
        self.marker = marker
        self.stamp = stamp and marker.designated_attribute is not None
        self._compiled = compile_expression(marker.expression)
        self._parameters = self._compiled.reads_parameters
        self._sources = tuple(
            (name, self._source_of(name)) for name in marker.source_attributes
        )
        kinds = {kind for _, kind in self._sources}
        read = {a.lower() for a in self._compiled.attributes_read}
        # Every attribute read is a source attribute the user holds (no DN, no
        # stamp): the user's own lower-cased table answers as the inputs would.
        self._direct = kinds <= {"user"} and read <= {
            name.lower() for name, _ in self._sources
        }
        self._stamped = self._stamped_inputs() if kinds == {"stamp"} else None
        self._always_present = self.stamp or "dn" in kinds

    def _source_of(self, name: str) -> str:
        if name.lower() == "dn":
            return "dn"
        if self.stamp and name == self.marker.designated_attribute:
            return "stamp"
        return "user"

    def _stamped_inputs(self) -> dict[bool, dict[str, tuple[AttributeValue, ...]]]:
        """Inputs that depend on the partner flag only, one table per flag."""
        return {
            flag: {name: ("Guest" if flag else "Member",) for name, _ in self._sources}
            for flag in (True, False)
        }

    def inputs(
        self, user: User, is_partner: bool
    ) -> dict[str, tuple[AttributeValue, ...]]:
        """The attribute values the expression sees, by the names it uses."""
        values: dict[str, tuple[AttributeValue, ...]] = {}
        for name, kind in self._sources:
            if kind == "dn":
                values[name] = (user.dn,)
            elif kind == "stamp":
                values[name] = ("Guest" if is_partner else "Member",)
            else:
                values[name] = user.values(name)
        return values

    def verdict(self, user: User, is_partner: bool) -> Verdict:
        if self._direct:
            seen: Mapping[str, tuple[AttributeValue, ...]] = user.attributes
        elif self._stamped is not None:
            seen = self._stamped[is_partner]
        else:
            seen = self.inputs(user, is_partner)
        outcome = self._compiled.evaluate(
            seen, parameters(user) if self._parameters else None
        )
        return judge(outcome)

    def lacking(self, user: User) -> bool:
        """True when the user has none of the source values (today)."""
        if self._always_present:
            return False
        return not any(_present(user.values(name)) for name, _ in self._sources)

    def source_values(self, user: User) -> tuple[str, ...]:
        """Today's values of the source attributes, as ``name=value``."""
        shown = []
        for name, kind in self._sources:
            if kind == "dn":
                continue
            for value in user.values(name):
                shown.append(f"{name}={display_value(name, value)}")
        return tuple(shown)


def _present(values: tuple[AttributeValue, ...]) -> bool:
    return any(v != "" for v in values)


def parameters(user: User) -> dict[str, str]:
    """The ``%Domain.*%`` and ``%Forest.*%`` parameters an expression may read."""
    domain = forest_from_dn(user.dn)
    ldap = ",".join(f"DC={label}" for label in domain.split(".")) if domain else ""
    forest = user.forest or domain
    return {
        "Domain.FQDN": domain,
        "Domain.LDAP": ldap,
        "Forest.FQDN": forest,
        "Forest.LDAP": ",".join(f"DC={label}" for label in forest.split(".")),
    }


_GUEST = Verdict("Guest", "Guest")
_MEMBER = Verdict("Member", "Member")


def judge(outcome: Outcome) -> Verdict:
    """Guest or Member exactly; everything else (null, error, other text) invalid."""
    if type(outcome) is Value and len(outcome.values) == 1:
        only = outcome.values[0]  # the usual answer: no need to format it
        if only == "Guest" and type(only) is str:
            return _GUEST
        if only == "Member" and type(only) is str:
            return _MEMBER
    if isinstance(outcome, Value):
        texts = outcome.texts()
        if texts in (("Guest",), ("Member",)):
            return Verdict("Guest" if texts[0] == "Guest" else "Member", texts[0])
        shown = texts[0] if len(texts) == 1 else "; ".join(texts)
        return Verdict(None, f"value {shown!r}")
    if isinstance(outcome, Error):
        return Verdict(None, f"error: {outcome.message}")
    return Verdict(None, str(outcome.kind))


def reason(marker: Marker, user: User, verdict: Verdict, stamped: bool) -> str:
    """Why the user gets its result, in the admin's terms."""
    if verdict.result is None:
        return f"invalid: {verdict.shown}"
    if stamped:
        return f"stamped {verdict.result} in {marker.designated_attribute}"
    if marker.strategy == "upn-suffix":
        if not user.upn:
            return "no userPrincipalName: default Member"
        domain = user.upn.rpartition("@")[2].lower()
        if verdict.result == "Guest":
            return f"UPN suffix {domain} is a partner suffix"
        return f"UPN suffix {domain or '(none)'} is not a partner suffix"
    if marker.strategy == "ou":
        inside = "inside" if verdict.result == "Guest" else "outside"
        return f"{inside} {marker.ou}"
    if marker.strategy in ("attribute", "designate"):
        name = marker.source_attributes[0]
        value = user.text(name)
        if value is None or not value.strip():
            return f"no {name}: default Member"
        return f"{name} is {value.strip()!r}"
    return f"expression gives {verdict.result}"


@dataclass
class ForestRun:
    """Pass-two counters for one marker in one forest."""

    forest: str
    partners_known: bool
    guest: int = 0
    member: int = 0
    partners_guest: int = 0
    employees_member: int = 0
    employees_guest: Examples = field(default_factory=Examples)
    partners_missed: Examples = field(default_factory=Examples)
    invalid: Examples = field(default_factory=Examples)
    users_lacking: Examples = field(default_factory=Examples)
    partners_lacking: Examples = field(default_factory=Examples)
    to_guest: Examples = field(default_factory=Examples)
    to_member: Examples = field(default_factory=Examples)
    not_in_cloud: Examples = field(default_factory=Examples)
    # the changes by direction: from a cloud Member or Guest, or from any other
    # userType the file gives (empty, or a value Entra ID does not know)
    member_to_guest: Examples = field(default_factory=Examples)
    guest_to_member: Examples = field(default_factory=Examples)
    other_changes: Examples = field(default_factory=Examples)

    def add(self, who: str, verdict: Verdict, is_partner: bool, lacking: bool) -> None:
        if lacking:
            self.users_lacking.add(who)
            if is_partner:
                self.partners_lacking.add(who)
        if verdict.result is None:
            self.invalid.add(f"{who}: {verdict.shown}")
            return
        guest = verdict.result == "Guest"
        self.guest += guest
        self.member += not guest
        if is_partner and guest:
            self.partners_guest += 1
        elif is_partner:
            self.partners_missed.add(who)
        elif guest:
            self.employees_guest.add(who)
        else:
            self.employees_member += 1

    def add_count(
        self, verdict: Verdict, is_partner: bool, lacking: bool, count: int
    ) -> None:
        """``count`` users alike, counted without naming them (no examples)."""
        if lacking:
            self.users_lacking.count += count
            if is_partner:
                self.partners_lacking.count += count
        if verdict.result is None:
            self.invalid.count += count
            return
        guest = verdict.result == "Guest"
        self.guest += count * guest
        self.member += count * (not guest)
        if is_partner and guest:
            self.partners_guest += count
        elif is_partner:
            self.partners_missed.count += count
        elif guest:
            self.employees_guest.count += count
        else:
            self.employees_member += count

    def compare(self, who: str, result: UserType | None, cloud: str | None) -> str:
        """Count a change against the current cloud userType; the CSV's word."""
        if result is None:
            return ""
        if cloud is None:
            self.not_in_cloud.add(who)
            return NOT_IN_CLOUD
        today = cloud.strip().lower()
        if today == result.lower():
            return "unchanged"
        (self.to_guest if result == "Guest" else self.to_member).add(who)
        direction = {"member": self.member_to_guest, "guest": self.guest_to_member}
        direction.get(today, self.other_changes).add(who)
        return f"{cloud.strip() or '(empty)'} -> {result}"

    def confusion(self) -> Confusion:
        return Confusion(
            partners_guest=self.partners_guest,
            employees_guest=self.employees_guest.count,
            partners_missed=self.partners_missed.count,
            employees_member=self.employees_member,
            invalid=self.invalid.count,
        )


def identity(user: User) -> str:
    """How reports name a user: UPN, else sAMAccountName, else DN."""
    return user.upn or user.sam or user.dn


# --- current cloud state ----------------------------------------------------------


@dataclass
class CurrentState:
    """``--current``: cloud userType by (lower-cased) UPN, from Get-MgUser."""

    path: Path
    by_upn: dict[str, str] = field(default_factory=dict)
    other: Examples = field(default_factory=Examples)  # neither Guest nor Member
    conflicts: Examples = field(default_factory=Examples)  # one UPN, two values
    empty: int = 0  # rows with no userType at all

    @classmethod
    def read(cls, path: Path) -> CurrentState:
        state = cls(path)
        for upn, user_type in _current_rows(path):
            state.add(upn, user_type)
        return state

    def add(self, upn: str, user_type: str) -> None:
        """One row; odd values and a UPN given twice are kept for findings."""
        key = upn.lower()
        if user_type.strip().lower() not in ("guest", "member"):
            self.other.add(f"{upn}: {user_type!r}")
            self.empty += not user_type.strip()
        before = self.by_upn.get(key)
        if before is not None and before.strip().lower() != user_type.strip().lower():
            self.conflicts.add(f"{upn}: {before!r}, then {user_type!r}")
        self.by_upn[key] = user_type

    def user_type(self, user: User) -> str | None:
        return self.by_upn.get(user.upn.strip().lower()) if user.upn else None


def _current_rows(path: Path) -> Iterator[tuple[str, str]]:
    text = read_text(path)  # Export-Csv: UTF-8, UTF-16 or ASCII
    skipped = 0
    if text.startswith("#TYPE"):  # Windows PowerShell's type line
        text = text.partition("\n")[2]
        skipped = 1
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("no header line", path=path) from None
    except csv.Error as error:
        raise InputError(str(error), path=path, line=skipped + 1) from None
    if not {"userprincipalname", "usertype"} <= set(header):
        raise InputError(
            "needs userPrincipalName and userType columns", path=path, line=skipped + 1
        )
    upn_at, type_at = header.index("userprincipalname"), header.index("usertype")
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(
                    f"{len(row)} fields where the header has {len(header)}",
                    path=path,
                    line=skipped + reader.line_num,
                )
            if row[upn_at].strip():
                yield row[upn_at].strip(), row[type_at].strip()
    except csv.Error as error:
        raise InputError(
            str(error), path=path, line=skipped + reader.line_num
        ) from None


# --- preview.csv --------------------------------------------------------------------


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A cell Excel shows as text: a leading formula character gets a quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(outcome: UserOutcome) -> list[str]:
    cells = [
        outcome.forest,
        outcome.dn,
        outcome.sam or "",
        outcome.upn or "",
        outcome.object_class,
        "yes" if outcome.is_partner else "no",
        "; ".join(outcome.source_values),
        outcome.result,
        outcome.reason,
        outcome.extra.get("cloudUserType", ""),
        outcome.extra.get("change", ""),
    ]
    return [_cell(c) for c in cells]


def write_csv_rows(rows: Iterable[UserOutcome], stream: TextIO) -> int:
    """Write the header and one row per outcome; returns the number of rows."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for outcome in rows:
        writer.writerow(csv_row(outcome))
        count += 1
    return count


def write_csv(
    rows: Iterable[UserOutcome],
    path: Path,
    *,
    force: bool = False,
    inputs: outfolder.Inputs = (),
) -> int:
    """``preview --csv``: UTF-8 with a BOM so Excel reads names right.

    Written beside ``path`` and moved into place when complete; never over an
    input of the run, a non-regular file, or an existing file without ``force``.
    """
    with (
        outfolder.staged_file(path, force, "--csv", inputs) as partial,
        partial.open("w", encoding="utf-8-sig", newline="") as stream,
    ):
        return write_csv_rows(rows, stream)
