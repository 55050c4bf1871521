"""`entra-rulegen inspect` end to end, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA, SAMPLES, run_cli

from generator.console import out

SAMPLE = str(SAMPLES / "alderbrook-users.ldf")
SAMPLE_CSV = str(SAMPLES / "alderbrook-users.csv")
SCHEMA = str(SAMPLES / "alderbrook-schema.ldf")


def inspect_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = run_cli("inspect", *args, "--json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_json_reports_everything_inspect_promises() -> None:
    document = inspect_json("--source", SAMPLE, "--schema", SCHEMA)
    assert document["schema_version"] == 1
    (source,) = document["sources"]
    assert source["forest"] == "alderbrook.example"
    assert source["schema"]["origin"] == "file"
    names = [a["name"] for a in source["attributes"]]
    assert names[:2] == ["extensionAttribute1", "extensionAttribute2"]
    assert "msDS-cloudExtensionAttribute20" in names
    employee_type = source["attributes"][names.index("employeeType")]
    assert employee_type["schema"]["verdict"] == "single-valued string on user"
    assert employee_type["values"]["distinct_exact"] is True
    spellings = {v["value"] for group in employee_type["variants"] for v in group}
    assert {"Employee", "employee", "Employee "} <= spellings
    suffixes = {s["value"] for s in source["upn"]["suffixes"]["top"]}
    assert "partners.alderbrook.example" in suffixes
    assert source["upn"]["without_upn"] == 15
    ous = {o["value"] for o in source["ous"]["top"]}
    assert "OU=Partners,DC=alderbrook,DC=example" in ous


def test_ldif_and_csv_forms_of_the_sample_agree() -> None:
    from_ldif = inspect_json("--source", SAMPLE, "--schema", SCHEMA)["sources"][0]
    from_csv = inspect_json("--source", SAMPLE_CSV, "--schema", SCHEMA)["sources"][0]
    from_ldif.pop("source")
    from_csv.pop("source")
    # the CSV holds only its header's columns: the others are unknown there
    header = Path(SAMPLE_CSV).read_text(encoding="utf-8").splitlines()[0].lower()
    columns = set(header.split(","))
    unknown = [a for a in from_csv["attributes"] if a["name"].lower() not in columns]
    assert unknown and {a["unreadable"] for a in unknown} == {
        "not a column of the CSV export"
    }
    assert all(a["users_with_value"] is None for a in unknown)
    names = {a["name"] for a in unknown}
    for found in (from_ldif, from_csv):
        found["attributes"] = [a for a in found["attributes"] if a["name"] not in names]
    assert from_ldif == from_csv


def test_attribute_option_adds_attributes_and_top_limits_values() -> None:
    document = inspect_json(
        "--source", SAMPLE, "--schema", SCHEMA, "--attribute", "title", "--top", "2"
    )
    title = document["sources"][0]["attributes"][-1]
    assert title["name"] == "title"
    assert title["users_with_value"] == 240
    assert len(title["values"]["top"]) == 2


def test_several_sources_each_with_their_schema() -> None:
    other = str(DATA / "readers" / "csvde.csv")
    document = inspect_json(
        "--source",
        SAMPLE,
        "--schema",
        SCHEMA,
        "--source",
        other,
        "--forest",
        "f.example",
    )
    first, second = document["sources"]
    assert first["schema"]["origin"] == "file"
    assert second["schema"]["origin"] == "bundled"
    assert second["forest"] == "f.example"
    assert second["users"] == 3


def test_bundled_schema_warning_goes_to_stderr_only() -> None:
    result = run_cli("inspect", "--source", SAMPLE, "--json")
    assert result.code == 0
    assert "forest's own schema was not" in " ".join(result.stderr.split())
    assert json.loads(result.stdout)["sources"][0]["schema"]["origin"] == "bundled"


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Table cells must not wrap the values the tests look for."""
    monkeypatch.setattr(out, "width", 200)


@pytest.mark.usefixtures("wide_console")
def test_table_on_stdout() -> None:
    result = run_cli("inspect", "--source", SAMPLE, "--schema", SCHEMA)
    assert result.code == 0, result.stderr
    assert "Candidate marker attributes" in result.stdout
    assert "msDS-cloudExtensionAttribute1..20" in result.stdout  # unused run, one row
    assert "partners.alderbrook.example" in result.stdout
    assert result.stderr == ""


def _row(table: str, *cells: str) -> bool:
    """Whether one line of ``table`` holds every cell, each between borders."""
    return any(
        all(f" {c} " in f" {line} " for c in cells) for line in table.splitlines()
    )


@pytest.mark.usefixtures("wide_console")
def test_table_shows_what_the_json_reports() -> None:
    args = ("--source", SAMPLE, "--schema", SCHEMA)
    (source,) = inspect_json(*args)["sources"]
    table = run_cli("inspect", *args).stdout
    assert f"{source['users']} users ({source['disabled']} disabled)" in table
    upn = source["upn"]
    for entry in upn["suffixes"]["top"]:
        assert _row(table, entry["value"], str(entry["users"])), entry
    no_upn = f"(no UPN; {upn['mixed_case']} UPNs in mixed case)"
    assert _row(table, no_upn, str(upn["without_upn"]))
    for entry in source["ous"]["top"]:
        assert _row(table, entry["value"], str(entry["users"])), entry
    used = [a for a in source["attributes"] if a["users_with_value"]]
    assert len(used) >= 3
    for attribute in used:
        verdict = attribute["schema"]["verdict"].split()[0]
        count = str(attribute["users_with_value"])
        assert _row(table, attribute["name"], verdict, count), attribute["name"]
        for group in attribute["variants"]:
            for spelling in group:
                assert repr(spelling["value"]) in table, spelling


@pytest.mark.usefixtures("wide_console")
def test_values_that_look_like_markup_are_shown_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text('DN,employeeType\n"CN=a,DC=x,DC=example",[red]P[/red]\n')
    result = run_cli("inspect", "--source", str(path), "--schema", SCHEMA)
    assert result.code == 0, result.stderr
    assert "[red]P[/red]" in result.stdout


def test_no_source_is_a_usage_error() -> None:
    result = run_cli("inspect")
    assert result.code == 2


def test_two_sources_of_one_forest_are_a_usage_error() -> None:
    # plan refuses them too: the second would pass for another forest.
    result = run_cli("inspect", "--source", SAMPLE, "--source", SAMPLE_CSV, "--json")
    assert result.code == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert f"--source {SAMPLE} and --source {SAMPLE_CSV}" in line
    assert "'alderbrook.example'" in line


def test_forest_option_names_two_sources_apart() -> None:
    document = inspect_json(
        "--source", SAMPLE, "--source", SAMPLE_CSV, "--forest", "copy.example"
    )
    assert [s["forest"] for s in document["sources"]] == [
        "alderbrook.example",
        "copy.example",
    ]
