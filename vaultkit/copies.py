"""Sync-conflict copies of vaultkit's own notes, merged into their notes (vaultkit.merge).

Each device keeps versions it read of each of vaultkit's own notes
in `.vaultkit/local/<device id>.bases/` (owner-only): the first it read, the base of
the merge, and the latest.
A copy merged whole goes to `.vaultkit/trash/`; one whose text cannot be
merged stays beside its note (its action changes are in the note) until
`vaultkit merge NOTE` writes both versions of each passage into the note.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from vaultkit.atomic import make_dirs, snapshot, swap_until_done
from vaultkit.errors import VaultkitError
from vaultkit.fs import LOCAL_DIR, Vault, safe_target
from vaultkit.merge import LABEL_END, base_of, both_versions, merge
from vaultkit.notes import NoteRecord
from vaultkit.store import Store, device_id

KEPT = 16  # versions kept a note: the first this device read (the merge's base) and the latest
TRASH = ".vaultkit/trash"


def _bases_file(vault: Vault, rel: str) -> Path:
    name = hashlib.sha256(rel.encode("utf-8")).hexdigest()[:32] + ".json"
    return vault.root / LOCAL_DIR / f"{device_id()}.bases" / name


def history(vault: Vault, rel: str, path: Path | None = None) -> list[bytes]:
    """The versions of a note this device (or the one whose file `path` is) kept,
    oldest first: the first it read, the latest ones."""
    try:
        kept = json.loads((path or _bases_file(vault, rel)).read_bytes())
    except (OSError, ValueError):
        return []
    if not isinstance(kept, dict) or kept.get("path") != rel:
        return []
    return [v.encode("utf-8", "surrogateescape") for v in kept.get("versions", [])]


def remember(vault: Vault, rels: Iterable[str]) -> None:
    """Keep each note's bytes as they are now among the versions this device read.
    A version that cannot be kept (a full disk, a note linked in from outside the
    vault) is let go: a merge without its base keeps the copy, nothing is lost."""
    for rel in rels:
        try:
            data = snapshot(safe_target(vault, rel)).data
            versions = history(vault, rel)
            if data is None or (versions and versions[-1] == data):
                continue
            versions = versions[:1] + [*versions[1:], data][-(KEPT - 1) :]
            text = [v.decode("utf-8", "surrogateescape") for v in versions]
            path = _bases_file(vault, rel)
            make_dirs(path.parent, 0o700)
            new = json.dumps({"path": rel, "versions": text}).encode()
            swap_until_done(snapshot(path), _const(new), 0o600)
        except (OSError, VaultkitError):
            continue


def base(vault: Vault, rel: str, ours: bytes, theirs: bytes) -> bytes | None:
    """The merge's base (merge.base_of), from the versions this device and the
    others that sync the vault kept (their folders come with `.vaultkit/`)."""
    mine = _bases_file(vault, rel)
    seen = [
        version
        for other in sorted(mine.parent.parent.glob("*.bases"))
        if other != mine.parent
        for version in history(vault, rel, other / mine.name)
    ]
    return base_of(history(vault, rel), seen, ours, theirs)


def _const(data: bytes) -> Callable[[bytes | None], bytes]:
    return lambda _: data


class Outcome(NamedTuple):
    """What became of the copies of vaultkit's own notes."""

    merged: list[tuple[str, str]]  # (copy, note): merged whole, the copy in the trash
    kept: list[tuple[str, str]]  # (copy, note): text that cannot be merged; the copy stays
    said: list[str]  # actions both sides changed, and which change was kept; what went wrong


def own_copies(store: Store) -> list[tuple[str, str]]:
    """(copy, note) for every copy of one of vaultkit's own notes, both readable."""
    records = {r.path: r for r in store.records()}

    def own(rel: str) -> bool:
        record = records.get(rel)
        return record is not None and record.error is None and record != NoteRecord(rel)

    return [(c, n) for c, n in store.view().conflicts() if own(c) and own(n)]


def merge_copies(vault: Vault, store: Store) -> Outcome:
    """Merge each copy of one of vaultkit's own notes into its note (see the module's doc)."""
    out = Outcome([], [], [])
    for copy, rel in own_copies(store):
        theirs = snapshot(safe_target(vault, copy)).data
        if theirs is None:
            continue
        seen = hashlib.sha256(theirs).hexdigest()
        if store.meta(f"merged:{copy}") == seen:
            out.kept.append((copy, rel))  # its action changes are in the note already
            continue
        clean, said = _merge_one(vault, rel, copy, theirs)
        out.said.extend(said)
        if clean:
            out.merged.append((copy, rel))
            out.said.extend(to_trash(vault, copy, theirs))
        elif clean is not None:
            store.set_meta(f"merged:{copy}", seen)
            out.kept.append((copy, rel))
    return out


def _merge_one(vault: Vault, rel: str, copy: str, theirs: bytes) -> tuple[bool | None, list[str]]:
    """Merge one copy into its note: (whether it merged whole, None if the note kept
    changing or is gone; what to say)."""
    clean: list[bool] = []
    said: list[str] = []

    def edit(ours: bytes | None) -> bytes | None:
        clean.clear()
        said.clear()
        if ours is None:
            return None
        result = merge(rel, base(vault, rel, ours, theirs), ours, theirs, copy)
        clean.append(result.clean)
        said.extend(result.said)
        return result.data

    if not swap_until_done(snapshot(safe_target(vault, rel)), edit, vault.config.file_mode):
        return None, [f"{rel}: it kept changing while vaultkit merged `{copy}` into it; tried again later"]
    return (clean[0] if clean else None), said


def to_trash(vault: Vault, rel: str, data: bytes) -> list[str]:
    """Move a copy into `.vaultkit/trash/` (its folders kept), if it still
    holds `data`; what went wrong, if anything."""
    source = safe_target(vault, rel)
    target, n = vault.root / TRASH / rel, 1
    while target.exists() or target.is_symlink():
        n += 1
        target = vault.root / TRASH / f"{rel[:-3]}.{n}.md"
    make_dirs(target.parent, 0o700)
    try:
        os.rename(source, target)
    except OSError as exc:
        return [f"`{rel}` could not be moved to {TRASH}/ ({exc.strerror}); delete it yourself"]
    if target.read_bytes() != data:  # saved since it was merged: put it back for the next run
        try:
            os.link(target, source)
            os.unlink(target)
        except OSError:
            return [f"`{rel}` changed while it was merged; its latest text is in {TRASH}/"]
        return [f"`{rel}` changed while it was merged; left where it is, to merge again"]
    return []


def merge_by_hand(vault: Vault, store: Store, note: str) -> list[tuple[str, int]]:
    """Write every copy of `note` into it, with each passage both sides changed written
    twice, labelled, and move the copy to the trash: (copy, passages written twice) each."""
    copies = [c for c, n in own_copies(store) if n == note]
    if not copies:
        raise VaultkitError(f"{note} has no sync-conflict copies to merge (see `vaultkit check`)")
    done: list[tuple[str, int]] = []
    for copy in copies:
        theirs = snapshot(safe_target(vault, copy)).data
        if theirs is None:
            continue
        passages = _write_both(vault, note, copy, theirs)
        problems = to_trash(vault, copy, theirs)
        if problems:
            raise VaultkitError(problems[0])
        done.append((copy, passages))
    return done


def _write_both(vault: Vault, note: str, copy: str, theirs: bytes) -> int:
    """Write the copy into the note with `both_versions`: how many passages are written twice."""
    marks = LABEL_END.strip().encode()
    added: list[int] = []

    def edit(ours: bytes | None) -> bytes:
        if ours is None:
            raise VaultkitError(f"{note} is gone; nothing was merged")
        new = both_versions(note, base(vault, note, ours, theirs), ours, theirs, copy)
        added[:] = [new.count(marks) - ours.count(marks)]
        return new

    if not swap_until_done(snapshot(safe_target(vault, note)), edit, vault.config.file_mode):
        raise VaultkitError(f"{note} kept changing while vaultkit merged it; nothing was merged")
    return added[0] if added else 0
