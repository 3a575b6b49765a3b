"""The one pipeline every command runs, in named steps:

    stat -> read what changed -> store -> harvest -> apply -> render -> write

`scan` is the first three. `refresh` goes on: it judges the boxes of the
summary and of sync clients' copies of it (harvest), writes those changes and
the command's own into their notes (apply), derives the block from the
store's facts (render), and replaces the summary compare-and-swap when its
bytes differ (write); if someone saved it meanwhile, the round starts again
from their copy. A `Request` says what to do, a `Report` what was done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from vaultkit.actions import Change, Outcome
from vaultkit.atomic import Snapshot, make_dirs, snapshot, swap
from vaultkit.errors import VaultkitError
from vaultkit.frontmatter import Problem
from vaultkit.fs import (
    NoteFile,
    Vault,
    WalkProblem,
    readable_name,
    safe_target,
    stat_note,
    summary_copies,
    vault_lock,
    walk_notes,
)
from vaultkit.notes import NoteRecord, own_types, read_note
from vaultkit.obsidian import tasks_global_filter
from vaultkit.overview import Overview
from vaultkit.practice import Practice
from vaultkit.store import Store, open_store
from vaultkit.summary.derive import Counts
from vaultkit.summary.file import Copy, Layout, SummaryError, digest, layout, owned_text, summary_text
from vaultkit.summary.render import line_of, render
from vaultkit.summary.ticks import SHOWN, Pending, Unshown, changed_boxes, judge, last_listed, marks_in

ATTEMPTS = 5  # summary writes raced by another writer before the run gives up for now
RACY_NS = 3_000_000_000  # FAT and exFAT keep 2 s; SMB and HFS+ 1 s; a margin for clock skew

Progress = Callable[[list[NoteFile]], Iterable[NoteFile]]


@contextmanager
def opened(vault: Vault, notice: Callable[[str], None]) -> Iterator[Store]:
    """This device's store for the vault, with the vault's lock held."""
    with vault_lock(vault):
        store = open_store(vault, notice)
        try:
            yield store
        finally:
            store.close()


@dataclass(frozen=True)
class Watching:
    """What a watcher's batch adds: a reading that would hide actions, from a note
    not yet settled, is put back (a save caught halfway looks like that), and a
    summary someone else has just saved is left alone for the quiet period."""

    settled: frozenset[str] = frozenset()  # notes past their settle time: taken as they are now
    quiet: float = 0.0  # seconds
    save: tuple[str, float] = ("", 0.0)  # the latest such save seen, and when it was first seen


@dataclass(frozen=True)
class Request:
    """What one run is asked for, beyond keeping the summary up to date."""

    paths: Collection[str] | None = None  # only these notes and `folders`; None: the whole vault
    folders: Collection[str] = ()
    commands: Sequence[tuple[str, str]] = ()  # (id or prefix, status); an unknown id changes nothing
    on: date | None = None  # the day the commands are recorded as of (default today)
    write_summary: bool = True  # False: only the notes change
    adopt: bool = False  # a summary without markers gets the block below its text
    watching: Watching | None = None


@dataclass
class Report:
    """What one run did, for the command to report."""

    counts: Counts = Counts(0, 0, 0, 0, 0)
    files: int = 0  # notes looked at (conflict copies included)
    read: int = 0  # of them read from disk (the rest were known unchanged)
    held: set[str] = field(default_factory=set)  # put back until they settle (Watching)
    commanded: list[Outcome] = field(default_factory=list)  # the command's own changes
    ticked: list[Outcome] = field(default_factory=list)  # boxes changed in the summary, applied
    problems: list[str] = field(default_factory=list)  # what was not applied, and why
    unreadable: list[tuple[str, Problem]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (copy, note): merged, the copy trashed
    summary_written: bool = False
    calendar_written: bool = False
    deferred: float = 0.0  # the summary was left alone for this long: run again then
    save: tuple[str, float] | None = None  # someone else's save of the summary (Watching.save)


@dataclass(frozen=True)
class Found:
    """The summary as one round read it, with the sync clients' copies beside it."""

    snap: Snapshot
    text: str | None
    where: Layout
    copies: list[Copy]


@dataclass
class Harvest:
    """What the boxes of the summary and its copies ask for, judged against the notes."""

    changes: list[Change]  # to apply
    waiting: Pending  # ticks that wait for their note
    problems: list[str]  # what cannot be applied, and why (the summary shows them)
    notices: list[str]  # ticks that wait, said on stderr and in the watch log
    unshown: Unshown


def big_picture(vault: Vault, store: Store, today: date) -> tuple[Practice, Overview]:
    """The practice, and the overview (the summary's and `vaultkit status`'s)."""
    return store.view().big_picture(vault.config.follow_ups, today, vault.config.who5)


def scan(vault: Vault, store: Store, today: date, progress: Progress | None = None) -> Report:
    """Bring the store up to date with every note (a note whose stat key is unchanged is not read)."""
    return refresh(vault, store, today, Request(write_summary=False), progress)


def refresh(
    vault: Vault, store: Store, today: date, request: Request = Request(), progress: Progress | None = None
) -> Report:
    """The whole pipeline (see the module's doc)."""
    return _Run(vault, store, today, request, progress).refresh()


class _Run:
    """One run of the pipeline, a method a step."""

    def __init__(
        self, vault: Vault, store: Store, today: date, request: Request, progress: Progress | None = None
    ) -> None:
        self.vault, self.store, self.today, self.request = vault, store, today, request
        self.progress = progress
        self.report = Report()

    def refresh(self) -> Report:
        vault, report, commands = self.vault, self.report, self.request.commands
        self.scan()
        if self.request.write_summary:
            self.merge_copies()
        scanned = list(report.problems)
        ordered = self.store.view().resolve([given for given, _ in commands])  # before anything changes
        on = self.request.on or self.today
        chosen = [Change(a, status, on) for a, (_, status) in zip(ordered, commands, strict=True)]
        if not self.request.write_summary:
            report.commanded = self.apply(chosen)
            return self.finish()
        target = safe_target(vault, vault.config.summary_path)
        for attempt in range(ATTEMPTS):
            try:
                snap = snapshot(target)
                text = summary_text(snap.data)
                copies = [c for rel in summary_copies(vault) if (c := Copy(vault, rel)).snap.data is not None]
                found = Found(snap, text, layout(text, self.request.adopt), copies)
            except SummaryError as exc:
                report.commanded += self.apply(chosen)
                raise SummaryError(f"{vault.config.summary_path}: {exc}") from None
            if found.where.adopted and attempt == 0:  # said once, on stderr (not a change left undone)
                scanned.append(f"{vault.config.summary_path}: {found.where.adopted}")
            harvest = self.harvest(found, {c.action.id for c in chosen})
            report.commanded += self.apply(chosen)
            chosen = []  # made once, whatever happens to the summary below
            self.apply_ticks(harvest)
            report.problems = scanned + harvest.problems + harvest.notices
            if self.write(found, self.render(found, harvest), harvest):
                break
            # Someone saved the summary meanwhile: read their copy, apply its boxes too.
        else:
            report.problems.append(
                f"{vault.config.summary_path} kept changing while vaultkit wrote it; "
                "the next run (a watcher makes one by itself) tries again"
            )
        if vault.config.calendar:
            self.calendar()
        return self.finish()

    def calendar(self) -> None:
        """Keep the calendar file the settings name current; a problem is said, never stops the run."""
        from vaultkit.calendar import update

        try:
            practice = self.store.practice(self.vault.config.follow_ups, self.today)
            self.report.calendar_written = update(self.vault, practice)[2]
        except VaultkitError as exc:
            self.report.problems.append(str(exc))
        except OSError as exc:
            self.report.problems.append(f"{self.vault.config.calendar} could not be written: {exc.strerror}")

    def finish(self) -> Report:
        view = self.store.view()
        self.report.counts = view.counts(self.today)
        self.report.unreadable = view.unreadable
        self.report.conflicts = view.conflicts()
        return self.report

    def merge_copies(self) -> None:
        """Merge the sync-conflict copies of vaultkit's own notes into their notes."""
        if not self.store.view().copies:
            return
        from vaultkit.copies import merge_copies

        outcome = merge_copies(self.vault, self.store)
        self.report.merged += outcome.merged
        self.report.problems += outcome.said
        changed = {rel for pair in outcome.merged for rel in pair} | {rel for _, rel in outcome.kept}
        if changed:
            _Run(self.vault, self.store, self.today, Request(paths=changed)).scan()

    # ------------------------------------------------------------ stat -> read -> store

    def scan(self) -> None:
        changed, gone = self.stat()
        held = {rel for rel in gone if self.holds(rel, None)}
        vanished: set[str] = set()  # between the stat and the read
        notes = self.progress(changed) if self.progress and changed else changed
        own: set[str] = set()
        self.store.put(self.read(notes, vanished, own), gone - held)
        self.store.put([], vanished)
        self.report.held |= held
        if own:  # the versions this device read: the bases of merging conflict copies
            from vaultkit.copies import remember

            # Not while a copy is beside the note: a version that came with it is no base.
            copies = self.store.view().copies
            remember(self.vault, sorted(own - copies.keys() - set(copies.values())))

    def stat(self) -> tuple[list[NoteFile], set[str]]:
        """(the notes whose stat key is not the stored one, the stored paths
        that are no longer notes), where the request looks."""
        store, paths, folders = self.store, self.request.paths, self.request.folders
        changed: dict[str, NoteFile] = {}
        gone: set[str] = set()
        for folder in [""] if paths is None else [f.rstrip("/") for f in folders]:
            under = folder + "/" if folder else ""
            problems: list[WalkProblem] = []
            exists = not folder or (self.vault.root / folder).is_dir()
            found = list(walk_notes(self.vault, problems, start=folder)) if exists else []
            known = store.keys(under)
            self.report.files += len(found)
            changed.update((n.rel, n) for n in found if known.get(n.rel) != n.key)
            gone |= known.keys() - {n.rel for n in found}
            store.set_walk_problems(problems, under)
        for rel in sorted(set(paths or ()) - changed.keys()):
            if readable_name(rel):
                continue  # a name that is not UTF-8: the walk reports it
            note, known_key = stat_note(self.vault, rel), store.keys(rel).get(rel)
            if note is None and known_key is not None:
                gone.add(rel)
            elif note is not None and known_key != note.key:
                changed[rel] = note
        return list(changed.values()), gone

    def read(
        self, notes: Iterable[NoteFile], vanished: set[str], own: set[str]
    ) -> Iterator[tuple[str, NoteRecord]]:
        """Each note's record with the stat key to keep. A note read within a coarse
        clock's tick of its last write keeps none, so it is read again next time:
        an edit made within the same tick would not move its key (git's "racy" case)."""
        types = own_types(self.vault)
        for note in notes:
            try:
                record = read_note(note, self.vault.config.max_note_bytes, types)
            except Exception as exc:  # a bug of ours: that note keeps what it said, the run goes on
                self.report.problems.append(f"{note.rel}: {type(exc).__name__}; kept its previous actions")
                continue
            if self.holds(note.rel, record):
                self.report.held.add(note.rel)
            elif record is None:
                vanished.add(note.rel)
            else:
                self.report.read += 1
                if record.error is None and record != NoteRecord(record.path):
                    own.add(record.path)
                yield (note.key if time.time_ns() - note.mtime_ns >= RACY_NS else ""), record

    def holds(self, rel: str, record: NoteRecord | None) -> bool:
        """Whether a watcher puts this reading back (see Watching)."""
        watching = self.request.watching
        if watching is None or rel in watching.settled:
            return False
        known = self.store.action_count(rel)
        return known > 0 and (record is None or record.error is not None or len(record.actions) < known)

    # ------------------------------------------------------------ harvest -> apply

    def harvest(self, found: Found, commanded: set[str]) -> Harvest:
        store, view = self.store, self.store.view()
        unshown = Unshown(store.meta)
        marks, problems = unshown.marks(found.text, store.meta("shown"))
        for copy in found.copies:  # a tick that landed only in a sync client's copy counts too (once)
            more, trouble = marks_in(copy.text, f"`{copy.rel}`", store.meta(f"copy:{copy.rel}"))
            marks, problems = marks + more, problems + trouble
        marks, taken_back = unshown.sort(marks)
        pending = store.pending()
        wanted, cancelled = changed_boxes(marks, {uid: p[0] for uid, p in pending.items()})
        for uid in cancelled:
            del pending[uid]
        notices: list[str] = []
        changes, waiting = judge(view, wanted, pending, commanded, self.today, problems, notices)
        changes += [
            Change(action, before, self.today)
            for uid, before, applied in taken_back
            if (action := view.by_id.get(uid)) is not None and action.status == applied
        ]
        return Harvest(changes, waiting, problems, notices, unshown)

    def apply(self, changes: list[Change]) -> list[Outcome]:
        """Write the changes to their notes and read those notes into the store again."""
        if not changes:
            return []
        from vaultkit.writeback import apply  # PyYAML's composer: only when a note is to change

        outcomes = apply(self.vault, self.store, changes)
        sources = {o.change.action.source for o in outcomes if o.applied}
        if sources:
            _Run(self.vault, self.store, self.today, Request(paths=sources)).scan()
        return outcomes

    def apply_ticks(self, harvest: Harvest) -> None:
        """Apply the person's changes; one that cannot be applied waits, and says why."""
        for outcome in self.apply(harvest.changes):
            action, change = outcome.change.action, outcome.change
            if outcome.problem is None:
                self.report.ticked.append(outcome)
                harvest.waiting.pop(action.id, None)
                harvest.unshown.applied(action.id, action.status, change.status)
            else:
                harvest.problems.append(outcome.problem)
                line, on = line_of(self.store.view(), action), change.on.isoformat()
                harvest.waiting[action.id] = (change.status, on, action.source, line, outcome.problem)
        self.store.set_pending(harvest.waiting)

    # ------------------------------------------------------------ render -> write

    def render(self, found: Found, harvest: Harvest) -> str:
        """The summary as it should be: the person's text around the block derived from the facts."""
        kept = [copy.rel for copy in found.copies if not copy.same_text_as(found.where)]
        view, tasks = self.store.view(), tasks_global_filter(self.vault.root)
        last = last_listed(found.text, view, harvest.waiting)
        block = render(
            view, self.today, self.vault.config, harvest.waiting, harvest.problems, kept, tasks, last
        )
        return found.where.compose(block)

    def quiet_left(self, found: Found, watching: Watching) -> float:
        """Seconds to leave alone yet a summary someone else saved. Its age is the
        longer of what its mtime says and how long ago the watcher first saw that
        save, so a file dated in the future (a skewed clock elsewhere) waits once."""
        st, now = found.snap.stat, time.time()
        assert st is not None and found.text is not None
        save = f"{digest(found.text)}:{st.st_mtime_ns}"  # the same bytes saved again are a new save
        first = watching.save[1] if watching.save[0] == save else now
        self.report.save = (save, first)
        return max(0.0, min(watching.quiet, watching.quiet - max(now - st.st_mtime, now - first)))

    def write(self, found: Found, block: str, harvest: Harvest) -> bool:
        """Replace the summary if its bytes differ, compare-and-swap; False when
        someone saved it since it was read (then the round is made again)."""
        store, text, watching, config = self.store, found.text, self.request.watching, self.vault.config
        if block != text:
            theirs = (
                text is not None and found.snap.stat is not None and digest(text) != store.meta("written")
            )
            if watching and theirs and (left := self.quiet_left(found, watching)) > 0:
                for key, value in harvest.unshown.left_alone(text).items():
                    store.set_meta(key, value)
                self.report.deferred = left
                return True
            make_dirs(found.snap.path.parent, config.dir_mode)  # summary_path in a folder not made yet
            if swap(found.snap, block.encode("utf-8"), config.file_mode) is not None:
                return False
            self.report.summary_written = True
        with store.transaction():  # all of what tells the next run what stands, or none
            store.set_meta("shown", digest(owned_text(block)[1]))  # type: ignore[index]
            store.set_meta("written", digest(block))
            for key, value in SHOWN.items():
                store.set_meta(key, value)
        for copy in found.copies:  # those whose own text is the summary's go: their boxes are applied
            if copy.same_text_as(found.where):
                copy.remove()
            elif copy.text is not None and (owned := owned_text(copy.text)):
                store.set_meta(f"copy:{copy.rel}", digest(owned[1]))  # read again only once it changes
        return True
