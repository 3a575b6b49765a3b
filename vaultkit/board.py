"""The summary kept current one note at a time, for `vaultkit watch`. Pure.

`summary_text` rebuilds the summary from every note: right for a one-off
`vaultkit index`, but on a 100,000-note vault that is O(all actions) for
every saved note. The board keeps each listed action's task line under its
sort key and, when a note changes, redoes only what that note touches: its
own actions, the actions that share an id with them (ids are made unique in
path order), the links of notes that share its name, and the conflict-copy
status of notes named after it. A property test holds the board to
`summary_text` after random sequences of changes.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from vaultkit.actions import Action
from vaultkit.followups import due_follow_ups
from vaultkit.index import NOT_A_CONFLICT, NoteRecord, conflict_candidates, conflict_original
from vaultkit.notes import Problem
from vaultkit.overview import INTEGRATION_TYPES, Overview, Tally, build_overview
from vaultkit.summary import Sections, due_lines, task_line
from vaultkit.vault import stem

Slot = tuple[str, int]  # an action's place: (note path, position in its list)


class Column:
    """One section's task lines in order, with their sort keys alongside.

    Two parallel lists rather than (key, line) pairs, so the summary can take
    the lines as they are, without copying 70,000 of them for every change."""

    __slots__ = ("keys", "lines")

    def __init__(self) -> None:
        self.keys: list[tuple[Any, ...]] = []
        self.lines: list[bytes] = []  # UTF-8, as the summary file holds them

    def insert(self, key: tuple[Any, ...], line: bytes) -> None:
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.lines.insert(at, line)

    def remove(self, key: tuple[Any, ...]) -> None:
        at = bisect_left(self.keys, key)
        del self.keys[at], self.lines[at]

    def sort(self) -> None:
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        self.keys = [self.keys[i] for i in order]
        self.lines = [self.lines[i] for i in order]


def _descending(day: str | None) -> int:
    """A sort key that puts later ISO dates first and no date last."""
    if day:
        try:
            return -int(day.replace("-", ""))
        except ValueError:
            pass
    return 1


def _newest_first(action: Action) -> tuple[Any, ...]:
    """The order of `summary.newest_first`, as a key."""
    session = action.session if action.session is not None else -1
    return (-session, _descending(action.date), action.source, action.index)


def _session_facts(record: NoteRecord | None) -> tuple[Any, ...] | None:
    """What the overview and the due check-ins read from a note."""
    if record is None or record.error is not None:
        return None
    if record.type not in INTEGRATION_TYPES and record.session is None:
        return None
    return (record.type, record.date, record.session, record.mood)


class Board:
    """Every note's share of the summary, updated note by note."""

    def __init__(self, today: date, recently_done_days: int, follow_ups: dict[str, tuple[int, ...]]) -> None:
        self.today = today
        self.follow_ups = follow_ups
        self._today = today.isoformat()
        self._since = (today - timedelta(days=recently_done_days)).isoformat()
        self.records: dict[str, NoteRecord] = {}  # every note, conflict copies too
        self.active: dict[str, NoteRecord] = {}  # the notes the summary is made of
        self.copies: dict[str, str] = {}  # conflict copy -> its original
        self._names: dict[str, tuple[str | None, tuple[str, ...]]] = {}
        self._maybe_copies: dict[str, set[str]] = {}  # original -> notes named like a copy of it
        self.stems: Counter[str] = Counter()
        self._by_stem: dict[str, set[str]] = {}
        self.integration: dict[str, NoteRecord] = {}
        self.errors: dict[str, Problem] = {}
        self._claims: dict[str, list[Slot]] = {}  # id as written -> slots claiming it, in path order
        self._written: dict[Slot, Action] = {}  # each action as its note has it
        self._final: dict[Slot, Action] = {}  # with the id made unique
        self.by_id: dict[str, Action] = {}
        self.boxes: dict[str, list[Any]] = {}  # listed id -> [ticked, source]
        self._rows: dict[Slot, tuple[Column | None, tuple[Any, ...]]] = {}
        self.late = Column()
        self.external = Column()
        self.internal = Column()
        self.done = Column()
        self._overview: tuple[list[bytes], Overview] | None = None  # until a session note changes
        self.open = self.open_external = self.open_internal = self.overdue = 0
        self._bulk = False  # during load(): lines are rendered and sorted once, at the end

    # ------------------------------------------------------------ updates

    def load(self, records: dict[str, NoteRecord]) -> None:
        """Start from these notes (an empty board): one sort instead of an insert per line."""
        self._bulk = True
        for rel in sorted(records):
            self.update(rel, records[rel])
        self._bulk = False
        for slot, (rows, key) in self._rows.items():
            if rows is not None:
                rows.keys.append(key)
                rows.lines.append(task_line(self._final[slot], self.stems).encode())
        for rows in (self.late, self.external, self.internal, self.done):
            rows.sort()

    def update(self, rel: str, record: NoteRecord | None) -> None:
        """Take a note's new record (None: the note is gone)."""
        if record is None:
            if self.records.pop(rel, None) is None:
                return
            for original in self._names.pop(rel, NOT_A_CONFLICT)[1]:
                self._maybe_copies[original].discard(rel)
        else:
            if self.records.get(rel) is record:
                return
            self.records[rel] = record
            if rel not in self._names:
                self._names[rel] = names = conflict_candidates(rel)
                for original in names[1]:
                    self._maybe_copies.setdefault(original, set()).add(rel)
        touched: set[str] = set()
        self._settle(rel, touched)
        for copy in sorted(self._maybe_copies.get(rel, ())):
            self._settle(copy, touched)
        for action_id in touched:
            self._reassign(action_id)

    def _settle(self, rel: str, touched: set[str]) -> None:
        """Make `rel`'s share of the summary match its record and copy status."""
        record = self.records.get(rel)
        original = None
        if record is not None:
            original = conflict_original(rel, self.records, self._names[rel])
        if original is None:
            self.copies.pop(rel, None)
        else:
            self.copies[rel] = original
        wanted = record if original is None else None
        current = self.active.get(rel)
        if current is wanted:
            return
        if _session_facts(current) != _session_facts(wanted):
            self._overview = None
        if current is not None:
            self._withdraw(rel, current, touched)
        if wanted is not None:
            self._add(rel, wanted, touched)

    def _add(self, rel: str, record: NoteRecord, touched: set[str]) -> None:
        self.active[rel] = record
        name = stem(rel)
        self.stems[name] += 1
        sharing = self._by_stem.setdefault(name, set())
        sharing.add(rel)
        if self.stems[name] == 2:  # its namesake's links now need the full path
            self._relink(sharing - {rel})
        if record.error is not None:
            self.errors[rel] = record.error
        elif record.type in INTEGRATION_TYPES or record.session is not None:
            self.integration[rel] = record
        for action in record.actions:
            slot = (rel, action.index)
            self._written[slot] = action
            insort(self._claims.setdefault(action.id, []), slot)
            touched.add(action.id)

    def _withdraw(self, rel: str, record: NoteRecord, touched: set[str]) -> None:
        del self.active[rel]
        for action in record.actions:
            slot = (rel, action.index)
            self._unplace(slot)
            del self._written[slot]
            self._final.pop(slot, None)
            claims = self._claims[action.id]
            del claims[bisect_left(claims, slot)]
            if not claims:
                del self._claims[action.id]
            touched.add(action.id)
        self.errors.pop(rel, None)
        self.integration.pop(rel, None)
        name = stem(rel)
        self.stems[name] -= 1
        sharing = self._by_stem[name]
        sharing.discard(rel)
        if not self.stems[name]:
            del self.stems[name], self._by_stem[name]
        elif self.stems[name] == 1:  # the one left can go back to a short link
            self._relink(sharing)

    def _relink(self, rels: set[str]) -> None:
        for rel in rels:
            for action in self.active[rel].actions:
                slot = (rel, action.index)
                final = self._final.get(slot)
                if final is not None:
                    self._unplace(slot)
                    self._place(slot, final)

    def _reassign(self, action_id: str) -> None:
        """Ids are unique in path order: the first keeps it, then `-2`, `-3`, …"""
        moved = []
        for count, slot in enumerate(self._claims.get(action_id, ()), 1):
            final_id = action_id if count == 1 else f"{action_id}-{count}"
            current = self._final.get(slot)
            if current is None or current.id != final_id:
                moved.append((slot, final_id))
        for slot, _ in moved:  # take every moved line out before any goes back under a new id
            self._unplace(slot)
        for slot, final_id in moved:
            written = self._written[slot]
            final = written if written.id == final_id else replace(written, id=final_id)
            self._final[slot] = final
            self._place(slot, final)

    # ------------------------------------------------------------ placing lines

    def _place(self, slot: Slot, action: Action) -> None:
        rows: Column | None = None
        key: tuple[Any, ...] = ()
        if action.status == "open":
            self.open += 1
            if action.kind == "external":
                self.open_external += 1
            elif action.kind == "internal":
                self.open_internal += 1
            if action.due is not None and action.due < self._today:
                self.overdue += 1
                rows, key = self.late, (action.due, _newest_first(action))
            elif action.kind in ("external", "internal"):
                rows = self.external if action.kind == "external" else self.internal
                key = _newest_first(action)
        elif action.status == "done" and (action.done or "") >= self._since:
            rows, key = self.done, (_descending(action.done), _newest_first(action))
        if rows is not None:
            if not self._bulk:
                rows.insert(key, task_line(action, self.stems).encode())
            self.boxes[action.id] = [action.status == "done", action.source]
        self._rows[slot] = (rows, key)
        self.by_id[action.id] = action

    def _unplace(self, slot: Slot) -> None:
        placed = self._rows.pop(slot, None)
        if placed is None:
            return
        action = self._final[slot]
        rows, key = placed
        if rows is not None:
            if not self._bulk:
                rows.remove(key)
            self.boxes.pop(action.id, None)
        if action.status == "open":
            self.open -= 1
            if action.kind == "external":
                self.open_external -= 1
            elif action.kind == "internal":
                self.open_internal -= 1
            if action.due is not None and action.due < self._today:
                self.overdue -= 1
        if self.by_id.get(action.id) is action:
            del self.by_id[action.id]

    # ------------------------------------------------------------ reading

    def sections(self) -> Sections:
        return Sections(self.late.lines, self.external.lines, self.internal.lines, self.done.lines)

    def unreadable(self, walk_problems: list[tuple[str, str]]) -> list[tuple[str, Problem]]:
        found = list(self.errors.items()) + [(rel, Problem(message)) for rel, message in walk_problems]
        return sorted(found, key=lambda item: item[0])

    def conflicts(self) -> list[tuple[str, str]]:
        return sorted(self.copies.items())

    def overview(self) -> tuple[list[bytes], Overview]:
        """Due check-ins' lines and the overview: worked out again only when a session note changed."""
        if self._overview is None:
            notes = self.integration.values()
            due = due_follow_ups(list(notes), self.follow_ups, self.today)
            self._overview = due_lines(due), build_overview(notes, Tally(), due, self.today)
        lines, overview = self._overview
        counts = replace(
            overview, open_external=self.open_external, open_internal=self.open_internal, overdue=self.overdue
        )
        return lines, counts
