"""The summary as a file that several writers share: vaultkit's block between
its markers and the person's text around it (a BOM and line endings kept),
a file without markers adopted only when asked, and the conflict copies sync
clients leave beside it, which are not notes."""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

from vaultkit.atomic import snapshot
from vaultkit.errors import VaultkitError
from vaultkit.fs import Vault
from vaultkit.summary.render import COPIES_HEADING, DONE_HEADING, INTRO, OPEN_HEADINGS, PENDING_HEADING

BEGIN = "<!-- vaultkit:begin -->"
END = "<!-- vaultkit:end -->"
DEFAULT_HEADER = "# Integration actions\n\n"
_OUR_HEADINGS = (
    "## Follow-ups due",
    "## Check-ins due",  # what earlier versions called it
    "## Overview",
    "## Open actions",
    *OPEN_HEADINGS,
    DONE_HEADING,
    "## Notes that could not be read",
    PENDING_HEADING,
    "## Changes vaultkit did not apply",
    "## Sync conflict copies",  # before it was COPIES_HEADING
    COPIES_HEADING,
)
_HEADING = re.compile(r"^#[^\r\n]*", re.M)


class SummaryError(VaultkitError):
    """The summary file cannot be updated without risking the user's text."""


class Layout(NamedTuple):
    """The user's text before (`head`, a BOM included) and after (`tail`) the
    block, and the file's line ending."""

    head: str
    tail: str
    newline: str
    adopted: str | None = None  # what adopting a file without markers did with its text

    def compose(self, block: str) -> str:
        return self.head + (BEGIN + block + END).replace("\n", self.newline) + self.tail


def layout(existing: str | None, adopt: bool = False) -> Layout:
    """Find the markers in the summary file's text (None: no file). A file
    without markers is refused unless `adopt`, which puts the block below its text."""
    if existing is None:
        return Layout(DEFAULT_HEADER, "\n", "\n")
    newline = "\r\n" if "\r\n" in existing else "\n"
    begins, ends = existing.count(BEGIN), existing.count(END)
    if begins == ends == 0:
        if not adopt:
            raise SummaryError(
                "it has no vaultkit markers, so vaultkit will not overwrite it; "
                "pass --adopt-summary to add the summary below its text, "
                "or set summary_path in .vaultkit/config.yaml"
            )
        dead = _old_block(existing)
        if dead is not None:  # vaultkit's own block, its markers deleted: it goes, the rest stays
            start, end = dead
            lines = f"{existing.count(chr(10), 0, start) + 1}-{existing.count(chr(10), 0, end)}"
            said = (
                f"replaced vaultkit's own old list, found without its markers (lines {lines}); kept the rest"
            )
            return Layout(existing[:start], newline + existing[end:], newline, said)
        separator = "" if not existing or existing.endswith(("\n", "\r")) else newline
        kept = existing.count("\n") + (0 if existing.endswith("\n") else 1)
        said = f"kept your {kept} line{'s' if kept != 1 else ''} above the new summary block"
        return Layout(existing + separator + newline, newline, newline, said)
    start, end = existing.find(BEGIN), existing.find(END)
    if begins != 1 or ends != 1 or end < start:
        raise SummaryError(
            f"its markers are damaged (found {begins} begin and {ends} end); "
            f"keep exactly one {BEGIN} followed by one {END}"
        )
    return Layout(existing[:start], existing[end + len(END) :], newline)


def _old_block(text: str) -> tuple[int, int] | None:
    """Where a block vaultkit wrote sits in a text whose markers were deleted:
    from its first line to the next heading that is not one of vaultkit's, or the end."""
    start = text.find(INTRO)
    if start < 0 or (start and text[start - 1] != "\n"):
        return None
    ends = (m.start() for m in _HEADING.finditer(text, start) if not m[0].startswith(_OUR_HEADINGS))
    return start, next(ends, len(text))


def owned_text(existing: str | None) -> tuple[int, str] | None:
    """(the file line the block starts on, the block's text), or None when
    there is no file or its markers are missing or damaged."""
    if existing is None or existing.count(BEGIN) != 1 or existing.count(END) != 1:
        return None
    start, end = existing.find(BEGIN), existing.find(END)
    if end < start:
        return None
    return existing.count("\n", 0, start) + 1, existing[start + len(BEGIN) : end]


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
