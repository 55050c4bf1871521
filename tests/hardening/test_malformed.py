"""The malformed-input corpus (issue #9, part 2): every broken file fails cleanly.

Each file in ``tests/data/malformed/`` (made by ``make_malformed.py``) goes
through the command that reads it: ``generate`` for users, schema, partner
lists and expressions, ``document`` for configuration folders. Each must give
exit 1, exactly one line on stderr naming the file and the line, no
traceback and no output folder. The well-formed files they were made from
must work, so a failure is the file's fault and not the harness's.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA, Run, run_cli
from make_malformed import files, huge_files, valid_files

CORPUS = DATA / "malformed"
VALID = CORPUS / "valid"
SCHEMA = VALID.parent.parent.parent.parent / "samples" / "alderbrook-schema.ldf"
SUFFIX = "partners.corp.example"

# file or folder -> the line the error must name (None: the file as a whole).
EXPECTED: dict[str, int | None] = {
    "ldif-empty.ldf": None,
    "ldif-truncated-base64.ldf": 16,
    "ldif-no-dn.ldf": 1,
    "ldif-fold-at-start.ldf": 1,
    "ldif-latin1.ldf": 16,
    "ldif-utf16-truncated.ldf": 16,
    "ldif-no-colon.ldf": 16,
    "ldif-two-dn.ldf": 16,
    "ldif-nul-in-name.ldf": 16,
    "ldif-bad-attribute-name.ldf": 16,
    "ldif-bad-changetype.ldf": 2,
    "ldif-binary-garbage.ldf": 2,
    "ldif-huge-line.ldf": 16,
    "ldif-size-limit.ldf": 19,
    "ldif-paged-cookie.ldf": 20,
    "csv-empty.csv": None,
    "csv-no-dn-column.csv": 1,
    "csv-unterminated-quote.csv": 4,
    "csv-ragged-row.csv": 5,
    "csv-duplicate-header.csv": 1,
    "csv-latin1.csv": 4,
    "csv-only-bom.csv": None,
    "csv-utf16-truncated.csv": 4,
    "csv-huge-field.csv": 4,
    "json-empty.json": None,
    "json-truncated.json": 4,
    "json-wrong-format.json": 1,
    "json-newer-version.json": 1,
    "json-users-not-list.json": 4,
    "json-attributes-wrong-type.json": 5,
    "json-values-wrong-type.json": 5,
    "json-user-without-attributes.json": 5,
    "json-duplicate-keys.json": 2,
    "json-bad-base64.json": 5,
    "json-latin1.json": 5,
    "json-number.json": 1,
    "json-lone-surrogate.json": 5,
    "json-deep-nesting.json": 1,
    "json-dump-not-objects.json": 1,
    "json-schema-wrong-type.json": 3,
    "schema-empty.ldf": None,
    "schema-no-attributes.ldf": None,
    "schema-truncated.ldf": 8,
    "schema-latin1.ldf": 6,
    "config-no-rules": None,
    "config-truncated": 7,
    "config-not-xml": 1,
    "config-latin1": 2,
    "config-wrong-root": 1,
    "config-bad-precedence": 12,
    "config-missing-name": 1,
    "config-unknown-direction": 8,
    "config-duplicate-id": 3,
    "config-empty-file": 1,
    "partners-empty.txt": None,
    "partners-latin1.txt": 2,
    "partners-control-char.txt": 2,
    "partners-bad-upn.txt": 2,
    "partners-bad-dn.txt": 2,
    "partners-utf16-odd.txt": 2,
    "partners-huge-line.txt": 2,
    "expr-empty.txt": None,
    "expr-unterminated-string.txt": 1,
    "expr-smart-quotes.txt": 1,
    "expr-bad-escape.txt": 1,
    "expr-unbalanced.txt": 1,
    "expr-latin1.txt": 1,
    "expr-deep-nesting.txt": 1,
    "expr-empty-attribute.txt": 2,
    "expr-huge-line.txt": 1,
}
# Known failures, each with what is wrong (listed in the hardening report).
OPEN: dict[str, str] = {}


# Cases that once exhausted memory run in a child process with a memory cap.
MEMORY_BOUND = {"json-deep-nesting.json"}
MEMORY_CAP = 1024**3


def run_limited(*args: str) -> Run:
    """``entra-rulegen ARGS`` in a child process limited to MEMORY_CAP bytes."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    done = subprocess.run(
        [sys.executable, "-c", "from generator.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _kind(name: str) -> str:
    return name.split("-", 1)[0].split(".", 1)[0]


def command(name: str, path: Path, out: Path) -> list[str]:
    """The command that reads ``path``, writing (it must not) into ``out``."""
    marker = ["--marker", f"upn-suffix:{SUFFIX}"]
    partners = ["--partner-suffix", SUFFIX]
    users = ["--source", str(VALID / "valid.ldf"), "--schema", str(SCHEMA)]
    kind = _kind(name)
    if kind in {"ldif", "csv", "json", "valid"}:
        users = ["--source", str(path), "--schema", str(SCHEMA)]
    elif kind == "schema":
        users = ["--source", str(VALID / "valid.ldf"), "--schema", str(path)]
    elif kind == "partners":
        partners = ["--partner-list", str(path)]
    elif kind == "expr":
        marker = ["--marker", f"expression:@{path}"]
    elif kind == "config":
        return ["document", "--connect-config", str(path), "--out", str(out)]
    return ["generate", *users, *marker, *partners, "--out", str(out)]


def _case(name: str) -> object:
    marks = []
    if name in OPEN:
        marks.append(pytest.mark.xfail(strict=True, reason=f"TODO(#9): {OPEN[name]}"))
    return pytest.param(name, id=name, marks=marks)


def test_corpus_is_complete() -> None:
    """Every corpus file has an expectation, and there are at least 40."""
    cases = {Path(n).parts[0] for n in files()} | set(huge_files())
    assert cases == set(EXPECTED)
    assert len(cases) >= 40
    on_disk = {p.name for p in CORPUS.iterdir()} - {"valid"}
    assert on_disk == {Path(n).parts[0] for n in files()}, "run make_malformed.py"


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("huge")
    for name, data in huge_files().items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("name", [_case(n) for n in EXPECTED])
def test_broken_input_fails_cleanly(
    name: str, huge: Path, tmp_path: Path, figures: Counter[str]
) -> None:
    path = (huge if name in huge_files() else CORPUS) / name
    out = tmp_path / "bundle"
    args = command(name, path, out)
    result = run_limited(*args) if name in MEMORY_BOUND else run_cli(*args)
    figures["malformed corpus: cases run"] += 1
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert (result.code, len(lines)) == (1, 1), result.stderr
    where = _where(path)
    line = EXPECTED[name]
    named = f"{where}:{line}:" if line else f"{where}:"
    assert named in lines[0], lines[0]
    assert not out.exists()


def _where(path: Path) -> str:
    """What the message must name: the file, or for a folder case its one file."""
    if not path.is_dir():
        return str(path)
    found = sorted(p for p in path.rglob("*.xml"))
    return str(found[-1]) if found else str(path)


VALID_KIND = {
    "valid.ldf": "ldif",
    "valid.csv": "csv",
    "valid.json": "json",
    "valid-partners.txt": "partners",
    "valid-expr.txt": "expr",
    "valid-config": "config",
}


@pytest.mark.parametrize("name", sorted(VALID_KIND))
def test_the_well_formed_originals_work(name: str, tmp_path: Path) -> None:
    assert {Path(n).parts[0] for n in valid_files()} == set(VALID_KIND)
    out = tmp_path / "bundle"
    result = run_cli(*command(f"{VALID_KIND[name]}-ok", VALID / name, out))
    assert result.code == 0, result.stderr
    assert out.is_dir()
