"""The summary as a file that several writers share: its text (a BOM kept),
the boxes a copy of it holds, and the conflict copies sync clients leave
beside it, which are not notes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from vaultkit.atomic import snapshot
from vaultkit.fs import Vault
from vaultkit.summary import Layout, Mark, SummaryError, layout, owned_text, read_marks


def summary_text(data: bytes | None) -> str | None:
    """The summary file's text (None: no file), or a SummaryError saying why it is not UTF-8."""
    if data is None:
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SummaryError("it is UTF-16 encoded; save it as UTF-8")
    try:
        return data.decode("utf-8")  # a BOM stays, as part of the user's text
    except UnicodeDecodeError as exc:
        raise SummaryError(
            f"it is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None


def marks_in(text: str | None, name: str, shown: str | None) -> tuple[list[Mark], list[str]]:
    """The task lines of a copy of the summary; none when it is what vaultkit
    last wrote (`shown`, that block's digest)."""
    owned = owned_text(text) if text is not None else None
    if owned is None or digest(owned[1]) == shown:
        return [], []
    return read_marks(owned[1], owned[0], name)


class Copy:
    """A sync client's conflict copy of the summary (it is not a note)."""

    def __init__(self, vault: Vault, rel: str) -> None:
        self.rel = rel
        self.snap = snapshot(vault.root / rel)
        try:
            self.text = summary_text(self.snap.data)
        except SummaryError:
            self.text = None

    def same_text_as(self, where: Layout) -> bool:
        """Whether the person's text around the markers is the summary's own."""
        try:
            theirs = layout(self.text) if self.text is not None else None
        except SummaryError:
            return False
        return theirs is not None and (theirs.head, theirs.tail) == (where.head, where.tail)

    def remove(self) -> None:
        """Delete it, unless it changed since it was read: its boxes are applied."""
        if snapshot(self.snap.path).data == self.snap.data:
            self.snap.path.unlink(missing_ok=True)


def digest(block: str) -> str:
    """What tells the block vaultkit last wrote from any other."""
    return hashlib.sha1(block.encode("utf-8", "surrogatepass")).hexdigest()


class Unshown:
    """Ticks applied from the person's own copy of the summary while vaultkit
    leaves it alone (the quiet period after their save): the summary does not
    show them yet, so the same copy must not be harvested twice (a later edit
    of the note would be undone), and a box flipped back before the rewrite is
    the person taking the tick back. Kept in the store's meta until vaultkit
    writes a summary that shows them."""

    def __init__(self, meta: Callable[[str], str | None]) -> None:
        self.ticks: dict[str, list[str]] = json.loads(meta("unshown") or "{}")  # uid -> [before, applied]
        self.harvested = meta("harvested")  # digest of the copy they came from

    def marks(self, text: str | None, shown: str | None) -> tuple[list[Mark], list[str]]:
        owned = owned_text(text) if text is not None else None
        if owned is not None and digest(owned[1]) == self.harvested:
            return [], []  # read already: nothing new of the person's
        # With ticks unshown, even a copy equal to what vaultkit wrote is read:
        # its boxes may be the person's flip back.
        return marks_in(text, "summary", None if self.ticks else shown)

    def sort(self, marks: list[Mark]) -> tuple[list[Mark], list[tuple[str, str, str]]]:
        """The marks still to judge, and the ticks taken back: (uid, status to
        go back to, status that was applied)."""
        left: list[Mark] = []
        back: list[tuple[str, str, str]] = []
        for mark in marks:
            if mark.uid in self.ticks:
                before, applied = self.ticks[mark.uid]
                if mark.box == applied:
                    continue  # applied once already; a later edit of the note wins
                if mark.box == before:
                    back.append((mark.uid, before, applied))
                    continue
            left.append(mark)
        return left, back

    def applied(self, uid: str, before: str, now: str) -> None:
        first = self.ticks.get(uid, [before, now])[0]
        if first == now:
            self.ticks.pop(uid, None)  # back where it was: nothing unshown
        else:
            self.ticks[uid] = [first, now]

    def left_alone(self, text: str | None) -> dict[str, str]:
        """Meta to keep when the summary is left as the person saved it."""
        owned = owned_text(text) if text is not None else None
        return {"unshown": json.dumps(self.ticks), "harvested": digest(owned[1]) if owned else ""}


SHOWN = {"unshown": "{}", "harvested": ""}  # meta once vaultkit has written what the store holds
