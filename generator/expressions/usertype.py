"""Checks for an expression that feeds ``userType`` (reference §14).

Entra ID takes only ``Guest`` and ``Member``; a user whose expression fails
does not sync at all; ``InStr`` is a "contains" test that also matches
``x@partners.contoso.com.evil.example``; and string tests are case-sensitive.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.expressions import nodes as n
from generator.expressions.compiler import compile_tree
from generator.expressions.findings import LintFinding, Severity, finding
from generator.expressions.values import Error, OutcomeKind, Value

ALLOWED = ("Guest", "Member")
_CONTAINS = frozenset({"InStr", "InStrRev", "Contains"})
_FOLDERS = frozenset({"LCase", "UCase"})
# Functions whose result keeps the letter case of their first argument.
_CASE_KEEPING = frozenset(
    {"Left", "Right", "Mid", "Trim", "LTrim", "RTrim", "Word", "Item", "ItemOrNull",
     "Replace", "CStr", "Join", "ImportedValue"}
)  # fmt: skip
_IDENTITY_HINT = frozenset({"userprincipalname", "mail"})


def usertype_findings(tree: n.Expr, *, evaluate: bool = True) -> list[LintFinding]:
    """Every userType finding; ``evaluate`` also runs it with the source missing."""
    found = [*_contains_tests(tree), *_case_folding(tree), *_results(tree)]
    found += _constant(tree)
    if evaluate:
        found += _missing_source(tree)
    return found


def _constant(tree: n.Expr) -> list[LintFinding]:
    """An expression that reads no attribute gives every user the same type."""
    if n.attributes_read(tree):
        return []
    return [
        finding(
            "UT-CONSTANT",
            Severity.WARNING,
            "the expression reads no attribute: every user in the rule's scope "
            "gets the same userType",
            tree,
            "test what tells partners apart, e.g. IIF(Right(LCase("
            '[userPrincipalName]),Len("@partners.example.com"))='
            '"@partners.example.com","Guest","Member")',
        )
    ]


def _contains_tests(tree: n.Expr) -> Iterator[LintFinding]:
    for node in n.walk(tree):
        if (
            not isinstance(node, n.Call)
            or node.name not in _CONTAINS
            or len(node.args) < 2
        ):
            continue
        haystack, needle = node.args[0], node.args[1]
        suffix_like = isinstance(needle, n.Str) and (
            needle.value.startswith("@") or "." in needle.value
        )
        identity = any(a.lower() in _IDENTITY_HINT for a in n.attributes_read(haystack))
        if suffix_like or identity:
            yield finding(
                "UT-CONTAINS",
                Severity.BLOCKER,
                f"{node.name} tests whether the text appears anywhere, not whether "
                f"it ends the value: {_lookalike(needle)} matches too",
                node,
                _suffix_hint(haystack, needle),
            )
            continue
        yield finding(
            "UT-CONTAINS",
            Severity.WARNING,
            f"{node.name} tests whether the text appears anywhere in the value, "
            f"not whether the value is that text: {_value_lookalike(needle)} "
            "matches too",
            node,
            _value_hint(haystack, needle),
        )


def _lookalike(needle: n.Expr) -> str:
    """A value the contains-test accepts although it is not the partner's."""
    if not isinstance(needle, n.Str) or not needle.value:
        return "x@partners.example.com.evil.example"
    text = needle.value.lower()
    if text.startswith("@"):
        return f"x{text}.evil.example"
    return f"x-{text}-x"


def _suffix_hint(haystack: n.Expr, needle: n.Expr) -> str:
    names = sorted(n.attributes_read(haystack)) or ["userPrincipalName"]
    text = (
        needle.value.lower() if isinstance(needle, n.Str) else "@partners.example.com"
    )
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        f"anchor the test at the end: Right(LCase([{names[0]}]), Len({quoted})) "
        f"= {quoted}"
    )


def _value_lookalike(needle: n.Expr) -> str:
    if isinstance(needle, n.Str) and needle.value.strip():
        return f"non-{needle.value.strip().lower()}"
    return "any longer value that contains it"


def _value_hint(haystack: n.Expr, needle: n.Expr) -> str:
    """For an attribute value (employeeType, company): compare the whole value."""
    names = sorted(n.attributes_read(haystack))
    source = f"[{names[0]}]" if names else "[attribute]"
    text = needle.value.strip().lower() if isinstance(needle, n.Str) else "partner"
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        f"compare the whole value, trimmed and folded: LCase(Trim({source})) = {quoted}"
    )


def _case_folding(tree: n.Expr) -> Iterator[LintFinding]:
    for node in n.walk(tree):
        subject = _string_test_subject(node)
        if subject is None or not _reads_data(subject) or _folded(subject):
            continue
        yield finding(
            "UT-CASE",
            Severity.BLOCKER,
            "the test is case-sensitive: a value written in other letter case "
            "does not match",
            node,
            "compare LCase(...) with a lower-case text",
        )


def string_test(node: n.Expr) -> tuple[n.Expr, n.Str] | None:
    """(data side, text) of a case-sensitive string equality or search."""
    if isinstance(node, n.Binary) and node.op in ("=", "<>"):
        for data, text in ((node.left, node.right), (node.right, node.left)):
            if isinstance(text, n.Str) and _has_letters(text.value):
                return data, text
        return None
    if isinstance(node, n.Call) and node.name in _CONTAINS and len(node.args) >= 2:
        options = {a.name for a in node.args[2:] if isinstance(a, n.Enum)}
        needle = node.args[1]
        if options & {"vbTextCompare", "CaseInsensitive"}:
            return None
        if isinstance(needle, n.Str) and _has_letters(needle.value):
            return node.args[0], needle
    return None


def _string_test_subject(node: n.Expr) -> n.Expr | None:
    """The data side of a string test, when the text side is a constant or not."""
    found = string_test(node)
    if found is not None:
        return found[0]
    if isinstance(node, n.Call) and node.name in _CONTAINS and len(node.args) >= 2:
        options = {a.name for a in node.args[2:] if isinstance(a, n.Enum)}
        if not options & {"vbTextCompare", "CaseInsensitive"} and not isinstance(
            node.args[1], n.Str
        ):
            return node.args[0]
    return None


def _has_letters(text: str) -> bool:
    return text.lower() != text.upper()


def _reads_data(node: n.Expr) -> bool:
    return any(isinstance(x, n.Attr | n.Param | n.Var) for x in n.walk(node)) or bool(
        n.attributes_read(node)
    )


def folding(node: n.Expr) -> str | None:
    """``LCase`` or ``UCase`` when letter case was folded on the way here."""
    if isinstance(node, n.Call):
        if node.name in _FOLDERS:
            return node.name
        if node.name in _CASE_KEEPING and node.args:
            return folding(node.args[0])
        if node.name == "IIF" and len(node.args) == 3:
            then, other = folding(node.args[1]), folding(node.args[2])
            return then if then == other else None
    return None


def _folded(node: n.Expr) -> bool:
    return folding(node) is not None


def result_leaves(node: n.Expr) -> Iterator[n.Expr]:
    """The sub-expressions whose value can become the result."""
    if isinstance(node, n.Call) and node.name == "IIF" and len(node.args) == 3:
        yield from result_leaves(node.args[1])
        yield from result_leaves(node.args[2])
    elif isinstance(node, n.Call) and node.name == "Switch":
        for value in node.args[1::2]:
            yield from result_leaves(value)
    elif isinstance(node, n.Call) and node.name == "With" and len(node.args) == 3:
        yield from result_leaves(node.args[2])
    else:
        yield node


def _results(tree: n.Expr) -> Iterator[LintFinding]:
    for leaf in result_leaves(tree):
        problem = _leaf_problem(leaf)
        if problem is not None:
            yield problem
    for node in n.walk(tree):
        if (
            isinstance(node, n.Call)
            and node.name == "Switch"
            and not _has_default(node)
        ):
            yield finding(
                "UT-NO-DEFAULT",
                Severity.BLOCKER,
                "Switch has no default: an object that matches no condition gets "
                "no userType",
                node,
                'end it with True, "Member"',
            )


def _has_default(node: n.Call) -> bool:
    return any(isinstance(c, n.Bool) and c.value for c in node.args[0::2])


_LEAF_RULES = {
    "IgnoreThisFlow": (
        "UT-IGNORE",
        Severity.WARNING,
        "IgnoreThisFlow keeps whatever userType the object already has",
        'give a default such as "Member"',
    ),
    "null": (
        "UT-NULL-RESULT",
        Severity.BLOCKER,
        "{name} is a possible result: the object gets no userType (Entra export "
        "errors on a null userType)",
        'give a default such as "Member"',
    ),
    "Error": (
        "UT-ERROR",
        Severity.BLOCKER,
        "Error() is a possible result: every user on that path fails to sync",
        'return the default "Member" instead',
    ),
    "stored": (
        "UT-PASSTHROUGH",
        Severity.BLOCKER,
        "the result is a stored value as is; anything but Guest or Member fails",
        'compare the value and return "Guest" or "Member"',
    ),
    "computed": (
        "UT-COMPUTED",
        Severity.WARNING,
        "the result is computed; it cannot be checked to be Guest or Member",
        'return the literal "Guest" or "Member"',
    ),
}


def _leaf_problem(leaf: n.Expr) -> LintFinding | None:
    if isinstance(leaf, n.Str):
        return _text_result(leaf)
    if isinstance(leaf, n.Const) and leaf.name == "CRLF":
        return _text_result(n.Str("\r\n", leaf.pos))
    rule, severity, message, hint = _LEAF_RULES[_leaf_kind(leaf)]
    name = leaf.name if isinstance(leaf, n.Const) else ""
    return finding(rule, severity, message.format(name=name), leaf, hint)


def _leaf_kind(leaf: n.Expr) -> str:
    if isinstance(leaf, n.Const):
        return "IgnoreThisFlow" if leaf.name == "IgnoreThisFlow" else "null"
    if isinstance(leaf, n.Call) and leaf.name == "Error":
        return "Error"
    if isinstance(leaf, n.Attr | n.Param):
        return "stored"
    return "computed"


def _text_result(leaf: n.Str) -> LintFinding | None:
    if leaf.value in ALLOWED:
        return None
    if leaf.value == "":
        return finding(
            "UT-NULL-RESULT",
            Severity.BLOCKER,
            'the empty string "" is a possible result: the object gets no userType',
            leaf,
            'give a default such as "Member"',
        )
    real = next((a for a in ALLOWED if a.lower() == leaf.value.strip().lower()), None)
    return finding(
        "UT-VALUE",
        Severity.BLOCKER,
        f"{leaf.value!r} is a possible result; Entra ID accepts only Guest and Member",
        leaf,
        f'write "{real}" exactly' if real else 'return "Guest" or "Member"',
    )


def _missing_source(tree: n.Expr) -> Iterator[LintFinding]:
    """Evaluate with every attribute absent, as for a user lacking the source."""
    params = {
        node.name: "example" for node in n.walk(tree) if isinstance(node, n.Param)
    }
    outcome = compile_tree(tree).evaluate({}, params)
    names = ", ".join(f"[{a}]" for a in sorted(n.attributes_read(tree))) or "its data"
    if isinstance(outcome, Error):
        yield finding(
            "UT-MISSING-SOURCE",
            Severity.BLOCKER,
            f"an object without {names} fails to sync: {outcome.message}",
            tree,
            'return the default "Member" when the source is missing',
        )
    elif outcome.kind is not OutcomeKind.VALUE:
        yield finding(
            "UT-MISSING-SOURCE",
            Severity.BLOCKER,
            f"an object without {names} gets no userType ({outcome.kind})",
            tree,
            'return the default "Member" when the source is missing',
        )
    elif isinstance(outcome, Value) and outcome.values[0] not in ALLOWED:
        yield finding(
            "UT-MISSING-SOURCE",
            Severity.BLOCKER,
            f"an object without {names} gets userType {outcome.values[0]!r}",
            tree,
            'return "Member" when the source is missing',
        )
