"""The wheel carries everything: build it, install it in a fresh venv, run ``plan``.

The fresh venv gets the wheel without its dependencies, and finds those in the
project's own virtualenv through a ``.pth`` line (so no network is needed);
the project's editable install is not visible there, so ``generator``,
``templates/`` and ``samples/`` can only come from the wheel. The run happens
outside the checkout.
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only our wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT)
    wheels = sorted(dist.glob("entra_rulegen-*.whl"))
    assert len(wheels) == 1, wheels
    env = root / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    target = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        .strip()
        .splitlines()[-1]
    )
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--no-index", wheels[0])  # fmt: skip
    # only now: pip must not see the project's own install as already there
    (target / "zz_project_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    return env / "bin"


def test_installed_plan_writes_the_bundle_from_the_wheel(
    installed: Path, tmp_path: Path
) -> None:
    where = _run(
        installed / "python", "-c", "import generator; print(generator.__file__)",
        cwd=tmp_path,
    )  # fmt: skip
    assert str(ROOT) not in where and "env" in where
    output = _run(installed / "entra-rulegen", "plan", cwd=tmp_path)
    out = tmp_path / "entra-rulegen-out"
    for name in ("CHANGE.md", "CHANGE.html", "Enable-UserTypeSync.ps1",
                 "Undo-UserTypeSync.ps1", "Test-UserTypeSync.ps1", "preview.csv",
                 "report.json"):  # fmt: skip
        assert (out / name).is_file(), f"{name} missing\n{output}"
    report = json.loads((out / "report.json").read_text())
    assert report["preview"]["users"] > 0
    assert "CHANGE.md" in output
