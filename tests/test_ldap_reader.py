"""The live LDAP reader against ldap3's MOCK_SYNC, dressed up as Windows AD.

Samba's AD DC (tests/integration) is more lenient than Windows Server in ways
that hide client bugs: it does not cap unpaged searches at 1,000 entries, never
ranges large multi-valued attributes on its own, and returns every attribute
through the Global Catalog. :class:`WindowsDC` wraps the mock and adds those
Windows behaviours back; each test names the one it stands in for.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from ldap3 import BASE, MOCK_SYNC, NONE, Connection, Server
from ldap3.core.exceptions import LDAPSocketReceiveError
from rich.console import Console

from generator.errors import DirectoryError
from generator.model import LiveOptions, SourceSpec
from generator.readers import ldap as reader
from generator.readers.snapshot import SnapshotSource

BASE_DN = "DC=contoso,DC=test"
SCHEMA_NC = f"CN=Schema,CN=Configuration,{BASE_DN}"
BIND_DN = f"CN=svc-reader,OU=Service Accounts,{BASE_DN}"
PASSWORD = "Mock-Reader-Pw-1"
# Windows Server defaults in CN=Default Query Policy (MaxPageSize, MaxValRange).
MAX_PAGE_SIZE = 1000
MAX_VAL_RANGE = 1500

# name: (attributeSyntax, single-valued, in the partial attribute set)
ATTRIBUTES = {
    "objectClass": ("2.5.5.2", False, True),
    "objectGUID": ("2.5.5.10", True, True),
    "sAMAccountName": ("2.5.5.12", True, True),
    "userPrincipalName": ("2.5.5.12", True, True),
    "displayName": ("2.5.5.12", True, True),
    "userAccountControl": ("2.5.5.9", True, True),
    "isCriticalSystemObject": ("2.5.5.8", True, False),
    "adminDescription": ("2.5.5.12", True, False),
    "employeeType": ("2.5.5.12", True, False),
    "extensionAttribute5": ("2.5.5.12", True, True),
    "mS-DS-ConsistencyGuid": ("2.5.5.10", True, False),
    "memberOf": ("2.5.5.1", False, True),
    "msDS-cloudExtensionAttribute1": ("2.5.5.12", True, True),
}
CLASSES = {
    "top": ("top", [], ["objectClass", "adminDescription", "memberOf"]),
    "person": ("top", [], ["displayName"]),
    "organizationalPerson": ("person", [], []),
    "user": (
        "organizationalPerson",
        ["msDS-CloudExtensions"],
        [
            "sAMAccountName",
            "userPrincipalName",
            "employeeType",
            "mS-DS-ConsistencyGuid",
        ],
    ),
    "msDS-CloudExtensions": ("top", [], ["msDS-cloudExtensionAttribute1"]),
}


class WindowsDC:
    """MOCK_SYNC plus the Windows AD behaviours Samba and the mock lack.

    Stands in for: the MaxPageSize cap (an unpaged search stops at 1,000 entries
    with sizeLimitExceeded; pages never exceed 1,000), MaxValRange ranging
    (``memberOf;range=0-1499``), the GC's partial attribute set, and a search
    that fails on user page ``fail_on_user_page`` (an LDAP result code, or a
    lost connection).
    """

    def __init__(
        self,
        mock: Connection,
        *,
        gc: bool = False,
        fail_on_user_page: int = 0,
        fail_with: int | type[Exception] = 51,
    ) -> None:
        self.mock = mock
        self.gc = gc
        self.fail_on_user_page = fail_on_user_page
        self.fail_with = fail_with
        self.searches: list[dict[str, Any]] = []
        self.result: dict[str, Any] = {}
        self.response: list[dict[str, Any]] = []
        self.user_pages = 0
        self.unbound = False
        self.fail_ranges = False

    def search(self, base: str, search_filter: str, scope: str, **kwargs: Any) -> bool:
        self.searches.append({"base": base, "filter": search_filter, **kwargs})
        if base == "" and scope == BASE:
            return self._root_dse()
        ranged = [a for a in kwargs.get("attributes") or [] if ";range=" in a]
        if ranged:
            return self._range(base, ranged[0])
        # A GC searches the whole forest from base ""; the mock holds one domain.
        return self._page(base or BASE_DN, search_filter, scope, **kwargs)

    def _page(self, base: str, search_filter: str, scope: str, **kwargs: Any) -> bool:
        paged = kwargs.get("paged_size")
        if paged:
            kwargs["paged_size"] = min(paged, MAX_PAGE_SIZE)
        if search_filter == reader.USER_FILTER:
            self.user_pages += 1
            if self.user_pages == self.fail_on_user_page:
                return self._fail()
        self.mock.search(base, search_filter, scope, **kwargs)
        self.result = dict(self.mock.result)
        self.response = [self._windows_entry(r) for r in self.mock.response]
        if not paged and len(self.response) > MAX_PAGE_SIZE:
            del self.response[MAX_PAGE_SIZE:]
            self.result.update(result=4, description="sizeLimitExceeded")
        return self.result["result"] == 0

    def _fail(self) -> bool:
        if not isinstance(self.fail_with, int):
            raise self.fail_with("connection reset by peer")
        description = {4: "sizeLimitExceeded", 51: "busy"}[self.fail_with]
        self.result = {"result": self.fail_with, "description": description, "dn": ""}
        self.response = []
        return False

    def _windows_entry(self, response: dict[str, Any]) -> dict[str, Any]:
        raw = {k: v for k, v in (response.get("raw_attributes") or {}).items() if v}
        for name in list(raw):
            if self.gc and not ATTRIBUTES.get(name, ("", False, True))[2]:
                del raw[name]  # the GC holds only the partial attribute set
            elif len(raw[name]) > MAX_VAL_RANGE:
                raw[f"{name};range=0-{MAX_VAL_RANGE - 1}"] = raw.pop(name)[
                    :MAX_VAL_RANGE
                ]
        return {**response, "raw_attributes": raw}

    def _range(self, dn: str, wanted: str) -> bool:
        if self.fail_ranges:
            return self._fail()
        name, low = re.match(r"(.+);range=(\d+)-\*", wanted).groups()  # type: ignore[union-attr]
        self.mock.search(dn, "(objectClass=*)", BASE, attributes=[name])
        values = self.mock.response[0]["raw_attributes"][name]
        start = int(low)
        chunk = values[start : start + MAX_VAL_RANGE]
        last = start + MAX_VAL_RANGE >= len(values)
        high = "*" if last else str(start + MAX_VAL_RANGE - 1)
        raw = {f"{name};range={start}-{high}": chunk}
        self.result = {"result": 0, "description": "success", "dn": ""}
        self.response = [{"type": "searchResEntry", "dn": dn, "raw_attributes": raw}]
        return True

    def _root_dse(self) -> bool:
        raw = {
            "defaultNamingContext": [BASE_DN.encode()],
            "rootDomainNamingContext": [BASE_DN.encode()],
            "schemaNamingContext": [SCHEMA_NC.encode()],
        }
        self.result = {"result": 0, "description": "success", "dn": ""}
        self.response = [{"type": "searchResEntry", "dn": "", "raw_attributes": raw}]
        return True

    def unbind(self) -> bool:
        # Each reader session ends here; the shared mock directory stays up.
        self.unbound = True
        return True


def mock_directory(users: int = 2500, many_groups: int = 0) -> Connection:
    """A bound MOCK_SYNC connection holding a schema partition and users."""
    conn = Connection(
        Server("dc1.contoso.test", get_info=NONE),
        user=BIND_DN,
        password=PASSWORD,
        client_strategy=MOCK_SYNC,
        raise_exceptions=False,
        check_names=False,
        auto_range=False,
    )
    add = conn.strategy.add_entry
    add(BIND_DN, {"objectClass": ["user"], "userPassword": PASSWORD})
    for name, (syntax, single, pas) in ATTRIBUTES.items():
        add(f"CN={name},{SCHEMA_NC}", schema_attribute(name, syntax, single, pas))
    for name, (parent, aux, may) in CLASSES.items():
        add(f"CN={name},{SCHEMA_NC}", schema_class(name, parent, aux, may))
    for index in range(users):
        dn, attributes = mock_user(index, many_groups if index == 7 else 0)
        add(dn, attributes)
    assert conn.bind()
    return conn


def schema_attribute(name: str, syntax: str, single: bool, pas: bool) -> dict[str, Any]:
    flags = {True: "TRUE", False: "FALSE"}
    return {
        "objectClass": ["top", "attributeSchema"],
        "lDAPDisplayName": name,
        "attributeSyntax": syntax,
        "isSingleValued": flags[single],
        "isMemberOfPartialAttributeSet": flags[pas],
    }


def schema_class(
    name: str, parent: str, aux: list[str], may: list[str]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "objectClass": ["top", "classSchema"],
        "lDAPDisplayName": name,
        "subClassOf": parent,
        "systemMayContain": may,
    }
    if aux:
        entry["systemAuxiliaryClass"] = aux
    return entry


def mock_user(index: int, groups: int) -> tuple[str, dict[str, Any]]:
    partner = index % 10 == 3
    suffix = "partners.contoso.test" if partner else "contoso.test"
    attributes: dict[str, Any] = {
        "objectClass": ["top", "person", "organizationalPerson", "user"],
        # The mock cannot expand the short form AD accepts in filters.
        "objectCategory": "person",
        "sAMAccountName": f"user{index:05d}",
        "userPrincipalName": f"User{index:05d}@{suffix}",
        "displayName": f"User {index}",
        "userAccountControl": "512",
        "objectGUID": index.to_bytes(16, "little"),
        "mS-DS-ConsistencyGuid": bytes([0xFF, 0xFE]) + index.to_bytes(14, "big"),
        "employeeType": "Partner" if partner else "Employee",
    }
    if partner:
        attributes["extensionAttribute5"] = "B2B-Partner"
    if groups:
        attributes["memberOf"] = [f"CN=Group {g:05d},{BASE_DN}" for g in range(groups)]
    return f"CN=User {index},OU=Staff,{BASE_DN}", attributes


def source_on(dc: WindowsDC, **live: Any) -> reader.LdapSource:
    options = LiveOptions(user=BIND_DN, **live)
    target = reader.parse_target("ldaps://dc1.contoso.test", options.gc)
    spec = SourceSpec("ldaps://dc1.contoso.test")
    return reader.LdapSource(spec, target, options, lambda: dc)  # type: ignore[arg-type,return-value]


@pytest.fixture(scope="module")
def directory() -> Iterator[Connection]:
    conn = mock_directory(users=2500, many_groups=3200)
    yield conn
    conn.unbind()


def test_fake_caps_unpaged_searches_like_windows(directory: Connection) -> None:
    # Guards the fake itself: without paging, Windows AD stops at 1,000.
    dc = WindowsDC(directory)
    assert not dc.search(BASE_DN, reader.USER_FILTER, "SUBTREE", attributes=["cn"])
    assert (len(dc.response), dc.result["result"]) == (MAX_PAGE_SIZE, 4)


def test_paged_read_gets_every_user_past_the_1000_cap(directory: Connection) -> None:
    # Stands in for MaxPageSize=1000: pages of 1,000 at most, all 2,500 users.
    dc = WindowsDC(directory)
    source = source_on(dc, page_size=1000)
    names = [u.sam for u in source.users(["employeeType"])]
    assert len(names) == len(set(names)) == 2500
    user_searches = [s for s in dc.searches if s["filter"] == reader.USER_FILTER]
    assert len(user_searches) == 3
    assert all(s["paged_size"] == 1000 for s in user_searches)


def test_users_stream_one_page_at_a_time(directory: Connection) -> None:
    dc = WindowsDC(directory)
    users = source_on(dc, page_size=100).users(["employeeType"])
    first = next(users)
    user_pages = [s for s in dc.searches if s["filter"] == reader.USER_FILTER]
    assert first.sam and len(user_pages) == 1
    users.close()


def test_unknown_attributes_are_skipped_not_fatal(directory: Connection) -> None:
    source = source_on(WindowsDC(directory))
    user = next(source.users(["extensionAttribute9", "employeeType"]))
    assert "extensionAttribute9" in source.missing_attributes
    assert user.text("employeeType") in {"Employee", "Partner"}
    asked = source.connection().searches[-1]["attributes"]  # type: ignore[attr-defined]
    assert "extensionAttribute9" not in asked


def test_binary_attributes_stay_bytes(directory: Connection) -> None:
    source = source_on(WindowsDC(directory))
    user = next(
        u for u in source.users(["mS-DS-ConsistencyGuid"]) if u.sam == "user00005"
    )
    assert user.first("objectGUID") == (5).to_bytes(16, "little")
    assert user.first("mS-DS-ConsistencyGuid") == b"\xff\xfe" + (5).to_bytes(14, "big")
    assert user.first("userPrincipalName") == "User00005@contoso.test"


def test_ranged_values_are_fetched_to_the_end(directory: Connection) -> None:
    # Stands in for MaxValRange=1500: memberOf;range=0-1499, then 1500-2999, 3000-*.
    dc = WindowsDC(directory)
    source = source_on(dc)
    user = next(u for u in source.users(["memberOf"]) if u.sam == "user00007")
    groups = user.values("memberOf")
    assert len(groups) == 3200 == len(set(groups))
    assert groups[-1] == f"CN=Group 03199,{BASE_DN}"
    ranged = [s["attributes"] for s in dc.searches if s["base"] == user.dn]
    assert ranged == [["memberOf;range=1500-*"], ["memberOf;range=3000-*"]]


def test_gc_reports_attributes_outside_the_partial_set(directory: Connection) -> None:
    # Stands in for a Windows GC, which silently leaves non-PAS attributes out.
    dc = WindowsDC(directory, gc=True)
    source = source_on(dc, gc=True)
    users = list(source.users(["employeeType", "extensionAttribute5"]))
    assert {"employeeType", "adminDescription"} <= source.unreadable_attributes
    assert "extensionAttribute5" not in source.unreadable_attributes
    assert all("employeetype" not in u.attributes for u in users)
    assert sum(u.text("extensionAttribute5") == "B2B-Partner" for u in users) == 250
    assert dc.searches[-1]["base"] == ""  # forest-wide
    asked = dc.searches[-1]["attributes"]
    assert "employeeType" not in asked and "extensionAttribute5" in asked


def test_gc_full_read_hides_what_windows_would_not_return(
    directory: Connection,
) -> None:
    source = source_on(WindowsDC(directory), gc=True)
    user = next(source.users())
    assert "mS-DS-ConsistencyGuid" in source.unreadable_attributes
    assert "ms-ds-consistencyguid" not in user.attributes


def test_live_schema_follows_auxiliary_classes(directory: Connection) -> None:
    schema = source_on(WindowsDC(directory)).schema()
    assert schema.origin == "live"
    found = schema.attribute("extensionattribute5")
    assert found is not None and found.single_valued and found.is_string
    assert found.in_partial_attribute_set
    assert schema.allowed_on("msDS-cloudExtensionAttribute1", "user")
    assert not schema.allowed_on("extensionAttribute5", "user")


@pytest.mark.parametrize("fail_with", [51, LDAPSocketReceiveError])
def test_search_failing_part_way_is_an_error(
    directory: Connection, fail_with: int | type[Exception]
) -> None:
    dc = WindowsDC(directory, fail_on_user_page=2, fail_with=fail_with)
    read = 0
    with pytest.raises(DirectoryError, match="scan incomplete after 1000 users"):
        for _ in source_on(dc, page_size=1000).users(["employeeType"]):
            read += 1
    assert read == 1000


def test_failed_range_follow_up_is_a_partial_scan(directory: Connection) -> None:
    dc = WindowsDC(directory)
    dc.fail_ranges = True
    with pytest.raises(
        DirectoryError, match=r"scan incomplete after \d+ users: .*busy"
    ):
        list(source_on(dc).users(["memberOf"]))


def test_size_limit_is_named(directory: Connection) -> None:
    # Stands in for AD's MaxResultSetSize/MaxQueryDuration ending a search.
    dc = WindowsDC(directory, fail_on_user_page=1, fail_with=4)
    with pytest.raises(DirectoryError, match=r"scan incomplete.*sizeLimitExceeded"):
        list(source_on(dc).users(["employeeType"]))


def test_wrong_base_dn_is_named(directory: Connection) -> None:
    source = source_on(WindowsDC(directory), base_dn="OU=Nowhere,DC=contoso,DC=test")
    with pytest.raises(
        DirectoryError, match="'OU=Nowhere,DC=contoso,DC=test' does not"
    ):
        list(source.users(["employeeType"]))


def test_snapshot_command_streams_into_a_file(
    directory: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "connect", lambda target, live: WindowsDC(directory))
    out = tmp_path / "forest.json"
    run = run_cli(
        "snapshot", "--source", "ldaps://dc1.contoso.test", "--user", BIND_DN,
        "--out", str(out),
        env={"ENTRA_RULEGEN_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.stdout == ""
    assert "2,500 users" in run.stderr
    snapshot = SnapshotSource(SourceSpec(str(out)))
    assert snapshot.forest == "contoso.test"
    assert snapshot.base_dn == BASE_DN
    schema = snapshot.schema()
    assert schema is not None and schema.has("extensionAttribute5")
    users = {u.sam: u for u in snapshot.users()}
    assert len(users) == 2500
    assert users["user00003"].first("mS-DS-ConsistencyGuid") == b"\xff\xfe" + (
        3
    ).to_bytes(14, "big")
    assert json.loads(out.read_text())["schema_version"] == 1


def test_snapshot_leaves_no_file_when_the_scan_breaks(
    directory: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dc = WindowsDC(directory, fail_on_user_page=2, fail_with=LDAPSocketReceiveError)
    monkeypatch.setattr(reader, "connect", lambda target, live: dc)
    out = tmp_path / "forest.json"
    run = run_cli(
        "snapshot", "--source", "ldaps://dc1.contoso.test", "--user", BIND_DN,
        "--out", str(out), "--page-size", "1000",
        env={"ENTRA_RULEGEN_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert run.code == 1
    assert "scan incomplete after 1000 users" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_progress_counts_users_on_a_terminal(
    directory: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")  # rich draws no live bar for TERM=dumb
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(reader, "err", terminal)
    users = source_on(WindowsDC(directory), page_size=1000).users(["employeeType"])
    assert sum(1 for _ in users) == 2500
    shown = screen.getvalue()
    assert "reading users from ldaps://dc1.contoso.test" in shown
    assert "2,500 read" in shown
