"""The rolling summary note: actions -> markdown, and splicing it in. Pure.

vaultkit owns only the text between the two markers; everything around them
is the user's and is kept byte for byte.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from vaultkit.actions import Action
from vaultkit.errors import VaultkitError
from vaultkit.notes import Problem
from vaultkit.vault import stem

BEGIN = "<!-- vaultkit:begin -->"
END = "<!-- vaultkit:end -->"
DEFAULT_HEADER = "# Integration actions\n\n"


class SummaryError(VaultkitError):
    """The summary file cannot be updated without risking the user's text."""


def wikilink(rel: str, stems: Mapping[str, int]) -> str:
    """A link that resolves in Obsidian: the bare name, or the path when names clash."""
    name = stem(rel)
    if stems[name] <= 1:
        return f"[[{name}]]"
    return f"[[{rel[: rel.rfind('.')] if rel.rfind('.') > rel.rfind('/') else rel}]]"


class Due(NamedTuple):
    """A follow-up note that is due: e.g. session 3's 1-week check-in."""

    session: int
    label: str  # "1-week check-in"
    since: date
    command: str


def _task_start(action: Action) -> str:
    return f"- {'[x]' if action.status == 'done' else '[ ]'} {action.text} — "


def task_line(action: Action, stems: Mapping[str, int], link: str | None = None) -> str:
    """One Obsidian Tasks line: checkbox, text, source link, dates, block id.
    `link` is wikilink(action.source, stems), when the caller has it."""
    line = _task_start(action) + (link or wikilink(action.source, stems))
    if action.due:
        line += f" 📅 {action.due}"
    if action.status == "done" and action.done:
        line += f" ✅ {action.done}"
    return f"{line} ^{action.id}"


def reworded_line(line: bytes, old: Action, new: Action) -> bytes | None:
    """`old`'s task line as the summary has it, made `new`'s, for an action
    whose text or id alone changed: the link and dates between stay as they
    are. None when `line` is not `old`'s line."""
    start, end = _task_start(old).encode(), f" ^{old.id}".encode()
    if not (line.startswith(start) and line.endswith(end) and line.startswith(b"[[", len(start))):
        return None
    return _task_start(new).encode() + line[len(start) : len(line) - len(end)] + f" ^{new.id}".encode()


_BY_PLACE = operator.attrgetter("source", "index")  # path, then list order (C, not a lambda: 20,000 calls)


def newest_first(actions: list[Action]) -> list[Action]:
    """Newest session first, then newest note, then path and list order."""
    result = sorted(actions, key=_BY_PLACE)
    result.sort(key=lambda a: a.date or "", reverse=True)
    result.sort(key=lambda a: a.session if a.session is not None else -1, reverse=True)
    return result


def is_listed(action: Action, today: date, recently_done_days: int) -> bool:
    """Whether the summary lists the action: open, or done lately."""
    if action.status == "open":
        return True
    return action.status == "done" and (action.done or "") >= _done_since(today, recently_done_days)


def _done_since(today: date, recently_done_days: int) -> str:
    return (today - timedelta(days=recently_done_days)).isoformat()


def shown(actions: list[Action], today: date, recently_done_days: int) -> tuple[list[Action], list[Action]]:
    """The actions the summary lists: (open, newest first; recently done)."""
    open_actions = newest_first([a for a in actions if a.status == "open"])
    since = _done_since(today, recently_done_days)
    done = newest_first([a for a in actions if a.status == "done" and (a.done or "") >= since])
    done.sort(key=lambda a: a.done or "", reverse=True)
    return open_actions, done


class Sections(NamedTuple):
    """The summary's task lines, in order and UTF-8 encoded: what render_block lists.

    Bytes, because a block of tens of thousands of lines with an emoji in
    them is a UCS-4 string four times the size of the file: the summary is
    put together and written as bytes."""

    overdue: list[bytes]
    external: list[bytes]
    internal: list[bytes]
    done: list[bytes]


def task_sections(
    listed: tuple[list[Action], list[Action]], stems: Mapping[str, int], today: date
) -> Sections:
    """Split the listed actions into the summary's sections and render their lines."""
    open_actions, done = listed
    now = today.isoformat()
    late = [a for a in open_actions if a.due is not None and a.due < now]
    late.sort(key=lambda a: a.due or "")
    on_time = [a for a in open_actions if not (a.due is not None and a.due < now)]
    links: dict[str, str] = {}  # a note's link, once for all its actions

    def line(action: Action) -> bytes:
        link = links.get(action.source)
        if link is None:
            link = links[action.source] = wikilink(action.source, stems)
        return task_line(action, stems, link).encode()

    return Sections(
        [line(a) for a in late],
        [line(a) for a in on_time if a.kind == "external"],
        [line(a) for a in on_time if a.kind == "internal"],
        [line(a) for a in done],
    )


def due_lines(due: list[Due]) -> list[bytes]:
    return [f"- Session {d.session} — {d.label} due since {d.since}: `{d.command}`".encode() for d in due]


def render_block(
    sections: Sections,
    stems: Mapping[str, int],
    recently_done_days: int,
    unreadable: list[tuple[str, Problem]],
    conflicts: list[tuple[str, str]],
    due: list[bytes] | None = None,
    pending: list[tuple[str, str]] | None = None,
    overview: list[str] | None = None,
) -> list[bytes]:
    """The lines between the markers (without them; joined with newlines, the
    last one empty). Lines, not one string: the watcher compares them with the
    last ones written without holding a megabytes-long copy."""
    out: list[bytes] = []

    def add(*lines: str) -> None:
        out.extend(line.encode() for line in lines)

    add(
        "*Kept current by vaultkit. Tick a box to mark an action done in its note; "
        "write your own text outside the vaultkit markers.*",
        "",
    )
    if due:
        add("## Check-ins due", "")
        out += due
        add("")
    add(*(overview or []))
    add("## Open actions", "")
    if sections.overdue:
        add("### Overdue", "")
        out += sections.overdue
        add("")
    for lines, kind, heading in (
        (sections.external, "external", "Things to do"),
        (sections.internal, "internal", "Inner work"),
    ):
        add(f"### {heading} ({kind})", "")
        out += lines or [b"Nothing open."]
        add("")
    add(f"## Done in the last {recently_done_days} days", "")
    out += sections.done or [b"Nothing yet."]
    add("")
    if unreadable:
        add("## Notes that could not be read", "")
        for path, problem in unreadable:
            where = f" (line {problem.line})" if problem.line else ""
            add(f"- `{path}`{where}: {problem.message}")
        add("")
    if pending:
        add("## Ticks not applied yet", "")
        add(*(f"- ^{action_id}: {reason}" for action_id, reason in pending))
        add("")
    if conflicts:
        add("## Sync conflict copies", "")
        for copy, original in conflicts:
            add(
                f"- `{copy}` is a conflict copy of {wikilink(original, stems)}: "
                "merge what you need into the original, then delete the copy"
            )
        add("")
    return out


class Layout(NamedTuple):
    """Where vaultkit's block goes in the summary file: between the user's
    text before it (`head`) and after it (`tail`), with the file's line ending."""

    head: bytes
    tail: bytes
    newline: bytes

    def compose(self, block: bytes) -> list[bytes]:
        """The whole file with `block` (ending with a newline) between the
        markers, as the pieces to write one after the other (no joined copy)."""
        owned = [BEGIN.encode(), b"\n", block, END.encode()]
        if self.newline != b"\n":
            owned = [part.replace(b"\n", self.newline) for part in owned]
        return [self.head, *owned, self.tail]


def same_bytes(pieces: list[bytes], data: bytes | None) -> bool:
    """Whether `pieces`, one after the other, are exactly `data` (compared in place)."""
    if data is None or sum(map(len, pieces)) != len(data):
        return False
    view, at = memoryview(data), 0
    for piece in pieces:
        if view[at : at + len(piece)] != piece:
            return False
        at += len(piece)
    return True


def layout(existing: bytes | None, adopt: bool = False) -> Layout:
    """Find the markers in the summary file (`existing`, without a BOM; None
    when there is no file). A file without markers is refused unless `adopt`,
    which puts the block below its text."""
    newline = b"\r\n" if existing and b"\r\n" in existing else b"\n"
    if existing is None:
        return Layout(DEFAULT_HEADER.encode(), b"\n", b"\n")
    begin, end_ = BEGIN.encode(), END.encode()
    begins, ends = existing.count(begin), existing.count(end_)
    if begins == 0 and ends == 0:
        if not adopt:
            raise SummaryError(
                "it has no vaultkit markers, so vaultkit will not overwrite it; "
                "pass --adopt-summary to add the summary below its text, "
                "or set summary_path in .vaultkit/config.yaml"
            )
        separator = b"" if existing.endswith((b"\n", b"\r")) or not existing else newline
        return Layout(existing + separator + newline, newline, newline)
    start = existing.find(begin)
    end = existing.find(end_)
    if begins != 1 or ends != 1 or end < start:
        raise SummaryError(
            f"its markers are damaged (found {begins} begin and {ends} end); "
            f"keep exactly one {BEGIN} followed by one {END}"
        )
    return Layout(existing[:start], existing[end + len(end_) :], newline)


def owned_bytes(existing: bytes) -> memoryview | None:
    """The bytes between the markers (a view: no copy of a big file), or None
    when they are missing or damaged."""
    begin, end_ = BEGIN.encode(), END.encode()
    start = existing.find(begin)
    end = existing.find(end_)
    if start < 0 or end < start or existing.find(begin, start + 1) >= 0 or existing.find(end_, end + 1) >= 0:
        return None
    return memoryview(existing)[start + len(begin) : end]


_TASK = re.compile(r"^[ \t]*- \[(.)\] (.*?) \^([A-Za-z0-9-]+)[ \t]*\r?$", re.M)
_DONE_ON = re.compile(r"✅\uFE0F?\s*(\d{4}-\d{2}-\d{2})")


class Tick(NamedTuple):
    """A task line's state in the summary: checked or not, and a ✅ date if any."""

    checked: bool
    done_on: str | None


def parse_ticks(block: str) -> dict[str, Tick]:
    """Task lines between the markers, by block id. Later duplicates are ignored."""
    ticks: dict[str, Tick] = {}
    for match in _TASK.finditer(block):
        if match[3] not in ticks:
            when = _DONE_ON.findall(match[2]) if "✅" in match[2] else None
            ticks[match[3]] = Tick(match[1] in "xX", when[-1] if when else None)
    return ticks
