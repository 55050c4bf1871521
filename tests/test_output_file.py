"""Single output files (``preview --csv``, ``snapshot --out``): never an input,
never a special file, an existing file only with ``--force``, written whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import DATA, REAL_INPUTS, SAMPLES, run_cli

from generator import outfolder
from generator.commands.options import Config, Partners, Sources, input_files
from generator.errors import OutputError, UsageError
from generator.model import LiveOptions, SourceSpec

SUFFIX = "upn-suffix:partners.alderbrook.example"
REAL_CONFIG = REAL_INPUTS / "aadconnect-config" / "contoso-pilot"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Copies of the sample, a partner list, a cloud file and an expression."""
    shutil.copy(SAMPLES / "alderbrook-users.ldf", tmp_path / "users.ldf")
    shutil.copy(SAMPLES / "alderbrook-schema.ldf", tmp_path / "schema.ldf")
    (tmp_path / "partners.txt").write_text("nobody\n", encoding="utf-8")
    (tmp_path / "cloud.csv").write_text(
        "userPrincipalName,userType\nx@alderbrook.example,Member\n", encoding="utf-8"
    )
    shutil.copy(DATA / "bundle" / "partner-expression.txt", tmp_path / "rule.txt")
    return tmp_path


def _preview(folder: Path, csv: str, *extra: str, marker: str = SUFFIX) -> list[str]:
    return [
        "preview", "--source", str(folder / "users.ldf"),
        "--schema", str(folder / "schema.ldf"), "--marker", marker,
        "--csv", csv, *extra,
    ]  # fmt: skip


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("name", "option"),
    [("users.ldf", "--source"), ("schema.ldf", "--schema")],
)
def test_csv_over_a_source_file_is_refused(
    inputs: Path, name: str, option: str
) -> None:
    before = _snapshot(inputs)
    run = run_cli(*_preview(inputs, str(inputs / name)))
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: --csv {inputs / name} is the {option} file of this "
        "run; writing it would destroy the input (choose another file)"
    ]
    assert _snapshot(inputs) == before


@pytest.mark.parametrize(
    ("extra", "name", "option"),
    [
        (("--partner-list", "partners.txt"), "partners.txt", "--partner-list"),
        (("--current", "cloud.csv"), "cloud.csv", "--current"),
    ],
)
def test_csv_over_another_input_is_refused(
    inputs: Path,
    extra: tuple[str, str],
    name: str,
    option: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(inputs)
    before = _snapshot(inputs)
    run = run_cli(*_preview(inputs, f"./{name}", *extra))  # another spelling
    assert run.code == 2
    assert f"is the {option} file of this run" in run.stderr
    assert _snapshot(inputs) == before


def test_csv_over_the_expression_file_is_refused(inputs: Path) -> None:
    rule = inputs / "rule.txt"
    before = rule.read_bytes()
    run = run_cli(*_preview(inputs, str(rule), marker=f"expression:@{rule}"))
    assert run.code == 2 and "is the --marker file of this run" in run.stderr
    assert rule.read_bytes() == before


def test_csv_through_a_symlink_or_hard_link_to_an_input_is_refused(
    inputs: Path,
) -> None:
    before = _snapshot(inputs)
    (inputs / "link.csv").symlink_to(inputs / "users.ldf")
    os.link(inputs / "schema.ldf", inputs / "hard.csv")
    for name, option in (("link.csv", "--source"), ("hard.csv", "--schema")):
        run = run_cli(*_preview(inputs, str(inputs / name)))
        assert run.code == 2 and f"is the {option} file" in run.stderr, name
    assert (inputs / "link.csv").is_symlink()
    assert {k: v for k, v in _snapshot(inputs).items() if k in before} == before


def test_csv_never_replaces_a_special_file(inputs: Path) -> None:
    os.mkfifo(inputs / "pipe.csv")
    (inputs / "folder.csv").mkdir()
    (inputs / "elsewhere.csv").symlink_to(inputs / "absent.csv")
    for target in (
        inputs / "pipe.csv", inputs / "folder.csv", inputs / "elsewhere.csv",
        Path("/dev/full"),
    ):  # fmt: skip
        for force in ((), ("--force",)):
            run = run_cli(*_preview(inputs, str(target), *force))
            assert run.code == 1, (target, run.stderr)  # as for an --out folder
            assert run.stderr.strip().splitlines() == [
                f"entra-rulegen: error: {target} exists and is not a regular file; "
                "not replacing it"
            ]
    assert (inputs / "elsewhere.csv").is_symlink()
    assert not (inputs / "absent.csv").exists()
    assert not any(p.name.startswith(".") for p in inputs.iterdir())


def test_an_existing_csv_is_replaced_only_with_force(inputs: Path) -> None:
    target = inputs / "preview.csv"
    target.write_text("mine\n", encoding="utf-8")
    run = run_cli(*_preview(inputs, str(target)))
    assert run.code == 1  # as for an existing --out folder
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: {target} already exists; use --force to replace it"
    ]
    assert target.read_text(encoding="utf-8") == "mine\n"
    run = run_cli(*_preview(inputs, str(target), "--force"))
    assert run.code == 0, run.stderr
    assert target.read_bytes().startswith(b"\xef\xbb\xbfforest,")
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's mode
    assert not any(p.name.startswith(".") for p in inputs.iterdir())


def test_force_without_csv_is_a_usage_error(inputs: Path) -> None:
    args = _preview(inputs, "x.csv")[:-2]
    run = run_cli(*args, "--force")
    assert run.code == 2 and "--force replaces a --csv file" in run.stderr


def test_a_failure_midway_leaves_the_old_file(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.preview as preview  # noqa: PLC0415

    def broken(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(preview, "write_csv_rows", broken)
    target = inputs / "preview.csv"
    target.write_text("old\n", encoding="utf-8")
    run = run_cli(*_preview(inputs, str(target), "--force"))
    assert run.code == 1
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: cannot write {target}: No space left on device"
    ]
    assert target.read_text(encoding="utf-8") == "old\n"
    assert not any(p.name.startswith(".") for p in inputs.iterdir())


def test_the_check_covers_the_configuration_folder_and_the_ca_file(
    tmp_path: Path,
) -> None:
    config = tmp_path / "export"
    config.mkdir()
    ca = tmp_path / "ca.pem"
    ca.write_text("pem", encoding="utf-8")
    sources = Sources(
        (SourceSpec("ldaps://dc1.example.test"),), LiveOptions(ca_file=str(ca))
    )
    found = input_files(sources, Partners(), Config(connect_config=config))
    with pytest.raises(UsageError, match="is inside the --connect-config folder"):
        outfolder.check_file(config / "Connectors" / "x.csv", True, "--csv", found)
    with pytest.raises(UsageError, match="is the --ca-file file"):
        outfolder.check_file(ca, True, "--out", found)
    assert ("--source", Path("ldaps://dc1.example.test")) not in found


def test_snapshot_writer_refuses_like_the_command(tmp_path: Path) -> None:
    from generator.readers.snapshot import write_snapshot  # noqa: PLC0415

    def write(path: Path, force: bool) -> int:
        return write_snapshot(
            path, source="x", forest="b", base_dn=None, schema=None, users=[],
            force=force,
        )  # fmt: skip

    path = tmp_path / "snap.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists; use --force"):
        write(path, False)
    assert write(path, True) == 0
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(OutputError, match="not a regular file"):
        write(tmp_path / "pipe.json", True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.json", "snap.json"]


def test_a_file_under_a_file_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "plain"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is not a folder"):
        outfolder.check_file(blocker / "out.csv", False, "--csv")


# Output folders -----------------------------------------------------------------


def _bundle_args(folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        "generate", "--source", str(folder / "users.ldf"),
        "--schema", str(folder / "schema.ldf"), "--marker", SUFFIX,
        "--partner-suffix", "partners.alderbrook.example", "--out", str(out), *extra,
    ]  # fmt: skip


def test_a_bundle_folder_holding_an_input_is_refused(inputs: Path) -> None:
    """--force may not replace a bundle folder that holds the --current file."""
    out = inputs / "bundle"
    assert run_cli(*_bundle_args(inputs, out)).code == 0
    current = out / "preview.csv"
    kept = current.read_bytes()
    run = run_cli(*_bundle_args(inputs, out, "--current", str(current), "--force"))
    assert run.code == 2, run.stderr
    assert "holds the --current" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert current.read_bytes() == kept


def test_a_bundle_folder_inside_a_source_folder_is_allowed(inputs: Path) -> None:
    """Only folders given as inputs (--connect-config) keep outputs out."""
    assert run_cli(*_bundle_args(inputs, inputs / "bundle")).code == 0


@pytest.mark.parametrize("command", ["document", "diff"])
def test_documents_never_land_in_the_configuration_read(
    tmp_path: Path, command: str
) -> None:
    config = tmp_path / "config"
    shutil.copytree(REAL_CONFIG, config)
    before = sorted(p.relative_to(config) for p in config.rglob("*"))
    extra = ["--connect-config", str(config)] if command == "diff" else []
    run = run_cli(
        command, "--connect-config", str(config), *extra, "--out", str(config / "x")
    )
    assert run.code == 2, run.stderr
    assert "inside the --connect-config folder" in run.stderr
    assert sorted(p.relative_to(config) for p in config.rglob("*")) == before


@pytest.mark.parametrize("name", ["Enable-UserTypeSync.ps1", "preview.csv"])
def test_force_keeps_a_bundle_edited_by_hand(inputs: Path, name: str) -> None:
    """A file whose SHA-256 no longer matches report.json is someone's work."""
    out = inputs / "bundle"
    assert run_cli(*_bundle_args(inputs, out)).code == 0
    with (out / name).open("a", encoding="utf-8") as handle:
        handle.write("# my edits\n")
    edited = (out / name).read_bytes()
    run = run_cli(*_bundle_args(inputs, out, "--force"))
    assert run.code == 1, run.stderr
    assert f"holds {name}, changed since entra-rulegen wrote it" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert (out / name).read_bytes() == edited
    (out / name).unlink()  # the admin removes the edited copy: the rest is ours
    assert run_cli(*_bundle_args(inputs, out, "--force")).code == 0
