"""Compiles a syntax tree once into nested Python closures, then evaluates fast.

Each node becomes a function of one :class:`Env`; constant sub-expressions are
folded at compile time. The preview evaluates the same expression for every
user, so the tree walk and the function lookups happen once, not per user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from generator.expressions import catalog, fn_data, fn_text
from generator.expressions import nodes as n
from generator.expressions.convert import to_mv
from generator.expressions.errors import ExpressionError
from generator.expressions.forms import (
    Attributes,
    Env,
    Fn,
    call_builtin,
    iif_form,
    select_form,
    switch_form,
    where_form,
    with_form,
)
from generator.expressions.operators import OPERATORS, negate, truth
from generator.expressions.registry import REGISTRY
from generator.expressions.resolve import Resolver
from generator.expressions.values import (
    AUTHORITATIVE_NULL_MARK,
    IGNORE_THIS_FLOW_MARK,
    MV,
    Error,
    EvalError,
    Outcome,
    Value,
    outcome,
)
from generator.model import User

assert fn_data and fn_text  # imported for their registrations

_FOLD_ENV = Env({}, {})
_NO_PARAMETERS: Mapping[str, str] = {}
_IMPURE = frozenset({"Now", "Guid", "RandomNum", "RandomStr", "Error"})
_UNSUPPORTED = frozenset(
    name
    for name in catalog.FUNCTIONS
    if name not in REGISTRY
    and name not in {"IIF", "Switch", "Select", "Where", "With", "Now"}
    and name not in n.QUOTED_ATTRIBUTE_FUNCTIONS
)


class Compiled:
    """An expression ready to evaluate against many objects."""

    def __init__(self, tree: n.Expr, root: Fn, text: str | None = None) -> None:
        self.tree = tree
        self.text = text
        self._root = root
        self._cache: dict[str, Outcome] = {}
        self._reads_dn = "dn" in {a.lower() for a in n.attributes_read(tree)}
        # %Domain.FQDN% & co: callers build parameters only when this is true.
        self.reads_parameters = any(type(node) is n.Param for node in n.walk(tree))

    def evaluate(
        self,
        attributes: Attributes,
        parameters: Mapping[str, str] | None = None,
        *,
        now: datetime | None = None,
    ) -> Outcome:
        """The outcome for one object; never raises for bad data."""
        env = Env(attributes, parameters or _NO_PARAMETERS, now)
        try:
            result = self._root(env)
            if type(result) is str:
                return self._text_outcome(result)
            return outcome(result)
        except EvalError as problem:
            return Error(problem.message, problem.raised)
        except (ArithmeticError, ValueError, RecursionError) as problem:
            return Error(f"cannot evaluate: {problem}")

    def evaluate_user(
        self,
        user: User,
        parameters: Mapping[str, str] | None = None,
        *,
        now: datetime | None = None,
    ) -> Outcome:
        """The outcome for a :class:`User`; ``[dn]`` reads the user's DN."""
        attributes = user.attributes
        if self._reads_dn:
            attributes = {**attributes, "dn": (user.dn,)}
        return self.evaluate(attributes, parameters, now=now)

    @property
    def attributes_read(self) -> set[str]:
        """The attribute names the expression reads, as written."""
        return n.attributes_read(self.tree)

    def _text_outcome(self, text: str) -> Outcome:
        found = self._cache.get(text)
        if found is None:
            found = Value((text,))
            if len(self._cache) < 256:
                self._cache[text] = found
        return found


def compile_tree(tree: n.Expr, text: str | None = None) -> Compiled:
    """Compile a tree; unknown names raise :class:`ExpressionError` first."""
    problems = Resolver().check(tree)
    if problems:
        first = problems[0]
        raise ExpressionError(
            first.message,
            line=first.pos.line,
            column=first.pos.column,
            hint=first.hint,
            offset=first.pos.offset,
        )
    return Compiled(tree, Compiler().compile(tree)[0], text)


class Compiler:
    """Turns nodes into closures; returns (closure, is_constant) pairs."""

    def compile(self, node: n.Expr) -> tuple[Fn, bool]:
        if isinstance(node, n.Str | n.Num | n.Bool):
            return _constant(node.value), True
        if isinstance(node, n.Const):
            return _constant(_CONSTANTS[node.name]), True
        if isinstance(node, n.Enum):
            return _constant(node.name), True
        if isinstance(node, n.Attr):
            return _attribute(node.name), False
        if isinstance(node, n.Param):
            return _parameter(node.name), False
        if isinstance(node, n.Var):
            return _variable(node.name), False
        if isinstance(node, n.Neg):
            return self._negation(node)
        if isinstance(node, n.Binary):
            return self._binary(node)
        return self._call(node)

    def _fold(self, fn: Fn, constant: bool) -> tuple[Fn, bool]:
        """Evaluate a constant sub-expression now, unless it fails."""
        if not constant:
            return fn, False
        try:
            value = fn(_FOLD_ENV)
        except EvalError:
            return fn, False
        return _constant(value), True

    def _negation(self, node: n.Neg) -> tuple[Fn, bool]:
        operand, constant = self.compile(node.operand)

        def neg(env: Env) -> object:
            return negate(operand(env))

        return self._fold(neg, constant)

    def _binary(self, node: n.Binary) -> tuple[Fn, bool]:
        left, left_constant = self.compile(node.left)
        right, right_constant = self.compile(node.right)
        constant = left_constant and right_constant
        if node.op in n.LOGICAL:
            return self._fold(_logical(node.op, left, right), constant)
        return self._fold(_operator(node.op, left, right), constant)

    def _call(self, node: n.Call) -> tuple[Fn, bool]:
        special = _SPECIAL.get(node.name)
        if special is not None:
            return special(self, node)
        if node.name in _UNSUPPORTED:
            return _unsupported(node.name), False
        spec = catalog.FUNCTIONS[node.name]
        compiled = [self.compile(arg) for arg in node.args]
        args = [fn for fn, _ in compiled]
        fn = call_builtin(spec, REGISTRY[node.name], args)
        constant = node.name not in _IMPURE and all(c for _, c in compiled)
        return self._fold(fn, constant)

    def _iif(self, node: n.Call) -> tuple[Fn, bool]:
        (cond, cond_constant), then, other = (self.compile(a) for a in node.args)
        if cond_constant:
            chosen = _constant_condition(cond)
            if chosen is not None:
                return then if chosen else other
        return iif_form(cond, then[0], other[0]), False

    def _switch(self, node: n.Call) -> tuple[Fn, bool]:
        compiled = [self.compile(a)[0] for a in node.args]
        return switch_form(compiled[0::2], compiled[1::2]), False

    def _select(self, node: n.Call) -> tuple[Fn, bool]:
        return self._loop(node, select_form)

    def _where(self, node: n.Call) -> tuple[Fn, bool]:
        return self._loop(node, where_form)

    def _with(self, node: n.Call) -> tuple[Fn, bool]:
        return self._loop(node, with_form)

    def _loop(
        self, node: n.Call, build: Callable[[str, Fn, Fn], Fn]
    ) -> tuple[Fn, bool]:
        variable = node.args[0]
        assert isinstance(variable, n.Var)
        source = self.compile(node.args[1])[0]
        body = self.compile(node.args[2])[0]
        return build(variable.name, source, body), False

    def _quoted(self, node: n.Call) -> tuple[Fn, bool]:
        name = node.args[0]
        assert isinstance(name, n.Str)
        read = _attribute(name.value)
        if node.name == "ImportedValue":
            # TODO(#4): the preview has no export history, so the value read
            # now stands in for the value confirmed by the last import.
            return read, False

        def value_count(env: Env) -> int:
            return len(to_mv(read(env)))

        return value_count, False

    def _now(self, node: n.Call) -> tuple[Fn, bool]:
        def now(env: Env) -> datetime:
            return env.now or datetime.now(UTC)

        return now, False


_SPECIAL: dict[str, Callable[[Compiler, n.Call], tuple[Fn, bool]]] = {
    "IIF": Compiler._iif,
    "Switch": Compiler._switch,
    "Select": Compiler._select,
    "Where": Compiler._where,
    "With": Compiler._with,
    "ImportedValue": Compiler._quoted,
    "ValueCount": Compiler._quoted,
    "Now": Compiler._now,
}

_CONSTANTS: dict[str, object] = {
    "NULL": None,
    "AuthoritativeNull": AUTHORITATIVE_NULL_MARK,
    "IgnoreThisFlow": IGNORE_THIS_FLOW_MARK,
    "CRLF": "\r\n",
}


def _constant(value: object) -> Fn:
    def constant(env: Env) -> object:
        return value

    return constant


def _constant_condition(cond: Fn) -> bool | None:
    value = cond(_FOLD_ENV)
    return value if type(value) is bool else None


def _attribute(name: str) -> Fn:
    key = name.lower()
    also_as_written = key != name

    def read(env: Env) -> object:
        found = env.attrs.get(key)
        if found is None and also_as_written:
            found = env.attrs.get(name)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        if isinstance(found, str | bytes):
            return found
        return MV(found)

    return read


def _parameter(name: str) -> Fn:
    def read(env: Env) -> object:
        value = env.params.get(name)
        if value is None:
            raise EvalError(f"parameter %{name}% has no value")
        return value

    return read


def _variable(name: str) -> Fn:
    def read(env: Env) -> object:
        if env.vars is None or name not in env.vars:
            raise EvalError(f"variable ${name} has no value here")
        return env.vars[name]

    return read


def _unsupported(name: str) -> Fn:
    def fail(env: Env) -> object:
        # TODO(#4): certificate and NGC-key functions are not evaluated.
        raise EvalError(f"{name} is not evaluated by the preview")

    return fail


def _operator(symbol: str, left: Fn, right: Fn) -> Fn:
    op = OPERATORS[symbol]
    if symbol == "=":

        def eq(env: Env) -> object:
            a, b = left(env), right(env)
            kind = type(a)
            if kind is type(b) and (kind is str or kind is int or kind is bool):
                return a == b
            return op(a, b)

        return eq
    if symbol == "&":

        def cat(env: Env) -> object:
            a, b = left(env), right(env)
            if type(a) is str and type(b) is str:
                return a + b
            return op(a, b)

        return cat

    def apply(env: Env) -> object:
        return op(left(env), right(env))

    return apply


def _logical(symbol: str, left: Fn, right: Fn) -> Fn:
    if symbol == "&&":

        def both(env: Env) -> bool:
            a = left(env)
            if not (a if type(a) is bool else truth(a, "&&")):
                return False
            b = right(env)
            return b if type(b) is bool else truth(b, "&&")

        return both

    def either(env: Env) -> bool:
        a = left(env)
        if a if type(a) is bool else truth(a, "||"):
            return True
        b = right(env)
        return b if type(b) is bool else truth(b, "||")

    return either
