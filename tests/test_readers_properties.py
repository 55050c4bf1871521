"""Round trips with generated values: whatever is written comes back the same."""

from __future__ import annotations

import base64
import csv
import io
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from conftest import DATA, SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import InputError
from generator.model import SourceSpec, User
from generator.readers import open_source
from generator.readers.ldif_feed import Unusual
from generator.readers.ldif_file import _careful_records, _fast_records, read_records

# Text an attribute value can hold: no NUL, no surrogates (not encodable).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)
NAMES = st.sampled_from(["description", "department", "employeeType", "title", "info"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])


def ldif_line(name: str, value: str, width: int) -> str:
    """One attribute line as RFC 2849 wants it, folded at ``width``."""
    safe = value.isascii() and value.isprintable() and value == value.strip()
    safe = safe and not value.startswith((":", "<"))
    if safe:
        line = f"{name}: {value}"
    else:
        line = f"{name}:: {base64.b64encode(value.encode()).decode()}"
    parts = [line[:width]] + [
        " " + line[i : i + width - 1] for i in range(width, len(line), width - 1)
    ]
    return "\n".join(parts)


def read_back(text: str, suffix: str, encoding: str) -> list[User]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"users{suffix}"
        path.write_bytes(text.encode(encoding))
        return list(open_source(SourceSpec(str(path))).users())


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.tuples(NAMES, TEXT), min_size=1, max_size=6),
    width=st.integers(min_value=20, max_value=90),
    encoding=ENCODINGS,
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_ldif_round_trip(
    values: list[tuple[str, str]], width: int, encoding: str, newline: str
) -> None:
    lines = ["dn: CN=u1,OU=Staff,DC=x,DC=example", "objectClass: user"]
    lines += [ldif_line(name, value, width) for name, value in values]
    text = newline.join("\n".join(lines).split("\n")) + newline
    (user,) = read_back(text, ".ldf", encoding)
    for name, _ in values:
        expected = tuple(v for n, v in values if n == name)
        assert user.values(name) == expected


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(TEXT.filter(lambda v: ";" not in v), min_size=1, max_size=4),
    encoding=ENCODINGS,
)
def test_csv_round_trip(values: list[str], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["DN", *(f"extensionAttribute{i}" for i in range(1, len(values) + 1))]
    writer.writerow(header)
    writer.writerow(["CN=u1,DC=x,DC=example", *values])
    (user,) = read_back(buffer.getvalue(), ".csv", encoding)
    for index, value in enumerate(values, 1):
        assert user.values(f"extensionAttribute{index}") == (value,)


def outcome(read: Callable[[Path], Iterable[object]], path: Path) -> object:
    """What a reading path makes of a file: its records, or the error it raises."""
    try:
        return list(read(path))
    except (Unusual, ValueError, IndexError) as error:
        return type(error)
    except InputError as error:
        return str(error)


def careful_and_fast(path: Path) -> tuple[object, object]:
    return outcome(_careful_records, path), outcome(_fast_records, path)


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.tuples(NAMES, TEXT), min_size=1, max_size=5),
    width=st.integers(min_value=20, max_value=90),
    damage=st.sampled_from(
        [
            *["", " ", "=", "!", ":", "\r", "#", "\n-\n", "\n\n", "\n ", "\n#c\n"],
            *["x:: A=B\n", "dn: CN=y\n", "changetype: modify\n", "a b: c\n"],
            *["\nsearch: 2\n", "\n\nresult: 0\n", "\n\nsn: x\n", "AA==\n"],
        ]
    ),
    where=st.integers(min_value=0, max_value=400),
)
def test_fast_path_agrees_with_the_careful_path(
    values: list[tuple[str, str]], width: int, damage: str, where: int
) -> None:
    lines = ["dn: CN=u1,OU=Staff,DC=x,DC=example", "objectClass: user"]
    lines += [ldif_line(name, value, width) for name, value in values]
    text = "\n".join(lines) + "\n"
    cut = min(where, len(text))
    text = text[:cut] + damage + text[cut:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "users.ldf"
        path.write_text(text, encoding="utf-8")
        careful, fast = careful_and_fast(path)
        combined = outcome(read_records, path)
    # What the fast path vouches for is exactly what the careful path reads,
    # and where it stops, read_records ends as the careful path does.
    if isinstance(fast, list):
        assert fast == careful
    assert combined == careful


def test_fast_path_reads_every_shipped_and_real_export(real_inputs: Path) -> None:
    exports = real_inputs / "ad-exports"
    paths = [
        exports / "ldapsearch-samba-users.ldif",
        exports / "ldapsearch-samba-schema.ldif",
        SAMPLES / "alderbrook-users.ldf",
        SAMPLES / "alderbrook-schema.ldf",
        DATA / "readers" / "ldifde-ansi.ldf",
        DATA / "readers" / "ldifde-unicode.ldf",
    ]
    for path in paths:
        careful, fast = careful_and_fast(path)
        assert isinstance(fast, list), path  # no fallback on well-formed files
        assert fast == careful, path
