"""Build vaults from dicts, snapshot trees to prove nothing changed, and talk to
child processes without ever waiting on them for good."""

from __future__ import annotations

import errno
import hashlib
import os
import select
import signal
import time
from datetime import date
from pathlib import Path
from typing import IO

import pytest

TODAY = date(2026, 12, 1)  # the day tests/conftest.py pins vaultkit's clock to


def build_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create each `path: content` under root (text is written as UTF-8, as is)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
    return root


def snapshot(root: Path, skip_state: bool = True) -> dict[str, tuple[str, int]]:
    """Every file's hash and mtime_ns, to compare before and after a command."""
    result = {}
    for folder, dirs, files in os.walk(root):
        if skip_state:
            dirs[:] = [d for d in dirs if d != ".vaultkit"]
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            data = path.read_bytes()
            result[str(path.relative_to(root))] = (
                hashlib.sha256(data).hexdigest(),
                path.stat().st_mtime_ns,
            )
    return result


def make_unreadable(vault: Path, name: str, monkeypatch) -> None:
    """chmod 0 a note; as root (who reads anything) also make its read fail the same way."""
    from vaultkit import notes

    (vault / name).chmod(0)
    if os.geteuid() != 0:
        return
    real = notes.read_head  # root reads anything: make the one read of this note fail as it would

    def denied(note, limit):
        if os.path.basename(note.path) == name:
            raise PermissionError(13, "Permission denied", str(note.path))
        return real(note, limit)

    monkeypatch.setattr(notes, "read_head", denied)


def age(root: Path, seconds: int = 3600) -> None:
    """Date every note an hour back, as notes written before this run are: a note
    read within a coarse clock's tick of its last write is read again next time."""
    then = time.time_ns() - seconds * 10**9
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".md"):
                os.utime(Path(folder) / name, ns=(then, then))


def saved_now(*paths: Path) -> None:
    """Date each file now by this process's clock, as the kernel dates a save.
    vaultkit judges how old a save is by the process clock; under faketime
    (tests/faketime.sh) the kernel still dates files in real time, and a save
    made this second would look a year old."""
    now = time.time_ns()
    for path in paths:
        os.utime(path, ns=(now, now))


def index_vault(root: Path, today=None, **options):  # type: ignore[no-untyped-def]
    """What `vaultkit index` runs: the whole pipeline, through the engine's functions."""
    from datetime import date

    from vaultkit.fs import load_vault
    from vaultkit.refresh import Request, opened, refresh

    vault = load_vault(root)
    with opened(vault, print) as store:
        return refresh(vault, store, today or date(2026, 11, 24), Request(**options))


def actions_of(root: Path, today=None):  # type: ignore[no-untyped-def]
    """Every action of the vault, as `vaultkit actions --status all` lists them."""
    from datetime import date

    from vaultkit.fs import load_vault
    from vaultkit.refresh import opened, scan

    vault = load_vault(root)
    with opened(vault, print) as store:
        scan(vault, store, today or date(2026, 11, 24))
        return store.actions()


def default_sigint() -> None:
    """preexec_fn for a child the test interrupts: SIGINT back to its default. A suite
    started with SIGINT ignored (`nohup`, `cmd &` in a script) hands that on through
    fork and exec, and a Python child that ignores SIGINT never sees KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def read_until(stream: IO[bytes] | IO[str] | int, marker: bytes | None, timeout: float = 20.0) -> bytes:
    """What a child writes to a pipe or pty (a file object or fd) up to and including
    `marker`, or to its end when marker is None. Fails the test, showing what came so
    far, when that takes over `timeout` seconds or the stream ends before the marker.

    Reads the fd itself, past any Python buffer: read a stream only through this."""
    fd = stream if isinstance(stream, int) else stream.fileno()
    deadline = time.monotonic() + timeout
    seen = b""
    while marker is None or marker not in seen:
        left = deadline - time.monotonic()
        what = "the end of the output" if marker is None else repr(marker)
        if left <= 0:
            pytest.fail(f"no {what} within {timeout:g} s; read so far: {seen!r}", pytrace=False)
        if not select.select([fd], [], [], left)[0]:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError as exc:  # a pty's leader reads EIO once the child's side is closed
            if exc.errno != errno.EIO:
                raise
            chunk = b""
        if not chunk:
            if marker is None:
                return seen
            pytest.fail(f"the output ended before {what}; read: {seen!r}", pytrace=False)
        seen += chunk
    return seen
