"""The rolling summary note: render the block, find it between the markers,
read the boxes back, and decide what the person changed. Pure.

vaultkit owns only the text between the two markers; everything around them
is the user's and is kept byte for byte. The summary has several writers
(editors, Obsidian Tasks, a phone that syncs, other devices), and any copy
of it may be stale. So a box is judged against what vaultkit showed in that
very copy, which the copy itself says: a line in an open section was shown
open, a line under "Done" was shown done, a line under "Ticks not applied
yet" was shown as the tick it waits to apply. Only a box that differs from
its section is the person's change; and it is applied only if the note still
says what the copy showed (else the note changed meanwhile, and that newer
change wins). No record of past summaries is needed, on any device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from vaultkit.errors import VaultkitError
from vaultkit.text import plural

BEGIN = "<!-- vaultkit:begin -->"
END = "<!-- vaultkit:end -->"
DEFAULT_HEADER = "# Integration actions\n\n"
BOXES = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}
# Section headings, and what a box under each was shown as.
OPEN_HEADINGS = ("### Overdue", "### Things to do (external)", "### Inner work (internal)")
DONE_HEADING = "## Done in the last"
PENDING_HEADING = "## Ticks not applied yet"


# A tick waiting for its note: uid -> (status wanted, day, source, task line, why it waits)
Pending = dict[str, tuple[str, str, str, str, str]]


class SummaryError(VaultkitError):
    """The summary file cannot be updated without risking the user's text."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def one_line(text: str) -> str:
    """A value from a note, safe to put in the block: on one line (nothing a
    note holds can add a line), and no marker (nothing can end the block)."""
    return _CONTROL.sub(" ", text).replace("<!--", "&lt;!--")


def wikilink(rel: str, stems: Mapping[str, int]) -> str:
    """A link that resolves in Obsidian: the bare name, or the path when names clash."""
    name = rel[rel.rfind("/") + 1 :]
    name = name[: name.rfind(".")] if name.rfind(".") > 0 else name
    if stems.get(name, 0) <= 1:
        return f"[[{one_line(name)}]]"
    return f"[[{one_line(rel[: rel.rfind('.')] if rel.rfind('.') > rel.rfind('/') else rel)}]]"


def task_line(
    status: str, text: str, link: str, due: str | None, done: str | None, uid: str, domain: str | None = None
) -> str:
    """One Obsidian Tasks line, in the order Tasks writes a line when it ticks
    it (its description, tags included, then 📅 due, ✅ done, the block id
    last), so a tick in Tasks changes only the box and adds ✅."""
    line = f"- {'[x]' if status == 'done' else '[ ]'} {one_line(text)} — {link}"
    if domain:
        line += f" #{domain}"
    if due:
        line += f" 📅 {due}"
    if status == "done" and done:
        line += f" ✅ {done}"
    return f"{line} ^{uid}"


def with_filter(line: str, global_filter: str) -> str:
    """A task line that Obsidian Tasks with a global filter (`#task`) takes for a
    task: the filter opens its description, where Tasks' own editor puts it."""
    shown = one_line(global_filter)
    if not shown or not line.startswith("- [") or line[6:].startswith(shown + " "):
        return line
    return f"{line[:6]}{shown} {line[6:]}"


class Block(NamedTuple):
    """Everything the block shows, worked out by the engine."""

    recently_done_days: int
    overdue: list[str]
    external: list[str]
    internal: list[str]
    done: list[str]
    follow_ups: list[str]
    overview: list[str]
    unreadable: list[
        tuple[str, int | None, str]
    ]  # (a link to the note, or its path in backticks; line; message)
    pending: list[tuple[str, str]]  # (task line, why it waits)
    conflicts: list[tuple[str, str]]  # (copy, link to the original)
    not_applied: list[str]  # what this run could not apply, and why
    summary_copies: list[str] = []  # conflict copies of the summary kept: the person's text in them differs


def render_block(block: Block) -> str:
    """The text between the markers (it starts and ends with a newline)."""
    out = [
        "",
        f"{INTRO} Tick a box to mark an action done in its note; "
        "write your own text outside the vaultkit markers.*",
        "",
    ]
    # What to do first, the boxes next, the big picture last: the page opens on
    # what is due and the tick list, and its charts (a screen or two) come after
    # everything that needs the person, problems included.
    if block.follow_ups:
        out += ["## Follow-ups due", "", *block.follow_ups, ""]
    out += ["## Open actions", ""]
    if block.overdue:
        out += [OPEN_HEADINGS[0], "", *block.overdue, ""]
    out += [OPEN_HEADINGS[1], "", *(block.external or ["Nothing open."]), ""]
    out += [OPEN_HEADINGS[2], "", *(block.internal or ["Nothing open."]), ""]
    days = plural(block.recently_done_days, "day")
    out += [f"{DONE_HEADING} {days}", "", *(block.done or [f"Nothing in the last {days}."]), ""]
    if block.unreadable:
        out += ["## Notes that could not be read", ""]
        for where, line, message in block.unreadable:
            out.append(f"- {one_line(where)}{f' (line {line})' if line else ''}: {one_line(message)}")
        out.append("")
    if block.pending:
        out += [PENDING_HEADING, ""]
        for task, why in block.pending:
            out += [task, f"    - {one_line(why)}"]
        out.append("")
    if block.not_applied:
        out += ["## Changes vaultkit did not apply", "", *(f"- {one_line(m)}" for m in block.not_applied), ""]
    if block.conflicts or block.summary_copies:
        out += ["## Sync conflict copies", ""]
        for copy in block.summary_copies:
            out.append(
                f"- `{one_line(copy)}` is a conflict copy of this note: its boxes were applied, but your "
                "own text in it differs from this note's; merge what you need here, then delete the copy"
            )
        for copy, link in block.conflicts:
            out.append(
                f"- `{one_line(copy)}` is a conflict copy of {link}: "
                "merge what you need into the original, then delete the copy"
            )
        out.append("")
    out += block.overview
    return "\n".join(out)


# ---------------------------------------------------------------- the file


class Layout(NamedTuple):
    """The user's text before (`head`, a BOM included) and after (`tail`) the
    block, and the file's line ending."""

    head: str
    tail: str
    newline: str
    adopted: str | None = None  # what adopting a file without markers did with its text

    def compose(self, block: str) -> str:
        owned = BEGIN + block + END
        if self.newline != "\n":
            owned = owned.replace("\n", self.newline)
        return self.head + owned + self.tail


def layout(existing: str | None, adopt: bool = False) -> Layout:
    """Find the markers in the summary file's text (None: no file). A file
    without markers is refused unless `adopt`, which puts the block below its text."""
    if existing is None:
        return Layout(DEFAULT_HEADER, "\n", "\n")
    newline = "\r\n" if "\r\n" in existing else "\n"
    begins, ends = existing.count(BEGIN), existing.count(END)
    if begins == 0 and ends == 0:
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


INTRO = "*Kept current by vaultkit."
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
    "## Sync conflict copies",
)


def _old_block(text: str) -> tuple[int, int] | None:
    """Where a block vaultkit wrote sits in a text whose markers were deleted:
    from its first line to the end of its last section (the next heading that
    is not one of vaultkit's, or the end)."""
    start = text.find(INTRO)
    if start < 0 or (start and text[start - 1] != "\n"):
        return None
    at = text.find("\n", start)
    while at >= 0:
        line_end = text.find("\n", at + 1)
        line = text[at + 1 : line_end if line_end >= 0 else len(text)].rstrip("\r")
        if line.startswith("#") and not line.startswith(_OUR_HEADINGS):
            return start, at + 1
        at = line_end
    return start, len(text)


def owned_text(existing: str) -> tuple[int, str] | None:
    """(the file line the block starts on, the block's text), or None when
    the markers are missing or damaged."""
    start, end = existing.find(BEGIN), existing.find(END)
    if start < 0 or end < start or existing.count(BEGIN) != 1 or existing.count(END) != 1:
        return None
    return existing.count("\n", 0, start) + 1, existing[start + len(BEGIN) : end]


# ---------------------------------------------------------------- reading the boxes


class Mark(NamedTuple):
    """A task line found in the block."""

    uid: str
    shown: str  # what vaultkit showed it as: open | done | pending
    box: str  # what the box says now: open | done | dropped
    on: str | None  # a valid ✅ or ❌ date typed on the line
    line: int  # in the file, 1-based
    link: str | None  # the link to the action's note, as the line has it
    text: str  # the line from its box on, as typed


_TASK = re.compile(r"^[ \t]*[-*+] \[(.)\] (.*?)[ \t]*\r?$")
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)(?=\s|$)")
_DATE_FIELD = re.compile(r"(✅|❌)\uFE0F?\s*(\S+)")
_LINK = re.compile(r"\[\[[^\[\]]*\]\]")
# Obsidian Tasks' statuses: [-] is cancelled, [/] in progress (still open).
_BOX = {" ": "open", "/": "open", "x": "done", "X": "done", "-": "dropped"}


def read_marks(block: str, first_line: int, name: str = "summary") -> tuple[list[Mark], list[str]]:
    """Every task line of the block with the section it sits in, and a message
    (with its line number in the file `name`) for each line that cannot be read."""
    marks: list[Mark] = []
    problems: list[str] = []
    shown: str | None = None
    seen: set[str] = set()
    for number, text in enumerate(block.split("\n"), first_line):
        if text.startswith("#"):
            heading = text.rstrip("\r")
            shown = (
                "open"
                if heading in OPEN_HEADINGS
                else "done"
                if heading.startswith(DONE_HEADING)
                else "pending"
                if heading == PENDING_HEADING
                else None
            )
            continue
        match = _TASK.match(text)
        if not match:
            continue
        ids = _BLOCK_ID.findall(match[2])
        box = _BOX.get(match[1])
        where = f"{name} line {number}"
        if shown is None:
            problems.append(
                f"{where}: a task line outside vaultkit's lists; write your own outside the markers"
            )
        elif not ids:
            problems.append(f"{where}: a task line without a ^id; vaultkit cannot tell which action it is")
        elif box is None:
            problems.append(
                f"{where}: ^{ids[-1]} has the box [{match[1]}], which is neither [ ], [x] nor [-]"
            )
        elif ids[-1] in seen:
            problems.append(f"{where}: ^{ids[-1]} is listed twice; the first line counts")
        else:
            seen.add(ids[-1])
            on = None
            for emoji, value in _DATE_FIELD.findall(match[2]):
                if (emoji, box) in (("✅", "done"), ("❌", "dropped")):
                    try:
                        on = date.fromisoformat(value).isoformat()
                    except ValueError:
                        problems.append(
                            f"{where}: {emoji} {value} is not a date like 2026-11-24; today is used"
                        )
            links = _LINK.findall(match[2])
            marks.append(Mark(ids[-1], shown, box, on, number, links[-1] if links else None, match[2]))
    return marks, problems


def changed_boxes(marks: list[Mark], pending: Mapping[str, str]) -> tuple[list[Mark], set[str]]:
    """The boxes the person changed (each mark's `box` is the status wanted),
    and the waiting ticks they took back. `pending` maps each waiting tick's id
    to the status it waits to give."""
    wanted: list[Mark] = []
    cancelled: set[str] = set()
    for mark in marks:
        if mark.shown == "pending":
            if mark.uid in pending and pending[mark.uid] != mark.box:
                cancelled.add(mark.uid)  # the person flipped the waiting box back
            elif mark.uid not in pending:
                wanted.append(mark)  # another device's wait, or this store was lost
        elif mark.box != mark.shown:
            wanted.append(mark)
    return wanted, cancelled
