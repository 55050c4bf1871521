"""Hostile connector and rule names through generate, document and diff (issue #9).

The real configuration export is copied to a temporary folder (never into the
project) and its AD connector, Entra connector and one rule are renamed to
hostile text. ``generate`` must carry the connector names into the scripts as
literals that read back unchanged; ``document`` must show the rule name as
text in CONFIG.md; ``diff --json`` must name it exactly. Names XML cannot hold
are not drawn: the configuration export could not contain them.

DEL and the C1 controls (U+007F..U+009F) are valid XML. Like the C0 controls,
Markdown text cannot show them and a PowerShell literal cannot hold DEL, so a
name holding one is refused: exit 1, one line naming the character by its code
point, and no output folder.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import psquote
import pytest
from conftest import REAL_INPUTS, SAMPLES, run_cli
from hostile import hostile_text
from hypothesis import HealthCheck, assume, example, given, settings
from lxml import etree, html
from markdown_it import MarkdownIt
from pssyntax import syntax_errors

from generator.connect.xmlio import read_configuration, read_rule
from generator.expressions import compile_expression

CONFIG = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"
AD = "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml"
ENTRA = "Connector_{b891884f-051e-4a83-95af-2544101c9083}.xml"
RULE = "SynchronizationRule_{c93c2c84-f29f-4d43-bc3b-fa439a2fb1c1}.xml"
NAME_EXAMPLES = 8
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What Markdown text refuses (C0 controls cannot reach it from XML), and what a
# PowerShell single-quoted literal refuses.
_NOT_MARKDOWN = re.compile("[\x7f-\x9f]")
_NOT_PS = re.compile("[\r\n\x7f]")
USERS = """dn: CN=Emp One,OU=CORP,DC=contoso,DC=com
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: user
sAMAccountName: emp1
userPrincipalName: emp1@contoso.com

dn: CN=Pat Ner,OU=CORP,DC=contoso,DC=com
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: user
sAMAccountName: pner
userPrincipalName: pner@partners.contoso.com
"""
OUTCOMES: Counter[str] = Counter()


def xml_names() -> object:
    return hostile_text(6).filter(lambda v: v.strip() and not _NOT_XML.search(v))


def rename(path: Path, name: str) -> None:
    tree = etree.parse(str(path))
    tree.getroot().find("name").text = name
    path.write_bytes(etree.tostring(tree, encoding="utf-8"))


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export with its connectors, metaverse and a few rules (for speed)."""
    target = tmp_path_factory.mktemp("config") / "contoso-pilot"
    shutil.copytree(CONFIG / "Connectors", target / "Connectors")
    shutil.copytree(CONFIG / "GlobalSettings", target / "GlobalSettings")
    rules = sorted((CONFIG / "SynchronizationRules").glob("*.xml"))
    keep = {CONFIG / "SynchronizationRules" / RULE, *rules[:4]}
    (target / "SynchronizationRules").mkdir()
    for path in keep:
        shutil.copy(path, target / "SynchronizationRules" / path.name)
    add_user_type(target / "GlobalSettings" / "MV.xml")
    return target


def add_user_type(path: Path) -> None:
    """Give the 2016 export's metaverse ``userType`` (Connect 1.1.524.0 added it)."""
    text = path.read_text(encoding="utf-8")
    first = '<dsml:attribute-type id="accountEnabled"'
    declared = (
        '<dsml:attribute-type id="userType" single-value="true">'
        "<dsml:name>userType</dsml:name>"
        "<dsml:syntax>1.3.6.1.4.1.1466.115.121.1.15</dsml:syntax>"
        "</dsml:attribute-type>\n        "
    )
    used = '<dsml:attribute ref="#accountEnabled" required="false" />'
    text = text.replace(first, declared + first, 1)
    text = text.replace(
        used, used + '<dsml:attribute ref="#userType" required="false" />', 1
    )
    path.write_text(text, encoding="utf-8")


@settings(
    max_examples=NAME_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(connector=xml_names(), entra=xml_names(), rule=xml_names())
@example(connector="AD\x7fforest", entra="Entra", rule="Rule")  # DEL: refused
@example(connector="AD", entra="Entra\x85", rule="Rule")  # C1: refused in Markdown
def test_hostile_names(original: Path, connector: str, entra: str, rule: str) -> None:
    assume(connector != entra)  # the sync service keeps connector names unique
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = work / "config"
        shutil.copytree(original, config)
        rename(config / "Connectors" / AD, connector)
        rename(config / "Connectors" / ENTRA, entra)
        rename(config / "SynchronizationRules" / RULE, rule)
        read = read_configuration(config)
        names = {c.name for c in read.connectors}
        rule_name = next(r.name for r in read.rules if r.source.name == RULE)
        kept = {connector, entra} <= names and rule_name == rule
        OUTCOMES[f"names kept exactly by the reader: {kept}"] += 1
        check_generate(work, config, read, names=(connector, entra, rule))
        check_document(work, config, rule_name, names=(connector, entra, rule))
        renamed_rule_only = work / "rule-only"
        shutil.copytree(original, renamed_rule_only)
        rename(renamed_rule_only / "SynchronizationRules" / RULE, rule)
        check_diff(original, renamed_rule_only, rule_name)


def check_generate(
    work: Path, config: Path, read: object, names: Sequence[str]
) -> None:
    source = work / "users.ldf"
    source.write_text(USERS, encoding="utf-8")
    out = work / "bundle"
    result = run_cli(
        "generate",
        "--source",
        str(source),
        "--schema",
        str(SAMPLES / "alderbrook-schema.ldf"),
        "--partner-suffix",
        "partners.contoso.com",
        "--marker",
        "upn-suffix:partners.contoso.com",
        "--connect-config",
        str(config),
        "--out",
        str(out),
    )
    OUTCOMES[f"generate exit {result.code}"] += 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    connectors = [c.name for c in read.connectors]  # type: ignore[attr-defined]
    if any(_NOT_PS.search(name) for name in connectors):
        assert result.code == 1, "a connector name no literal can hold was written"
    if result.code == 1:
        assert_refused(result.stderr, names)
    if result.code != 0:
        assert not out.exists()
        assert result.code in (1, 3), result.stderr
        return
    literals: list[str] = []
    for script in out.glob("*.ps1"):
        text = script.read_bytes().decode("utf-8-sig")
        assert syntax_errors(text) == [], script.name
        literals += psquote.single_quoted(text)
    for connector in read.connectors:  # type: ignore[attr-defined]
        assert connector.name in literals, connector.name
    rules = sorted((out / "rules").glob("*.xml"))
    assert rules, "with a configuration the bundle carries rule files"
    for path in rules:  # every emitted expression parses and compiles
        for flow in read_rule(path).flows:
            if flow.expression:
                compile_expression(flow.expression)
                OUTCOMES["rule-file expressions compiled"] += 1


def assert_refused(stderr: str, names: Sequence[str]) -> None:
    """One line that names a character of ``names`` no output can hold."""
    assert len(stderr.splitlines()) == 1, stderr
    found = re.search(
        r"cannot write .* it holds (?:the control character|a line break) "
        r"U\+([0-9A-F]{4})$",
        stderr.strip(),
    )
    assert found, stderr
    assert chr(int(found.group(1), 16)) in "".join(names), stderr


def check_document(
    work: Path, config: Path, rule: str, names: Sequence[str] = ()
) -> None:
    """CONFIG.md shows every name as text, or no folder and one line say why."""
    out = work / "doc"
    result = run_cli("document", "--connect-config", str(config), "--out", str(out))
    OUTCOMES[f"document exit {result.code}"] += 1
    shown = (rule, *names)
    if any(_NOT_MARKDOWN.search(name) for name in shown):
        assert result.code == 1, "a control character was written as Markdown text"
        assert "into Markdown text" in result.stderr, result.stderr
        assert_refused(result.stderr, shown)
        assert not out.exists()
        return
    assert result.code == 0, result.stderr
    markdown = (out / "CONFIG.md").read_text(encoding="utf-8")
    shown = rendered_text(markdown)
    assert _flat(rule).strip() in shown, rule
    page = html.fromstring((out / "CONFIG.html").read_bytes())
    assert " ".join(rule.split()) in " ".join(page.text_content().split()), rule
    assert tag_counts(page) == BASELINE.setdefault("CONFIG.html", tag_counts(page))


BASELINE: dict[str, Counter[str]] = {}


def tag_counts(page: html.HtmlElement) -> Counter[str]:
    """Elements and attributes per tag: a name must add none."""
    found: Counter[str] = Counter()
    for element in page.iter():
        if isinstance(element.tag, str):
            found[element.tag] += 1
            found.update(f"{element.tag}@{name}" for name in element.attrib)
    return found


def check_diff(original: Path, config: Path, rule: str) -> None:
    out = config.parent / "diff"
    result = run_cli(
        "diff",
        "--connect-config",
        str(original),
        "--connect-config",
        str(config),
        "--json",
        "--out",
        str(out),
    )
    OUTCOMES[f"diff exit {result.code}"] += 1
    if _NOT_MARKDOWN.search(rule):  # DIFF.md cannot show it: refused, one line
        assert result.code == 1, "a control character was written as Markdown text"
        assert_refused(result.stderr, [rule])
        assert not out.exists() and not result.stdout
        return
    assert result.code == 4, result.stderr
    document = json.loads(result.stdout)
    assert any(rule in text for text in strings(document)), rule
    shown = rendered_text((out / "DIFF.md").read_text(encoding="utf-8"))
    assert _flat(rule).strip() in shown, rule


def strings(value: object) -> list[str]:
    """Every string inside a JSON document, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def rendered_text(markdown: str) -> str:
    """What a reader sees: the text of every inline, one per line."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    lines = []
    for token in tokens:
        if token.type == "inline":
            lines.append("".join(c.content for c in token.children or []))
    return "\n".join(lines)


def _flat(value: str) -> str:
    return re.sub(r"[\r\n]+", " ", value)


def test_hostile_names_figures(figures: Counter[str]) -> None:
    for key, count in OUTCOMES.items():
        figures[f"hostile names: {key}"] += count
    assert sum(v for k, v in OUTCOMES.items() if k.startswith("document")) >= (
        NAME_EXAMPLES
    )


@pytest.mark.parametrize(
    "rule", ["a\x7fb", "b\x85", "Tab\there", "  padded  ", "x]%y%"]
)
def test_odd_rule_names(original: Path, rule: str, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(original, config)
    rename(config / "SynchronizationRules" / RULE, rule)
    read = read_configuration(config)
    name = next(r.name for r in read.rules if r.source.name == RULE)
    check_document(tmp_path, config, name)
    check_diff(original, config, name)
