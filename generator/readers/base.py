"""What every file source shares: its name, its forest, its schema."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import replace
from pathlib import Path

from generator.errors import InputError
from generator.model import SourceSpec, User, forest_from_dn
from generator.schema import Schema


class FileSource:
    """A directory export on disk; subclasses say how to read the users.

    ``users()`` reopens the file on every call, so a command may read it twice
    without keeping anything in memory between the passes.
    """

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.path = Path(spec.source)
        self._forest = spec.forest.lower() if spec.forest else None
        self._schema: Schema | None = None

    @property
    def name(self) -> str:
        return self.spec.source

    @property
    def forest(self) -> str:
        """``--forest``, else the DC= parts of the first user's DN."""
        if self._forest is None:
            first = next(self._read(), None)
            self._forest = forest_from_dn(first.dn) if first else ""
        return self._forest

    @property
    def unreadable_attributes(self) -> frozenset[str]:
        """Attributes the export could not see (none for a plain export)."""
        return frozenset()

    @property
    def held_attributes(self) -> frozenset[str] | None:
        """The attributes the export has a place for (lower-cased), or None
        when each entry lists its own: an attribute an LDIF entry lacks is
        empty, a column a CSV header lacks is unknown."""
        return None

    def schema(self) -> Schema | None:
        if self._schema is None and self.spec.schema:
            from generator.readers.schema_file import read_schema  # noqa: PLC0415

            self._schema = read_schema(Path(self.spec.schema))
        return self._schema

    def users(self, attributes: Collection[str] | None = None) -> Iterator[User]:
        """Stream the users, each carrying only ``attributes`` when given.

        A file holds what it holds: ``attributes`` narrows the User objects, it
        does not make the read cheaper as it does for a live directory.
        A file without a single user is refused: every later step would
        report "0 users" findings that hide the real problem, the wrong file.
        """
        wanted = None if attributes is None else {a.lower() for a in attributes}
        empty = True
        for user in self._read():
            empty = False
            if self._forest is None:
                self._forest = forest_from_dn(user.dn)
            yield _narrow(user, wanted, self._forest)
        if empty:
            raise InputError(
                "holds no user records (objects of class user or inetOrgPerson)",
                path=self.path,
            )

    def _read(self) -> Iterator[User]:
        raise NotImplementedError


def _narrow(user: User, wanted: set[str] | None, forest: str) -> User:
    kept = user.attributes
    if wanted is not None:
        kept = {k: v for k, v in kept.items() if k in wanted}
    return replace(user, attributes=kept, forest=forest)
