"""The store's schema, its migrations (`PRAGMA user_version`, as zk does), and
opening it: a damaged or foreign database is set aside and made anew."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from vaultkit.atomic import make_dirs
from vaultkit.device import device_id
from vaultkit.errors import VaultkitError
from vaultkit.fs import LOCAL_DIR, Vault
from vaultkit.notes import READER_VERSION, own_types
from vaultkit.store import Store

APPLICATION_ID = 0x766B7431  # "vkt1": tells vaultkit's database from any other SQLite file
# Each step brings `PRAGMA user_version` from its index to the next (as zk's db.go).
MIGRATIONS = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE notes (
        path TEXT PRIMARY KEY,
        key TEXT NOT NULL,                -- size:mtime_ns:inode:ctime_ns when read; '' to read it again
        type TEXT, date TEXT, session INTEGER, mood REAL,
        error TEXT, error_line INTEGER, problems TEXT,  -- problems: JSON [[message, line], ...]
        stem TEXT NOT NULL, copy_of TEXT, link TEXT,
        integration INTEGER NOT NULL,     -- a note of the integration work (not a copy): see NoteRecord
        session_date TEXT                 -- an intention's day of the session, when not its own date
    );
    CREATE INDEX notes_stem ON notes(stem);
    CREATE INDEX notes_integration ON notes(integration, date);
    CREATE INDEX notes_unreadable ON notes(path) WHERE error IS NOT NULL;
    CREATE INDEX notes_copies ON notes(path) WHERE copy_of IS NOT NULL;
    CREATE TABLE maybe_copies (path TEXT NOT NULL, original TEXT NOT NULL);
    CREATE INDEX maybe_copies_original ON maybe_copies(original);
    CREATE TABLE actions (
        path TEXT NOT NULL, idx INTEGER NOT NULL, wid TEXT NOT NULL, explicit INTEGER NOT NULL,
        uid TEXT UNIQUE,                  -- NULL for the actions of a conflict copy (hidden)
        hidden INTEGER NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        due TEXT, done TEXT, date TEXT, session INTEGER,
        section INTEGER NOT NULL, o1 INTEGER NOT NULL, o2 INTEGER NOT NULL, o3 INTEGER NOT NULL,
        line TEXT, domain TEXT,
        PRIMARY KEY (path, idx)
    );
    CREATE INDEX actions_wid ON actions(wid);
    CREATE INDEX actions_listed ON actions(section, o1, o2, o3, path, idx) WHERE section > 0;
    CREATE TABLE walk_problems (path TEXT PRIMARY KEY, message TEXT NOT NULL);
    CREATE TABLE pending (uid TEXT PRIMARY KEY, status TEXT NOT NULL, day TEXT NOT NULL,
                          source TEXT NOT NULL, line TEXT NOT NULL, reason TEXT NOT NULL);
    CREATE TABLE undo (path TEXT NOT NULL, wid TEXT NOT NULL, written TEXT NOT NULL,
                       original TEXT NOT NULL, PRIMARY KEY (path, wid));
    """,
    """
    -- a check-in's integration wheel: JSON {"mind": 6, ...}, the domains it gave (READER_VERSION 4)
    ALTER TABLE notes ADD COLUMN wheel TEXT;
    CREATE INDEX notes_wheel ON notes(date) WHERE integration = 1 AND wheel IS NOT NULL;
    -- the overview counts open and done actions per domain on every render
    CREATE INDEX actions_domain ON actions(domain, status) WHERE hidden = 0 AND domain IS NOT NULL;
    -- the day each due follow-up was last nudged ("3:1-week check-in"), so a restarted
    -- watcher does not nudge twice in one day
    CREATE TABLE nudged (follow_up TEXT PRIMARY KEY, day TEXT NOT NULL);
    """,
    """
    -- every render counts the open actions (sections 1-3: overdue, external, internal;
    -- store.counts asks with these very constants, or SQLite would not use it)
    CREATE INDEX actions_open ON actions(section, kind) WHERE section BETWEEN 1 AND 3;
    -- and looks for the latest brief
    CREATE INDEX notes_briefs ON notes(date) WHERE type = 'brief';
    -- and reads every listed line in order: from the index alone, with the lines in it
    DROP INDEX actions_listed;
    CREATE INDEX actions_listed ON actions(section, o1, o2, o3, path, idx, uid, line) WHERE section > 0;
    """,
    """
    -- what the practice model reads beyond the common fields: JSON {"next_session": ...,
    -- "dismissed": [...]} (READER_VERSION 6)
    ALTER TABLE notes ADD COLUMN practice TEXT;
    """,
    """
    -- Facts only: what each note says, nothing derived from it. Versions 1-4 kept the
    -- summary's lines, unique ids, links, places and copy status in these tables, and
    -- caches to keep them right; every view is now worked out from the facts on each
    -- run (derive.py). The tables are made anew, so every note is read again once.
    DROP TABLE notes;
    DROP TABLE actions;
    DROP TABLE maybe_copies;
    CREATE TABLE notes (
        path TEXT PRIMARY KEY,
        key TEXT NOT NULL,                -- size:mtime_ns:inode:ctime_ns when read; '' to read it again
        -- what a note of vaultkit's own says (all NULL for any other note: see notes.is_own)
        type TEXT, date TEXT, session INTEGER, mood REAL,
        session_date TEXT,                -- an intention's day of the session, when not its own date
        wheel TEXT,                       -- a check-in's integration wheel: JSON {"mind": 6, ...}
        practice TEXT,                    -- JSON {"next_session": ..., "dismissed": [...]}
        error TEXT, error_line INTEGER,   -- why it could not be read
        problems TEXT                     -- schema problems: JSON [[message, line], ...]
    );
    CREATE TABLE actions (                -- as written in their note, in its order
        path TEXT NOT NULL, idx INTEGER NOT NULL,
        wid TEXT NOT NULL, explicit INTEGER NOT NULL,  -- the id as the note gives it (or derives it)
        text TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        due TEXT, done TEXT, domain TEXT,
        PRIMARY KEY (path, idx)
    );
    DELETE FROM meta WHERE key IN ('generation', 'listing', 'rendered', 'kept', 'quiet');
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
LEGACY_FILES = ("cache.json", "cache.jsonl", "summary-state.json", "summary-boxes.json")


class StoreProblem(Exception):
    """The database is not one this vaultkit can use: set it aside."""


# ---------------------------------------------------------------- opening


def store_path(vault: Vault) -> Path:
    """This device's database (a sync client may bring other devices' beside it)."""
    return vault.root / LOCAL_DIR / f"{device_id()}.sqlite3"


def _prepare(conn: sqlite3.Connection, vault: Vault) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
        raise StoreProblem("it is not vaultkit's")
    if version > SCHEMA_VERSION:
        raise StoreProblem(f"a newer vaultkit made it (schema {version}; this one knows {SCHEMA_VERSION})")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":  # a network drive, say: no shared memory for WAL
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = NORMAL")
    root = str(vault.root)
    for step in range(version, SCHEMA_VERSION):
        conn.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[step]}; PRAGMA user_version = {step + 1}; COMMIT;")
    if version == 0:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("INSERT INTO meta VALUES ('root', ?)", (root,))
        for name in LEGACY_FILES:  # what earlier versions kept instead
            (vault.state_dir / name).unlink(missing_ok=True)
    store = Store(conn, Path())
    if store.meta("root") != root:
        raise StoreProblem("it belongs to a copy of this vault in another folder")
    types = ",".join(sorted(own_types(vault)))
    reader = f"{READER_VERSION}:{vault.config.max_note_bytes}:{types}"
    if store.meta("reader") != reader:  # a new parser, new limits or templates: read every note again
        with store.transaction() as db:
            for table in ("notes", "actions", "walk_problems"):
                db.execute(f"DELETE FROM {table}")
            store.set_meta("reader", reader)


def _set_aside(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal", ""):
        part = Path(f"{path}{suffix}")
        try:
            os.replace(part, f"{path}.set-aside{suffix}")
        except FileNotFoundError:
            pass


def open_store(vault: Vault, notice: Callable[[str], None]) -> Store:
    """This device's store for the vault, made or migrated as needed. A damaged
    or foreign one is set aside (renamed `.set-aside`) and a new one made."""
    path = store_path(vault)
    make_dirs(path.parent, vault.config.dir_mode)
    for attempt in range(2):
        try:
            os.close(
                os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), vault.config.file_mode)
            )
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise VaultkitError(f"cannot open vaultkit's store {path}: {exc}") from None
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            _prepare(conn, vault)
            return Store(conn, path)
        except (sqlite3.DatabaseError, StoreProblem) as exc:
            conn.close()
            if attempt:
                raise
            reason = str(exc) if isinstance(exc, StoreProblem) else f"it is damaged ({type(exc).__name__})"
            _set_aside(path)
            notice(f"notice: vaultkit's store {path.name} was set aside ({reason}); rebuilt from the notes")
    raise AssertionError("unreachable")  # pragma: no cover
