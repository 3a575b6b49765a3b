"""The store: one SQLite database per device, inside the vault, holding facts:
every note's stat key, vaultkit's own notes' records, what the walk could not
take, and the tick protocol's state (pending ticks, what `done` wrote over,
nudges sent, in `meta` what this device last wrote). Every view is derived
from the facts (`view()`). A damaged, foreign or outdated database is set
aside and rebuilt with a notice. README: "Where vaultkit keeps its state".
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from vaultkit.actions import Action
from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.errors import VaultkitError
from vaultkit.frontmatter import Problem
from vaultkit.fs import LOCAL_DIR, Vault
from vaultkit.notes import READER_VERSION, NoteRecord, own_types
from vaultkit.practice import Practice
from vaultkit.summary.derive import View, derive

if TYPE_CHECKING:
    from vaultkit.summary.ticks import Pending

APPLICATION_ID = 0x766B7431  # "vkt1": tells vaultkit's database from any other SQLite file
SCHEMA_VERSION = 6  # `PRAGMA user_version`; 5 is migrated, older ones are rebuilt
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (    -- every note, by its stat key
    path TEXT PRIMARY KEY,
    key TEXT NOT NULL                 -- size:mtime_ns:inode:ctime_ns when read; '' to read it again
);
CREATE TABLE IF NOT EXISTS notes (    -- what vaultkit's own notes say (see notes.is_own)
    path TEXT PRIMARY KEY,
    record TEXT NOT NULL              -- JSON: its NoteRecord's fields, its actions as written
);
CREATE TABLE IF NOT EXISTS walk_problems (path TEXT PRIMARY KEY, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (uid TEXT PRIMARY KEY, status TEXT NOT NULL, day TEXT NOT NULL,
                                    source TEXT NOT NULL, line TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS undo (path TEXT NOT NULL, wid TEXT NOT NULL, written TEXT NOT NULL,
                                 original TEXT NOT NULL, PRIMARY KEY (path, wid));
CREATE TABLE IF NOT EXISTS nudged (follow_up TEXT PRIMARY KEY, day TEXT NOT NULL);
"""
# Schema 5 kept every note's fields in `notes`; the tick protocol's tables are unchanged.
FROM_5 = "DROP TABLE notes; DROP TABLE actions; DELETE FROM walk_problems;"
LEGACY_FILES = ("cache.json", "cache.jsonl", "summary-state.json", "summary-boxes.json")
CHUNK = 2000  # notes put in at a time: a first read of 100,000 notes never holds them all
_ALL = "\U0010ffff"  # sorts after every path: [under, under + _ALL) is a folder


class StoreProblem(Exception):
    """The database is not one this vaultkit can use: set it aside."""


def device_id() -> str:
    """A random name for this device, kept outside every vault in the user's
    state folder, so that the store a sync client copies in from another device
    is never taken for this one's. Where it cannot be kept, the host name serves."""
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


def store_path(vault: Vault) -> Path:
    """This device's database (a sync client may bring other devices' beside it)."""
    return vault.root / LOCAL_DIR / f"{device_id()}.sqlite3"


def open_store(vault: Vault, notice: Callable[[str], None]) -> Store:
    """This device's store for the vault, made or migrated as needed. One that
    cannot be used is set aside (renamed `.set-aside`) and a new one made."""
    path = store_path(vault)
    make_dirs(path.parent, vault.config.dir_mode)
    for attempt in range(2):
        try:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            os.close(os.open(path, flags, vault.config.file_mode))
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise VaultkitError(f"cannot open vaultkit's store {path}: {exc}") from None
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            store = Store(conn)
            store.prepare(vault)
            return store
        except (sqlite3.DatabaseError, StoreProblem) as exc:
            conn.close()
            if attempt:
                raise
            reason = str(exc) if isinstance(exc, StoreProblem) else f"it is damaged ({type(exc).__name__})"
            for suffix in ("-wal", "-shm", "-journal", ""):
                try:
                    os.replace(f"{path}{suffix}", f"{path}.set-aside{suffix}")
                except FileNotFoundError:
                    pass
            notice(f"notice: vaultkit's store {path.name} was set aside ({reason}); rebuilt from the notes")
    raise AssertionError("unreachable")  # pragma: no cover


def _encode(r: NoteRecord) -> str:
    """A record as the store keeps it: its fields, and its actions as the note has them."""
    fields = {f.name: getattr(r, f.name) for f in dataclasses.fields(r) if f.name not in ("path", "actions")}
    fields["actions"] = [
        (a.index, a.written_id, a.explicit, a.text, a.kind, a.status, a.due, a.done, a.domain)
        for a in r.actions
    ]
    return json.dumps(fields, ensure_ascii=False)


def _decode(path: str, data: str) -> NoteRecord:
    fields = json.loads(data)
    day, session = fields["date"], fields["session"]
    return NoteRecord(
        **fields
        | {
            "path": path,
            "actions": tuple(
                Action(wid, text, kind, status, due, done, path, day, session, index, wid, explicit, domain)
                for index, wid, explicit, text, kind, status, due, done, domain in fields["actions"]
            ),
            "problems": tuple(Problem(*p) for p in fields["problems"]),
            "error": Problem(*fields["error"]) if fields["error"] else None,
            "wheel": tuple(map(tuple, fields["wheel"])),
            "dismissed": tuple(fields["dismissed"]),
        }
    )


class Store:
    """The open database; every method is one query or one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._loaded: tuple[int, dict[str, NoteRecord]] | None = None  # (data_version, facts)
        self._view: View | None = None

    def prepare(self, vault: Vault) -> None:
        """Check the database is this vault's and current; make or migrate it."""
        db = self.conn
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise StoreProblem("it is not vaultkit's")
        if version > SCHEMA_VERSION:
            raise StoreProblem(
                f"a newer vaultkit made it (schema {version}; this one knows {SCHEMA_VERSION})"
            )
        if 0 < version < 5:
            raise StoreProblem(f"an older vaultkit made it (schema {version})")
        # no shared memory for WAL (a network drive, say): the rollback journal
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA synchronous = NORMAL")
        root = str(vault.root)
        if version < SCHEMA_VERSION:
            step = FROM_5 if version == 5 else f"PRAGMA application_id = {APPLICATION_ID};"
            db.executescript(
                f"BEGIN IMMEDIATE; {step} {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
        if version == 0:
            self.set_meta("root", root)
            for name in LEGACY_FILES:  # what earlier versions kept instead
                (vault.state_dir / name).unlink(missing_ok=True)
        if self.meta("root") != root:
            raise StoreProblem("it belongs to a copy of this vault in another folder")
        reader = f"{READER_VERSION}:{vault.config.max_note_bytes}:{','.join(sorted(own_types(vault)))}"
        if self.meta("reader") != reader:  # a new parser, new limits or templates: read every note again
            with self.transaction():
                for table in ("files", "notes", "walk_problems"):
                    db.execute(f"DELETE FROM {table}")
                self.set_meta("reader", reader)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------ the notes' facts

    def keys(self, under: str = "") -> dict[str, str]:
        """Each stored note's stat key (see NoteFile.key) under a folder, or all."""
        rows = self.conn.execute("SELECT * FROM files WHERE path >= ? AND path < ?", (under, under + _ALL))
        return dict(rows.fetchall())

    def own_notes(self) -> list[str] | None:
        """The paths of vaultkit's own notes as last read: what `new` looks at again,
        instead of the whole vault. None before the vault was first read."""
        if self.conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None:
            return None
        return [path for (path,) in self.conn.execute("SELECT path FROM notes")]

    def action_count(self, rel: str) -> int:
        row = self.conn.execute(
            "SELECT json_array_length(record, '$.actions') FROM notes WHERE path = ?", (rel,)
        )
        return int((row.fetchone() or (0,))[0])

    def put(self, read: Iterable[tuple[str, NoteRecord]], gone: Iterable[str]) -> None:
        """Keep these notes as read, each with the stat key to store, and forget
        these paths: in one transaction, CHUNK notes at a time."""
        pending = iter(read)
        chunks = iter(lambda: list(itertools.islice(pending, CHUNK)), [])
        first, forget = next(chunks, []), sorted(set(gone))
        if not first and not forget:
            return
        loaded, view = self._loaded, self._view
        self._loaded = self._view = None  # kept only once all is in
        changed = bool(forget)  # the view is derived from the records alone: kept while none changed
        with self.transaction() as db:
            for table in ("files", "notes"):
                db.executemany(f"DELETE FROM {table} WHERE path = ?", [(rel,) for rel in forget])
            for chunk in itertools.chain([first], chunks):
                own = [r for _, r in chunk if r != NoteRecord(r.path)]  # a note that says nothing has no row
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", [(r.path, k) for k, r in chunk])
                db.executemany("DELETE FROM notes WHERE path = ?", [(r.path,) for _, r in chunk])
                db.executemany(
                    "INSERT OR REPLACE INTO notes VALUES (?, ?)", [(r.path, _encode(r)) for r in own]
                )
                if loaded is not None:
                    changed = changed or any(loaded[1].get(r.path) != r for _, r in chunk)
                    loaded[1].update((r.path, r) for _, r in chunk)
        if loaded is not None:
            for rel in forget:
                loaded[1].pop(rel, None)
            self._loaded, self._view = loaded, None if changed else view

    def records(self) -> list[NoteRecord]:
        """Every note as it was read, by path (a note that is not vaultkit's own says nothing)."""
        facts = self._facts()
        return [facts[rel] for rel in sorted(facts)]

    def _facts(self) -> dict[str, NoteRecord]:
        """Every note's record by path: loaded once, then kept in step by `put`;
        loaded again once another process changed the store (`data_version`)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if self._loaded is None or self._loaded[0] != version:
            own = {path: _decode(path, text) for path, text in self.conn.execute("SELECT * FROM notes")}
            paths = self.conn.execute("SELECT path FROM files").fetchall()
            self._loaded = (version, {path: own.get(path) or NoteRecord(path) for (path,) in paths})
            self._view = None
        return self._loaded[1]

    def set_walk_problems(self, problems: Iterable[tuple[str, str]], under: str = "") -> None:
        """What the walk of a folder (or the vault) could not take, instead of what it was."""
        span = (under, under + _ALL)
        stored = self.conn.execute("SELECT * FROM walk_problems WHERE path >= ? AND path < ?", span)
        found = {(rel, message) for rel, message in problems}
        if set(stored.fetchall()) == found:
            return
        self._view = None
        with self.transaction() as db:
            db.execute("DELETE FROM walk_problems WHERE path >= ? AND path < ?", span)
            db.executemany("INSERT OR REPLACE INTO walk_problems VALUES (?, ?)", sorted(found))

    # ------------------------------------------------------------ what the facts show

    def view(self) -> View:
        """The vault as every view shows it, derived from the facts once they change."""
        facts = self._facts()
        if self._view is None:
            walked = self.conn.execute("SELECT path, message FROM walk_problems ORDER BY path")
            self._view = derive(facts.values(), walked.fetchall())
        return self._view

    # What commands ask of the view, asked of the store (the view's own docs say more).

    def actions(
        self, status: str | None = None, kind: str | None = None, domain: str | None = None
    ) -> list[Action]:
        return self.view().select(status, kind, domain)

    def integration_notes(self) -> list[NoteRecord]:
        return self.view().integration_notes()

    def practice(self, follow_ups: Mapping[str, tuple[int, ...]], today: date) -> Practice:
        return self.view().practice(follow_ups, today)

    def briefs(self) -> list[tuple[str, str | None, str]]:
        return self.view().briefs()

    def links(self) -> dict[str, str]:
        return self.view().links()

    def link(self, rel: str) -> str:
        return self.view().link(rel)

    # ------------------------------------------------------------ the tick protocol, nudges

    def nudged_on(self, follow_up: str) -> str | None:
        """The day (ISO) this follow-up was last nudged, if it was."""
        row = self.conn.execute("SELECT day FROM nudged WHERE follow_up = ?", (follow_up,)).fetchone()
        return str(row[0]) if row else None

    def set_nudged(self, follow_up: str, day: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO nudged VALUES (?, ?)", (follow_up, day))

    def forget_nudges(self, due: Iterable[str], today: str) -> None:
        """Forget follow-ups that are no longer due, once their day is over
        (until then a note deleted and restored would nudge twice that day)."""
        self.conn.execute(
            "DELETE FROM nudged WHERE day < ? AND follow_up NOT IN (SELECT value FROM json_each(?))",
            (today, json.dumps(sorted(due))),
        )

    def pending(self) -> Pending:
        """Ticks not applied yet (see Pending)."""
        return {row[0]: row[1:] for row in self.conn.execute("SELECT * FROM pending")}

    def set_pending(self, pending: Pending) -> None:
        if pending == self.pending():
            return
        with self.transaction() as db:
            db.execute("DELETE FROM pending")
            db.executemany(
                "INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?)", [(k, *v) for k, v in pending.items()]
            )

    def undo(self, rel: str, wid: str) -> tuple[str, str] | None:
        """(what vaultkit wrote, what it replaced) when it last changed this action."""
        row = self.conn.execute(
            "SELECT written, original FROM undo WHERE path = ? AND wid = ?", (rel, wid)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def remember(self, rel: str, wid: str, written: str | None, original: str | None) -> None:
        """Keep (or with None, forget) what a status change wrote over."""
        if written is None or original is None:
            self.conn.execute("DELETE FROM undo WHERE path = ? AND wid = ?", (rel, wid))
        else:
            self.conn.execute(
                "INSERT OR REPLACE INTO undo VALUES (?, ?, ?, ?)", (rel, wid, written, original)
            )
