from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, run_cli

from generator import __version__, cli, errors
from generator.cli import INTERRUPTED
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


def test_an_option_given_twice_is_refused() -> None:
    result = run_cli(
        "validate", "--source", "x.ldf", "--marker", "ou:a", "--marker=ou:b"
    )
    assert result.code == 2
    assert "--marker may be given only once" in result.stderr


def test_usage_errors_read_like_every_other_error() -> None:
    result = run_cli("inspect", "--page-size", "5000")
    assert result.code == 2
    assert result.stderr.startswith("entra-rulegen: error: ")
    assert "Try 'entra-rulegen inspect --help'." in result.stderr


def _big_export(folder: Path) -> Path:
    big = folder / "big.ldf"
    with big.open("w", encoding="utf-8") as out:
        for n in range(400_000):
            out.write(
                f"dn: CN=u{n},OU=Staff,DC=example,DC=test\\nobjectClass: user\\n"
                f"sAMAccountName: u{n}\\nuserPrincipalName: u{n}@example.test\\n\\n"
            )
    return big


def _interrupt_after(seconds: float, source: Path) -> tuple[int, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "inspect", "--source", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    time.sleep(seconds)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


def test_ctrl_c_exits_130_and_says_so(tmp_path: Path) -> None:
    code, stderr = _interrupt_after(1.5, _big_export(tmp_path))
    assert code == 130
    assert "interrupted" in stderr
    assert "Traceback" not in stderr


def test_ctrl_c_while_the_modules_load_exits_130_with_one_line(
    tmp_path: Path,
) -> None:
    big = _big_export(tmp_path)
    for seconds in (0.05, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3):
        code, stderr = _interrupt_after(seconds, big)
        assert (code, stderr.strip()) == (130, INTERRUPTED), seconds
    assert cli.EXIT_INTERRUPTED == errors.EXIT_INTERRUPTED


def test_verbose_is_shown_as_a_counting_flag() -> None:
    result = run_cli("--help")
    assert result.code == 0
    line = next(x for x in result.stdout.splitlines() if "--verbose" in x)
    assert "INTEGER" not in line and "-vv" in line
    assert run_cli("-vv", "--version").code == 0
