"""The vault on the disk: finding it, walking and reading its notes, safe
paths, and the vault's lock. (Writing files: `atomic.py`.) The promises kept
here: vaultkit only scans a folder that is a vault and never writes outside it.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from vaultkit.atomic import READ_FLAGS, create_exclusive, make_dirs
from vaultkit.config import Config, config_from_mapping, config_text
from vaultkit.conflicts import candidates
from vaultkit.errors import ConfigError, NotAVaultError, UnsafePathError, VaultkitError

MARKER_DIRS = (".vaultkit", ".obsidian")
CONFIG_FILE = ".vaultkit/config.yaml"
LOCAL_DIR = ".vaultkit/local"  # this device's store and lock; see README "Where vaultkit keeps its state"
INIT_HINT = "run `vaultkit init` in your notes folder, or pass --vault PATH"
LOCK_WAIT = 60.0  # seconds a command waits for another vaultkit process on the same vault


def stem(rel: str) -> str:
    """The note's name without folder and extension: what an Obsidian link names."""
    name = rel[rel.rfind("/") + 1 :]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


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
    """The vault a command works on (see find_vault), with its settings."""
    return load_vault(find_vault(explicit, os.environ.get("VAULTKIT_VAULT"), Path.cwd()))


def load_vault(root: Path) -> Vault:
    config_path = root / CONFIG_FILE
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        return _with_obsidian_templates(Vault(root, Config()))
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read ({exc.strerror})") from None
    from vaultkit.frontmatter import NoteError, decode, load_yaml

    try:
        text = decode(raw, "config")
        data = load_yaml(text, what="this file")
    except NoteError as exc:
        line = exc.problem.line
        where = f":{line}" if line else ""
        key = _key_on(text, line) if line else None  # the setting being typed, if one can be told
        setting = f" (setting {key})" if key else ""
        raise ConfigError(f"{config_path}{where}{setting}: {exc.problem.message}") from None
    lines = {m[1]: f":{text.count(chr(10), 0, m.start()) + 1}" for m in _SETTING.finditer(text)}
    return _with_obsidian_templates(Vault(root, config_from_mapping(data, str(config_path), lines)))


def _with_obsidian_templates(vault: Vault) -> Vault:
    """Obsidian's template folder and daily-note template are ignored like `ignore` globs."""
    from vaultkit.obsidian import template_places

    extra = template_places(vault.root)
    return (
        vault._replace(config=vault.config._replace(ignore=vault.config.ignore + extra)) if extra else vault
    )


_SETTING = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:", re.M)


def _key_on(text: str, line: int) -> str | None:
    """The setting a config line (1-based) belongs to: its own key, or the last key above it."""
    keys = [match[1] for row in text.split("\n")[:line] if (match := _SETTING.match(row))]
    return keys[-1] if keys else None


def init_vault(path: Path) -> list[str]:
    """Make `path` a vault; return what was created (empty when nothing was)."""
    created = []
    state = path / ".vaultkit"
    if not state.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        make_dirs(state, 0o700)
        created.append(".vaultkit/")
    config = path / CONFIG_FILE
    if not config.exists():
        create_exclusive(config, config_text().encode("utf-8"), 0o600)
        created.append(CONFIG_FILE)
    return created


# ---------------------------------------------------------------- walking and reading


class NoteFile(NamedTuple):
    """A markdown file found in the vault, with what says it changed."""

    rel: str  # vault-relative, "/" separators, NFC
    path: str  # as on disk (the name the OS gave, which may be NFD)
    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int  # an in-place edit whose mtime was put back still moves this

    @classmethod
    def of(cls, rel: str, path: str, st: os.stat_result) -> NoteFile:
        return cls(rel, path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)

    @property
    def key(self) -> str:
        """What says the note changed (compared with `!=`, never "newer than")."""
        return f"{self.size}:{self.mtime_ns}:{self.inode}:{self.ctime_ns}"


class WalkProblem(NamedTuple):
    """A file or folder the walk could not take, and why."""

    rel: str
    message: str


def _ignored(rel: str, patterns: tuple[str, ...], is_dir: bool) -> bool:
    candidates = (rel, rel + "/") if is_dir else (rel,)
    return bool(patterns) and any(fnmatch.fnmatchcase(c, p) for p in patterns for c in candidates)


def readable_name(rel: str) -> str | None:
    """`rel` as a person can read it, when it holds bytes that are not UTF-8
    (no summary can name such a note); None for a good name."""
    try:
        rel.encode()
    except UnicodeEncodeError:
        return rel.encode(errors="surrogateescape").decode(errors="replace")
    return None


def walk_notes(vault: Vault, problems: list[WalkProblem], start: str = "") -> Iterator[NoteFile]:
    """Every `.md` file in the vault (or under folder `start`), skipping
    dot-folders, ignores and the summary. Symlinked folders are followed once
    each; a loop is reported, not followed. Problems go to `problems`."""
    ignore, summary, root = vault.config.ignore, nfc(vault.config.summary_path), os.fspath(vault.root)
    try:
        root_stat = os.stat(root)
    except OSError as exc:
        raise NotAVaultError(f"{root}: cannot read the vault ({exc.strerror})") from None
    seen_dirs = {(root_stat.st_dev, root_stat.st_ino)}
    prefix = start.rstrip("/") + "/" if start else ""
    if prefix and (any(p.startswith(".") for p in prefix.split("/")) or _ignored(prefix[:-1], ignore, True)):
        return
    stack = [(os.path.join(root, prefix), prefix)]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(WalkProblem(prefix.rstrip("/") or ".", f"cannot list folder ({exc.strerror})"))
            continue
        for entry in entries:
            if entry.name[0] == ".":
                continue
            rel, is_note = nfc(prefix + entry.name), entry.name[-3:].lower() == ".md"
            try:
                is_dir = not is_note and entry.is_dir()  # follows symlinks
                if not is_dir and not is_note:
                    continue
                st = entry.stat()
            except OSError as exc:
                shown = readable_name(rel) or rel
                if exc.errno == errno.ELOOP:
                    problems.append(WalkProblem(shown, "symlink loop; not followed"))
                elif is_note or entry.is_symlink():
                    problems.append(WalkProblem(shown, f"cannot read ({exc.strerror or exc})"))
                continue
            if bad := readable_name(rel):
                kind = "folder" if is_dir else "file"
                problems.append(WalkProblem(bad, f"the {kind} name is not UTF-8; rename it to have it read"))
            elif is_dir or stat.S_ISDIR(st.st_mode):
                if (st.st_dev, st.st_ino) in seen_dirs:
                    if entry.is_symlink():
                        problems.append(WalkProblem(rel, "symlink loop; not followed"))
                elif not _ignored(rel, ignore, True):
                    seen_dirs.add((st.st_dev, st.st_ino))
                    stack.append((entry.path, rel + "/"))
            elif stat.S_ISREG(st.st_mode) and not (is_summary(rel, summary) or _ignored(rel, ignore, False)):
                yield NoteFile.of(rel, entry.path, st)


def is_summary(rel: str, summary: str) -> bool:
    """The summary, or a sync client's conflict copy of it (not a note: see refresh)."""
    if rel == summary or stem(summary) not in rel:  # a copy's name holds the summary's
        return rel == summary
    strong, weak = candidates(rel)
    return strong == summary or summary in weak


def summary_copies(vault: Vault) -> list[str]:
    """The conflict copies of the summary that sync clients left beside it."""
    summary = nfc(vault.config.summary_path)
    folder = summary.rsplit("/", 1)[0] + "/" if "/" in summary else ""
    try:
        names = sorted(folder + nfc(e.name) for e in os.scandir(vault.root / folder) if e.is_file())
    except OSError:
        return []
    return [rel for rel in names if rel != summary and is_summary(rel, summary)]


def stat_note(vault: Vault, rel: str) -> NoteFile | None:
    """The NoteFile for one vault-relative path, or None if it is not a note now."""
    parts = rel.split("/")
    if (
        not rel.lower().endswith(".md")
        or readable_name(rel)
        or any(part.startswith(".") for part in parts)
        or is_summary(rel, nfc(vault.config.summary_path))
        or any(
            _ignored("/".join(parts[:i]), vault.config.ignore, i < len(parts))
            for i in range(1, len(parts) + 1)
        )
    ):
        return None
    path = os.path.join(os.fspath(vault.root), rel)
    try:
        st = os.stat(path)
    except OSError:
        return None
    return NoteFile.of(rel, path, st) if stat.S_ISREG(st.st_mode) else None


def read_head(note: NoteFile, limit: int) -> tuple[bytes, bool]:
    """Up to `limit` bytes of a note, and whether that is all of it. The first
    read asks for the size the walk saw and a margin: asking for `limit` would
    make Python allocate that much for every note."""
    fd = os.open(note.path, READ_FLAGS)
    try:
        data = os.read(fd, min(limit, note.size + 4096) + 1)
        while len(data) <= limit and (more := os.read(fd, limit + 1 - len(data))):
            data += more
    finally:
        os.close(fd)
    return data[:limit], len(data) <= limit


@contextmanager
def vault_lock(vault: Vault) -> Iterator[None]:
    """One vaultkit process at a time on this vault on this device (index, watch
    batches, done...): the OS's lock on a file in LOCAL_DIR, released if the
    process dies. Editors, sync clients and other devices are not asked to wait:
    every replace of a file others write is compare-and-swap (atomic.swap)."""
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


# ---------------------------------------------------------------- safe paths


def safe_target(vault: Vault, rel: str) -> Path:
    """The absolute path for `rel`, refusing anything that leads out of the vault."""
    candidate = Path(rel)
    if not rel or candidate.is_absolute() or rel.startswith(("/", "\\")) or ":" in candidate.parts[0]:
        raise UnsafePathError(f"{rel!r} is not a path inside the vault")
    if any(part in ("..", ".") for part in Path(rel.replace("\\", "/")).parts):
        raise UnsafePathError(f"{rel!r} leads outside the vault; remove the ..")
    target = vault.root / candidate
    root = vault.root.resolve()
    existing = target.parent  # the deepest existing ancestor: a symlinked folder may point out
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


# ---------------------------------------------------------------- template files

TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def shipped_templates_dir() -> Path:
    """The default templates: inside the installed package, or the source tree."""
    packaged = Path(__file__).parent / "_templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def notes_folder(vault: Vault) -> str:
    """The folder `new` writes every note in: the configured note path up to its
    first placeholder ("Integration" by default; "" for the whole vault)."""
    fixed = vault.config.note_path.split("{{", 1)[0]
    folder = fixed.rsplit("/", 1)[0] if "/" in fixed else ""
    if folder:
        try:
            safe_target(vault, folder)
        except UnsafePathError:  # not looked in: `new` refuses the note's path, saying why
            return ""
    return folder


def template_files(vault: Vault) -> Iterator[tuple[str, Path, str]]:
    """(name, path, origin) of every template file: the shipped ones ("default"),
    then the vault's own ("vault"), each folder by name."""
    for folder, origin in ((shipped_templates_dir(), "default"), (vault.state_dir / "templates", "vault")):
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                if TEMPLATE_NAME.match(path.stem):
                    yield path.stem, path, origin
