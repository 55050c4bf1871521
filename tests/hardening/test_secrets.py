"""A canary password through every live command (issue #9, parts 4 and 6).

The live reader runs against ldap3's MOCK_SYNC strategy (``recording.py``),
with NTLM (which Samba refuses) and simple binds, with and without --debug,
and on the failure paths: a wrong password, a connection lost in the middle
of the paged search, an unexpected error inside the reader. The canary, and
its UTF-16 and base64 forms, must appear in no stdout, stderr, log record,
output file or traceback. The same runs prove the tool sends only bind,
StartTLS, search and unbind operations.
"""

from __future__ import annotations

import base64
import logging
import traceback
from pathlib import Path

import pytest
from recording import STARTTLS_OID, mock_factory
from test_ldap_reader import BIND_DN
from typer.testing import CliRunner

from generator.cli import app
from generator.readers import ldap as reader

CANARY = "Canary-7f3a-Pw!"
FORMS = (
    CANARY.encode(),
    CANARY.encode("utf-16-le"),
    base64.b64encode(CANARY.encode()),
    base64.b64encode(CANARY.encode("utf-16-le")),
)
ALLOWED = {
    "bindRequest",
    "searchRequest",
    "unbindRequest",
    f"extendedReq {STARTTLS_OID}",
}
SUFFIX = "partners.contoso.test"
PARTNERS = ["--partner-suffix", SUFFIX]


def commands(out: Path) -> dict[str, list[str]]:
    marker = ["--marker", f"upn-suffix:{SUFFIX}"]
    return {
        "inspect": ["inspect"],
        "recommend": ["recommend", *PARTNERS],
        "validate": ["validate", *marker, *PARTNERS],
        "preview": ["preview", *marker, *PARTNERS],
        "generate": ["generate", *marker, *PARTNERS, "--out", str(out / "bundle")],
        "plan": ["plan", *PARTNERS, "--out", str(out / "plan")],
        "snapshot": ["snapshot", "--out", str(out / "snap.json")],
    }


def run(
    args: list[str], auth: str, debug: bool, caplog: pytest.LogCaptureFixture
) -> tuple[int, str, str, BaseException | None]:
    user = "CONTOSO\\svc-reader" if auth == "ntlm" else BIND_DN
    source = ["--source", "ldap://dc1.contoso.test", "--user", user, "--auth", auth]
    argv = (["--debug"] if debug else []) + [args[0], *source, *args[1:]]
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(
            app, argv, env={"ENTRA_RULEGEN_PASSWORD": CANARY}, catch_exceptions=True
        )
    return result.exit_code, result.stdout, result.stderr, result.exception


def assert_no_canary(
    texts: list[str], folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for text in [*texts, *(r.getMessage() for r in caplog.records)]:
        data = text.encode("utf-8", "replace")
        assert not any(form in data for form in FORMS), text[:300]
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in FORMS), path


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("auth", ["ntlm", "simple"])
@pytest.mark.parametrize(
    "command",
    ["inspect", "recommend", "validate", "preview", "generate", "plan", "snapshot"],
)
def test_canary_never_leaks_and_only_reads(
    command: str,
    auth: str,
    debug: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[str] = []
    monkeypatch.setattr(reader, "Connection", mock_factory(sent, password=CANARY))
    code, out, err, error = run(commands(tmp_path)[command], auth, debug, caplog)
    assert code in (0, 3), err
    texts = [out, err, *_traceback(error)]
    assert_no_canary(texts, tmp_path, caplog)
    assert "bindRequest" in sent and "searchRequest" in sent
    assert set(sent) <= ALLOWED, sent


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize(
    "failure", ["wrong password", "connection lost mid-scan", "reader bug"]
)
def test_canary_never_leaks_on_failure(
    failure: str,
    debug: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[str] = []
    auth = "simple" if failure == "wrong password" else "ntlm"
    password = "not-the-canary" if failure == "wrong password" else CANARY
    fail_on_page = 2 if failure == "connection lost mid-scan" else 0
    factory = mock_factory(
        sent, users=120, password=password, fail_on_page=fail_on_page
    )
    monkeypatch.setattr(reader, "Connection", factory)
    if failure == "reader bug":

        def broken(*_: object, **__: object) -> None:
            raise RuntimeError("an unexpected failure inside the reader")

        monkeypatch.setattr(reader, "to_user", broken)
    args = commands(tmp_path)["generate"] + ["--page-size", "50"]
    code, out, err, error = run(args, auth, debug, caplog)
    assert code == 1, err
    assert not (tmp_path / "bundle").exists()
    if failure == "connection lost mid-scan":
        assert "scan incomplete" in err
    assert_no_canary([out, err, *_traceback(error)], tmp_path, caplog)
    assert set(sent) <= ALLOWED, sent


def _traceback(error: BaseException | None) -> list[str]:
    if error is None or isinstance(error, SystemExit):
        return []
    return traceback.format_exception(error)
