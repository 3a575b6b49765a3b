"""`vaultkit new`: plan a note (date, session, links, path; pure) and create it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from vaultkit.actions import Action
from vaultkit.dates import logical_today
from vaultkit.errors import NoteExistsError, VaultkitError
from vaultkit.index import NoteRecord, build_index
from vaultkit.summary import wikilink
from vaultkit.templates import (
    NewAction,
    NoteValues,
    Prompt,
    clean_title,
    default_title,
    fill_placeholders,
    render_note,
)
from vaultkit.vault import Vault, create_exclusive, find_template, make_dirs, safe_target

# Note types that open a session, and the ones a later note links back to.
OPENS_SESSION = "intention"
LINKED_TYPES = ("intention", "reflection")


def parse_date_option(text: str, today: date) -> date:
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise VaultkitError(f"--date {text!r} is not a date; use YYYY-MM-DD, today or yesterday")


def choose_session(notes: list[NoteRecord], note_type: str, given: int | None) -> int:
    """An intention opens the next session; any other note joins the latest one."""
    if given is not None:
        if given < 1:
            raise VaultkitError("--session must be 1 or more")
        return given
    latest = max((n.session for n in notes if n.session is not None), default=0)
    if note_type == OPENS_SESSION:
        return latest + 1
    return max(latest, 1)


def session_links(
    notes: list[NoteRecord], session: int, note_type: str, stems: Counter[str]
) -> dict[str, str]:
    """Links from a new note to the earlier notes of its session, by type."""
    links: dict[str, str] = {}
    if note_type == OPENS_SESSION:
        return links
    for linked in LINKED_TYPES:
        if linked == note_type:
            continue
        candidates = sorted(
            (n for n in notes if n.session == session and n.type == linked),
            key=lambda n: (n.date or "", n.path),
        )
        if candidates:
            links[linked] = wikilink(candidates[-1].path, stems)
    return links


def carried_over(actions: list[Action], before: date) -> list[Action]:
    """Open actions from notes dated on or before `before`, oldest note first."""
    cutoff = before.isoformat()
    chosen = [a for a in actions if a.status == "open" and (a.date is None or a.date <= cutoff)]
    return sorted(chosen, key=lambda a: (a.date or "", a.source, a.index))


def note_path(pattern: str, values: NoteValues) -> str:
    """The new note's vault-relative path from the configured pattern."""
    rel = fill_placeholders(pattern, values).strip()
    if not rel.lower().endswith(".md"):
        rel += ".md"
    return rel


# ---------------------------------------------------------------- creating


def parse_action_option(text: str) -> NewAction:
    """`--action "internal: notice my breath"` -> an internal action."""
    kind, sep, rest = text.partition(":")
    if sep and kind.strip().lower() in ("internal", "external"):
        return NewAction(" ".join(rest.split()), kind.strip().lower())
    return NewAction(" ".join(text.split()))


@dataclass
class NewNoteRequest:
    """What the user asked `vaultkit new` for."""

    type: str
    now: datetime
    date_text: str | None = None
    session: int | None = None
    title: str | None = None
    actions: list[NewAction] = field(default_factory=list)


@dataclass(frozen=True)
class Questions:
    """Callbacks the CLI supplies so the terminal stays at the edge."""

    intro: Callable[[str], None]
    ask: Callable[[Prompt], str]
    ask_actions: Callable[[str], list[NewAction]]
    review: Callable[[list[Action]], dict[str, str]]  # open action -> done/dropped


def create_note(vault: Vault, request: NewNoteRequest, questions: Questions | None) -> str:
    """Create the note; return its vault-relative path. Never overwrites."""
    template = find_template(vault, request.type)
    today = logical_today(request.now, vault.config.day_starts_at)
    note_date = parse_date_option(request.date_text, today) if request.date_text else today
    index = build_index(vault)
    notes = index.notes
    stems = index.stem_counts()
    session = choose_session(notes, request.type, request.session)
    values = NoteValues(
        type=request.type,
        title=clean_title(request.title) if request.title else default_title(request.type),
        note_date=note_date,
        now=request.now,
        session=session,
        links=session_links(notes, session, request.type, stems),
        actions=list(request.actions),
    )
    carried = carried_over(index.actions, note_date) if request.type == "check-in" else []
    rel = note_path(vault.config.note_path, values)
    target = safe_target(vault, rel)
    if target.exists() or target.is_symlink():
        raise NoteExistsError(
            f"{rel} already exists; vaultkit never overwrites a note. "
            "Open it, or pick another name with --title"
        )
    if questions is not None:
        label = f"{default_title(request.type)} for session {session}, {note_date.isoformat()}"
        questions.intro(label)
        values.answers = [questions.ask(prompt) for prompt in template.prompts]
        decisions = questions.review(carried)  # close old loops before adding new ones
        if template.asks_actions:
            values.actions += questions.ask_actions(request.type)
    else:
        decisions = {}
    values.open_actions = [(a.text, wikilink(a.source, stems)) for a in carried if a.id not in decisions]
    text = render_note(template, values)
    make_dirs(target.parent, vault.config.dir_mode)
    try:
        create_exclusive(target, text.encode("utf-8"), vault.config.file_mode)
    except FileExistsError:
        raise NoteExistsError(f"{rel} appeared while it was being written; left untouched") from None
    if decisions:
        from vaultkit.status import Change, apply_changes

        chosen = [Change(a, decisions[a.id], note_date) for a in carried if a.id in decisions]
        problems = [o.problem for o in apply_changes(vault, chosen) if o.problem]
        if problems:
            raise VaultkitError(f"{rel} was created, but: " + "; ".join(problems))
    return vault.rel(target)
