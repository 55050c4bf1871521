"""Writing the bundle: one encoding per file kind, and all-or-nothing placement.

Files are written into a temporary folder beside ``--out`` and the folder is
moved into place only when every file is complete (:mod:`generator.outfolder`),
so an interrupted or failed run leaves either the old bundle or nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from generator import outfolder
from generator.errors import OutputError

BOM = "\ufeff"


def encoding_for(relative: str) -> tuple[bool, str]:
    """(with BOM, line end) for a bundle file, from PRODUCT.md's rules.

    Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page, so
    scripts carry a BOM and CRLF; Excel needs the BOM to read CSV as UTF-8.
    """
    suffix = PurePosixPath(relative).suffix.lower()
    if suffix == ".ps1":
        return True, "\r\n"
    if suffix == ".csv":
        return True, "\n"
    return False, "\n"


class BundleFolder:
    """The temporary folder a bundle is written into, with each file's digest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.digests: dict[str, str] = {}

    def write_text(self, relative: str, chunks: Iterable[str]) -> None:
        """Write text chunks with the file kind's BOM and line ends."""
        bom, newline = encoding_for(relative)
        digest = hashlib.sha256()
        path = self._path(relative)
        with path.open("wb") as handle:
            if bom:
                handle.write(BOM.encode("utf-8"))
                digest.update(BOM.encode("utf-8"))
            for text in _joined(chunks):
                if "\r" in text:
                    raise OutputError(f"{relative}: a carriage return reached the text")
                data = text.replace("\n", newline).encode("utf-8")
                handle.write(data)
                digest.update(data)
        self.digests[relative] = digest.hexdigest()

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write bytes produced elsewhere (rule XML from the configuration writer)."""
        self._path(relative).write_bytes(data)
        self.digests[relative] = hashlib.sha256(data).hexdigest()

    def open_text(self, relative: str) -> TextSink:
        """A sink for streamed text (CSV rows), closed by the caller."""
        return TextSink(self, relative)

    def _path(self, relative: str) -> Path:
        path = self.root / PurePosixPath(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def _joined(chunks: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Templates yield many small chunks; handle them some 64 KiB at a time."""
    batch: list[str] = []
    held = 0
    for chunk in chunks:
        batch.append(chunk)
        held += len(chunk)
        if held >= size:
            yield "".join(batch)
            batch.clear()
            held = 0
    if batch:
        yield "".join(batch)


class TextSink:
    """A write()-able text file with the bundle's encoding rules (for csv)."""

    def __init__(self, folder: BundleFolder, relative: str) -> None:
        self._folder = folder
        self._relative = relative
        self._bom, self._newline = encoding_for(relative)
        self._digest = hashlib.sha256()
        self._handle = folder._path(relative).open("wb")
        if self._bom:
            self._put(BOM)

    def write(self, text: str) -> int:
        self._put(text.replace("\r\n", "\n").replace("\n", self._newline))
        return len(text)

    def close(self) -> None:
        self._handle.close()
        self._folder.digests[self._relative] = self._digest.hexdigest()

    def _put(self, text: str) -> None:
        data = text.encode("utf-8")
        self._handle.write(data)
        self._digest.update(data)


def check_target(out: Path, force: bool, inputs: outfolder.Inputs = ()) -> None:
    """Refuse an existing ``--out`` without ``--force``, one not only a bundle,
    and one that holds or lies in an input of the run."""
    outfolder.check_target(out, force, outfolder.BUNDLE, inputs)


@contextmanager
def staged_bundle(out: Path, force: bool) -> Iterator[BundleFolder]:
    """Yield a temporary folder beside ``out``; move it into place on success."""
    with outfolder.staged(out, force, outfolder.BUNDLE) as staging:
        yield BundleFolder(staging)
