"""Rank marker strategies with the evidence for each.

Pass one (:class:`FeatureTally`) counts, per UPN suffix, per OU and per value of
the candidate attributes, how many in-scope users and how many partners carry
it. :func:`propose` turns the counts into at most one candidate per strategy
(two for attribute values). Pass two evaluates every candidate's exact
expression with the engine for every user (see :mod:`generator.analysis`);
:func:`rank` orders the results and says in words why the first one wins.

Order of the criteria, most important first: nothing blocks the candidate
(schema, configuration, invalid values); no employee would become Guest; fewest
partners missed; fewest partners lacking the source value; no change in AD (a
derived strategy that is as exact as designate wins: it needs nothing stamped);
stability (a designated attribute does not move when a UPN or an OU changes;
a company, department, division or title names one firm or role, and partners
of the next firm will not carry it); and, last, being the admin's own partner
definition (``--partner-where A=V`` as the marker ``attribute:A=V``), which by
construction matches the partners exactly and is the marker they already keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from generator.connect import conflicts
from generator.connect.model import Configuration, Direction
from generator.marker import Marker, Strategy
from generator.model import User, display_value
from generator.partners import containers, upn_suffix
from generator.schema import Schema
from generator.strategies import (
    DESIGNATE_CANDIDATES,
    attribute_marker,
    designate_marker,
    is_suffix,
    normalise_value,
    ou_marker,
    upn_suffix_marker,
)
from generator.tally import BoundedCounter

# Attributes whose values may already tell partners apart.
VALUE_CANDIDATES = (
    "employeeType",
    "company",
    "department",
    "division",
    "title",
    *DESIGNATE_CANDIDATES,
)
VALUE_LIMIT = 1_000  # distinct values kept per attribute
USER_TYPE_VALUES = frozenset({"guest", "member"})

STABILITY: dict[Strategy, tuple[int, str]] = {
    "designate": (
        0,
        "high: the stamped value changes only when someone sets it; new accounts "
        "need stamping (until then they get Member)",
    ),
    "attribute": (
        0,
        "high: changes only when its owner (HR or provisioning) sets it; wrong "
        "when that owner's meaning drifts",
    ),
    "upn-suffix": (1, "medium: follows UPN changes (renames, domain moves)"),
    "expression": (2, "depends on the expression"),
    "ou": (2, "low: changes whenever an account moves between OUs"),
}
# Attributes that name the partners' firm, unit or role rather than mark them:
# one value covers one partner firm today, not the partners to come.
DESCRIPTIVE_ATTRIBUTES = frozenset({"company", "department", "division", "title"})
_DESCRIPTIVE_STABILITY = (
    1,
    "medium: names one firm, department or job title; accounts of another "
    "partner firm or role will not carry it",
)
# Where the evidence ties, the derived strategies win: they write nothing to AD
# (a suffix or value that already says "partner" beats stamping a new one).
EFFORT: dict[Strategy, int] = {
    "upn-suffix": 0,
    "attribute": 0,
    "ou": 0,
    "expression": 1,
    "designate": 2,
}


@dataclass
class Split:
    """In-scope users and partners that carry one feature."""

    users: int = 0
    partners: int = 0

    @property
    def employees(self) -> int:
        return self.users - self.partners

    @property
    def margin(self) -> int:
        """Partners gained minus employees wrongly caught by picking this."""
        return self.partners - self.employees


@dataclass
class AttributeUse:
    """What one attribute holds across the in-scope users."""

    present: int = 0
    partners_present: int = 0
    raw: BoundedCounter[str] = field(
        default_factory=lambda: BoundedCounter(VALUE_LIMIT)
    )
    values: dict[str, Split] = field(default_factory=dict)  # normalised value

    def add(self, text: str, is_partner: bool) -> None:
        self.present += 1
        self.partners_present += is_partner
        self.raw.add(text)
        key = normalise_value(text)
        split = self.values.get(key)
        if split is None:
            if len(self.values) >= VALUE_LIMIT:
                return
            split = self.values[key] = Split()
        split.users += 1
        split.partners += is_partner

    def spelling(self, key: str) -> str:
        """The most common raw spelling of a normalised value."""
        for value, _ in self.raw.most_common():
            if normalise_value(value) == key:
                return value.strip()
        return key

    @property
    def junk(self) -> list[tuple[str, int]]:
        """Raw values that are not Guest/Member in any case or spacing."""
        return [
            (v, n)
            for v, n in self.raw.most_common()
            if normalise_value(v) not in USER_TYPE_VALUES
        ]

    @property
    def variants(self) -> list[tuple[str, int]]:
        """Guest/Member written other than exactly ``Guest`` or ``Member``."""
        return [
            (v, n)
            for v, n in self.raw.most_common()
            if normalise_value(v) in USER_TYPE_VALUES and v not in ("Guest", "Member")
        ]


@dataclass
class FeatureTally:
    """Pass one over the in-scope users of every forest."""

    attributes: tuple[str, ...] = VALUE_CANDIDATES
    users: int = 0
    partners: int = 0
    no_upn: Split = field(default_factory=Split)
    suffixes: dict[str, Split] = field(default_factory=dict)
    ous: dict[str, Split] = field(default_factory=dict)
    uses: dict[str, AttributeUse] = field(default_factory=dict)
    ou_spelling: dict[str, str] = field(default_factory=dict)  # first seen
    limit: int = 50_000

    def __post_init__(self) -> None:
        # lower-cased name -> name: a user costs a look-up per attribute it has
        self._wanted = {name.lower(): name for name in self.attributes}

    def add(self, user: User, is_partner: bool) -> None:
        self.users += 1
        self.partners += is_partner
        suffix = upn_suffix(user.upn)
        if suffix is None:
            _count(self.no_upn, is_partner)
        else:
            self._split(self.suffixes, suffix, is_partner)
        for container in containers(user.dn):
            key = container.lower()
            self._split(self.ous, key, is_partner)
            if key in self.ous:
                self.ou_spelling.setdefault(key, container)
        wanted = self._wanted
        for key, values in user.attributes.items():
            name = wanted.get(key)
            if name is None or not values:
                continue
            value = values[0]
            text = value if isinstance(value, str) else display_value(name, value)
            if text.strip():
                use = self.uses.get(key)
                if use is None:
                    use = self.uses[key] = AttributeUse()
                use.add(text, is_partner)

    def _split(self, table: dict[str, Split], key: str, is_partner: bool) -> None:
        split = table.get(key)
        if split is None:
            if len(table) >= self.limit:
                return
            split = table[key] = Split()
        _count(split, is_partner)

    def use(self, attribute: str) -> AttributeUse:
        return self.uses.get(attribute.lower(), AttributeUse())


def _count(split: Split, is_partner: bool) -> None:
    split.users += 1
    split.partners += is_partner


def stability(marker: Marker) -> tuple[int, str]:
    """How stable the marker's input is: (rank, words); smaller is better."""
    if marker.where is not None and marker.where[0].lower() in DESCRIPTIVE_ATTRIBUTES:
        return _DESCRIPTIVE_STABILITY
    return STABILITY[marker.strategy]


def defines_partners(marker: Marker, where: Iterable[tuple[str, str]]) -> bool:
    """Is ``marker`` the attribute test of the partner definition itself?
    ``where``: the definition's (attribute, normalised value) pairs."""
    if marker.where is None:
        return False
    name, value = marker.where
    return (name.lower(), normalise_value(value)) in {(a.lower(), v) for a, v in where}


def propose(
    tally: FeatureTally,
    schemas: Sequence[Schema],
    configuration: Configuration | None,
    where: Sequence[tuple[str, str]] = (),
) -> list[Marker]:
    """At most one candidate per strategy (two attribute values), from pass one.

    ``where``: the partner definition's attribute tests, (attribute, normalised
    value); among attribute values that split the users equally well they are
    proposed first.
    """
    if tally.partners == 0:
        return []
    found: list[Marker] = []
    designated = designate_choice(tally, schemas, configuration)
    if designated is not None:
        found.append(designate_marker(designated))
    suffixes = [
        s for s, split in _ranked(tally.suffixes) if split.margin > 0 and is_suffix(s)
    ]
    if suffixes:
        found.append(upn_suffix_marker(suffixes))
    ou = _best(tally.ous, tally.partners)
    if ou is not None:
        found.append(ou_marker(tally.ou_spelling.get(ou, ou)))
    found.extend(_attribute_candidates(tally, schemas, where))
    return found


def _ranked(table: dict[str, Split]) -> list[tuple[str, Split]]:
    return sorted(table.items(), key=lambda kv: (-kv[1].partners, kv[0]))


def _best(table: dict[str, Split], partners: int) -> str | None:
    """The key with the best margin; the deepest (longest) one on a tie.

    A key must cover a tenth of the partners (and two at least): a value that
    one partner happens to carry is noise, not a marker.
    """
    least = max(2, partners // 10)
    best = max(
        ((k, s) for k, s in table.items() if s.partners >= least),
        key=lambda kv: (kv[1].margin, len(kv[0]), kv[0]),
        default=None,
    )
    return best[0] if best is not None and best[1].margin > 0 else None


def _attribute_candidates(
    tally: FeatureTally, schemas: Sequence[Schema], where: Sequence[tuple[str, str]]
) -> list[Marker]:
    """The two best attribute values: by margin, fewest employees, then the
    partner definition's own test, then a marking attribute (employeeType, an
    extension attribute) before one that names a firm or role (company)."""
    defining = {(a.lower(), v) for a, v in where}
    scored = []
    for name in tally.attributes:
        if name in DESIGNATE_CANDIDATES and tally.use(name).present == 0:
            continue
        values = tally.use(name).values
        value = _best(values, tally.partners)
        if value is None or normalise_value(value) in USER_TYPE_VALUES:
            continue
        spelled = _spelling(name, schemas)
        shown = tally.use(name).spelling(value)
        scored.append(
            (
                -values[value].margin,
                values[value].employees,
                (name.lower(), value) not in defining,
                name.lower() in DESCRIPTIVE_ATTRIBUTES,
                spelled,
                shown,
            )
        )
    scored.sort(key=lambda s: s[:5])
    return [attribute_marker(s[4], s[5]) for s in scored[:2]]


def _spelling(name: str, schemas: Sequence[Schema]) -> str:
    for schema in schemas:
        found = schema.attribute(name)
        if found is not None:
            return found.name
    return name


def designate_choice(
    tally: FeatureTally,
    schemas: Sequence[Schema],
    configuration: Configuration | None,
) -> str | None:
    """The first spare attribute: a single-valued string on ``user`` in every
    forest, holding nothing (or only Guest/Member variants), read by no rule."""
    fallback = None
    for name in DESIGNATE_CANDIDATES:
        if not all(schema_fit(s, name) is None for s in schemas):
            continue
        use = tally.use(name)
        if use.junk or (configuration and readers(configuration, name)):
            continue
        spelled = _spelling(name, schemas)
        if use.present == 0:
            return spelled
        fallback = fallback or spelled
    return fallback


def schema_fit(schema: Schema, attribute: str) -> str | None:
    """None when ``attribute`` can carry a marker in this schema, else why not."""
    verdict = schema.verdict(attribute)
    return None if verdict == "single-valued string on user" else verdict


def readers(configuration: Configuration, attribute: str) -> list[str]:
    """Rules that read ``attribute`` on the AD side, as ``name (precedence N)``."""
    uses = conflicts.rules_reading(configuration, attribute, Direction.INBOUND)
    names = {f"{u.rule.name} (precedence {u.rule.precedence})": None for u in uses}
    return list(names)


# --- ranking ----------------------------------------------------------------


@dataclass(frozen=True)
class Confusion:
    """A marker's Guest/Member split against the partner population."""

    partners_guest: int = 0  # partners that become Guest (right)
    employees_guest: int = 0  # employees that would wrongly become Guest
    partners_missed: int = 0  # partners that would stay Member
    employees_member: int = 0  # employees that stay Member (right)
    invalid: int = 0  # neither Guest nor Member (error, null, other text)

    @property
    def errors(self) -> int:
        return self.employees_guest + self.partners_missed + self.invalid

    @property
    def total(self) -> int:
        return (
            self.partners_guest
            + self.employees_guest
            + self.partners_missed
            + self.employees_member
            + self.invalid
        )

    def plus(self, other: Confusion) -> Confusion:
        return Confusion(
            self.partners_guest + other.partners_guest,
            self.employees_guest + other.employees_guest,
            self.partners_missed + other.partners_missed,
            self.employees_member + other.employees_member,
            self.invalid + other.invalid,
        )


@dataclass(frozen=True)
class Candidate:
    """One strategy with the evidence that ranks it."""

    marker: Marker
    confusion: Confusion
    by_forest: dict[str, Confusion]
    lacking_value: int  # in-scope users without the source value
    partners_lacking_value: int
    schema_fitness: dict[str, str]  # forest -> verdict
    conflicts: tuple[str, ...]  # with the existing configuration
    stability: str
    blockers: tuple[str, ...] = ()  # why it cannot be used as is
    notes: tuple[str, ...] = ()
    defines_partners: bool = False  # the partner definition's own test


@dataclass(frozen=True)
class Ranking:
    candidates: tuple[Candidate, ...]  # best first
    why: str  # in words: why the first one wins

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def rank_key(candidate: Candidate) -> tuple[int, ...]:
    """Sort key: smaller is better (see the module docstring for the order)."""
    strategy = candidate.marker.strategy
    return (
        1 if candidate.blockers else 0,
        candidate.confusion.employees_guest,
        candidate.confusion.partners_missed + candidate.confusion.invalid,
        candidate.partners_lacking_value,
        EFFORT[strategy],
        stability(candidate.marker)[0],
        0 if candidate.defines_partners else 1,
    )


def rank(
    candidates: Iterable[Candidate], where: Iterable[tuple[str, str]] = ()
) -> Ranking:
    """Best first, with the reason in words. ``where``: the partner
    definition's attribute tests (see :func:`defines_partners`)."""
    tests = tuple(where)
    marked = (
        replace(c, defines_partners=defines_partners(c.marker, tests))
        for c in candidates
    )
    ordered = tuple(sorted(marked, key=rank_key))
    return Ranking(ordered, explain(ordered))


_CRITERIA = (
    "it has no blocker while {other} has: {blocker}",
    "it makes {a} employee(s) Guest where {other} makes {b}",
    "it misses {a} partner(s) where {other} misses {b}",
    "{a} partner(s) lack its source value where {b} lack {other}'s",
    "it needs no change in AD, while {other} {effort}",
    "its value is more stable ({stability}) than {other}'s ({their})",
    "it is the partner definition's own test, which {other} only matches today",
)


def explain(ordered: Sequence[Candidate]) -> str:
    """Why the first candidate wins, criterion by criterion against each other."""
    if not ordered:
        return "no candidate: give the partner population to rank strategies"
    best = ordered[0]
    lines = [f"{best.marker.spec} ranks first: {summary(best)}."]
    for other in ordered[1:]:
        lines.append(f"Before {other.marker.spec}: {_beats(best, other)}.")
    return " ".join(lines)


def summary(candidate: Candidate) -> str:
    """One sentence of evidence for a candidate."""
    c = candidate.confusion
    partners = c.partners_guest + c.partners_missed
    parts = [
        f"{c.partners_guest} of {partners} partners become Guest",
        f"{c.employees_guest} employee(s) wrongly Guest",
    ]
    if c.invalid:
        parts.append(f"{c.invalid} user(s) get no valid value")
    if candidate.blockers:
        parts.append("blocked: " + "; ".join(candidate.blockers))
    return ", ".join(parts)


_EFFORT_TEXT = {
    "designate": "needs every user stamped first",
    "expression": "is a hand-written expression to maintain",
}


def _beats(best: Candidate, other: Candidate) -> str:
    mine, theirs = rank_key(best), rank_key(other)
    for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        if a == b:
            continue
        if a > b:
            return "it ranks lower on the criteria that come first"
        return _CRITERIA[index].format(
            a=a,
            b=b,
            other=other.marker.spec,
            blocker="; ".join(other.blockers),
            stability=stability(best.marker)[1].split(":")[0],
            their=stability(other.marker)[1].split(":")[0],
            effort=_EFFORT_TEXT.get(other.marker.strategy, "needs more work"),
        )
    return "the two are equal on every criterion; the order is the strategy order"


def explain_choice(ranking: Ranking, chosen: Marker) -> str:
    """Why text for a marker the admin chose with ``--marker``.

    It says the choice was the admin's, gives its own evidence, and compares it
    honestly with the best-ranked candidate instead of arguing for that one.
    """
    said = f"{chosen.spec} was chosen with --marker"
    mine = next(
        (c for c in ranking.candidates if c.marker.expression == chosen.expression),
        None,
    )
    best = ranking.best
    if mine is None or best is None:
        return f"{said}; strategies are ranked only against a partner population."
    if best is mine:
        rest = [
            f"Before {o.marker.spec}: {_beats(best, o)}."
            for o in ranking.candidates[1:]
        ]
        return " ".join(
            [f"{said}; it is also the best-ranked candidate: {summary(mine)}.", *rest]
        )
    place = ranking.candidates.index(mine) + 1
    return (
        f"{said}: {summary(mine)}. It ranks {place} of {len(ranking.candidates)}; "
        f"the best-ranked alternative is {best.marker.spec} ({summary(best)}); "
        f"it ranks higher because {_beats(best, mine)}."
    )


def explain_empty(given: bool, partners: int) -> str:
    """Why text when nothing could be ranked, saying which input is missing."""
    if not given:
        return "no candidate: give the partner population to rank strategies"
    if partners == 0:
        return (
            "no candidate: the partner definition matches no in-scope user, so "
            "there is nothing to tell apart; see the findings"
        )
    return (
        "no candidate: no spare attribute to designate, and no UPN suffix, OU or "
        "attribute value covers more partners than employees"
    )
