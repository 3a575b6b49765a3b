"""This device: its random id (what tells its store from another device's),
and the vault's lock, which lets one vaultkit process at a time work on a
vault here. Editors, sync clients and other devices are not asked to wait:
every replace of a file others write is compare-and-swap (atomic.swap)."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.errors import VaultkitError
from vaultkit.fs import LOCAL_DIR, Vault

LOCK_WAIT = 60.0  # seconds a command waits for another vaultkit process on the same vault


def device_id() -> str:
    """A random name for this device, kept outside every vault in the user's
    state folder (it holds nothing else), so that the store a sync client
    copies in from another device is never taken for this one's. Where it
    cannot be kept, the host name serves."""
    from platformdirs import user_state_path

    path = user_state_path("vaultkit", appauthor=False) / "device-id"
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
def vault_lock(vault: Vault) -> Iterator[None]:
    """One vaultkit process at a time on this vault on this device (index, watch
    batches, done...): the OS's own lock on a file in LOCAL_DIR, through
    filelock, released by the OS if the process dies."""
    from filelock import FileLock, Timeout

    folder = vault.root / LOCAL_DIR
    make_dirs(folder, vault.config.dir_mode)
    lock = FileLock(folder / "lock", timeout=LOCK_WAIT, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise VaultkitError(
            f"another vaultkit process has been busy with this vault for {LOCK_WAIT:g} s; try again"
        ) from None
    try:
        yield
    finally:
        lock.release()
