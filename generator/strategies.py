"""Marker strategies: a ``--marker SPEC`` turned into the exact rule it emits.

Every expression built here follows the rules admins learnt the hard way
(PRODUCT.md): it yields only ``"Guest"`` or ``"Member"``; a missing or
unexpected source value yields the default ``"Member"`` (never ``Error()``,
never null); text is compared case-insensitively and anchored (a suffix at the
end of the UPN, an OU at the end of the DN); several suffixes share one
expression; a designated value is trimmed and lower-cased before comparison.
Every string placed in an expression goes through
:func:`generator.escaping.expression_literal`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from generator.dn import split_dn
from generator.errors import InputError, UsageError
from generator.escaping import expression_literal
from generator.expressions.errors import ExpressionError
from generator.expressions.nodes import attributes_read
from generator.expressions.parser import parse, parse_syntax
from generator.marker import DEFAULT_USER_TYPE, Marker, Strategy
from generator.readers.textlines import read_text
from generator.schema import Schema

GUEST = '"Guest"'
MEMBER = expression_literal(DEFAULT_USER_TYPE)
UPN = "userPrincipalName"
DN = "dn"

# Single-valued strings an admin may stamp Guest/Member into, best first:
# msDS-cloudExtensionAttribute1..20 are in the base schema since Windows Server
# 2012; extensionAttribute1..15 only where Exchange extended the schema.
DESIGNATE_CANDIDATES = (
    *(f"msDS-cloudExtensionAttribute{n}" for n in range(1, 21)),
    *(f"extensionAttribute{n}" for n in range(1, 16)),
)

# Up to this many suffixes, one IIF each (reads as a list); more are one IIF
# over a balanced || of the tests, since a chain of IIFs nests one level per
# suffix and the expression engine bounds nesting (parser.MAX_DEPTH).
NESTED_SUFFIXES = 8
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*\Z")
_DOMAIN = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\Z"
)

NameResolver = Callable[[str], str]


def parse_marker(
    spec: str, *, resolve: NameResolver | None = None, base: Path | None = None
) -> Marker:
    """Parse ``--marker SPEC`` into the Marker it emits.

    ``resolve`` maps an attribute name to the schema's spelling (names are
    case-sensitive in expressions); ``base`` is where ``expression:@FILE`` is
    looked up when relative.
    """
    kind, sep, rest = spec.partition(":")
    kind = kind.strip().lower()
    if not sep or not rest.strip():
        raise UsageError(f"--marker {spec!r}: expected KIND:VALUE ({_KINDS})")
    name = resolve or (lambda n: n)
    if kind == "upn-suffix":
        return upn_suffix_marker([s for s in rest.split(",")], spec=spec)
    if kind == "ou":
        return ou_marker(rest, spec=spec)
    if kind == "attribute":
        attribute, eq, value = rest.partition("=")
        if not eq:
            raise UsageError(f"--marker {spec!r}: expected attribute:NAME=VALUE")
        return attribute_marker(name(_attribute(attribute, spec)), value, spec=spec)
    if kind == "designate":
        return designate_marker(name(_attribute(rest, spec)), spec=spec)
    if kind == "expression":
        return expression_marker(rest, spec=spec, base=base)
    raise UsageError(f"--marker {spec!r}: unknown kind {kind!r} ({_KINDS})")


_KINDS = "upn-suffix, ou, attribute, designate, expression"


def schema_resolver(*schemas: Schema | None) -> NameResolver:
    """Spell an attribute as the first schema that knows it does."""

    def resolve(name: str) -> str:
        for schema in schemas:
            found = schema.attribute(name) if schema else None
            if found is not None:
                return found.name
        return name

    return resolve


def _attribute(text: str, spec: str) -> str:
    name = text.strip()
    if not _ATTRIBUTE_NAME.match(name):
        raise UsageError(f"--marker {spec!r}: {name!r} is not an attribute name")
    return name


def is_suffix(domain: str) -> bool:
    """Can a rule test for this lower-cased UPN domain (a DNS name, ASCII)?"""
    return (
        len(domain) <= 253
        and _DOMAIN.match(domain) is not None
        and all(len(label) <= 63 for label in domain.split("."))
    )


def normalise_suffix(text: str) -> str:
    """``@Partners.Contoso.COM`` -> ``partners.contoso.com``; refuses non-domains."""
    suffix = text.strip().lstrip("@").lower()
    if not is_suffix(suffix):
        raise UsageError(f"{text.strip()!r} is not a UPN suffix (a DNS domain)")
    return suffix


def upn_suffix_marker(suffixes: list[str], *, spec: str | None = None) -> Marker:
    """Guest when the UPN's domain is exactly one of ``suffixes``.

    The test is ``Right(LCase(upn), Len("@d")) = "@d"``: anchored at the end and
    including the ``@``, so ``x@partners.contoso.com.evil.example`` and, for the
    suffix ``contoso.com``, ``x@partners.contoso.com`` do not match. A user
    without a UPN gets the default.
    """
    cleaned = tuple(dict.fromkeys(normalise_suffix(s) for s in suffixes if s.strip()))
    if not cleaned:
        raise UsageError("upn-suffix needs at least one suffix")
    hits = []
    for suffix in cleaned:
        literal = expression_literal("@" + suffix)
        hits.append(f"Right(LCase([{UPN}]),Len({literal}))={literal}")
    if len(hits) <= NESTED_SUFFIXES:
        test = MEMBER
        for hit in reversed(hits):
            test = f"IIF({hit},{GUEST},{test})"
    else:
        test = f"IIF({_any_of(hits)},{GUEST},{MEMBER})"
    expression = f"IIF(IsPresent([{UPN}]),{test},{MEMBER})"
    return Marker(
        strategy="upn-suffix",
        spec=spec or "upn-suffix:" + ",".join(cleaned),
        expression=expression,
        source_attributes=(UPN,),
        suffixes=cleaned,
    )


def _any_of(tests: list[str]) -> str:
    """``tests`` joined by ``||`` as a balanced tree: its depth grows with the
    logarithm of their number, so a long list of suffixes nests a few levels."""
    if len(tests) == 1:
        return tests[0]
    half = len(tests) // 2
    return f"({_any_of(tests[:half])}||{_any_of(tests[half:])})"


def tidy_dn(dn: str) -> str:
    """A DN with its RDNs trimmed and ``type=value`` tight, case kept."""
    try:
        if "\\" not in dn and "," in dn:
            # Users share their parents: tidy the object's RDN, reuse the rest.
            head, _, parent = dn.partition(",")
            return _tidy_rdn(head) + "," + _tidy_parent(parent)
        return ",".join(_tidy_rdn(rdn) for rdn in split_dn(dn) or [dn])
    except ValueError:
        raise UsageError(f"{dn.strip()!r} is not a distinguished name") from None


@lru_cache(maxsize=4096)
def _tidy_parent(parent: str) -> str:
    return ",".join(_tidy_rdn(rdn) for rdn in parent.split(","))


def _tidy_rdn(rdn: str) -> str:
    """``type=value`` trimmed; ValueError when either side is empty."""
    kind, eq, value = rdn.partition("=")
    kind, value = kind.strip(), value.strip()
    if not eq or not kind or not value:
        raise ValueError(rdn)
    return f"{kind}={value}"


def normalise_dn(dn: str) -> str:
    """A DN in the form compared against: tidy and lower-cased."""
    return tidy_dn(dn).lower()


def ou_marker(dn: str, *, spec: str | None = None) -> Marker:
    """Guest when the object sits in ``dn`` or below it.

    The DN is compared lower-cased and anchored at its end with the leading
    comma, so ``OU=Partners-Old`` never matches ``OU=Partners``.
    """
    shown = tidy_dn(dn)
    ou = shown.lower()
    # TODO(#5): confirm on a Connect server that LCase([dn]) reads the DN as text
    # (out-of-box rules pass [dn] to CRef, which takes a string, so it should).
    literal = expression_literal("," + ou)
    test = f"Right(LCase([{DN}]),Len({literal}))={literal}"
    expression = f"IIF(IsPresent([{DN}]),IIF({test},{GUEST},{MEMBER}),{MEMBER})"
    return Marker(
        strategy="ou",
        spec=spec or f"ou:{shown}",
        expression=expression,
        source_attributes=(DN,),
        ou=ou,
    )


def normalise_value(value: str) -> str:
    """How markers compare attribute values: trimmed and lower-cased."""
    return value.strip().lower()


def attribute_marker(attribute: str, value: str, *, spec: str | None = None) -> Marker:
    """Guest when ``attribute`` (trimmed, case-folded) equals ``value``."""
    wanted = normalise_value(value)
    if not wanted:
        raise UsageError(f"attribute:{attribute}= needs a value to compare with")
    expression = _normalised_test(attribute, expression_literal(wanted))
    return Marker(
        strategy="attribute",
        spec=spec or f"attribute:{attribute}={value.strip()}",
        expression=expression,
        source_attributes=(attribute,),
        where=(attribute, value.strip()),
    )


def designate_marker(attribute: str, *, spec: str | None = None) -> Marker:
    """Guest when the stamped attribute says guest in any case or spacing."""
    return Marker(
        strategy="designate",
        spec=spec or f"designate:{attribute}",
        expression=_normalised_test(attribute, expression_literal("guest")),
        source_attributes=(attribute,),
        designated_attribute=attribute,
    )


def _normalised_test(attribute: str, literal: str) -> str:
    source = f"[{attribute}]"
    test = f"IIF(LCase(Trim({source}))={literal},{GUEST},{MEMBER})"
    return f"IIF(IsPresent({source}),{test},{MEMBER})"


def expression_marker(
    reference: str, *, spec: str | None = None, base: Path | None = None
) -> Marker:
    """The admin's own expression, read from ``@FILE`` (linted and previewed later)."""
    text = reference.strip()
    if not text.startswith("@") or len(text) < 2:
        raise UsageError("expression markers are given as expression:@FILE")
    path = Path(text[1:])
    if base is not None and not path.is_absolute():
        path = base / path
    expression = read_expression_file(path)
    return Marker(
        strategy="expression",
        spec=spec or f"expression:{text}",
        expression=expression,
        source_attributes=expression_attributes(expression),
    )


def read_expression_file(path: Path) -> str:
    """The expression in ``path`` on one line, as rules carry it.

    UTF-8 with or without a BOM, or UTF-16 (Windows PowerShell 5.1's ``>``),
    as the other inputs. It is parsed here, so a mistake is reported at the
    file's line and column; a string cannot span lines, so joining the lines
    leaves every string's text as written.
    """
    text = read_text(path)
    if not text.strip():
        raise InputError("holds no expression", path=path)
    parse(text, source=str(path))
    lines = (line.strip(" \t") for line in _LINE_BREAK.split(text))
    return " ".join(line for line in lines if line)


def expression_attributes(expression: str) -> tuple[str, ...]:
    """The attributes an expression reads, sorted; a broken one is linted later."""
    try:
        tree = parse_syntax(expression)
    except ExpressionError:
        return tuple(sorted(set(re.findall(r"\[([^\]]+)\]", expression))))
    return tuple(sorted(attributes_read(tree)))


def strategy_of(spec: str) -> Strategy | None:
    """The strategy named by a spec, without building it."""
    kind = spec.partition(":")[0].strip().lower()
    known: dict[str, Strategy] = {
        "upn-suffix": "upn-suffix",
        "ou": "ou",
        "attribute": "attribute",
        "designate": "designate",
        "expression": "expression",
    }
    return known.get(kind)
