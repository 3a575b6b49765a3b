"""The summary as a file that several writers share: its text (a BOM kept),
the boxes a copy of it holds, and the conflict copies sync clients leave
beside it, which are not notes."""

from __future__ import annotations

import hashlib

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
