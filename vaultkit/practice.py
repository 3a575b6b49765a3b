"""The practice, modelled once: sessions, their days, the follow-ups each session
asks for, the next session, and the session a new note joins. Pure. The summary,
`status`, nudges, the brief and `new` all read this; no other module computes it.

A session's day: its intention's `session_date`; else a `next_session` that
a note of an earlier session recorded before the intention was written (and
that the intention's date has not passed); else the intention's date. A
session without an intention is opened by its first note, the same way (a
recorded `next_session` counts when it is on or before that note's date).

Follow-ups (`follow_ups` in the config, days after the session's day per note
type) each have a window: from the session's day (or halfway from the
previous follow-up of that type) to halfway to the next one, the last one
open-ended. A note of that type for that session dated in the window clears
it, the evening of the session included; a follow-up listed in a session
note's `dismissed` property (its label, `1-week`, its type, or `all`) is
dismissed; one whose day comes on or after the next session's day is
overtaken. Otherwise it is upcoming before its day, due from its day until
its window closes (the next session's day for the last one), then missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from vaultkit.actions import Action, parse_date
from vaultkit.errors import VaultkitError
from vaultkit.notes import NoteRecord

OPENS_SESSION = "intention"
LINKED_TYPES = ("intention", "reflection")  # the note types a later note links back to


@dataclass(frozen=True)
class Entry:
    """A note as the practice reads it (dates are ISO strings, as stored)."""

    path: str
    type: str | None
    date: str | None
    session: int | None
    session_date: str | None = None
    next_session: str | None = None
    dismissed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Session:
    number: int
    day: date
    notes: tuple[Entry, ...]  # by date, then path
    end: date | None = None  # the next session's day (exclusive), when there is one

    @property
    def answered(self) -> bool:
        """Something was written after it (a reflection, a check-in), not only its intention."""
        return any(n.type != OPENS_SESSION for n in self.notes)


@dataclass(frozen=True)
class FollowUp:
    """One note a session asks for: e.g. session 3's 1-week check-in."""

    session: int
    type: str  # the note type that clears it
    label: str  # "1-week check-in"
    due_on: date
    state: str  # upcoming | due | done | missed | dismissed | overtaken

    @property
    def command(self) -> str:
        return f"vaultkit new {self.type} --session {self.session}"

    @property
    def key(self) -> str:
        """What a nudge for it is remembered by."""
        return f"{self.session}:{self.label}"


@dataclass(frozen=True)
class Practice:
    today: date
    sessions: tuple[Session, ...] = ()  # by number
    follow_ups: tuple[FollowUp, ...] = ()

    def session(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)

    def due(self) -> list[FollowUp]:
        """The follow-ups due today, oldest first."""
        due = [f for f in self.follow_ups if f.state == "due"]
        return sorted(due, key=lambda f: (f.due_on, f.session, f.label))

    def missed(self, sessions: Iterable[int] = (), since: date | None = None) -> list[FollowUp]:
        """The follow-ups missed of these sessions, or (`since`) due on or after a day."""
        wanted = set(sessions)
        return [
            f
            for f in self.follow_ups
            if f.state == "missed" and (f.due_on >= since if since is not None else f.session in wanted)
        ]

    @property
    def begun(self) -> list[Session]:
        """Sessions whose day has come."""
        return [s for s in self.sessions if s.day <= self.today]

    def ahead(self) -> list[Session]:
        """Sessions still to come: their day is today or later and nothing is written
        after them yet (an intention written ahead)."""
        return [s for s in self.sessions if s.day >= self.today and not s.answered]

    @property
    def upcoming(self) -> tuple[int, date | None] | None:
        """The next session's number and day: the first still ahead; else the day the
        latest session's notes recorded as the next, unless it has passed; else the
        number alone."""
        if not self.sessions:
            return None
        if ahead := self.ahead():
            return ahead[0].number, ahead[0].day
        last = self.sessions[-1]
        recorded = [d for n in last.notes if (d := _day(n.next_session)) is not None]
        return last.number + 1, (recorded[-1] if recorded and recorded[-1] >= self.today else None)

    def to_come(self) -> tuple[list[FollowUp], list[tuple[int, date]]]:
        """What is still ahead, for reminders: the follow-ups upcoming or due that
        the next session, once its day is known, will not overtake; and the
        sessions to come whose day is known, as (number, day)."""
        number, next_day = self.upcoming or (0, None)
        follow_ups = [
            f
            for f in self.follow_ups
            if f.state in ("upcoming", "due")
            and not (next_day is not None and f.session < number and f.due_on >= next_day)
        ]
        sessions = {s.number: s.day for s in self.ahead()}
        if next_day is not None:
            sessions[number] = next_day
        return follow_ups, [(n, day) for n, day in sessions.items() if day >= self.today]

    def day_of(self, number: int) -> date | None:
        """A session's day: its own when it has notes, else the one recorded as the
        next session's, when that is the session meant."""
        if (found := self.session(number)) is not None:
            return found.day
        return self.upcoming[1] if self.upcoming is not None and self.upcoming[0] == number else None

    def to_prepare(self) -> tuple[tuple[int, ...], int]:
        """What a brief covers by default, and the session it prepares: the latest
        session that has happened, with the sessions ahead whose intention is
        written; the session prepared is the last of those ahead, else the next."""
        ahead = self.ahead()
        past = [s for s in self.sessions if s not in ahead]
        covered = [s.number for s in past[-1:]] + [s.number for s in ahead]
        if ahead:
            return tuple(covered), ahead[-1].number
        return tuple(covered), (covered[-1] + 1 if covered else 1)


def label(days: int, note_type: str) -> str:
    if days % 30 == 0 and days >= 30:
        span = f"{days // 30}-month"
    elif days % 7 == 0 and days >= 7:
        span = f"{days // 7}-week"
    else:
        span = f"{days}-day"
    return f"{span} {note_type}"


def _day(value: str | None) -> date | None:
    return parse_date(value, whole=True)


def _order(e: Entry) -> tuple[str, str]:
    return e.date or "", e.path


def build(entries: Iterable[Entry], follow_ups: Mapping[str, tuple[int, ...]], today: date) -> Practice:
    """The practice as the notes tell it, on `today`."""
    grouped: dict[int, list[Entry]] = {}
    for e in sorted(entries, key=_order):
        if e.session is not None and _day(e.date) is not None:
            grouped.setdefault(e.session, []).append(e)
    recorded = sorted((e for notes in grouped.values() for e in notes if _day(e.next_session)), key=_order)
    days: dict[int, date] = {}
    previous: date | None = None
    for number in sorted(grouped):
        days[number] = previous = _session_day(number, grouped[number], recorded, previous)
    numbers = sorted(days)
    ends = [*(days[n] for n in numbers[1:]), None]
    sessions = [Session(n, days[n], tuple(grouped[n]), end) for n, end in zip(numbers, ends, strict=False)]
    found = [
        f
        for s in sessions
        for note_type, offsets in follow_ups.items()
        for f in _follow_ups(s, note_type, sorted(offsets), today)
    ]
    return Practice(today, tuple(sessions), tuple(found))


def _session_day(number: int, notes: list[Entry], recorded: list[Entry], previous: date | None) -> date:
    """A session's day, by the one rule (see the module's docstring)."""
    intentions = [e for e in notes if e.type == OPENS_SESSION]
    opener = intentions[0] if intentions else notes[0]
    written = date.fromisoformat(opener.date or "")
    if (day := _day(opener.session_date)) is not None:
        return day
    hints = [
        _day(e.next_session)
        for e in recorded
        if e.session is not None and e.session < number and (e.date or "") <= (opener.date or "")
    ]
    hint = hints[-1] if hints else None
    if hint is None or (previous is not None and hint <= previous):
        return written
    # An intention is written before its session, any other note after it.
    fits = hint >= written if opener.type == OPENS_SESSION else hint <= written
    return hint if fits else written


def _follow_ups(s: Session, note_type: str, offsets: list[int], today: date) -> list[FollowUp]:
    # Window k runs from halfway between offsets k-1 and k (the session's day for the
    # first) to where window k+1 opens; the last is open-ended for the notes that clear it.
    opens = [s.day] + [
        s.day + timedelta(days=a + (b - a + 1) // 2) for a, b in zip(offsets, offsets[1:], strict=False)
    ]
    closes: list[date | None] = [*opens[1:], None]
    dismissed = frozenset(d.strip().casefold() for n in s.notes for d in n.dismissed if d.strip())
    result = []
    for days, start, stop in zip(offsets, opens, closes, strict=True):
        name = label(days, note_type)
        due_on = s.day + timedelta(days=days)
        shown_until = min((d for d in (stop, s.end) if d is not None), default=None)
        if any(n.type == note_type and _within(n.date, start, stop) for n in s.notes):
            state = "done"
        elif _matches(name, dismissed):
            state = "dismissed"
        elif s.end is not None and due_on >= s.end:
            state = "overtaken"
        elif due_on > today:
            state = "upcoming"
        elif shown_until is not None and today >= shown_until:
            state = "missed"
        else:
            state = "due"
        result.append(FollowUp(s.number, note_type, name, due_on, state))
    return result


def _within(day: str | None, start: date, stop: date | None) -> bool:
    return day is not None and day >= start.isoformat() and (stop is None or day < stop.isoformat())


def _matches(follow: str, wanted: frozenset[str]) -> bool:
    """Whether a `dismissed` item names this follow-up: its label, span, type, or `all`."""
    span, _, kind = follow.partition(" ")
    return bool({"all", follow.casefold(), span.casefold(), kind.casefold()} & wanted)


def named(practice: Practice, session: int, which: str) -> list[FollowUp]:
    """The follow-ups of `session` that `which` names (see `_matches`)."""
    wanted = frozenset({which.strip().casefold()})
    return [f for f in practice.follow_ups if f.session == session and _matches(f.label, wanted)]


# ---------------------------------------------------------------- for a new note


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
    """The session a new note dated `on` joins: `given`; else an intention opens the
    next one; a reflection written on or after the day recorded as the next session's
    (no intention for it) opens that one, as its day rule says; any other note joins
    the latest. Numbers that would leave a gap, or an intention that would put
    sessions out of date order, are refused: vaultkit never renumbers notes."""
    days = {s.number: s.day for s in practice.sessions}
    latest = max(days, default=0)
    if given is None:
        ahead, day = practice.upcoming or (0, None)
        reflected = note_type == "reflection" and ahead == latest + 1 and day is not None and day <= on
        number = latest + 1 if note_type == OPENS_SESSION or reflected else max(latest, 1)
    elif given < 1:
        raise VaultkitError("--session must be 1 or more")
    elif given > latest + 1:
        so_far = ", ".join(map(str, sorted(days)))
        existing = f"the sessions so far are {so_far}" if days else "there are no sessions yet"
        raise VaultkitError(f"--session {given} would skip numbers: {existing}, so the next is {latest + 1}")
    else:
        found = practice.session(given)
        opened_by = sorted(n.path for n in (found.notes if found else ()) if n.type == OPENS_SESSION)
        if note_type == OPENS_SESSION and opened_by:
            raise VaultkitError(f"session {given} already has its intention, {opened_by[0]}")
        number = given
    if note_type == OPENS_SESSION:
        later = sorted(n for n, d in days.items() if n < number and d > on)
        earlier = sorted(n for n, d in days.items() if n > number and d < on)
        if later or earlier:
            clash = (later or earlier)[0]
            raise VaultkitError(
                f"an intention dated {on} would open session {number}, but session {clash} "
                f"({days[clash]}) is {'later' if later else 'earlier'}; vaultkit keeps sessions in date "
                "order and never renumbers notes. Check --date, or give the right --session"
            )
    return number


def expected_day(practice: Practice, session: int, on: date) -> date | None:
    """The day a new intention's session is, as the person recorded it earlier
    (`next_session`), when that is on or after the note's date."""
    number, day = practice.upcoming or (0, None)
    return day if number == session and day is not None and day >= on else None


def session_links(
    notes: list[NoteRecord], session: int, note_type: str, link: Callable[[str], str]
) -> dict[str, str]:
    """Links from a new note to the latest earlier note of its session of each linked type."""
    if note_type == OPENS_SESSION:
        return {}
    links = {}
    for linked in LINKED_TYPES:
        mine = sorted((n.date or "", n.path) for n in notes if n.session == session and n.type == linked)
        if linked != note_type and mine:
            links[linked] = link(mine[-1][1])
    return links


def carried_over(actions: list[Action], before: date) -> list[Action]:
    """Open actions from notes dated on or before `before`: newest note first,
    each note's actions in their order, as in the summary."""
    cutoff = before.isoformat()
    chosen = [a for a in actions if a.status == "open" and (a.date is None or a.date <= cutoff)]
    chosen.sort(key=lambda a: a.index)
    chosen.sort(key=lambda a: (a.date or "", a.source), reverse=True)
    return chosen
