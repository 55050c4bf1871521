"""All-or-nothing output folders for ``document`` and ``diff``.

Files go into a temporary folder beside ``--out``, which is renamed into place
only when every file is written: an interrupted run leaves the old folder or
nothing. An existing ``--out`` is refused unless ``--force``, and even then only
replaced when it is empty or holds one of our documents, so a mistyped path
cannot wipe an unrelated folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.errors import OutputError

OUR_FILES = ("CONFIG.md", "DIFF.md")


def check_target(out: Path, force: bool) -> None:
    """Refuse an existing ``out`` without ``force``, and a folder not ours."""
    if not out.exists() and not out.is_symlink():
        return
    if not force:
        raise OutputError(f"{out} already exists; use --force to replace it")
    if out.is_symlink() or not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; not replacing it")
    if any(out.iterdir()) and not any((out / name).is_file() for name in OUR_FILES):
        raise OutputError(f"{out} holds files that are not ours; not replacing it")


def write_folder(out: Path, files: Mapping[str, str], force: bool) -> None:
    """Write ``files`` (name -> text, UTF-8, LF) as the folder ``out``."""
    check_target(out, force)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as error:
        raise OutputError(f"cannot create a folder beside {out}: {error}") from None
    try:
        for name, text in files.items():
            (staging / name).write_bytes(text.encode("utf-8"))
        os.chmod(staging, 0o755)  # mkdtemp makes it private; documents are shared
        _replace(staging, out, force)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, out: Path, force: bool) -> None:
    check_target(out, force)  # again: something may have appeared meanwhile
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
