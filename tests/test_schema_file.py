"""Schema exports (ldifde/ldapsearch of the schema partition) as a Schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

from generator.errors import InputError
from generator.readers.schema_file import read_schema, schema_from_json, schema_to_json


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.ldf"
    path.write_text(text, encoding="utf-8")
    return path


SMALL = """\
dn: CN=Employee-Type,CN=Schema,CN=Configuration,DC=x,DC=example
changetype: add
objectClass: top
objectClass: attributeSchema
attributeSyntax: 2.5.5.12
isSingleValued: TRUE
lDAPDisplayName: employeeType

dn: CN=Proxy-Addresses,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: attributeSchema
attributeSyntax: 2.5.5.12
isSingleValued: FALSE
isMemberOfPartialAttributeSet: TRUE
lDAPDisplayName: proxyAddresses

dn: CN=ms-Exch-Extension-Attribute-1,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: attributeSchema
attributeSyntax: 2.5.5.12
isSingleValued: TRUE
lDAPDisplayName: extensionAttribute1

dn: CN=Object-Guid,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: attributeSchema
attributeSyntax: 2.5.5.10
isSingleValued: TRUE
systemOnly: TRUE
lDAPDisplayName: objectGUID

dn: CN=Top,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: classSchema
lDAPDisplayName: top
subClassOf: top
systemMayContain: objectGUID

dn: CN=Person,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: classSchema
lDAPDisplayName: person
subClassOf: top

dn: CN=User,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: classSchema
lDAPDisplayName: user
subClassOf: person
systemAuxiliaryClass: mailRecipient
mayContain: employeeType

dn: CN=Mail-Recipient,CN=Schema,CN=Configuration,DC=x,DC=example
objectClass: classSchema
lDAPDisplayName: mailRecipient
subClassOf: top
systemMayContain: proxyAddresses
"""


def test_verdicts_through_superclasses_and_auxiliary_classes(tmp_path: Path) -> None:
    schema = read_schema(write(tmp_path, SMALL))
    assert schema.verdict("employeeType") == "single-valued string on user"
    assert schema.verdict("EMPLOYEETYPE") == "single-valued string on user"
    assert schema.verdict("proxyAddresses") == "multi-valued"  # allowed via aux
    assert schema.allowed_on("proxyAddresses")
    assert schema.allowed_on("objectGUID")  # from top, the root superclass
    # present, but not on any class of user (no Exchange auxiliary class)
    assert schema.verdict("extensionAttribute1") == "not allowed on user"
    assert schema.verdict("extensionAttribute2") == "not in schema"
    guid = schema.attribute("objectGUID")
    assert guid is not None and guid.system_only and not guid.is_string
    proxy = schema.attribute("proxyAddresses")
    assert proxy is not None and proxy.in_partial_attribute_set


def test_schema_json_round_trip(tmp_path: Path) -> None:
    schema = read_schema(write(tmp_path, SMALL))
    again = schema_from_json(schema_to_json(schema), "live", "dc.x.example")
    assert again.attributes == schema.attributes
    assert again.classes == schema.classes


def test_export_without_attribute_schema_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "dn: CN=a,DC=x,DC=example\nobjectClass: user\n")
    with pytest.raises(InputError, match="not an export of the schema partition"):
        read_schema(path)


def test_sample_schema_has_exchange_and_cloud_extensions() -> None:
    schema = read_schema(SAMPLES / "alderbrook-schema.ldf")
    for name in ("extensionAttribute1", "extensionAttribute15"):
        assert schema.verdict(name) == "single-valued string on user"
    for name in ("msDS-cloudExtensionAttribute1", "msDS-cloudExtensionAttribute20"):
        assert schema.verdict(name) == "single-valued string on user"
        found = schema.attribute(name)
        assert found is not None and found.in_partial_attribute_set
    assert schema.classes["user"].auxiliary[0] == "msExchCustomAttributes"
