"""A schema-partition export (ldifde or ldapsearch of ``CN=Schema``) as a Schema.

attributeSchema entries give syntax, single-valuedness, Global Catalog
membership and systemOnly; classSchema entries give the superclass, the
auxiliary and system auxiliary classes and the may/must lists (MS-ADTS
3.1.1.2.3 and 3.1.1.2.4). Also the JSON form of a Schema that snapshots and the
bundled default schema use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.model import Value
from generator.readers.ldif_file import Record, read_records
from generator.schema import AttributeDef, ClassDef, Schema, SchemaOrigin

SCHEMA_JSON_VERSION = 1


def read_schema(path: Path) -> Schema:
    """Read a schema-partition export in LDIF."""
    schema = Schema(origin="file", source=str(path))
    for record in read_records(path):
        _add_record(schema, record)
    if not schema.attributes:
        raise InputError(
            "no attributeSchema entries: not an export of the schema partition "
            "(CN=Schema,CN=Configuration,...)",
            path=path,
        )
    return schema


def _add_record(schema: Schema, record: Record) -> None:
    values = {k.lower(): [_text(v) for v in vs] for k, vs in record.attributes.items()}
    classes = {c.lower() for c in values.get("objectclass", [])}
    name = _one(values, "ldapdisplayname")
    if not name:
        return
    if "attributeschema" in classes:
        schema.add_attribute(_attribute(name, values))
    elif "classschema" in classes:
        schema.add_class(_class(name, values))


def _attribute(name: str, values: Mapping[str, list[str]]) -> AttributeDef:
    return AttributeDef(
        name=name,
        syntax=_one(values, "attributesyntax"),
        single_valued=_flag(values, "issinglevalued"),
        in_partial_attribute_set=_flag(values, "ismemberofpartialattributeset"),
        system_only=_flag(values, "systemonly"),
    )


def _class(name: str, values: Mapping[str, list[str]]) -> ClassDef:
    def both(key: str) -> tuple[str, ...]:
        return (*values.get(key, []), *values.get("system" + key, []))

    return ClassDef(
        name=name,
        superclass=_one(values, "subclassof") or None,
        auxiliary=both("auxiliaryclass"),
        may=both("maycontain"),
        must=both("mustcontain"),
    )


def _text(value: Value) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _one(values: Mapping[str, list[str]], key: str) -> str:
    found = values.get(key, [])
    return found[0] if found else ""


def _flag(values: Mapping[str, list[str]], key: str) -> bool:
    return _one(values, key).upper() == "TRUE"


def schema_to_json(schema: Schema) -> dict[str, Any]:
    """The JSON form used inside snapshots and for the bundled schema."""
    return {
        "schema_version": SCHEMA_JSON_VERSION,
        "origin": schema.origin,
        "source": schema.source,
        "attributes": [
            [
                a.name,
                a.syntax,
                a.single_valued,
                a.in_partial_attribute_set,
                a.system_only,
            ]
            for a in sorted(schema.attributes.values(), key=lambda a: a.name.lower())
        ],
        "classes": [
            {
                "name": c.name,
                "superclass": c.superclass,
                "auxiliary": list(c.auxiliary),
                "may": list(c.may),
                "must": list(c.must),
            }
            for c in sorted(schema.classes.values(), key=lambda c: c.name.lower())
        ],
    }


def schema_from_json(
    data: Mapping[str, Any], origin: SchemaOrigin, source: str
) -> Schema:
    """Rebuild a Schema from :func:`schema_to_json`'s form."""
    schema = Schema(origin=origin, source=source)
    for name, syntax, single, pas, system_only in data["attributes"]:
        schema.add_attribute(AttributeDef(name, syntax, single, pas, system_only))
    for cls in data["classes"]:
        schema.add_class(
            ClassDef(
                cls["name"],
                cls.get("superclass"),
                tuple(cls.get("auxiliary", ())),
                tuple(cls.get("may", ())),
                tuple(cls.get("must", ())),
            )
        )
    return schema
