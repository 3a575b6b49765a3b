"""The summary's block, rendered from the view: its sections and their task
lines (as Obsidian Tasks takes them), what is due, the overview. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from vaultkit.actions import BOXES, Action
from vaultkit.config import Config
from vaultkit.overview import render_overview
from vaultkit.summary.derive import View
from vaultkit.text import one_line, plural

# Section headings, and what a box under each was shown as (see ticks.read_marks).
OPEN_HEADINGS = ("### Overdue", "### Things to do (external)", "### Inner work (internal)")
DONE_HEADING = "## Done in the last"
PENDING_HEADING = "## Ticks not applied yet"
INTRO = "*Kept current by vaultkit."
COPIES_HEADING = "## Sync conflict copies to merge"


def line_of(view: View, action: Action) -> str:
    """An action's task line, in the order Obsidian Tasks writes a line when it
    ticks it (text, tags, then 📅 due, ✅ done, the block id last), so that a
    tick in Tasks changes only the box and adds ✅."""
    done = action.status == "done"
    line = f"- {BOXES['done' if done else 'open']} {one_line(action.text)} — {view.link(action.source)}"
    line += f" #{action.domain}" if action.domain else ""
    line += f" 📅 {action.due}" if action.due else ""
    line += f" ✅ {action.done}" if done and action.done else ""
    return f"{line} ^{action.id}"


def with_filter(line: str, global_filter: str) -> str:
    """A task line that Obsidian Tasks with a global filter (`#task`) takes for a
    task: the filter opens its description, where Tasks' own editor puts it."""
    shown = one_line(global_filter)
    if not shown or not line.startswith("- [") or line[6:].startswith(shown + " "):
        return line
    return f"{line[:6]}{shown} {line[6:]}"


class Block(NamedTuple):
    """Everything the block shows, as lines."""

    recently_done_days: int
    overdue: list[str]
    external: list[str]
    internal: list[str]
    done: list[str]
    follow_ups: list[str]
    overview: list[str]
    unreadable: list[tuple[str, int | None, str]]  # (link to the note or `path`, line, message)
    pending: list[tuple[str, str]]  # (task line, why it waits)
    conflicts: list[tuple[str, str, str | None]]  # (copy, link to the original, its path if vaultkit's)
    not_applied: list[str]  # what this run could not apply, and why
    summary_copies: list[str] = []  # kept conflict copies of the summary: the person's text differs


def render_block(block: Block) -> str:
    """The text between the markers (it starts and ends with a newline)."""
    days = plural(block.recently_done_days, "day")
    # What is due and the boxes first; the charts (a screen or two) after
    # everything that needs the person, problems included. A section without
    # lines is left out; one with None is its heading alone.
    sections: list[tuple[str, list[str] | None]] = [
        ("## Follow-ups due", block.follow_ups),
        ("## Open actions", None),
        (OPEN_HEADINGS[0], block.overdue),
        (OPEN_HEADINGS[1], block.external or ["Nothing open."]),
        (OPEN_HEADINGS[2], block.internal or ["Nothing open."]),
        (f"{DONE_HEADING} {days}", block.done or [f"Nothing in the last {days}."]),
        (
            "## Notes that could not be read",
            [
                f"- {one_line(where)}{f' (line {n})' if n else ''}: {one_line(why)}"
                for where, n, why in block.unreadable
            ],
        ),
        (PENDING_HEADING, [line for task, why in block.pending for line in (task, f"    - {one_line(why)}")]),
        ("## Changes vaultkit did not apply", [f"- {one_line(m)}" for m in block.not_applied]),
        (
            COPIES_HEADING,
            [
                f"- `{one_line(copy)}` is a conflict copy of this note: its boxes were applied, but your "
                "own text in it differs from this note's; merge what you need here, then delete the copy"
                for copy in block.summary_copies
            ]
            + [
                f"- `{one_line(copy)}` is a conflict copy of {link}: "
                + (
                    f'its action changes are in the note; `vaultkit merge "{one_line(own)}"` writes both '
                    "versions of each passage changed on both sides into it, labelled, for you to choose"
                    if own
                    else "merge what you need into the original, then delete the copy"
                )
                for copy, link, own in block.conflicts
            ],
        ),
    ]
    intro = f"{INTRO} Tick a box to mark an action done in its note; write your own text outside the vaultkit"
    out = ["", intro + " markers.*", ""]
    for heading, lines in sections:
        if lines is None:
            out += [heading, ""]
        elif lines:
            out += [heading, "", *lines, ""]
    return "\n".join(out + block.overview)


def _as_last_read(view: View, rel: str, kept: Sequence[list[str]]) -> str:
    """What the lists show of a note that cannot be read: the actions the summary
    listed when it last could be read (`kept`), or none (a note never read whole)."""
    if rel not in view.paths:
        return ""  # not a note: something the walk could not take
    link = f" — {view.link(rel)} "
    listed = sum(link in line for lines in kept for line in lines)
    if not listed:
        return "; none of its actions are listed until it can be read"
    return f"; its {plural(listed, 'action')} {'is' if listed == 1 else 'are'} listed as last read"


def render(
    view: View,
    today: date,
    config: Config,
    pending: dict[str, tuple[str, str, str, str, str]],
    not_applied: list[str],
    copies: list[str],
    tasks: str,
    kept: Sequence[list[str]] = ([], [], []),
) -> str:
    """The block between the markers. Each task line carries Obsidian Tasks'
    global filter (`tasks`), if set, or Tasks would not see it. Ticks waiting
    are listed apart; `kept` (ticks.last_listed) follows each open section."""
    practice, overview = view.big_picture(config.follow_ups, today, config.who5)
    sections = view.sections(today, config.recently_done_days, leaving_out=pending)
    own = {n.path for n in view.notes if n.error is None and (n.actions or n.type)}  # a copy may merge

    def lines(actions: list[Action], more: Sequence[str] = ()) -> list[str]:
        return [with_filter(line, tasks) for line in [*(line_of(view, a) for a in actions), *more]]

    return render_block(
        Block(
            config.recently_done_days,
            lines(sections.overdue, kept[0]),
            lines(sections.external, kept[1]),
            lines(sections.internal, kept[2]),
            lines(sections.done),
            [
                f"- Session {d.session} — {d.label} due since {d.due_on}: `{d.command}`"
                for d in practice.due()
            ],
            render_overview(overview),
            [
                (
                    view.link(path) if path in view.paths else f"`{path}`",
                    p.line,
                    p.message + _as_last_read(view, path, kept),
                )
                for path, p in view.unreadable
            ],
            [
                (with_filter(f"- {BOXES[status]}{line[5:]}", tasks), why)
                for _, (status, _, _, line, why) in sorted(pending.items())
            ],
            [
                (copy, view.link(original), original if original in own else None)
                for copy, original in view.conflicts()
            ],
            not_applied,
            copies,
        )
    )
