"""Pratt parser for sync expressions, and the name check that follows it.

Precedence, loosest first: ``||``, ``&&``, comparisons, ``&``, ``+ -``,
``* /``, unary ``-``. Microsoft's page says all operators share one level, but
the out-of-box cloudFiltered rule only type-checks when comparisons bind
tighter than ``||``; the linter asks for parentheses where the two readings
could differ.
"""

from __future__ import annotations

from dataclasses import replace

from generator.expressions import catalog
from generator.expressions import lexer as lx
from generator.expressions.errors import ExpressionError
from generator.expressions.nodes import (
    Attr,
    Binary,
    Bool,
    Call,
    Const,
    Enum,
    Expr,
    Neg,
    Num,
    Param,
    Str,
    Var,
    children,
)
from generator.expressions.resolve import Problem, Resolver

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

BINDING = {
    "||": 10,
    "&&": 20,
    "=": 30,
    "<>": 30,
    "<": 30,
    "<=": 30,
    ">": 30,
    ">=": 30,
    "&": 40,
    "+": 50,
    "-": 50,
    "*": 60,
    "/": 60,
}
UNARY = 70
# Nesting bound: keeps parsing, compiling and evaluating clear of Python's
# recursion limit; the deepest out-of-box rule nests 6 levels.
MAX_DEPTH = 150
_WORD_OPERATORS = {
    "and": "use && for a logical and",
    "or": "use || for a logical or",
    "not": "there is no Not; compare with = False",
    "mod": "there is no Mod operator",
    "xor": "there is no Xor operator",
}


class Parser:
    """Builds the tree from the tokens; raises on the first syntax error."""

    def __init__(self, text: str, source: str | None = None) -> None:
        self.lexer = lx.Lexer(text, source)
        # Tokens are read as the parser needs them, so the first mistake in
        # reading order is the one reported.
        self.tokens: list[lx.Token] = []
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> lx.Token:
        while len(self.tokens) <= self.index:
            self.tokens.append(self.lexer.next_token())
        return self.tokens[self.index]

    def advance(self) -> lx.Token:
        token = self.current
        self.index += 1
        return token

    def error(
        self, message: str, token: lx.Token, hint: str | None = None
    ) -> ExpressionError:
        return self.lexer.error(message, token.pos.offset, hint)

    def parse(self) -> Expr:
        if self.current.kind == lx.END:
            raise self.error("the expression is empty", self.current)
        tree = self.expression(0)
        token = self.current
        if token.kind == lx.RPAREN:
            raise self.error(
                "unbalanced ')': no '(' is open here",
                token,
                "remove it or add the matching '(' earlier",
            )
        if token.kind != lx.END:
            raise self._after_operand(token, "after the end of the expression")
        self._check_depth(tree)
        return tree

    def _check_depth(self, tree: Expr) -> None:
        """Long operator chains nest too; bound the depth of the whole tree."""
        stack = [(tree, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise self.lexer.error(
                    f"the expression nests more than {MAX_DEPTH} levels deep",
                    node.pos.offset,
                    "split it; real rules nest a few levels",
                )
            stack.extend((child, depth + 1) for child in children(node))

    def expression(self, floor: int) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                f"the expression nests more than {MAX_DEPTH} levels deep",
                self.current,
                "split it; real rules nest a few levels",
            )
        try:
            return self._expression(floor)
        finally:
            self.depth -= 1

    def _expression(self, floor: int) -> Expr:
        left = self.prefix()
        while True:
            token = self.current
            power = BINDING.get(str(token.value)) if token.kind == lx.OPERATOR else None
            if power is None or power <= floor:
                return left
            self.advance()
            right = self.expression(power)
            left = Binary(str(token.value), left, right, token.pos)

    def prefix(self) -> Expr:
        token = self.advance()
        kind = token.kind
        if kind == lx.STRING:
            return Str(str(token.value), token.pos)
        if kind in (lx.NUMBER, lx.HEX):
            return self._number(token, negative=False)
        if kind == lx.ATTRIBUTE:
            return Attr(str(token.value), token.pos)
        if kind == lx.PARAMETER:
            return Param(str(token.value), token.pos)
        if kind == lx.VARIABLE:
            return Var(str(token.value), token.pos)
        if kind == lx.NAME:
            return self._name(token)
        if kind == lx.LPAREN:
            return self._group(token)
        if kind == lx.OPERATOR and token.value == "-":
            return self._negative(token)
        raise self._missing_operand(token)

    def _missing_operand(self, token: lx.Token) -> ExpressionError:
        if token.kind == lx.END:
            return self.error(
                "the expression ends where a value is expected",
                token,
                "complete the last operator or argument",
            )
        if token.kind == lx.RPAREN:
            return self.error("a value is missing before ')'", token)
        if token.kind == lx.COMMA:
            return self.error("a value is missing before ','", token)
        return self.error(f"a value is expected, found {token.text!r}", token)

    def _after_operand(self, token: lx.Token, where: str) -> ExpressionError:
        if token.kind == lx.NAME and token.text.lower() in _WORD_OPERATORS:
            return self.error(
                f"{token.text!r} is not an operator",
                token,
                _WORD_OPERATORS[token.text.lower()],
            )
        hint = None
        if token.kind in (lx.STRING, lx.ATTRIBUTE, lx.PARAMETER, lx.NAME, lx.NUMBER):
            hint = "an operator or ',' is missing; join strings with &"
        return self.error(f"unexpected {token.text!r} {where}", token, hint)

    def _number(self, token: lx.Token, *, negative: bool) -> Num:
        value = int(str(token.value))
        if negative:
            value = -value
        if token.kind == lx.NUMBER and not INT64_MIN <= value <= INT64_MAX:
            raise self.error(f"number {token.text} does not fit in 64 bits", token)
        return Num(value, token.pos, token.kind == lx.HEX)

    def _negative(self, token: lx.Token) -> Expr:
        following = self.current
        if following.kind in (lx.NUMBER, lx.HEX) and not following.space_before:
            self.advance()
            number = self._number(following, negative=True)
            return replace(number, pos=token.pos)
        return Neg(self.expression(UNARY), token.pos)

    def _group(self, opener: lx.Token) -> Expr:
        inner = self.expression(0)
        closer = self.current
        if closer.kind != lx.RPAREN:
            raise self._unclosed(opener, closer)
        self.advance()
        if isinstance(inner, Binary | Neg):
            return replace(inner, grouped=True)
        return inner

    def _unclosed(self, opener: lx.Token, found: lx.Token) -> ExpressionError:
        where = f"'(' at line {opener.pos.line}, column {opener.pos.column}"
        if found.kind == lx.END:
            return self.error(f"{where} is never closed", opener, "add the missing ')'")
        return self._after_operand(found, f"inside the {where}")

    def _name(self, token: lx.Token) -> Expr:
        name = str(token.value)
        if self.current.kind == lx.LPAREN:
            return self._call(token)
        canonical = catalog.identifier(name)
        if canonical in catalog.BOOLEANS:
            return Bool(catalog.BOOLEANS[canonical], token.pos, name)
        if canonical in catalog.CONSTANTS:
            return Const(canonical, token.pos, name)
        if canonical is not None:
            return Enum(canonical, token.pos, name)
        raise self._unknown_name(token)

    def _unknown_name(self, token: lx.Token) -> ExpressionError:
        name = token.text
        if name.lower() in _WORD_OPERATORS:
            return self.error(
                f"{name!r} is not an operator", token, _WORD_OPERATORS[name.lower()]
            )
        if catalog.function(name) or catalog.function_casing(name):
            return self.error(
                f"function {name} must be followed by '('", token, f"write {name}(...)"
            )
        known = [*catalog.CONSTANTS, *catalog.BOOLEANS, *catalog.ENUMS]
        close = catalog.suggest(name, known)
        hint = (
            f"did you mean {close}?"
            if close
            else 'write attributes as [name] and text in double quotes "..."'
        )
        return self.error(f"unknown name {name!r}", token, hint)

    def _call(self, name: lx.Token) -> Call:
        opener = self.advance()
        args: list[Expr] = []
        if self.current.kind == lx.RPAREN:
            self.advance()
            return Call(str(name.value), (), name.pos)
        while True:
            args.append(self.expression(0))
            token = self.current
            if token.kind == lx.COMMA:
                self.advance()
                continue
            if token.kind == lx.RPAREN:
                self.advance()
                return Call(str(name.value), tuple(args), name.pos)
            if token.kind == lx.END:
                raise self.error(
                    f"the '(' of {name.value} at line {opener.pos.line}, column "
                    f"{opener.pos.column} is never closed",
                    opener,
                    "add the missing ')'",
                )
            raise self._after_operand(
                token, f"after argument {len(args)} of {name.value}"
            )


def parse_syntax(text: str, source: str | None = None) -> Expr:
    """The tree of ``text``, checking syntax only (names are not resolved)."""
    return Parser(text, source).parse()


def name_problems(tree: Expr) -> list[Problem]:
    """Unknown or mis-cased functions, wrong argument counts, misplaced names."""
    return Resolver().check(tree)


def parse(text: str, *, source: str | None = None) -> Expr:
    """The tree of ``text``; raises :class:`ExpressionError` on the first problem."""
    parser = Parser(text, source)
    tree = parser.parse()
    problems = name_problems(tree)
    if problems:
        first = problems[0]
        raise parser.lexer.error(first.message, first.pos.offset, first.hint)
    return tree
