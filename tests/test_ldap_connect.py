"""Reaching a live DC: addresses, option checks, password, binds and their errors.

The bind tests run ldap3's MOCK_SYNC strategy in place of a network
connection. NTLM cannot be tried against Samba (it does not implement the
Microsoft "Sicily" bind ldap3 uses), so the NTLM tests stand in for a Windows
DC: the hash a Windows DC checks is computed from the protocol's own test
vector, and the bind is checked to go out as NTLM with DOMAIN\\name.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from conftest import run_cli
from ldap3 import MOCK_SYNC, NTLM, SIMPLE, Connection
from ldap3.core.exceptions import (
    LDAPSocketOpenError,
    LDAPStartTLSError,
)
from ldap3.utils.ntlm import NtlmClient

from generator.errors import DirectoryError, InputError, UsageError
from generator.model import LiveOptions, SourceSpec
from generator.readers import ldap as reader

USER_DN = "CN=svc-reader,OU=Service Accounts,DC=contoso,DC=test"
SECRET = "Correct-Horse-9!"


@pytest.mark.parametrize(
    ("url", "gc", "expected"),
    [
        ("ldaps://dc1.contoso.com", False, ("ldaps", "dc1.contoso.com", 636)),
        ("ldap://dc1.contoso.com", False, ("ldap", "dc1.contoso.com", 389)),
        ("LDAP://DC1.contoso.com:1389", False, ("ldap", "dc1.contoso.com", 1389)),
        ("ldap://dc1.contoso.com", True, ("ldap", "dc1.contoso.com", 3268)),
        ("ldaps://dc1.contoso.com", True, ("ldaps", "dc1.contoso.com", 3269)),
        ("ldaps://[::1]:636", False, ("ldaps", "::1", 636)),
    ],
)
def test_targets_and_default_ports(
    url: str, gc: bool, expected: tuple[str, str, int]
) -> None:
    target = reader.parse_target(url, gc)
    assert (target.scheme, target.host, target.port) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://dc1",
        "ldap://",
        "ldap://dc1/DC=contoso,DC=com",
        "ldap://dc1:99999",
        "ldap://admin@dc1",
    ],
)
def test_bad_targets_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        reader.parse_target(url)


@pytest.mark.parametrize(
    ("url", "live", "message"),
    [
        ("ldaps://dc", LiveOptions(user="u", no_tls=True), "ldap:// only"),
        ("ldap://dc", LiveOptions(user="u", no_tls=True, insecure=True), "excludes"),
        ("ldap://dc", LiveOptions(user="u", insecure=True, ca_file="x"), "exclude"),
        ("ldap://dc", LiveOptions(), "--user is needed"),
        ("ldap://dc", LiveOptions(user="svc@contoso.com", auth="ntlm"), "DOMAIN"),
        ("ldap://dc", LiveOptions(user="u", page_size=5000), "--page-size"),
    ],
)
def test_contradicting_options_stop_before_connecting(
    url: str, live: LiveOptions, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        reader.check_options(reader.parse_target(url), live)


def test_missing_ca_file_names_the_file(tmp_path: Any) -> None:
    missing = tmp_path / "ca.pem"
    with pytest.raises(InputError, match="CA file not found") as caught:
        reader.check_options(
            reader.parse_target("ldaps://dc"),
            LiveOptions(user="u", ca_file=str(missing)),
        )
    assert str(missing) in str(caught.value)


def test_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reader.PASSWORD_VARIABLE, SECRET)
    assert reader.read_password("svc") == SECRET


def test_no_password_without_a_terminal_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(reader.PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr(sys, "stdin", _NotATerminal())
    with pytest.raises(UsageError, match=reader.PASSWORD_VARIABLE):
        reader.read_password("svc")


def test_prompt_is_hidden_when_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(reader.PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    asked: list[str] = []

    def fake_getpass(prompt: str, stream: Any = None) -> str:
        asked.append(prompt)
        return SECRET

    monkeypatch.setattr(reader.getpass, "getpass", fake_getpass)
    assert reader.read_password("svc") == SECRET
    assert asked == ["Password for svc: "]


def test_empty_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # AD binds a DN with an empty password anonymously ("unauthenticated bind").
    monkeypatch.setenv(reader.PASSWORD_VARIABLE, "")
    with pytest.raises(UsageError, match="empty password"):
        reader.read_password("svc")


def test_certificate_checks_are_on_by_default() -> None:
    tls = reader.make_tls(LiveOptions(user="u"))
    assert tls is not None and tls.validate == reader.ssl.CERT_REQUIRED
    named = reader.make_tls(LiveOptions(user="u", tls_server_name="dc1.contoso.com"))
    assert named is not None and named.valid_names == ["dc1.contoso.com"]
    assert named.sni == "dc1.contoso.com"
    off = reader.make_tls(LiveOptions(user="u", insecure=True))
    assert off is not None and off.validate == reader.ssl.CERT_NONE
    assert reader.make_tls(LiveOptions(user="u", no_tls=True)) is None


def test_ntlm_hash_needs_md4_which_openssl_3_lacks() -> None:
    # Stands in for a Windows DC checking an NTLM bind: MS-NLMP 4.2.4.1.1 gives
    # NTOWFv2("Password", "User", "Domain"); computing it needs MD4, which
    # ldap3 takes from pycryptodome when OpenSSL 3 has no legacy provider.
    client = NtlmClient("Domain", "User", "Password")
    assert client.ntowf_v2().hex() == "0c868a403bfd7a93a3001ef22ef02e3f"


class _MockConnections:
    """Builds ldap3 Connections on the MOCK_SYNC strategy with one account."""

    def __init__(self, password: str = SECRET) -> None:
        self.password = password
        self.made: list[Connection] = []

    def __call__(self, server: Any, **kwargs: Any) -> Connection:
        conn = Connection(server, client_strategy=MOCK_SYNC, **kwargs)
        conn.strategy.add_entry(
            USER_DN, {"objectClass": ["user"], "userPassword": self.password}
        )
        self.made.append(conn)
        return conn


def _connect(
    monkeypatch: pytest.MonkeyPatch, live: LiveOptions, password: str
) -> tuple[Connection, _MockConnections]:
    monkeypatch.setenv(reader.PASSWORD_VARIABLE, password)
    factory = _MockConnections()
    monkeypatch.setattr(reader, "Connection", factory)
    target = reader.parse_target("ldap://dc1.contoso.test")
    return reader.connect(target, live), factory


def test_simple_bind_forgets_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    live = LiveOptions(user=USER_DN, no_tls=True)
    conn, _ = _connect(monkeypatch, live, SECRET)
    assert conn.bound and conn.authentication == SIMPLE
    assert conn.password is None
    assert SECRET not in repr(conn)


def test_wrong_password_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live = LiveOptions(user=USER_DN, no_tls=True)
    with pytest.raises(DirectoryError) as caught:
        _connect(monkeypatch, live, "Not-The-Secret-42")
    message = str(caught.value)
    assert "invalid credentials" in message and "\n" not in message
    assert "Not-The-Secret-42" not in message
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_ntlm_bind_goes_out_as_domain_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Stands in for a Windows DC accepting NTLM (the mock accepts any NTLM bind).
    live = LiveOptions(user="CONTOSO\\svc-reader", auth="ntlm", no_tls=True)
    conn, _ = _connect(monkeypatch, live, SECRET)
    assert conn.authentication == NTLM and conn.user == "CONTOSO\\svc-reader"
    assert conn.password is None


def test_kerberos_without_gssapi_says_which_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader.importlib.util, "find_spec", lambda name: None)
    target = reader.parse_target("ldaps://dc1.contoso.test")
    with pytest.raises(DirectoryError, match=r"entra-rulegen\[kerberos\]"):
        reader.credentials(target, LiveOptions(auth="kerberos"))


def test_kerberos_names_the_service_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader.importlib.util, "find_spec", lambda name: object())
    target = reader.parse_target("ldaps://10.0.0.5")
    found = reader.credentials(
        target, LiveOptions(auth="kerberos", tls_server_name="dc1.contoso.com")
    )
    assert found["sasl_credentials"] == ("dc1.contoso.com",)
    assert "password" not in found


TARGET = reader.Target("ldaps", "dc1.contoso.com", 636)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            LDAPSocketOpenError(
                "socket connection error while opening: [Errno 111] Connection refused"
            ),
            "dc1.contoso.com:636: cannot connect to port 636: connection refused",
        ),
        (
            LDAPSocketOpenError(
                "socket ssl wrapping error: [SSL: CERTIFICATE_VERIFY_FAILED] "
                "certificate verify failed: self-signed certificate in certificate "
                "chain (_ssl.c:1006)"
            ),
            "TLS failed: self-signed certificate in certificate chain; pass --ca-file",
        ),
        (
            LDAPStartTLSError(
                "wrap socket error: certificate {'subject': ((('commonName', "
                "'DC7.corp.example'),),)} doesn't match any name in ['10.1.1.7']"
            ),
            "the certificate names 'DC7.corp.example', not the address used",
        ),
        (LDAPSocketOpenError("invalid server address"), "host name does not resolve"),
        (
            LDAPSocketOpenError(
                "socket ssl wrapping error: [Errno 104] Connection reset by peer"
            ),
            "TLS failed: connection reset by peer during the handshake",
        ),
        (
            LDAPStartTLSError("startTLS failed - protocolError"),
            "StartTLS failed",
        ),
    ],
)
def test_connection_failures_are_named(error: Exception, expected: str) -> None:
    message = str(reader.connect_error(TARGET, LiveOptions(user="u"), error))  # type: ignore[arg-type]
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            {"result": 49, "message": "80090308: LdapErr: ..., data 775, v4563"},
            "account locked out",
        ),
        (
            {"result": 49, "message": "80090308: LdapErr: ..., data 52e, v4563"},
            "invalid credentials; check --user and ENTRA_RULEGEN_PASSWORD",
        ),
        ({"result": 8, "description": "strongerAuthRequired"}, "use ldaps://"),
        ({"result": 7, "description": "authMethodNotSupported"}, "authMethodNot"),
    ],
)
def test_bind_results_are_named(result: dict[str, Any], expected: str) -> None:
    message = str(reader.bind_error(TARGET, LiveOptions(user="svc"), result))
    assert expected in message and message.startswith("dc1.contoso.com:636: ")


@pytest.mark.parametrize(
    ("result", "count", "expected"),
    [
        ({"result": 32, "description": "noSuchObject"}, 0, "does not exist"),
        ({"result": 3, "description": "timeLimitExceeded"}, 0, "scan incomplete"),
        ({"result": 11, "description": "adminLimitExceeded"}, 5, "after 5 entries"),
        ({"result": 10, "referrals": ["ldap://eu.contoso.com/"]}, 0, "not followed"),
        ({"result": 1, "description": "operationsError"}, 7, "scan incomplete"),
    ],
)
def test_search_results_are_named(
    result: dict[str, Any], count: int, expected: str
) -> None:
    message = str(reader.search_error(TARGET, result, "DC=contoso,DC=com", count))
    assert expected in message


def test_cli_usage_errors_exit_2_without_traceback() -> None:
    run = run_cli(
        "snapshot", "--source", "ldaps://dc1.contoso.test", "--user", "u",
        "--no-tls", "--out", "x.json",
    )  # fmt: skip
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        "entra-rulegen: error: --no-tls applies to ldap:// only; ldaps:// is always TLS"
    ]


def test_snapshot_refuses_a_file_source(tmp_path: Any) -> None:
    run = run_cli(
        "snapshot", "--source", "users.ldf", "--out", str(tmp_path / "s.json")
    )
    assert run.code == 2 and "not ldap[s]://HOST" in run.stderr


def test_open_ldap_does_not_connect_before_it_is_asked() -> None:
    # Options are checked at once; the DC (which does not exist) is not contacted.
    source = reader.open_ldap(
        SourceSpec("ldaps://dc1.invalid"), LiveOptions(user="svc", insecure=True)
    )
    assert source.name == "ldaps://dc1.invalid" and source.target.port == 636


class _NotATerminal:
    def isatty(self) -> bool:
        return False


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Major (458752): No credentials were supplied, or the credentials were "
            "unavailable or inaccessible, Minor (2529639053): No Kerberos credentials "
            "available (default cache: FILE:/tmp/krb5cc_0)",
            "No Kerberos credentials available (default cache: FILE:/tmp/krb5cc_0); "
            "run kinit first",
        ),
        (
            "Major (851968): Unspecified GSS failure.  Minor code may provide more "
            "information, Minor (2529638919): Server not found in Kerberos database",
            "Server not found in Kerberos database; the DC needs an ldap/HOST",
        ),
    ],
)
def test_kerberos_failures_keep_the_library_reason(text: str, expected: str) -> None:
    message = str(reader.kerberos_error(TARGET, RuntimeError(text)))
    assert message.startswith("dc1.contoso.com:636: Kerberos bind failed: ")
    assert expected in message


def test_kerberos_over_tls_also_needs_cryptography(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    present = {"gssapi"}
    monkeypatch.setattr(
        reader.importlib.util,
        "find_spec",
        lambda name: object() if name in present else None,
    )
    target = reader.parse_target("ldaps://dc1.contoso.test")
    with pytest.raises(DirectoryError, match="needs cryptography"):
        reader.credentials(target, LiveOptions(auth="kerberos"))
    plain = reader.credentials(target, LiveOptions(auth="kerberos", no_tls=True))
    assert plain["authentication"] == "SASL"
