"""The store: one SQLite database per device, inside the vault, holding facts.

Per note: its stat key and, for vaultkit's own notes, what it says (its
fields, its actions as written). Beside them, what the walk could not take,
and the tick protocol's own state: ticks waiting for their note, what `done`
wrote over (so that `reopen` gives the bytes back), the follow-ups nudged,
and in `meta` what this device last wrote to the summary. Nothing derived is
kept: links, unique ids, sections and order are worked out from the facts on
every run (`derive.View`, which `view()` gives). Delete it and the next run
reads every note again. A damaged or foreign database is set aside and
rebuilt, never a crash (`schema.py`). Where it lives and why: README, "Where
vaultkit keeps its state".
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultkit.actions import Action
from vaultkit.frontmatter import Problem
from vaultkit.notes import NoteRecord
from vaultkit.practice import Practice
from vaultkit.summary.derive import View, derive

if TYPE_CHECKING:
    from vaultkit.summary.ticks import Pending

CHUNK = 2000  # notes put in at a time: a first read of 100,000 notes never holds them all


def _note_row(key: str, r: NoteRecord) -> tuple[object, ...]:
    practice: dict[str, object] = {}
    if r.next_session:
        practice["next_session"] = r.next_session
    if r.dismissed:
        practice["dismissed"] = list(r.dismissed)
    return (
        r.path, key, r.type, r.date, r.session, r.mood, r.session_date,
        json.dumps(dict(r.wheel)) if r.wheel else None,
        json.dumps(practice, ensure_ascii=False) if practice else None,
        r.error.message if r.error else None, r.error.line if r.error else None,
        json.dumps([list(p) for p in r.problems]) if r.problems else None,
    )  # fmt: skip


def _record(row: tuple[Any, ...], actions: list[tuple[Any, ...]]) -> NoteRecord:
    path, _, kind, day, session, mood, session_date, wheel, practice, error, error_line, problems = row
    more = json.loads(practice) if practice else {}
    return NoteRecord(
        path,
        kind,
        day,
        session,
        mood,
        tuple(
            Action(wid, text, kind_, status, due, done, path, day, session, idx, wid, bool(explicit), domain)
            for idx, wid, explicit, text, kind_, status, due, done, domain in actions
        ),
        tuple(Problem(message, line) for message, line in json.loads(problems)) if problems else (),
        Problem(error, error_line) if error is not None else None,
        session_date,
        tuple(json.loads(wheel).items()) if wheel else (),
        more.get("next_session"),
        tuple(more.get("dismissed", ())),
    )


class Store:
    """The open database; every method is one query or one transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._view: tuple[int, View] | None = None

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
        rows = self.conn.execute(
            "SELECT path, key FROM notes WHERE path >= ? AND path < ?", (under, under + "\U0010ffff")
        )
        return dict(rows.fetchall())

    def action_count(self, rel: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM actions WHERE path = ?", (rel,)).fetchone()[0])

    def put(self, read: Iterable[tuple[str, NoteRecord]], gone: Iterable[str]) -> None:
        """Keep these notes as read, each with the stat key to store, and forget
        these paths: in one transaction, CHUNK notes at a time."""
        pending = iter(read)
        chunks = iter(lambda: list(itertools.islice(pending, CHUNK)), [])
        first, forget = next(chunks, []), [(rel,) for rel in sorted(set(gone))]
        if not first and not forget:
            return
        self._view = None
        with self.transaction() as db:
            db.executemany("DELETE FROM notes WHERE path = ?", forget)
            db.executemany("DELETE FROM actions WHERE path = ?", forget)
            for chunk in itertools.chain([first], chunks):
                db.executemany("DELETE FROM actions WHERE path = ?", [(r.path,) for _, r in chunk])
                db.executemany(
                    f"INSERT OR REPLACE INTO notes VALUES ({', '.join('?' * 12)})",
                    [_note_row(key, r) for key, r in chunk],
                )
                db.executemany(
                    "INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            r.path,
                            a.index,
                            a.written_id,
                            a.explicit,
                            a.text,
                            a.kind,
                            a.status,
                            a.due,
                            a.done,
                            a.domain,
                        )
                        for _, r in chunk
                        for a in r.actions
                    ],
                )

    def records(self) -> list[NoteRecord]:
        """Every note as it was read, by path (a note that is not vaultkit's own has no fields)."""
        actions: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for path, *rest in self.conn.execute("SELECT * FROM actions ORDER BY path, idx"):
            actions[path].append(tuple(rest))
        rows = self.conn.execute("SELECT * FROM notes ORDER BY path")
        return [_record(row, actions.get(row[0], [])) for row in rows]

    def walk_problems(self) -> list[tuple[str, str]]:
        return self.conn.execute("SELECT path, message FROM walk_problems ORDER BY path").fetchall()

    def set_walk_problems(self, problems: Iterable[tuple[str, str]], under: str = "") -> None:
        """What the walk of a folder (or the vault) could not take, instead of what it was."""
        span = (under, under + "\U0010ffff")
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
        """The vault as every view shows it, derived from the facts. Worked out
        again once they change, here or in another process (`data_version`)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if self._view is None or self._view[0] != version:
            self._view = (version, derive(self.records(), self.walk_problems()))
        return self._view[1]

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
