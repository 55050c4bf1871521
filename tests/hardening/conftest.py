"""Hardening fixtures: figures that the tests measure and pytest prints at the end."""

from __future__ import annotations

from collections import Counter

import pytest

FIGURES: Counter[str] = Counter()


@pytest.fixture
def figures() -> Counter[str]:
    """Counts (examples tried, refusals, executions) reported in the summary."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("hardening figures")
    for name, count in sorted(FIGURES.items()):
        terminalreporter.write_line(f"{name}: {count:,}")
