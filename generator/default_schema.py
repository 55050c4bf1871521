"""The bundled default AD schema, for sources that bring no schema of their own.

ldap3's captured Windows Server 2012 R2 schema, converted once by
``scripts/convert_default_schema.py`` into ``generator/data/default_schema.json``.
It is what a forest looks like without the Exchange schema, so it cannot tell
whether ``extensionAttribute1..15`` exist; every use says so on stderr.
"""

from __future__ import annotations

import copy
import functools
import json

from generator.console import log
from generator.readers.schema_file import schema_from_json
from generator.resources import data_dir
from generator.schema import Schema

DEFAULT_SCHEMA_FILE = "default_schema.json"
DEFAULT_SCHEMA_SOURCE = "bundled AD 2012 R2 schema (ldap3 OFFLINE_AD_2012_R2)"


def load_default_schema(*, warn: bool = True) -> Schema:
    """The bundled schema, with a warning that the forest's own was not checked."""
    if warn:
        warn_default_schema()
    return copy.deepcopy(_parsed())


def warn_default_schema() -> None:
    """Say on stderr that the forest's own schema was not checked."""
    log.warning(
        "no schema given: using the %s; the forest's own schema was not "
        "checked (Exchange's extensionAttribute1..15 are not in it); give "
        "--schema with an export of the schema partition",
        DEFAULT_SCHEMA_SOURCE,
    )


@functools.cache
def _parsed() -> Schema:
    path = data_dir() / DEFAULT_SCHEMA_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    return schema_from_json(data, "bundled", DEFAULT_SCHEMA_SOURCE)
