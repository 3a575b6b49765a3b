"""The one pipeline every command runs: stat -> read what changed -> store
(one transaction) -> read the summary's boxes -> apply status changes ->
render -> write the summary if its bytes differ.

`vaultkit index` runs it over the whole vault, `vaultkit watch` over the
paths of each batch of events, `done` / `reopen` / `drop` with their own
change, which wins over anything older in the summary. Commands that only
read (actions, status, check, new) run `scan` alone.

The summary is written compare-and-swap: if anyone saved it between the
read and the replace (an editor, Obsidian Tasks, a sync client), the run
reads their copy, applies its boxes too and tries again; their text outside
the markers is what gets kept.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import vaultkit  # its version: a new one may render the same rows otherwise
from vaultkit.actions import Change, Outcome
from vaultkit.atomic import make_dirs, snapshot, swap
from vaultkit.block import Pending, line_of, render
from vaultkit.block import big_picture as big_picture  # `vaultkit status` shows it too
from vaultkit.device import vault_lock
from vaultkit.frontmatter import Problem
from vaultkit.fs import (
    NoteFile,
    Vault,
    WalkProblem,
    is_summary,
    nfc,
    safe_target,
    stat_note,
    summary_copies,
    walk_notes,
)
from vaultkit.notes import NoteRecord, read_note
from vaultkit.obsidian import tasks_global_filter
from vaultkit.schema import open_store
from vaultkit.store import Counts, Listing, Store
from vaultkit.summary import Mark, SummaryError, changed_boxes, layout, owned_text
from vaultkit.summary_file import SHOWN, Copy, Unshown, digest, marks_in, summary_text
from vaultkit.template_files import own_types

ATTEMPTS = 5  # summary writes raced by another writer before the run gives up for now
# Seconds after someone else's save of the summary (Obsidian, Tasks, an editor, a
# sync client) before vaultkit rewrites it: an open pane, and Tasks' lookup of a
# line by its text, are not pulled out from under the person.
QUIET = 2.0

Progress = Callable[[list[NoteFile]], Iterable[NoteFile]]
Hold = Callable[[str, NoteRecord | None], bool]


@contextmanager
def opened(vault: Vault, notice: Callable[[str], None]) -> Iterator[Store]:
    """This device's store for the vault, with the vault's lock held."""
    with vault_lock(vault):
        store = open_store(vault, notice)
        try:
            yield store
        finally:
            store.close()


@dataclass
class Report:
    """What one refresh did, for the command to report."""

    counts: Counts
    files: int = 0  # notes looked at (conflict copies included)
    read: int = 0  # of them read from disk (the rest were known unchanged)
    held: set[str] = field(default_factory=set)  # put back by `hold`, to look at again later
    commanded: list[Outcome] = field(default_factory=list)  # the command's own changes
    ticked: list[Outcome] = field(default_factory=list)  # boxes changed in the summary, applied
    problems: list[str] = field(default_factory=list)  # what was not applied, and why
    unreadable: list[tuple[str, Problem]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    summary_written: bool = False
    deferred: float = 0.0  # the summary waits this long for quiet (`defer`): run again then


def scan(
    vault: Vault,
    store: Store,
    today: date,
    paths: Iterable[str] | None = None,
    folders: Iterable[str] = (),
    hold: Hold | None = None,
    progress: Progress | None = None,
) -> Report:
    """Bring the store up to date with the notes: all of them (`paths` None),
    or these paths and folders. A note whose stat key is unchanged is not read;
    one read just after it was written is read again next time, since a coarse
    clock could hide an edit made within the same tick (git's "racy" case)."""
    return _finish(store, _scan(vault, store, today, paths, folders, hold, progress))


def _scan(
    vault: Vault,
    store: Store,
    today: date,
    paths: Iterable[str] | None = None,
    folders: Iterable[str] = (),
    hold: Hold | None = None,
    progress: Progress | None = None,
) -> Report:
    listing = Listing.of(today, vault.config.recently_done_days)
    store.relist(listing)
    changed: dict[str, NoteFile] = {}
    gone: set[str] = set()
    files = 0
    areas = [""] if paths is None else [f.rstrip("/") for f in folders]
    for folder in areas:
        problems: list[WalkProblem] = []
        prefix = folder + "/" if folder else ""
        exists = not folder or (vault.root / folder).is_dir()
        found = list(walk_notes(vault, problems, start=folder)) if exists else []
        known = store.keys(prefix)
        files += len(found)
        changed.update((n.rel, n) for n in found if known.get(n.rel) != n.key)
        gone |= known.keys() - {n.rel for n in found}
        store.set_walk_problems(problems, prefix)
    for rel in sorted(set(paths or ()) - changed.keys()):
        if not _utf8(rel):
            continue  # a name that is not UTF-8: the walk reports it
        note = stat_note(vault, rel)
        known_key = store.keys(rel).get(rel)
        if note is None:
            gone |= {rel} if known_key is not None else set()
        elif known_key != note.key:
            changed[rel] = note
    report = Report(Counts(0, 0, 0, 0, 0), files=files)
    if hold is not None:
        report.held |= {rel for rel in gone if hold(rel, None)}
    gone -= report.held
    notes = list(changed.values())
    types = own_types(vault)

    def read() -> Iterator[tuple[NoteFile, NoteRecord]]:
        for note in progress(notes) if progress and notes else notes:
            try:
                record = read_note(note, vault.config.max_note_bytes, types)
            except Exception as exc:  # a bug of ours: that note waits, the run goes on
                report.problems.append(f"{note.rel}: {type(exc).__name__}; kept its previous actions")
                report.held.add(note.rel)
                continue
            if hold is not None and hold(note.rel, record):
                report.held.add(note.rel)
            elif record is None:
                vanished.add(note.rel)  # between listing and reading
            else:
                report.read += 1
                yield note, record

    vanished: set[str] = set()
    store.update(read(), gone, listing, time.time_ns())
    store.update([], vanished, listing, time.time_ns())
    return report


def _utf8(rel: str) -> bool:
    try:
        rel.encode()
    except UnicodeEncodeError:
        return False
    return True


def refresh(
    vault: Vault,
    store: Store,
    today: date,
    *,
    paths: Iterable[str] | None = None,
    folders: Iterable[str] = (),
    commands: Sequence[tuple[str, str]] = (),
    on: date | None = None,
    write_summary: bool = True,
    adopt: bool = False,
    hold: Hold | None = None,
    progress: Progress | None = None,
    defer: bool = False,
) -> Report:
    """The whole pipeline (see the module's doc). `commands` are (id or
    prefix, status) pairs, recorded as of `on` (default today); an id that
    is unknown or ambiguous stops the run before anything is changed.
    Within QUIET seconds of someone else's save of the summary, its ticks are
    applied to the notes but the summary is rewritten only after: this run
    waits, or with `defer` leaves it and says when (`Report.deferred`)."""
    paths = None if paths is None else set(paths)
    report = _scan(vault, store, today, paths, folders, hold, progress)
    scanned = list(report.problems)
    ordered = store.resolve([given for given, _ in commands])
    chosen = [
        Change(action, status, on or today) for action, (_, status) in zip(ordered, commands, strict=True)
    ]
    if not write_summary:
        report.commanded = _apply(vault, store, today, chosen)
        return _finish(store, report)
    target = safe_target(vault, vault.config.summary_path)
    commanded = {c.action.id for c in chosen}
    # A whole run looks for sync clients' copies of the summary; a watcher's batch
    # only when a path it was told of is one (watch.Handler passes them on), and
    # otherwise reads again the copies kept last time, which the summary lists.
    summary = nfc(vault.config.summary_path)
    look_for_copies = paths is None or any(is_summary(rel, summary) for rel in paths)
    for _attempt in range(ATTEMPTS):
        snap = snapshot(target)
        try:
            text = summary_text(snap.data)
            where = layout(text, adopt)
        except SummaryError as exc:
            report.commanded += _apply(vault, store, today, chosen)
            raise SummaryError(f"{vault.config.summary_path}: {exc}") from None
        if where.adopted and _attempt == 0:  # said once, on stderr (not a change left undone)
            scanned.append(f"{vault.config.summary_path}: {where.adopted}")
        names = summary_copies(vault) if look_for_copies else json.loads(store.meta("kept") or "[]")
        copies = [Copy(vault, rel) for rel in names]
        copies = [copy for copy in copies if copy.snap.data is not None]  # a kept one deleted since
        unshown = Unshown(store.meta)
        marks, problems = unshown.marks(text, store.meta("shown"))
        for copy in copies:  # a tick that landed only in a sync client's copy counts too (once)
            more, trouble = marks_in(copy.text, f"`{copy.rel}`", store.meta(f"copy:{copy.rel}"))
            marks, problems = marks + more, problems + trouble
        marks, taken_back = unshown.sort(marks)
        pending = store.pending()
        wanted, cancelled = changed_boxes(marks, {uid: p[0] for uid, p in pending.items()})
        for uid in cancelled:
            del pending[uid]
        notices: list[str] = []
        changes, waiting = _judge(store, wanted, pending, commanded, today, problems, notices)
        changes += [
            Change(found[0], before, today)
            for uid, before, applied in taken_back
            if (found := store.find(uid)) and found[0].id == uid and found[0].status == applied
        ]
        report.commanded += _apply(vault, store, today, chosen)
        chosen = []  # made once, whatever happens to the summary below
        for outcome in _apply(vault, store, today, changes):
            action = outcome.change.action
            if outcome.problem is None:
                report.ticked.append(outcome)
                waiting.pop(action.id, None)
                unshown.applied(action.id, action.status, outcome.change.status)
            else:
                problems.append(outcome.problem)
                waiting[action.id] = (outcome.change.status, outcome.change.on.isoformat(), action.source,
                                      line_of(store, action), outcome.problem)  # fmt: skip
        store.set_pending(waiting)
        merged = [copy for copy in copies if copy.same_text_as(where)]  # nothing of theirs would be lost
        kept = [copy.rel for copy in copies if copy not in merged]
        # What the block is made of; if it is what made the summary as it stands, so is the block.
        tasks = tasks_global_filter(vault.root)
        made_of = digest(repr((vaultkit.__version__, store.generation(), today, vault.config,
                               tasks, problems, kept)))  # fmt: skip
        if text is not None and store.meta("rendered") == made_of and digest(text) == store.meta("written"):
            block = text
        else:
            block = where.compose(render(vault, store, today, waiting, problems, kept, tasks))
        report.problems = scanned + problems + notices
        if block != text and (quiet := _quiet_left(store, snap.stat, text)) > 0:
            for key, value in unshown.left_alone(text).items():
                store.set_meta(key, value)
            if defer:
                report.deferred = quiet
                break
            time.sleep(quiet)
            continue  # read it again: it may have changed while we waited
        if block != text and not target.parent.is_dir():  # summary_path in a folder not made yet
            make_dirs(target.parent, vault.config.dir_mode)
        if block == text or swap(snap, block.encode("utf-8"), vault.config.file_mode) is None:
            report.summary_written = block != text
            with store.transaction():  # all of what tells the next run what stands, or none
                store.set_meta("shown", digest(owned_text(block)[1]))  # type: ignore[index]
                store.set_meta("written", digest(block))
                store.set_meta("rendered", made_of)
                store.set_meta("kept", json.dumps(kept))
                for key, value in SHOWN.items():
                    store.set_meta(key, value)
            for copy in merged:
                copy.remove()
            for copy in copies:  # a copy kept is read again only once it changes
                if copy not in merged and copy.text is not None and (owned := owned_text(copy.text)):
                    store.set_meta(f"copy:{copy.rel}", digest(owned[1]))
            break
        # Someone saved the summary meanwhile: read their copy, apply its boxes too.
    else:
        report.problems.append(
            f"{vault.config.summary_path} kept changing while vaultkit wrote it; "
            "the next run (a watcher makes one by itself) tries again"
        )
    return _finish(store, report)


def _quiet_left(store: Store, st: os.stat_result | None, text: str | None) -> float:
    """Seconds to leave the summary alone yet: someone other than vaultkit on
    this device saved it less than QUIET seconds ago. Its age is the longer of
    what its mtime says and how long ago this device first saw that text, so a
    file dated in the future (a skewed clock elsewhere) waits once, not forever."""
    if st is None or text is None:
        return 0.0
    if digest(text) == store.meta("written"):
        return 0.0
    seen = f"{digest(text)}:{st.st_mtime_ns}"  # a save: the same bytes saved again are a new one
    now = time.time()
    first = store.meta("quiet")
    if first is None or not first.startswith(seen + " "):
        store.set_meta("quiet", f"{seen} {now}")
        first = f"{seen} {now}"
    age = max(now - st.st_mtime, now - float(first.split()[1]))
    return max(0.0, min(QUIET, QUIET - age))


def _finish(store: Store, report: Report) -> Report:
    report.counts = store.counts()
    report.unreadable = store.unreadable()
    report.conflicts = store.conflicts()
    return report


def _judge(
    store: Store,
    wanted: list[Mark],
    pending: Pending,
    commanded: set[str],
    today: date,
    problems: list[str],
    notices: list[str],
) -> tuple[list[Change], Pending]:
    """Which of the person's boxes to apply, and which ticks wait. What cannot
    be applied goes to `problems`; ticks that wait are said in `notices`."""
    unreadable = {path for path, _ in store.unreadable()}
    waiting: Pending = {}
    changes: list[Change] = []
    asks = [(m.uid, m.box, m.on, m.shown, f"summary line {m.line}", m.link, m.text) for m in wanted]
    asks += [(uid, p[0], p[1], "pending", "a tick waiting", None, "") for uid, p in pending.items()]
    seen: set[str] = set()
    for uid, status, on, shown, where, link, text in asks:
        if uid in commanded or uid in seen:
            continue  # the command's own change wins; a box counts once
        seen.add(uid)
        found = store.find(uid)
        action = found[0] if found and found[0].id == uid else None
        if action is None:
            source = pending[uid][2] if uid in pending else store.note_linked(link or "")
            if source in unreadable:
                line = pending[uid][3] if uid in pending else f"- [ ] {text}"
                reason = f"waiting for `{source}` to be readable"
                waiting[uid] = (status, on or today.isoformat(), source or "", line, reason)
                notices.append(f"{source}: cannot be read, so the tick on ^{uid} waits until it can")
            else:
                problems.append(
                    f"{where}: ^{uid} was ticked but that action no longer exists "
                    "(its text or note changed); not applied"
                )
        elif action.status == status:
            continue
        elif shown != "pending" and action.status != shown:
            problems.append(
                f"{where}: ^{uid} was changed in the summary, but its note was changed to {action.status} "
                "since that copy was made; the note's change is kept"
            )
        else:
            changes.append(Change(action, status, date.fromisoformat(on) if on else today))
    return changes, waiting


def _apply(vault: Vault, store: Store, today: date, changes: list[Change]) -> list[Outcome]:
    """Write the changes to their notes and read those notes into the store again."""
    if not changes:
        return []
    from vaultkit.writeback import apply  # PyYAML's composer: only when a note is to change

    outcomes = apply(vault, store, changes)
    sources = {o.change.action.source for o in outcomes if o.applied}
    if sources:
        _scan(vault, store, today, paths=sources)
    return outcomes
