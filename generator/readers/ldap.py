"""Read a live forest over LDAP: bind, RootDSE, schema partition, paged users.

The only module that imports ldap3. Values are read raw (no ldap3 schema is
loaded, so ldap3 never rejects an attribute it does not know) and decoded with
the forest's own schema. Every ldap3 failure becomes one :class:`DirectoryError`
line here; the bind password never reaches a message, a log line or a traceback.
"""

from __future__ import annotations

import getpass
import importlib.util
import logging
import os
import re
import ssl
import sys
import warnings
import weakref
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from ldap3 import (
    BASE,
    KERBEROS,
    NONE,
    NTLM,
    SASL,
    SIMPLE,
    SUBTREE,
    Connection,
    Server,
    Tls,
)
from ldap3.core.exceptions import LDAPCommunicationError, LDAPException
from ldap3.utils.conv import to_unicode
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from generator.console import err
from generator.errors import DirectoryError, InputError, UsageError
from generator.model import (
    BINARY_ATTRIBUTES,
    IDENTITY_ATTRIBUTES,
    LiveOptions,
    SourceSpec,
    User,
    Value,
    forest_from_dn,
)
from generator.schema import AttributeDef, ClassDef, Schema

logger = logging.getLogger("entra_rulegen.readers.ldap")

PASSWORD_VARIABLE = "ENTRA_RULEGEN_PASSWORD"
USER_FILTER = "(&(objectCategory=person)(objectClass=user))"
# Windows AD refuses larger pages (MaxPageSize in the default query policy).
MAX_PAGE_SIZE = 1000
CONNECT_TIMEOUT = 10
RECEIVE_TIMEOUT = 120
PAGED_RESULTS_OID = "1.2.840.113556.1.4.319"
SEARCH_RESULT_ENTRY = 4  # the protocolOp tag of searchResEntry (RFC 4511 4.5.2)
PORTS = {
    ("ldap", False): 389,
    ("ldaps", False): 636,
    ("ldap", True): 3268,
    ("ldaps", True): 3269,
}
# OctetString, NT security descriptor and SID syntaxes (MS-ADTS 3.1.1.2.2.2).
BINARY_SYNTAXES = frozenset({"2.5.5.10", "2.5.5.15", "2.5.5.17"})
ROOT_DSE_ATTRIBUTES = (
    "defaultNamingContext",
    "rootDomainNamingContext",
    "schemaNamingContext",
    "dnsHostName",
)
ATTRIBUTE_SCHEMA_FIELDS = (
    "lDAPDisplayName",
    "attributeSyntax",
    "isSingleValued",
    "isMemberOfPartialAttributeSet",
    "systemOnly",
)
CLASS_SCHEMA_FIELDS = (
    "lDAPDisplayName",
    "subClassOf",
    "auxiliaryClass",
    "systemAuxiliaryClass",
    "mayContain",
    "systemMayContain",
    "mustContain",
    "systemMustContain",
)
_RANGE = re.compile(r"^(?P<name>[^;]+);range=(?P<low>\d+)-(?P<high>\d+|\*)$", re.I)
# The "data" code in an AD bind failure (MS-ADTS 3.1.1.3.4.1.12 and KB articles).
_BIND_DATA = {
    "525": "no such user",
    "52e": "invalid credentials",
    "530": "logon not permitted at this time",
    "531": "logon not permitted from this workstation",
    "532": "password expired",
    "533": "account disabled",
    "701": "account expired",
    "773": "password must be changed",
    "775": "account locked out",
}

Entry = dict[str, list[bytes]]
Connector = Callable[[], Connection]
Decoder = Callable[[dict[str, Any]], dict[str, Any]]
Scope = Literal["BASE", "LEVEL", "SUBTREE"]
T = TypeVar("T")
Phase = Literal["connect", "StartTLS", "bind", "search"]
PHASE_NAMES: dict[Phase, str] = {
    "connect": "the connection",
    "StartTLS": "StartTLS",
    "bind": "the bind",
    "search": "the search",
}


@dataclass(frozen=True)
class Target:
    """Where a live source points: scheme, host and port."""

    scheme: str
    host: str
    port: int

    @property
    def use_ssl(self) -> bool:
        return self.scheme == "ldaps"

    @property
    def address(self) -> str:
        """``host:port``, with an IPv6 address in brackets as in a URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def open_ldap(spec: SourceSpec, live: LiveOptions) -> LdapSource:
    """A live forest; options are checked now, the DC is contacted on first use."""
    target = parse_target(spec.source, live.gc)
    check_options(target, live)
    warn_about_transport(target, live)
    return LdapSource(spec, target, live, lambda: connect(target, live))


def parse_target(url: str, gc: bool = False) -> Target:
    """``ldaps://dc1.contoso.com[:636]`` -> Target; the GC ports with ``--gc``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in {"ldap", "ldaps"} or not parts.hostname:
        raise UsageError(f"{url!r} is not ldap://HOST[:PORT] or ldaps://HOST[:PORT]")
    if parts.path not in {"", "/"} or parts.query or parts.username:
        raise UsageError(
            f"{url!r}: give only ldap[s]://HOST[:PORT]; the base DN goes in --base-dn"
        )
    try:
        port = parts.port or PORTS[(scheme, gc)]
    except ValueError:
        raise UsageError(f"{url!r}: the port is not a number from 1 to 65535") from None
    return Target(scheme, parts.hostname, port)


def check_options(target: Target, live: LiveOptions) -> None:
    """Options that contradict each other stop the run before any connection."""
    if live.no_tls and target.use_ssl:
        raise UsageError("--no-tls applies to ldap:// only; ldaps:// is always TLS")
    if live.no_tls and (live.ca_file or live.tls_server_name or live.insecure):
        raise UsageError(
            "--no-tls excludes --ca-file, --tls-server-name and --insecure"
        )
    if live.insecure and live.ca_file:
        raise UsageError("--insecure and --ca-file exclude each other")
    if not 1 <= live.page_size <= MAX_PAGE_SIZE:
        raise UsageError(f"--page-size must be from 1 to {MAX_PAGE_SIZE}")
    if live.auth not in {"simple", "ntlm", "kerberos"}:
        raise UsageError(f"--auth {live.auth!r}: use simple, ntlm or kerberos")
    if live.auth != "kerberos" and not live.user:
        raise UsageError(
            f"--user is needed to bind to {target.host} (or use --auth kerberos)"
        )
    if live.auth == "ntlm" and "\\" not in (live.user or ""):
        raise UsageError(f"--auth ntlm needs --user as DOMAIN\\name, not {live.user!r}")
    if live.ca_file and not os.path.isfile(live.ca_file):
        raise InputError("CA file not found", path=live.ca_file)


def warn_about_transport(target: Target, live: LiveOptions) -> None:
    if live.no_tls:
        logger.warning(
            "binding to %s without TLS (--no-tls): the credentials and every "
            "value read cross the network in clear text",
            target.address,
        )
    elif live.insecure:
        logger.warning(
            "not checking %s's certificate (--insecure): anyone in the path can "
            "pose as the DC",
            target.address,
        )


def read_password(user: str | None) -> str:
    """From ENTRA_RULEGEN_PASSWORD, else a hidden prompt on the terminal."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        if not sys.stdin.isatty():
            raise UsageError(
                f"no password for {user!r}: set {PASSWORD_VARIABLE} "
                "(there is no terminal to prompt on)"
            )
        password = getpass.getpass(f"Password for {user}: ", stream=sys.stderr)
    if not password:
        # AD treats a simple bind with an empty password as anonymous: refuse it.
        raise UsageError(f"empty password for {user!r}")
    return password


def connect(target: Target, live: LiveOptions) -> Connection:
    """An open, bound connection, or one DirectoryError line saying why not."""
    login = credentials(target, live)  # may prompt: outside the ldap3 steps
    conn = _step(target, live, "connect", lambda: _connection(target, live, login))
    with warnings.catch_warnings():
        # ldap3 2.9.1 checks the certificate's name with ssl.match_hostname,
        # deprecated since Python 3.7 (from 3.12 on it uses its own copy).
        warnings.filterwarnings("ignore", "ssl.match_hostname", DeprecationWarning)
        # ldap3's Kerberos channel binding parses the DC's certificate, and
        # cryptography warns about odd ones (Samba's has a negative serial).
        warnings.filterwarnings("ignore", "Parsed a serial number", Warning)
        _step(target, live, "connect", conn.open)
        secure = not target.use_ssl and not live.no_tls
        if secure and not _step(target, live, "StartTLS", conn.start_tls):
            raise DirectoryError(
                "StartTLS was refused; use ldaps:// instead", host=target.address
            )
        bound = _step(target, live, "bind", conn.bind)
    # ldap3 keeps the password only to bind again; it must not outlive the bind.
    conn.password = None
    if not bound:
        result = dict(conn.result)
        _quiet_unbind(conn)
        raise bind_error(target, live, result)
    return conn


def _connection(target: Target, live: LiveOptions, login: dict[str, Any]) -> Connection:
    server = Server(
        target.host,
        port=target.port,
        use_ssl=target.use_ssl,
        tls=make_tls(live),
        get_info=NONE,
        connect_timeout=CONNECT_TIMEOUT,
    )
    conn = Connection(
        server,
        raise_exceptions=False,
        auto_referrals=False,
        auto_range=False,
        check_names=False,
        read_only=True,
        receive_timeout=RECEIVE_TIMEOUT,
        return_empty_attributes=False,
        **login,
    )
    strategy = conn.strategy
    strategy.decode_response_fast = raw_entries(strategy.decode_response_fast)
    return conn


def raw_entries(decode: Decoder) -> Decoder:
    """ldap3's decoder, except that search entries keep raw values only.

    For every entry ldap3 builds ``raw_attributes`` and also ``attributes``
    (each value converted to text, with a configuration look-up per value),
    both as case-insensitive dictionaries. The reader reads the raw values
    and lower-cases names itself, so entries become plain dictionaries of
    raw values, at about half the client's CPU time. Every other answer
    (bind, StartTLS, the end of a search) is decoded by ldap3 as before.
    """

    def decoded(message: dict[str, Any]) -> dict[str, Any]:
        if message["protocolOp"] != SEARCH_RESULT_ENTRY:
            return decode(message)
        name, attributes = message["payload"]
        # Each part is (class, constructed, tag, value), as ldap3's BER decoder
        # gives it: an attribute is (type, set of values).
        return {
            "type": "searchResEntry",
            "raw_dn": name[3],
            "dn": _server_text(name[3]),
            "raw_attributes": {
                _server_text(part[3][0][3]): [bytes(v[3]) for v in part[3][1][3]]
                for part in attributes[3]
            },
            "attributes": {},
        }

    return decoded


def _server_text(raw: bytes) -> str:
    """UTF-8, else ldap3's own fallbacks (AD may hold a DN in another code page)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return str(to_unicode(raw, from_server=True))


def _step(target: Target, live: LiveOptions, phase: Phase, call: Callable[[], T]) -> T:
    """Run one ldap3 step; whatever it raises becomes a line naming the phase.

    ldap3 lets its ASN.1 decoder's KeyError or IndexError through when the
    peer is no LDAP server, so anything, not only LDAPException, is caught.
    """
    try:
        return call()
    except DirectoryError:
        raise
    except LDAPException as error:
        raise connect_error(target, live, error, phase) from None
    except Exception as error:
        if type(error).__module__.startswith("gssapi"):
            raise kerberos_error(target, error) from None
        if phase == "connect":  # nothing was read yet: no answer to blame
            kind = type(error).__name__
            raise DirectoryError(
                f"cannot connect ({kind})", host=target.address
            ) from None
        raise not_ldap(target, error) from None


def not_ldap(target: Target, error: BaseException) -> DirectoryError:
    """An answer ldap3 could not decode: the peer speaks another protocol.

    Only the exception's type is logged: its text may quote what was sent.
    """
    logger.debug("undecodable answer: %s", type(error).__name__)
    return DirectoryError("did not answer as an LDAP server", host=target.address)


def make_tls(live: LiveOptions) -> Tls | None:
    """Certificate checks on unless --insecure; --tls-server-name is accepted."""
    if live.no_tls:
        return None
    name = live.tls_server_name or None
    if live.insecure:
        return Tls(validate=ssl.CERT_NONE, sni=name)
    return Tls(
        validate=ssl.CERT_REQUIRED,
        ca_certs_file=live.ca_file,
        valid_names=[name] if name else None,
        sni=name,
    )


def credentials(target: Target, live: LiveOptions) -> dict[str, Any]:
    """The Connection arguments for the chosen bind method."""
    if live.auth == "kerberos":
        # ldap3 needs cryptography for the TLS channel binding it sends.
        wanted = ("gssapi",) if live.no_tls else ("gssapi", "cryptography")
        missing = [p for p in wanted if importlib.util.find_spec(p) is None]
        if missing:
            raise DirectoryError(
                f"--auth kerberos needs {' and '.join(missing)}: "
                "pip install 'entra-rulegen[kerberos]'",
                host=target.address,
            )
        service_host = live.tls_server_name or target.host
        return {
            "authentication": SASL,
            "sasl_mechanism": KERBEROS,
            "sasl_credentials": (service_host,),
        }
    method = NTLM if live.auth == "ntlm" else SIMPLE
    password = read_password(live.user)
    return {"user": live.user, "password": password, "authentication": method}


def connect_error(
    target: Target, live: LiveOptions, error: LDAPException, phase: Phase = "bind"
) -> DirectoryError:
    """A failure to open, secure or bind, named the way an admin can act on."""
    text = str(error)
    kind = type(error).__name__
    if "certificate" in text.lower() or "ssl" in text.lower():
        return DirectoryError(
            f"TLS failed: {tls_reason(text, live)}", host=target.address
        )
    if kind == "LDAPStartTLSError":
        return DirectoryError(
            f"StartTLS failed ({socket_reason(text)}); use ldaps:// instead",
            host=target.address,
        )
    if kind == "LDAPSessionTerminatedByServerError":
        return DirectoryError(closed_during(phase, live), host=target.address)
    if kind == "LDAPInvalidServerError":
        return DirectoryError(
            "cannot connect: ldap3 cannot use this host name or address",
            host=target.address,
        )
    if "invalid server address" in text:
        return DirectoryError(
            "cannot connect: the host name does not resolve", host=target.address
        )
    if isinstance(error, LDAPCommunicationError):
        return DirectoryError(
            f"cannot connect to port {target.port}: {socket_reason(text)}"
            + ("" if phase == "connect" else f" (during {PHASE_NAMES[phase]})"),
            host=target.address,
        )
    return DirectoryError(f"{PHASE_NAMES[phase]} failed: {kind}", host=target.address)


def closed_during(phase: Phase, live: LiveOptions) -> str:
    """The peer hung up without an answer: what that means at each step.

    A DC answers a StartTLS it cannot do with an error result, never by
    closing; only the NTLM ("Sicily") bind is known to be dropped by Samba.
    """
    if phase == "bind" and live.auth == "ntlm":
        return (
            "the DC closed the connection during the bind (a DC that does not "
            "offer this bind method, such as Samba with --auth ntlm)"
        )
    if phase in ("StartTLS", "bind"):
        return "did not answer as an LDAP server (it closed the connection at the " + (
            "StartTLS request, before any bind)" if phase == "StartTLS" else "bind)"
        )
    return f"the server closed the connection during {PHASE_NAMES[phase]}"


def kerberos_error(target: Target, error: Exception) -> DirectoryError:
    """A GSSAPI failure: the Kerberos library's own reason, and the usual fix."""
    found = re.search(r"Minor \(\d+\): (.+)$", str(error))
    reason = (found.group(1) if found else type(error).__name__).strip()
    if "credentials" in reason.lower():
        hint = "; run kinit first"
    elif "not found in kerberos database" in reason.lower():
        hint = (
            "; the DC needs an ldap/HOST service principal, and HOST is the "
            "address used or --tls-server-name"
        )
    else:
        hint = ""
    return DirectoryError(f"Kerberos bind failed: {reason}{hint}", host=target.address)


def tls_reason(text: str, live: LiveOptions) -> str:
    """Why ldap3/OpenSSL rejected the DC's certificate, with the next step."""
    lowered = text.lower()
    if "doesn't match" in lowered:
        named = re.findall(r"'(?:commonName|DNS)', '([^']+)'", text)
        shown = f"names {named[0]!r}" if named else "names another host"
        if live.tls_server_name:
            return (
                f"the certificate {shown}, not {live.tls_server_name!r} "
                "(--tls-server-name)"
            )
        return (
            f"the certificate {shown}, not the address used; connect by that "
            "name or pass --tls-server-name NAME"
        )
    if "certificate verify failed" in lowered:
        detail = re.search(r"certificate verify failed: ([^(']+)", text)
        why = detail.group(1).strip() if detail else "untrusted certificate"
        return f"{why}; pass --ca-file with the CA that issued the DC's certificate"
    detail = re.search(r"\[SSL[^\]]*\][^(')\"]*", text)
    if detail:
        return detail.group(0).strip()
    return f"{socket_reason(text)} during the handshake"


def socket_reason(text: str) -> str:
    found = re.search(r"\[Errno[^\]]*\]\s*([^'\")\]]+)", text)
    if found:
        return found.group(1).strip().lower()
    if "timed out" in text.lower():
        return "timed out"
    return "no answer"


def bind_error(
    target: Target, live: LiveOptions, result: Mapping[str, Any]
) -> DirectoryError:
    """Bind result codes (RFC 4511 4.1.9) as one actionable line."""
    code = result.get("result")
    message = str(result.get("message") or "")
    who = live.user or "the Kerberos ticket's principal"
    if code == 49:
        data = re.search(r"data ([0-9a-f]+)", message)
        why = (
            _BIND_DATA.get(data.group(1), "invalid credentials")
            if data
            else ("invalid credentials")
        )
        return DirectoryError(
            f"cannot bind as {who!r}: {why}; check --user and {PASSWORD_VARIABLE}",
            host=target.address,
        )
    if code == 8:
        return DirectoryError(
            f"the DC requires stronger authentication (LDAP signing) to bind as "
            f"{who!r}: use ldaps:// or StartTLS (drop --no-tls)",
            host=target.address,
        )
    description = result.get("description") or f"result {code}"
    return DirectoryError(f"cannot bind as {who!r}: {description}", host=target.address)


class LdapSource:
    """A live forest as a DirectorySource; the connection opens on first use."""

    def __init__(
        self, spec: SourceSpec, target: Target, live: LiveOptions, connector: Connector
    ) -> None:
        self.spec = spec
        self.target = target
        self.live = live
        self._connector = connector
        self._conn: Connection | None = None
        self._root: dict[str, str] = {}
        self._schema: Schema | None = None
        self.unreadable_attributes: frozenset[str] = frozenset()
        self.missing_attributes: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.spec.source

    @property
    def forest(self) -> str:
        if self.spec.forest:
            return self.spec.forest.lower()
        root = self.root_dse()
        return forest_from_dn(root.get("rootdomainnamingcontext") or self.base_dn)

    @property
    def base_dn(self) -> str:
        """--base-dn, else the domain (or, through the GC, the whole forest)."""
        if self.live.base_dn is not None:
            return self.live.base_dn
        if self.live.gc:
            return ""
        found = self.root_dse().get("defaultnamingcontext")
        if not found:
            raise DirectoryError(
                "the RootDSE has no defaultNamingContext; pass --base-dn",
                host=self.target.address,
            )
        return found

    def connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._connector()
            weakref.finalize(self, _quiet_unbind, self._conn)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            _quiet_unbind(self._conn)
            self._conn = None

    def root_dse(self) -> dict[str, str]:
        if not self._root:
            entries = self.search("", "(objectClass=*)", ROOT_DSE_ATTRIBUTES, BASE)
            first = next(entries, None)
            raw = first[1] if first else {}
            self._root = {k.lower(): _text(v[0]) for k, v in raw.items() if v}
        return self._root

    def schema(self) -> Schema:
        """The forest's schema partition, read once per source."""
        if self._schema is None:
            self._schema = read_schema(self)
        return self._schema

    def users(self, attributes: Collection[str] | None = None) -> Iterator[User]:
        """Stream user objects page by page, with a progress bar on stderr."""
        schema = self.schema()
        wanted = self._plan_attributes(schema, attributes)
        forest = self.forest
        # A GC may return more than its partial attribute set (Samba does);
        # Windows would not, so such values are never passed on.
        hidden = {a.lower() for a in self.unreadable_attributes}
        kinds: dict[str, tuple[str, bool]] = {}
        read = 0
        with progress(self.name) as advance:
            try:
                for dn, raw in self.search(self.base_dn, USER_FILTER, wanted):
                    self._complete_ranges(dn, raw)
                    if hidden:
                        for name in [k for k in raw if k.lower() in hidden]:
                            del raw[name]
                    yield to_user(dn, raw, schema, forest, kinds)
                    read += 1
                    advance()
            except DirectoryError as error:
                raise _incomplete(error, read, self.target) from None

    def _plan_attributes(
        self, schema: Schema, attributes: Collection[str] | None
    ) -> list[str]:
        """Names the schema knows; through the GC only partial-set ones."""
        if attributes is None:
            if self.live.gc:
                self.unreadable_attributes = frozenset(
                    a.name
                    for a in schema.attributes.values()
                    if not a.in_partial_attribute_set and schema.allowed_on(a.name)
                )
                logger.warning(
                    "through the Global Catalog, %d attributes a user may hold are "
                    "outside the partial attribute set and not read",
                    len(self.unreadable_attributes),
                )
            return ["*"]
        known: dict[str, AttributeDef] = {}
        missing: set[str] = set()
        for name in (*IDENTITY_ATTRIBUTES, *attributes):
            found = schema.attribute(name)
            if found is None:
                missing.add(name)
            else:
                known.setdefault(found.name.lower(), found)
        self.missing_attributes = frozenset(missing)
        if missing:
            logger.info(
                "not in the schema, not asked for: %s", ", ".join(sorted(missing))
            )
        if self.live.gc:
            outside = {a.name for a in known.values() if not a.in_partial_attribute_set}
            self.unreadable_attributes = frozenset(outside)
            if outside:
                logger.warning(
                    "not readable through the Global Catalog (outside the partial "
                    "attribute set): %s",
                    ", ".join(sorted(outside)),
                )
            known = {k: a for k, a in known.items() if a.name not in outside}
        return [a.name for a in known.values()]

    def search(
        self,
        base: str,
        search_filter: str,
        attributes: Collection[str],
        scope: Scope = SUBTREE,
    ) -> Iterator[tuple[str, Entry]]:
        """Every entry of a paged search; a failed page is an error, never an end."""
        conn = self.connection()
        cookie: bytes | None = None
        count = 0
        while True:
            try:
                conn.search(
                    base,
                    search_filter,
                    scope,
                    attributes=list(attributes),
                    paged_size=self.live.page_size if scope != BASE else None,
                    paged_cookie=cookie,
                )
            except Exception as error:  # the decoder's own errors too: see _step
                raise search_broken(self.target, error, count) from None
            result = dict(conn.result)
            if result.get("result") != 0:
                raise search_error(self.target, result, base, count)
            page = [
                (str(r["dn"]), dict(r.get("raw_attributes") or {}))
                for r in conn.response or []
                if r.get("type") == "searchResEntry"
            ]
            for entry in page:
                count += 1
                yield entry
            cookie = _cookie(result)
            if not cookie:
                return

    def _complete_ranges(self, dn: str, raw: Entry) -> None:
        """Follow ``member;range=0-1499`` to ``;range=N-*`` (MS-ADTS 3.1.1.3.1.3.3)."""
        for key in [k for k in raw if ";" in k]:  # a range is ``name;range=...``
            ranged = _range_of(key)
            if ranged is None:
                continue
            name, high = ranged
            values = list(raw.pop(key))
            while high != "*":
                ask = [f"{name};range={int(high) + 1}-*"]
                found = next(self.search(dn, "(objectClass=*)", ask, BASE), None)
                more = found[1] if found else {}
                part = next(((k, r) for k in more if (r := _range_of(k))), None)
                if part is None:
                    break
                values.extend(more[part[0]])
                high = part[1][1]
            raw[name] = values


# What search_broken and search_error put first: entries of that one search.
_ENTRIES_READ = re.compile(r"scan incomplete after \d+ entries: ")


def _incomplete(error: DirectoryError, read: int, target: Target) -> DirectoryError:
    """Any failure once users have been read means a partial scan: say so.

    The count is of users, whichever search failed (a user page or a range
    follow-up), so a cut in the user scan reads apart from one in the schema.
    """
    message = str(error).removeprefix(f"{target.address}: ")
    if read == 0 or message.startswith("scan incomplete:"):
        return error
    message = _ENTRIES_READ.sub("", message, count=1)
    return DirectoryError(
        f"scan incomplete after {read} users: {message}", host=target.address
    )


def _range_of(key: str) -> tuple[str, str] | None:
    """``member;range=0-1499`` -> ("member", "1499"); None for a plain name."""
    found = _RANGE.match(key)
    return (found.group("name"), found.group("high")) if found else None


def _cookie(result: Mapping[str, Any]) -> bytes | None:
    control = (result.get("controls") or {}).get(PAGED_RESULTS_OID) or {}
    cookie = (control.get("value") or {}).get("cookie")
    return cookie or None


def search_error(
    target: Target, result: Mapping[str, Any], base: str, count: int
) -> DirectoryError:
    """Search result codes (RFC 4511 4.1.9) as one line, naming what to change."""
    code = result.get("result")
    description = str(result.get("description") or f"result {code}")
    if code == 32 and count == 0:
        return DirectoryError(
            f"base DN {base!r} does not exist (noSuchObject); check --base-dn",
            host=target.address,
        )
    if code in {3, 4, 11}:
        return DirectoryError(
            f"scan incomplete: the DC stopped the search after {count} entries "
            f"({description}: a time or size limit); lower --page-size or ask the "
            "DC's admin about the query policy",
            host=target.address,
        )
    if code == 10:
        referral = ", ".join(result.get("referrals") or []) or "another DC"
        return DirectoryError(
            f"the DC referred the search of {base!r} to {referral}; referrals are "
            "not followed: connect to that DC, or use --gc",
            host=target.address,
        )
    if code == 8:
        return DirectoryError(
            "the DC requires stronger authentication to search: use ldaps://",
            host=target.address,
        )
    prefix = f"scan incomplete after {count} entries: " if count else ""
    return DirectoryError(
        f"{prefix}search of {base!r} failed: {description}", host=target.address
    )


def search_broken(target: Target, error: Exception, count: int) -> DirectoryError:
    """The search stopped without a result code: never a shorter result."""
    kind = type(error).__name__
    if kind == "LDAPSessionTerminatedByServerError":
        why = "the DC closed the connection during the search"
    elif isinstance(error, LDAPCommunicationError):
        why = f"the connection failed during the search ({kind})"
    elif isinstance(error, LDAPException):
        why = f"the search could not go on ({kind})"
    else:
        why = f"the DC's answer could not be decoded ({kind})"
    return DirectoryError(
        f"scan incomplete after {count} entries: {why}", host=target.address
    )


def read_schema(source: LdapSource) -> Schema:
    """attributeSchema and classSchema objects of the schema partition."""
    schema_nc = source.root_dse().get("schemanamingcontext")
    if not schema_nc:
        raise DirectoryError(
            "the RootDSE has no schemaNamingContext", host=source.target.address
        )
    schema = Schema(origin="live", source=source.name)
    search = source.search
    for _, raw in search(
        schema_nc, "(objectClass=attributeSchema)", ATTRIBUTE_SCHEMA_FIELDS
    ):
        values = _texts(raw)
        if values.get("ldapdisplayname"):
            schema.add_attribute(schema_attribute(values))
    for _, raw in search(schema_nc, "(objectClass=classSchema)", CLASS_SCHEMA_FIELDS):
        values = _texts(raw)
        if values.get("ldapdisplayname"):
            schema.add_class(schema_class(values))
    logger.info(
        "read the live schema: %d attributes, %d classes",
        len(schema.attributes),
        len(schema.classes),
    )
    return schema


def schema_attribute(values: Mapping[str, list[str]]) -> AttributeDef:
    def flag(key: str) -> bool:
        return [v.upper() for v in values.get(key, [])] == ["TRUE"]

    return AttributeDef(
        name=values["ldapdisplayname"][0],
        syntax=(values.get("attributesyntax") or [""])[0],
        single_valued=flag("issinglevalued"),
        in_partial_attribute_set=flag("ismemberofpartialattributeset"),
        system_only=flag("systemonly"),
    )


def schema_class(values: Mapping[str, list[str]]) -> ClassDef:
    def both(key: str) -> tuple[str, ...]:
        return (*values.get(key, []), *values.get("system" + key, []))

    return ClassDef(
        name=values["ldapdisplayname"][0],
        superclass=next(iter(values.get("subclassof", [])), None),
        auxiliary=both("auxiliaryclass"),
        may=both("maycontain"),
        must=both("mustcontain"),
    )


def to_user(
    dn: str,
    raw: Entry,
    schema: Schema,
    forest: str,
    kinds: dict[str, tuple[str, bool]] | None = None,
) -> User:
    """Raw values decoded by syntax: octet strings and SIDs stay bytes.

    ``kinds`` remembers, across the users of one read, each name's lower-cased
    key and whether its values are binary, so the schema is asked once a name.
    """
    attributes: dict[str, tuple[Value, ...]] = {}
    known = {} if kinds is None else kinds
    for name, values in raw.items():
        if not values:
            continue
        kind = known.get(name)
        if kind is None:
            kind = known[name] = _kind(name, schema)
        key, binary = kind
        decoded = tuple(values) if binary else _texts_or_bytes(values)
        if key in attributes:
            attributes[key] += decoded
        else:
            attributes[key] = decoded
    return User(dn, attributes, forest)


def _kind(name: str, schema: Schema) -> tuple[str, bool]:
    key = name.lower()
    found = schema.attribute(name)
    binary = key in BINARY_ATTRIBUTES or (
        found is not None and found.syntax in BINARY_SYNTAXES
    )
    return key, binary


def _texts_or_bytes(values: list[bytes]) -> tuple[Value, ...]:
    """Each value as UTF-8 text; a value that is not UTF-8 stays bytes."""
    try:
        return tuple([v.decode("utf-8") for v in values])
    except UnicodeDecodeError:
        return tuple(_decode(v) for v in values)


def _decode(value: bytes) -> Value:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value


def _text(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _texts(raw: Entry) -> dict[str, list[str]]:
    return {k.lower(): [_text(v) for v in vs] for k, vs in raw.items()}


def _quiet_unbind(conn: Connection) -> None:
    with suppress(Exception):  # the socket may already be gone, or never spoke LDAP
        conn.unbind()


@contextmanager
def progress(name: str) -> Iterator[Callable[[], None]]:
    """A transient bar on stderr counting the users read so far."""
    count = 0
    if not err.is_terminal:

        def tick() -> None:
            nonlocal count
            count += 1

        yield tick
        logger.info("read %d users from %s", count, name)
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn(f"reading users from {escape(name)}"),
        TextColumn("{task.completed:,} read"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("users", total=None)
    with bar:
        yield lambda: bar.advance(task)
    logger.info("read %d users from %s", bar.tasks[0].completed, name)
