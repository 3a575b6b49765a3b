"""The practice, modelled once: sessions, their days and spans, the follow-ups
each session asks for (due, done, missed, dismissed), and the next session.
Pure: plain records in, plain records out. The summary, `status`, nudges, the
brief and `new` all read this; no other module computes any of it.

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from vaultkit.actions import parse_date

OPENS_SESSION = "intention"


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
    recorded_next: date | None = None  # the latest `next_session` its notes recorded

    @property
    def answered(self) -> bool:
        """Something was written after it (a reflection, a check-in), not only its intention."""
        return any(n.type != OPENS_SESSION for n in self.notes)

    @property
    def dismissed(self) -> frozenset[str]:
        return frozenset(d.strip().casefold() for n in self.notes for d in n.dismissed if d.strip())


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
    sessions: tuple[Session, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    upcoming: tuple[int, date | None] | None = None  # the next session's number and day, when known
    _by_number: dict[int, Session] = field(default_factory=dict, repr=False, compare=False)

    def session(self, number: int) -> Session | None:
        return self._by_number.get(number)

    def due(self) -> list[FollowUp]:
        """The follow-ups due today, oldest first."""
        return sorted(
            (f for f in self.follow_ups if f.state == "due"), key=lambda f: (f.due_on, f.session, f.label)
        )

    def missed(self, sessions: Iterable[int] = (), since: date | None = None) -> list[FollowUp]:
        """The follow-ups missed of these sessions, or (`since`) due on or after a day."""
        wanted = set(sessions)
        return [
            f
            for f in self.follow_ups
            if f.state == "missed" and (f.due_on >= since if since is not None else f.session in wanted)
        ]

    def session_for(self, note_type: str, on: date) -> int:
        """The session a new note dated `on` belongs to by default: an intention opens
        the next one; a reflection written on or after the day recorded as the next
        session's (`next_session`, no intention for it) opens that one, as its day
        rule says; any other note joins the latest."""
        latest = self.sessions[-1].number if self.sessions else 0
        if note_type == OPENS_SESSION:
            return latest + 1
        ahead = self.upcoming or (0, None)
        if note_type == "reflection" and ahead[0] == latest + 1 and ahead[1] is not None and ahead[1] <= on:
            return latest + 1
        return max(latest, 1)

    @property
    def begun(self) -> list[Session]:
        """Sessions whose day has come."""
        return [s for s in self.sessions if s.day <= self.today]

    def day_of(self, number: int) -> date | None:
        """A session's day: its own when it has notes, else the one recorded as the
        next session's, when that is the session meant."""
        found = self.session(number)
        if found is not None:
            return found.day
        return self.upcoming[1] if self.upcoming is not None and self.upcoming[0] == number else None

    def ahead(self) -> list[Session]:
        """Sessions still to come: their day is today or later and nothing is written
        after them yet (an intention written ahead)."""
        return [s for s in self.sessions if s.day >= self.today and not s.answered]

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


def session_days(entries: Iterable[Entry]) -> dict[int, date]:
    """Each session's day, by the one rule (see the module's docstring)."""
    by_session: dict[int, list[Entry]] = {}
    for e in entries:
        if e.session is not None and _day(e.date) is not None:
            by_session.setdefault(e.session, []).append(e)
    recorded = sorted(
        (e for group in by_session.values() for e in group if _day(e.next_session) is not None),
        key=lambda e: (e.date or "", e.path),
    )
    days: dict[int, date] = {}
    previous: date | None = None
    for number in sorted(by_session):
        notes = sorted(by_session[number], key=lambda e: (e.date or "", e.path))
        intentions = [e for e in notes if e.type == OPENS_SESSION]
        opener = intentions[0] if intentions else notes[0]
        written = _day(opener.date)
        assert written is not None
        day = _day(opener.session_date)
        if day is None:
            before = [
                _day(e.next_session)
                for e in recorded
                if e.session is not None and e.session < number and (e.date or "") <= (opener.date or "")
            ]
            hint = before[-1] if before else None
            if hint is not None and (previous is None or hint > previous):
                # An intention is written before its session, any other note after it.
                ahead = opener.type == OPENS_SESSION
                day = hint if (hint >= written if ahead else hint <= written) else None
        days[number] = day or written
        previous = days[number]
    return days


def _matches(follow: str, wanted: frozenset[str]) -> bool:
    """Whether a `dismissed` item names this follow-up: its label, span, type, or `all`."""
    if not wanted:
        return False
    span, _, kind = follow.partition(" ")
    return bool({"all", follow.casefold(), span.casefold(), kind.casefold()} & wanted)


def named(practice: Practice, session: int, which: str) -> list[FollowUp]:
    """The follow-ups of `session` that `which` names (see `_matches`)."""
    wanted = frozenset({which.strip().casefold()})
    return [f for f in practice.follow_ups if f.session == session and _matches(f.label, wanted)]


def build(entries: Iterable[Entry], follow_ups: Mapping[str, tuple[int, ...]], today: date) -> Practice:
    """The practice as the notes tell it, on `today`."""
    entries = list(entries)
    days = session_days(entries)
    grouped: dict[int, list[Entry]] = {n: [] for n in days}
    for e in entries:
        if e.session in grouped and _day(e.date) is not None:
            grouped[e.session].append(e)
    numbers = sorted(days)
    sessions: list[Session] = []
    for i, number in enumerate(numbers):
        notes = tuple(sorted(grouped[number], key=lambda e: (e.date or "", e.path)))
        nexts = [d for e in notes if (d := _day(e.next_session)) is not None]
        end = days[numbers[i + 1]] if i + 1 < len(numbers) else None
        sessions.append(Session(number, days[number], notes, end, nexts[-1] if nexts else None))
    found: list[FollowUp] = []
    for s in sessions:
        for note_type, offsets in follow_ups.items():
            found += _follow_ups(s, note_type, sorted(offsets), today)
    by_number = {s.number: s for s in sessions}
    return Practice(today, tuple(sessions), tuple(found), _upcoming(sessions, today), by_number)


def _follow_ups(s: Session, note_type: str, offsets: list[int], today: date) -> list[FollowUp]:
    # Window k runs from halfway between offsets k-1 and k (the session's day for the
    # first) to where window k+1 opens; the last is open-ended for the notes that clear it.
    opens = [s.day] + [
        s.day + timedelta(days=a + (b - a + 1) // 2) for a, b in zip(offsets, offsets[1:], strict=False)
    ]
    closes: list[date | None] = [*opens[1:], None]
    written = [e for e in s.notes if e.type == note_type]
    result = []
    for days, start, stop in zip(offsets, opens, closes, strict=True):
        name = label(days, note_type)
        due_on = s.day + timedelta(days=days)
        written_in_window = any(_within(e.date, start, stop) for e in written)
        shown_until = stop if stop is not None else s.end
        if s.end is not None and shown_until is not None:
            shown_until = min(shown_until, s.end)
        if written_in_window:
            state = "done"
        elif _matches(name, s.dismissed):
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


def _upcoming(sessions: list[Session], today: date) -> tuple[int, date | None] | None:
    """The next session: one whose intention is written and whose day is today or
    later with nothing written after it yet; else the day the latest session's notes
    recorded as the next; else the number alone."""
    if not sessions:
        return None
    for s in sessions:
        if s.day >= today and not s.answered:  # see Practice.ahead
            return s.number, s.day
    last = sessions[-1]
    if last.recorded_next is not None and last.recorded_next >= today:
        return last.number + 1, last.recorded_next
    return last.number + 1, None
