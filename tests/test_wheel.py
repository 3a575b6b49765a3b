"""The installed wheel, not the source tree: catches templates left out of the package."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BUILD = 150  # seconds a build or install may take (the test has 400 s in all)


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_wheel_in_a_clean_virtualenv_scaffolds_every_type(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=BUILD,
    )
    (wheel,) = dist.glob("vaultkit_journal-*.whl")  # the distribution's name; the command is `vaultkit`
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run([bin_dir / "pip", "install", "-q", str(wheel)], check=True, timeout=BUILD)
    vaultkit = bin_dir / "vaultkit"
    notes = tmp_path / "notes"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # Run from an unrelated folder so the source tree cannot leak in.
        return subprocess.run(
            [str(vaultkit), "--vault", str(notes), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]},
            timeout=60,
        )

    assert subprocess.run([str(vaultkit), "init", str(notes)], check=True, timeout=60).returncode == 0
    listed = run("templates")
    assert listed.returncode == 0
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [
        ["check-in", "default"],
        ["intention", "default"],
        ["reflection", "default"],
    ]
    assert "site-packages/vaultkit/_templates/reflection.md" in listed.stdout
    for day, note_type in (("01", "intention"), ("02", "reflection"), ("09", "check-in")):
        result = run("new", note_type, "--no-input", "--date", f"2026-11-{day}", "--action", "Walk")
        assert result.returncode == 0, result.stderr
        rel = result.stdout.splitlines()[-1]
        assert rel == f"Integration/2026/2026-11-{day} {note_type.capitalize()}.md"
        text = (notes / rel).read_text()
        assert text.startswith(f"---\ntype: {note_type}\ndate: 2026-11-{day}\nsession: 1\n")
        assert "<!-- prompt:" in text
    indexed = run("index")
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("3 notes (") and "), 3 open actions (3 external" in indexed.stdout
    assert "- [ ] Walk — [[2026-11-09 Check-in]]" in (notes / "Integration Actions.md").read_text()
    version = subprocess.run(
        [str(bin_dir / "python"), "-m", "vaultkit", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert version.stdout.startswith("vaultkit, version ")
