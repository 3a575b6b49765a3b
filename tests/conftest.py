from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vaultkit.cli import cli
from vaultkit.fs import init_vault

from .helpers import TODAY  # the day every test lives in, whatever the calendar says

Run = Callable[..., Result]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """An empty, initialised vault."""
    root = tmp_path / "vault"
    init_vault(root)
    return root


@pytest.fixture
def run(vault: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run the CLI against `vault`: run("new", "reflection", input="...")."""
    monkeypatch.delenv("VAULTKIT_VAULT", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)

    def invoke(*args: str, input: str | None = None, vault_path: Path | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            cli, ["--vault", str(vault_path or vault), *args], input=input, catch_exceptions=False
        )

    return invoke


@pytest.fixture(autouse=True)
def device(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's device: its own state folder, as a separate machine would have
    (vaultkit keeps only a random device id there)."""
    home = tmp_path_factory.mktemp("device")
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin vaultkit's clock (and so every child process's) to one day, so the suite
    gives the same result on any date. A test that moves the day sets VAULTKIT_NOW."""
    monkeypatch.setenv("VAULTKIT_NOW", f"{TODAY.isoformat()}T12:00")


@pytest.fixture(autouse=True)
def no_quiet_period(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most watcher tests edit the summary and handle it at once; the watcher would
    leave it alone for its quiet period after a person's save (tests/test_tasks.py
    tests it)."""
    from vaultkit import watch

    monkeypatch.setattr(watch, "QUIET", 0.0)


@pytest.fixture(autouse=True)
def no_stray_threads():
    """Fail a test that leaves a thread running (watchers must stop cleanly)."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in leftover:
        thread.join(timeout=5)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, f"threads left running: {leftover}"
