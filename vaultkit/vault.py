"""Everything that touches the disk: finding the vault, walking notes, writing.

Other modules are pure; this one keeps the promises about files: vaultkit only
scans a folder that is a vault, never writes outside it, never overwrites a
note it is creating, and replaces files atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from vaultkit.config import CONFIG_TEMPLATE, Config, config_from_mapping
from vaultkit.errors import ConfigError, NotAVaultError, TemplateError, UnsafePathError

if TYPE_CHECKING:
    from vaultkit.templates import Template

MARKER_DIRS = (".vaultkit", ".obsidian")
CONFIG_FILE = ".vaultkit/config.yaml"
INIT_HINT = "run `vaultkit init` in your notes folder, or pass --vault PATH"


def split_name(rel: str) -> tuple[str, str]:
    """("folder/", "name.md") for a vault-relative path; plain string work, no pathlib."""
    cut = rel.rfind("/") + 1
    return rel[:cut], rel[cut:]


def stem(rel: str) -> str:
    """The note's name without folder and extension: what an Obsidian link names."""
    name = rel[rel.rfind("/") + 1 :]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


class Vault(NamedTuple):
    """A vault folder and its settings."""

    root: Path
    config: Config

    @property
    def state_dir(self) -> Path:
        return self.root / ".vaultkit"

    def rel(self, path: Path) -> str:
        """Vault-relative path with `/` separators, NFC-normalised."""
        return nfc(path.relative_to(self.root).as_posix())


def is_vault(path: Path) -> bool:
    return any((path / marker).is_dir() for marker in MARKER_DIRS)


def find_vault(explicit: str | None, env: str | None, cwd: Path) -> Path:
    """--vault, else $VAULTKIT_VAULT, else the nearest ancestor that is a vault."""
    for given, origin in ((explicit, "--vault"), (env, "VAULTKIT_VAULT")):
        if given:
            path = Path(given).expanduser()
            if not path.is_dir():
                raise NotAVaultError(f"{origin} {given}: no such folder")
            if not is_vault(path):
                raise NotAVaultError(
                    f"{origin} {given} is not a vault (no .vaultkit/ or .obsidian/ folder); "
                    f"run `vaultkit init {given}` to make it one"
                )
            return path.resolve()
    for folder in (cwd, *cwd.parents):
        if is_vault(folder):
            return folder.resolve()
    raise NotAVaultError(f"{cwd} is not inside a vault; {INIT_HINT}")


def open_vault(explicit: str | None) -> Vault:
    """The vault a command works on: --vault `explicit`, $VAULTKIT_VAULT or the
    folders above the current one (see find_vault), with its settings."""
    return load_vault(find_vault(explicit, os.environ.get("VAULTKIT_VAULT"), Path.cwd()))


def load_vault(root: Path) -> Vault:
    config_path = root / CONFIG_FILE
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        return Vault(root, Config())
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read ({exc.strerror})") from None
    from vaultkit.notes import NoteError, decode

    if all(not line.strip() or line.lstrip().startswith(b"#") for line in raw.splitlines()):
        return Vault(root, Config())  # only comments, as `vaultkit init` writes it
    from vaultkit.yamlsafe import load_yaml

    try:
        data = load_yaml(decode(raw, "config"))
    except NoteError as exc:
        where = f":{exc.problem.line}" if exc.problem.line else ""
        raise ConfigError(f"{config_path}{where}: {exc.problem.message}") from None
    return Vault(root, config_from_mapping(data, str(config_path)))


def init_vault(path: Path) -> list[str]:
    """Make `path` a vault; return what was created (empty when nothing was)."""
    created = []
    state = path / ".vaultkit"
    if not state.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        state.mkdir(mode=0o700)
        os.chmod(state, 0o700)  # mkdir's mode is masked by the umask
        created.append(".vaultkit/")
    config = path / CONFIG_FILE
    if not config.exists():
        create_exclusive(config, CONFIG_TEMPLATE.encode("utf-8"), 0o600)
        created.append(CONFIG_FILE)
    return created


# ---------------------------------------------------------------- walking


class NoteFile(NamedTuple):
    """A markdown file found in the vault (a tuple: the walk makes thousands)."""

    rel: str  # vault-relative, "/" separators, NFC
    path: str  # as on disk
    size: int
    mtime_ns: int
    inode: int

    @property
    def key(self) -> int:
        return file_key(self.size, self.mtime_ns, self.inode)


def file_key(size: int, mtime_ns: int, inode: int) -> int:
    """What says a file changed: its (size, mtime_ns, inode) packed into one
    int, one object per note instead of a tuple of three (100,000 notes)."""
    return (mtime_ns << 128) | (size << 64) | inode


class WalkProblem(NamedTuple):
    """A file or folder the walk could not take, and why."""

    rel: str
    message: str


def _ignored(rel: str, patterns: tuple[str, ...], is_dir: bool) -> bool:
    candidates = (rel, rel + "/") if is_dir else (rel,)
    return any(fnmatch.fnmatchcase(c, p) for p in patterns for c in candidates)


def _undecodable(rel: str, problems: list[WalkProblem], what: str) -> bool:
    """Whether `rel` has bytes that are not UTF-8 (read as lone surrogates, which
    no summary or cache can hold); if so, the problem is reported."""
    try:
        rel.encode()
    except UnicodeEncodeError:
        problems.append(WalkProblem(_shown(rel), f"the {what} name is not UTF-8; rename it to have it read"))
        return True
    return False


def _shown(rel: str) -> str:
    """`rel` with any bytes that are not UTF-8 shown as U+FFFD."""
    return rel.encode(errors="surrogateescape").decode(errors="replace")


_new_tuple = tuple.__new__
_SCANDIR_FD = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def walk_notes(
    vault: Vault, problems: list[WalkProblem] | None = None, start: str = ""
) -> Iterator[NoteFile]:
    """Every `.md` file in the vault (or under folder `start`), skipping
    dot-folders, ignores and the summary.

    Symlinked folders are followed once each; a loop is reported, not followed.
    Problems (unreadable folders, broken links) are appended to `problems`.
    """
    problems = problems if problems is not None else []
    ignore = vault.config.ignore
    summary = nfc(vault.config.summary_path)
    root = vault.root
    try:
        root_stat = root.stat()
    except OSError as exc:
        raise NotAVaultError(f"{root}: cannot read the vault ({exc.strerror})") from None
    seen_dirs = {(root_stat.st_dev, root_stat.st_ino)}
    stack = [(os.fspath(root), "")]
    if start:
        prefix = start.rstrip("/") + "/"
        if any(part.startswith(".") for part in prefix.split("/") if part) or _ignored(
            prefix[:-1], ignore, True
        ):
            return
        stack = [(os.path.join(os.fspath(root), prefix[:-1]), prefix)]
    sep = os.sep
    while stack:
        folder, prefix = stack.pop()
        fd = None
        try:
            if _SCANDIR_FD:  # stat by name within the open folder: no path lookup from / per note
                fd = os.open(folder, _DIR_FLAGS)
            it = os.scandir(folder if fd is None else fd)
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            problems.append(WalkProblem(prefix.rstrip("/") or ".", f"cannot list folder ({exc.strerror})"))
            continue
        try:
            with it:
                for entry in it:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    is_note = name[-3:].lower() == ".md"
                    try:
                        if entry.is_file(follow_symlinks=False):  # the common case: no extra syscall
                            if not is_note:
                                continue
                            st = entry.stat(follow_symlinks=False)
                            rel = prefix + name
                            if not rel.isascii():
                                rel = nfc(rel)
                                if _undecodable(rel, problems, "file"):
                                    continue
                            if rel != summary and not (ignore and _ignored(rel, ignore, False)):
                                # NoteFile(...) without its Python-level __new__: 2.5 ms per 10,000 notes
                                yield _new_tuple(
                                    NoteFile,
                                    (rel, folder + sep + name, st.st_size, st.st_mtime_ns, st.st_ino),
                                )
                            continue
                        is_dir = entry.is_dir()  # follows symlinks
                        if not is_dir and not is_note:
                            continue
                        st = entry.stat()
                    except OSError as exc:
                        rel = _shown(nfc(prefix + name))
                        if exc.errno == errno.ELOOP:
                            problems.append(WalkProblem(rel, "symlink loop; not followed"))
                        elif is_note or entry.is_symlink():
                            problems.append(WalkProblem(rel, f"cannot read ({exc.strerror or exc})"))
                        continue
                    rel = nfc(prefix + name)
                    if _undecodable(rel, problems, "folder" if is_dir else "file"):
                        continue
                    if is_dir:
                        if ignore and _ignored(rel, ignore, True):
                            continue
                        ident = (st.st_dev, st.st_ino)
                        if ident in seen_dirs:
                            if entry.is_symlink():
                                problems.append(WalkProblem(rel, "symlink loop; not followed"))
                            continue
                        seen_dirs.add(ident)
                        stack.append((folder + sep + name, rel + "/"))
                    elif stat.S_ISREG(st.st_mode):
                        if rel == summary or (ignore and _ignored(rel, ignore, False)):
                            continue
                        yield NoteFile(rel, folder + sep + name, st.st_size, st.st_mtime_ns, st.st_ino)
        finally:
            if fd is not None:
                os.close(fd)


def stat_note(vault: Vault, rel: str) -> NoteFile | None:
    """The NoteFile for one vault-relative path, or None if it is not a note now."""
    parts = rel.split("/")
    if (
        not rel.lower().endswith(".md")
        or not rel.isascii()
        and _undecodable(rel, [], "file")  # the walk reports it
        or any(part.startswith(".") for part in parts)
        or rel == nfc(vault.config.summary_path)
        or _ignored(rel, vault.config.ignore, False)
        or any(_ignored("/".join(parts[:i]), vault.config.ignore, True) for i in range(1, len(parts)))
    ):
        return None
    path = os.path.join(os.fspath(vault.root), rel)
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return NoteFile(rel, path, st.st_size, st.st_mtime_ns, st.st_ino)


_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
)


def read_head(path: str | Path, limit: int, expected: int = 0) -> tuple[bytes, bool]:
    """Up to `limit` bytes of a file, and whether that is the whole file.

    `expected` is the size the file had when listed. Reading that much (plus a
    margin) in one `os.read` is all a note usually needs: a regular file gives
    everything asked for unless it ends first, so only a file whose size
    changed, or a short read, reads on. (Plain file descriptors rather than
    `open()`: no buffer object and no extra read at the end, about half the
    cost per note. O_NONBLOCK: a note swapped for a FIFO cannot hang a run.)
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        first = os.read(fd, min(limit, expected + 4096) + 1)
        if len(first) == expected <= limit:
            return first, True
        chunks, got = [first], len(first)
        while got <= limit:
            more = os.read(fd, limit + 1 - got)
            if not more:
                break
            chunks.append(more)
            got += len(more)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data[:limit], len(data) <= limit


# ---------------------------------------------------------------- writing


def safe_target(vault: Vault, rel: str) -> Path:
    """The absolute path for `rel`, refusing anything that leads out of the vault."""
    candidate = Path(rel)
    if not rel or candidate.is_absolute() or rel.startswith(("/", "\\")) or ":" in candidate.parts[0]:
        raise UnsafePathError(f"{rel!r} is not a path inside the vault")
    if any(part in ("..", ".") for part in Path(rel.replace("\\", "/")).parts):
        raise UnsafePathError(f"{rel!r} leads outside the vault; remove the ..")
    target = vault.root / candidate
    root = vault.root.resolve()
    # Resolve the deepest existing ancestor: a symlinked folder may point out.
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    real_parent = existing.resolve()
    if real_parent != root and root not in real_parent.parents:
        raise UnsafePathError(f"{rel!r} leads outside the vault (through a symlink)")
    if target.is_symlink():
        real = target.resolve()
        if real != root and root not in real.parents:
            raise UnsafePathError(f"{rel!r} is a symlink that points outside the vault")
    return target


def make_dirs(folder: Path, mode: int) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=mode)
        os.chmod(path, mode)


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_temp(folder: Path, name: str, data: bytes | Iterable[bytes | memoryview], mode: int) -> str:
    # Not tempfile.mkstemp: importing tempfile costs 3 ms of every run's start.
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{os.urandom(5).hex()}.vaultkit-tmp")
        try:
            fd = os.open(tmp, _TEMP_FLAGS, 0o600)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 clashes of 40 random bits
        raise FileExistsError(f"cannot make a temporary file in {folder}")
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)  # streamed: a big cache is never one string
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


def create_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `data`, failing with FileExistsError if it exists.

    The content is written to a temp file first and then hard-linked into
    place, so the new file never appears half-written.
    """
    tmp = _write_temp(path.parent, path.name, data, mode)
    try:
        try:
            os.link(tmp, path)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
            # File systems without hard links: exclusive create, then copy in.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        os.unlink(tmp)
    _fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes | Iterable[bytes | memoryview], mode: int | None = None) -> None:
    """Replace `path` with `data` atomically, keeping its permissions if it exists."""
    try:
        keep = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        keep = 0o600 if mode is None else mode
    tmp = _write_temp(path.parent, path.name, data, keep if mode is None else mode)
    try:
        for attempt in range(5):
            try:
                os.replace(tmp, path)
                break
            except PermissionError:  # Windows: another program holds it open
                if attempt == 4:
                    raise
                time.sleep(0.1 * (attempt + 1))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


# ---------------------------------------------------------------- templates


def shipped_templates_dir() -> Path:
    """The default templates: inside the installed package, or the source tree."""
    packaged = Path(__file__).parent / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def _read_template(name: str, path: Path, origin: str) -> Template:
    from vaultkit.templates import Template

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from None
    return Template(name, text.replace("\r\n", "\n"), origin, str(path))


def find_template(vault: Vault, name: str) -> Template:
    from vaultkit.templates import TEMPLATE_NAME

    if not TEMPLATE_NAME.match(name):
        raise TemplateError(f"{name!r} is not a template name (letters, digits, - and _ only)")
    own = vault.state_dir / "templates" / f"{name}.md"
    if own.is_file():
        return _read_template(name, own, "vault")
    shipped = shipped_templates_dir() / f"{name}.md"
    if shipped.is_file():
        return _read_template(name, shipped, "default")
    names = ", ".join(t.name for t in list_templates(vault))
    raise TemplateError(f"no template named {name!r}; available: {names}")


def list_templates(vault: Vault) -> list[Template]:
    """Every template, the vault's own shadowing the shipped ones, sorted by name."""
    from vaultkit.templates import TEMPLATE_NAME

    found: dict[str, Template] = {}
    for folder, origin in (
        (shipped_templates_dir(), "default"),
        (vault.state_dir / "templates", "vault"),
    ):
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                if TEMPLATE_NAME.match(path.stem):
                    found[path.stem] = _read_template(path.stem, path, origin)
    return [found[name] for name in sorted(found)]


def copy_template(vault: Vault, name: str) -> Path:
    """Copy a shipped template into `.vaultkit/templates/` for editing."""
    template = find_template(vault, name)
    target = vault.state_dir / "templates" / f"{name}.md"
    if template.origin == "vault":
        raise TemplateError(f"{vault.rel(target)} already exists; edit it there")
    make_dirs(target.parent, vault.config.dir_mode)
    create_exclusive(target, template.text.encode("utf-8"), vault.config.file_mode)
    return target
