"""This device: its random id (what tells its store from another device's),
and the vault's lock, which lets one vaultkit process at a time work on a
vault here. Editors, sync clients and other devices are not asked to wait:
every replace of a file others write is compare-and-swap (atomic.swap)."""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.errors import VaultkitError
from vaultkit.fs import LOCAL_DIR, Vault

LOCK_WAIT = 60.0  # seconds a command waits for another vaultkit process on the same vault


def _state_home() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    if sys.platform == "win32":  # pragma: no cover
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")


def device_id() -> str:
    """A random name for this device, kept outside every vault (it holds nothing
    else), so that the store a sync client copies in from another device is
    never taken for this one's. Where it cannot be kept, the host name serves."""
    path = _state_home() / "vaultkit" / "device-id"
    for _ in range(2):
        try:
            text = path.read_text().strip()
            if len(text) == 16 and all(c in "0123456789abcdef" for c in text):
                return text
        except OSError:
            pass
        try:
            make_dirs(path.parent, 0o700)
            create_exclusive(path, os.urandom(8).hex().encode(), 0o600)
        except FileExistsError:
            continue  # another process made it first: read theirs
        except OSError:
            break
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:16]


@contextmanager
def vault_lock(vault: Vault, wait: float = LOCK_WAIT) -> Iterator[None]:
    """One vaultkit process at a time on this vault on this device (index, watch
    batches, done...): the OS's own lock on a file in LOCAL_DIR (flock; on
    Windows, msvcrt's byte lock), released by the OS if the process dies."""
    folder = vault.root / LOCAL_DIR
    make_dirs(folder, vault.config.dir_mode)
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise VaultkitError(
                    f"another vaultkit process has been busy with this vault for {wait:g} s; try again"
                )
            time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True
