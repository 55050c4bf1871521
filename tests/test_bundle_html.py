"""CHANGE.html opened in headless Chromium: what the page shows, and nothing fetched.

Needs Debian's ``chromium``. Without it the tests skip loudly, unless CI=true,
where a missing browser fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from bundle_cases import generate
from bundle_fixtures import HOSTILE, analysis, outcomes_of

from generator.bundle import write_bundle

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
SECTIONS = [
    "Summary",
    "Partner population and marker",
    "Findings",
    "The rules",
    "Attribute selections",
    "Preview",
    "Steps",
    "Verification",
    "Rollback",
    "Risks and follow-ups",
    "Files",
]


@pytest.fixture(scope="module")
def browser() -> str:
    if BROWSER is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; CI must install it (apt chromium)")
        pytest.skip("SKIPPED LOUDLY: chromium is not installed; HTML not checked")
    return BROWSER


def shown(browser: str, page: Path, tmp_path: Path) -> lxml.html.HtmlElement:
    """The DOM Chromium builds from ``page`` (no network, fresh profile)."""
    run = subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    return lxml.html.fromstring(run.stdout)


def text(dom: lxml.html.HtmlElement, element_id: str) -> str:
    return str(dom.get_element_by_id(element_id).text_content())


def test_change_html_shows_the_change(browser: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate("designate", out)
    report = json.loads((out / "report.json").read_text())
    dom = shown(browser, out / "CHANGE.html", tmp_path)

    assert [h.text_content() for h in dom.iter("h2")] == SECTIONS
    assert text(dom, "marker") == report["marker"]["spec"]
    assert text(dom, "expression") == report["marker"]["expression"]
    assert int(text(dom, "preview-total")) == report["preview"]["users"]
    assert int(text(dom, "preview-guest")) == report["preview"]["guest"]
    assert int(text(dom, "rule-count")) == len(report["rules"])
    names = [h.text_content() for h in dom.iter("h3")]
    assert all(rule["name"] in names for rule in report["rules"])
    rows = dom.get_element_by_id("file-table").findall(".//tr")
    listed = {row.findall("td")[0].text_content() for row in rows[1:]}
    bundle = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == bundle - {"CHANGE.md", "CHANGE.html"}


def test_hostile_values_show_as_text(browser: str, tmp_path: Path) -> None:
    found, population = analysis(hostile=True)
    out = tmp_path / "bundle"
    write_bundle(found, out, force=False, outcomes=outcomes_of(population))
    html = (out / "CHANGE.html").read_text("utf-8")
    dom = shown(browser, out / "CHANGE.html", tmp_path)

    assert list(dom.iter("script")) == []
    assert "http://" not in html and "https://" not in html
    assert found.marker is not None
    assert text(dom, "marker") == found.marker.spec
    page = dom.text_content()
    assert HOSTILE[5] in page  # "#> <# @{x=1}" and the double quotes, as text
