"""Every proposed marker's evidence from the one read that also chooses it.

A proposed marker reads one input: the UPN, the DN, or one attribute. While
pass one streams the users, :class:`SignatureTally` counts the in-scope users
of each forest by what each such input holds, reduced to the part an
expression of that kind can tell apart (its *signature*), and by partner flag.
After the read, :func:`replay` evaluates a candidate's exact expression with
the engine once per signature, on a stand-in user that carries it, and counts
the verdict as many times as users share the signature. The confusion matrices
are therefore the engine's own, as if it had judged every user, at a cost that
does not grow with the directory.

Why a signature keeps the verdict:

- ``dn``: the text from the first comma on, behind a fixed ``CN=x``. The OU
  test compares the lower-cased DN's end with ``,ou=...``; an end that starts
  with a comma either lies inside the kept text or is unequal for both DNs,
  since the part before the first comma holds no comma.
- ``userPrincipalName``: the text from the last ``@`` on, behind a fixed ``x``.
  The suffix test compares the lower-cased UPN's end with ``@domain`` (one
  ``@``, at its start); likewise it lies inside the kept text or fails for both.
- any other attribute (compared by ``attribute`` markers as
  ``LCase(Trim(value))``, the engine's lower-case of the trimmed text): a
  single text value by that normalised form when pass one's value table holds
  it (every proposed value comes from that table), else by one stand-in for
  "present, blank" or one for "present, some other value"; several or binary
  values as they are.

Counters are bounded: an input with more distinct signatures than its limit is
marked full, and :func:`replay` declines candidates that read it (the caller
then evaluates them user by user in an extra pass, for such data only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.marker import Marker
from generator.model import User
from generator.model import Value as AttributeValue
from generator.preview import ForestRun, MarkerEvaluator
from generator.recommend import VALUE_LIMIT, FeatureTally
from generator.strategies import normalise_value

DN_KEY = "dn"
UPN_KEY = "userprincipalname"
# distinct signatures kept per input and forest: DN parents and UPN domains;
# attribute values (the value table's keys, twice for the partner flag, and
# the few stand-ins and multi-valued shapes)
SIGNATURE_LIMIT = 10_000
VALUE_SIGNATURE_LIMIT = 2 * VALUE_LIMIT + 100
_DN_HEAD = "CN=x"
_UPN_HEAD = "x"
BLANK = (" ",)  # a present value that trims to nothing
OTHER = ("\x00",)  # a present value outside the value table

Signature = tuple[AttributeValue, ...]


def signature(key: str, user: User, tally: FeatureTally) -> Signature:
    """What input ``key`` (lower-cased) of ``user`` holds, as far as it matters.

    ``tally`` must have counted ``user`` already (its value table decides).
    """
    if key == DN_KEY:
        dn = user.dn
        comma = dn.find(",")
        return (dn,) if comma < 0 else (_DN_HEAD + dn[comma:],)
    values = user.attributes.get(key, ())
    if len(values) != 1 or not isinstance(values[0], str):
        return values
    text = values[0]
    if key == UPN_KEY:
        at = text.rfind("@")
        return values if at < 0 else (_UPN_HEAD + text[at:],)
    normalised = normalise_value(text)
    if not normalised:
        return values if text == "" else BLANK
    use = tally.uses.get(key)
    return (normalised,) if use is not None and normalised in use.values else OTHER


@dataclass
class InputCounts:
    """Users by (signature, partner) for one input of one forest."""

    counts: dict[tuple[Signature, bool], int] = field(default_factory=dict)
    full: bool = False


@dataclass
class SignatureTally:
    """Pass one's signature counters, per forest and input.

    Users without an input are not counted under it: they are the forest's
    users less those counted, so a user costs a look-up per input it holds.
    """

    inputs: tuple[str, ...]  # lower-cased attribute names, "dn"
    tally: FeatureTally  # pass one's value tables, across the forests
    forests: dict[str, dict[str, InputCounts]] = field(default_factory=dict)
    users: dict[str, list[int]] = field(default_factory=dict)  # [others, partners]

    def __post_init__(self) -> None:
        self._attributes = frozenset(self.inputs) - {DN_KEY}

    def add(self, forest: str, user: User, is_partner: bool) -> None:
        """Count ``user`` (after ``tally`` counted it) under each signature."""
        tables = self.forests.get(forest)
        if tables is None:
            tables = self.forests[forest] = {k: InputCounts() for k in self.inputs}
            self.users[forest] = [0, 0]
        self.users[forest][is_partner] += 1
        if DN_KEY in tables:
            self._count(tables[DN_KEY], DN_KEY, user, is_partner)
        watched = self._attributes
        for key, values in user.attributes.items():
            if values and key in watched:
                self._count(tables[key], key, user, is_partner)

    def _count(self, table: InputCounts, key: str, user: User, partner: bool) -> None:
        if table.full:
            return
        index = (signature(key, user, self.tally), partner)
        counts = table.counts
        if index in counts:
            counts[index] += 1
        elif len(counts) < _limit(key):
            counts[index] = 1
        else:
            table.full = True
            counts.clear()  # useless once incomplete; free it

    def counted(self, forest: str, key: str) -> dict[tuple[Signature, bool], int]:
        """Users by (signature, partner), those without the input under ``()``."""
        found = dict(self.forests[forest][key].counts)
        for partner in (False, True):
            held = sum(n for (_, p), n in found.items() if p is partner)
            lacking = self.users[forest][partner] - held
            if lacking:
                found[((), partner)] = found.get(((), partner), 0) + lacking
        return found


def _limit(key: str) -> int:
    return SIGNATURE_LIMIT if key in (DN_KEY, UPN_KEY) else VALUE_SIGNATURE_LIMIT


def _input_of(marker: Marker) -> str | None:
    """The one input the marker's expression reads, lower-cased, else None."""
    names = {n.lower() for n in marker.source_attributes}
    if len(names) != 1 or "%" in marker.expression:
        return None  # several inputs, or %Domain.*% parameters read from the DN
    return names.pop()


def replay(
    tally: SignatureTally, marker: Marker, *, stamp: bool
) -> dict[str, ForestRun] | None:
    """The marker's runs per forest from the signatures, or None when it cannot.

    The runs carry counts only: example users are named by the preview pass,
    which evaluates the chosen marker user by user.
    """
    key = _input_of(marker)
    if key is None or key not in tally.inputs:
        return None
    tables = [(name, t[key]) for name, t in tally.forests.items()]
    if any(table.full for _, table in tables):
        return None
    evaluator = MarkerEvaluator(marker, stamp=stamp)
    if not evaluator.stamp and not _signatures_decide(tally, marker, key):
        return None
    name = marker.source_attributes[0]
    return {
        forest: _run(forest, evaluator, name, tally.counted(forest, key).items(), stamp)
        for forest, _ in tables
    }


def _signatures_decide(tally: SignatureTally, marker: Marker, key: str) -> bool:
    """Do the signatures keep this marker's verdicts (module docstring)?

    A stamped designate marker reads the partner flag only; the others must
    be the strategy the signature was made for, and an attribute marker's
    value must be in the value table (the stand-in for "some other value" is
    then never equal to it).
    """
    if key == DN_KEY:
        return marker.strategy == "ou"
    if key == UPN_KEY:
        return marker.strategy == "upn-suffix"
    if marker.strategy != "attribute" or marker.where is None:
        return False
    use = tally.tally.uses.get(key)
    wanted = normalise_value(marker.where[1])
    return use is not None and wanted in use.values and OTHER[0] not in use.values


def _run(
    forest: str,
    evaluator: MarkerEvaluator,
    name: str,
    counts: Iterable[tuple[tuple[Signature, bool], int]],
    stamp: bool,
) -> ForestRun:
    run = ForestRun(forest, stamp)
    for (held, is_partner), count in counts:
        if name.lower() == DN_KEY:
            stand_in = User(str(held[0]), {}, forest)
        else:
            stand_in = User(_DN_HEAD, {name.lower(): held}, forest)
        verdict = evaluator.verdict(stand_in, is_partner)
        run.add_count(verdict, is_partner, evaluator.lacking(stand_in), count)
    return run
