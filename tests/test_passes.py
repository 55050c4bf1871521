"""How often the analysis reads a source: once to choose, preview from the spool."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
from analysis_helpers import NO_CONFIG, partners, sources, user

from generator import analysis as facade
from generator.analysis import analyse, outcomes
from generator.model import User
from generator.schema import Schema


class _Counted:
    """A source that makes up users and counts how often it is read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.reads = 0
        self.name = "counted"
        self.forest = "contoso.com"

    def schema(self) -> Schema | None:
        return None

    def users(self, attributes: Collection[str] | None = None) -> Iterator[User]:
        self.reads += 1
        for n in range(self.count):
            domain = "partners.contoso.com" if n % 4 == 0 else "contoso.com"
            yield user(
                f"CN=u{n},OU={'Partners' if n % 4 == 0 else 'Staff'},DC=contoso,DC=com",
                userPrincipalName=f"u{n}@{domain}",
                sAMAccountName=f"u{n}",
                employeeType="Partner" if n % 4 == 0 else "Employee",
                extensionAttribute3=f"value {n % 7}",
            )
        yield user("CN=pc,OU=Staff,DC=contoso,DC=com", objectClass=("computer",))


@pytest.fixture
def source(monkeypatch: pytest.MonkeyPatch) -> _Counted:
    counted = _Counted(200)
    monkeypatch.setattr(facade, "open_source", lambda spec, live: counted)
    monkeypatch.setattr(
        facade, "load_schema", lambda spec, source: Schema("bundled", "x")
    )
    return counted


def test_choosing_and_previewing_read_once(source: _Counted) -> None:
    given = partners(suffixes=("partners.contoso.com",))
    analysis = analyse(
        sources(Path("x.ldf")), given, NO_CONFIG, None, keep_outcomes=True
    )
    assert analysis.marker is not None
    assert len(analysis.ranking.candidates) >= 3
    rows = [list(outcomes(analysis)) for _ in range(3)]  # the bundle's replays
    assert source.reads == 1
    assert len(rows[0]) == 200  # the computer is out of scope
    assert rows[0] == rows[1] == rows[2]
    (counts,) = analysis.preview
    assert counts.guest == sum(o.result == "Guest" for o in rows[0]) == 50


def test_preview_from_the_spool_equals_a_second_read(
    source: _Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = partners(suffixes=("partners.contoso.com",))
    marker = "attribute:employeeType=partner"
    spooled = analyse(sources(Path("x.ldf")), given, NO_CONFIG, marker)
    from_spool = list(outcomes(spooled))
    monkeypatch.setattr(facade, "_survey", _survey_without_spool)
    again = analyse(sources(Path("x.ldf")), given, NO_CONFIG, marker)
    assert list(outcomes(again)) == from_spool
    assert again.preview == spooled.preview
    assert again.findings == spooled.findings
    assert source.reads == 1 + 3  # the spool's one; choose, preview, CSV again


_real_survey = facade._survey


def _survey_without_spool(context: object, spool: object) -> object:
    return _real_survey(context, None)  # type: ignore[arg-type]


def test_recommend_without_partners_keeps_no_users(source: _Counted) -> None:
    analysis = analyse(sources(Path("x.ldf")), partners(), NO_CONFIG, None)
    assert analysis.marker is None
    assert analysis.context.users is None
    assert source.reads == 1
