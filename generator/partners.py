"""Who the partners are: the admin's definition, or suggestions from the data.

The four PARTNERS options combine as alternatives: a user is a partner when any
of them matches (its UPN suffix is listed, it sits in a listed OU, it is on the
list file, or it carries a listed ``ATTR=VALUE``). Values are compared trimmed
and case-insensitively, as AD compares them.

When none is given, :class:`SuggestionTally` watches the users stream past and
proposes likely populations (minority UPN suffixes, OUs named like partner or
vendor, telling attribute values) with counts and the option that confirms each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.commands.options import Partners
from generator.dn import split_dn
from generator.errors import InputError, UsageError
from generator.model import User, display_value
from generator.readers.textlines import read_text
from generator.strategies import (
    is_suffix,
    normalise_dn,
    normalise_suffix,
    normalise_value,
    tidy_dn,
)
from generator.tally import BoundedCounter

# Names that partner, vendor and guest accounts tend to live under.
PARTNER_WORDS = re.compile(
    r"partner|extern|vendor|supplier|contractor|consultant|guest|freelan"
    r"|third[ -]?party|b2b",
    re.IGNORECASE,
)
# Attributes whose values often say what kind of account it is.
TELLING_ATTRIBUTES = ("employeeType", "company", "department", "title", "division")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def upn_suffix(upn: str | None) -> str | None:
    """The lower-cased domain of a UPN, or None when it has none."""
    if not upn or "@" not in upn:
        return None
    domain = upn.rsplit("@", 1)[1].strip().lower()
    return domain or None


def containers(dn: str) -> list[str]:
    """The tidy DNs of the containers above an object, nearest first, case kept.

    ``CN=a,OU=b,OU=c,DC=x`` -> ``["OU=b,OU=c,DC=x", "OU=c,DC=x"]`` (DC= levels
    are domains, not OUs, and stop the walk).
    """
    try:
        tidy = tidy_dn(dn)
    except UsageError:
        return []
    if "\\" in tidy:
        return list(_above(tuple(split_dn(tidy))))
    return list(_parents(tidy.partition(",")[2]))


@lru_cache(maxsize=4096)
def _parents(parent: str) -> tuple[str, ...]:
    """``containers`` for a tidy parent DN without escapes (users share them)."""
    return _above(("", *parent.split(","))) if parent else ()


def _above(rdns: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for index in range(1, len(rdns)):
        if rdns[index][:3].lower() == "dc=":
            break
        found.append(",".join(rdns[index:]))
    return tuple(found)


def in_container(dn: str, container: str) -> bool:
    """Is the object at ``dn`` inside (or below) the normalised ``container``?"""
    try:
        return normalise_dn(dn).endswith("," + container)
    except UsageError:
        return False


@dataclass
class PartnerList:
    """A ``--partner-list`` file: sAMAccountNames, UPNs or DNs, one a line."""

    path: Path
    entries: dict[str, int] = field(default_factory=dict)  # normalised -> line
    matched: set[str] = field(default_factory=set)
    # lines that name a user another line names too: (lines, the user's name)
    duplicates: dict[tuple[int, ...], str] = field(default_factory=dict)
    # bare sAMAccountNames -> the users they matched, as "DN in forest" (a few)
    holders: dict[str, dict[str, None]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> PartnerList:
        found = cls(path)
        for number, line in enumerate(_lines(path), start=1):
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            key = _list_key(entry, path, number)
            first = found.entries.setdefault(key, number)
            if first != number:
                found.duplicates[(first, number)] = entry
        if not found.entries:
            raise InputError("holds no sAMAccountName, UPN or DN", path=path)
        return found

    def match(self, user: User) -> str | None:
        """The line naming ``user``; every entry naming it counts as matched,
        so a user listed by sAMAccountName and by UPN is one partner, and the
        second line is a duplicate, not an unmatched entry."""
        keys = [k for k in _user_keys(user) if k in self.entries]
        if not keys:
            return None
        self.matched.update(keys)
        for key in keys:
            if key.startswith("sam:"):
                held = self.holders.setdefault(key, {})
                if len(held) < 3:
                    held[f"{user.dn} in {user.forest}"] = None
        lines = tuple(sorted({self.entries[k] for k in keys}))
        if len(lines) > 1:
            self.duplicates.setdefault(lines, user.upn or user.sam or user.dn)
        return f"on {self.path.name} (line {lines[0]})"

    def ambiguous(self) -> list[tuple[int, str, tuple[str, ...]]]:
        """Bare sAMAccountNames that matched more than one user (another
        source, forest or domain): (line, name, a few of the users)."""
        found = [
            (self.entries[k], k.partition(":")[2], tuple(held))
            for k, held in self.holders.items()
            if len(held) > 1
        ]
        return sorted(found)

    def unmatched(self) -> list[tuple[str, int]]:
        """Entries no user matched, in file order."""
        missing = [(k, n) for k, n in self.entries.items() if k not in self.matched]
        return sorted(missing, key=lambda kv: kv[1])


def _lines(path: Path) -> list[str]:
    """The file's lines, decoded as every input is (UTF-8 or UTF-16, as
    PowerShell writes them). A control character or an undecodable byte is an
    input error."""
    lines = read_text(path).splitlines()
    for number, content in enumerate(lines, start=1):
        if _CONTROL.search(content):
            raise InputError("holds a control character", path=path, line=number)
    return lines


def _list_key(entry: str, path: Path, line: int) -> str:
    """``dn:...``, ``upn:...`` or ``sam:...``: what kind of name a line holds."""
    if "=" in entry:
        try:
            return "dn:" + normalise_dn(entry)
        except UsageError:
            raise InputError(f"{entry!r} is not a DN", path=path, line=line) from None
    if "@" in entry:
        local, _, domain = entry.rpartition("@")
        if not local or not domain or "@" in local or " " in entry:
            raise InputError(f"{entry!r} is not a UPN", path=path, line=line)
        return "upn:" + entry.lower()
    sam = entry.rpartition("\\")[2].strip()  # DOMAIN\sam
    if not sam or len(sam) > 256 or any(c in sam for c in '"/[]:;|+*?<>'):
        raise InputError(f"{entry!r} is not a sAMAccountName", path=path, line=line)
    return "sam:" + sam.lower()


def _user_keys(user: User) -> Iterable[str]:
    if user.sam:
        yield "sam:" + user.sam.lower()
    if user.upn:
        yield "upn:" + user.upn.strip().lower()
    try:
        yield "dn:" + normalise_dn(user.dn)
    except UsageError:
        return


@dataclass
class PartnerCriteria:
    """The admin's partner definition, ready to test one user at a time."""

    suffixes: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    lists: tuple[PartnerList, ...] = ()
    where: tuple[tuple[str, str], ...] = ()  # (attribute, normalised value)
    where_text: tuple[str, ...] = ()
    ou_text: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, partners: Partners) -> PartnerCriteria:
        where = [_where(text) for text in partners.where]
        return cls(
            suffixes=tuple(
                dict.fromkeys(normalise_suffix(s) for s in partners.suffixes)
            ),
            ous=tuple(dict.fromkeys(_ou(o) for o in partners.ous)),
            ou_text=tuple(dict.fromkeys(tidy_dn(o) for o in partners.ous)),
            lists=tuple(PartnerList.read(Path(p)) for p in partners.lists),
            where=tuple((a, normalise_value(v)) for a, v in where),
            where_text=tuple(f"{a}={v.strip()}" for a, v in where),
        )

    @property
    def given(self) -> bool:
        return bool(self.suffixes or self.ous or self.lists or self.where)

    @property
    def attributes(self) -> tuple[str, ...]:
        """Attributes a live read must fetch to apply the definition."""
        return tuple(dict.fromkeys(a for a, _ in self.where))

    def match(self, user: User) -> str | None:
        """Why ``user`` is a partner, or None when it is not one."""
        suffix = upn_suffix(user.upn)
        if suffix is not None and suffix in self.suffixes:
            return f"UPN suffix {suffix}"
        for ou in self.ous:
            if in_container(user.dn, ou):
                return f"in {ou}"
        for listed in self.lists:
            reason = listed.match(user)
            if reason:
                return reason
        for (attribute, value), text in zip(self.where, self.where_text, strict=True):
            values = (
                normalise_value(display_value(attribute, v))
                for v in user.values(attribute)
            )
            if value in values:
                return text
        return None

    def describe(self) -> str:
        """One line for reports: the definition as the admin gave it."""
        parts = [f"UPN suffix {s}" for s in self.suffixes]
        parts += [f"OU {o}" for o in self.ou_text or self.ous]
        parts += [
            f"listed in {p.path.name} ({len(p.entries)} entries)" for p in self.lists
        ]
        parts += list(self.where_text)
        return " or ".join(parts) if parts else "not given"


def _where(text: str) -> tuple[str, str]:
    attribute, eq, value = text.partition("=")
    if not eq or not attribute.strip() or not value.strip():
        raise UsageError(f"--partner-where {text!r}: expected ATTR=VALUE")
    return attribute.strip(), value


def _ou(text: str) -> str:
    try:
        return normalise_dn(text)
    except UsageError:
        raise UsageError(f"--partner-ou {text!r} is not a DN") from None


@dataclass
class SuggestionTally:
    """Counts, while users stream past, what could identify partner accounts."""

    users: int = 0
    suffixes: BoundedCounter[str] = field(default_factory=BoundedCounter)
    ous: BoundedCounter[str] = field(default_factory=BoundedCounter)
    values: BoundedCounter[tuple[str, str]] = field(default_factory=BoundedCounter)
    spelling: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, user: User) -> None:
        self.users += 1
        suffix = upn_suffix(user.upn)
        if suffix:
            self.suffixes.add(suffix)
        for container in containers(user.dn):
            name = container.split(",", 1)[0]
            if name[:3].lower() == "ou=" and PARTNER_WORDS.search(name):
                lowered = container.lower()
                self.ous.add(lowered)
                self.spelling.setdefault(("ou", lowered), container)
        for attribute in TELLING_ATTRIBUTES:
            text = user.text(attribute)
            if text and PARTNER_WORDS.search(text):
                key = (attribute, normalise_value(text))
                self.values.add(key)
                self.spelling.setdefault(key, text.strip())

    def suggestions(self, limit: int = 5) -> list[Suggestion]:
        """Likely populations, most users first within each kind."""
        found: list[Suggestion] = []
        ranked = self.suffixes.most_common()
        minority = [(s, n) for s, n in ranked[1:] if is_suffix(s)]
        for suffix, count in minority[:limit]:  # all but the majority suffix
            found.append(
                Suggestion(
                    "upn-suffix",
                    suffix,
                    count,
                    f"--partner-suffix {suffix}",
                    f"a minority UPN suffix ({count} of {self.users} users; "
                    f"the majority use {ranked[0][0]})",
                )
            )
        for lowered, count in self.ous.most_common(limit):
            ou = self.spelling[("ou", lowered)]
            found.append(
                Suggestion(
                    "ou", ou, count, f'--partner-ou "{ou}"', "an OU named like partners"
                )
            )
        for key, count in self.values.most_common(limit):
            attribute, value = key[0], self.spelling[key]
            found.append(
                Suggestion(
                    "attribute",
                    f"{attribute}={value}",
                    count,
                    f'--partner-where "{attribute}={value}"',
                    f"{attribute} says so",
                )
            )
        return found


@dataclass(frozen=True)
class Suggestion:
    """A likely partner population found in the data when none was given."""

    kind: str  # "upn-suffix", "ou", "attribute"
    value: str
    count: int
    option: str  # how to confirm it
    why: str
