"""Which user a value the bundle cannot write came from.

A template refuses a value (a NUL in an account name, a lone surrogate) with
:class:`~generator.escaping.UnrepresentableValue`, which knows the value and
the output context but not whose it is. When the bundle fails that way, the
in-scope users are replayed to find the first one holding the value, so that
the error names the user's DN and attribute, and for a file source the file
and the line of the user's record. This runs only on that error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.analysis import Analysis
from generator.escaping import UnrepresentableValue
from generator.marker import UserOutcome
from generator.readers.base import FileSource

# What some output context refuses: C0 and C1 controls, DEL, lone surrogates.
# A value holding none of these cannot be the one refused.
_REFUSABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def located(
    error: UnrepresentableValue,
    analysis: Analysis,
    outcomes: Iterable[UserOutcome],
) -> UnrepresentableValue:
    """``error`` naming the user and attribute its value came from, if any."""
    found = _holder(error.value, outcomes, analysis)
    if found is None:
        return error
    outcome, attribute = found
    who = f"user {outcome.dn!r}, attribute {attribute}"
    place = _record_of(analysis, outcome)
    if place is None:
        return error.located(who)
    path, line = place
    where = str(path) if line is None else f"{path}:{line}"
    return error.located(f"{where}: {who}")


def _holder(
    value: str, outcomes: Iterable[UserOutcome], analysis: Analysis
) -> tuple[UserOutcome, str] | None:
    """The first user with a field that is, or is part of, ``value`` and holds
    a character some context refuses; with that field's attribute name."""
    designated = analysis.marker.designated_attribute if analysis.marker else None
    for outcome in outcomes:
        for attribute, text in _fields(outcome, designated):
            if _REFUSABLE.search(text) and text in value:
                return outcome, attribute
    return None


def _fields(outcome: UserOutcome, designated: str | None) -> Iterator[tuple[str, str]]:
    """(attribute, value) of what the bundle writes about a user."""
    if outcome.sam:
        yield "sAMAccountName", outcome.sam
    if outcome.upn:
        yield "userPrincipalName", outcome.upn
    for shown in outcome.source_values:  # "name=value"
        name, _, text = shown.partition("=")
        yield name, text
    if designated and outcome.current_marker:
        yield designated, outcome.current_marker
    yield "distinguishedName", outcome.dn


def _record_of(
    analysis: Analysis, outcome: UserOutcome
) -> tuple[Path, int | None] | None:
    """The file and line of the user's record, when it came from a file."""
    source = analysis.source_of(outcome.forest)
    if not isinstance(source, FileSource):
        return None
    for user in source.users(("distinguishedName",)):
        if user.dn == outcome.dn:
            return source.path, user.line
    return None
