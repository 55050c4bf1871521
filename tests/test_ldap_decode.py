"""Search entries decoded to raw values only, on the reader's own connection."""

from __future__ import annotations

from typing import Any

from ldap3.utils.asn1 import decode_message_fast

from generator.model import LiveOptions
from generator.readers import ldap as reader


def tlv(tag: int, *parts: bytes) -> bytes:
    """One BER element with a definite length (short or long form)."""
    content = b"".join(parts)
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def entry(dn: bytes, attributes: dict[bytes, list[bytes]]) -> bytes:
    """An LDAPMessage holding a searchResEntry, as a DC sends it."""
    listed = [
        tlv(0x30, tlv(0x04, name), tlv(0x31, *(tlv(0x04, v) for v in values)))
        for name, values in attributes.items()
    ]
    body = tlv(0x64, tlv(0x04, dn), tlv(0x30, *listed))
    return tlv(0x30, tlv(0x02, b"\x07"), body)


def decoded_ber(data: bytes) -> dict[str, Any]:
    """The message as ldap3's own BER decoder hands it to the strategy."""
    found: dict[str, Any] = decode_message_fast(data)  # type: ignore[no-untyped-call]
    return found


def refuse(message: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError("search entries must not reach ldap3's decoder")


def test_entries_become_plain_dictionaries_of_raw_values() -> None:
    guid = bytes(range(0xF0, 0x100))
    message = decoded_ber(
        entry(
            "CN=Zoë,DC=contoso,DC=test".encode(),
            {
                b"userPrincipalName": [b"zoe@contoso.test"],
                b"objectGUID": [guid],
                b"member;range=0-*": [],
                b"description": [b"x" * 300],
            },
        )
    )
    decoded = reader.raw_entries(refuse)(message)
    assert decoded["type"] == "searchResEntry"
    assert decoded["dn"] == "CN=Zoë,DC=contoso,DC=test"
    assert type(decoded["raw_attributes"]) is dict
    assert decoded["raw_attributes"] == {
        "userPrincipalName": [b"zoe@contoso.test"],
        "objectGUID": [guid],
        "member;range=0-*": [],
        "description": [b"x" * 300],
    }
    assert decoded["attributes"] == {}


def test_a_dn_outside_utf8_falls_back_as_ldap3_does() -> None:
    message = decoded_ber(entry(b"CN=J\xf6rg,DC=contoso,DC=test", {}))
    assert reader.raw_entries(refuse)(message)["dn"] == "CN=Jörg,DC=contoso,DC=test"


def test_other_answers_go_to_ldap3s_decoder() -> None:
    done = {"protocolOp": 5, "payload": []}
    assert reader.raw_entries(lambda m: {"type": "seen", **m})(done)["type"] == "seen"


def test_the_reader_connection_decodes_entries_raw() -> None:
    target = reader.parse_target("ldaps://dc1.contoso.test")
    conn = reader._connection(target, LiveOptions(), {})
    message = decoded_ber(entry(b"CN=a,DC=contoso,DC=test", {b"cn": [b"a"]}))
    decoded = conn.strategy.decode_response_fast(message)
    assert type(decoded["raw_attributes"]) is dict
