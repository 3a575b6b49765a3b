"""Build vaults from dicts, and snapshot trees to prove nothing changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


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
    from vaultkit import index as index_module

    (vault / name).chmod(0)
    if os.geteuid() != 0:
        return
    real = index_module.read_head

    def denied(path, limit, expected=0):
        if os.path.basename(path) == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, limit, expected)

    monkeypatch.setattr(index_module, "read_head", denied)
