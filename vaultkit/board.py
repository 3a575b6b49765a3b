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
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from vaultkit.actions import Action, next_suffix
from vaultkit.followups import due_follow_ups
from vaultkit.index import NOT_A_CONFLICT, NoteRecord, bulk, conflict_candidates, conflict_original
from vaultkit.notes import Problem
from vaultkit.overview import INTEGRATION_TYPES, Overview, Tally, build_overview
from vaultkit.summary import Sections, due_lines, task_line
from vaultkit.vault import stem

Slot = tuple[str, int]  # an action's place: (note path, position in its list)


def _slot(action: Action) -> Slot:
    return action.source, action.index


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
        if at == len(self.keys) or self.keys[at] != key:
            raise LookupError("the board lost track of a summary line")  # Live rebuilds it
        del self.keys[at], self.lines[at]

    def sort(self) -> None:
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        self.keys = [self.keys[i] for i in order]
        self.lines = [self.lines[i] for i in order]


class Keys:
    """Sort keys, with one int object per session and per date for the whole board."""

    def __init__(self) -> None:
        self._ints: dict[Any, int] = {}

    def _shared(self, value: int) -> int:
        return self._ints.setdefault(value, value)

    def descending(self, day: str | None) -> int:
        """Later ISO dates first, no date last."""
        if day:
            try:
                return self._shared(-int(day.replace("-", "")))
            except ValueError:
                pass
        return 1

    def newest_first(self, action: Action) -> tuple[Any, ...]:
        """The order of `summary.newest_first`, as a key."""
        session = action.session if action.session is not None else -1
        return (self._shared(-session), self.descending(action.date), action.source, action.index)


class StemCounts(Mapping[str, int]):
    """How many of the summary's notes share each name (0 for none), read
    from the board's namesakes table rather than kept as a second dict."""

    __slots__ = ("_namesakes",)

    def __init__(self, namesakes: dict[str, str | set[str]]) -> None:
        self._namesakes = namesakes

    def __getitem__(self, name: str) -> int:
        notes = self._namesakes.get(name)
        return 0 if notes is None else 1 if isinstance(notes, str) else len(notes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._namesakes)

    def __len__(self) -> int:
        return len(self._namesakes)


def _session_facts(record: NoteRecord | None) -> tuple[Any, ...] | None:
    """What the overview and the due check-ins read from a note."""
    if record is None or record.error is not None:
        return None
    if record.type not in INTEGRATION_TYPES and record.session is None:
        return None
    return (record.type, record.date, record.session, record.mood)


class Board:
    """Every note's share of the summary, updated note by note.

    Per action it keeps only what an update needs to find again: the action
    as written, under its id's claim; the action with its unique id, by id
    (and by slot, for the few whose id was changed to make it unique); and
    its line and sort key in one column. Where a line sits is worked out
    again from the action rather than stored. At 100,000 notes every entry
    per action is megabytes of the watcher's memory."""

    def __init__(
        self, today: date, recently_done_days: int, follow_ups: Mapping[str, tuple[int, ...]]
    ) -> None:
        self.today = today
        self.follow_ups = follow_ups
        self._today = today.isoformat()
        self._since = (today - timedelta(days=recently_done_days)).isoformat()
        self.records: dict[str, NoteRecord] = {}  # every note, conflict copies too (see load())
        self.active: dict[str, NoteRecord] = {}  # the notes the summary is made of
        self.copies: dict[str, str] = {}  # conflict copy -> its original
        self._copy_records: dict[str, NoteRecord] = {}  # what the board had from each conflict copy
        self._names: dict[str, tuple[str | None, tuple[str, ...]]] = {}  # only names that look like copies
        self._maybe_copies: dict[str, set[str]] = {}  # original -> notes named like a copy of it
        self._namesakes: dict[str, str | set[str]] = {}  # stem -> its note, or the notes sharing it
        self.stems = StemCounts(self._namesakes)
        self.integration: dict[str, NoteRecord] = {}
        self.errors: dict[str, Problem] = {}
        # id as written -> the action (as its note has it) claiming it, or the actions, in path order
        self._claims: dict[str, Action | list[Action]] = {}
        self._renamed: dict[Slot, Action] = {}  # the actions placed under another id than written
        self._fresh: set[int] = set()  # (object ids of) actions claimed during an update, not yet placed
        self.by_id: dict[str, Action] = {}  # each placed action, by its unique id
        self._keys = Keys()
        self.late = Column()
        self.external = Column()
        self.internal = Column()
        self.done = Column()
        self._overview: tuple[list[bytes], Overview] | None = None  # until a session note changes
        self.open = self.open_external = self.open_internal = self.overdue = 0
        self._bulk = False  # during load(): lines are rendered and sorted once, at the end

    # ------------------------------------------------------------ updates

    def load(self, records: dict[str, NoteRecord]) -> None:
        """Start from these notes (an empty board): one sort instead of an insert
        per line. The board keeps `records` itself as its table of notes: pass
        the indexer's dict and pull every change of it through update()."""
        with bulk():
            self._bulk = True
            self.records = records
            for rel in sorted(records):
                self.update(rel, records[rel])
            self._bulk = False
            for action in self._placed():
                column, key = self._where(action)
                if column is not None:
                    column.keys.append(key)
                    column.lines.append(task_line(action, self.stems).encode())
            for column in (self.late, self.external, self.internal, self.done):
                column.sort()

    def update(self, rel: str, record: NoteRecord | None) -> None:
        """Take a note's new record (None: the note is gone). `records` may be
        the indexer's own dict, already holding `record` (the watcher shares it
        rather than keep a second 100,000-entry copy): what the board had from
        a note is in `active`, or in `_copy_records` for conflict copies."""
        known = self.active.get(rel)
        if known is None:
            known = self._copy_records.get(rel)
        if known is record:
            return
        if record is None:
            self.records.pop(rel, None)
            for original in self._names.pop(rel, NOT_A_CONFLICT)[1]:
                self._maybe_copies[original].discard(rel)
        else:
            self.records[rel] = record
            if known is None:  # a note the board has not seen before
                names = conflict_candidates(rel)
                if names is not NOT_A_CONFLICT:
                    self._names[rel] = names
                for original in names[1]:
                    self._maybe_copies.setdefault(original, set()).add(rel)
        touched: set[str] = set()
        self._settle(rel, touched)
        for copy in sorted(self._maybe_copies.get(rel, ())):
            self._settle(copy, touched)
        for action_id in list(touched):
            # An id such as `x-2` given or taken back changes which suffixes `x`'s
            # namesakes get: they skip ids that actions were given.
            base, dash, number = action_id.rpartition("-")
            if dash and number.isdigit() and base in self._claims:
                touched.add(base)
        for action_id in touched:
            self._reassign(action_id)
        if self._fresh:  # every new claim was touched, so placed just now
            raise LookupError("the board lost track of a new action")  # Live rebuilds it

    def _settle(self, rel: str, touched: set[str]) -> None:
        """Make `rel`'s share of the summary match its record and copy status."""
        record = self.records.get(rel)
        original = None
        if record is not None and rel in self._names:
            original = conflict_original(rel, self.records, self._names[rel])
        if original is not None and record is not None:
            self.copies[rel] = original
            self._copy_records[rel] = record
        else:
            self.copies.pop(rel, None)
            self._copy_records.pop(rel, None)
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
        sharing = self._namesakes.get(name)
        if sharing is None:
            self._namesakes[name] = rel
        elif isinstance(sharing, str):  # its namesake's links now need the full path
            self._namesakes[name] = {sharing, rel}
            self._relink(sharing)
        else:
            sharing.add(rel)
        if record.error is not None:
            self.errors[rel] = record.error
        elif record.type in INTEGRATION_TYPES or record.session is not None:
            self.integration[rel] = record
        for action in record.actions:
            claims = self._claims.get(action.id)
            if claims is None:
                self._claims[action.id] = action
            elif isinstance(claims, Action):
                self._claims[action.id] = sorted([claims, action], key=_slot)
            else:
                insort(claims, action, key=_slot)
            self._fresh.add(id(action))
            touched.add(action.id)

    def _withdraw(self, rel: str, record: NoteRecord, touched: set[str]) -> None:
        del self.active[rel]
        for action in record.actions:
            if id(action) in self._fresh:
                self._fresh.discard(id(action))
            else:
                self._unplace(action)
            claims = self._claims[action.id]
            if isinstance(claims, Action):
                del self._claims[action.id]
            else:
                del claims[next(i for i, claim in enumerate(claims) if claim is action)]
                if len(claims) == 1:
                    self._claims[action.id] = claims[0]
            touched.add(action.id)
        self.errors.pop(rel, None)
        self.integration.pop(rel, None)
        name = stem(rel)
        sharing = self._namesakes[name]
        if isinstance(sharing, str):
            del self._namesakes[name]
        else:
            sharing.discard(rel)
            if len(sharing) == 1:  # the one left can go back to a short link
                (alone,) = sharing
                self._namesakes[name] = alone
                self._relink(alone)

    def _relink(self, rel: str) -> None:
        if self._bulk:
            return  # every line is rendered at the end of load()
        for action in self.active[rel].actions:
            if id(action) not in self._fresh:
                final = self._unplace(action)
                self._place(action, final.id)

    def _reassign(self, action_id: str) -> None:
        """Ids are unique in path order: the first keeps it, then `-2`, `-3`, …
        skipping ids that actions were given (as make_ids_unique does)."""
        claims = self._claims.get(action_id)
        written = [] if claims is None else [claims] if isinstance(claims, Action) else claims
        moved = []
        n = 1
        for count, action in enumerate(written, 1):
            if count > 1:
                n = next_suffix(action_id, n, self._claims)
            final_id = action_id if count == 1 else f"{action_id}-{n}"
            if id(action) in self._fresh or self._final(action).id != final_id:
                moved.append((action, final_id))
        for action, _ in moved:  # take every moved line out before any goes back under a new id
            if id(action) not in self._fresh:
                self._unplace(action)
        for action, final_id in moved:
            self._fresh.discard(id(action))
            self._place(action, final_id)

    # ------------------------------------------------------------ placing lines

    def _where(self, action: Action) -> tuple[Column | None, tuple[Any, ...]]:
        """The column an action's line goes in (None: not listed), and its key there."""
        if action.status == "open":
            if action.due is not None and action.due < self._today:
                return self.late, (action.due, self._keys.newest_first(action))
            if action.kind == "external":
                return self.external, self._keys.newest_first(action)
            if action.kind == "internal":
                return self.internal, self._keys.newest_first(action)
        elif action.status == "done" and (action.done or "") >= self._since:
            return self.done, (self._keys.descending(action.done), self._keys.newest_first(action))
        return None, ()

    def _count(self, action: Action, step: int) -> None:
        if action.status != "open":
            return
        self.open += step
        if action.kind == "external":
            self.open_external += step
        elif action.kind == "internal":
            self.open_internal += step
        if action.due is not None and action.due < self._today:
            self.overdue += step

    def _final(self, written: Action) -> Action:
        """A placed action as the summary lists it (its id made unique)."""
        return self._renamed.get(_slot(written), written) if self._renamed else written

    def _placed(self) -> Iterator[Action]:
        for claims in self._claims.values():
            if isinstance(claims, Action):
                yield self._final(claims)
            else:
                yield from map(self._final, claims)

    def _place(self, written: Action, final_id: str) -> None:
        action = written
        if written.id != final_id:
            action = self._renamed[_slot(written)] = written.renamed(final_id)
        self.by_id[action.id] = action
        self._count(action, 1)
        if not self._bulk:
            column, key = self._where(action)
            if column is not None:
                column.insert(key, task_line(action, self.stems).encode())

    def _unplace(self, written: Action) -> Action:
        action = self._renamed.pop(_slot(written), written) if self._renamed else written
        self._count(action, -1)
        if not self._bulk:
            column, key = self._where(action)
            if column is not None:
                column.remove(key)
        if self.by_id.get(action.id) is action:
            del self.by_id[action.id]
        return action

    def box(self, action_id: str) -> list[Any] | None:
        """[ticked, source] for an action the summary lists; None for any other."""
        action = self.by_id.get(action_id)
        if action is None or self._where(action)[0] is None:
            return None
        return [action.status == "done", action.source]

    def box_items(self) -> Iterator[tuple[str, bool, str]]:
        """(id, ticked, source) of every listed action, as the summary state records them."""
        for action in self.by_id.values():
            if self._where(action)[0] is not None:
                yield action.id, action.status == "done", action.source

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
        counts = overview._replace(
            open_external=self.open_external, open_internal=self.open_internal, overdue=self.overdue
        )
        return lines, counts
