"""The closures behind function calls: IIF, Switch, the $variable forms and builtins.

Laziness lives here (IIF evaluates only the branch it takes; Switch every
condition but only the chosen value), as does the per-value mapping of a
builtin over multi-valued input and its Null handling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from generator.expressions import catalog
from generator.expressions.convert import CONVERTERS, PER_VALUE_KINDS, to_bool, to_mv
from generator.expressions.registry import Builtin, Nulls
from generator.expressions.values import MV, EvalError

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
        self.vars: dict[str, object] | None = None
        self.now = now


Fn = Callable[[Env], Any]


def iif_form(cond: Fn, then: Fn, other: Fn) -> Fn:
    """IIF: only the branch taken is evaluated (a Null condition is false)."""

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
        return then(env) if condition(test, "IIF") else other(env)
    picks = [condition(t, "IIF") for t in test]
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


def condition(value: object, function: str) -> bool:
    """A condition as a boolean, with the function named in the error."""
    try:
        return to_bool(value)
    except EvalError as problem:
        raise EvalError(f"{function}: the condition {problem.message}") from None


def switch_form(conditions: list[Fn], values: list[Fn]) -> Fn:
    """Switch: the first true condition's value, else Null."""

    def switch(env: Env) -> object:
        # Documented: every condition is evaluated; only the chosen value is.
        tests = [condition(c(env), "Switch") for c in conditions]
        for test, value in zip(tests, values, strict=True):
            if test:
                return value(env)
        return None

    return switch


def _bound(env: Env, name: str, value: object, body: Fn) -> object:
    if env.vars is None:
        env.vars = {}
    variables = env.vars
    saved = variables.get(name, _UNSET)
    variables[name] = value
    try:
        return body(env)
    finally:
        if saved is _UNSET:
            del variables[name]
        else:
            variables[name] = saved


_UNSET = object()


def select_form(name: str, source: Fn, body: Fn) -> Fn:
    """Select($v, values, body): body evaluated once per value."""

    def select(env: Env) -> MV:
        return MV(_bound(env, name, item, body) for item in to_mv(source(env)))

    return select


def where_form(name: str, source: Fn, body: Fn) -> Fn:
    """Where($v, values, test): the values for which test is true."""

    def where(env: Env) -> MV:
        return MV(
            item
            for item in to_mv(source(env))
            if condition(_bound(env, name, item, body), "Where")
        )

    return where


def with_form(name: str, source: Fn, body: Fn) -> Fn:
    """With($v, value, body): body with $v bound to value."""

    def with_(env: Env) -> object:
        return _bound(env, name, source(env), body)

    return with_


_FAST_TYPES: dict[str, type] = {"s": str, "n": int, "b": bytes, "d": datetime}


def call_builtin(spec: catalog.FunctionSpec, builtin: Builtin, args: list[Fn]) -> Fn:
    """A call of a builtin; one- and two-argument calls get a shortcut."""
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

    propagate = apply.nulls is Nulls.PROPAGATE

    def call(env: Env) -> object:
        value = only(env)
        if type(value) is wanted:
            return fn(value)
        if value is None and propagate:
            return None
        return apply([value])

    return call


def _two(apply: _Applier, args: list[Fn], first: type, second: type) -> Fn:
    """Two per-value arguments (InStr, Left, Right, ...): skip the general path."""
    fn = apply.fn
    left, right = args

    propagate = apply.nulls is Nulls.PROPAGATE

    def call(env: Env) -> object:
        a, b = left(env), right(env)
        if type(a) is first and type(b) is second:
            return fn(a, b)
        if propagate and (a is None or b is None):
            return None
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
