"""All-or-nothing bundle writing, ``--force``, blockers, and the documents' hashes."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from bundle_cases import files_of, generate, sample_arguments
from bundle_fixtures import analysis, outcomes_of
from conftest import run_cli
from test_bundle_config import PARTNERS, USERS, with_user_type

from generator.bundle import build, write_bundle
from generator.errors import BlockedError, OutputError
from generator.marker import Finding

DESIGNATE = "designate:msDS-cloudExtensionAttribute1"
RULE = "SynchronizationRule_0f4c2a52-5e0d-4a1c-9a7e-3b2d6f1e8c90.xml"


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_existing_out_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate("ou", out)
    before = files_of(out)
    run = run_cli(
        "generate", *sample_arguments(), "--marker", DESIGNATE, "--out", str(out),
    )  # fmt: skip
    assert run.code == 1
    assert "--force" in run.stderr and str(out) in run.stderr
    assert files_of(out) == before


def test_force_replaces_a_bundle(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate("ou", out)
    run = run_cli(
        "generate", *sample_arguments(), "--marker", DESIGNATE,
        "--out", str(out), "--force",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert (out / "Set-PartnerMarker.ps1").is_file()
    assert _leftovers(tmp_path) == []


def test_force_does_not_replace_a_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    found, population = analysis()
    with pytest.raises(OutputError, match=r"holds no report\.json, so it is not a"):
        write_bundle(found, out, force=True, outcomes=outcomes_of(population))
    assert (out / "thesis.docx").read_text() == "precious"


@pytest.mark.parametrize(
    ("extras", "named"),
    [
        (("my-notes.txt", "sub/draft.txt"), "my-notes.txt"),
        (("sub/draft.txt",), "sub"),
        (("rules/notes.txt",), "rules/notes.txt"),
        (("rules/deep/x.xml",), "rules/deep"),
    ],
)
def test_force_keeps_an_admins_own_files_in_a_bundle(
    tmp_path: Path, extras: tuple[str, ...], named: str
) -> None:
    out = tmp_path / "change-bundle"
    generate("ou", out)
    for extra in extras:
        (out / extra).parent.mkdir(parents=True, exist_ok=True)
        (out / extra).write_text("mine")
    before = files_of(out)
    run = run_cli(
        "generate", *sample_arguments(), "--marker", DESIGNATE,
        "--out", str(out), "--force",
    )  # fmt: skip
    assert run.code == 1
    assert run.stderr.strip().splitlines() == [
        f"entra-rulegen: error: {out} holds {named}, which is not part of a bundle; "
        "not replacing it (move it away, or choose another --out)"
    ]
    assert files_of(out) == before
    assert _leftovers(tmp_path) == []


def _refusal(out: Path, why: str) -> list[str]:
    return [
        f"entra-rulegen: error: {out} {why}, so it is not a bundle this tool wrote; "
        "not replacing it (move it away, or choose another --out)"
    ]


def _report(**changes: object) -> str:
    document: dict[str, object] = {
        "schema_version": 1,
        "tool": {"name": "entra-rulegen", "version": "0.1.0"},
        "files": {"preview.csv": "0" * 64},
    }
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"Set-PartnerMarker.ps1": "# mine"}, "holds no report.json"),
        (
            {f"rules/{RULE}": "<x/>", "CHANGE.md": "old"},
            "holds no report.json",
        ),
        ({"report.json": '{"status": "ok"}'}, None),
        ({"report.json": "not json"}, None),
        ({"report.json": _report(tool={"name": "other-tool"})}, None),
        ({"report.json": _report(schema_version="1")}, None),
        ({"report.json": _report(files=["preview.csv"])}, None),
        ({"report.json": _report(tool="entra-rulegen")}, None),
    ],
)  # fmt: skip
def test_force_replaces_only_a_bundle_this_tool_wrote(
    tmp_path: Path, files: dict[str, str], why: str | None
) -> None:
    out = tmp_path / "bundle"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    before = files_of(out)
    run = run_cli(
        "generate", *sample_arguments(), "--marker", DESIGNATE,
        "--out", str(out), "--force",
    )  # fmt: skip
    assert run.code == 1
    reason = why or "holds a report.json that entra-rulegen did not write"
    assert run.stderr.strip().splitlines() == _refusal(out, reason)
    assert files_of(out) == before
    assert _leftovers(tmp_path) == []


def test_force_keeps_a_file_of_bundle_shape_its_report_does_not_list(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bundle"
    generate("ou", out)  # no marker to stamp: no Set-PartnerMarker.ps1
    for extra in ("Set-PartnerMarker.ps1", f"rules/{RULE}"):
        (out / extra).parent.mkdir(exist_ok=True)
        (out / extra).write_text("mine")
        run = run_cli(
            "generate", *sample_arguments(), "--marker", DESIGNATE,
            "--out", str(out), "--force",
        )  # fmt: skip
        assert run.code == 1
        assert f"holds {extra}, which is not part of a bundle" in run.stderr
        assert (out / extra).read_text() == "mine"
        (out / extra).unlink()


def test_force_refuses_a_report_that_is_a_symlink(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate("ou", out)
    elsewhere = tmp_path / "report.json"
    (out / "report.json").rename(elsewhere)
    (out / "report.json").symlink_to(elsewhere)
    run = run_cli(
        "generate", *sample_arguments(), "--marker", DESIGNATE,
        "--out", str(out), "--force",
    )  # fmt: skip
    assert run.stderr.strip().splitlines() == _refusal(out, "holds no report.json")


def test_failure_midway_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build, "_report", broken)
    found, population = analysis()
    out = tmp_path / "bundle"
    with pytest.raises(RuntimeError):
        write_bundle(found, out, force=False, outcomes=outcomes_of(population))
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_blocker_writes_no_bundle(tmp_path: Path) -> None:
    blocker = Finding("ERG-TEST-BLOCKER", "blocker", "something blocks")
    found, population = analysis(findings=(blocker,))
    out = tmp_path / "bundle"
    with pytest.raises(BlockedError) as raised:
        write_bundle(found, out, force=False, outcomes=outcomes_of(population))
    assert raised.value.exit_code == 3
    assert not out.exists() and _leftovers(tmp_path) == []


def test_blocked_generate_prints_findings_and_exits_3(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    run = run_cli(
        "generate", *sample_arguments(), "--marker", "designate:description",
        "--out", str(out),
    )  # fmt: skip
    assert run.code == 3, run.stderr
    assert "blocker" in run.stdout.lower()
    assert not out.exists()


def test_change_documents_list_every_other_file(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate("designate", out)
    files = files_of(out)
    markdown = files["CHANGE.md"].decode()
    html = files["CHANGE.html"].decode()
    others = sorted(set(files) - {"CHANGE.md", "CHANGE.html"})
    for name in others:
        digest = hashlib.sha256(files[name]).hexdigest()
        assert f"`{digest}`" in markdown, name
        assert digest in html, name
    report = json.loads(files["report.json"])
    assert report["schema_version"] == 1
    hashed = set(report["files"])
    assert hashed == set(others) - {"report.json"}


def test_preview_csv_has_a_row_per_user(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    generate("upn-suffix", out)
    report = json.loads((out / "report.json").read_text())
    rows = (out / "preview.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == report["preview"]["users"] + 1
    guests = sum(1 for row in rows[1:] if ",Guest," in row)
    assert guests == report["preview"]["guest"] > 0


def test_rule_identifiers_are_stable_and_distinct() -> None:
    found, _ = analysis()
    first, _ = analysis(hostile=True)
    assert found.marker is not None and first.marker is not None
    ids = {r.identifier for r in build.rulebook.build_rules(
        found.marker, build.connectors(found)[0], build.connectors(found)[1],
        frozenset({"contoso.com"}),
    )}  # fmt: skip
    again = {r.identifier for r in build.rulebook.build_rules(
        first.marker, build.connectors(first)[0], build.connectors(first)[1],
        frozenset({"contoso.com"}),
    )}  # fmt: skip
    assert ids == again  # the marker does not change a rule's identity
    assert len(ids) == 3


def test_plan_without_source_runs_on_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("plan")
    assert run.code == 0, run.stderr
    out = tmp_path / "entra-rulegen-out"
    assert (out / "CHANGE.md").is_file() and (out / "Enable-UserTypeSync.ps1").is_file()
    assert "CHANGE.md" in run.stdout and "sample" in run.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["preview"]["users"] > 0
    assert report["marker"]["spec"] == report["alternatives"][0]["spec"]


def test_preview_csv_defuses_formulas(tmp_path: Path) -> None:
    found, population = analysis(hostile=True)
    write_bundle(found, tmp_path / "b", force=False, outcomes=outcomes_of(population))
    with (tmp_path / "b" / "preview.csv").open(encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert any(cell.startswith("'=1+2 @SUM(A1)@") for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]


def test_force_replaces_a_bundle_whose_rules_came_from_a_configuration(
    tmp_path: Path,
) -> None:
    export = with_user_type(tmp_path)
    out = tmp_path / "bundle"
    args = [
        "generate", "--source", str(USERS), *PARTNERS, "--connect-config",
        str(export), "--marker", "upn-suffix:partners.contoso.com", "--out", str(out),
    ]  # fmt: skip
    assert run_cli(*args).code == 0
    assert list((out / "rules").glob("SynchronizationRule_*.xml"))
    again = run_cli(*args, "--force")
    assert again.code == 0, again.stderr


def test_an_empty_folder_made_for_the_bundle_is_used(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    generate("ou", out)
    assert "CHANGE.md" in files_of(out)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["file", "under-file", "cwd"])
def test_out_that_cannot_be_a_folder_is_named_plainly(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "users.ldf"
    a_file.write_text("dn: x\n")
    out = {"file": a_file, "under-file": a_file / "sub", "cwd": Path(".")}[where]
    monkeypatch.chdir(tmp_path)
    for force in ([], ["--force"]):
        run = run_cli("generate", *sample_arguments(), "--marker", DESIGNATE,
                      "--out", str(out), *force)  # fmt: skip
        assert run.code == 1, run.stderr
        assert "use --force" not in run.stderr and "Errno" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert a_file.read_text() == "dn: x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.ldf"]
