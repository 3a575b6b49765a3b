"""Which notes are sync-conflict copies of another note. Pure.

A copy's actions are not listed (they would be counted twice); the summary
lists the copy so that the person can merge it. Syncthing, Dropbox, Obsidian
Sync, Nextcloud and git's mergetool name their copies unmistakably. iCloud
(`note 2.md`), Resilio (`note.Conflict.md`) and OneDrive (`note-Device.md`) do not, and ordinary notes
have such names too (`Session 2.md`, `Reflection-draft.md`): a name like that
is a copy only when the original sits beside it and the two are plainly one
note (same type, date and session, and most of the copy's actions in the original).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

_STRONG = [
    re.compile(r"^(?P<base>.+)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(?P<ext>\.md)$", re.I),
    re.compile(r"^(?P<base>.+?) \([^()]*conflicted copy[^()]*\)(?P<ext>\.md)$", re.I),
    re.compile(r"^(?P<base>.+)_(?:BASE|LOCAL|REMOTE|BACKUP)_\d+(?P<ext>\.md)$"),
]
_WEAK = [
    re.compile(r"^(?P<base>.+) \d(?P<ext>\.md)$"),  # iCloud: "note 2.md"
    re.compile(r"^(?P<base>.+)\.Conflict ?\d*(?P<ext>\.md)$"),  # Resilio: "note.Conflict.md", ".Conflict2"
    re.compile(r"^(?P<base>.+)-[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?(?P<ext>\.md)$"),  # OneDrive
]


def candidates(rel: str) -> tuple[str | None, tuple[str, ...]]:
    """(the original when the name surely marks a conflict copy, the originals
    it may be a copy of if they exist)."""
    cut = rel.rfind("/") + 1
    folder, name = rel[:cut], rel[cut:]
    for pattern in _STRONG:
        if match := pattern.match(name):
            return folder + match["base"] + match["ext"], ()
    return None, tuple(folder + m["base"] + m["ext"] for p in _WEAK if (m := p.match(name)))


class Facts(NamedTuple):
    """What tells a conflict copy from an ordinary note with a similar name."""

    type: str | None
    date: str | None
    session: int | None
    texts: frozenset[str]  # its actions' texts


def same_note(copy: Facts, original: Facts) -> bool:
    """Whether a note named like a copy of `original` says what a copy of it would."""
    if (copy.type, copy.date, copy.session) != (original.type, original.date, original.session):
        return False
    if not copy.texts:
        return copy.date is not None  # nothing else to go by: a dated note, copied whole
    return 2 * len(copy.texts & original.texts) >= len(copy.texts)


def original_of(rel: str, facts: Callable[[str], Facts | None]) -> str | None:
    """The note `rel` is a sync-conflict copy of, or None. `facts` gives what a
    note says (None: there is no such note)."""
    strong, weak = candidates(rel)
    if strong is not None or not weak:
        return strong
    mine = facts(rel)
    for original in weak:
        theirs = facts(original)
        if mine is not None and theirs is not None and same_note(mine, theirs):
            return original
    return None
