"""`entra-rulegen document` on the real export and on edited, hostile copies.

The golden Markdown is regenerated with one command, then reviewed as a diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_document.py
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import run_cli
from connect_copies import (
    AD_CONNECTOR_FILE,
    EXPORT,
    HOSTILE,
    add_rule,
    copy_export,
    edit,
    rename_connector,
    rule_file,
    user_type_rules,
)
from markdown_it import MarkdownIt

from generator.connect.exprtext import normalise
from generator.connect.xmlio import read_configuration, read_rule
from generator.document import build, render_document

GOLDEN = Path(__file__).resolve().parent / "golden" / "document"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _document(export: Path, out: Path, *extra: str) -> dict[str, str]:
    run = run_cli(
        "document", "--connect-config", str(export), "--out", str(out), *extra
    )
    assert run.code == 0, run.stderr
    return {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}


@pytest.mark.parametrize(
    ("golden", "extra"),
    [("CONFIG.md", ()), ("CONFIG-custom-only.md", ("--custom-only",))],
)
def test_real_export_matches_golden(
    tmp_path: Path, golden: str, extra: tuple[str, ...]
) -> None:
    files = _document(EXPORT, tmp_path / "doc", *extra)
    assert sorted(files) == ["CONFIG.html", "CONFIG.md"]
    path = GOLDEN / golden
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files["CONFIG.md"].encode("utf-8"))
    assert path.is_file(), f"no golden file; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert (tmp_path / "doc" / "CONFIG.md").read_bytes() == path.read_bytes()


def test_every_rule_and_expression_is_documented() -> None:
    config = read_configuration(EXPORT)
    text = render_document(config)["CONFIG.md"]
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    headings = [
        "".join(child.content for child in tokens[i + 1].children or ())
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h4"
    ]
    assert sorted(headings) == sorted(
        f"{r.precedence} · {r.name}" for r in config.rules
    )
    blocks = [t.content.rstrip("\n") for t in tokens if t.type == "fence"]
    expressions = [f.expression for r in config.rules for f in r.flows if f.expression]
    assert len(blocks) == len(expressions) == 391
    assert sorted(map(normalise, blocks)) == sorted(map(normalise, expressions))
    # Every table the document promises renders as a table (no glued lines).
    doc = build(config)
    tables = (
        1
        + sum(bool(c.partitions) for c in config.connectors)
        + len(doc.groups)
        + sum(
            bool(r.scope_groups) + bool(r.join_groups) + bool(r.flows)
            for r in config.rules
        )
        + len(doc.object_types)
    )
    assert sum(t.type == "table_open" for t in tokens) == tables
    # Pretty-printed: no line of a block is longer than the longest one-liner needs.
    assert max(len(line) for b in blocks for line in b.splitlines()) < 130


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_metaverse_contributors_in_precedence_order() -> None:
    config = read_configuration(EXPORT)
    text = render_document(config)["CONFIG.md"]
    section = _section(text, "Metaverse attributes and their contributors")
    row = next(
        line for line in section.splitlines() if line.startswith("| `displayName` |")
    )
    precedences = [int(p) for p in re.findall(r"(?:\| |<br>)(\d+) \[", row)]
    expected = sorted(
        r.precedence
        for r in config.rules
        if r.direction.value == "Inbound"
        and r.target_object_type == "person"
        and any(f.destination == "displayName" for f in r.flows)
    )
    assert precedences == expected and len(expected) >= 3


def test_user_type_section_on_an_old_build() -> None:
    text = render_document(read_configuration(EXPORT))["CONFIG.md"]
    section = _section(text, "userType")
    assert "Metaverse `person` has `userType`: no" in section
    assert "1.1.524.0" in section
    assert "not selected on the Entra ID connector" in section
    assert "No rule writes userType" in section


def test_user_type_contributors_and_verdicts(tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    inbound, outbound = user_type_rules()  # Microsoft's doc expression: InStr + Error
    add_rule(export, inbound)
    add_rule(export, outbound)
    edit(
        export / "Connectors" / "Connector_{b891884f-051e-4a83-95af-2544101c9083}.xml",
        "<attribute>usageLocation</attribute>",
        "<attribute>usageLocation</attribute><attribute>userType</attribute>",
    )
    text = _document(export, tmp_path / "doc")["CONFIG.md"]
    section = _section(text, "userType")
    assert "not selected on the Entra ID connector" not in section
    rows = [line for line in section.splitlines() if line.startswith("| 9")]
    assert [r.split(" | ")[0] for r in rows] == ["| 90", "| 91"]
    inbound_row, outbound_row = rows
    # The linter's verdicts on Microsoft's doc expression: contains-test, Error().
    assert inbound_row.count("blocker:") >= 2
    assert "InStr" in inbound_row and "Error()" in inbound_row
    assert outbound_row.endswith("| passes our checks |")


def test_custom_only_folds_out_of_box_rules(tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    for rule in user_type_rules():
        add_rule(export, rule)
    text = _document(export, tmp_path / "doc", "--custom-only")["CONFIG.md"]
    headings = re.findall(r"^#### (.*)$", text, flags=re.M)
    assert headings == [
        "90 · In from AD - User UserType",
        "91 · Out to AAD - User UserType",
    ]
    assert "shows 2 of 64 rules" in text


def _hostile_export(tmp_path: Path) -> Path:
    export = copy_export(tmp_path)
    common = rule_file(export, "In from AD - User Common")
    edit(common, "<name>In from AD - User Common<", f"<name>{escape(HOSTILE)}<")
    rename_connector(export, AD_CONNECTOR_FILE, "contoso.com", "evil`|<b>co</b>\n$(x)")
    add_rule(export, user_type_rules(name=HOSTILE)[0])
    return export


def test_hostile_names_are_escaped_in_markdown(tmp_path: Path) -> None:
    text = _document(_hostile_export(tmp_path), tmp_path / "doc")["CONFIG.md"]
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<b>" not in rendered
    assert "<em>" not in rendered  # *z* stayed text
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert shown.count(HOSTILE.replace("\n", " ")) >= 2  # heading and tables
    # The summary rows keep their five cells despite the | in the names.
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    for i, token in enumerate(tokens):
        if token.type == "tr_open" and "User Common" in tokens[i + 4].content:
            cells = 0
            for t in tokens[i + 1 :]:
                if t.type == "tr_close":
                    break
                cells += t.type == "td_open"
            assert cells == 5


def test_hostile_names_are_escaped_in_html(tmp_path: Path) -> None:
    text = _document(_hostile_export(tmp_path), tmp_path / "doc")["CONFIG.html"]
    assert "<script" not in text and "<b>co" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert HOSTILE in _rule_names(text)
    assert "evil`|&lt;b&gt;co&lt;/b&gt;\n$(x)" in text


def _rule_names(page: str) -> list[str]:
    spans = re.findall(r'<span class="rule-name">(.*?)</span>', page, re.S)
    return [html.unescape(span) for span in spans]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
def test_html_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed and CI is set")
        pytest.skip("CHROMIUM IS NOT INSTALLED: the CONFIG.html check did not run")
    page = _document(_hostile_export(tmp_path), tmp_path / "doc")["CONFIG.html"]
    assert page
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run",
                f"--user-data-dir={profile}", "--dump-dom",
                (tmp_path / "doc" / "CONFIG.html").as_uri(),
            ],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout  # fmt: skip
    assert "<script" not in dom  # no hostile name became an element
    assert "<b>co</b>" not in dom
    names = _rule_names(dom)
    assert HOSTILE in names  # shown as text, line break and all
    assert len(names) == 63
    assert "63 synchronization rules (62 out-of-box, 1 custom, 0 disabled)" in dom
    verdicts = re.findall(r'<table id="usertype-rules">.*?</table>', dom, re.S)
    assert len(verdicts) == 1 and 'class="bad"' in verdicts[0]


def test_out_is_refused_when_it_exists_and_replaced_with_force(tmp_path: Path) -> None:
    out = tmp_path / "doc"
    args = ["document", "--connect-config", str(EXPORT), "--out", str(out)]
    assert run_cli(*args).code == 0
    before = (out / "CONFIG.md").read_bytes()
    (out / "CONFIG.md").write_bytes(before + b"\nold\n")
    run = run_cli(*args)
    assert run.code == 1 and "--force" in run.stderr
    assert (out / "CONFIG.md").read_bytes() == before + b"\nold\n"
    run = run_cli(*args, "--force")
    assert run.code == 0
    assert (out / "CONFIG.md").read_bytes() == before


@pytest.mark.parametrize("name", ["CONFIG.md", "CONFIG.html", "DIFF.md"])
def test_force_does_not_replace_a_document_of_someone_else(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "doc"
    out.mkdir()
    (out / name).write_text("# My own notes on the sync server\n")
    run = run_cli(
        "document", "--connect-config", str(EXPORT), "--out", str(out), "--force"
    )
    assert run.code == 1
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: {out} holds a {name} that entra-rulegen did not "
        "write, so it is not a document folder this tool wrote; not replacing it "
        "(move it away, or choose another --out)"
    ]
    assert (out / name).read_text() == "# My own notes on the sync server\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc"]  # no staging left


def test_force_does_not_replace_a_folder_that_is_not_ours(tmp_path: Path) -> None:
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    run = run_cli(
        "document", "--connect-config", str(EXPORT), "--out", str(out), "--force"
    )
    assert run.code == 1 and "holds thesis.docx, which is not part" in run.stderr
    assert (out / "thesis.docx").read_text() == "precious"


def test_force_keeps_an_admins_notes_beside_a_document(tmp_path: Path) -> None:
    out = tmp_path / "doc"
    args = ["document", "--connect-config", str(EXPORT), "--out", str(out)]
    assert run_cli(*args).code == 0
    before = (out / "CONFIG.md").read_bytes()
    (out / "notes").mkdir()
    run = run_cli(*args, "--force")
    assert run.code == 1
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: {out} holds notes, which is not part of a document "
        "folder; not replacing it (move it away, or choose another --out)"
    ]
    assert (out / "CONFIG.md").read_bytes() == before and (out / "notes").is_dir()


def test_broken_export_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    victim = rule_file(export, "In from AD - User Join")
    edit(victim, "</linkType>", "</linktype>")
    out = tmp_path / "doc"
    run = run_cli("document", "--connect-config", str(export), "--out", str(out))
    assert run.code == 1
    (line,) = run.stderr.strip().splitlines()
    broken_line = (
        victim.read_text().splitlines().index("  <linkType>Provision</linktype>")
    )
    assert f"{victim}:{broken_line + 1}:" in line and "Traceback" not in run.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


def test_elements_of_newer_builds_are_reported_not_fatal(tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    edit(
        rule_file(export, "In from AD - User Join"),
        "</EnablePasswordSync>",
        "</EnablePasswordSync>\n  <IsLegacyCustomRule>false</IsLegacyCustomRule>",
    )
    run = run_cli(
        "document", "--connect-config", str(export), "--out", str(tmp_path / "doc")
    )
    assert run.code == 0
    assert "elements not read: IsLegacyCustomRule" in run.stderr


def test_overview_names_disabled_rules_and_free_precedences(tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    edit(
        rule_file(export, "In from AD - User Join"), "<disabled>False", "<disabled>True"
    )
    edit(
        rule_file(export, "In from AD - User Common"),
        "<disabled>False",
        "<disabled>True",
    )
    clone = replace(
        read_rule(rule_file(export, "In from AD - User Common")),
        id="{5a1d0c2e-0000-4000-8000-00000000000a}",
        internal_id="",
        name="In from AD - User Common (Contoso)",
        immutable_tag="",
        disabled=False,
        precedence=7,
    )
    add_rule(export, clone)
    text = _document(export, tmp_path / "doc")["CONFIG.md"]
    overview = text[: text.index("Contents:")]
    assert "free for custom rules (1–99): 98, lowest 1, 2, 3, 4, 5." in overview
    assert "In from AD - User Join is disabled and no enabled copy" in overview
    assert (
        "In from AD - User Common is disabled; enabled copies: "
        "In from AD - User Common (Contoso) (precedence 7)"
    ) in overview


def test_an_expression_with_backtick_fences_stays_one_code_block(
    tmp_path: Path,
) -> None:
    export = copy_export(tmp_path)
    sneaky = 'IIF([a]="```\n# not a heading\n````","Guest","Member")'
    add_rule(export, user_type_rules(expression=sneaky)[0])
    text = _document(export, tmp_path / "doc", "--custom-only")["CONFIG.md"]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    fences = [t.content.rstrip("\n") for t in tokens if t.type == "fence"]
    assert fences.count(sneaky) == 2  # the rule's flows and the userType section
    assert not [t for t in tokens if t.type == "heading_open" and t.tag == "h1"][1:]
