"""What generate, plan and recommend say on the console besides the bundle."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLES, run_cli

USERS = str(SAMPLES / "alderbrook-users.ldf")
SCHEMA = str(SAMPLES / "alderbrook-schema.ldf")
SOURCE = ("--source", USERS, "--schema", SCHEMA)


def test_generate_prints_warnings_and_notes_after_the_summary(tmp_path: Path) -> None:
    result = run_cli(
        "generate",
        *SOURCE,
        "--partner-suffix",
        "partners.alderbrook.example",
        "--partner-suffix",
        "contractors.alderbrook.example",
        "--marker",
        "upn-suffix:partners.alderbrook.example",
        "--out",
        str(tmp_path / "bundle"),
    )
    assert result.code == 0, result.stdout + result.stderr
    summary, _, notes = result.stdout.partition("Findings\n")
    assert "Bundle: " in summary
    # the same wording as validate: severity, ID, title, count, detail, examples
    missed = "WARNING  ERG-MARKER-PARTNERS-MISSED [alderbrook.example]: partners "
    assert missed in notes
    assert "The marker misses them; they keep Member access." in notes
    assert "e.g. " in notes
    # information in one line, without its detail
    assert "INFO     ERG-CONFIG-NOT-GIVEN: no --connect-config" in notes
    assert "The apply script checks connectors" not in notes
    report = (tmp_path / "bundle" / "report.json").read_text(encoding="utf-8")
    assert "ERG-MARKER-PARTNERS-MISSED" in report


def test_plan_prints_its_notes(tmp_path: Path) -> None:
    result = run_cli("plan", "--out", str(tmp_path / "bundle"))
    assert result.code == 0, result.stdout + result.stderr
    assert "Findings\nINFO     ERG-CONFIG-NOT-GIVEN" in result.stdout


def test_a_list_naming_one_user_twice(tmp_path: Path) -> None:
    listed = tmp_path / "p2.txt"
    listed.write_text(
        "lashgrove\nlinus.ashgrove@partners.alderbrook.example\nqvance\n",
        encoding="utf-8",
    )
    result = run_cli(
        "validate",
        *SOURCE,
        "--partner-list",
        str(listed),
        "--marker",
        "designate:msDS-cloudExtensionAttribute1",
    )
    assert result.code == 0, result.stdout + result.stderr
    assert (
        "Partners: 2 in-scope user(s) match listed in p2.txt (3 entries)"
        in result.stdout
    )
    assert "ERG-PARTNER-LIST-UNMATCHED" not in result.stdout
    assert "INFO     ERG-PARTNER-LIST-DUPLICATE: entries of p2.txt" in result.stdout
    assert "lines 1, 2: linus.ashgrove@partners.alderbrook.example" in result.stdout


def test_recommend_with_a_population_that_matches_nobody() -> None:
    result = run_cli("recommend", *SOURCE, "--partner-where", "nosuch=1")
    assert result.code == 3
    assert "Marker strategies" not in result.stdout  # no empty table
    assert "give the partner population" not in result.stdout
    assert "Why: no candidate: the partner definition matches no in-scope user" in (
        result.stdout
    )
    assert "BLOCKER  ERG-PARTNERS-NONE-FOUND" in result.stdout
    assert (
        "BLOCKER  ERG-PARTNERS-WHERE-UNKNOWN [alderbrook.example]: --partner-where "
        "reads nosuch, which does not exist in the schema" in result.stdout
    )


def test_an_unknown_where_attribute_against_the_bundled_schema_warns() -> None:
    result = run_cli("recommend", "--source", USERS, "--partner-where", "nosuch=1")
    assert result.code == 3
    assert "WARNING  ERG-PARTNERS-WHERE-UNKNOWN" in result.stdout
    assert "the check used the bundled one" in result.stdout


def test_a_finding_shows_its_whole_detail_and_every_example() -> None:
    result = run_cli("validate", *SOURCE, "--marker", "attribute:employeeType=Partner")
    assert result.code == 3, result.stdout + result.stderr
    text = " ".join(result.stdout.split())  # rich wraps long lines; words stay whole
    blocker = "ERG-PARTNERS-NOT-GIVEN: no partner population given"
    detail = text.partition(blocker)[2]
    # the detail ends with the last suggestion, not cut at the console's width
    assert "Likely: --partner-suffix partners.alderbrook.example (34 users);" in detail
    assert '--partner-where "employeeType=Contractor" (18 users).' in detail
    indented = [x for x in result.stdout.splitlines() if x.startswith(" " * 9)]
    assert all(len(x) <= 120 and x == x.rstrip() for x in indented), indented
    partners = ("--partner-suffix", "partners.alderbrook.example")
    result = run_cli(
        "validate", *SOURCE, *partners, "--marker", "attribute:employeeType=Partner"
    )
    missed = result.stdout.partition("ERG-MARKER-PARTNERS-MISSED")[2]
    # every example shown, the last ones on a line of their own under the head
    examples = " ".join(missed.partition("WARNING")[0].split()).partition("e.g. ")[2]
    assert examples.count("@partners.alderbrook.example") == 4, examples
