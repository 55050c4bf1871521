"""`entra-rulegen inspect`: inventory the candidate marker attributes of a forest.

For each source: the schema verdict of every candidate attribute, how many
users carry a value, the distinct values and their case/white-space variants,
the UPN suffixes and the OUs. A rich table on stdout, or ``--json``.
"""

from __future__ import annotations

import json
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
from generator.readers import load_schema, open_source

INSPECT_SCHEMA_VERSION = 1
_SHOWN_IN_TABLE = 3  # values per cell; --json carries --top of them


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
        inventories = [
            _inventory(spec, sources, attribute or []) for spec in sources.specs
        ]
        if as_json:
            out.print_json(json.dumps(inspect_document(inventories, top)))
        else:
            for inventory in inventories:
                render(inventory, top)


def _inventory(spec: Any, sources: Sources, extra: list[str]) -> Inventory:
    source = open_source(spec, sources.live)
    schema = load_schema(spec, source, warn=False)
    log.info("reading users from %s", source.name)
    inventory = build_inventory(source.users(), schema, extra)
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
    out.print(_tally_table("UPN suffix", inventory.upn_suffixes.top(top), inventory))
    out.print(_tally_table("OU", inventory.ous.top(top), inventory))


def _headline(inventory: Inventory) -> str:
    return (
        f"{inventory.source}: forest {inventory.forest or '(unknown)'}, "
        f"{inventory.users} users ({inventory.disabled} disabled), "
        f"schema: {inventory.schema_source} ({inventory.schema_origin})"
    )


def _attribute_table(inventory: Inventory) -> Table:
    table = Table(title="Candidate marker attributes", title_justify="left")
    for column in (
        "Attribute",
        "Schema",
        "Users",
        "Distinct",
        "Top values",
        "Variants",
    ):
        table.add_column(
            column, justify="right" if column in {"Users", "Distinct"} else "left"
        )
    for attribute in inventory.attributes:
        table.add_row(
            Text(attribute.name),
            Text(attribute.schema_verdict + _gc(attribute)),
            str(attribute.users_with_value),
            attribute.values.distinct_text() if attribute.users_with_value else "",
            Text(_values_cell(attribute.values.top(_SHOWN_IN_TABLE))),
            Text(_variants_cell(attribute)),
        )
    return table


def _gc(attribute: AttributeInventory) -> str:
    return ", in GC" if attribute.in_global_catalog else ""


def _values_cell(values: list[tuple[str, int]]) -> str:
    return ", ".join(f"{value!r} ({count})" for value, count in values)


def _variants_cell(attribute: AttributeInventory) -> str:
    notes = [" / ".join(repr(v) for v, _ in group) for group in attribute.variants()]
    if attribute.blank_values:
        notes.append(f"{attribute.blank_values} blank")
    if attribute.padded_values:
        notes.append(f"{attribute.padded_values} padded with spaces")
    if attribute.users_with_several_values:
        notes.append(f"{attribute.users_with_several_values} users with several values")
    return "; ".join(notes)


def _tally_table(what: str, rows: list[tuple[str, int]], inventory: Inventory) -> Table:
    table = Table(title=f"{what}s", title_justify="left")
    table.add_column(what)
    table.add_column("Users", justify="right")
    for value, count in rows:
        table.add_row(Text(value), str(count))
    if what == "UPN suffix":
        table.add_row(Text("(no UPN)", style="italic"), str(inventory.without_upn))
    return table
