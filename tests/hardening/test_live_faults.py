"""Faults and the read-only proof against the lab Samba AD DC (issue #9, 5 and 6).

The DC is shared, so it is never stopped: ``tcpproxy.Proxy`` stands between
the tool and the DC and drops the connection halfway through the paged user
search (the DC "stops" for this one reader), or holds the answer so that
SIGINT lands in the middle of the read. A first, clean read through the
proxy measures how many bytes a whole read takes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from labdc import LabDC, lab_dc
from recording import STARTTLS_OID, RecordingConnection
from tcpproxy import Proxy

from generator.readers import ldap as reader

__all__ = ["lab_dc"]
pytestmark = pytest.mark.dc
PAGE_SIZE = "50"
ALLOWED = {
    "bindRequest",
    "searchRequest",
    "unbindRequest",
    f"extendedReq {STARTTLS_OID}",
}
PARTNERS = ["--partner-suffix", "partners.contoso.test"]
MARKER = ["--marker", "upn-suffix:partners.contoso.test"]


def through(dc: LabDC, port: int, host: str = "127.0.0.1") -> list[str]:
    """LDAPS options for the proxy on ``port`` (or, with ``host``, the DC itself)."""
    return [
        "--source", f"ldaps://{host}:{port}", "--user", dc.user,
        "--ca-file", dc.ca_file, "--tls-server-name", dc.cert_name,
        "--page-size", PAGE_SIZE,
    ]  # fmt: skip


def generate(dc: LabDC, port: int, out: Path) -> list[str]:
    return ["generate", *through(dc, port), *PARTNERS, *MARKER, "--out", str(out)]


@pytest.fixture(scope="module")
def full_read(lab_dc: LabDC, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Bytes the DC sends for one whole generate, read cleanly through the proxy."""
    out = tmp_path_factory.mktemp("clean") / "bundle"
    with Proxy((lab_dc.host, 636)) as proxy:
        result = run_cli(*generate(lab_dc, proxy.port, out), env=lab_dc.env())
    assert result.code == 0, result.stderr
    assert out.is_dir()
    return proxy.from_server


def test_dc_gone_in_the_middle_of_the_paged_search(
    lab_dc: LabDC, full_read: int, tmp_path: Path
) -> None:
    """Cut the connection ever later until the cut falls among the user pages.

    The schema is read first, the users last, so a late enough cut lands in
    the paged user search: whole pages read, the next one lost. Every cut,
    in the schema or among the users, must fail cleanly.
    """
    users_read = 0
    for eighths in (4, 6, 7):
        out = tmp_path / f"bundle-{eighths}"
        cut = full_read * eighths // 8
        with Proxy((lab_dc.host, 636), cut_after=cut) as proxy:
            result = run_cli(*generate(lab_dc, proxy.port, out), env=lab_dc.env())
        assert proxy.cut.is_set()
        assert result.code == 1, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "scan incomplete after" in result.stderr
        assert not out.exists()
        found = re.search(r"scan incomplete after (\d+) users: ", result.stderr)
        if found:
            users_read = int(found.group(1))
            break
    assert users_read > 0, "no cut fell among the user pages"
    assert users_read % int(PAGE_SIZE) == 0, users_read  # a page was cut
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_the_middle_of_the_read(
    lab_dc: LabDC, full_read: int, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    command = [sys.executable, "-c", "from generator.cli import main; main()"]
    with Proxy((lab_dc.host, 636), pause_after=full_read // 2) as proxy:
        child = subprocess.Popen(
            [*command, *generate(lab_dc, proxy.port, out)],
            env={**os.environ, **lab_dc.env()},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proxy.paused.wait(60), "the read never got halfway"
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("scheme", ["ldap", "ldaps"])
def test_only_bind_starttls_search_and_unbind_reach_the_dc(
    lab_dc: LabDC, scheme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []

    class Recorded(RecordingConnection):  # type: ignore[misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.sent = sent

    monkeypatch.setattr(reader, "Connection", Recorded)
    source = [
        "--source", f"{scheme}://{lab_dc.host}", "--user", lab_dc.user,
        "--ca-file", lab_dc.ca_file, "--tls-server-name", lab_dc.cert_name,
    ]  # fmt: skip
    out = tmp_path / "bundle"
    result = run_cli("plan", *source, *PARTNERS, "--out", str(out), env=lab_dc.env())
    assert result.code == 0, result.stderr
    assert set(sent) <= ALLOWED, sorted(set(sent) - ALLOWED)
    assert {"bindRequest", "searchRequest"} <= set(sent)
    assert (f"extendedReq {STARTTLS_OID}" in sent) == (scheme == "ldap")


@pytest.mark.parametrize("right", [True, False], ids=["lab password", "wrong canary"])
def test_password_never_shown_by_a_real_dc_run(
    lab_dc: LabDC, right: bool, tmp_path: Path
) -> None:
    """A debug run against Samba, bound or refused: the password shows nowhere."""
    password = lab_dc.password if right else "Canary-Wrong-7f3a!"
    out = tmp_path / "bundle"
    command = [sys.executable, "-c", "from generator.cli import main; main()"]
    source = through(lab_dc, 636, lab_dc.host)[:-2]  # the DC itself, default pages
    done = subprocess.run(
        [*command, "--debug", "plan", *source, *PARTNERS, "--out", str(out)],
        env={**os.environ, "ENTRA_RULEGEN_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == (0 if right else 1), done.stderr[-2000:]
    forms = [password, password.encode("utf-16-le").decode("latin-1")]
    texts = [done.stdout, done.stderr]
    texts += [
        p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file()
    ]
    for text in texts:
        assert not any(form in text for form in forms)
