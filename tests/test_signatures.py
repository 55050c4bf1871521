"""Signatures: each candidate's evidence from one read equals the per-user engine's."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_helpers import NO_CONFIG, partners, person, sources, user, write_ldif
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import analysis as facade
from generator.analysis import analyse, to_json
from generator.model import User
from generator.preview import ForestRun, MarkerEvaluator
from generator.recommend import FeatureTally
from generator.resources import samples_dir
from generator.signatures import (
    DN_KEY,
    UPN_KEY,
    SignatureTally,
    replay,
    signature,
)
from generator.strategies import attribute_marker, ou_marker, upn_suffix_marker

SUFFIX = "partners.contoso.com"
PARTNER_OU = "OU=Partners,DC=contoso,DC=com"


def _per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every candidate go through the engine user by user (the old way)."""
    monkeypatch.setattr(facade, "replay", lambda *args, **kwargs: None)


def _both(
    monkeypatch: pytest.MonkeyPatch, *args: object, **kwargs: object
) -> tuple[dict[str, object], dict[str, object]]:
    fast = to_json(analyse(*args, **kwargs), "recommend")  # type: ignore[arg-type]
    with monkeypatch.context() as patch:
        _per_user(patch)
        slow = to_json(analyse(*args, **kwargs), "recommend")  # type: ignore[arg-type]
    return fast, slow


def _hostile() -> list[dict[str, object]]:
    """Users whose inputs try every way a signature could lose a verdict."""
    found = [person(f"p{n}", upn=f"p{n}@{SUFFIX}", ou="OU=Partners") for n in range(8)]
    found += [person(f"e{n}", department="Sales") for n in range(12)]
    found += [
        person("caps", upn="Caps@PARTNERS.Contoso.COM", ou="OU=Partners"),
        person("space", upn="space@partners.contoso.com ", department=" partner "),
        person("twoat", upn="a@b@partners.contoso.com", department="PARTNER"),
        person("bare", upn="@partners.contoso.com", department="Partner"),
        person("noat", upn="partners.contoso.com", department="   "),
        person("evil", upn="evil@partners.contoso.com.evil.example"),
        person("short", upn="s@com", department="İpartner"),
        person("pct", department="100% partner"),
        person("x\\,OU=Partners", upn="x@contoso.com"),
        person("inner", ou="OU=Partners,OU=Old", department="partner"),
        person("spaced", upn="spaced@contoso.com", ou="OU=Partners ", title="Mr"),
    ]
    for n, entry in enumerate(found):
        if n % 3 == 0 and "department" not in entry:
            entry["department"] = "Partner" if n < 8 else "sales "
        if n % 4 == 0:
            entry["employeeType"] = "Partner" if n < 8 else "Employee"
    return found


def test_hostile_directory_ranks_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ldif(tmp_path / "users.ldf", _hostile())
    chosen = partners(suffixes=(SUFFIX,), ous=(PARTNER_OU,))
    fast, slow = _both(monkeypatch, sources(path), chosen, NO_CONFIG, None)
    assert fast == slow
    ranking = fast["ranking"]
    assert isinstance(ranking, dict)
    assert len(ranking["candidates"]) >= 3  # designate, suffix, OU, attributes


def test_given_marker_ranks_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ldif(tmp_path / "users.ldf", _hostile())
    chosen = partners(suffixes=(SUFFIX,))
    marker = "attribute:department=Partner"
    fast, slow = _both(monkeypatch, sources(path), chosen, NO_CONFIG, marker)
    assert fast == slow


def test_sample_ranks_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = samples_dir()
    given = partners(
        suffixes=("partners.alderbrook.example", "contractors.alderbrook.example"),
        ous=("OU=Partners,DC=alderbrook,DC=example",),
    )
    spec = sources(
        folder / "alderbrook-users.ldf", schema=folder / "alderbrook-schema.ldf"
    )
    fast, slow = _both(monkeypatch, spec, given, NO_CONFIG, None)
    assert fast == slow


def _in_memory() -> list[tuple[User, bool]]:
    """Users no export reader would pass: several values, binary values."""
    found = [
        (user(f"CN=p{n},{PARTNER_OU}", userPrincipalName=f"p{n}@{SUFFIX}"), True)
        for n in range(4)
    ]
    found += [
        (user("CN=a,OU=Staff,DC=contoso,DC=com", department=("Partner", "x")), True),
        (user("CN=b,OU=Staff,DC=contoso,DC=com", department=("x", "partner")), False),
        (user("CN=c,OU=Staff,DC=contoso,DC=com", department=""), False),
        (user("CN=d", userPrincipalName=("a@" + SUFFIX, "b@contoso.com")), False),
        (User("CN=e", {"department": (b"Partner",)}, "contoso.com"), True),
        (user("CN=f,OU=Staff,DC=contoso,DC=com", department="partner"), False),
    ]
    return found


@pytest.mark.parametrize(
    "marker",
    [
        attribute_marker("department", "Partner"),
        upn_suffix_marker([SUFFIX]),
        ou_marker(PARTNER_OU),
    ],
    ids=["attribute", "upn-suffix", "ou"],
)
def test_replay_matches_the_engine_user_by_user(marker: object) -> None:
    tally = FeatureTally(attributes=("department",))
    signatures = SignatureTally((DN_KEY, UPN_KEY, "department"), tally)
    evaluator = MarkerEvaluator(marker, stamp=True)  # type: ignore[arg-type]
    direct = ForestRun("contoso.com", True)
    for each, partner in _in_memory():
        tally.add(each, partner)
        signatures.add("contoso.com", each, partner)
        verdict = evaluator.verdict(each, partner)
        direct.add("x", verdict, partner, evaluator.lacking(each))
    runs = replay(signatures, marker, stamp=True)  # type: ignore[arg-type]
    assert runs is not None
    (run,) = runs.values()
    assert run.confusion() == direct.confusion()
    assert run.users_lacking.count == direct.users_lacking.count
    assert run.partners_lacking.count == direct.partners_lacking.count


def test_a_full_input_is_judged_user_by_user(monkeypatch: pytest.MonkeyPatch) -> None:
    tally = SignatureTally((DN_KEY,), FeatureTally())
    monkeypatch.setattr("generator.signatures.SIGNATURE_LIMIT", 2)
    for n in range(3):
        tally.add("contoso.com", user(f"CN=a,OU=o{n},DC=contoso,DC=com"), False)
    assert tally.forests["contoso.com"][DN_KEY].full
    assert replay(tally, ou_marker("OU=o1,DC=contoso,DC=com"), stamp=True) is None


def _same(marker_user: User, stand_in: User, evaluator: MarkerEvaluator) -> None:
    for partner in (False, True):
        assert evaluator.verdict(marker_user, partner) == evaluator.verdict(
            stand_in, partner
        )
    assert evaluator.lacking(marker_user) == evaluator.lacking(stand_in)


TEXT = st.text(alphabet=st.sampled_from(list("aAbB@.,=\\ \tİΣσςPpO-UuRr")), max_size=24)


@settings(max_examples=300, deadline=None)
@given(local=TEXT, domain=TEXT, suffix=st.sampled_from(["b.a", "pa", "a", "ou.b"]))
def test_upn_signature_keeps_the_verdict(local: str, domain: str, suffix: str) -> None:
    real = user("CN=x", userPrincipalName=f"{local}@{domain}")
    held = signature(UPN_KEY, real, FeatureTally())
    stand_in = User("CN=x", {UPN_KEY: held})
    _same(real, stand_in, MarkerEvaluator(upn_suffix_marker([suffix])))


RDNS = st.lists(
    st.sampled_from(["OU=P", "ou=p", "DC=a", " OU=P", "OU=P\\", "İ"]),
    max_size=4,
).map(",".join)


@settings(max_examples=500, deadline=None)
@example(head="h", tail="OU=P,DC=a", ou="OU=P,DC=a")
@example(head="h\\", tail="OU=P,DC=a", ou="OU=P,DC=a")
@given(head=TEXT, tail=RDNS, ou=st.sampled_from(["OU=P,DC=a", "OU=b", "DC=a"]))
def test_dn_signature_keeps_the_verdict(head: str, tail: str, ou: str) -> None:
    real = user(f"CN={head},{tail}")
    stand_in = User(str(signature(DN_KEY, real, FeatureTally())[0]), {})
    _same(real, stand_in, MarkerEvaluator(ou_marker(ou)))


@settings(max_examples=300, deadline=None)
@given(value=TEXT, wanted=st.sampled_from(["partner", "pİ", "σ", "a b"]))
def test_value_signature_keeps_the_verdict(value: str, wanted: str) -> None:
    tally = FeatureTally(attributes=("department",))
    tally.add(user("CN=w", department=wanted), True)
    real = user("CN=x", department=value)
    tally.add(real, False)
    held = signature("department", real, tally)
    stand_in = User("CN=x", {"department": held})
    _same(real, stand_in, MarkerEvaluator(attribute_marker("department", wanted)))
