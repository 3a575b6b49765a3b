"""A release anyone can install: sdist and wheel that twine accepts, the sdist
building the same wheel, and `pipx install vaultkit-journal`, the name the
README gives (`vaultkit` on the package index is an unrelated product),
giving a working `vaultkit` command in a clean environment."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BUILD = 150  # seconds one build or install may take (the test has 600 s in all: it builds four times)
NAME = "vaultkit-journal"  # the distribution; the command and the import package are `vaultkit`
FILES = NAME.replace("-", "_")  # as wheel and sdist file names spell it


def _contents(wheel: Path) -> dict[str, str]:
    """Each file of a wheel and its digest (zip timestamps aside)."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if not name.endswith("/RECORD")
        }


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_release_builds_passes_twine_and_installs_with_pipx(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=BUILD,
    )
    (sdist,) = dist.glob(f"{FILES}-*.tar.gz")
    (wheel,) = dist.glob(f"{FILES}-*.whl")
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", str(sdist), str(wheel)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0 and check.stdout.count("PASSED") == 2, check.stdout + check.stderr

    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(tmp_path / "unpacked", filter="data")
    top = sdist.name.removesuffix(".tar.gz")
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "templates/reflection.md", "vaultkit/cli/base.py"):
        assert f"{top}/{needed}" in names, needed
    again = tmp_path / "again"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(again), str(tmp_path / "unpacked" / top)],
        check=True,
        capture_output=True,
        timeout=BUILD,
    )
    (rebuilt,) = again.glob(f"{FILES}-*.whl")
    assert _contents(rebuilt) == _contents(wheel)
    assert any(name.endswith("licenses/LICENSE") for name in _contents(wheel))

    # The built wheel and its dependencies' wheels in one folder (pip's cache or
    # the configured index supplies those): pipx then installs by name from it
    # alone, as it would from the package index, with no network.
    house = tmp_path / "wheelhouse"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "-w", str(house), str(wheel)],
        check=True,
        capture_output=True,
        timeout=BUILD,
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "home"),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        # pipx would upgrade its own pip from the index first (pipx 1.13 and later can skip it)
        "PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE": "1",
    }
    installed = subprocess.run(
        [sys.executable, "-m", "pipx", "install", NAME, f"--pip-args=--no-index --find-links={house}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=BUILD,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert f"installed package {NAME} " in installed.stdout and "    - vaultkit\n" in installed.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "pipx", "list", "--short"], capture_output=True, text=True, env=env, timeout=60
    )
    from vaultkit import __version__

    assert listed.stdout == f"{NAME} {__version__}\n"
    vaultkit = tmp_path / "bin" / "vaultkit"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(vaultkit), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
        )

    assert run("--version").stdout == f"vaultkit, version {__version__}\n"
    notes = tmp_path / "notes"
    assert run("init", str(notes)).returncode == 0
    opened = run("--vault", str(notes), "new", "intention", "--no-input")
    assert opened.returncode == 0 and opened.stdout.endswith(" Intention.md\n"), opened.stderr
    made = run("--vault", str(notes), "new", "reflection", "--no-input", "--action", "Call my sister")
    assert made.returncode == 0, made.stderr
    indexed = run("index", "--vault", str(notes))
    assert indexed.returncode == 0, indexed.stderr
    assert "- [ ] Call my sister — [[" in (notes / "Integration Actions.md").read_text()
