"""Compiles a syntax tree once into nested Python closures, then evaluates fast.

Each node becomes a function of one :class:`Env`; constant sub-expressions are
folded at compile time. The preview evaluates the same expression for every
user, so the tree walk and the function lookups happen once, not per user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from generator.expressions import catalog, fn_data, fn_text
from generator.expressions import nodes as n
from generator.expressions.convert import CONVERTERS, PER_VALUE_KINDS, to_bool, to_mv
from generator.expressions.operators import OPERATORS, negate, truth
from generator.expressions.registry import REGISTRY, Builtin, Nulls
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

Attributes = Mapping[str, Sequence[str | bytes]]


class Env:
    """What one evaluation reads: the object's attributes, parameters, variables."""

    __slots__ = ("attrs", "now", "params", "vars")

    def __init__(
        self,
        attrs: Attributes,
        params: Mapping[str, str],
        now: datetime | None = None,
    ) -> None:
        self.attrs = attrs
        self.params = params
        self.vars: dict[str, object] = {}
        self.now = now


Fn = Callable[[Env], Any]
_FOLD_ENV = Env({}, {})
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

    def evaluate(
        self,
        attributes: Attributes,
        parameters: Mapping[str, str] | None = None,
        *,
        now: datetime | None = None,
    ) -> Outcome:
        """The outcome for one object; never raises for bad data."""
        env = Env(attributes, parameters or {}, now)
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
    """Compile a resolved tree (from :func:`generator.expressions.parse`)."""
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
        fn = _generic_call(spec, REGISTRY[node.name], args)
        constant = node.name not in _IMPURE and all(c for _, c in compiled)
        return self._fold(fn, constant)

    def _iif(self, node: n.Call) -> tuple[Fn, bool]:
        (cond, cond_constant), then, other = (self.compile(a) for a in node.args)
        if cond_constant:
            chosen = _constant_condition(cond)
            if chosen is not None:
                return then if chosen else other
        return _iif(cond, then[0], other[0]), False

    def _switch(self, node: n.Call) -> tuple[Fn, bool]:
        compiled = [self.compile(a)[0] for a in node.args]
        return _switch(compiled[0::2], compiled[1::2]), False

    def _select(self, node: n.Call) -> tuple[Fn, bool]:
        return self._loop(node, _select)

    def _where(self, node: n.Call) -> tuple[Fn, bool]:
        return self._loop(node, _where)

    def _with(self, node: n.Call) -> tuple[Fn, bool]:
        return self._loop(node, _with)

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

    def read(env: Env) -> object:
        found = env.attrs.get(key)
        if found is None and key != name:
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


def _iif(cond: Fn, then: Fn, other: Fn) -> Fn:
    def iif(env: Env) -> object:
        test = cond(env)
        if test is True:
            return then(env)
        if test is False or test is None:
            return other(env)
        return _iif_other(test, then, other, env)

    return iif


def _iif_other(test: object, then: Fn, other: Fn, env: Env) -> object:
    """IIF with a multi-valued condition decides per value."""
    if type(test) is not MV:
        return then(env) if _condition(test, "IIF") else other(env)
    picks = [_condition(t, "IIF") for t in test]
    chosen = then(env) if any(picks) else None
    rejected = other(env) if not all(picks) else None
    return MV(
        _nth(chosen if pick else rejected, index, len(picks))
        for index, pick in enumerate(picks)
    )


def _nth(value: object, index: int, length: int) -> object:
    if type(value) is not MV:
        return value
    if len(value) != length:
        raise EvalError(
            f"IIF: the condition has {length} values but a branch has {len(value)}"
        )
    return value[index]


def _condition(value: object, function: str) -> bool:
    try:
        return to_bool(value)
    except EvalError as problem:
        raise EvalError(f"{function}: the condition {problem.message}") from None


def _switch(conditions: list[Fn], values: list[Fn]) -> Fn:
    def switch(env: Env) -> object:
        # Documented: every condition is evaluated; only the chosen value is.
        tests = [_condition(c(env), "Switch") for c in conditions]
        for test, value in zip(tests, values, strict=True):
            if test:
                return value(env)
        return None

    return switch


def _bound(env: Env, name: str, value: object, body: Fn) -> object:
    saved = env.vars.get(name, _UNSET)
    env.vars[name] = value
    try:
        return body(env)
    finally:
        if saved is _UNSET:
            del env.vars[name]
        else:
            env.vars[name] = saved


_UNSET = object()


def _select(name: str, source: Fn, body: Fn) -> Fn:
    def select(env: Env) -> MV:
        return MV(_bound(env, name, item, body) for item in to_mv(source(env)))

    return select


def _where(name: str, source: Fn, body: Fn) -> Fn:
    def where(env: Env) -> MV:
        return MV(
            item
            for item in to_mv(source(env))
            if _condition(_bound(env, name, item, body), "Where")
        )

    return where


def _with(name: str, source: Fn, body: Fn) -> Fn:
    def with_(env: Env) -> object:
        return _bound(env, name, source(env), body)

    return with_


_FAST_TYPES: dict[str, type] = {"s": str, "n": int, "b": bytes, "d": datetime}


def _generic_call(spec: catalog.FunctionSpec, builtin: Builtin, args: list[Fn]) -> Fn:
    kinds = [spec.kind(i) for i in range(len(args))]
    apply = _Applier(spec.name, builtin, kinds)
    fn = builtin.fn
    if len(args) == 1 and kinds[0] in "ve":
        (only,) = args

        def whole(env: Env) -> object:
            return fn(only(env))

        return whole
    wanted = [_FAST_TYPES.get(k) for k in kinds]
    if len(args) == 1 and wanted[0] is not None:
        return _one(apply, args[0], wanted[0])
    if len(args) == 2 and wanted[0] is not None and wanted[1] is not None:
        return _two(apply, args, wanted[0], wanted[1])

    def many(env: Env) -> object:
        return apply([arg(env) for arg in args])

    return many


def _one(apply: _Applier, only: Fn, wanted: type) -> Fn:
    """One per-value argument (LCase, Trim, ...): skip the general path."""
    fn = apply.fn

    def call(env: Env) -> object:
        value = only(env)
        if type(value) is wanted:
            return fn(value)
        return apply([value])

    return call


def _two(apply: _Applier, args: list[Fn], first: type, second: type) -> Fn:
    """Two per-value arguments (InStr, Left, Right, ...): skip the general path."""
    fn = apply.fn
    left, right = args

    def call(env: Env) -> object:
        a, b = left(env), right(env)
        if type(a) is first and type(b) is second:
            return fn(a, b)
        return apply([a, b])

    return call


class _Applier:
    """Calls one builtin: per-value mapping, Null handling, conversions."""

    def __init__(self, name: str, builtin: Builtin, kinds: list[str]) -> None:
        self.name = name
        self.fn = builtin.fn
        self.nulls = builtin.nulls
        self.converters = [CONVERTERS[k] for k in kinds]
        self.mapped = [i for i, k in enumerate(kinds) if k in PER_VALUE_KINDS]

    def __call__(self, values: list[object]) -> object:
        lengths = {len(values[i]) for i in self.mapped if type(values[i]) is MV}  # type: ignore[arg-type]
        if not lengths:
            return self.scalar(values)
        if len(lengths) > 1:
            raise EvalError(f"{self.name}: multi-valued arguments differ in length")
        rows = []
        for index in range(lengths.pop()):
            row = list(values)
            for i in self.mapped:
                if type(values[i]) is MV:
                    row[i] = values[i][index]  # type: ignore[index]
            rows.append(self.scalar(row))
        return MV(rows)

    def scalar(self, values: list[object]) -> object:
        if self.nulls is not Nulls.PASS:
            for i in self.mapped:
                if values[i] is None:
                    if self.nulls is Nulls.EMPTY and i == 0:
                        values[0] = ""
                    else:
                        return None
        converted: list[object] = []
        for index, (value, convert) in enumerate(
            zip(values, self.converters, strict=True)
        ):
            if value is None and self.nulls is Nulls.PASS:
                converted.append(None)
                continue
            try:
                converted.append(convert(value))
            except EvalError as problem:
                raise EvalError(
                    f"{self.name}: argument {index + 1}: {problem.message}"
                ) from None
        return self.fn(*converted)
