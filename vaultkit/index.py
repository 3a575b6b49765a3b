"""Vault -> notes -> actions, with a cache so unchanged notes are not re-read.

The cache (`.vaultkit/cache.jsonl`) maps each note's path to the (size,
mtime_ns, inode) it had when read, and what was read from it. A note whose
key differs (`!=`, never "newer than": sync clients restore old mtimes) is
read again; every other note costs one `stat`.

It is JSON lines: a header, then two lines for each run of up to 1,000 notes,
their paths and keys (`[[path, ...], [key, ...]]`), then what was read from
them (`[row, ...]`, same order). It is read and written a line at a time, so
a 100,000-note cache never sits in memory twice (as rows and as records), and
one JSON call handles 1,000 notes. With the keys apart, a run that only needs
to know which notes changed (`Indexer.reread_changed`) decodes the keys and
just the runs of rows it needs, and `patch_cache` re-encodes just the runs
whose notes it replaces.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from sys import intern
from typing import Any

from vaultkit.actions import Action, iso_date, make_ids_unique, parse_actions, session_number
from vaultkit.notes import MAX_FRONTMATTER_BYTES, NoteError, Problem, item_lines, parse_frontmatter
from vaultkit.records import ValueRecord
from vaultkit.vault import (
    NoteFile,
    Vault,
    WalkProblem,
    atomic_write,
    make_dirs,
    read_head,
    split_name,
    stat_note,
    stem,
    walk_notes,
)

CACHE_FILE = "cache.jsonl"
OLD_CACHE_FILES = ("cache.json",)  # an earlier format's file, removed when the cache is next written
CACHE_VERSION = 4
_CACHE_HEADER = json.dumps({"version": CACHE_VERSION}).encode() + b"\n"  # the file's first line
CACHE_CHUNK = 1000  # notes per line
_HEAD = MAX_FRONTMATTER_BYTES + 8192


_SESSIONS: dict[int, int] = {}
_MOODS: dict[float, float] = {}  # kept apart from the ints: 7 == 7.0 as a dict key


class NoteRecord(ValueRecord):
    """What the indexer knows about one note. Treat it as immutable, but for
    `key`, which the indexer sets as it stores the record.

    A slots class written out, not a dataclass (see config.Config); a
    100,000-note vault builds one per note every cold run."""

    __slots__ = ("path", "type", "date", "session", "mood", "actions", "problems", "error", "key")
    _NOT_COMPARED = ("key",)

    def __init__(
        self,
        path: str,
        type: str | None = None,
        date: str | None = None,
        session: int | None = None,
        mood: float | None = None,
        actions: tuple[Action, ...] = (),
        problems: tuple[Problem, ...] = (),  # schema problems; the note was still read
        error: Problem | None = None,  # the note could not be read at all
        key: int = 0,
    ) -> None:
        self.path = path
        self.type = type
        self.date = date
        self.session = session
        self.mood = mood
        self.actions = actions
        self.problems = problems
        self.error = error
        # The file's key (vault.file_key) when it was read. Not part of what the
        # note says: records compare equal without it. Kept here rather than in a
        # second 100,000-entry dict.
        self.key = key

    def to_cache(self) -> list[Any]:
        return [
            self.type,
            self.date,
            self.session,
            self.mood,
            [[a.id, a.text, a.kind, a.status, a.due, a.done, a.index, a.explicit_id] for a in self.actions],
            [[p.message, p.line] for p in self.problems],
            [self.error.message, self.error.line] if self.error else None,
        ]

    @classmethod
    def from_cache(cls, path: str, row: list[Any], key: int = 0) -> NoteRecord:
        # Dates, kinds, statuses, types, session numbers and moods get one
        # shared copy each: JSON gives every occurrence its own, and 100,000
        # notes' worth adds up (ints above 256 and floats are separate objects).
        type_, date, session, mood, actions, problems, error = row
        date = intern(date) if date else date
        if session is not None:
            session = _SESSIONS.setdefault(session, session)
        if mood is not None:
            mood = _MOODS.setdefault(mood, mood)
        return cls(
            path,
            intern(type_) if type_ else type_,
            date,
            session,
            mood,
            tuple(
                Action(
                    i,
                    t,
                    intern(k),
                    intern(s),
                    due and intern(due),
                    on and intern(on),
                    path,
                    date,
                    session,
                    n,
                    f,
                )
                for i, t, k, s, due, on, n, f in actions
            ),
            tuple(Problem(m, line) for m, line in problems),
            Problem(error[0], error[1]) if error else None,
            key,
        )


def record_from_bytes(path: str, data: bytes, complete: bool = True) -> NoteRecord:
    """Read one note's frontmatter into a record. Pure; never raises on bad input."""
    try:
        fm = parse_frontmatter(data, complete)
    except NoteError as exc:
        return NoteRecord(path, error=exc.problem)
    meta = fm.meta
    if not meta:
        return NoteRecord(path)  # no frontmatter, or an empty one: nothing to read (3 in 10 notes)
    problems: list[tuple[int | None, str, str | None]] = []  # (item, message, key)
    type_ = meta.get("type")
    if type_ is not None and not isinstance(type_, str):
        problems.append((None, "type must be a text such as reflection", "type"))
        type_ = None
    date = iso_date(meta.get("date"))
    if meta.get("date") not in (None, "") and date is None:
        problems.append((None, "date must be a date like 2026-11-24", "date"))
    session = session_number(meta.get("session"))
    if meta.get("session") not in (None, "") and session is None:
        problems.append((None, "session must be a whole number", "session"))
    mood = meta.get("mood")
    if mood in (None, ""):
        mood = None
    elif isinstance(mood, bool) or not isinstance(mood, (int, float)) or not 0 <= mood <= 10:
        problems.append((None, "mood must be a number from 0 to 10", "mood"))
        mood = None
    actions, action_problems = parse_actions(meta, path)
    problems.extend((index, message, "actions") for index, message in action_problems)
    located: list[Problem] = []
    if problems:
        cache: dict[str, tuple[int | None, list[int]]] = {}
        for index, message, key in problems:
            if key is not None and key not in cache:
                cache[key] = item_lines(data, fm, key)
            key_line, items = cache.get(key or "", (None, []))
            line = items[index] if index is not None and index < len(items) else key_line
            located.append(Problem(message, line))
    return NoteRecord(
        path,
        type_,
        date,
        session,
        float(mood) if mood is not None else None,
        tuple(actions),
        tuple(located),
    )


@contextmanager
def bulk() -> Iterator[None]:
    """Build many records without the cycle collector: they hold no cycles, and
    each collection would walk every record made so far (at 100,000 notes that
    is a fifth of a cold run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


PARALLEL_MIN = 1500  # below this, starting a second process costs more than it saves
PARENT_SHARE = 0.5  # read here; the rest in the forked worker (measured as even at 10,000 notes)


def _read_rows(notes: list[NoteFile], max_bytes: int) -> list[list[Any] | bool | None]:
    """Worker side of a parallel read: records as plain cache rows (cheap to send).

    A note that needs the full YAML loader (broken or unusual frontmatter, or a
    schema problem to locate) comes back as False and is read by the parent,
    which loads PyYAML anyway: loading it here as well costs the worker 12-19 ms,
    more than all its other YAML work.
    """
    if "vaultkit.yamlsafe" not in sys.modules:
        sys.modules["vaultkit.yamlsafe"] = None  # type: ignore[assignment]  # now importing it raises ImportError
    rows: list[list[Any] | bool | None] = []
    for note in notes:
        try:
            record = read_record(note, max_bytes)
        except ImportError:
            rows.append(False)
            continue
        rows.append(record.to_cache() if record is not None else None)
    return rows


def read_many(notes: list[NoteFile], max_bytes: int) -> list[NoteRecord | None]:
    """Read many notes, on two cores when there are enough of them to pay.

    A forked child (Linux) reads the last part and sends its records back as
    marshalled cache rows through a pipe; it starts with everything imported
    but PyYAML, and leaves the notes that need it to this process.
    Plain fork and marshal, not multiprocessing: its imports alone cost 18 ms.
    Should the child fail, its part is read here. Elsewhere, or for few notes,
    everything is read in this process.
    """

    def here(part: list[NoteFile]) -> list[NoteRecord | None]:
        return [read_record(n, max_bytes) for n in part]

    if len(notes) < PARALLEL_MIN or (os.cpu_count() or 1) < 2 or sys.platform != "linux":
        return here(notes)
    import marshal
    import signal

    import vaultkit.fastyaml  # noqa: F401 - imported once, before the fork, for both processes

    half = int(len(notes) * PARENT_SHARE)
    theirs = notes[half:]
    try:
        receive, send = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(receive)
            os.close(send)
            raise
    except OSError:  # out of descriptors, processes or memory: read everything here
        return here(notes)
    if pid == 0:  # the child: read, send, and leave without running any exit handlers
        code = 1
        try:
            os.close(receive)
            data = marshal.dumps(_read_rows(theirs, max_bytes))
            with os.fdopen(send, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(send)
    with os.fdopen(receive, "rb") as pipe:
        try:
            mine = here(notes[:half])
            data = pipe.read()
        except BaseException:  # Ctrl-C, say: take the child down too
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
    _, status = os.waitpid(pid, 0)
    try:
        rows = marshal.loads(data) if status == 0 else None
    except (EOFError, ValueError, TypeError):
        rows = None
    if not isinstance(rows, list) or len(rows) != len(theirs):
        return mine + here(theirs)
    return mine + [
        read_record(note, max_bytes)
        if row is False
        else NoteRecord.from_cache(note.rel, row)
        if row
        else None
        for note, row in zip(theirs, rows, strict=True)
    ]


def read_record(note: NoteFile, max_bytes: int) -> NoteRecord | None:
    """Read a note from disk; None when it vanished between listing and reading."""
    if note.size > max_bytes:
        return NoteRecord(
            note.rel,
            error=Problem(
                f"skipped: {note.size / 1048576:.1f} MB is over max_note_mb "
                f"({max_bytes / 1048576:g} MB); raise it in .vaultkit/config.yaml to read it"
            ),
        )
    try:
        data, complete = read_head(note.path, _HEAD, note.size)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return NoteRecord(note.rel, error=Problem(f"cannot read ({exc.strerror or exc})"))
    return record_from_bytes(note.rel, data, complete)


# ---------------------------------------------------------------- conflicts

_CONFLICT_PATTERNS = [
    re.compile(r"^(?P<base>.+)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(?P<ext>\.md)$", re.I),
    re.compile(r"^(?P<base>.+?) \([^()]*conflicted copy[^()]*\)(?P<ext>\.md)$", re.I),
    re.compile(r"^(?P<base>.+)_(?:BASE|LOCAL|REMOTE|BACKUP)_\d+(?P<ext>\.md)$"),
]
# Weak patterns: only a conflict copy when the original sits beside it.
_WEAK_CONFLICT_PATTERNS = [
    re.compile(r"^(?P<base>.+) \d(?P<ext>\.md)$"),  # iCloud: "note 2.md"
    re.compile(r"^(?P<base>.+)-[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?(?P<ext>\.md)$"),  # OneDrive
]


NOT_A_CONFLICT: tuple[str | None, tuple[str, ...]] = (None, ())


def conflict_candidates(rel: str) -> tuple[str | None, tuple[str, ...]]:
    """(the original when the name surely marks a conflict copy, originals it
    might be a copy of if they exist). Depends on the name only, so it is
    worked out once per path."""
    folder, name = split_name(rel)
    lower = name.lower()
    if "sync-conflict-" in lower or "conflicted copy" in lower or "_" in name:  # else none can match
        for pattern in _CONFLICT_PATTERNS:
            match = pattern.match(name)
            if match:
                return folder + match["base"] + match["ext"], ()
    icloud = name[-5:-4] == " " and name[-4:-3].isdigit()
    onedrive = "-" in name and name[name.rfind("-") + 1 : -3].isalnum()
    if not icloud and not onedrive:
        return NOT_A_CONFLICT  # neither weak pattern can match
    weak = tuple(
        folder + match["base"] + match["ext"]
        for pattern in _WEAK_CONFLICT_PATTERNS
        if (match := pattern.match(name))
    )
    return (None, weak) if weak else NOT_A_CONFLICT


def conflict_original(
    rel: str,
    existing: Collection[str],
    candidates: tuple[str | None, tuple[str, ...]] | None = None,
) -> str | None:
    """The note that `rel` is a sync-conflict copy of, or None."""
    strong, weak = candidates if candidates is not None else conflict_candidates(rel)
    if strong is not None:
        return strong
    return next((original for original in weak if original in existing), None)


# ---------------------------------------------------------------- the index


class VaultIndex:
    """The result of reading a vault."""

    def __init__(
        self,
        notes: list[NoteRecord],  # every note read (conflict copies excluded), by path
        conflicts: list[tuple[str, str]] | None = None,  # (copy, original)
        walk_problems: list[WalkProblem] | None = None,
        vanished: list[str] | None = None,
        parsed: int = 0,  # notes read from disk this run
        cached: int = 0,  # notes taken from the cache
    ) -> None:
        self.notes = notes
        self.conflicts = conflicts if conflicts is not None else []
        self.walk_problems = walk_problems if walk_problems is not None else []
        self.vanished = vanished if vanished is not None else []
        self.parsed = parsed
        self.cached = cached
        self.actions: list[Action] = make_ids_unique([a for note in notes for a in note.actions])

    @property
    def unreadable(self) -> list[tuple[str, Problem]]:
        found = [(n.path, n.error) for n in self.notes if n.error is not None]
        found += [(p.rel, Problem(p.message)) for p in self.walk_problems]
        return sorted(found, key=lambda item: item[0])

    def stem_counts(self) -> Counter[str]:
        return Counter(stem(n.path) for n in self.notes)


def _cache_lines(path: Path) -> Iterator[bytes]:
    """The cache file's lines after its header; nothing when the file is
    missing or of another version. Raises OSError or ValueError when damaged."""
    try:
        lines = path.open("rb")
    except OSError:
        return
    with lines:
        if lines.readline() != _CACHE_HEADER:
            return
        yield from lines


def _load_cache(path: Path) -> dict[str, NoteRecord]:
    """The cache's notes; empty when it is missing, of another version or damaged anywhere."""
    stored: dict[str, NoteRecord] = {}
    try:
        lines = _cache_lines(path)
        for keys_line in lines:
            rels, keys = json.loads(keys_line)
            rows = json.loads(next(lines, b""))
            for rel, key, row in zip(rels, keys, rows, strict=True):
                stored[rel] = NoteRecord.from_cache(rel, row, key)
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        return {}
    return stored


def _cache_runs(data: bytes) -> list[tuple[int, int, int]]:
    """Where each run is in the cache file's bytes: (start of its keys line, end
    of it, end of its rows line). Empty for a file of another version; raises
    ValueError when the file is cut short."""
    if not data.startswith(_CACHE_HEADER):
        return []
    runs, at = [], len(_CACHE_HEADER)
    while at < len(data):
        keys_end = data.find(b"\n", at)
        rows_end = data.find(b"\n", keys_end + 1) if keys_end >= 0 else -1
        if rows_end < 0:
            raise ValueError("cache file cut short")
        runs.append((at, keys_end, rows_end))
        at = rows_end + 1
    return runs


class _CacheKeys:
    """The keys of the cache file's bytes (`data`); a run's rows are decoded only
    when one of its notes is asked for. Raises ValueError when it is damaged."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.keys: dict[str, int] = {}
        self._runs: list[tuple[list[str], int, int]] = []  # (paths, where their rows' line is)
        self._where: dict[str, int] = {}  # path -> run, made on first need
        self._decoded: dict[int, list[Any]] = {}  # run -> its rows, once decoded
        for start, keys_end, rows_end in _cache_runs(data):
            rels, keys = json.loads(data[start:keys_end])
            self.keys.update(zip(rels, keys, strict=True))
            self._runs.append((rels, keys_end + 1, rows_end))

    def record(self, rel: str) -> NoteRecord:
        if not self._where:
            self._where = {r: run for run, (rels, _, _) in enumerate(self._runs) for r in rels}
        run = self._where[rel]
        rels, start, end = self._runs[run]
        rows = self._decoded.get(run)
        if rows is None:
            rows = self._decoded[run] = json.loads(self.data[start:end])
            if len(rows) != len(rels):
                raise ValueError("cache rows and paths differ in number")
        return NoteRecord.from_cache(rel, rows[rels.index(rel)], self.keys[rel])


class Indexer:
    """Keeps every note's record in memory and re-reads only what changed.

    `scan()` walks the whole vault (one stat per note); `refresh(paths)` and
    `scan_folder(rel)` look at just those paths, for the watcher. Records are
    reused while a note's (size, mtime_ns, inode) stays the same.
    """

    def __init__(self, vault: Vault, use_cache: bool = True) -> None:
        self.vault = vault
        self.use_cache = use_cache
        self.cache_path = vault.state_dir / CACHE_FILE
        self._stored_notes: dict[str, NoteRecord] | None = None if use_cache else {}
        self.records: dict[str, NoteRecord] = {}  # each with its file's key when read
        self.walk_problems: list[WalkProblem] = []
        self.vanished: list[str] = []
        self.parsed = 0
        self.cached = 0
        self._cache_dirty = False
        self._conflict_names: dict[str, tuple[str | None, tuple[str, ...]]] = {}
        self.changed: set[str] | None = None  # a set: collect paths whose record changed (the watcher)
        self.stale = 0  # notes the cache file has wrong or missing, as of the last scan
        self._read_now: list[str] = []  # the notes the last scan read (not from the cache)
        # The last scan found the cache file's notes, and each re-read note as
        # the cache has it (only bytes vaultkit does not read changed).
        self.unaltered = False

    @property
    def _stored(self) -> dict[str, NoteRecord]:
        """The cache file's notes, loaded on first need (a warm run may never need them)
        and let go after a scan, which puts every note in memory."""
        if self._stored_notes is None:
            self._stored_notes = _load_cache(self.cache_path)
        return self._stored_notes

    def _known(self, note: NoteFile) -> NoteRecord | None:
        """The record for an unchanged note, from memory or the cache file."""
        key = note.key
        known = self.records.get(note.rel)
        if known is None or known.key != key:
            known = self._stored.get(note.rel)
        if known is not None and known.key == key:
            self.cached += 1
            return known
        return None

    def _record_for(self, note: NoteFile) -> NoteRecord | None:
        known = self._known(note)
        if known is not None:
            return known
        record = read_record(note, self.vault.config.max_note_bytes)
        if record is None:
            self.vanished.append(note.rel)
            return None
        self.parsed += 1
        self._cache_dirty = True
        return record

    def _put(self, note: NoteFile, record: NoteRecord) -> None:
        rel = record.path  # equal to note.rel; keyed by this one, the walk's copy can go
        record.key = note.key
        if self.changed is not None and self.records.get(rel) is not record:
            self.changed.add(rel)
        self.records[rel] = record

    def _forget(self, rel: str) -> bool:
        self._cache_dirty = True
        self.unaltered = False
        if self.changed is not None:
            self.changed.add(rel)
        self._conflict_names.pop(rel, None)
        return self.records.pop(rel, None) is not None

    def reread_changed(
        self, files: list[NoteFile], fewer_than: int
    ) -> tuple[list[tuple[NoteRecord, NoteRecord]], bytes] | None:
        """The notes of `files` whose key the cache file has otherwise, as
        (what the cache has, what they read now with their new key), and the
        cache file's bytes as read (for patch_cache); None when `files` are not
        the notes the cache has, when `fewer_than` or more of them changed,
        when one vanished, or when the cache is missing or damaged.

        Decodes the cache's keys and only the runs of rows it needs; stores
        nothing, so a scan can follow when the answer is of no use."""
        try:
            stored = _CacheKeys(self.cache_path.read_bytes())
            if len(stored.keys) != len(files):
                return None
            known = stored.keys.get
            changed = [note for note in files if known(note.rel) != note.key]
            if len(changed) >= fewer_than:
                return None
            pairs = []
            for note in changed:
                if note.rel not in stored.keys:
                    return None
                record = read_record(note, self.vault.config.max_note_bytes)
                if record is None:
                    return None
                record.key = note.key
                pairs.append((stored.record(note.rel), record))
        except (OSError, ValueError, TypeError, AttributeError, IndexError):
            return None  # a damaged cache: the scan that follows ignores it
        return pairs, stored.data

    def scan(
        self,
        progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
        walked: tuple[list[NoteFile], list[WalkProblem]] | None = None,
    ) -> None:
        """Walk the whole vault (or take the result of a walk just made)."""
        with bulk():
            self._scan(progress, walked)

    def _scan(
        self,
        progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None,
        walked: tuple[list[NoteFile], list[WalkProblem]] | None,
    ) -> None:
        found: Iterable[NoteFile]
        if walked is None:
            problems: list[WalkProblem] = []
            found = walk_notes(self.vault, problems)  # one note at a time: nothing kept but the key
            if progress:
                found = list(found)
        else:
            found, problems = walked
        self.walk_problems = problems
        self.vanished = []
        seen = set()
        to_read = []
        for note in progress(found) if progress else found:
            record = self._known(note)
            if record is None:
                to_read.append(note)
            else:
                self._put(note, record)
                seen.add(record.path)
        altered = 0
        for note, maybe in zip(to_read, read_many(to_read, self.vault.config.max_note_bytes), strict=True):
            if maybe is None:
                self.vanished.append(note.rel)
                continue
            self.parsed += 1
            self._cache_dirty = True
            self._put(note, maybe)
            seen.add(note.rel)
            stored = self._stored.get(note.rel)
            altered += stored is None or stored != maybe
        for rel in [r for r in self.records if r not in seen]:
            self._forget(rel)
        gone = len(self._stored.keys() - self.records.keys())
        if gone:
            self._cache_dirty = True
        self.stale = self.parsed + gone  # how far the cache file is from the vault
        self._read_now = [note.rel for note in to_read if note.rel in seen]
        self.unaltered = bool(self._stored) and not altered and not gone
        self._stored_notes = {}  # all in memory now

    def scan_folder(self, rel_dir: str) -> set[str]:
        """Walk one folder (after it was created, moved in or out, or deleted)."""
        prefix = rel_dir.rstrip("/") + "/"
        changed = {r for r in self.records if r.startswith(prefix)}
        for rel in changed:
            self._forget(rel)
        problems: list[WalkProblem] = []
        if (self.vault.root / rel_dir).is_dir():
            for note in walk_notes(self.vault, problems, start=rel_dir):
                record = self._record_for(note)
                if record is not None:
                    self._put(note, record)
                    changed.add(note.rel)
        self.walk_problems = [p for p in self.walk_problems if not p.rel.startswith(prefix)] + problems
        return changed

    def look(self, rel: str) -> tuple[NoteFile | None, NoteRecord | None]:
        """Stat and (if changed) read one path, without storing the result."""
        note = stat_note(self.vault, rel)
        if note is None:
            return None, None
        return note, self._record_for(note)

    def store(self, rel: str, note: NoteFile | None, record: NoteRecord | None) -> bool:
        """Store what `look` found; True when the index changed."""
        if note is None or record is None:
            return self._forget(rel)
        changed = self.records.get(rel) != record
        self._put(note, record)
        if changed:
            self.unaltered = False
        return changed

    def refresh(self, rels: Iterable[str]) -> set[str]:
        """Re-stat these paths; return the ones whose record changed."""
        return {rel for rel in rels if self.store(rel, *self.look(rel))}

    def index(self) -> VaultIndex:
        existing = self.records.keys()
        names = self._conflict_names
        conflicts = []
        records = []
        for rel in sorted(self.records):
            candidates = names.get(rel)
            if candidates is None:
                candidates = names[rel] = conflict_candidates(rel)
            original = None if candidates is NOT_A_CONFLICT else conflict_original(rel, existing, candidates)
            if original is not None:
                conflicts.append((rel, original))
            else:
                records.append(self.records[rel])
        return VaultIndex(
            records,
            conflicts,
            list(self.walk_problems),
            list(self.vanished),
            self.parsed,
            self.cached,
        )

    @property
    def cache_current(self) -> bool:
        """The cache file holds every record as it is in memory (keys aside)."""
        return self.use_cache and (not self._cache_dirty or self.unaltered)

    def save_cache(self, patch_fewer_than: int = 1) -> None:
        """Write the cache. When it served this run and fewer than
        `patch_fewer_than` notes in it are stale (all of them still there),
        only those are put in (patch_cache): that costs a fraction of encoding
        every note, and leaves the cache current for the quick paths of `index`."""
        if not self.use_cache or not self._cache_dirty:
            return
        # Stale only by notes this scan read: none gone since, none forgotten by the watcher.
        if self.cached and 0 < self.stale < patch_fewer_than and self.stale == len(self._read_now):
            try:
                data = self.cache_path.read_bytes()
            except OSError:
                data = b""
            if patch_cache(self.vault, self.cache_path, data, [self.records[rel] for rel in self._read_now]):
                self._cache_dirty = False
                return
        notes = iter(self.records.items())
        lines = (
            _cache_line(value) + b"\n"
            for chunk in iter(lambda: list(itertools.islice(notes, CACHE_CHUNK)), [])
            for value in (
                [[rel for rel, _ in chunk], [record.key for _, record in chunk]],
                [record.to_cache() for _, record in chunk],
            )
        )
        if save_cache(self.vault, self.cache_path, itertools.chain([_CACHE_HEADER], lines)):
            self._cache_dirty = False


def build_index(
    vault: Vault,
    use_cache: bool = True,
    progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
) -> VaultIndex:
    """Read the vault, re-reading only notes whose (size, mtime, inode) changed."""
    indexer = Indexer(vault, use_cache)
    indexer.scan(progress)
    indexer.save_cache()
    return indexer.index()


# check_circular=False: the rows hold no cycles, and checking each of 100,000
# small lists for one is an eighth of encoding them
_CACHE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _cache_line(value: Any) -> bytes:
    return _CACHE_ENCODER.encode(value).encode()


def save_cache(vault: Vault, path: Path, lines: Iterable[bytes | memoryview]) -> bool:
    """Whether the cache was written. One that can't be written only costs speed
    next time (the file left there no longer counts as current)."""
    make_dirs(vault.state_dir, vault.config.dir_mode)
    try:
        atomic_write(path, lines, vault.config.file_mode)
        for old in OLD_CACHE_FILES:
            (vault.state_dir / old).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def patch_cache(vault: Vault, path: Path, data: bytes, records: Iterable[NoteRecord]) -> bool:
    """Rewrite the cache file (`data`, as read from `path`) with `records` (each
    with its file's key) in place of what it has for their paths, decoding and
    encoding only their runs.

    Whether it was written: not when `data` is of another version or damaged,
    when it lacks one of the paths, or when the file cannot be written."""
    wanted = {record.path: record for record in records}
    quoted = {rel: json.dumps(rel, ensure_ascii=False).encode() for rel in wanted}
    view = memoryview(data)  # the runs left as they are go out as slices, not copies
    try:
        runs = _cache_runs(data)
        pieces: list[bytes | memoryview] = [view[: len(_CACHE_HEADER)]]
        for start, keys_end, rows_end in runs:
            if not any(data.find(quoted[rel], start, keys_end) >= 0 for rel in wanted):
                pieces.append(view[start : rows_end + 1])  # none of ours in this run (decoding decides)
                continue
            rels, keys = json.loads(data[start:keys_end])
            rows = json.loads(data[keys_end + 1 : rows_end])
            if not len(rels) == len(keys) == len(rows):
                return False
            for i, rel in enumerate(rels):
                record = wanted.pop(rel, None)
                if record is not None:
                    keys[i], rows[i] = record.key, record.to_cache()
            pieces += [_cache_line([rels, keys]), b"\n", _cache_line(rows), b"\n"]
    except (ValueError, TypeError):
        return False
    return bool(runs) and not wanted and save_cache(vault, path, pieces)
