"""Which follow-up notes are due: e.g. session 3's 1-week check-in. Pure.

Each session starts on the date of its first note (usually the intention).
`follow_ups` in the config lists, per note type, the days after that start
when a note of that type is expected. A follow-up is due once its day has
come, and is cleared by a note of that type in the same session dated at or
after the midpoint between the previous follow-up and this one (so a check-in
on day 5 counts as the 1-week one, not the 1-month one). Follow-ups that fell
due after the next session began are not listed: that session took over.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple


class Due(NamedTuple):
    """A follow-up note that is due: e.g. session 3's 1-week check-in."""

    session: int
    label: str  # "1-week check-in"
    since: date
    command: str


def label(days: int, note_type: str) -> str:
    if days % 30 == 0 and days >= 30:
        span = f"{days // 30}-month"
    elif days % 7 == 0 and days >= 7:
        span = f"{days // 7}-week"
    else:
        span = f"{days}-day"
    return f"{span} {note_type}"


Spans = Mapping[tuple[int, str | None], tuple[str, str]]


def due_follow_ups(spans: Spans, follow_ups: Mapping[str, tuple[int, ...]], today: date) -> list[Due]:
    """`spans` maps (session, note type) to the first and last dates of those
    notes (ISO strings, which sort as the dates do). A session starts on its
    first note's date; a follow-up is cleared when a note of its type is dated
    late enough, so the last one decides."""
    firsts: dict[int, str] = {}
    lasts: dict[tuple[int, str | None], str] = {}
    for (session, note_type), (first, last) in spans.items():
        if session not in firsts or first < firsts[session]:
            firsts[session] = first
        lasts[session, note_type] = last
    ordered = sorted(firsts)
    starts = [date.fromisoformat(firsts[session]) for session in ordered]
    result = []
    for position, session in enumerate(ordered):
        start = starts[position]
        next_start = starts[position + 1] if position + 1 < len(ordered) else None
        for note_type, offsets in follow_ups.items():
            written = lasts.get((session, note_type))
            previous = 0
            for days in sorted(offsets):
                due_on = start + timedelta(days=days)
                window = start + timedelta(days=previous + (days - previous + 1) // 2)
                previous = days
                if due_on > today or (next_start is not None and due_on >= next_start):
                    continue
                if written is not None and written >= window.isoformat():
                    continue
                result.append(
                    Due(
                        session,
                        label(days, note_type),
                        due_on,
                        f"vaultkit new {note_type} --session {session}",
                    )
                )
    return sorted(result, key=lambda d: (d.since, d.session, d.label))


def due_lines(due: list[Due]) -> list[str]:
    return [f"- Session {d.session} — {d.label} due since {d.since}: `{d.command}`" for d in due]
