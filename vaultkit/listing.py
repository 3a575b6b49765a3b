"""The listing rules, once: which section of the summary an action is listed
in and in what order, unique ids, links to notes, and which notes are
sync-conflict copies. `Upkeep` applies them to the store's rows in the
transaction of `Store.update`: to the notes given, and to the notes those
touch (namesakes, ids written alike, copies named after them), whether that
is one note saved or a whole vault read for the first time."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from vaultkit import conflicts
from vaultkit.actions import unique_ids
from vaultkit.fs import NoteFile, stem
from vaultkit.notes import INTEGRATION_TYPES, NoteRecord
from vaultkit.summary import task_line, wikilink

RACY_NS = 3_000_000_000  # FAT and exFAT keep 2 s; SMB and HFS+ 1 s; a margin for clock skew
# Sections of the summary, in order; 0 = not listed.
OVERDUE, EXTERNAL, INTERNAL, DONE = 1, 2, 3, 4


def _day_number(iso: str) -> int:
    return int(iso.replace("-", ""))


class Listing(NamedTuple):
    """What decides an action's section: today and the start of "recently done"."""

    today: str
    since: str

    @classmethod
    def of(cls, today: date, recently_done_days: int) -> Listing:
        return cls(today.isoformat(), (today - timedelta(days=recently_done_days)).isoformat())

    def place(self, kind: str, status: str, due: str | None, done: str | None) -> tuple[int, int]:
        """(section, the key that orders it before newest-first)."""
        if status == "open":
            if due is not None and due < self.today:
                return OVERDUE, _day_number(due)
            return (INTERNAL if kind == "internal" else EXTERNAL), 0
        if status == "done" and done is not None and done >= self.since:
            return DONE, -_day_number(done)
        return 0, 0


def _newest_first(session: int | None, day: str | None) -> tuple[int, int]:
    """Newest session first, then newest note (none last); path and list order break ties."""
    return (-session if session is not None and session >= 0 else 1), (-_day_number(day) if day else 1)


def ids(values: Iterable[str]) -> str:
    """A JSON list for `IN_LIST`: one parameter, however many values."""
    return json.dumps(sorted(set(values)))


IN_LIST = "IN (SELECT value FROM json_each(?))"
# NoteRecord.integration, for a note whose copy status is to be `?`
# (a note without a type must give 0, not NULL: `NULL IN (...)` is NULL)
INTEGRATION = (
    "? IS NULL AND error IS NULL AND (session IS NOT NULL OR coalesce(type, '') IN "
    f"({', '.join(repr(t) for t in INTEGRATION_TYPES)}))"
)
_SUFFIXED = re.compile(r"^(.+)-(\d+)$")
# What a note's row holds of its record, and each action row of its action (the rest is
# the listing's: links, ids, places, copy status), for telling an unchanged note.
_FIELDS = "type, date, session, mood, error, error_line, problems, session_date, wheel, practice"
_ACTION_FIELDS = "idx, wid, explicit, text, kind, status, due, done, domain"


def _fields(record: NoteRecord) -> tuple[object, ...]:
    error = record.error
    return (
        record.type, record.date, record.session, record.mood,
        error.message if error else None, error.line if error else None,
        json.dumps([list(p) for p in record.problems]) if record.problems else None,
        record.session_date, json.dumps(dict(record.wheel)) if record.wheel else None,
        _practice(record),
    )  # fmt: skip


def _practice(record: NoteRecord) -> str | None:
    """What the practice model reads beyond the common fields, as JSON (or None)."""
    found: dict[str, object] = {}
    if record.next_session:
        found["next_session"] = record.next_session
    if record.dismissed:
        found["dismissed"] = list(record.dismissed)
    return json.dumps(found, ensure_ascii=False) if found else None


_NO_FIELDS = (None,) * 10


def _action_fields(record: NoteRecord) -> list[tuple[object, ...]]:
    return [
        (a.index, a.written_id, int(a.explicit), a.text, a.kind, a.status, a.due, a.done, a.domain)
        for a in record.actions
    ]


class Upkeep:
    """One call of Store.update: what the given notes change, and what that touches."""

    def __init__(
        self,
        db: sqlite3.Connection,
        read: list[tuple[NoteFile, NoteRecord]],
        gone: set[str],
        listing: Listing,
        now_ns: int,
    ) -> None:
        self.db, self.read, self.gone = db, read, gone
        self.touched = {note.rel for note, _ in read} | gone
        self.listing, self.now_ns = listing, now_ns
        self.records = {record.path: record for _, record in read}
        self.facts_cache: dict[str, conflicts.Facts | None] = {}

    def _facts(self, rel: str) -> conflicts.Facts | None:
        """What a note says, as the conflict rule reads it (None: no such note)."""
        if rel not in self.facts_cache:
            record = self.records.get(rel)
            if record is not None:
                texts = frozenset(a.text for a in record.actions)
                self.facts_cache[rel] = conflicts.Facts(record.type, record.date, record.session, texts)
            elif rel in self.touched:
                self.facts_cache[rel] = None
            else:
                row = self.db.execute(
                    "SELECT type, date, session FROM notes WHERE path = ?", (rel,)
                ).fetchone()
                actions = self.db.execute("SELECT text FROM actions WHERE path = ?", (rel,))
                texts = frozenset(text for (text,) in actions)
                self.facts_cache[rel] = (
                    None if row is None else conflicts.Facts(row[0], row[1], row[2], texts)
                )
        return self.facts_cache[rel]

    def run(self) -> bool:
        """Make the rows right; False when every note given was as stored (their
        stat keys alone are brought up to date) and none went: the listing is as it was."""
        self._settle_unchanged()
        if not self.touched:
            return False
        db, touched = self.db, ids(self.touched)
        stems = {row[0] for row in db.execute(f"SELECT stem FROM notes WHERE path {IN_LIST}", (touched,))}
        wids = {row[0] for row in db.execute(f"SELECT wid FROM actions WHERE path {IN_LIST}", (touched,))}
        watchers = {
            row[0]
            for row in db.execute(f"SELECT path FROM maybe_copies WHERE original {IN_LIST}", (touched,))
        }
        for table, column in (("notes", "path"), ("actions", "path"), ("maybe_copies", "path")):
            db.execute(f"DELETE FROM {table} WHERE {column} {IN_LIST}", (touched,))
        # Which notes are copies: the new ones, and the ones named after a note that came or went.
        copy_of: dict[str, str | None] = {}
        maybe: list[tuple[str, str]] = []
        for rel in self.records:
            names = conflicts.candidates(rel)
            maybe += [(rel, original) for original in names[1]]
            copy_of[rel] = conflicts.original_of(rel, self._facts, names) if names != (None, ()) else None
        flipped: list[str] = []
        for rel in sorted(watchers - self.touched):
            now = conflicts.original_of(rel, self._facts)
            old = db.execute("SELECT copy_of, stem FROM notes WHERE path = ?", (rel,)).fetchone()
            if old is not None and old[0] != now:
                db.execute(
                    f"UPDATE notes SET copy_of = ?, integration = ({INTEGRATION}) WHERE path = ?",
                    (now, now, rel),
                )
                db.execute(
                    "UPDATE actions SET hidden = ?, uid = NULL, section = 0 WHERE path = ?",
                    (now is not None, rel),
                )
                stems.add(old[1])
                flipped.append(rel)
        db.executemany("INSERT INTO maybe_copies VALUES (?, ?)", maybe)
        if flipped:
            wids |= {
                row[0] for row in db.execute(f"SELECT wid FROM actions WHERE path {IN_LIST}", (ids(flipped),))
            }
        stems |= {stem(rel) for rel in self.records}
        for record in self.records.values():
            wids.update(a.written_id for a in record.actions)
        links = self._links(stems, copy_of)
        uids = self._uids(wids, copy_of)
        self._insert(copy_of, links, uids)
        self._relink(links, uids, flipped)
        return True

    def _settle_unchanged(self) -> None:
        """Notes read again whose fields and actions are what the store holds (a
        body edited, a file touched) keep their rows: only their stat key moves."""
        if not self.read:
            return
        paths = ids(self.records)
        stored: dict[str, list[object]] = {
            row[0]: [row[1:], []]
            for row in self.db.execute(f"SELECT path, {_FIELDS} FROM notes WHERE path {IN_LIST}", (paths,))
        }
        if not stored:
            return  # all new (a first read): nothing to compare
        rows = self.db.execute(
            f"SELECT path, {_ACTION_FIELDS} FROM actions WHERE path {IN_LIST} ORDER BY path, idx", (paths,)
        )
        for row in rows:
            stored[row[0]][1].append(row[1:])  # type: ignore[attr-defined]
        same = [
            (self._key(note), note.rel)
            for note, record in self.read
            if (old := stored.get(note.rel)) is not None and old == [_fields(record), _action_fields(record)]
        ]
        if not same:
            return
        self.db.executemany("UPDATE notes SET key = ? WHERE path = ?", same)
        settled = {rel for _, rel in same}
        self.read = [(note, record) for note, record in self.read if note.rel not in settled]
        self.records = {rel: record for rel, record in self.records.items() if rel not in settled}
        self.touched -= settled

    def _key(self, note: NoteFile) -> str:
        """The stat key to store: none for a note read within a coarse clock's
        tick of its last write, so that it is read again next time."""
        return note.key if self.now_ns - note.mtime_ns >= RACY_NS else ""

    def _links(self, stems: set[str], copy_of: dict[str, str | None]) -> dict[str, str]:
        """The link of every note sharing a name with a note that came, went or flipped."""
        shown: dict[str, list[str]] = defaultdict(list)  # stem -> notes the summary is made of
        rows = self.db.execute(
            f"SELECT path, stem FROM notes WHERE copy_of IS NULL AND stem {IN_LIST}", (ids(stems),)
        )
        for rel, name in rows:
            shown[name].append(rel)
        for rel, original in copy_of.items():
            if original is None:
                shown[stem(rel)].append(rel)
        counts = {name: len(rels) for name, rels in shown.items()}
        return {rel: wikilink(rel, counts) for rels in shown.values() for rel in rels}

    def _uids(self, wids: set[str], copy_of: dict[str, str | None]) -> dict[tuple[str, int], str]:
        """The unique id of every action written with an id that an action took or gave up."""
        wids |= {
            m[1] for w in list(wids) if (m := _SUFFIXED.match(w))
        }  # `x-2` given or gone moves x's suffixes
        members: dict[str, list[tuple[str, int]]] = defaultdict(list)
        rows = self.db.execute(
            f"SELECT wid, path, idx FROM actions WHERE hidden = 0 AND wid {IN_LIST}", (ids(wids),)
        )
        for wid, rel, idx in rows:
            members[wid].append((rel, idx))
        written: set[str] = set()
        for rel, record in self.records.items():
            if copy_of[rel] is None:
                for action in record.actions:
                    written.add(action.written_id)
                    if action.written_id in wids:
                        members[action.written_id].append((rel, action.index))

        def given(candidate: str) -> bool:
            if candidate in written:
                return True
            row = self.db.execute("SELECT 1 FROM actions WHERE hidden = 0 AND wid = ? LIMIT 1", (candidate,))
            return row.fetchone() is not None

        result: dict[tuple[str, int], str] = {}
        for wid, slots in members.items():
            slots.sort()
            result.update(zip(slots, unique_ids(wid, len(slots), given), strict=True))
        return result

    def _insert(
        self, copy_of: dict[str, str | None], links: dict[str, str], uids: dict[tuple[str, int], str]
    ) -> None:
        notes, plain, actions = [], [], []
        for note, record in self.read:
            rel = record.path
            key = self._key(note)
            fields = _fields(record)
            if fields == _NO_FIELDS:
                plain.append((rel, key, stem(rel), copy_of[rel], links.get(rel)))  # most notes
            else:
                type_, day, session, mood, message, line, problems, session_date, wheel, practice = fields
                notes.append(
                    (
                        rel, key, type_, day, session, mood, message, line, problems,
                        stem(rel), copy_of[rel], links.get(rel), record.integration and copy_of[rel] is None,
                        session_date, wheel, practice,
                    )
                )  # fmt: skip
            hidden = copy_of[rel] is not None
            o2, o3 = _newest_first(record.session, record.date)
            for a in record.actions:
                uid = None if hidden else uids[rel, a.index]
                section, o1 = (0, 0) if hidden else self.listing.place(a.kind, a.status, a.due, a.done)
                line = (
                    None
                    if uid is None
                    else task_line(a.status, a.text, links[rel], a.due, a.done, uid, a.domain)
                )
                actions.append(
                    (
                        rel, a.index, a.written_id, a.explicit, uid, hidden, a.text, a.kind, a.status,
                        a.due, a.done, record.date, record.session, section, o1, o2, o3, line, a.domain,
                    )
                )  # fmt: skip
        self.db.executemany(f"INSERT INTO notes VALUES ({', '.join('?' * 16)})", notes)
        # SQLite binds each parameter at a cost: a note without fields gives only what it has
        self.db.executemany(
            "INSERT INTO notes (path, key, stem, copy_of, link, integration) VALUES (?, ?, ?, ?, ?, 0)", plain
        )
        # uids move between rows: clear the ones about to be taken first (UNIQUE)
        self.db.execute(f"UPDATE actions SET uid = NULL WHERE uid {IN_LIST}", (ids(uids.values()),))
        self.db.executemany(f"INSERT INTO actions VALUES ({', '.join('?' * 19)})", actions)

    def _relink(self, links: dict[str, str], uids: dict[tuple[str, int], str], flipped: list[str]) -> None:
        """Lines of notes not read now whose link or ids changed; places of flipped notes."""
        others = {rel for rel in links if rel not in self.records}
        others |= {rel for rel, _ in uids if rel not in self.records} | set(flipped)
        if not others:
            return
        rows = self.db.execute(
            "SELECT a.rowid, a.path, a.idx, a.uid, a.hidden, a.kind, a.status, a.text, a.due, a.done, "
            "a.domain, n.link "
            f"FROM actions a JOIN notes n ON n.path = a.path WHERE a.path {IN_LIST}",
            (ids(others),),
        ).fetchall()
        self.db.executemany(
            "UPDATE notes SET link = ? WHERE path = ? AND link IS NOT ?",
            [(link, rel, link) for rel, link in links.items() if rel in others],
        )
        changes = []
        for rowid, rel, idx, uid, hidden, kind, status, text, due, done, domain, link in rows:
            if hidden:
                continue
            new_uid = uids.get((rel, idx), uid)
            new_link = links.get(rel, link)
            section, o1 = self.listing.place(kind, status, due, done)
            changes.append(
                (new_uid, task_line(status, text, new_link, due, done, new_uid, domain), section, o1, rowid)
            )
        self.db.executemany(
            "UPDATE actions SET uid = ?, line = ?, section = ?, o1 = ? WHERE rowid = ?", changes
        )
