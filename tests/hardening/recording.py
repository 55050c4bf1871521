"""A recording stand-in for ldap3's Connection, for the read-only and secret tests.

``RecordingConnection`` is ldap3's own Connection with every LDAP operation
it sends written down (``send`` is where ldap3 hands each request to the
strategy), so a test can list what the tool asked of the directory.
``mock_factory`` builds such connections on ldap3's MOCK_SYNC strategy,
filled with the schema and users of ``test_ldap_reader``'s mock directory,
with the RootDSE and StartTLS that the mock cannot do played by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ldap3 import BASE, MOCK_SYNC, Connection
from ldap3.core.exceptions import LDAPSocketReceiveError
from test_ldap_reader import (
    ATTRIBUTES,
    BASE_DN,
    BIND_DN,
    CLASSES,
    SCHEMA_NC,
    mock_user,
    schema_attribute,
    schema_class,
)

from generator.readers.ldap import USER_FILTER

STARTTLS_OID = "1.3.6.1.4.1.1466.20037"


class RecordingConnection(Connection):  # type: ignore[misc]
    """ldap3's Connection that writes down each operation it sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[str] = []
        real_send = self.send

        def send(message_type: str, request: Any, controls: Any = None) -> Any:
            self.sent.append(_describe(message_type, request))
            return real_send(message_type, request, controls)

        self.send = send


def _describe(message_type: str, request: Any) -> str:
    if message_type == "extendedReq":
        try:
            return f"extendedReq {request['requestName']}"
        except (KeyError, TypeError):
            return "extendedReq ?"
    return message_type


def mock_factory(
    sent: list[str], users: int = 60, password: str = "", fail_on_page: int = 0
) -> Callable[..., Connection]:
    """A ``Connection`` replacement: MOCK_SYNC, recorded, holding ``users`` users.

    ``password`` is the bind DN's password for simple binds (the mock accepts
    any NTLM bind); ``fail_on_page`` breaks the connection on that user page.
    """

    def make(server: Any, **kwargs: Any) -> Connection:
        kwargs["client_strategy"] = MOCK_SYNC
        conn = RecordingConnection(server, **kwargs)
        conn.sent = sent
        add = conn.strategy.add_entry
        add(BIND_DN, {"objectClass": ["user"], "userPassword": password})
        for name, (syntax, single, pas) in ATTRIBUTES.items():
            add(f"CN={name},{SCHEMA_NC}", schema_attribute(name, syntax, single, pas))
        for name, (parent, aux, may) in CLASSES.items():
            add(f"CN={name},{SCHEMA_NC}", schema_class(name, parent, aux, may))
        for index in range(users):
            add(*mock_user(index, 0))
        _play_root_dse_and_starttls(conn, sent, fail_on_page)
        return conn

    return make


def _play_root_dse_and_starttls(conn: Connection, sent: list[str], fail: int) -> None:
    """What MOCK_SYNC cannot do: the RootDSE (an empty DN) and StartTLS."""
    search = conn.search
    pages = [0]

    def root_aware_search(
        base: str, search_filter: str, scope: Any = None, **kw: Any
    ) -> bool:
        if base == "" and scope == BASE:
            sent.append("searchRequest")
            raw = {
                "defaultNamingContext": [BASE_DN.encode()],
                "rootDomainNamingContext": [BASE_DN.encode()],
                "schemaNamingContext": [SCHEMA_NC.encode()],
            }
            conn.result = {"result": 0, "description": "success", "dn": ""}
            conn.response = [
                {"type": "searchResEntry", "dn": "", "raw_attributes": raw}
            ]
            return True
        if search_filter == USER_FILTER:
            pages[0] += 1
            if fail and pages[0] == fail:
                raise LDAPSocketReceiveError("connection reset by peer")
        found = bool(search(base, search_filter, scope, **kw))
        for entry in conn.response or []:  # the mock reports absent ones as None
            raw = entry.get("raw_attributes") or {}
            entry["raw_attributes"] = {k: v for k, v in raw.items() if v}
        return found

    def start_tls(read_server_info: bool = True) -> bool:
        sent.append(f"extendedReq {STARTTLS_OID}")
        return True

    conn.search = root_aware_search
    conn.start_tls = start_tls
