"""A note and a sync client's conflict copy of it, merged three-way. Pure.

The base is the latest version of the note that this device and another both
kept (`base_of`; vaultkit.copies keeps them): a base older than where the two
sides parted only makes a change they share look made twice (the same on both
sides, so merged), or brings back what one side removed; a later one would
make one side look as if it undid the other's changes. Actions are merged by id first: a change
beats no change, and when both sides changed one action's status the later
dated change wins (the other is said). The winner's item is then written into
both sides and the base alike, so that the line merge of the whole note
(`merge3`) sees no change there, and merges what is left: properties, actions
added or removed, the body. Where both sides changed the same lines the merge
is not clean: the note keeps its own text (with the actions merged) and the
copy stays, or `both_versions` writes each such passage twice, labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from merge3 import Merge3

from vaultkit.actions import Action
from vaultkit.frontmatter import NoteError, parse_frontmatter
from vaultkit.notes import record_from_bytes

Key = tuple[str, int]  # an action's id as written, and which of the note's actions with that id


class Merged(NamedTuple):
    data: bytes  # the note with the copy's action changes; the whole copy when `clean`
    clean: bool  # every change of the copy is in `data`: the copy can go
    said: list[str]  # actions both sides changed, and which change was kept


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _actions(source: str, data: bytes | None) -> dict[Key, Action]:
    if data is None:
        return {}
    found: dict[Key, Action] = {}
    for action in record_from_bytes(source, data).actions:
        n = 0
        while (action.written_id, n) in found:
            n += 1
        found[action.written_id, n] = action
    return found


def _item(data: bytes, index: int) -> tuple[int, int] | None:
    from vaultkit.writeback import item_region  # PyYAML's composer: only when a copy is merged

    return item_region(data, index)


def _splice(source: str, data: bytes, action: Action, new: bytes, status: str) -> bytes:
    """`data` with `action`'s item replaced by `new`, if that changes its status
    alone (to `status`); else `data` as it is."""
    region = _item(data, action.index)
    if region is None:
        return data
    out = data[: region[0]] + new + data[region[1] :]
    before, after = _actions(source, data), _actions(source, out)
    same = before.keys() == after.keys() and all(
        _fields(after[k]) == _fields(a)
        and (status if a.index == action.index else a.status) == after[k].status
        for k, a in before.items()
    )
    return out if same else data


def _fields(action: Action) -> tuple[object, ...]:
    """What an action says beside its status."""
    return (action.text, action.kind, action.due, action.domain)


def _later(mine: Action, other: Action) -> bool:
    """Whether `other`'s status is the later change: a dated change beats an
    undated one, and done or dropped beats open (a tick is never lost)."""
    return (other.done or "", other.status != "open") > (mine.done or "", mine.status != "open")


def _theirs_win(a: Action, b: Action, was: Action | None) -> bool:
    """Whether the copy's status of an action (`b`) wins over the note's (`a`):
    a merge never reopens (a tick is never lost); between done and dropped a
    change beats no change, and when both changed, the later dated one wins."""
    if a.status == b.status or b.status == "open":
        return False
    if a.status == "open" or (was is not None and was.status == a.status):
        return True
    return not (was is not None and was.status == b.status) and _later(a, b)


def merge_actions(
    source: str, base: bytes | None, ours: bytes, theirs: bytes, copy: str
) -> tuple[bytes, bytes | None, bytes, list[str]]:
    """(ours, base, theirs) with each action both hold set the same in all three, as
    the merge of its status wants; and what to say of actions both sides changed."""
    mine, other, old = _actions(source, ours), _actions(source, theirs), _actions(source, base)
    said: list[str] = []
    for key in sorted(mine.keys() & other.keys(), key=lambda k: -mine[k].index):  # from the back
        a, b, was = mine[key], other[key], old.get(key)
        if _fields(a) != _fields(b):
            continue  # reworded, or its due date changed: the line merge decides
        theirs_win = _theirs_win(a, b, was)
        loser = a if theirs_win else b
        if a.status != b.status and (was is None or was.status != loser.status):  # both changed it
            kept = b.status if theirs_win else a.status
            said.append(f"{source}: ^{a.id} is {a.status} here and {b.status} in `{copy}`; kept {kept}")
        win_data, win = (theirs, b) if theirs_win else (ours, a)
        region = _item(win_data, win.index)
        if region is None:
            continue
        item = win_data[region[0] : region[1]]
        ours, theirs = (
            _splice(source, ours, a, item, win.status),
            _splice(source, theirs, b, item, win.status),
        )
        if base is not None and was is not None and _fields(was) == _fields(a):
            base = _splice(source, base, was, item, win.status)
    return ours, base, theirs, said


def base_of(kept: Sequence[bytes], seen: Sequence[bytes], ours: bytes, theirs: bytes) -> bytes | None:
    """Where the two sides parted: the latest of the versions this device kept
    (`kept`, oldest first) that another device kept too (`seen`), neither side
    itself (a sync client makes a copy only when both sides changed the note).
    A version one device alone read may already hold its own edits: as a base it
    would make the other side look as if it undid them. None when there is none."""
    shared = [v for v in kept if v in seen and v not in (ours, theirs)]
    return shared[-1] if shared else None


def merge(source: str, base: bytes | None, ours: bytes, theirs: bytes, copy: str) -> Merged:
    """The note `source` (this device's text, `ours`) merged with a copy of it
    (`theirs`, named `copy`), against `base` (see `base_of`)."""
    mine, base, other, said = merge_actions(source, base, ours, theirs, copy)
    if mine == other:
        return Merged(mine, _keeps(source, mine, ours, theirs, base), said)
    if base is None:
        return Merged(mine, False, said)
    groups = list(Merge3(_lines(base), _lines(mine), _lines(other)).merge_groups())
    if any(group[0] == "conflict" for group in groups):
        return Merged(mine, False, said)
    merged = b"".join(line for group in groups for line in group[1])
    return Merged(merged, _keeps(source, merged, ours, theirs, base), said)


def _keeps(source: str, merged: bytes, ours: bytes, theirs: bytes, base: bytes | None) -> bool:
    """Whether the merge kept every action either side holds (never reopened), but
    those the other side removed and this side left as they were (a check on it)."""
    got, old = _actions(source, merged), _actions(source, base)

    def kept(key: Key, a: Action) -> bool:
        if key in got:
            return got[key].status != "open" or a.status == "open"
        return key in old and (_fields(old[key]), old[key].status) == (_fields(a), a.status)

    return all(kept(key, a) for side in (ours, theirs) for key, a in _actions(source, side).items())


LABEL_OURS = "**vaultkit merge — this device's version** (keep what you want, then delete these marks)\n"
LABEL_THEIRS = "**vaultkit merge — the other version, from `{copy}`**\n"
LABEL_END = "**vaultkit merge — end**\n"


def _split(data: bytes) -> tuple[bytes, bytes]:
    """(the frontmatter block with its `---` lines, the body)."""
    try:
        fm = parse_frontmatter(data)
    except NoteError:
        return b"", data
    return (data[: fm.body_start], data[fm.body_start :]) if fm.meta is not None else (b"", data)


def both_versions(source: str, base: bytes | None, ours: bytes, theirs: bytes, copy: str) -> bytes:
    """The note with everything of the copy in it: what merges cleanly merged, and each
    passage both sides changed written twice, labelled, for the person to choose.
    Properties both sides changed keep this note's values; the copy's are written
    below the properties, labelled too (a second value there would break them)."""
    ours, base, theirs, _ = merge_actions(source, base, ours, theirs, copy)
    parts = [_split(v) for v in (base or b"", ours, theirs)]
    newline = b"\r\n" if b"\r\n" in ours else b"\n"
    out: list[bytes] = []
    theirs_fm: list[bytes] = []
    for part in (0, 1):
        old, mine, other = (p[part] for p in parts)
        for group in Merge3(_lines(old), _lines(mine), _lines(other)).merge_groups():
            if group[0] != "conflict":
                out += group[1]
            elif part == 0:
                out += group[2]
                theirs_fm += group[3]
            else:
                out += [_nl(LABEL_OURS, newline), *_ended(group[2], newline)]
                out += [_nl(LABEL_THEIRS.format(copy=copy), newline), *_ended(group[3], newline)]
                out.append(_nl(LABEL_END, newline))
        if part == 0 and theirs_fm:
            out += [_nl(LABEL_THEIRS.format(copy=copy), newline), b"```yaml" + newline]
            out += [*_ended(theirs_fm, newline), b"```" + newline, _nl(LABEL_END, newline)]
    return b"".join(out)


def _nl(text: str, newline: bytes) -> bytes:
    return text.encode("utf-8").replace(b"\n", newline)


def _ended(lines: Sequence[bytes], newline: bytes) -> list[bytes]:
    """Lines that each end with a line break (a note's last line may not)."""
    return [line if line.endswith(b"\n") else line + newline for line in lines]
