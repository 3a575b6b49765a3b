"""The boxes of a copy of the summary read back, and judged. Pure.

The summary has several writers (editors, Obsidian Tasks, synced phones,
other devices) and any copy of it may be stale, so a box is judged against
what that very copy showed, which its section says (open, done, or a tick
waiting). Only a box that differs from its section is the person's change,
and it is applied only if the note still says what the copy showed (else
the note's newer change wins). No record of past summaries is needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import NamedTuple

from vaultkit.actions import BOX_STATUS, Change, parse_date
from vaultkit.summary.derive import View
from vaultkit.summary.file import digest, owned_text
from vaultkit.summary.render import DONE_HEADING, OPEN_HEADINGS, PENDING_HEADING

# A tick waiting for its note: uid -> (status wanted, day, source, task line, why it waits)
Pending = dict[str, tuple[str, str, str, str, str]]
SHOWN = {"unshown": "{}", "harvested": ""}  # meta once vaultkit has written what the store holds

_TASK = re.compile(r"^[ \t]*[-*+] \[(.)\] (.*?)[ \t]*\r?$")
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)(?=\s|$)")
_DATE_FIELD = re.compile(r"(✅|❌)\uFE0F?\s*(\S+)")
_LINK = re.compile(r"\[\[[^\[\]]*\]\]")
# Obsidian Tasks' statuses: [-] is cancelled, [/] in progress (still open).
_BOX = {**BOX_STATUS, "/": "open"}
_SHOWN_UNDER = {PENDING_HEADING: "pending", **dict.fromkeys(OPEN_HEADINGS, "open")}


class Mark(NamedTuple):
    """A task line found in the block."""

    uid: str
    shown: str  # what vaultkit showed it as: open | done | pending
    box: str  # what the box says now: open | done | dropped
    on: str | None  # a valid ✅ or ❌ date typed on the line
    line: int  # in the file, 1-based
    link: str | None  # the link to the action's note, as the line has it
    text: str  # the line from its box on, as typed
    section: int | None = None  # which of OPEN_HEADINGS it is under


def read_marks(block: str, first_line: int, name: str = "summary") -> tuple[list[Mark], list[str]]:
    """Every task line of the block with the section it sits in, and a message
    (with its line number in the file `name`) for each line that cannot be read."""
    marks: list[Mark] = []
    problems: list[str] = []
    heading = ""
    seen: set[str] = set()
    for number, text in enumerate(block.split("\n"), first_line):
        if text.startswith("#"):
            heading = text.rstrip("\r")
            continue
        match = _TASK.match(text)
        if not match:
            continue
        shown = "done" if heading.startswith(DONE_HEADING) else _SHOWN_UNDER.get(heading)
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
                    day = parse_date(value, whole=True)
                    if day is not None:
                        on = day.isoformat()
                    else:
                        problems.append(
                            f"{where}: {emoji} {value} is not a date like 2026-11-24; today is used"
                        )
            links = _LINK.findall(match[2])
            section = OPEN_HEADINGS.index(heading) if shown == "open" else None
            marks.append(
                Mark(ids[-1], shown, box, on, number, links[-1] if links else None, match[2], section)
            )
    return marks, problems


def changed_boxes(marks: list[Mark], pending: Mapping[str, str]) -> tuple[list[Mark], set[str]]:
    """The boxes the person changed (each mark's `box` is the status wanted),
    and the waiting ticks they took back. `pending` maps each waiting tick's id
    to the status it waits to give."""
    wanted: list[Mark] = []
    cancelled: set[str] = set()
    for mark in marks:
        if mark.shown != "pending":
            if mark.box != mark.shown:
                wanted.append(mark)
        elif mark.uid not in pending:
            wanted.append(mark)  # another device's wait, or this store was lost
        elif pending[mark.uid] != mark.box:
            cancelled.add(mark.uid)  # the person flipped the waiting box back
    return wanted, cancelled


def marks_in(text: str | None, name: str, shown: str | None) -> tuple[list[Mark], list[str]]:
    """The task lines of a copy of the summary; none when it is what vaultkit
    last wrote (`shown`, that block's digest)."""
    owned = owned_text(text)
    if owned is None or digest(owned[1]) == shown:
        return [], []
    return read_marks(owned[1], owned[0], name)


class Unshown:
    """Ticks applied from the person's copy of the summary while vaultkit leaves
    it alone (the quiet period after their save), kept in the store's meta until
    a summary shows them: the same copy is not harvested twice (that would undo
    a later edit of the note), and a box flipped back takes the tick back."""

    def __init__(self, meta: Callable[[str], str | None]) -> None:
        self.ticks: dict[str, list[str]] = json.loads(meta("unshown") or "{}")  # uid -> [before, applied]
        self.harvested = meta("harvested")  # digest of the copy they came from

    def marks(self, text: str | None, shown: str | None) -> tuple[list[Mark], list[str]]:
        owned = owned_text(text)
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
        owned = owned_text(text)
        return {"unshown": json.dumps(self.ticks), "harvested": digest(owned[1]) if owned else ""}


def judge(
    view: View,
    wanted: list[Mark],
    pending: Pending,
    commanded: set[str],
    today: date,
    problems: list[str],
    notices: list[str],
) -> tuple[list[Change], Pending]:
    """Which of the person's boxes to apply, and which ticks wait. What cannot
    be applied goes to `problems`; ticks that wait are said in `notices`."""
    unreadable = {path for path, _ in view.unreadable}
    waiting: Pending = {}
    changes: list[Change] = []
    asks = [(m.uid, m.box, m.on, m.shown, f"summary line {m.line}", m.link, m.text) for m in wanted]
    asks += [(uid, p[0], p[1], "pending", "a tick waiting", None, "") for uid, p in pending.items()]
    seen: set[str] = set()
    for uid, status, on, shown, where, link, text in asks:
        if uid in commanded or uid in seen:
            continue  # the command's own change wins; a box counts once
        seen.add(uid)
        action = view.by_id.get(uid)
        if action is None:
            source = pending[uid][2] if uid in pending else view.note_linked(link or "")
            if source in unreadable:
                line = pending[uid][3] if uid in pending else f"- [ ] {text}"
                reason = f"waiting for `{source}` to be readable"
                waiting[uid] = (status, on or today.isoformat(), source or "", line, reason)
                notices.append(f"{source}: cannot be read, so the tick on ^{uid} waits until it can")
            else:
                problems.append(
                    f"{where}: ^{uid} was ticked but that action no longer exists "
                    "(its text or note changed); not applied"
                )
        elif action.status == status:
            continue
        elif shown != "pending" and action.status != shown:
            problems.append(
                f"{where}: ^{uid} was changed in the summary, but its note was changed to {action.status} "
                "since that copy was made; the note's change is kept"
            )
        else:
            changes.append(Change(action, status, date.fromisoformat(on) if on else today))
    return changes, waiting


def last_listed(text: str | None, view: View, pending: Mapping[str, object]) -> tuple[list[str], ...]:
    """The open lines, per open section, this copy of the summary shows for notes
    that cannot be read now: kept listed until they can, taken from the summary
    itself so that every device (and a fresh store) writes the same bytes. Lines
    whose tick waits (`pending`) are listed apart."""
    kept: tuple[list[str], ...] = ([], [], [])
    owned = owned_text(text)
    broken = {path for path, _ in view.unreadable if path in view.paths}
    if owned is None or not broken:
        return kept
    for mark in read_marks(owned[1], owned[0])[0]:
        if (
            mark.section is not None
            and mark.box == "open"
            and mark.link is not None
            and mark.uid not in pending
            and mark.uid not in view.by_id
            and view.note_linked(mark.link) in broken
        ):
            kept[mark.section].append(f"- [ ] {mark.text}")
    return kept
