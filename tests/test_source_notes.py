"""What the console says about the sources: options a file source ignores, columns
PowerShell did not expand, and preview's findings (the same as plan's)."""

from __future__ import annotations

import pytest
from conftest import DATA, SAMPLES, run_cli

S = [
    "--source", str(SAMPLES / "alderbrook-users.ldf"),
    "--schema", str(SAMPLES / "alderbrook-schema.ldf"),
]  # fmt: skip
SUFFIX = "partners.alderbrook.example"
UNEXPANDED = DATA / "readers" / "export-csv-ps51.csv"


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("WARNING")]


@pytest.mark.parametrize(
    "live",
    [
        ("--user", "reader@alderbrook.example"),
        ("--insecure",),
        ("--ca-file", "ca.pem", "--tls-server-name", "dc1.alderbrook.example"),
        ("--auth", "ntlm", "--no-tls", "--gc", "--page-size", "100"),
    ],
)
def test_live_options_with_a_file_source_are_said_to_be_ignored(
    live: tuple[str, ...],
) -> None:
    run = run_cli("inspect", *S, *live)
    assert run.code == 0, run.stderr
    named = [a for a in live if a.startswith("--")]
    said = [w for w in _warnings(run.stderr) if "only apply to a live directory" in w]
    assert said == [
        f"WARNING: {', '.join(named)} only apply to a live directory "
        "(--source ldap[s]://HOST); ignored for the file source(s) given"
    ]


def test_no_live_option_no_warning() -> None:
    run = run_cli("inspect", *S, "--page-size", "500")  # the default
    assert run.code == 0, run.stderr
    assert not [w for w in _warnings(run.stderr) if "live directory" in w]


def test_preview_shows_the_information_plan_shows() -> None:
    marker = f"upn-suffix:{SUFFIX}"
    run = run_cli("preview", *S, "--partner-suffix", SUFFIX, "--marker", marker)
    assert run.code == 0, run.stderr
    assert "INFO     ERG-CONFIG-NOT-GIVEN: no --connect-config" in run.stdout
    assert "INFO     ERG-MARKER-USERS-NO-VALUE [alderbrook.example]" in run.stdout


def test_an_unexpanded_column_is_warned_once_and_is_a_finding() -> None:
    run = run_cli(
        "validate", "--source", str(UNEXPANDED), "--partner-where",
        "employeeType=Partner", "--marker", "attribute:employeeType=Partner",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    said = [w for w in _warnings(run.stderr) if "'proxyAddresses'" in w]
    assert len(said) == 1, run.stderr  # the sources are read twice
    assert (
        "WARNING  ERG-SOURCE-COLUMN-UNEXPANDED [fabrikam.example]: the CSV columns "
        "proxyAddresses hold a type name, not values: they were ignored"
    ) in run.stdout


def test_an_unexpanded_column_is_unknown_not_held() -> None:
    from generator.model import SourceSpec  # noqa: PLC0415
    from generator.readers import UNEXPANDED as WHY  # noqa: PLC0415
    from generator.readers import open_source, unseen_attributes  # noqa: PLC0415

    source = open_source(SourceSpec(str(UNEXPANDED)))
    assert "proxyaddresses" in source.held_attributes  # type: ignore[attr-defined]
    for _ in source.users():
        pass
    assert "proxyaddresses" not in source.held_attributes  # type: ignore[attr-defined]
    assert unseen_attributes(source, ["proxyAddresses", "employeeType"]) == {
        "proxyAddresses": WHY
    }
