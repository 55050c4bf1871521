"""CHANGE.md read back as Markdown: code shows the exact bytes, hashes cover all.

A change board approves what CHANGE.md shows, so an expression must read the
same in prose and in a table, and the hash command must check every listed
file, ``rules/*.xml`` included, in the form the table lists them.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from bundle_cases import sample_arguments
from conftest import run_cli
from markdown_it import MarkdownIt
from pssyntax import syntax_errors
from test_bundle_config import PARTNERS, USERS, with_user_type

MARKDOWN = MarkdownIt("commonmark").enable("table")
# A partner expression whose text holds a "|", which GFM tables must escape.
PIPE_EXPRESSION = (
    'IIF(LCase(Trim([employeeType]))="partner","Guest",'
    'IIF(LCase(Trim([employeeType]))="r|d partner","Guest","Member"))'
)


def _code_spans(markdown: str) -> list[tuple[bool, str]]:
    """(inside a table?, text) of every inline code span."""
    spans = []
    in_table = False
    for token in MARKDOWN.parse(markdown):
        if token.type in ("table_open", "table_close"):
            in_table = token.type == "table_open"
        for child in token.children or []:
            if child.type == "code_inline":
                spans.append((in_table, child.content))
    return spans


def test_an_expression_reads_the_same_in_prose_and_in_tables(tmp_path: Path) -> None:
    (tmp_path / "expr.txt").write_text(PIPE_EXPRESSION, encoding="utf-8")
    out = tmp_path / "bundle"
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        run = run_cli(
            "generate", *sample_arguments(), "--marker", "expression:@expr.txt",
            "--out", str(out),
        )  # fmt: skip
    finally:
        os.chdir(here)
    assert run.code == 0, run.stderr
    spans = _code_spans((out / "CHANGE.md").read_text(encoding="utf-8"))
    shown = {table for table, text in spans if text == PIPE_EXPRESSION}
    assert shown == {False, True}  # the expression paragraph and the rule table
    assert not [text for _, text in spans if "\\|" in text]


def _table(markdown: str) -> dict[str, str]:
    files = markdown[markdown.index("## Files") :]
    return dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", files, re.M))


def test_the_hash_command_checks_every_listed_file(tmp_path: Path) -> None:
    export = with_user_type(tmp_path)
    out = tmp_path / "bundle"
    run = run_cli(
        "generate", "--source", str(USERS), *PARTNERS, "--connect-config",
        str(export), "--marker", "upn-suffix:partners.contoso.com", "--out", str(out),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    markdown = (out / "CHANGE.md").read_text(encoding="utf-8")
    block = re.search(r"```powershell\n(.+?)\n```", markdown, re.S)
    assert block is not None
    command = block.group(1)
    assert not syntax_errors(command)
    # What the command prints: every file below the folder, its path made
    # relative with "/" (Replace('\', '/')), its digest in lower case.
    assert "Get-ChildItem -Recurse -File" in command
    assert ".Replace('\\', '/')" in command and ".Hash.ToLower()" in command
    printed = {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*")
        if p.is_file()
    }
    table = _table(markdown)
    assert any(name.startswith("rules/") for name in table)
    assert {k: v for k, v in printed.items() if not k.startswith("CHANGE.")} == table
