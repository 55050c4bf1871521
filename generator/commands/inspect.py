"""`entra-rulegen inspect`: inventory the candidate marker attributes of a forest.

For each source: the schema verdict of every candidate attribute, how many
users carry a value, the distinct values and their case/white-space variants,
the UPN suffixes and the OUs. Rich tables on stdout, or ``--json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from generator.commands.options import Sources, source_options
from generator.console import log, out
from generator.default_schema import warn_default_schema
from generator.errors import UsageError
from generator.inventory import (
    TOP_VALUES,
    AttributeInventory,
    Inventory,
    build_inventory,
)
from generator.model import DirectorySource, SourceSpec
from generator.readers import (
    NOT_A_COLUMN,
    load_schema,
    open_source,
    unseen_attributes,
)

INSPECT_SCHEMA_VERSION = 1
_SHOWN_IN_TABLE = 3  # values per cell; --json carries --top of them
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def register(app: typer.Typer) -> None:
    @app.command("inspect")
    @source_options
    def command(
        sources: Sources,
        attribute: Annotated[
            list[str] | None,
            typer.Option(help="Another attribute to inventory; repeatable."),
        ] = None,
        top: Annotated[
            int, typer.Option(min=1, help="Distinct values listed per attribute.")
        ] = TOP_VALUES,
        as_json: Annotated[
            bool, typer.Option("--json", help="A JSON document on stdout.")
        ] = False,
    ) -> None:
        """Inventory the candidate marker attributes, UPN suffixes and OUs."""
        if not sources.specs:
            raise UsageError("give at least one --source")
        opened = [(spec, open_source(spec, sources.live)) for spec in sources.specs]
        if len(opened) > 1:
            _distinct_forests(opened)
        inventories = [
            _inventory(spec, source, attribute or []) for spec, source in opened
        ]
        if as_json:
            out.print_json(json.dumps(inspect_document(inventories, top)))
        else:
            for inventory in inventories:
                render(inventory, top)


def _distinct_forests(opened: list[tuple[SourceSpec, DirectorySource]]) -> None:
    """Two sources of one forest are refused, as ``plan`` refuses them: the
    second would be reported as if it were another forest.

    A source whose forest is unknown (no DC= in its DNs, or no users) is left
    to its read, which says what is wrong with it.
    """
    seen: dict[str, str] = {}
    for spec, source in opened:
        name = (spec.forest or source.forest).lower()
        if name and name in seen:
            raise UsageError(
                f"--source {seen[name]} and --source {spec.source} are both "
                f"forest {name!r}; inspect each on its own, or name them apart "
                "with --forest"
            )
        seen.setdefault(name, spec.source)


def _inventory(
    spec: SourceSpec, source: DirectorySource, extra: list[str]
) -> Inventory:
    schema = load_schema(spec, source, warn=False)
    log.info("reading users from %s", source.name)
    inventory = build_inventory(source.users(), schema, extra)
    # Known once the read has started: which attributes it could not see.
    inventory.mark_unreadable(getattr(source, "unreadable_attributes", ()))
    # A CSV export holds its header's columns only: the others are unknown.
    names = [a.name for a in inventory.attributes]
    unseen = unseen_attributes(source, names)
    inventory.mark_unreadable(
        [n for n, why in unseen.items() if why == NOT_A_COLUMN], NOT_A_COLUMN
    )
    inventory.source = source.name
    inventory.forest = source.forest
    log.info("%s: %s read", source.name, _plural(inventory.users, "user"))
    if schema.origin == "bundled":
        warn_default_schema()  # only now: a broken file gets one line on stderr
    return inventory


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def inspect_document(inventories: list[Inventory], top: int) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "schema_version": INSPECT_SCHEMA_VERSION,
        "command": "inspect",
        "sources": [i.to_json(top) for i in inventories],
    }


def render(inventory: Inventory, top: int) -> None:
    """The inventory of one source as rich tables on stdout."""
    out.print(Text(_headline(inventory), style="bold"))
    out.print(_attribute_table(inventory))
    out.print(_tally_table("UPN suffixes", "UPN suffix", inventory, top))
    out.print(_tally_table("OUs", "OU", inventory, top))


def _headline(inventory: Inventory) -> str:
    schema = f"{inventory.schema_source} ({inventory.schema_origin})"
    return (
        f"{inventory.source}: forest {inventory.forest or '(unknown)'}, "
        f"{_plural(inventory.users, 'user')} ({inventory.disabled:,} disabled); "
        f"schema: {schema}"
    )


def _attribute_table(inventory: Inventory) -> Table:
    table = Table(title="Candidate marker attributes", title_justify="left")
    table.add_column("Attribute", no_wrap=True)
    table.add_column("Schema")
    table.add_column("GC")
    table.add_column("Users", justify="right")
    table.add_column("Distinct", justify="right")
    table.add_column("Top values")
    table.add_column("Variants and notes")
    for label, attribute in _collapsed(inventory.attributes):
        table.add_row(
            Text(label),
            Text(attribute.schema_verdict),
            _gc(attribute),
            _users_cell(attribute),
            attribute.values.distinct_text() if attribute.users_with_value else "",
            Text(_values_cell(attribute.values.top(_SHOWN_IN_TABLE))),
            Text(_notes_cell(attribute)),
        )
    return table


def _users_cell(attribute: AttributeInventory) -> Text:
    if attribute.unreadable is not None:
        return Text(attribute.unreadable, style="yellow")
    return Text(f"{attribute.users_with_value:,}")


def _collapsed(
    attributes: list[AttributeInventory],
) -> Iterator[tuple[str, AttributeInventory]]:
    """Runs of unused numbered attributes with the same verdict as one row."""
    run: list[AttributeInventory] = []
    for attribute in [*attributes, None]:
        if attribute is not None and run and _continues(run[-1], attribute):
            run.append(attribute)
            continue
        if run:
            label = (
                run[0].name if len(run) == 1 else f"{run[0].name}..{_number(run[-1])}"
            )
            yield label, run[0]
        run = [] if attribute is None else [attribute]


def _continues(last: AttributeInventory, attribute: AttributeInventory) -> bool:
    before, after = _NUMBERED.match(last.name), _NUMBERED.match(attribute.name)
    return bool(
        before
        and after
        and before.group(1) == after.group(1)
        and int(after.group(2)) == int(before.group(2)) + 1
        and not last.users_with_value
        and not attribute.users_with_value
        and last.schema_verdict == attribute.schema_verdict
        and last.in_global_catalog == attribute.in_global_catalog
        and last.unreadable == attribute.unreadable
    )


def _number(attribute: AttributeInventory) -> str:
    found = _NUMBERED.match(attribute.name)
    return found.group(2) if found else attribute.name


def _gc(attribute: AttributeInventory) -> str:
    if attribute.in_global_catalog is None:
        return ""
    return "yes" if attribute.in_global_catalog else "no"


def _values_cell(values: list[tuple[str, int]]) -> str:
    return ", ".join(f"{value!r} ({count:,})" for value, count in values)


def _notes_cell(attribute: AttributeInventory) -> str:
    variants = [" ~ ".join(repr(v) for v, _ in group) for group in attribute.variants()]
    return "; ".join([*variants, *attribute.notes()])


def _tally_table(title: str, what: str, inventory: Inventory, top: int) -> Table:
    tally = inventory.upn_suffixes if what == "UPN suffix" else inventory.ous
    shown = tally.top(top)
    table = Table(title=title, title_justify="left")
    table.add_column(what)
    table.add_column("Users", justify="right")
    for value, count in shown:
        table.add_row(Text(value), f"{count:,}")
    hidden = sum(tally.counts.values()) - sum(c for _, c in shown) + tally.untracked
    if hidden:
        more = f"({tally.distinct_text()} in all; --top shows more)"
        table.add_row(Text(more, style="italic"), f"{hidden:,}")
    if what == "UPN suffix":
        extra = f"(no UPN; {inventory.mixed_case_upns:,} UPNs in mixed case)"
        table.add_row(Text(extra, style="italic"), f"{inventory.without_upn:,}")
    return table
