"""An unwritable or full ``--out`` (issue #9, part 5): exit 1, no partial files.

We run as root, so a chmod would not stop us: the unwritable target is a
read-only bind mount and the full disk a 64 KiB tmpfs, both made by the test
(skipped where mounting is not allowed). Every command that writes a file
or folder is tried on both; afterwards the mount must hold nothing at all,
not even a staging folder. The same tmpfs left empty fills up in the middle
of the writing for every command whose output is larger than 64 KiB: what
was written before the disk filled must go too.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REAL_INPUTS, SAMPLES, run_cli
from recording import mock_factory
from test_ldap_reader import BIND_DN

from generator.readers import ldap as reader

CONFIG = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
SAMPLE = [
    "--source", str(SAMPLES / "alderbrook-users.ldf"),
    "--schema", str(SAMPLES / "alderbrook-schema.ldf"),
    "--partner-suffix", "partners.alderbrook.example",
]  # fmt: skip
MARKER = ["--marker", "upn-suffix:partners.alderbrook.example"]


def _mount(*args: str) -> bool:
    done = subprocess.run(["mount", *args], capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def mounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    base = tmp_path_factory.mktemp("mounts")
    full, readonly = base / "full", base / "readonly"
    full.mkdir()
    readonly.mkdir()
    made = []
    if _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)):
        made.append(full)
    if _mount("--bind", str(readonly), str(readonly)):
        made.append(readonly)
        if not _mount("-o", "remount,ro,bind", str(readonly)):
            made.remove(readonly)
            subprocess.run(["umount", str(readonly)], check=False)
    if len(made) < 2:
        for path in made:
            subprocess.run(["umount", str(path)], check=False)
        pytest.skip("cannot mount a tmpfs and a read-only bind mount here")
    yield {"full disk": full, "read-only": readonly}
    for path in made:
        subprocess.run(["umount", str(path)], check=False)


def writers(target: Path) -> dict[str, list[str]]:
    return {
        "generate": ["generate", *SAMPLE, *MARKER, "--out", str(target / "bundle")],
        "plan": ["plan", *SAMPLE, "--out", str(target / "plan")],
        "document": [
            "document", "--connect-config", str(CONFIG), "--out", str(target / "doc")
        ],
        "diff": [
            "diff", "--connect-config", str(CONFIG), "--connect-config",
            str(CONFIG), "--out", str(target / "diff"),
        ],
        "preview --csv": [
            "preview", *SAMPLE, *MARKER, "--csv", str(target / "preview.csv")
        ],
        "snapshot": [
            "snapshot", "--source", "ldap://dc1.contoso.test", "--user", BIND_DN,
            "--out", str(target / "snap.json"),
        ],
    }  # fmt: skip


COMMANDS = ["generate", "plan", "document", "diff", "preview --csv", "snapshot"]
SMALL = {"diff"}  # its output fits in the tmpfs: it cannot fill mid-write
OPEN: dict[tuple[str, str], str] = {}


def _cases() -> list[object]:
    cases = []
    for command in COMMANDS:
        places = ["full disk", "read-only"]
        places += [] if command in SMALL else ["disk fills mid-write"]
        for where in places:
            reason = OPEN.get((command, where))
            marks = [pytest.mark.xfail(strict=True, reason=f"TODO(#9): {reason}")]
            cases.append(pytest.param(command, where, marks=marks if reason else []))
    return cases


@pytest.mark.parametrize(("command", "where"), _cases())
def test_unwritable_out_leaves_nothing(
    command: str,
    where: str,
    mounts: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = mounts["full disk" if where.startswith("disk") else where]
    if where == "full disk":
        fill(target)
    elif where == "disk fills mid-write":
        empty(target)
    if command == "snapshot":
        monkeypatch.setattr(
            reader, "Connection", mock_factory([], users=3000, password="pw")
        )
    result = run_cli(*writers(target)[command], env={"ENTRA_RULEGEN_PASSWORD": "pw"})
    assert result.code == 1, (result.code, result.stderr)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    left = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert left == ([FILLER] if where == "full disk" else []), left


FILLER = "filler"


def empty(target: Path) -> None:
    for child in target.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def fill(target: Path) -> None:
    """Empty the tmpfs, then fill it to the last byte: every write must fail."""
    empty(target)
    with (target / FILLER).open("wb", buffering=0) as stream:
        try:
            while stream.write(b"\0" * 4096):
                pass
        except OSError:
            pass
