"""Checks for expressions that parse but do the wrong thing.

Two families, each finding with a stable id: ``EXPR-*`` for names, types and
operators (unknown functions, attribute casing against a schema, ``+`` on
strings, unparenthesised mixing of ``&&`` and ``||``), and ``UT-*`` for what
an expression that feeds ``userType`` must never do (reference/expressions.md
§14 and the product's rules for emitted expressions).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from generator.expressions import catalog
from generator.expressions import nodes as n
from generator.expressions.findings import LintFinding, Severity, finding
from generator.expressions.parser import parse_syntax
from generator.expressions.resolve import Resolver
from generator.expressions.unparse import unparse
from generator.expressions.usertype import folding, string_test, usertype_findings
from generator.schema import Schema

USERTYPE_TARGETS = frozenset({"usertype"})


def lint(
    text: str,
    *,
    target: str | None = None,
    known_attributes: Collection[str] | None = None,
    attribute_types: Mapping[str, str] | None = None,
    source: str | None = None,
) -> list[LintFinding]:
    """Every finding for ``text``; raises ExpressionError when it does not parse.

    ``known_attributes`` enables the attribute-name checks; ``attribute_types``
    (lower-cased name to str, num, bool, bin or ref, see :func:`schema_types`)
    lets the type checks see through attributes.
    """
    tree = parse_syntax(text, source)
    types = _Types(attribute_types or {})
    findings = [*_name_findings(tree)]
    findings += _semantic_findings(tree, known_attributes, types)
    if target is not None and target.lower() in USERTYPE_TARGETS:
        names_ok = not any(f.id == "EXPR-NAME" for f in findings)
        findings += usertype_findings(tree, evaluate=names_ok)
    order = {Severity.BLOCKER: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: (f.line, f.column, order[f.severity], f.id))


def _name_findings(tree: n.Expr) -> Iterator[LintFinding]:
    for problem in Resolver().check(tree):
        yield finding(
            "EXPR-NAME", Severity.BLOCKER, problem.message, problem.pos, problem.hint
        )


def _semantic_findings(
    tree: n.Expr, known_attributes: Collection[str] | None, types: _Types
) -> list[LintFinding]:
    found: list[LintFinding] = []
    for node in n.walk(tree):
        if isinstance(node, n.Attr) and known_attributes is not None:
            found += _attribute(node, known_attributes)
        elif isinstance(node, n.Binary):
            found += _binary(node, types)
        elif isinstance(node, n.Call):
            found += _call(node, types)
        elif isinstance(node, n.Param):
            found += _parameter(node)
        elif isinstance(node, n.Bool | n.Const):
            found += _constant_case(node)
        found += _case_mismatch(node)
    return found


def _case_mismatch(node: n.Expr) -> list[LintFinding]:
    """``LCase([x]) = "Partner"`` can never be true."""
    test = string_test(node)
    if test is None:
        return []
    data, text = test
    fold = folding(data)
    folded = {"LCase": text.value.lower(), "UCase": text.value.upper()}.get(fold or "")
    if folded is None or folded == text.value:
        return []
    return [
        finding(
            "EXPR-CASE-MISMATCH",
            Severity.BLOCKER,
            f"the value passes through {fold} but is compared with "
            f"{unparse(text)}, which has letters in the other case: it never matches",
            text,
            f"write {unparse(n.Str(folded, text.pos))}",
        )
    ]


def _constant_case(node: n.Bool | n.Const) -> list[LintFinding]:
    """``Null`` or ``true`` may work [engine strings], but only one is documented."""
    if node.written in ("", _canonical(node)):
        return []
    return [
        finding(
            "EXPR-CONSTANT-CASE",
            Severity.WARNING,
            f"{node.written} is documented as {_canonical(node)}",
            node,
            f"write {_canonical(node)}",
        )
    ]


def _canonical(node: n.Bool | n.Const) -> str:
    if isinstance(node, n.Bool):
        return "True" if node.value else "False"
    return node.name


def _attribute(node: n.Attr, known: Collection[str]) -> list[LintFinding]:
    if node.name in known:
        return []
    by_fold = {k.lower(): k for k in known}
    real = by_fold.get(node.name.lower())
    if real is not None:
        return [
            finding(
                "EXPR-ATTRIBUTE-CASE",
                Severity.BLOCKER,
                f"attribute [{node.name}] is spelled [{real}]: attribute names are "
                "case-sensitive",
                node,
                f"did you mean [{real}]?",
            )
        ]
    close = catalog.suggest(node.name, list(known))
    return [
        finding(
            "EXPR-ATTRIBUTE-UNKNOWN",
            Severity.WARNING,
            f"attribute [{node.name}] is not in the schema",
            node,
            f"did you mean [{close}]?" if close else None,
        )
    ]


def _binary(node: n.Binary, types: _Types) -> list[LintFinding]:
    found: list[LintFinding] = []
    if node.op == "+" and "str" in (types.of(node.left), types.of(node.right)):
        found.append(
            finding(
                "EXPR-PLUS-STRING",
                Severity.BLOCKER,
                "+ adds numbers; on strings the engine refuses it",
                node,
                "join strings with &",
            )
        )
    if node.op == "/":
        found.append(
            finding(
                "EXPR-DIVIDE",
                Severity.WARNING,
                "the / operator is not in Microsoft's operator list",
                node,
                "verify it on a Connect server before relying on it",
            )
        )
    found += _mixing(node)
    found += _length_mismatch(node)
    return found


def _length_mismatch(node: n.Binary) -> list[LintFinding]:
    """``Right(x, 20) = "@partners.contoso.com"`` (21 characters) never matches."""
    if node.op not in ("=", "<>"):
        return []
    for cut, text in ((node.left, node.right), (node.right, node.left)):
        if not isinstance(text, n.Str) or not isinstance(cut, n.Call):
            continue
        count = _cut_length(cut)
        if count is not None and count >= 0 and count != len(text.value):
            return [
                finding(
                    "EXPR-LENGTH",
                    Severity.BLOCKER,
                    f"{cut.name} takes {count} characters but the text compared "
                    f"with it has {len(text.value)}: "
                    + (
                        "the test never matches"
                        if count < len(text.value)
                        else "only a value that is exactly the text matches"
                    ),
                    cut,
                    f"use Len({unparse(text)}) as the length",
                )
            ]
    return []


def _cut_length(call: n.Call) -> int | None:
    """The constant character count of Left/Right/Mid, when there is one."""
    index = {"Left": 1, "Right": 1, "Mid": 2}.get(call.name)
    if index is None or len(call.args) <= index:
        return None
    count = call.args[index]
    if isinstance(count, n.Num):
        return count.value
    if (
        isinstance(count, n.Call)
        and count.name == "Len"
        and len(count.args) == 1
        and isinstance(count.args[0], n.Str)
    ):
        return len(count.args[0].value)
    return None


_MIXES = (
    ("EXPR-MIXED-LOGIC", n.LOGICAL, n.LOGICAL, "&& and || are mixed"),
    (
        "EXPR-MIXED-ARITHMETIC",
        frozenset("+-"),
        frozenset("*/"),
        "* or / and + or - are mixed",
    ),
    (
        "EXPR-MIXED-ARITHMETIC",
        frozenset("*/"),
        frozenset("+-"),
        "* or / and + or - are mixed",
    ),
    (
        "EXPR-CHAINED-COMPARISON",
        n.COMPARISONS,
        n.COMPARISONS,
        "comparisons are chained",
    ),
)


def _mixing(node: n.Binary) -> list[LintFinding]:
    """Operators whose order Microsoft documents differently from ours."""
    found = []
    for child in (node.left, node.right):
        if not isinstance(child, n.Binary) or child.grouped:
            continue
        for rule, outer, inner, what in _MIXES:
            same = child.op == node.op and rule != "EXPR-CHAINED-COMPARISON"
            if node.op in outer and child.op in inner and not same:
                found.append(
                    finding(
                        rule,
                        Severity.WARNING,
                        f"{what} without parentheses; Microsoft documents one "
                        "precedence level, evaluated left to right",
                        child,
                        "add parentheses to make the order explicit",
                    )
                )
    return found


def _call(node: n.Call, types: _Types) -> list[LintFinding]:
    spec = catalog.function(node.name)
    if spec is None:
        return []
    found = []
    if spec.status is not catalog.Status.DOCUMENTED:
        found.append(
            finding(
                "EXPR-UNDOCUMENTED",
                Severity.INFO,
                f"{node.name} is not in Microsoft's functions reference "
                f"({spec.status})",
                node,
            )
        )
    if node.name == "Mid" and len(node.args) == 2:
        found.append(
            finding(
                "EXPR-MID-ARGUMENTS",
                Severity.WARNING,
                "Mid is documented with 3 arguments (string, start, length)",
                node,
                "add the length, e.g. Mid(x, 2, Len(x))",
            )
        )
    found += _constant_arguments(node)
    found += _argument_types(node, spec, types)
    return found


_NEEDS = {"n": "a number", "s": "a string", "b": "binary data", "d": "a date"}
_WORDS = {
    "str": "a string",
    "num": "a number",
    "bool": "a boolean",
    "dt": "a date",
    "bin": "binary data",
    "ref": "a reference (DN)",
    "mvstr": "multi-valued text",
    "void": "Error()",
}
_CAN_FEED = {
    "n": {"num", "var", "str"},
    "s": {"str", "var", "num", "bool", "dt", "mvstr"},
    "b": {"bin", "var"},
    "d": {"dt", "var", "str"},
    "r": {"ref", "var", "str"},
}


def _argument_types(
    node: n.Call, spec: catalog.FunctionSpec, types: _Types
) -> list[LintFinding]:
    """Arguments whose type is known and cannot be what the function takes."""
    found = []
    for index, arg in enumerate(node.args):
        if index >= len(spec.kinds) and not spec.variadic:
            break
        kind = spec.kind(index)
        problem = _type_problem(kind, types.of(arg), arg, node.name == "CStr")
        if problem is not None:
            severity, message, hint = problem
            where = f"argument {index + 1} of {node.name}"
            found.append(
                finding("EXPR-TYPE", severity, f"{where} {message}", arg, hint)
            )
    if node.name in ("IIF", "Switch"):
        found += _conditions(node, types)
    return found


def _type_problem(
    kind: str, have: str, arg: n.Expr, any_text: bool
) -> tuple[Severity, str, str | None] | None:
    if kind == "e" and isinstance(arg, n.Str):
        return (
            Severity.BLOCKER,
            "is an option name, not a string",
            f"write {arg.value} without quotes",
        )
    if kind == "n" and isinstance(arg, n.Str) and not _integer_text(arg.value):
        return Severity.BLOCKER, f"must be a number, not the string {arg.value!r}", None
    if any_text:
        return None  # CStr takes references, numbers and binary alike (OOB rules)
    if kind in _CAN_FEED and have not in _CAN_FEED[kind]:
        return (
            Severity.BLOCKER,
            f"must be {_NEEDS.get(kind, 'a reference (DN)')}, "
            f"not {_WORDS.get(have, have)}",
            None,
        )
    if kind == "r" and have == "str":
        return (
            Severity.WARNING,
            "is a DN reference; the engine may refuse a string",
            "convert it with CRef(...)",
        )
    return None


def _integer_text(text: str) -> bool:
    return text.strip().lstrip("+-").isdigit()


def _conditions(node: n.Call, types: _Types) -> list[LintFinding]:
    conditions = node.args[:1] if node.name == "IIF" else node.args[0::2]
    return [
        finding(
            "EXPR-TYPE",
            Severity.BLOCKER,
            f"the condition of {node.name} is {_WORDS.get(types.of(c))}, not a boolean",
            c,
            'compare it, e.g. [x] = "value" or IsPresent([x])',
        )
        for c in conditions
        if types.of(c) in ("str", "num", "dt", "bin", "mvstr", "ref")
    ]


def _constant_arguments(node: n.Call) -> list[LintFinding]:
    """Arguments whose constant value always fails at run time."""
    checks = {"InStr": (2, 1), "InStrRev": (2, 1), "Item": (1, 1)}
    if node.name not in checks:
        return []
    index, lowest = checks[node.name]
    if len(node.args) <= index:
        return []
    arg = node.args[index]
    if (
        isinstance(arg, n.Num)
        and arg.value < lowest
        and not (node.name == "InStrRev" and arg.value == -1)
    ):
        return [
            finding(
                "EXPR-INDEX",
                Severity.BLOCKER,
                f"{node.name} counts from 1; {arg.value} always fails",
                arg,
                "positions and indexes start at 1",
            )
        ]
    return []


def _parameter(node: n.Param) -> list[LintFinding]:
    if node.name in catalog.KNOWN_PARAMETERS:
        return []
    close = catalog.suggest(
        node.name.replace(".", ""),
        [p.replace(".", "") for p in catalog.KNOWN_PARAMETERS],
    )
    real = next(
        (p for p in catalog.KNOWN_PARAMETERS if p.replace(".", "") == close), None
    )
    return [
        finding(
            "EXPR-PARAMETER",
            Severity.WARNING,
            f"%{node.name}% is not a built-in parameter",
            node,
            f"did you mean %{real}%?" if real else "make sure the connector defines it",
        )
    ]


def static_type(node: n.Expr) -> str:
    """What a node produces, when it is known without data: str, num, bool, ..."""
    if isinstance(node, n.Str):
        return "str"
    if isinstance(node, n.Num | n.Neg):
        return "num"
    if isinstance(node, n.Bool):
        return "bool"
    if isinstance(node, n.Binary):
        if node.op == "&":
            return "str"
        if node.op in n.COMPARISONS or node.op in n.LOGICAL:
            return "bool"
        return "num"
    if isinstance(node, n.Call):
        spec = catalog.function(node.name)
        return spec.returns if spec else "var"
    return "var"


class _Types:
    """Static types, seeing through attributes whose schema type is known."""

    def __init__(self, attributes: Mapping[str, str]) -> None:
        self.attributes = {k.lower(): v for k, v in attributes.items()}

    def of(self, node: n.Expr) -> str:
        if isinstance(node, n.Attr):
            return self.attributes.get(node.name.lower(), "var")
        return static_type(node)


# attributeSyntax OIDs (MS-ADTS 3.1.1.2.2.2) as the sync engine types them.
_SYNTAX_TYPES = {
    "2.5.5.1": "ref",
    "2.5.5.7": "ref",
    "2.5.5.14": "ref",
    "2.5.5.8": "bool",
    "2.5.5.9": "num",
    "2.5.5.16": "num",
    "2.5.5.10": "bin",
    "2.5.5.17": "bin",
    "2.5.5.3": "str",
    "2.5.5.4": "str",
    "2.5.5.5": "str",
    "2.5.5.12": "str",
}


def schema_types(schema: Schema) -> dict[str, str]:
    """Lower-cased attribute name to expression type, for ``attribute_types``."""
    return {
        key: _SYNTAX_TYPES[a.syntax]
        for key, a in schema.attributes.items()
        if a.syntax in _SYNTAX_TYPES
    }
