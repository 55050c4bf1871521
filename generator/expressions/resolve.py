"""The name check after parsing: functions, argument counts, options, variables.

The engine refuses an unknown function ("Function X ... undefined") when the
rule is compiled; the Synchronization Rules Editor only warns. We refuse it,
with the nearest real name, because a typo here silently stops a flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.expressions import catalog
from generator.expressions.nodes import Call, Enum, Expr, Pos, Str, Var, children


@dataclass(frozen=True, slots=True)
class Problem:
    """A name or arity problem found after parsing."""

    message: str
    pos: Pos
    hint: str | None = None


class Resolver:
    """Collects every :class:`Problem` of a tree, in reading order."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def check(self, tree: Expr) -> list[Problem]:
        self._visit(tree, frozenset(), None)
        self.problems.sort(key=lambda p: p.pos.offset)
        return self.problems

    def _report(self, message: str, pos: Pos, hint: str | None = None) -> None:
        self.problems.append(Problem(message, pos, hint))

    def _visit(
        self, node: Expr, scope: frozenset[str], slot: tuple[str, int] | None
    ) -> None:
        if isinstance(node, Call):
            self._call(node, scope)
            return
        if isinstance(node, Var) and node.name not in scope:
            self._report(
                f"variable ${node.name} is not declared here",
                node.pos,
                "variables exist only inside Select, Where and With",
            )
        elif isinstance(node, Enum):
            self._enum(node, slot)
        for child in children(node):
            self._visit(child, scope, None)

    def _enum(self, node: Enum, slot: tuple[str, int] | None) -> None:
        places = catalog.ENUMS[node.name]
        if slot not in places:
            users = ", ".join(sorted({name for name, _ in places}))
            self._report(
                f"{node.name} is an option of {users} only",
                node.pos,
                "remove it or quote it",
            )
        elif node.written != node.name:
            self._report(
                f"option {node.written} must be spelled {node.name}",
                node.pos,
                f"did you mean {node.name}?",
            )

    def _call(self, node: Call, scope: frozenset[str]) -> None:
        spec = catalog.function(node.name)
        if spec is None:
            self._unknown_function(node)
            for arg in node.args:
                self._visit(arg, scope, None)
            return
        self._arity(node, spec)
        inner = self._declared(node, spec, scope)
        for index, arg in enumerate(node.args):
            kind = spec.kind(index) if index < len(spec.kinds) or spec.variadic else "v"
            self._argument(node, index, arg, kind, inner if index == 2 else scope)

    def _argument(
        self, node: Call, index: int, arg: Expr, kind: str, scope: frozenset[str]
    ) -> None:
        if kind == "$":
            if not isinstance(arg, Var):
                self._report(
                    f"argument 1 of {node.name} must be a variable such as $item",
                    _pos(arg),
                )
            return
        if kind == "q" and not isinstance(arg, Str):
            self._report(
                f"{node.name} takes an attribute name in double quotes",
                _pos(arg),
                f'write {node.name}("attributeName")',
            )
        self._visit(arg, scope, (node.name, index))

    def _declared(
        self, node: Call, spec: catalog.FunctionSpec, scope: frozenset[str]
    ) -> frozenset[str]:
        if not spec.kinds.startswith("$") or not node.args:
            return scope
        first = node.args[0]
        if not isinstance(first, Var):
            return scope
        if first.name in scope:
            self._report(f"variable ${first.name} is already declared", first.pos)
        return scope | {first.name}

    def _arity(self, node: Call, spec: catalog.FunctionSpec) -> None:
        count = len(node.args)
        if spec.variadic:
            if count < spec.required or count % 2:
                self._report(
                    f"{node.name} takes pairs of condition and value, got {count} "
                    "arguments",
                    node.pos,
                    "every condition needs a value; use True, value for a default",
                )
            return
        most = spec.most or 0
        if spec.required <= count <= most:
            return
        wanted = str(most) if spec.required == most else f"{spec.required} to {most}"
        self._report(
            f"{node.name} takes {wanted} argument{'s' if most != 1 else ''}, "
            f"got {count}",
            node.pos,
        )

    def _unknown_function(self, node: Call) -> None:
        real = catalog.function_casing(node.name)
        if real is not None:
            self._report(
                f"unknown function {node.name}: function names are case-sensitive",
                node.pos,
                f"did you mean {real}?",
            )
            return
        hint = catalog.FOREIGN_FUNCTIONS.get(node.name)
        if hint is None:
            close = catalog.suggest(node.name)
            hint = f"did you mean {close}?" if close else None
        self._report(f"unknown function {node.name}", node.pos, hint)


def _pos(node: Expr) -> Pos:
    return node.pos
