"""The one pipeline every command runs, in named steps:

    stat -> read what changed -> store -> harvest -> apply -> render -> write

`scan` is the first three: the store brought up to date with the notes (all
of them, or the paths and folders of a watcher's batch). `refresh` goes on:
it reads the boxes of the summary and of sync clients' copies of it and
judges what the person changed (harvest), writes those changes and the
command's own into their notes (apply), derives the block from the store's
facts (render), and replaces the summary compare-and-swap when its bytes
differ (write). If anyone saved the summary between the read and the
replace, the round starts again from their copy: its boxes are applied too,
and their text outside the markers is what gets kept.

What a run is asked is a `Request`, what it did its `Report`. A watcher's
batch adds `Watching`: a reading that looks like a save caught halfway is
put back (`Report.held`), and a summary someone else has just saved is left
alone for the rest of the quiet period (`Report.deferred`); the watcher
comes back for both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from vaultkit.actions import Change, Outcome
from vaultkit.atomic import Snapshot, make_dirs, snapshot, swap
from vaultkit.frontmatter import Problem
from vaultkit.fs import (
    NoteFile,
    Vault,
    WalkProblem,
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
    """What a watcher's batch adds to a run."""

    settled: frozenset[str] = frozenset()  # notes past their settle time: taken as they are now
    quiet: float = 0.0  # seconds a summary someone else saved is left alone
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
    summary_written: bool = False
    deferred: float = 0.0  # the summary was left alone for this long: run again then
    save: tuple[str, float] | None = None  # someone else's save of the summary seen (Watching.save)


def big_picture(vault: Vault, store: Store, today: date) -> tuple[Practice, Overview]:
    """The practice, and the overview (the summary's and `vaultkit status`'s)."""
    return store.view().big_picture(vault.config.follow_ups, today)


def scan(vault: Vault, store: Store, today: date, progress: Progress | None = None) -> Report:
    """Bring the store up to date with every note; a note whose stat key is unchanged is not read."""
    report = Report()
    _scan(vault, store, Request(), report, progress)
    return _finish(store, today, report)


def refresh(
    vault: Vault, store: Store, today: date, request: Request = Request(), progress: Progress | None = None
) -> Report:
    """The whole pipeline (see the module's doc). An id of `request.commands`
    that is unknown or ambiguous stops the run before anything is changed."""
    report = Report()
    _scan(vault, store, request, report, progress)
    scanned = list(report.problems)
    commands = request.commands
    ordered = store.view().resolve([given for given, _ in commands])
    chosen = [
        Change(a, status, request.on or today) for a, (_, status) in zip(ordered, commands, strict=True)
    ]
    if not request.write_summary:
        report.commanded = _apply(vault, store, chosen)
        return _finish(store, today, report)
    target = safe_target(vault, vault.config.summary_path)
    for attempt in range(ATTEMPTS):
        try:
            found = _read_summary(vault, target, request.adopt)
        except SummaryError as exc:
            report.commanded += _apply(vault, store, chosen)
            raise SummaryError(f"{vault.config.summary_path}: {exc}") from None
        if found.where.adopted and attempt == 0:  # said once, on stderr (not a change left undone)
            scanned.append(f"{vault.config.summary_path}: {found.where.adopted}")
        harvest = _harvest(store, found, {c.action.id for c in chosen}, today)
        report.commanded += _apply(vault, store, chosen)
        chosen = []  # made once, whatever happens to the summary below
        _apply_ticks(vault, store, harvest, report)
        report.problems = scanned + harvest.problems + harvest.notices
        block = _render(vault, store, today, found, harvest)
        if _write(vault, store, found, block, harvest, report, request.watching):
            break
        # Someone saved the summary meanwhile: read their copy, apply its boxes too.
    else:
        report.problems.append(
            f"{vault.config.summary_path} kept changing while vaultkit wrote it; "
            "the next run (a watcher makes one by itself) tries again"
        )
    return _finish(store, today, report)


def _finish(store: Store, today: date, report: Report) -> Report:
    view = store.view()
    report.counts = view.counts(today)
    report.unreadable = view.unreadable
    report.conflicts = view.conflicts()
    return report


# ---------------------------------------------------------------- stat -> read -> store


def _scan(vault: Vault, store: Store, request: Request, report: Report, progress: Progress | None) -> None:
    watching = request.watching
    changed, gone = _stat(vault, store, request.paths, request.folders, report)
    held = {rel for rel in gone if _holds(store, rel, None, watching)}
    vanished: set[str] = set()  # between the stat and the read
    notes = progress(changed) if progress and changed else changed
    store.put(_read(vault, store, notes, report, watching, vanished), gone - held)
    store.put([], vanished)
    report.held |= held


def _stat(
    vault: Vault, store: Store, paths: Collection[str] | None, folders: Collection[str], report: Report
) -> tuple[list[NoteFile], set[str]]:
    """(the notes whose stat key is not the stored one, the stored paths that
    are no longer notes), where the request looks."""
    changed: dict[str, NoteFile] = {}
    gone: set[str] = set()
    for folder in [""] if paths is None else [f.rstrip("/") for f in folders]:
        under = folder + "/" if folder else ""
        problems: list[WalkProblem] = []
        exists = not folder or (vault.root / folder).is_dir()
        found = list(walk_notes(vault, problems, start=folder)) if exists else []
        known = store.keys(under)
        report.files += len(found)
        changed.update((n.rel, n) for n in found if known.get(n.rel) != n.key)
        gone |= known.keys() - {n.rel for n in found}
        store.set_walk_problems(problems, under)
    for rel in sorted(set(paths or ()) - changed.keys()):
        if not _utf8(rel):
            continue  # a name that is not UTF-8: the walk reports it
        note = stat_note(vault, rel)
        known_key = store.keys(rel).get(rel)
        if note is None and known_key is not None:
            gone.add(rel)
        elif note is not None and known_key != note.key:
            changed[rel] = note
    return list(changed.values()), gone


def _read(
    vault: Vault,
    store: Store,
    notes: Iterable[NoteFile],
    report: Report,
    watching: Watching | None,
    vanished: set[str],
) -> Iterator[tuple[str, NoteRecord]]:
    """Each note's record with the stat key to keep. A note read within a coarse
    clock's tick of its last write keeps none, so it is read again next time:
    an edit made within the same tick would not move its key (git's "racy" case)."""
    types = own_types(vault)
    for note in notes:
        try:
            record = read_note(note, vault.config.max_note_bytes, types)
        except Exception as exc:  # a bug of ours: that note keeps what it said, the run goes on
            report.problems.append(f"{note.rel}: {type(exc).__name__}; kept its previous actions")
            continue
        if _holds(store, note.rel, record, watching):
            report.held.add(note.rel)
        elif record is None:
            vanished.add(note.rel)
        else:
            report.read += 1
            yield (note.key if time.time_ns() - note.mtime_ns >= RACY_NS else ""), record


def _holds(store: Store, rel: str, record: NoteRecord | None, watching: Watching | None) -> bool:
    """Whether a watcher puts this reading back: it would hide actions the store
    knows, and the note has not settled (a save caught halfway looks like that)."""
    if watching is None or rel in watching.settled:
        return False
    known = store.action_count(rel)
    return known > 0 and (record is None or record.error is not None or len(record.actions) < known)


def _utf8(rel: str) -> bool:
    try:
        rel.encode()
    except UnicodeEncodeError:
        return False
    return True


# ---------------------------------------------------------------- harvest -> apply


@dataclass(frozen=True)
class Found:
    """The summary as one round read it, with the sync clients' copies beside it."""

    snap: Snapshot
    text: str | None
    where: Layout
    copies: list[Copy]

    @cached_property
    def merged(self) -> list[Copy]:
        """The copies whose own text is the summary's: nothing of theirs is lost
        once their boxes are applied. The others stay, listed for the person."""
        return [copy for copy in self.copies if copy.same_text_as(self.where)]


def _read_summary(vault: Vault, target: Path, adopt: bool) -> Found:
    snap = snapshot(target)
    text = summary_text(snap.data)
    copies = [Copy(vault, rel) for rel in summary_copies(vault)]
    return Found(snap, text, layout(text, adopt), [copy for copy in copies if copy.snap.data is not None])


@dataclass
class Harvest:
    """What the boxes of the summary and its copies ask for, judged against the notes."""

    changes: list[Change]  # to apply
    waiting: Pending  # ticks that wait for their note
    problems: list[str]  # what cannot be applied, and why (the summary shows them)
    notices: list[str]  # ticks that wait, said on stderr and in the watch log
    unshown: Unshown


def _harvest(store: Store, found: Found, commanded: set[str], today: date) -> Harvest:
    view = store.view()
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
    changes, waiting = judge(view, wanted, pending, commanded, today, problems, notices)
    changes += [
        Change(action, before, today)
        for uid, before, applied in taken_back
        if (action := view.by_id.get(uid)) is not None and action.status == applied
    ]
    return Harvest(changes, waiting, problems, notices, unshown)


def _apply(vault: Vault, store: Store, changes: list[Change]) -> list[Outcome]:
    """Write the changes to their notes and read those notes into the store again."""
    if not changes:
        return []
    from vaultkit.writeback import apply  # PyYAML's composer: only when a note is to change

    outcomes = apply(vault, store, changes)
    sources = {o.change.action.source for o in outcomes if o.applied}
    if sources:
        _scan(vault, store, Request(paths=sources), Report(), None)
    return outcomes


def _apply_ticks(vault: Vault, store: Store, harvest: Harvest, report: Report) -> None:
    """Apply the person's changes; one that cannot be applied waits, and says why."""
    for outcome in _apply(vault, store, harvest.changes):
        action, change = outcome.change.action, outcome.change
        if outcome.problem is None:
            report.ticked.append(outcome)
            harvest.waiting.pop(action.id, None)
            harvest.unshown.applied(action.id, action.status, change.status)
        else:
            harvest.problems.append(outcome.problem)
            line, on = line_of(store.view(), action), change.on.isoformat()
            harvest.waiting[action.id] = (change.status, on, action.source, line, outcome.problem)
    store.set_pending(harvest.waiting)


# ---------------------------------------------------------------- render -> write


def _render(vault: Vault, store: Store, today: date, found: Found, harvest: Harvest) -> str:
    """The summary as it should be: the person's text around the block derived from the facts."""
    kept = [copy.rel for copy in found.copies if copy not in found.merged]
    tasks = tasks_global_filter(vault.root)
    view = store.view()
    last = last_listed(found.text, view, harvest.waiting)
    block = render(view, today, vault.config, harvest.waiting, harvest.problems, kept, tasks, last)
    return found.where.compose(block)


def _quiet_left(found: Found, watching: Watching, report: Report) -> float:
    """Seconds to leave alone yet a summary someone else saved. Its age is the
    longer of what its mtime says and how long ago the watcher first saw that
    save, so a file dated in the future (a skewed clock elsewhere) waits once."""
    st, now = found.snap.stat, time.time()
    assert st is not None and found.text is not None
    save = f"{digest(found.text)}:{st.st_mtime_ns}"  # the same bytes saved again are a new save
    first = watching.save[1] if watching.save[0] == save else now
    report.save = (save, first)
    age = max(now - st.st_mtime, now - first)
    return max(0.0, min(watching.quiet, watching.quiet - age))


def _write(
    vault: Vault,
    store: Store,
    found: Found,
    block: str,
    harvest: Harvest,
    report: Report,
    watching: Watching | None,
) -> bool:
    """Replace the summary if its bytes differ, compare-and-swap; False when
    someone saved it since it was read (then the round is made again)."""
    text = found.text
    if block != text:
        theirs = text is not None and found.snap.stat is not None and digest(text) != store.meta("written")
        if watching and theirs and (left := _quiet_left(found, watching, report)) > 0:
            for key, value in harvest.unshown.left_alone(text).items():
                store.set_meta(key, value)
            report.deferred = left
            return True
        make_dirs(found.snap.path.parent, vault.config.dir_mode)  # summary_path in a folder not made yet
        if swap(found.snap, block.encode("utf-8"), vault.config.file_mode) is not None:
            return False
        report.summary_written = True
    with store.transaction():  # all of what tells the next run what stands, or none
        store.set_meta("shown", digest(owned_text(block)[1]))  # type: ignore[index]
        store.set_meta("written", digest(block))
        for key, value in SHOWN.items():
            store.set_meta(key, value)
    for copy in found.copies:
        if copy in found.merged:
            copy.remove()
        elif copy.text is not None and (owned := owned_text(copy.text)):
            store.set_meta(f"copy:{copy.rel}", digest(owned[1]))  # read again only once it changes
    return True
