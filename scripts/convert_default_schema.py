"""Convert ldap3's offline AD 2012 R2 schema into generator/data/default_schema.json.

Run once, by hand, when the bundled schema should change; at run time the tool
reads only the JSON, so only the live reader imports ldap3. The subschema that
ldap3 captured carries LDAP syntaxes, not AD's attributeSyntax, and no Global
Catalog flags; ``--pas-from`` takes a schema-partition export of the same
schema version (for example a Samba 4.17 DC's, which provisions 2012 R2) for
isMemberOfPartialAttributeSet and systemOnly.

    .venv/bin/python scripts/convert_default_schema.py \
        --pas-from ../shared/real-inputs/ad-exports/ldapsearch-samba-schema.ldif
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ldap3.protocol.schemas import ad2012R2  # noqa: TID251 - build-time only

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.readers.schema_file import read_schema, schema_to_json  # noqa: E402
from generator.schema import AttributeDef, ClassDef, Schema  # noqa: E402

OUTPUT = ROOT / "generator" / "data" / "default_schema.json"

# LDAP syntax OID (RFC 4517, MS-ADTS 3.1.1.2.2.2) -> AD attributeSyntax.
LDAP_TO_AD_SYNTAX = {
    "1.3.6.1.4.1.1466.115.121.1.15": "2.5.5.12",  # Directory String
    "1.3.6.1.4.1.1466.115.121.1.26": "2.5.5.5",  # IA5 String
    "1.3.6.1.4.1.1466.115.121.1.44": "2.5.5.5",  # Printable String
    "1.2.840.113556.1.4.905": "2.5.5.4",  # case-ignore (teletex) string
    "1.2.840.113556.1.4.1362": "2.5.5.3",  # case-exact string
    "1.3.6.1.4.1.1466.115.121.1.36": "2.5.5.6",  # Numeric String
    "1.3.6.1.4.1.1466.115.121.1.27": "2.5.5.9",  # Integer
    "1.2.840.113556.1.4.906": "2.5.5.16",  # Large Integer
    "1.3.6.1.4.1.1466.115.121.1.7": "2.5.5.8",  # Boolean
    "1.3.6.1.4.1.1466.115.121.1.40": "2.5.5.10",  # Octet String
    "1.3.6.1.4.1.1466.115.121.1.5": "2.5.5.10",  # Binary (replica link)
    "1.3.6.1.4.1.1466.115.121.1.12": "2.5.5.1",  # DN
    "1.3.6.1.4.1.1466.115.121.1.38": "2.5.5.2",  # OID
    "1.3.6.1.4.1.1466.115.121.1.24": "2.5.5.11",  # Generalized Time
    "1.3.6.1.4.1.1466.115.121.1.53": "2.5.5.11",  # UTC Time
    "1.2.840.113556.1.4.907": "2.5.5.15",  # NT Security Descriptor
    "1.2.840.113556.1.4.903": "2.5.5.7",  # DN-Binary
    "1.2.840.113556.1.4.904": "2.5.5.14",  # DN-String
    "1.3.6.1.4.1.1466.115.121.1.43": "2.5.5.13",  # Presentation Address
    "1.2.840.113556.1.4.1221": "2.5.5.5",  # IA5 (case-insensitive)
}

_NAME = re.compile(r"NAME '([^']+)'")
_SYNTAX = re.compile(r"SYNTAX '([^']+)'")
_SUP = re.compile(r"\bSUP (\S+)")


def _list(definition: str, keyword: str) -> tuple[str, ...]:
    found = re.search(rf"\b{keyword}\s*(\([^)]*\)|[^\s()]+)", definition)
    if not found:
        return ()
    return tuple(n for n in re.split(r"[\s$()]+", found.group(1)) if n)


def _name(definition: str) -> str:
    found = _NAME.search(definition)
    if not found:
        raise SystemExit(f"no NAME in {definition[:80]}")
    return found.group(1)


def convert(pas_from: Path | None) -> Schema:
    raw = json.loads(ad2012R2.ad_2012_r2_schema)["raw"]
    schema = Schema(origin="bundled", source="ldap3 OFFLINE_AD_2012_R2")
    reference = read_schema(pas_from) if pas_from else None
    for definition in raw["attributeTypes"]:
        schema.add_attribute(_attribute(definition, reference))
    rules = {_name(d).lower(): d for d in raw["dITContentRules"]}
    for definition in raw["objectClasses"]:
        schema.add_class(_class(definition, rules.get(_name(definition).lower(), "")))
    return schema


def _attribute(definition: str, reference: Schema | None) -> AttributeDef:
    name = _name(definition)
    syntax_match = _SYNTAX.search(definition)
    ldap_syntax = syntax_match.group(1) if syntax_match else ""
    known = reference.attribute(name) if reference else None
    return AttributeDef(
        name=name,
        syntax=known.syntax
        if known
        else LDAP_TO_AD_SYNTAX.get(ldap_syntax, ldap_syntax),
        single_valued="SINGLE-VALUE" in definition,
        in_partial_attribute_set=bool(known and known.in_partial_attribute_set),
        system_only=bool(known and known.system_only),
    )


def _class(definition: str, rule: str) -> ClassDef:
    sup = _SUP.search(definition)
    name = _name(definition)
    return ClassDef(
        name=name,
        superclass=sup.group(1) if sup and sup.group(1) != name else None,
        auxiliary=_list(rule, "AUX"),
        may=_list(definition, "MAY"),
        must=_list(definition, "MUST"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pas-from", type=Path, help="schema-partition LDIF export")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    schema = convert(args.pas_from)
    text = json.dumps(schema_to_json(schema), indent=0, ensure_ascii=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    counts = f"{len(schema.attributes)} attributes, {len(schema.classes)} classes"
    print(f"{args.out}: {counts}")


if __name__ == "__main__":
    main()
