"""Which notes are sync-conflict copies of another note, by name. Pure.

A copy's actions are not listed (they would be counted twice); the summary
lists the copy so that the person can merge it. Syncthing, Dropbox, Obsidian
Sync, Nextcloud and git's mergetool name their copies unmistakably. iCloud
(`note 2.md`) and OneDrive (`note-Device.md`) do not: such a name is a copy
only when the original sits beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_STRONG = [
    re.compile(r"^(?P<base>.+)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(?P<ext>\.md)$", re.I),
    re.compile(r"^(?P<base>.+?) \([^()]*conflicted copy[^()]*\)(?P<ext>\.md)$", re.I),
    re.compile(r"^(?P<base>.+)_(?:BASE|LOCAL|REMOTE|BACKUP)_\d+(?P<ext>\.md)$"),
]
_WEAK = [
    re.compile(r"^(?P<base>.+) \d(?P<ext>\.md)$"),  # iCloud: "note 2.md"
    re.compile(r"^(?P<base>.+)-[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?(?P<ext>\.md)$"),  # OneDrive
]


def candidates(rel: str) -> tuple[str | None, tuple[str, ...]]:
    """(the original when the name surely marks a conflict copy, the originals
    it may be a copy of if they exist)."""
    cut = rel.rfind("/") + 1
    folder, name = rel[:cut], rel[cut:]
    for pattern in _STRONG:
        match = pattern.match(name)
        if match:
            return folder + match["base"] + match["ext"], ()
    return None, tuple(folder + m["base"] + m["ext"] for p in _WEAK if (m := p.match(name)))


def original_of(rel: str, exists: Callable[[str], bool]) -> str | None:
    """The note `rel` is a sync-conflict copy of, or None."""
    strong, weak = candidates(rel)
    if strong is not None:
        return strong
    return next((original for original in weak if exists(original)), None)
