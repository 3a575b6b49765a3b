"""Writing files, when others may write them too: exclusive create, atomic
replace (temp file in the same folder, fsync, rename, folder fsync), and
compare-and-swap (`swap`: replace only if the file still holds what was read)."""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from vaultkit.errors import NoteExistsError, VaultkitError

# O_NONBLOCK: a note swapped for a FIFO cannot hang a run.
READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
)


def make_dirs(folder: Path, mode: int) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=mode)
        os.chmod(path, mode)  # mkdir's mode is masked by the umask


def _write_temp(folder: Path, name: str, data: bytes, mode: int) -> str:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".{name}.{os.urandom(5).hex()}.vaultkit-tmp")
        try:
            fd = os.open(tmp, flags, 0o600)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - no directory handles there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _carry_over(source: os.stat_result, path: str, tmp: str) -> None:
    """What an atomic replace would drop: owner and extended attributes (Finder tags)."""
    if hasattr(os, "chown") and (source.st_uid, source.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(tmp, source.st_uid, source.st_gid)
        except OSError:
            pass
    if hasattr(os, "listxattr"):
        try:
            for name in os.listxattr(path):
                os.setxattr(tmp, name, os.getxattr(path, name))
        except OSError:
            pass


def _replace(tmp: str, path: Path) -> None:
    for attempt in range(5):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:  # Windows: another program holds it open
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


def _publish_new(tmp: str, path: Path, data: bytes, mode: int) -> None:
    """Give a finished temp file the name `path`, which must be free (else
    FileExistsError): a hard link, so the file never appears half-written.
    Where the file system has no hard links (FAT, exFAT), an exclusive create
    writes `data` again instead."""
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def create_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `data`, failing with FileExistsError if it exists;
    the new file never appears half-written where hard links exist."""
    tmp = _write_temp(path.parent, path.name, data, mode)
    try:
        _publish_new(tmp, path, data, mode)
    finally:
        os.unlink(tmp)
    _fsync_dir(path.parent)


def create_new(path: Path, data: bytes, mode: int, dir_mode: int, shown: str, exists: str = "") -> None:
    """Create `path` (and the folders it needs) with `data`, never overwriting:
    NoteExistsError naming `shown` when something is there already (`exists`
    says what to do instead) or appears there while it is written."""
    if path.exists() or path.is_symlink():
        raise NoteExistsError(f"{shown} already exists; {exists or 'vaultkit never overwrites a file'}")
    make_dirs(path.parent, dir_mode)
    try:
        create_exclusive(path, data, mode)
    except FileExistsError:
        raise NoteExistsError(f"{shown} appeared while it was being written; left untouched") from None


def atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` with `data` atomically. For files only vaultkit writes;
    a file others write goes through `swap`."""
    tmp = _write_temp(path.parent, path.name, data, mode)
    try:
        _replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _fsync_dir(path.parent)


class Snapshot(NamedTuple):
    """A file as read, to replace only if it still holds `data` (None: it did not exist)."""

    path: Path
    data: bytes | None
    stat: os.stat_result | None


def snapshot(path: Path) -> Snapshot:
    """Read a file others may write too. An open descriptor is not kept: `swap`
    checks the file's content again, which also catches edits a coarse clock
    leaves with the same size and mtime."""
    try:
        fd = os.open(path, READ_FLAGS)
    except FileNotFoundError:
        return Snapshot(path, None, None)
    try:
        st = os.fstat(fd)
        chunks = []
        while chunk := os.read(fd, max(st.st_size, 65536)):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return Snapshot(path, b"".join(chunks), st)


def _read_fd(fd: int) -> bytes:
    chunks, offset = [], 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _open_if_held(snap: Snapshot) -> int | None:
    """An open descriptor on the file if it is still the one read, with the
    same bytes; None if it is not (or, for a file that did not exist, -1 when
    it still does not)."""
    try:
        fd = os.open(snap.path, READ_FLAGS)
    except FileNotFoundError:
        return -1 if snap.data is None else None
    if snap.stat is None:
        os.close(fd)
        return None
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) == (snap.stat.st_dev, snap.stat.st_ino) and _read_fd(fd) == snap.data:
        return fd
    os.close(fd)
    return None


def swap(snap: Snapshot, data: bytes, mode: int) -> Snapshot | None:
    """Replace the file with `data` if it still holds what `snap` read; None when
    done, else the file as it is now (merge into that and swap again). The
    temp file is written and fsynced first, so the check is the last thing
    before the rename. `mode` is for a new file; an existing one keeps its own
    mode, owner and extended attributes. A file with other hard links is
    refused: a rename would split them."""
    if snap.stat is not None and snap.stat.st_nlink > 1:
        raise VaultkitError(
            f"{snap.path} has other hard links; vaultkit will not split them (copy it instead)"
        )
    keep = stat.S_IMODE(snap.stat.st_mode) if snap.stat is not None else mode
    tmp = _write_temp(snap.path.parent, snap.path.name, data, keep)
    late = None
    try:
        if snap.stat is not None:
            _carry_over(snap.stat, os.fspath(snap.path), tmp)
        held = _open_if_held(snap)
        if held is None:
            return snapshot(snap.path)
        if held == -1:
            try:
                _publish_new(tmp, snap.path, data, keep)
            except FileExistsError:
                return snapshot(snap.path)
        else:
            try:
                _replace(tmp, snap.path)
                # An editor that appends in place may have written between the
                # check and the rename: its bytes are in the file replaced.
                now = _read_fd(held)
            finally:
                os.close(held)
            if now != snap.data:
                late = now
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _fsync_dir(snap.path.parent)
    if late is not None:
        # Put their text back (if nobody saved since) and let the caller edit it again.
        mine = snapshot(snap.path)
        if mine.data == data:
            swap(mine, late, mode)
        return snapshot(snap.path)
    return None


def swap_until_done(
    snap: Snapshot, edit: Callable[[bytes | None], bytes | None], mode: int, attempts: int = 5
) -> bool:
    """Change a file others may write too. `edit` makes its new bytes from the
    bytes it holds (None: there is no file), or returns None to leave it; each
    replace is a `swap`, and when someone saved meanwhile the edit is made
    again on their text. False when the file kept changing through every attempt."""
    for _attempt in range(attempts):
        new = edit(snap.data)
        if new is None or new == snap.data:
            return True
        newer = swap(snap, new, mode)
        if newer is None:
            return True
        snap = newer
    return False
