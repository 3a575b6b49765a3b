"""Build vaults from dicts, and snapshot trees to prove nothing changed."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

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
    import time

    then = time.time_ns() - seconds * 10**9
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".md"):
                os.utime(Path(folder) / name, ns=(then, then))


def index_vault(root: Path, today=None, **options):  # type: ignore[no-untyped-def]
    """What `vaultkit index` runs: the whole pipeline, through the engine's functions."""
    from datetime import date

    from vaultkit.fs import load_vault
    from vaultkit.refresh import opened, refresh

    vault = load_vault(root)
    with opened(vault, print) as store:
        return refresh(vault, store, today or date(2026, 11, 24), **options)


def actions_of(root: Path, where: str = "", today=None):  # type: ignore[no-untyped-def]
    """Every action of the vault, as `vaultkit actions --status all` lists them."""
    from datetime import date

    from vaultkit.fs import load_vault
    from vaultkit.refresh import opened, scan

    vault = load_vault(root)
    with opened(vault, print) as store:
        scan(vault, store, today or date(2026, 11, 24))
        return store.actions(where)
