"""Vault -> notes -> actions, with a cache so unchanged notes are not re-read.

The cache (`.vaultkit/cache.json`) maps each note's path to the (size,
mtime_ns, inode) it had when read, and what was read from it. A note whose
key differs (`!=`, never "newer than": sync clients restore old mtimes) is
read again; every other note costs one `stat`.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vaultkit.actions import Action, iso_date, make_ids_unique, parse_actions, session_number
from vaultkit.notes import MAX_FRONTMATTER_BYTES, NoteError, Problem, item_lines, parse_frontmatter
from vaultkit.vault import NoteFile, Vault, WalkProblem, atomic_write, read_head, walk_notes

CACHE_FILE = "cache.json"
CACHE_VERSION = 1
_HEAD = MAX_FRONTMATTER_BYTES + 8192


@dataclass(frozen=True)
class NoteRecord:
    """What the indexer knows about one note."""

    path: str
    type: str | None = None
    date: str | None = None
    session: int | None = None
    mood: float | None = None
    actions: tuple[Action, ...] = ()
    problems: tuple[Problem, ...] = ()  # schema problems; the note was still read
    error: Problem | None = None  # the note could not be read at all

    def to_cache(self) -> list[Any]:
        return [
            self.type, self.date, self.session, self.mood,
            [[a.id, a.text, a.kind, a.status, a.due, a.done, a.index, a.explicit_id]
             for a in self.actions],
            [[p.message, p.line] for p in self.problems],
            [self.error.message, self.error.line] if self.error else None,
        ]

    @classmethod
    def from_cache(cls, path: str, row: list[Any]) -> NoteRecord:
        type_, date, session, mood, actions, problems, error = row
        return cls(
            path, type_, date, session, mood,
            tuple(
                Action(i, t, k, s, due, done, path, date, session, idx, explicit)
                for i, t, k, s, due, done, idx, explicit in actions
            ),
            tuple(Problem(m, line) for m, line in problems),
            Problem(error[0], error[1]) if error else None,
        )


def record_from_bytes(path: str, data: bytes, complete: bool = True) -> NoteRecord:
    """Read one note's frontmatter into a record. Pure; never raises on bad input."""
    try:
        fm = parse_frontmatter(data, complete)
    except NoteError as exc:
        return NoteRecord(path, error=exc.problem)
    meta = fm.meta or {}
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
        path, type_, date, session, float(mood) if mood is not None else None,
        tuple(actions), tuple(located),
    )


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
        data, complete = read_head(note.path, _HEAD)
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


def conflict_original(rel: str, existing: set[str]) -> str | None:
    """The note that `rel` is a sync-conflict copy of, or None."""
    path = PurePosixPath(rel)
    for pattern in _CONFLICT_PATTERNS:
        match = pattern.match(path.name)
        if match:
            return str(path.with_name(match["base"] + match["ext"]))
    for pattern in _WEAK_CONFLICT_PATTERNS:
        match = pattern.match(path.name)
        if match:
            original = str(path.with_name(match["base"] + match["ext"]))
            if original in existing:
                return original
    return None


# ---------------------------------------------------------------- the index


@dataclass
class VaultIndex:
    """The result of reading a vault."""

    notes: list[NoteRecord]  # every note read (conflict copies excluded), by path
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (copy, original)
    walk_problems: list[WalkProblem] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    parsed: int = 0  # notes read from disk this run
    cached: int = 0  # notes taken from the cache

    def __post_init__(self) -> None:
        self.actions: list[Action] = make_ids_unique(
            [a for note in self.notes for a in note.actions]
        )

    @property
    def unreadable(self) -> list[tuple[str, Problem]]:
        found = [(n.path, n.error) for n in self.notes if n.error is not None]
        found += [(p.rel, Problem(p.message)) for p in self.walk_problems]
        return sorted(found, key=lambda item: item[0])

    def stem_counts(self) -> Counter[str]:
        return Counter(PurePosixPath(n.path).stem for n in self.notes)


def _load_cache(path: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    notes = data.get("notes")
    return notes if isinstance(notes, dict) else {}


def build_index(
    vault: Vault,
    use_cache: bool = True,
    progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
) -> VaultIndex:
    """Read the vault, re-reading only notes whose (size, mtime, inode) changed."""
    cache_path = vault.state_dir / CACHE_FILE
    cache = _load_cache(cache_path) if use_cache else {}
    walk_problems: list[WalkProblem] = []
    files = list(walk_notes(vault, walk_problems))
    existing = {f.rel for f in files}
    conflicts = []
    records: list[NoteRecord] = []
    vanished: list[str] = []
    new_cache: dict[str, list[Any]] = {}
    parsed = cached = 0
    max_bytes = vault.config.max_note_bytes
    for note in progress(files) if progress else files:
        original = conflict_original(note.rel, existing)
        if original is not None:
            conflicts.append((note.rel, original))
            continue
        row = cache.get(note.rel)
        if row is not None and row[:3] == [note.size, note.mtime_ns, note.inode]:
            record = NoteRecord.from_cache(note.rel, row[3])
            cached += 1
        else:
            maybe = read_record(note, max_bytes)
            if maybe is None:
                vanished.append(note.rel)
                continue
            record = maybe
            parsed += 1
        new_cache[note.rel] = [note.size, note.mtime_ns, note.inode, record.to_cache()]
        records.append(record)
    if use_cache and (parsed or new_cache.keys() != cache.keys()):
        save_cache(vault, cache_path, new_cache)
    records.sort(key=lambda r: r.path)
    return VaultIndex(records, sorted(conflicts), walk_problems, vanished, parsed, cached)


def save_cache(vault: Vault, path: Path, notes: dict[str, list[Any]]) -> None:
    if not vault.state_dir.is_dir():
        vault.state_dir.mkdir(mode=vault.config.dir_mode)
        os.chmod(vault.state_dir, vault.config.dir_mode)
    payload = json.dumps({"version": CACHE_VERSION, "notes": notes}, separators=(",", ":"))
    try:
        atomic_write(path, payload.encode("utf-8"), vault.config.file_mode)
    except OSError:
        pass  # a cache that can't be written only costs speed next time
