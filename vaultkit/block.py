"""The summary's block, from the store: the sections and their task lines,
what is due, the overview; task lines as Obsidian Tasks will take them."""

from __future__ import annotations

from datetime import date

from vaultkit.actions import Action
from vaultkit.fs import Vault
from vaultkit.overview import Overview, Tally, build_overview, render_overview
from vaultkit.practice import FollowUp, Practice
from vaultkit.store import DONE, EXTERNAL, INTERNAL, OVERDUE, Store
from vaultkit.summary import BOXES, Block, render_block, task_line, with_filter

# A tick waiting for its note: uid -> (status, on, source, task line, why it waits)
Pending = dict[str, tuple[str, str, str, str, str]]


def line_of(store: Store, action: Action) -> str:
    """An action's task line as the store would list it."""
    return task_line(
        action.status,
        action.text,
        store.link(action.source),
        action.due,
        action.done,
        action.id,
        action.domain,
    )


def big_picture(vault: Vault, store: Store, today: date) -> tuple[Practice, Overview]:
    """The practice, and the overview (the summary's and `vaultkit status`'s)."""
    practice = store.practice(vault.config.follow_ups, today)
    counts = store.counts()
    overview = build_overview(
        store.facts(today), Tally(counts.external, counts.internal, counts.overdue), practice
    )
    briefs = store.briefs()
    return practice, overview._replace(latest_brief=briefs[0][2]) if briefs else overview


def due_lines(due: list[FollowUp]) -> list[str]:
    return [f"- Session {d.session} — {d.label} due since {d.due_on}: `{d.command}`" for d in due]


def render(
    vault: Vault,
    store: Store,
    today: date,
    pending: Pending,
    not_applied: list[str],
    copies: list[str],
    tasks: str,
) -> str:
    """The block between the markers, from the store. With a Tasks global
    filter set (`tasks`, see obsidian.tasks_global_filter), each task line
    carries it, or Tasks would not see them."""
    sections: dict[int, list[str]] = {OVERDUE: [], EXTERNAL: [], INTERNAL: [], DONE: []}
    for section, line in store.listed(leaving_out=pending):
        sections[section].append(with_filter(line, tasks) if tasks else line)
    practice, overview = big_picture(vault, store, today)
    return render_block(
        Block(
            vault.config.recently_done_days,
            sections[OVERDUE],
            sections[EXTERNAL],
            sections[INTERNAL],
            sections[DONE],
            due_lines(practice.due()),
            render_overview(overview),
            [(store.stored_link(path) or f"`{path}`", p.line, p.message) for path, p in store.unreadable()],
            [
                (with_filter(f"- {BOXES[status]}{line[5:]}", tasks), why)
                for _, (status, _, _, line, why) in sorted(pending.items())
            ],
            [(copy, store.link(original)) for copy, original in store.conflicts()],
            not_applied,
            copies,
        )
    )
