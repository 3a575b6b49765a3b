"""One run of the indexer as `vaultkit index` and `vaultkit watch` do it:
harvest ticks from the summary, read the vault, then write the summary note
if (and only if) it changed.

Harvesting compares each task line's checkbox with the state vaultkit last
wrote there (`.vaultkit/summary-state.json`): only a box the user changed is
applied, so a note edited directly is never undone by a stale summary. With
no state (a new device, a deleted `.vaultkit/`), only ticks are applied,
never unticks. A tick that cannot be applied yet (its note is unreadable,
or was being edited) is kept and retried on every run; one whose action no
longer exists is reported, not guessed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultkit.followups import due_follow_ups
from vaultkit.index import Indexer, VaultIndex
from vaultkit.notes import NoteError, decode
from vaultkit.status import Change, Outcome, apply_changes
from vaultkit.summary import SummaryError, owned_text, parse_ticks, render_block, splice
from vaultkit.vault import NoteFile, Vault, atomic_write, make_dirs, safe_target

STATE_FILE = "summary-state.json"


@dataclass
class Harvest:
    applied: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> tick kept for later


@dataclass(frozen=True)
class SyncResult:
    index: VaultIndex
    summary_written: bool
    harvest: Harvest


def _load_state(vault: Vault) -> dict[str, Any] | None:
    try:
        data = json.loads((vault.state_dir / STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("boxes"), dict) else None


def _save_state(vault: Vault, state: dict[str, Any]) -> None:
    payload = json.dumps(state, sort_keys=True, ensure_ascii=False).encode("utf-8")
    path = vault.state_dir / STATE_FILE
    try:
        if path.read_bytes() == payload:
            return
    except OSError:
        pass
    make_dirs(vault.state_dir, vault.config.dir_mode)
    atomic_write(path, payload, vault.config.file_mode)


def _read_summary(vault: Vault) -> tuple[bytes | None, str | None]:
    rel = vault.config.summary_path
    path = safe_target(vault, rel)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise SummaryError(f"{rel}: cannot read ({exc.strerror})") from None
    try:
        return raw, decode(raw, "summary note")
    except NoteError as exc:
        raise SummaryError(f"{rel}: {exc.problem.message}") from None


def harvest(vault: Vault, index: VaultIndex, text: str | None, state: dict[str, Any] | None,
            today: date) -> Harvest:
    result = Harvest()
    pending: dict[str, dict[str, Any]] = dict((state or {}).get("pending", {}))
    boxes: dict[str, list[Any]] = (state or {}).get("boxes", {})
    owned = owned_text(text) if text is not None else None
    ticks = parse_ticks(owned) if owned is not None else {}
    by_id = {a.id: a for a in index.actions}
    unreadable = {path for path, _ in index.unreadable}
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
    changes = []
    for action_id, (status, on) in sorted(wanted.items()):
        action = by_id.get(action_id)
        if action is None:
            source = (boxes.get(action_id) or [None, pending.get(action_id, {}).get("source")])[1]
            if source in unreadable:
                result.pending[action_id] = {"status": status, "on": on, "source": source}
                result.problems.append(f"{source}: cannot be read, so the tick on ^{action_id} "
                                       "waits until it can")
            else:
                result.problems.append(f"summary: ^{action_id} was ticked but that action no "
                                       "longer exists (its text or note changed); not applied")
            continue
        if action.status == status or (status == "open" and action.status == "dropped"):
            continue
        when = date.fromisoformat(on) if on else today
        changes.append(Change(action, status, when))
    for outcome in apply_changes(vault, changes):
        if outcome.problem:
            action = outcome.change.action
            result.pending[action.id] = {"status": outcome.change.status,
                                         "on": outcome.change.on.isoformat(), "source": action.source}
            result.problems.append(outcome.problem)
        elif outcome.applied:
            result.applied.append(outcome)
    return result


def summary_text(vault: Vault, index: VaultIndex, today: date,
                 pending: dict[str, dict[str, Any]] | None = None) -> str:
    return render_block(
        index.actions,
        index.stem_counts(),
        today,
        vault.config.recently_done_days,
        index.unreadable,
        index.conflicts,
        due_follow_ups(index.notes, vault.config.follow_ups, today),
        [(i, f"waiting for `{p['source']}` to be readable") for i, p in sorted((pending or {}).items())],
    )


def write_summary(vault: Vault, block: str, raw: bytes | None, existing: str | None,
                  adopt: bool = False) -> bool:
    """Put `block` between the summary's markers; True when the file changed."""
    rel = vault.config.summary_path
    path = safe_target(vault, rel)
    bom = raw is not None and raw.startswith(b"\xef\xbb\xbf")
    try:
        text = splice(existing, block, adopt)
    except SummaryError as exc:
        raise SummaryError(f"{rel}: {exc}") from None
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    if data == raw:
        return False
    make_dirs(path.parent, vault.config.dir_mode)
    atomic_write(path, data, None if raw is not None else vault.config.file_mode)
    return True


def sync(
    vault: Vault,
    today: date,
    adopt: bool = False,
    progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
    indexer: Indexer | None = None,
) -> SyncResult:
    """Harvest ticks, then write the summary. Pass a live `indexer` (the
    watcher does) to reuse what it knows; otherwise the vault is scanned."""
    if indexer is None:
        indexer = Indexer(vault)
        indexer.scan(progress)
        indexer.save_cache()
    index = indexer.index()
    raw, existing = _read_summary(vault)
    state = _load_state(vault)
    harvested = harvest(vault, index, existing, state, today)
    if harvested.applied:
        indexer.refresh({outcome.change.action.source for outcome in harvested.applied})
        index = indexer.index()
    block = summary_text(vault, index, today, harvested.pending)
    written = write_summary(vault, block, raw, existing, adopt)
    sources = {a.id: a.source for a in index.actions}
    boxes = {i: [t.checked, sources.get(i)] for i, t in parse_ticks(block).items()}
    _save_state(vault, {"boxes": boxes, "pending": harvested.pending})
    return SyncResult(index, written, harvested)

