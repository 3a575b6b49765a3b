"""Sessions for a new note: which session it belongs to (refusing numbers
that would skip or fall out of date order: vaultkit never renumbers notes),
the links to the session's earlier notes, the actions a check-in carries over,
and the --date option. Pure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from vaultkit.actions import Action, parse_date
from vaultkit.errors import VaultkitError
from vaultkit.notes import NoteRecord
from vaultkit.practice import OPENS_SESSION, Practice

# The note types a later note links back to.
LINKED_TYPES = ("intention", "reflection")


def parse_date_option(text: str, today: date) -> date:
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    day = parse_date(word, whole=True)
    if day is not None:
        return day
    raise VaultkitError(f"--date {text!r} is not a date; use YYYY-MM-DD, today or yesterday")


def choose_session(practice: Practice, note_type: str, given: int | None, on: date) -> int:
    """An intention opens the next session; any other note joins the latest one.
    Numbers that would leave a gap, or an intention that would put sessions out
    of date order, are refused: vaultkit never renumbers existing notes."""
    days = {s.number: s.day.isoformat() for s in practice.sessions}
    latest = max(days, default=0)
    numbers = ", ".join(str(n) for n in sorted(days))
    existing = f"the sessions so far are {numbers}" if days else "there are no sessions yet"
    if given is not None:
        if given < 1:
            raise VaultkitError("--session must be 1 or more")
        if given > latest + 1:
            raise VaultkitError(
                f"--session {given} would skip numbers: {existing}, so the next is {latest + 1}"
            )
        found = practice.session(given)
        opened_by = sorted(n.path for n in (found.notes if found else ()) if n.type == OPENS_SESSION)
        if note_type == OPENS_SESSION and opened_by:
            raise VaultkitError(f"session {given} already has its intention, {opened_by[0]}")
        number = given
    else:
        number = practice.session_for(note_type, on)
    if note_type == OPENS_SESSION:
        day = on.isoformat()
        later = sorted(n for n, d in days.items() if n < number and d > day)
        earlier = sorted(n for n, d in days.items() if n > number and d < day)
        if later or earlier:
            clash = (later or earlier)[0]
            where = "later" if later else "earlier"
            raise VaultkitError(
                f"an intention dated {day} would open session {number}, but session {clash} "
                f"({days[clash]}) is {where}; vaultkit keeps sessions in date order and never "
                "renumbers notes. Check --date, or give the right --session"
            )
    return number


def expected_day(practice: Practice, session: int, on: date) -> date | None:
    """The day a new intention's session is, as the person recorded it earlier
    (`next_session`), when that is on or after the note's date."""
    if practice.upcoming is None:
        return None
    number, day = practice.upcoming
    return day if number == session and day is not None and day >= on else None


def session_links(
    notes: list[NoteRecord], session: int, note_type: str, link: Callable[[str], str]
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
            links[linked] = link(candidates[-1].path)
    return links


def carried_over(actions: list[Action], before: date) -> list[Action]:
    """Open actions from notes dated on or before `before`: newest note first,
    each note's actions in their order, as in the summary."""
    cutoff = before.isoformat()
    chosen = [a for a in actions if a.status == "open" and (a.date is None or a.date <= cutoff)]
    chosen.sort(key=lambda a: a.index)
    chosen.sort(key=lambda a: (a.date or "", a.source), reverse=True)
    return chosen
