"""A pinned --precedence numbers the rules on from it, and never past 99."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundle_cases import sample_arguments
from conftest import run_cli

from generator.bundle import rules as rulebook
from generator.errors import UsageError

MARKER = "upn-suffix:partners.alderbrook.example"


def _generate(out: Path, precedence: int) -> tuple[int, str]:
    run = run_cli(
        "generate", *sample_arguments(), "--marker", MARKER,
        "--precedence", str(precedence), "--out", str(out),
    )  # fmt: skip
    return run.code, run.stderr


def test_no_room_for_the_second_rule_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    code, stderr = _generate(out, 99)
    assert code == 2
    assert stderr.strip().splitlines()[-1] == (
        "entra-rulegen: error: --precedence 99: the 2 new rules take consecutive "
        "precedences from it, and only 1 fit up to 99; choose a first precedence "
        "from 1 to 98"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_last_first_precedence_that_fits(tmp_path: Path) -> None:
    code, stderr = _generate(tmp_path / "bundle", 98)
    assert code == 0, stderr
    change = (tmp_path / "bundle" / "CHANGE.md").read_text(encoding="utf-8")
    assert "| Precedence | proposed 98, checked on the server |" in change
    assert "| Precedence | proposed 99, checked on the server |" in change
    assert "lowest free number" not in change


@pytest.mark.parametrize(("rules", "last"), [(2, 98), (3, 97), (5, 95)])
def test_the_range_follows_the_number_of_rules(rules: int, last: int) -> None:
    rulebook._check_room(tuple(range(last, 100)), rules)  # fits exactly
    with pytest.raises(
        UsageError, match=f"choose a first precedence from 1 to {last}$"
    ):
        rulebook._check_room(tuple(range(last + 1, 100)), rules)


def test_free_numbers_from_a_configuration_are_left_to_validation() -> None:
    rulebook._check_room((5, 9), 3)  # the ERG-CONFIG-NO-FREE-PRECEDENCE blocker
