"""The store: one SQLite database per device, inside the vault, holding what
vaultkit read from every note and the little state it keeps. (Its schema and
opening: `schema.py`; the rules that keep its listing right: `listing.py`.)

It is a cache plus a little state. Per note: its stat key and fields; per
action: its fields, its unique id, its summary line pre-rendered and its
place in the listing; the ticks waiting to be applied; and what `done` wrote
so that `reopen` can give the note's bytes back. Delete it and the next run
reads every note again. A damaged or foreign database is set aside and
rebuilt, never a crash. Where it lives and why: README, "Where vaultkit keeps
its state".
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from vaultkit.actions import Action
from vaultkit.errors import VaultkitError
from vaultkit.frontmatter import Problem
from vaultkit.fs import NoteFile, WalkProblem, stem
from vaultkit.listing import DONE, EXTERNAL, IN_LIST, INTERNAL, OVERDUE, Listing, Upkeep, ids
from vaultkit.notes import INTEGRATION_TYPES, NoteRecord
from vaultkit.overview import MOOD_POINTS, WHEEL_POINTS, Facts
from vaultkit.practice import Entry, Practice
from vaultkit.practice import build as build_practice
from vaultkit.summary import wikilink

CHUNK = 2000  # notes put in at a time
MIN_PREFIX = 4  # a shorter start of an id ("item 7") could be taken for one

__all__ = ["DONE", "EXTERNAL", "INTERNAL", "OVERDUE", "Counts", "Listing", "Store"]


class Counts(NamedTuple):
    notes: int  # notes the summary is made of (conflict copies aside)
    open: int
    external: int
    internal: int
    overdue: int


_ACTION_COLUMNS = "uid, text, kind, status, due, done, path, date, session, idx, wid, explicit, domain"


def _action(row: tuple[Any, ...]) -> Action:
    uid, text, kind, status, due, done, path, day, session, idx, wid, explicit, domain = row
    return Action(uid, text, kind, status, due, done, path, day, session, idx, wid, bool(explicit), domain)


class Store:
    """The open database; every method is one query or one transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

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

    # ------------------------------------------------------------ what changed

    def keys(self, under: str = "") -> dict[str, str]:
        """Each stored note's stat key (see NoteFile.key) under a folder, or all."""
        rows = self.conn.execute(
            "SELECT path, key FROM notes WHERE path >= ? AND path < ?", (under, under + "\U0010ffff")
        )
        return dict(rows.fetchall())

    def action_count(self, rel: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM actions WHERE path = ?", (rel,)).fetchone()[0])

    # ------------------------------------------------------------ keeping it current

    def update(
        self, read: Iterable[tuple[NoteFile, NoteRecord]], gone: Iterable[str], listing: Listing, now_ns: int
    ) -> None:
        """Put these notes in (as read) and take these out, in one transaction,
        with every id, link, copy status and line they touch made right. `read`
        is taken CHUNK notes at a time: a first read of 100,000 notes never
        holds them all."""
        gone = set(gone)
        pending = iter(read)
        chunks = iter(lambda: list(itertools.islice(pending, CHUNK)), [])
        first = next(chunks, [])
        if not first and not gone:
            return
        with self.transaction() as db:
            changed = Upkeep(db, first, gone, listing, now_ns).run()
            for chunk in chunks:
                changed = Upkeep(db, chunk, set(), listing, now_ns).run() or changed
            if changed:
                self._changed()

    def relist(self, listing: Listing) -> None:
        """Places for a new day (overdue and recently done move) or new settings."""
        if self.meta("listing") == repr(tuple(listing)):
            return
        with self.transaction() as db:
            rows = db.execute(
                "SELECT rowid, kind, status, due, done, section, o1 FROM actions WHERE hidden = 0"
            )
            moved = [
                (*place, rowid)
                for rowid, kind, status, due, done, section, o1 in rows.fetchall()
                if (place := listing.place(kind, status, due, done)) != (section, o1)
            ]
            db.executemany("UPDATE actions SET section = ?, o1 = ? WHERE rowid = ?", moved)
            self.set_meta("listing", repr(tuple(listing)))
            if moved:
                self._changed()

    def set_walk_problems(self, problems: list[WalkProblem], under: str = "") -> None:
        span = (under, under + "\U0010ffff")
        stored = self.conn.execute("SELECT * FROM walk_problems WHERE path >= ? AND path < ?", span)
        if set(stored.fetchall()) == {tuple(p) for p in problems}:
            return
        with self.transaction() as db:
            db.execute("DELETE FROM walk_problems WHERE path >= ? AND path < ?", span)
            db.executemany("INSERT OR REPLACE INTO walk_problems VALUES (?, ?)", problems)
            self._changed()

    def generation(self) -> int:
        """A number that moves whenever anything the summary shows may have changed
        (notes' rows, places, walk problems, waiting ticks): the summary rendered at
        one generation, on one day with one configuration, is the same at the next
        run if the number has not moved."""
        return int(self.meta("generation") or 0)

    def _changed(self) -> None:
        self.set_meta("generation", str(self.generation() + 1))

    # ------------------------------------------------------------ views

    def listed(self, leaving_out: Iterable[str] = ()) -> list[tuple[int, str]]:
        """(section, line) of every listed action in the summary's order, but
        those with these ids. (The index actions_listed holds both: the rows
        are read from it alone, in order.)"""
        left = sorted(set(leaving_out))
        where, params = (f"AND uid NOT {IN_LIST}", (ids(left),)) if left else ("", ())
        order = "ORDER BY section, o1, o2, o3, path, idx"
        return self.conn.execute(
            f"SELECT section, line FROM actions WHERE section > 0 {where} {order}", params
        ).fetchall()

    def counts(self) -> Counts:
        notes = self.conn.execute(
            "SELECT (SELECT count(*) FROM notes) - (SELECT count(*) FROM notes WHERE copy_of IS NOT NULL)"
        ).fetchone()[0]
        rows = self.conn.execute(  # constants, as the index actions_open is made with
            "SELECT kind, section, count(*) FROM actions "
            f"WHERE section BETWEEN {OVERDUE} AND {INTERNAL} GROUP BY kind, section"
        )
        by = {(kind, section): n for kind, section, n in rows}
        external = sum(n for (kind, _), n in by.items() if kind == "external")
        internal = sum(n for (kind, _), n in by.items() if kind == "internal")
        overdue = sum(n for (_, section), n in by.items() if section == OVERDUE)
        return Counts(notes, external + internal, external, internal, overdue)

    def actions(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Action]:
        """Actions of the notes the summary is made of, newest session first."""
        query = f"SELECT {_ACTION_COLUMNS} FROM actions WHERE hidden = 0 {where} ORDER BY o2, o3, path, idx"
        return [_action(row) for row in self.conn.execute(query, params)]

    def find(self, prefix: str) -> list[Action]:
        """The action with this id, else those whose id starts with it."""
        exact = self.actions("AND uid = ?", (prefix,))
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return exact or self.actions("AND uid LIKE ? ESCAPE '\\'", (escaped + "%",))

    def resolve(self, wanted: Iterable[str]) -> list[Action]:
        """Actions for ids or unique id prefixes; any unknown or ambiguous one is an error."""
        found: list[Action] = []
        errors = []
        for raw in wanted:
            key = raw.strip().lstrip("^")
            matches = self.find(key) if key else []
            if matches and matches[0].id != key and len(key) < MIN_PREFIX:
                errors.append(f"{raw!r} is too short: give at least {MIN_PREFIX} characters of the id")
            elif not matches:
                errors.append(f"no action has id {raw!r} (see `vaultkit actions --status all`)")
            elif len(matches) > 1:
                shown = ", ".join(sorted(a.id for a in matches)[:5])
                errors.append(f"id {raw!r} is ambiguous: it starts {shown}; type more of it")
            else:
                found.append(matches[0])
        if errors:
            raise VaultkitError("; ".join(errors) + ". Nothing was changed")
        return found

    def integration_notes(self) -> list[NoteRecord]:
        """Notes of the integration work (what the practice and the overview read), by path."""
        marks = ", ".join("?" * len(INTEGRATION_TYPES))
        rows = self.conn.execute(
            "SELECT path, type, date, session, mood, session_date, practice FROM notes WHERE error IS NULL "
            f"AND copy_of IS NULL AND (session IS NOT NULL OR type IN ({marks})) ORDER BY path",
            INTEGRATION_TYPES,
        )
        found = []
        for path, kind, day, session, mood, session_day, practice in rows:
            more = json.loads(practice) if practice else {}
            found.append(
                NoteRecord(
                    path,
                    type=kind,
                    date=day,
                    session=session,
                    mood=mood,
                    session_date=session_day,
                    next_session=more.get("next_session"),
                    dismissed=tuple(more.get("dismissed", ())),
                )  # fmt: skip
            )
        return found

    def practice(self, follow_ups: Mapping[str, tuple[int, ...]], today: date) -> Practice:
        """The practice (sessions, follow-ups, the next session) as the notes tell it."""
        entries = [
            Entry(n.path, n.type, n.date, n.session, n.session_date, n.next_session, n.dismissed)
            for n in self.integration_notes()
        ]
        return build_practice(entries, follow_ups, today)

    def facts(self, today: date) -> Facts:
        """What the overview reads from the integration notes, beside the practice."""
        now, db = today.isoformat(), self.conn
        days = db.execute("SELECT DISTINCT date FROM notes WHERE integration = 1 AND date <= ?", (now,))
        moods = db.execute(
            "SELECT date, mood FROM notes WHERE integration = 1 AND date <= ? AND mood IS NOT NULL "
            "ORDER BY date DESC, path DESC LIMIT ?",
            (now, MOOD_POINTS),
        )
        domains = db.execute(
            "SELECT domain, status, count(*) FROM actions WHERE hidden = 0 AND domain IS NOT NULL "
            "AND status IN ('open', 'done') GROUP BY domain, status"
        )
        wheels = db.execute(
            "SELECT date, wheel FROM notes WHERE integration = 1 AND date <= ? AND wheel IS NOT NULL "
            "ORDER BY date DESC, path DESC LIMIT ?",
            (now, WHEEL_POINTS),
        )
        return Facts(
            [d for (d,) in days],
            [(d, float(m)) for d, m in reversed(moods.fetchall())],
            domains=tuple(domains.fetchall()),
            wheel=tuple((d, tuple(json.loads(w).items())) for d, w in reversed(wheels.fetchall())),
        )

    def briefs(self) -> list[tuple[str, str | None, str]]:
        """(path, date, link) of the brief notes (`type: brief`), newest first."""
        rows = self.conn.execute(
            "SELECT path, date, coalesce(link, path) FROM notes WHERE type = 'brief' AND error IS NULL "
            "AND copy_of IS NULL ORDER BY date DESC, path DESC"
        )
        return rows.fetchall()

    def links(self) -> dict[str, str]:
        """Each note's link as the summary writes it (conflict copies aside)."""
        return dict(self.conn.execute("SELECT path, link FROM notes WHERE copy_of IS NULL"))

    def note_linked(self, link: str) -> str | None:
        """The note a summary line's link names."""
        row = self.conn.execute("SELECT path FROM notes WHERE link = ? LIMIT 1", (link,)).fetchone()
        return row[0] if row else None

    def link(self, rel: str) -> str:
        """The link that opens a note in Obsidian (for a note the store does not have, by its name)."""
        return self.stored_link(rel) or wikilink(rel, {stem(rel): 1})

    def stored_link(self, rel: str) -> str | None:
        row = self.conn.execute("SELECT link FROM notes WHERE path = ?", (rel,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def unreadable(self) -> list[tuple[str, Problem]]:
        found = [
            (path, Problem(message, line))
            for path, message, line in self.conn.execute(
                "SELECT path, error, error_line FROM notes WHERE error IS NOT NULL AND copy_of IS NULL"
            )
        ]
        found += [
            (path, Problem(message)) for path, message in self.conn.execute("SELECT * FROM walk_problems")
        ]
        return sorted(found, key=lambda item: item[0])

    def conflicts(self) -> list[tuple[str, str]]:
        return self.conn.execute(
            "SELECT path, copy_of FROM notes WHERE copy_of IS NOT NULL ORDER BY path"
        ).fetchall()

    def problems(self) -> list[tuple[str, Problem]]:
        """Schema problems of notes that were read (for `vaultkit check`)."""
        rows = self.conn.execute(
            "SELECT path, problems FROM notes WHERE problems IS NOT NULL AND copy_of IS NULL"
        )
        return [(path, Problem(m, line)) for path, found in rows for m, line in json.loads(found)]

    # ------------------------------------------------------------ state

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

    def pending(self) -> dict[str, tuple[str, str, str, str, str]]:
        """uid -> (wanted status, day, source, line, reason) of ticks not applied yet."""
        return {row[0]: row[1:] for row in self.conn.execute("SELECT * FROM pending")}

    def set_pending(self, pending: dict[str, tuple[str, str, str, str, str]]) -> None:
        if pending == self.pending():
            return
        with self.transaction() as db:
            self._changed()
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
