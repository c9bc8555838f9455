"""The wheel carries the grammar and the schemas: install it into a fresh virtual environment
and compile a spec from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    (found,) = out.glob("evalspec_lang-*.whl")
    return found


def test_wheel_contains_grammar_and_schemas(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "evalspec/_data/evalspec.lark" in names
    assert "evalspec/_data/schemas/evalspec-ir.v1.schema.json" in names
    assert "evalspec/py.typed" in names


def test_installed_wheel_compiles_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    child_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # dependencies come from this environment (a plain path entry does not run its .pth hooks,
    # so the checkout's editable install stays invisible); evalspec itself only from the wheel,
    # installed even if the parent environment has the same version (--ignore-installed)
    Path(child_site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--ignore-installed",
            "-q",
            str(wheel),
        ],
        check=True,
    )
    project = tmp_path / "elsewhere"
    project.mkdir()
    shutil.copy(REPO / "spec/conformance/parse/good/functions.eval", project / "spec.eval")
    result = subprocess.run(
        [str(python), "-m", "evalspec", "compile", "spec.eval"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(result.stdout)["modes"][0]["name"] == "m"
    where = subprocess.run(
        [str(python), "-c", "import evalspec._resources as r; print(r.grammar_path())"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(env_dir) in where and "_data" in where
