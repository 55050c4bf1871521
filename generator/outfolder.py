"""All-or-nothing output folders and files.

Folders: the bundle and ``document``/``diff --out``. Files: ``preview --csv``
and ``snapshot --out`` (:func:`staged_file`), which also refuse to overwrite
an input of the same run or anything that is not a regular file.

Files go into a temporary folder beside ``--out``, which is renamed into place
only when every file is written: an interrupted run leaves the old folder or
nothing. An existing ``--out`` is refused unless ``--force``, and even then it
is replaced only when it holds nothing but files of the same kind of folder,
so ``--force`` can never take an admin's own notes or an unrelated folder
with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import OutputError, UsageError

Inputs = Iterable[tuple[str, Path]]  # (option, path) of each file a run reads


RECORD_LIMIT = 64 << 20  # a report.json beyond this is no report we wrote
SIGNATURE_SPAN = 4096  # where a document's signature must appear


class NotOurs(Exception):
    """The folder is not one this tool wrote; the message says why."""


@dataclass(frozen=True)
class FolderKind:
    """What one kind of output folder consists of: file names and subfolders.

    With a ``record`` (the bundle's ``report.json``), a folder is ours only
    when that file is one this tool wrote and every other entry is a file its
    ``files`` table lists, unchanged since (the SHA-256 the table holds), or
    one of ``unlisted`` (written after the table).
    """

    noun: str  # "bundle", "document folder": used in messages
    files: frozenset[str]
    subfolders: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    record: str | None = None
    unlisted: frozenset[str] = frozenset()
    # file name -> bytes its beginning holds when this tool wrote it
    signatures: Mapping[str, bytes] = field(default_factory=dict)

    def foreign(self, out: Path) -> str | None:
        """The first entry of ``out`` (sorted, POSIX path) that is not ours.

        Raises :class:`NotOurs` when the folder lacks a valid ``record``.
        """
        listed = self._listed(out)
        for entry in sorted(out.iterdir(), key=lambda p: p.name):
            name = entry.name
            if entry.is_symlink():
                return name
            if entry.is_file() and name in self.files and name in listed:
                self._check_signature(entry)
                _check_digest(entry, name, listed)
                continue
            pattern = self.subfolders.get(name)
            if pattern is None or not entry.is_dir():
                return name
            for inner in sorted(entry.iterdir(), key=lambda p: p.name):
                ours = inner.is_file() and not inner.is_symlink()
                known = pattern.fullmatch(inner.name) is not None
                if not ours or not known or f"{name}/{inner.name}" not in listed:
                    return f"{name}/{inner.name}"
                _check_digest(inner, f"{name}/{inner.name}", listed)
        return None

    def _check_signature(self, path: Path) -> None:
        signature = self.signatures.get(path.name)
        if signature is None:
            return
        with path.open("rb") as handle:
            head = handle.read(SIGNATURE_SPAN)
        if signature not in head:
            raise NotOurs(f"holds a {path.name} that entra-rulegen did not write")

    def _listed(self, out: Path) -> _Everything | Mapping[str, str | None]:
        """The names the folder's record vouches for (all, without a record)."""
        if self.record is None:
            return _EVERYTHING
        path = out / self.record
        if path.is_symlink() or not path.is_file():
            raise NotOurs(f"holds no {self.record}")
        try:
            with path.open("rb") as handle:
                data = handle.read(RECORD_LIMIT + 1)
            document = json.loads(data) if len(data) <= RECORD_LIMIT else None
        except (ValueError, RecursionError):
            document = None
        table = _files_table(document)
        if table is None:
            raise NotOurs(f"holds a {self.record} that entra-rulegen did not write")
        return {**dict.fromkeys(self.unlisted | {self.record}), **table}


class _Everything:
    def __contains__(self, name: object) -> bool:
        return True

    def get(self, name: str) -> None:
        return None  # no record, so no digest to hold a file to


def _check_digest(
    path: Path, name: str, listed: _Everything | Mapping[str, str | None]
) -> None:
    """Refuse a file whose content is not what the record says was written."""
    expected = listed.get(name)
    if expected is None:
        return
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected.lower():
        raise NotOurs(
            f"holds {name}, changed since entra-rulegen wrote it (its SHA-256 "
            "differs from report.json)"
        )


_EVERYTHING = _Everything()


def _files_table(document: object) -> dict[str, str] | None:
    """The ``files`` table of a report.json of ours (tool and schema), or None."""
    if not isinstance(document, dict):
        return None
    tool = document.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "entra-rulegen":
        return None
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    files = document.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        return None
    return files


BUNDLE = FolderKind(
    "bundle",
    frozenset(
        {
            "CHANGE.md",
            "CHANGE.html",
            "report.json",
            "preview.csv",
            "Enable-UserTypeSync.ps1",
            "Undo-UserTypeSync.ps1",
            "Test-UserTypeSync.ps1",
            "Set-PartnerMarker.ps1",
            "Restore-PartnerMarker.ps1",
            "set-partner-marker.ldif",
            "restore-partner-marker.ldif",
            "Convert-ExistingUsers.ps1",
        }
    ),
    {"rules": re.compile(r"SynchronizationRule_\{?[0-9A-Fa-f-]{36}\}?\.xml")},
    record="report.json",
    unlisted=frozenset({"CHANGE.md", "CHANGE.html"}),  # written after report.json
)
DOCUMENTS = FolderKind(
    "document folder",
    frozenset({"CONFIG.md", "CONFIG.html", "DIFF.md"}),
    signatures={
        "CONFIG.md": b"# Entra Connect configuration of ",
        "CONFIG.html": b"<title>Entra Connect configuration of ",
        "DIFF.md": b"# Entra Connect configuration differences",
    },
)


def check_target(
    out: Path, force: bool, kind: FolderKind = DOCUMENTS, inputs: Inputs = ()
) -> None:
    """Refuse an existing ``out`` without ``force``, and one holding others' files.

    An empty folder is taken as it is: the admin made it for the output. An
    input of the run may neither lie inside ``out`` (replacing the folder would
    delete it) nor hold it (the output would land among the inputs).
    """
    _check_place(out)
    _check_apart(out, inputs, "--out", folder=True)
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; not replacing it")
    if _is_empty(out):
        return
    if not force:
        raise OutputError(f"{out} already exists; use --force to replace it")
    try:
        foreign = kind.foreign(out)
    except OSError as error:
        raise OutputError(f"cannot look into {out}: {error.strerror}") from None
    except NotOurs as reason:
        raise OutputError(
            f"{out} {reason}, so it is not a {kind.noun} this tool wrote; "
            "not replacing it (move it away, or choose another --out)"
        ) from None
    if foreign is not None:
        raise OutputError(
            f"{out} holds {foreign}, which is not part of a {kind.noun}; "
            "not replacing it (move it away, or choose another --out)"
        )


def _check_apart(out: Path, inputs: Inputs, option: str, *, folder: bool) -> None:
    """Refuse an output that is an input of the run, lies inside an input
    folder (``--connect-config``) or, for a ``folder``, holds an input.

    A file is compared by resolved path and by identity (a hard link or a
    second name of the same file).
    """
    target = out.resolve()
    for given, path in inputs:
        place = path.resolve()
        if folder and (place == target or target in place.parents):
            raise UsageError(
                f"{option} {out} holds the {given} {path} of this run; writing "
                f"the folder would destroy the input (choose another {option})"
            )
        if not folder and _same(out, target, path):
            raise UsageError(
                f"{option} {out} is the {given} file of this run; "
                "writing it would destroy the input (choose another file)"
            )
        if path.is_dir() and place in target.parents:
            raise UsageError(
                f"{option} {out} is inside the {given} folder {path}; "
                f"choose another {option if folder else 'file'}"
            )


def _check_place(out: Path) -> None:
    """Refuse an ``--out`` that cannot be a folder of its own."""
    if not str(out).strip():
        raise OutputError("--out is empty; name the folder to write")
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        raise OutputError(
            f"{out} is the current folder or holds it; "
            "run from another folder or choose another --out"
        )
    for parent in out.absolute().parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputError(f"{parent} is not a folder, so {out} cannot be")
            return


def _is_empty(out: Path) -> bool:
    try:
        return next(out.iterdir(), None) is None
    except OSError:
        return False


def _reason(error: OSError) -> str:
    """An OS error in words, naming the path it concerns, without errno codes."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


@contextmanager
def staged(out: Path, force: bool, kind: FolderKind) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out``; on success it becomes ``out``.

    On any failure the temporary folder is removed and ``out`` is untouched.
    """
    check_target(out, force, kind)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as error:
        raise OutputError(
            f"cannot create a folder beside {out}: {_reason(error)}"
        ) from None
    try:
        yield staging
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the output is shared
        _replace(staging, out, force, kind)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {_reason(error)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_folder(
    out: Path, files: Mapping[str, str], force: bool, kind: FolderKind = DOCUMENTS
) -> None:
    """Write ``files`` (name -> text, UTF-8, LF) as the folder ``out``."""
    with staged(out, force, kind) as staging:
        for name, text in files.items():
            (staging / name).write_bytes(text.encode("utf-8"))


def _replace(staging: Path, out: Path, force: bool, kind: FolderKind) -> None:
    check_target(out, force, kind)  # again: something may have appeared meanwhile
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=staging.parent))
    try:
        os.rename(out, old / "previous")
        os.rename(staging, out)
    except OSError:
        if not out.exists() and (old / "previous").exists():
            os.rename(old / "previous", out)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def check_file(out: Path, force: bool, option: str, inputs: Inputs = ()) -> None:
    """Refuse an output file that is an input, not a regular file, or exists.

    An existing regular file is replaced only with ``force``; a symlink,
    folder, FIFO or device never is.
    """
    if not str(out).strip():
        raise UsageError(f"{option} is empty; name the file to write")
    _check_apart(out, inputs, option, folder=False)
    # What is on disk is refused as for an --out folder (exit 1); a clash with
    # the run's own inputs above is a usage error (exit 2).
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise OutputError(f"{out} exists and is not a regular file; not replacing it")
    if out.exists() and not force:
        raise OutputError(f"{out} already exists; use --force to replace it")
    for parent in out.absolute().parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputError(f"{parent} is not a folder, so {out} cannot be")
            return


def _same(out: Path, target: Path, path: Path) -> bool:
    if target == path.resolve():
        return True
    try:
        return os.path.samefile(out, path)
    except OSError:  # one of them does not exist (yet)
        return False


@contextmanager
def staged_file(
    out: Path, force: bool, option: str, inputs: Inputs = ()
) -> Iterator[Path]:
    """Yield a new empty file beside ``out``; on success it replaces ``out``.

    The checks of :func:`check_file` run before and again just before the
    replacement; on any failure the temporary file is removed and ``out`` is
    untouched.
    """
    given = tuple(inputs)
    check_file(out, force, option, given)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{out.name}.", suffix=".partial", dir=out.absolute().parent
        )
        os.close(handle)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from None
    staging = Path(name)
    try:
        yield staging
        os.chmod(staging, 0o666 & ~_umask())  # mkstemp makes it private
        check_file(out, force, option, given)  # something may have appeared
        os.replace(staging, out)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(OSError):  # a read-only disk says EROFS
            staging.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
