"""The summary's block, from the view: the sections and their task lines,
what is due, the overview; task lines as Obsidian Tasks will take them. Pure."""

from __future__ import annotations

from datetime import date

from vaultkit.actions import Action
from vaultkit.config import Config
from vaultkit.derive import View
from vaultkit.overview import render_overview
from vaultkit.practice import FollowUp
from vaultkit.summary import BOXES, Block, Pending, render_block, task_line, with_filter


def line_of(view: View, action: Action) -> str:
    """An action's task line as the summary lists it."""
    link = view.link(action.source)
    return task_line(action.status, action.text, link, action.due, action.done, action.id, action.domain)


def due_lines(due: list[FollowUp]) -> list[str]:
    return [f"- Session {d.session} — {d.label} due since {d.due_on}: `{d.command}`" for d in due]


def render(
    view: View,
    today: date,
    config: Config,
    pending: Pending,
    not_applied: list[str],
    copies: list[str],
    tasks: str,
) -> str:
    """The block between the markers. With a Tasks global filter set (`tasks`,
    see obsidian.tasks_global_filter), each task line carries it, or Tasks
    would not see them. Ticks waiting (`pending`) are listed apart."""
    practice, overview = view.big_picture(config.follow_ups, today)
    sections = view.sections(today, config.recently_done_days, leaving_out=pending)

    def lines(actions: list[Action]) -> list[str]:
        return [with_filter(line_of(view, a), tasks) for a in actions]

    return render_block(
        Block(
            config.recently_done_days,
            lines(sections.overdue),
            lines(sections.external),
            lines(sections.internal),
            lines(sections.done),
            due_lines(practice.due()),
            render_overview(overview),
            [(view.stored_link(path) or f"`{path}`", p.line, p.message) for path, p in view.unreadable],
            [
                (with_filter(f"- {BOXES[status]}{line[5:]}", tasks), why)
                for _, (status, _, _, line, why) in sorted(pending.items())
            ],
            [(copy, view.link(original)) for copy, original in view.conflicts()],
            not_applied,
            copies,
        )
    )
