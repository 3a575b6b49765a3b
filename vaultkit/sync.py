"""One run of the indexer as `vaultkit index` and `vaultkit watch` do it:
harvest ticks from the summary, read the vault, then write the summary note
if (and only if) it changed.

Harvesting compares each task line's checkbox with the box vaultkit last
wrote there (`.vaultkit/summary-boxes.json`, tagged with the digest of the
block it describes; `.vaultkit/summary-state.json` holds the digest, pending
ticks and counts, and is all a run that changes nothing reads): only a box
the user changed is applied, so a note edited directly is never undone by a stale summary. With
no state (a new device, a deleted `.vaultkit/`), only ticks are applied,
never unticks. A tick that cannot be applied yet (its note is unreadable,
or was being edited) is kept and retried on every run; one whose action no
longer exists is reported, not guessed.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from vaultkit import __version__
from vaultkit.hashing import digester
from vaultkit.vault import (
    CONFIG_FILE,
    NoteFile,
    Vault,
    WalkProblem,
    atomic_write,
    make_dirs,
    safe_target,
    walk_notes,
)

if TYPE_CHECKING:
    from vaultkit.actions import Action
    from vaultkit.board import Board
    from vaultkit.index import Indexer, NoteRecord, VaultIndex
    from vaultkit.notes import Problem
    from vaultkit.overview import Overview
    from vaultkit.status import Outcome
    from vaultkit.summary import Layout, Sections, Tick

# The modules that parse notes and render the summary are imported inside the
# functions below: a run where nothing changed never needs them (start-up).

STATE_FILE = "summary-state.json"  # the block's digest, pending ticks, counts, fingerprint
# Fewer stale notes than this (or 0.5%): a body edit leaves the cache as it is,
# other changes patch those notes in. More: the cache is written anew.
CACHE_SLACK = 20
BOXES_FILE = "summary-boxes.json"  # each listed action's box as written: read only to judge ticks


class Harvest:
    """Ticks read from the summary: applied to notes, refused, or kept for later."""

    __slots__ = ("applied", "problems", "pending")

    def __init__(self) -> None:
        self.applied: list[Outcome] = []
        self.problems: list[str] = []
        self.pending: dict[str, dict[str, Any]] = {}  # id -> tick kept for later


class Counts(NamedTuple):
    """What `vaultkit index` reports; kept in the state for runs that change nothing."""

    notes: int
    open: int
    external: int
    unreadable: list[tuple[str, int | None, str]]  # (path, line, message)
    conflicts: list[tuple[str, str]]

    @classmethod
    def of(cls, index: VaultIndex) -> Counts:
        open_ = [a for a in index.actions if a.status == "open"]
        return cls(
            len(index.notes),
            len(open_),
            sum(1 for a in open_ if a.kind == "external"),
            [(path, p.line, p.message) for path, p in index.unreadable],
            [tuple(c) for c in index.conflicts],  # type: ignore[misc]
        )


class SyncResult(NamedTuple):
    """What one sync did, for the command to report."""

    counts: Counts
    summary_written: bool
    harvest: Harvest
    read: int  # notes read from disk
    cached: int  # notes known from the cache


def _load_state(vault: Vault) -> dict[str, Any] | None:
    try:
        data = json.loads((vault.state_dir / STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _load_boxes(vault: Vault, digest: str | None) -> dict[str, list[Any]]:
    """The boxes as vaultkit wrote them in the block with this digest; empty
    when they are not on record (then ticks are applied, unticks are not)."""
    try:
        data = json.loads((vault.state_dir / BOXES_FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    boxes = data.get("boxes") if isinstance(data, dict) and data.get("block") == digest else None
    return boxes if isinstance(boxes, dict) else {}


Box = tuple[str, bool, str]  # (action id, ticked, source note)


def _save_state(vault: Vault, state: dict[str, Any], boxes: Iterable[Box]) -> None:
    """The boxes file first, tagged with the block it describes, then the small state."""
    _write_boxes(vault, state["block"], boxes)
    _write_if_changed(vault, STATE_FILE, state)


_BOXES_TAG = re.compile(rb'\{"block": *"([0-9a-f]+)"')


def _write_boxes(vault: Vault, digest: str, boxes: Iterable[Box]) -> None:
    """Streamed, 1,000 boxes at a time (70,000 of them at 100,000 notes), and
    only when the file describes another block: the same block has the same boxes."""
    path = vault.state_dir / BOXES_FILE
    try:
        with path.open("rb") as existing:
            tag = _BOXES_TAG.match(existing.read(128))
        if tag is not None and tag[1].decode() == digest:
            return
    except OSError:
        pass

    def chunks() -> Iterator[bytes]:
        yield b'{"block": ' + json.dumps(digest).encode() + b', "boxes": {'
        items = iter(boxes)
        separator = b""
        while batch := list(itertools.islice(items, 1000)):
            text = json.dumps({i: [ticked, source] for i, ticked, source in batch}, ensure_ascii=False)
            yield separator + text[1:-1].encode()  # the members, without the braces
            separator = b", "
        yield b"}}"

    make_dirs(vault.state_dir, vault.config.dir_mode)
    atomic_write(path, chunks(), vault.config.file_mode)


def _write_if_changed(vault: Vault, name: str, value: dict[str, Any]) -> None:
    payload = json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")
    path = vault.state_dir / name
    try:
        if path.read_bytes() == payload:
            return
    except OSError:
        pass
    make_dirs(vault.state_dir, vault.config.dir_mode)
    atomic_write(path, payload, vault.config.file_mode)


def _read_summary(vault: Vault) -> bytes | None:
    from vaultkit.summary import SummaryError

    try:
        return safe_target(vault, vault.config.summary_path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SummaryError(f"{vault.config.summary_path}: cannot read ({exc.strerror})") from None


def _text(vault: Vault, data: bytes) -> str:
    """Part of the summary file as text, or a SummaryError saying why it is not UTF-8."""
    from vaultkit.notes import NoteError, decode
    from vaultkit.summary import SummaryError

    try:
        return decode(data, "summary note")
    except NoteError as exc:
        raise SummaryError(f"{vault.config.summary_path}: {exc.problem.message}") from None


def read_ticks(vault: Vault, raw: bytes | None, digest: str | None) -> dict[str, Tick]:
    """The summary's checkboxes, or none when its block is exactly as written (`digest`).
    Only a block that changed is decoded: at 100,000 notes it is megabytes of text."""
    from vaultkit.summary import owned_bytes, parse_ticks

    owned = owned_bytes(raw) if raw is not None else None
    if owned is None or (digest is not None and digest == _digest(owned)):
        return {}
    return parse_ticks(_text(vault, bytes(owned)))


def harvest(
    vault: Vault,
    ticks: dict[str, Tick],
    boxes: Mapping[str, list[Any]],
    pending: Mapping[str, dict[str, Any]],
    by_id: Mapping[str, Action],
    unreadable: Collection[str],
    today: date,
) -> Harvest:
    """Apply the boxes the user changed since vaultkit wrote them (`boxes`),
    and the ticks still waiting from earlier runs (`pending`)."""
    result = Harvest()
    wanted: dict[str, tuple[str, str | None]] = {}  # id -> (status, date)
    for action_id, tick in ticks.items():
        previous = boxes.get(action_id)
        if previous is not None and bool(previous[0]) == tick.checked:
            continue  # as vaultkit wrote it
        if tick.checked:
            wanted[action_id] = ("done", tick.done_on)
        elif previous is not None:  # unticked by the user: reopen
            wanted[action_id] = ("open", None)
    for action_id, entry in pending.items():
        wanted.setdefault(action_id, (entry["status"], entry.get("on")))
    if not wanted:
        return result
    from vaultkit.status import Change, apply_changes  # only now: it brings in the YAML loader

    changes = []
    for action_id, (status, on) in sorted(wanted.items()):
        action = by_id.get(action_id)
        if action is None:
            source = (boxes.get(action_id) or [None, pending.get(action_id, {}).get("source")])[1]
            if source in unreadable:
                result.pending[action_id] = {"status": status, "on": on, "source": source}
                result.problems.append(
                    f"{source}: cannot be read, so the tick on ^{action_id} waits until it can"
                )
            else:
                result.problems.append(
                    f"summary: ^{action_id} was ticked but that action no "
                    "longer exists (its text or note changed); not applied"
                )
            continue
        if action.status == status or (status == "open" and action.status == "dropped"):
            continue
        when = date.fromisoformat(on) if on else today
        changes.append(Change(action, status, when))
    for outcome in apply_changes(vault, changes):
        if outcome.problem:
            action = outcome.change.action
            result.pending[action.id] = {
                "status": outcome.change.status,
                "on": outcome.change.on.isoformat(),
                "source": action.source,
            }
            result.problems.append(outcome.problem)
        elif outcome.applied:
            result.applied.append(outcome)
    return result


def summary_text(
    vault: Vault,
    index: VaultIndex,
    today: date,
    pending: dict[str, dict[str, Any]] | None = None,
    listed: tuple[list[Action], list[Action]] | None = None,
) -> bytes:
    """The summary block, built from the whole index."""
    from vaultkit.followups import due_follow_ups
    from vaultkit.overview import Tally, build_overview
    from vaultkit.summary import due_lines, shown, task_sections

    stems = index.stem_counts()
    listed = listed or shown(index.actions, today, vault.config.recently_done_days)
    due = due_follow_ups(index.notes, vault.config.follow_ups, today)
    overview = build_overview(index.notes, Tally.of(index.actions, today), due, today)
    return b"\n".join(
        assemble(
            vault,
            task_sections(listed, stems, today),
            stems,
            index.unreadable,
            index.conflicts,
            due_lines(due),
            overview,
            pending,
        )
    )


def assemble(
    vault: Vault,
    sections: Sections,
    stems: Mapping[str, int],
    unreadable: list[tuple[str, Problem]],
    conflicts: list[tuple[str, str]],
    due: list[bytes],
    overview: Overview,
    pending: dict[str, dict[str, Any]] | None,
) -> list[bytes]:
    """The summary block's lines from its parts (shared by the full and the incremental path)."""
    from vaultkit.overview import render_overview
    from vaultkit.summary import render_block

    return render_block(
        sections,
        stems,
        vault.config.recently_done_days,
        unreadable,
        conflicts,
        due,
        [(i, f"waiting for `{p['source']}` to be readable") for i, p in sorted((pending or {}).items())],
        render_overview(overview),
    )


_BOM = b"\xef\xbb\xbf"


def summary_layout(vault: Vault, raw: bytes | None, adopt: bool = False) -> Layout:
    """Where the block goes in the summary file as it is now (`raw`); a BOM stays in front."""
    from vaultkit.summary import SummaryError, layout

    bom = _BOM if raw is not None and raw.startswith(_BOM) else b""
    if raw is not None:
        _text(vault, raw[:4])  # a UTF-16 mark is refused before looking for markers
    try:
        where = layout(raw[len(bom) :] if raw is not None else None, adopt)
    except SummaryError as exc:
        raise SummaryError(f"{vault.config.summary_path}: {exc}") from None
    _text(vault, where.head + where.tail)  # the user's text is kept as is, so it must be UTF-8
    return where._replace(head=bom + where.head)


def write_summary(vault: Vault, pieces: Sequence[bytes | memoryview], new: bool) -> None:
    """Replace the summary file with `pieces` (owner-only when it is `new`)."""
    path = safe_target(vault, vault.config.summary_path)
    make_dirs(path.parent, vault.config.dir_mode)
    atomic_write(path, pieces, vault.config.file_mode if new else None)


def sync(
    vault: Vault,
    today: date,
    adopt: bool = False,
    progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
) -> SyncResult:
    """Harvest ticks, read the vault, write the summary: one `vaultkit index`."""
    state = _load_state(vault) or {}
    problems: list[WalkProblem] = []
    files = list(walk_notes(vault, problems))
    fingerprint, names = _fingerprint(vault, files, problems, today)
    as_written = (
        state.get("summary_key") == _summary_key(vault)
        and not state.get("pending")
        and isinstance(state.get("counts"), dict)
    )
    if as_written and state.get("fingerprint") == fingerprint:
        # Same notes, same summary file, same day, same settings: the
        # summary would come out byte for byte the same. Stop here.
        return SyncResult(Counts(**state["counts"]), False, Harvest(), 0, len(files))
    from vaultkit.index import Indexer, bulk

    with bulk():
        indexer = Indexer(vault)
        # The cache holds what the summary was made from when the last run left
        # it so (see _rebuild); only then can a re-read note be compared with it.
        from_cache = state.get("cache") is not None and state.get("cache") == _stat_key(indexer.cache_path)
        slack = max(CACHE_SLACK, len(files) // 200)
        same_notes = as_written and from_cache and state.get("names") == names
        reread = indexer.reread_changed(files, slack) if same_notes else None
        if reread is not None:
            changes, cache = reread
            if all(old == new for old, new in changes):
                # A few notes were saved, but what vaultkit reads from them is as the
                # cache has it: nothing is written, not even the new fingerprint.
                # Those notes are read again next time (a run stays this cheap),
                # until enough of them make the scan below rewrite the cache.
                return _as_before(state, len(changes), len(files) - len(changes))
            path = indexer.cache_path
            reworded = _reword(vault, today, state, fingerprint, path, cache, changes, len(files))
            if reworded is not None:
                return reworded
        indexer.scan(progress, walked=(files, problems))
        indexer.save_cache(patch_fewer_than=slack)
        if same_notes and indexer.unaltered:
            # Notes were saved, but what vaultkit reads from them is as it was.
            # The cache still matches the summary, even if it was just rewritten.
            news = {"fingerprint": fingerprint, "cache": _stat_key(indexer.cache_path)}
            _write_if_changed(vault, STATE_FILE, {**state, **news})
            return _as_before(state, indexer.parsed, indexer.cached)
        return _rebuild(vault, today, adopt, state, (fingerprint, names), indexer)


def _as_before(state: dict[str, Any], read: int, cached: int, written: bool = False) -> SyncResult:
    """The result of a run that leaves the counts as they are."""
    return SyncResult(Counts(**state["counts"]), written, Harvest(), read, cached)


def _reword(
    vault: Vault,
    today: date,
    state: dict[str, Any],
    fingerprint: str,
    cache_path: Path,
    cache: bytes,  # the cache file as reread_changed read it
    changes: list[tuple[NoteRecord, NoteRecord]],
    notes: int,
) -> SyncResult | None:
    """Edit the summary in place when the few notes that changed only had
    actions reworded (text or id; kind, status, dates and place as they were):
    each such action's line is swapped and every other byte stays, so the run
    costs what a body edit costs plus the writes. None when the changes are of
    another kind, or anything is not as this expects: the full path decides.

    Called only when the summary, the cache and the set of notes are as the
    state has them (and so is the day: it is part of the names' digest)."""
    from vaultkit.index import patch_cache
    from vaultkit.summary import BEGIN, END, is_listed, reworded_line

    swaps = _reworded_actions(changes)
    if swaps is None:
        return None
    new_ids = [new.id for old, new in swaps if new.id != old.id]
    for old, new in swaps:
        # Ids must stay unique without the indexer's `-2` suffixes: the old id
        # was no other action's, and no action has the new one.
        if cache.count(_quoted(old.id)) != 1 or (new.id != old.id and _quoted(new.id) in cache):
            return None
    if len(set(new_ids)) != len(new_ids):
        return None
    raw = _read_summary(vault)
    if raw is None:
        return None
    # As written, so one pair of markers. A block written with CRLF (the user's
    # text around it has them) has no line that ends as looked for below.
    low, high = raw.find(BEGIN.encode()) + len(BEGIN), raw.find(END.encode())
    renamed: dict[str, str] = {}
    spans: list[tuple[int, int, bytes]] = []
    for old, new in swaps:
        ending = f" ^{old.id}\n".encode()
        at = raw.find(ending, low, high)
        if at < 0:
            if is_listed(old, today, vault.config.recently_done_days):
                return None
            continue  # done long ago or dropped: in no line
        start, stop = raw.rfind(b"\n", low, at) + 1, at + len(ending) - 1
        line = reworded_line(raw[start:stop], old, new)
        if line is None or raw.find(ending, stop, high) >= 0:
            return None
        spans.append((start, stop, line))
        renamed[old.id] = new.id
    view = memoryview(raw)
    owned: list[bytes | memoryview] = []  # the new block, "\n" first as in the digest
    at = low
    for start, stop, line in sorted(spans):
        owned += [view[at:start], line]
        at = stop
    owned.append(view[at:high])
    digest = _digest(*owned)
    boxes = _renamed_boxes(vault, state.get("block"), digest, renamed)
    if boxes is None:
        return None
    if patch_cache(vault, cache_path, cache, [new for _, new in changes]):
        cache_key = _stat_key(cache_path)
    else:
        cache_key = None  # the full path next time, which writes it anew
    if spans:
        write_summary(vault, [view[:low], *owned, view[high:]], False)
        atomic_write(vault.state_dir / BOXES_FILE, boxes, vault.config.file_mode)
    news = {
        "fingerprint": fingerprint,
        "cache": cache_key,
        "summary_key": _summary_key(vault),
        "block": digest,
    }
    _write_if_changed(vault, STATE_FILE, {**state, **news})
    return _as_before(state, len(changes), notes - len(changes), written=bool(spans))


def _renamed_boxes(
    vault: Vault, digest: str | None, new_digest: str, renamed: dict[str, str]
) -> bytes | None:
    """The boxes file of the block `digest`, for the block `new_digest` in which
    the actions `renamed` (old id -> new id) have new ids and the same boxes.
    Edited as bytes: the file is written by _write_boxes, one `"id": [` per box.
    None when the file is not the one for `digest` or lacks one of the ids."""
    try:
        data = (vault.state_dir / BOXES_FILE).read_bytes()
    except OSError:
        return None
    tag = _BOXES_TAG.match(data)
    if tag is None or tag[1].decode() != digest:
        return None
    data = data[: tag.start(1)] + new_digest.encode() + data[tag.end(1) :]
    for old, new in renamed.items():
        box = json.dumps(old).encode() + b": ["
        if data.count(box) != 1:
            return None
        data = data.replace(box, json.dumps(new).encode() + b": [")
    return data


# What a record says besides its actions.
_BUT_ACTIONS = operator.attrgetter("path", "type", "date", "session", "mood", "problems", "error")
# What puts an action's line where it is and makes it what it is, but its text and id.
_PLACE = operator.attrgetter("kind", "status", "due", "done", "index", "explicit_id")


def _reworded_actions(changes: list[tuple[NoteRecord, NoteRecord]]) -> list[tuple[Action, Action]] | None:
    """The (old, new) actions of notes that changed only in their actions' texts
    or derived ids; None when anything else changed."""
    swaps = []
    for old, new in changes:
        if old == new:
            continue
        if len(old.actions) != len(new.actions) or _BUT_ACTIONS(new) != _BUT_ACTIONS(old):
            return None  # an action added or removed, or the note's date, session, problems...
        for was, now in zip(old.actions, new.actions, strict=True):
            if was == now:
                continue
            if _PLACE(was) != _PLACE(now) or (was.explicit_id and was.id != now.id):
                return None
            swaps.append((was, now))
    return swaps


def _quoted(action_id: str) -> bytes:
    return f'"{action_id}"'.encode()


def _rebuild(
    vault: Vault,
    today: date,
    adopt: bool,
    state: dict[str, Any],
    fingerprint: tuple[str, str],
    indexer: Indexer,
) -> SyncResult:
    index = indexer.index()
    raw = _read_summary(vault)
    ticks = read_ticks(vault, raw, state.get("block"))
    harvested = harvest(
        vault,
        ticks,
        _load_boxes(vault, state.get("block")) if ticks else {},
        state.get("pending", {}),
        {a.id: a for a in index.actions},
        {path for path, _ in index.unreadable},
        today,
    )
    if harvested.applied:
        indexer.refresh({outcome.change.action.source for outcome in harvested.applied})
        index = indexer.index()
    from vaultkit.summary import same_bytes, shown

    listed = shown(index.actions, today, vault.config.recently_done_days)
    block = summary_text(vault, index, today, harvested.pending, listed)
    pieces = summary_layout(vault, raw, adopt).compose(block)
    written = not same_bytes(pieces, raw)
    if written:
        write_summary(vault, pieces, raw is None)
    boxes = [(a.id, a.status == "done", a.source) for a in listed[0] + listed[1]]
    counts = Counts.of(index)
    _save_state(
        vault,
        {
            "pending": harvested.pending,
            "fingerprint": fingerprint[0] if not harvested.applied else None,
            "names": fingerprint[1],
            # The cache file, when it holds exactly the records this summary
            # was made from (it is left stale when few notes changed).
            "cache": _stat_key(indexer.cache_path) if indexer.cache_current else None,
            "summary_key": _summary_key(vault),
            "block": _digest(b"\n", block),
            "counts": counts._asdict(),
        },
        boxes,
    )
    return SyncResult(counts, written, harvested, index.parsed, index.cached)


_CRLF = re.compile(rb"\r\n")


def _digest(*parts: bytes | memoryview) -> str:
    """A digest of the parts one after the other, without joining them; CRLF reads
    as LF (a CRLF copy of the block digests as the LF one vaultkit wrote)."""
    if any(_CRLF.search(part) for part in parts):
        return digester(b"".join(map(bytes, parts)).replace(b"\r\n", b"\n")).hexdigest()
    digest = digester()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def _stat_key(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _summary_key(vault: Vault) -> list[int] | None:
    return _stat_key(vault.root / vault.config.summary_path)


def _fingerprint(
    vault: Vault, files: list[NoteFile], problems: list[WalkProblem], today: date
) -> tuple[str, str]:
    """Everything the summary is made from, short of reading the notes; and
    the same without the notes' stat keys (which notes there are).

    Hints, taken in the walk's order (a new order only costs a slower path): a
    match means nothing changed; a mismatch is checked further."""
    context = f"{__version__}\n{today.isoformat()}\n{_stat_key(vault.root / CONFIG_FILE)!r}\n".encode()
    for problem in problems:
        context += f"{problem.rel}\0{problem.message}\n".encode()
    names = context + "\0".join([note.rel for note in files]).encode()  # NUL: never in a file name
    keys = map(operator.attrgetter("size", "mtime_ns", "inode"), files)
    try:
        stats = array("Q", itertools.chain.from_iterable(keys)).tobytes()
    except OverflowError:  # a time before 1970, or an inode over 64 bits: the slower spelling
        stats = repr([(n.size, n.mtime_ns, n.inode) for n in files]).encode()
    return digester(names + stats).hexdigest(), digester(names).hexdigest()


# ---------------------------------------------------------------- the watcher's path


def board_counts(board: Board, unreadable: list[tuple[str, Problem]]) -> Counts:
    return Counts(
        len(board.active),
        board.open,
        board.open_external,
        [(path, p.line, p.message) for path, p in unreadable],
        board.conflicts(),
    )


class Live:
    """What `vaultkit watch` keeps between updates, so that a saved note costs
    work for that note rather than for the whole vault: the board, and the
    summary file as vaultkit last wrote it (read again only when its stat
    changes, i.e. when the user edited it). The state file is written by
    `save()`, which the watcher calls when it is idle and when it stops; until
    then the board itself is the record of what the summary shows."""

    def __init__(self, vault: Vault, log: Callable[[str], None] = lambda message: None) -> None:
        self.vault = vault
        self.log = log
        self.board: Board | None = None
        self.pending: dict[str, dict[str, Any]] = dict((_load_state(vault) or {}).get("pending", {}))
        self.summary: tuple[list[int] | None, Layout] | None = None  # stat key and layout as last written
        self.lines: list[bytes] = []  # the block's lines as last written (references, not a copy)
        self.counts: Counts | None = None
        self.unsaved = False

    def _board(self, indexer: Indexer, today: date) -> Board:
        from vaultkit.board import Board

        assert indexer.changed is not None, "the indexer must collect changes for a live board"
        board = self.board
        if board is not None and board.today == today:
            try:
                for rel in sorted(indexer.changed):
                    board.update(rel, indexer.records.get(rel))
            except Exception as exc:  # never carry on with a board that may be off: build it afresh
                self.log(
                    f"warning: rebuilt the summary from all notes after an internal error "
                    f"({type(exc).__name__}); please report it"
                )
                board = None
        if board is None or board.today != today:  # a new day moves overdue and recently-done lines
            board = Board(today, self.vault.config.recently_done_days, self.vault.config.follow_ups)
            board.load(indexer.records)
        self.board = board
        indexer.changed.clear()
        return board

    def sync(self, indexer: Indexer, today: date) -> SyncResult:
        from vaultkit.summary import owned_bytes

        vault = self.vault
        key = _summary_key(vault)
        raw: bytes | None = None
        where: Layout | None = None
        boxes: Mapping[str, list[Any]]
        if self.summary is not None and self.summary[0] == key:
            where = self.summary[1]  # the file is there, as vaultkit wrote it
            ticks: dict[str, Tick] = {}
            boxes = {}
        elif self.summary is not None and self.board is not None:  # the user edited the summary
            raw = _read_summary(vault)
            ticks = read_ticks(vault, raw, None)
            boxes = {i: box for i in ticks if (box := self.board.box(i)) is not None}  # as shown
        else:  # the first run, or the last write failed: what the state file says was shown
            raw = _read_summary(vault)
            digest = (_load_state(vault) or {}).get("block")
            ticks = read_ticks(vault, raw, digest)
            boxes = _load_boxes(vault, digest) if ticks else {}
        board = self._board(indexer, today)
        walk_problems = [(p.rel, p.message) for p in indexer.walk_problems]
        unreadable = board.unreadable(walk_problems)
        unreadable_paths = {path for path, _ in unreadable}
        harvested = harvest(vault, ticks, boxes, self.pending, board.by_id, unreadable_paths, today)
        if harvested.applied:
            indexer.refresh({outcome.change.action.source for outcome in harvested.applied})
            board = self._board(indexer, today)
            unreadable = board.unreadable(walk_problems)
        due, overview = board.overview()
        conflicts = board.conflicts()
        lines = assemble(
            vault, board.sections(), board.stems, unreadable, conflicts, due, overview, harvested.pending
        )
        self.summary = None  # unknown until the write below succeeds
        if where is not None and lines == self.lines:
            written = False  # the file is as vaultkit wrote it, and so would be again
        else:
            new = where is None and raw is None
            where = where or summary_layout(vault, raw)
            owned = owned_bytes(raw) if raw is not None else None
            on_disk = _digest(owned) if owned is not None else None
            del raw, owned  # the file's bytes go before the new block is joined (at 100k: 6 MB each)
            block = b"\n".join(lines)
            # The layout came from the file itself; a file vaultkit wrote last is
            # written again without digesting the new block (6 MB at 100k notes).
            written = on_disk is None or on_disk != _digest(b"\n", block)
            if written:
                write_summary(vault, where.compose(block), new)
        self.summary = (_summary_key(vault), where)
        counts = board_counts(board, unreadable)
        if written or counts != self.counts or harvested.pending != self.pending:
            self.unsaved = True
        self.lines = lines
        self.pending = harvested.pending
        self.counts = counts
        return SyncResult(counts, written, harvested, indexer.parsed, indexer.cached)

    def save(self) -> None:
        """Write the state file for what the summary now shows (the next run's harvest needs it)."""
        if not self.unsaved or self.board is None or self.summary is None or self.counts is None:
            return
        _save_state(
            self.vault,
            {
                "pending": self.pending,
                "fingerprint": None,
                "summary_key": self.summary[0],
                "block": _digest(b"\n", b"\n".join(self.lines)),
                "counts": self.counts._asdict(),
            },
            self.board.box_items(),
        )
        self.unsaved = False
