from __future__ import annotations

from conftest import run_cli

from generator import __version__
from generator.commands.options import pair_sources
from generator.errors import UsageError


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"entra-rulegen {__version__}"


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("--no-such-option")
    assert result.code == 2
    assert "No such option" in result.stderr


def test_schema_and_forest_belong_to_the_source_before_them() -> None:
    specs = pair_sources(
        ["--source", "a.ldf", "--schema", "s.ldf", "--source=b.csv", "--forest=f.test"]
    )
    assert [(s.source, s.schema, s.forest) for s in specs] == [
        ("a.ldf", "s.ldf", None),
        ("b.csv", None, "f.test"),
    ]


def test_schema_before_any_source_is_refused() -> None:
    try:
        pair_sources(["--schema", "s.ldf", "--source", "a.ldf"])
    except UsageError as error:
        assert "--schema" in str(error)
    else:
        raise AssertionError("expected a usage error")
