"""A live source that is not a (working) DC: every failure is one line, by phase.

A throw-away TCP listener on 127.0.0.1 answers with fixed bytes, so ldap3 meets
the real socket behaviour: HTTP text, truncated BER, a hang-up at StartTLS.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import pytest
from conftest import run_cli
from ldap3.core.exceptions import (
    LDAPSessionTerminatedByServerError,
    LDAPSocketReceiveError,
)

from generator.errors import DirectoryError
from generator.model import LiveOptions, SourceSpec
from generator.readers import ldap as reader

SECRET = "Sw0rdfish-Secret!"
HTTP_SHORT = b"HTTP/1.0 400 Bad\r\n\r\n"
HTTP_LONG = b"HTTP/1.0 400 Bad Request\r\nContent-Length: 90\r\n\r\n" + b"x" * 90
BER_TRUNCATED = b"\x30\x03\x02\x01\x01"

Serve = Callable[[bytes], int]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start listeners that read one request, send ``reply`` and hang up."""
    listeners: list[socket.socket] = []

    def start(reply: bytes) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(10)
        listeners.append(listener)

        def answer() -> None:
            with suppress(OSError):
                peer, _ = listener.accept()
                with peer:
                    peer.recv(4096)
                    peer.sendall(reply)

        threading.Thread(target=answer, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for listener in listeners:
        listener.close()


def _failure(port: int, live: LiveOptions, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ENTRA_RULEGEN_PASSWORD", SECRET)
    target = reader.parse_target(f"ldap://127.0.0.1:{port}")
    with pytest.raises(DirectoryError) as caught:
        reader.connect(target, live)
    message = str(caught.value)
    assert "\n" not in message and SECRET not in message
    return message


@pytest.mark.parametrize("reply", [HTTP_LONG, BER_TRUNCATED])
@pytest.mark.parametrize("no_tls", [False, True])
def test_undecodable_answers_are_not_ldap(
    serve: Serve, monkeypatch: pytest.MonkeyPatch, reply: bytes, no_tls: bool
) -> None:
    port = serve(reply)
    message = _failure(port, LiveOptions(user="u", no_tls=no_tls), monkeypatch)
    assert message == f"127.0.0.1:{port}: did not answer as an LDAP server"


def test_hang_up_at_starttls_is_not_called_a_bind(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = serve(HTTP_SHORT)
    message = _failure(port, LiveOptions(user="u"), monkeypatch)
    assert message.startswith(f"127.0.0.1:{port}: did not answer as an LDAP server")
    assert "StartTLS request, before any bind" in message
    assert "during the bind" not in message


def test_hang_up_at_an_ntlm_bind_keeps_the_samba_hint(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = serve(b"")
    live = LiveOptions(user="CONTOSO\\u", auth="ntlm", no_tls=True)
    message = _failure(port, live, monkeypatch)
    assert "closed the connection during the bind" in message
    assert "--auth ntlm" in message


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("connect", "the server closed the connection during the connection"),
        ("StartTLS", "(it closed the connection at the StartTLS request"),
        ("bind", "(it closed the connection at the bind)"),
        ("search", "closed the connection during the search"),
    ],
)
def test_each_phase_is_named(phase: reader.Phase, expected: str) -> None:
    error = LDAPSessionTerminatedByServerError("session terminated by server")
    target = reader.Target("ldap", "dc1", 389)
    message = str(reader.connect_error(target, LiveOptions(user="u"), error, phase))
    assert expected in message


@pytest.mark.parametrize("phase", ["open", "start_tls", "bind"])
def test_any_library_exception_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    # The decoder's exceptions may quote what they choked on: here, the password.
    def explode(*_: Any, **__: Any) -> Any:
        raise KeyError(SECRET)

    class Exploding(reader.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for step in ("open", "start_tls", "bind"):
                setattr(self, step, explode if step == phase else lambda: True)

    monkeypatch.setattr(reader, "Connection", Exploding)
    message = _failure(1, LiveOptions(user="u"), monkeypatch)
    assert message.startswith("127.0.0.1:1: ")


def test_search_answer_that_cannot_be_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def search(self, *_: Any, **__: Any) -> None:
            raise IndexError(SECRET)

    source = reader.LdapSource(
        SourceSpec("ldap://dc1"),
        reader.Target("ldap", "dc1", 389),
        LiveOptions(user="u"),
        Broken,  # type: ignore[arg-type]
    )
    with pytest.raises(DirectoryError) as caught:
        list(source.search("DC=x", "(objectClass=*)", ["cn"]))
    message = str(caught.value)
    assert "could not be decoded (IndexError)" in message and SECRET not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ldap://[::1]:1", "[::1]:1"),
        ("ldaps://dc1.contoso.test", "dc1.contoso.test:636"),
    ],
)
def test_addresses_are_shown_as_in_a_url(url: str, shown: str) -> None:
    assert reader.parse_target(url).address == shown


def test_cli_names_a_non_ldap_listener(serve: Serve) -> None:
    port = serve(HTTP_LONG)
    run = run_cli(
        "inspect", "--source", f"ldap://127.0.0.1:{port}", "--user", "u",
        env={"ENTRA_RULEGEN_PASSWORD": SECRET},
    )  # fmt: skip
    assert run.code == 1
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: 127.0.0.1:{port}: did not answer as an LDAP server"
    ]


def test_an_address_ldap3_refuses_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTRA_RULEGEN_PASSWORD", SECRET)
    target = reader.parse_target("ldap://[fe80::1%25eth0]")
    with pytest.raises(DirectoryError) as caught:
        reader.connect(target, LiveOptions(user="u"))
    assert str(caught.value) == (
        "[fe80::1%25eth0]:389: cannot connect: ldap3 cannot use this host name "
        "or address"
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            LDAPSessionTerminatedByServerError("session terminated by server"),
            "scan incomplete after 3 entries: the DC closed the connection during "
            "the search",
        ),
        (
            LDAPSocketReceiveError("error receiving data: timed out"),
            "scan incomplete after 3 entries: the connection failed during the "
            "search (LDAPSocketReceiveError)",
        ),
    ],
)
def test_search_failures_say_it_was_the_search(error: Exception, expected: str) -> None:
    message = str(reader.search_broken(reader.Target("ldap", "dc1", 389), error, 3))
    assert message == f"dc1:389: {expected}"
