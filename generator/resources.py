"""Where the shipped templates and samples live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name  # the wheel puts them inside the package
    return inside if inside.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    return _shipped("templates")


def samples_dir() -> Path:
    return _shipped("samples")


def data_dir() -> Path:
    return _PACKAGE / "data"
