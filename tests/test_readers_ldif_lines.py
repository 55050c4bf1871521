"""LDIF line forms ldifde and ldapsearch write, read through the public reader.

Comments, a ``version:`` line, ``changetype: add``, folded lines, base64 values
and ``-`` separator lines inside an add record (which some tools write) all
belong to one user's record; none of them ends or spoils it.
"""

from __future__ import annotations

import base64
from pathlib import Path

from generator.model import SourceSpec
from generator.readers import open_source

UPN = "Jürgen.Weiß@partners.contoso.example"
TEXT = (
    "# exported by ldifde\n"
    "version: 1\n"
    "\n"
    "# the only user\n"
    "dn: CN=Jürgen Weiß,OU=Partners,\n"
    " DC=contoso,DC=example\n"
    "changetype: add\n"
    "objectClass: top\n"
    "objectClass: user\n"
    "sAMAccountName: jweiss\n"
    "-\n"
    f"userPrincipalName:: {base64.b64encode(UPN.encode()).decode()}\n"
    "# a comment between attributes\n"
    "department: Supply\n"
    " Chain\n"
    "-\n"
    "\n"
)


def _users(path: Path) -> list[tuple[str, dict[str, tuple[object, ...]]]]:
    return [
        (u.dn, dict(u.attributes)) for u in open_source(SourceSpec(str(path))).users()
    ]


def test_separator_comments_folds_and_base64_keep_one_whole_record(
    tmp_path: Path,
) -> None:
    for encoding, bom in (("utf-8", b""), ("utf-16-le", b"\xff\xfe")):
        path = tmp_path / f"one-{encoding}.ldf"
        path.write_bytes(bom + TEXT.replace("\n", "\r\n").encode(encoding))
        ((dn, attributes),) = _users(path)
        assert dn == "CN=Jürgen Weiß,OU=Partners,DC=contoso,DC=example"
        assert attributes["samaccountname"] == ("jweiss",)
        assert attributes["userprincipalname"] == (UPN,)
        assert attributes["department"] == ("SupplyChain",)
        assert attributes["objectclass"] == ("top", "user")
