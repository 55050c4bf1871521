"""The README's two commands, and CI running exactly the test command.

A newcomer copies these lines; CI must run what the README promises, and the
test script must run the checks the README lists.
"""

from __future__ import annotations

import re
import shlex

import click
import typer.main
from conftest import ROOT

from generator.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_under(heading: str) -> str:
    """The first ```sh block after ``heading``, as one line."""
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)\n```", section, re.DOTALL)
    assert match, f"no sh block under '## {heading}'"
    return match.group(1).strip()


def test_try_it_installs_the_checkout_and_runs_plan_on_the_sample() -> None:
    steps = [shlex.split(s) for s in _command_under("Try it").split("&&")]
    assert steps[0][:3] == ["python3", "-m", "venv"]
    venv = steps[0][3]
    assert steps[1] == [f"{venv}/bin/pip", "install", "."]
    # plan with no --source runs on the bundled sample
    assert steps[2] == [f"{venv}/bin/entra-rulegen", "plan"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = _command_under("Run the tests")
    assert command == "scripts/test.sh"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    run_lines = [
        line
        for line in ci.splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert run_lines == [f"exec {command}"]


def test_the_test_command_runs_the_checks_the_readme_lists() -> None:
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test]'" in script
    assert "scripts/samba-dc.sh start" in script
    for check in (
        ".venv/bin/ruff check generator tests bench",
        ".venv/bin/ruff format --check generator tests bench",
        ".venv/bin/mypy",
        '.venv/bin/pytest "$@"',
    ):
        assert check in script, check
    assert 'CI:-}" = "true"' in script  # a DC that fails to start fails CI


def test_every_command_has_an_example() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    blocks = "\n".join(re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL))
    examples = set(re.findall(r"^entra-rulegen ([a-z-]+)", blocks, re.M))
    assert set(group.commands) == examples
