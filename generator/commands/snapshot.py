"""`entra-rulegen snapshot`: save a live forest's schema and users to a file.

Every other command then runs on the snapshot (``--source FILE.json``) with no
domain controller. The snapshot is written under a temporary name and renamed
once complete, so a failed read never leaves a file that looks whole.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated

import typer

from generator.commands.options import Sources, input_files, source_options
from generator.console import err
from generator.errors import DirectoryError, UsageError
from generator.model import SourceSpec
from generator.outfolder import check_file


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    @source_options
    def command(
        sources: Sources,
        out: Annotated[
            Path,
            typer.Option(
                "--out", help="The snapshot file to write (JSON).", dir_okay=False
            ),
        ],
        force: Annotated[
            bool, typer.Option("--force", help="Replace an existing --out file.")
        ] = False,
    ) -> None:
        """Save a live forest's schema and users for offline use."""
        spec = _live_spec(sources)
        check_file(out, force, "--out", input_files(sources))  # before the read
        count, forest = take_snapshot(spec, sources, out, force=force)
        err.print(
            f"wrote {count:,} users of {forest} to {out}", markup=False, highlight=False
        )


def _live_spec(sources: Sources) -> SourceSpec:
    if len(sources.specs) != 1:
        raise UsageError("snapshot reads exactly one --source ldap[s]://HOST")
    spec = sources.specs[0]
    if not spec.source.lower().startswith(("ldap://", "ldaps://")):
        raise UsageError(
            f"snapshot reads a live directory; {spec.source!r} is not ldap[s]://HOST"
        )
    if spec.schema:
        raise UsageError("snapshot reads the live schema; drop --schema")
    return spec


def take_snapshot(
    spec: SourceSpec, sources: Sources, out: Path, *, force: bool = False
) -> tuple[int, str]:
    """Read the forest once and stream it into ``out``; returns (users, forest)."""
    # Imported here: they pull in ldap3, which other commands do not need.
    from generator.readers.ldap import open_ldap  # noqa: PLC0415
    from generator.readers.snapshot import write_snapshot  # noqa: PLC0415

    source = open_ldap(spec, sources.live)
    try:
        forest = source.forest
        users = source.users()
        # The reader decides what a GC read cannot see when the search starts,
        # and the header, written before the users, must say so.
        first = next(users, None)
        if first is None:  # a snapshot no command could read (no users)
            raise DirectoryError(
                f"no user objects under {source.base_dn or 'the forest'!r}; "
                "nothing to save (check --base-dn)",
                host=source.target.address,
            )
        count = write_snapshot(
            out,
            source=source.name,
            forest=forest,
            base_dn=source.base_dn,
            schema=source.schema(),
            users=itertools.chain(() if first is None else (first,), users),
            unreadable=source.unreadable_attributes,
            force=force,
            inputs=input_files(sources),
        )
    finally:
        source.close()
    return count, forest
