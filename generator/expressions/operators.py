"""The operators on runtime values: comparison, concatenation, arithmetic, logic.

Every operator broadcasts over a multi-valued operand (``[proxyAddresses] &
"x"`` works per value); two multi-valued operands must have the same length.
Null semantics [inferred, see reference §3]: ``=`` is true only for two
Nulls, ordering comparisons with Null are false, ``&`` reads Null as "",
arithmetic with Null is Null, and ``&&``/``||`` read Null as false.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from generator.expressions.convert import INT64_MAX, INT64_MIN, to_bool, to_date, to_num
from generator.expressions.values import MV, EvalError, Ref, describe

Op = Callable[[object, object], object]


def broadcast(op: Op, left: object, right: object) -> MV:
    """Apply ``op`` per value when either side is multi-valued."""
    if type(left) is MV and type(right) is MV:
        if len(left) != len(right):
            raise EvalError(
                f"multi-valued operands have different lengths "
                f"({len(left)} and {len(right)})"
            )
        return MV(op(a, b) for a, b in zip(left, right, strict=True))
    if type(left) is MV:
        return MV(op(a, right) for a in left)
    return MV(op(left, b) for b in right)  # type: ignore[attr-defined]


def equal(left: object, right: object) -> object:
    if type(left) is MV or type(right) is MV:
        return broadcast(equal, left, right)
    if left is None or right is None:
        return left is None and right is None
    pair = _comparable(left, right)
    if pair is None:
        return False
    return pair[0] == pair[1]


def not_equal(left: object, right: object) -> object:
    if type(left) is MV or type(right) is MV:
        return broadcast(not_equal, left, right)
    return not equal(left, right)


def _comparable(left: object, right: object) -> tuple[object, object] | None:
    """Both sides in one type, or None when they can never be equal."""
    kinds = {type(left), type(right)}
    if len(kinds) == 1:
        if Ref in kinds:
            return str(left).casefold(), str(right).casefold()
        return left, right
    if kinds == {str, Ref}:
        return str(left).casefold(), str(right).casefold()
    try:
        if bool in kinds:
            return to_bool(left), to_bool(right)
        if int in kinds:
            return to_num(left), to_num(right)
        if datetime in kinds:
            return to_date(left), to_date(right)
    except EvalError:
        return None
    return None


def ordering(symbol: str) -> Op:
    """``<``, ``<=``, ``>`` or ``>=``; numbers, strings and dates only."""
    test: Callable[[object, object], bool] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[symbol]

    def compare(left: object, right: object) -> object:
        if type(left) is MV or type(right) is MV:
            return broadcast(compare, left, right)
        if left is None or right is None:
            return False
        return test(*_ordered(symbol, left, right))

    return compare


def _ordered(symbol: str, left: object, right: object) -> tuple[object, object]:
    kinds = {type(left), type(right)}
    if kinds <= {str, Ref}:
        return str(left), str(right)
    if kinds & {int}:
        return to_num(left), to_num(right)
    if kinds & {datetime}:
        return to_date(left), to_date(right)
    raise EvalError(
        f"{symbol} compares numbers, strings and dates, not "
        f"{describe(left)} and {describe(right)}"
    )


def concatenate(left: object, right: object) -> object:
    if type(left) is MV or type(right) is MV:
        return broadcast(concatenate, left, right)
    if type(left) is bytes and type(right) is bytes:
        return left + right
    return _text(left) + _text(right)


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    if type(value) is bool:
        return "True" if value else "False"
    if type(value) in (int, Ref):
        return str(value)
    if type(value) is datetime:
        return value.strftime("%m/%d/%Y %H:%M:%S")
    raise EvalError(f"& joins strings, not {describe(value)}")


def arithmetic(symbol: str) -> Op:
    """``+``, ``-``, ``*`` or ``/`` on 64-bit integers."""

    def apply(left: object, right: object) -> object:
        if type(left) is MV or type(right) is MV:
            return broadcast(apply, left, right)
        if left is None or right is None:
            return None
        return _checked(
            _calculate(symbol, _number(symbol, left), _number(symbol, right))
        )

    return apply


def _number(symbol: str, value: object) -> int:
    try:
        return to_num(value)
    except EvalError as problem:
        if symbol == "+" and type(value) is str:
            raise EvalError(
                f"+ adds numbers, not the string {value!r}; join strings with &"
            ) from None
        raise EvalError(f"{symbol}: {problem.message}") from None


def _calculate(symbol: str, left: int, right: int) -> int:
    if symbol == "+":
        return left + right
    if symbol == "-":
        return left - right
    if symbol == "*":
        return left * right
    if right == 0:
        raise EvalError("division by zero")
    quotient = abs(left) // abs(right)
    return quotient if (left < 0) == (right < 0) else -quotient


def _checked(number: int) -> int:
    if not INT64_MIN <= number <= INT64_MAX:
        raise EvalError(f"the result {number} does not fit in a 64-bit number")
    return number


def negate(value: object) -> object:
    if value is None:
        return None
    if type(value) is MV:
        return MV(negate(v) for v in value)
    return _checked(-to_num(value))


def truth(value: object, symbol: str) -> bool:
    """An operand of ``&&`` or ``||`` as a boolean; Null reads as false."""
    if type(value) is MV:
        raise EvalError(f"{symbol} needs single values, got a multi-valued one")
    try:
        return to_bool(value)
    except EvalError as problem:
        raise EvalError(f"{symbol}: {problem.message}") from None


OPERATORS: dict[str, Op] = {
    "=": equal,
    "<>": not_equal,
    "<": ordering("<"),
    "<=": ordering("<="),
    ">": ordering(">"),
    ">=": ordering(">="),
    "&": concatenate,
    "+": arithmetic("+"),
    "-": arithmetic("-"),
    "*": arithmetic("*"),
    "/": arithmetic("/"),
}
