"""The big picture: sessions, open actions, consistency, and Mermaid charts. Pure.

The summary shows dates, not "N days ago", so its text changes only when the
notes do (or a follow-up falls due); `vaultkit status` adds the day counts.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Any, NamedTuple

from vaultkit.actions import DOMAINS
from vaultkit.practice import Practice
from vaultkit.text import one_line
from vaultkit.wellbeing import SOURCE

TIMELINE_SESSIONS = 6  # the most recent sessions drawn in the timeline
TIMELINE_EVENTS = 5  # notes listed under one session; more are counted, not listed
# Light fills with near-black text, one per session: readable in light and dark
# themes (Mermaid's default palette puts white text on lavender and yellow).
TIMELINE_FILLS = ("#cfe8ff", "#d4f5d4", "#ffe8c2", "#f9d6e5", "#e3dcff", "#d2f4f0")
TIMELINE_TEXT = "#1a1a1a"
MOOD_POINTS = 30  # the most recent mood entries drawn
MOOD_COLOUR = "#1f6feb"  # Mermaid's default xychart line is a pale lavender
MOOD_WIDTH = 700  # Mermaid's default xychart width, what a reading pane shows at full size
MOOD_MARGIN = 80  # of it, the y-axis with its title and labels
# All of a domain's actions (light), then its done ones (dark) drawn over them:
# xychart-beta has no stacked bars and no legend, so the title says which is which.
DOMAIN_COLOURS = "#b6d4fe, #1f6feb"
WHEEL_POINTS = 6  # the most recent check-ins with an integration wheel, in the table
WHEEL_CURVES = 3  # of them, how many the radar chart draws (more would hide each other)
WHEEL_COLOURS = ("#1f6feb", "#e8590c", "#2f9e44")  # blue, orange, green: apart on white and on black

Wheel = tuple[tuple[str, float], ...]  # (domain, 0-10), in DOMAINS order, the ones given


class Overview(NamedTuple):
    """The numbers and charts at the top of the summary and in `vaultkit status`."""

    sessions: int
    last_session: int | None
    last_session_date: str | None
    open_external: int
    open_internal: int
    overdue: int
    last_note_date: str | None
    days_since_last_note: int | None
    notes_last_30_days: int
    weeks_in_a_row: int
    due: list[dict[str, Any]]
    timeline: list[tuple[int, list[tuple[str, str]]]]
    mood: list[tuple[str, float]]
    domains: tuple[tuple[str, int, int], ...] = ()  # (domain, open, done), all six; () when none has any
    wheel: tuple[tuple[str, Wheel], ...] = ()  # (date, scores) of the latest wheels, oldest first
    latest_brief: str | None = None  # the link of the newest `vaultkit brief` note
    first_ahead: tuple[int, str] | None = None  # before any session: the first one's number and day
    wellbeing: tuple[tuple[str, int], ...] = ()  # (date, WHO-5 score 0-100), oldest first

    def to_json(self) -> dict[str, Any]:
        data = self._asdict()
        data["domains"] = [{"domain": d, "open": o, "done": n} for d, o, n in self.domains]
        data["wheel"] = [{"date": day, **dict(scores)} for day, scores in self.wheel]
        data["timeline"] = [
            {"session": s, "notes": [{"date": d, "type": t} for d, t in notes]} for s, notes in self.timeline
        ]
        data["mood"] = [{"date": d, "mood": m} for d, m in self.mood]
        data["wellbeing"] = [{"date": d, "who5": score} for d, score in self.wellbeing]
        return data


class Tally(NamedTuple):
    """How many actions are open, by kind, and how many of them are overdue."""

    external: int = 0
    internal: int = 0
    overdue: int = 0


def _weeks_in_a_row(dates: set[date], today: date) -> int:
    """Consecutive weeks (Monday to Sunday), ending this week or last, with a note."""
    weeks = {d - timedelta(days=d.weekday()) for d in dates}
    monday = today - timedelta(days=today.weekday())
    if monday not in weeks:
        monday -= timedelta(days=7)  # this week isn't over: count from last week
    count = 0
    while monday in weeks:
        count += 1
        monday -= timedelta(days=7)
    return count


class Facts(NamedTuple):
    """What the overview reads from the integration notes beside the practice
    (the store works these out; dates are ISO strings)."""

    dates: list[str]  # the days with a note, up to today
    mood: list[tuple[str, float]]  # the latest moods, oldest first
    domains: tuple[tuple[str, str, int], ...] = ()  # (domain, status, actions) of open and done actions
    wheel: tuple[tuple[str, Wheel], ...] = ()  # (date, scores) of the latest wheels, oldest first
    wellbeing: tuple[
        tuple[str, int], ...
    ] = ()  # (date, WHO-5 score 0-100) of the latest check-ins, oldest first


def build_overview(facts: Facts, tally: Tally, practice: Practice) -> Overview:
    today = practice.today
    begun = practice.begun
    last = begun[-1] if begun else None
    first = practice.sessions[0] if practice.sessions and not begun else None
    last_date = max(facts.dates, default=None)
    dates = {date.fromisoformat(day) for day in facts.dates}
    written = [
        (s.number, [(n.date or "", n.type or "note") for n in s.notes if (n.date or "") <= today.isoformat()])
        for s in practice.sessions
    ]
    return Overview(
        sessions=len(begun),
        last_session=last.number if last else None,
        last_session_date=last.day.isoformat() if last else None,
        open_external=tally.external,
        open_internal=tally.internal,
        overdue=tally.overdue,
        last_note_date=last_date,
        days_since_last_note=(today - date.fromisoformat(last_date)).days if last_date else None,
        notes_last_30_days=sum(1 for d in dates if (today - d).days < 30),
        weeks_in_a_row=_weeks_in_a_row(dates, today),
        due=[
            {"session": d.session, "label": d.label, "since": d.due_on.isoformat(), "command": d.command}
            for d in practice.due()
        ],
        timeline=[(number, notes) for number, notes in written if notes][-TIMELINE_SESSIONS:],
        mood=facts.mood,
        domains=_domains(facts.domains),
        wheel=facts.wheel,
        wellbeing=facts.wellbeing,
        first_ahead=(first.number, first.day.isoformat()) if first else None,
    )


def _domains(counts: tuple[tuple[str, str, int], ...]) -> tuple[tuple[str, int, int], ...]:
    """Every domain with its open and done actions (the empty ones are the point), or
    nothing at all when no action has a domain: they are optional, and a line
    asking for them in every summary would read as a chore."""
    by = {(domain, status): n for domain, status, n in counts}
    if not any(by.values()):
        return ()
    return tuple((d, by.get((d, "open"), 0), by.get((d, "done"), 0)) for d in DOMAINS)


def _mermaid(config: dict[str, Any], *lines: str) -> str:
    return "\n".join(["```mermaid", f"%%{{init: {json.dumps(config)}}}%%", *lines, "```"])


def _mermaid_text(text: str) -> str:
    return one_line(text).replace(":", " ").replace("#", "").replace(";", ",").replace("^", "")


def timeline_chart(overview: Overview) -> str:
    """One column per session (the latest TIMELINE_SESSIONS), its notes listed
    under it oldest first: as wide as the sessions are many, however many
    notes each has."""
    colours: dict[str, Any] = {}
    for i in range(TIMELINE_SESSIONS):  # Mermaid colours the n-th column with cScale(n-1)
        colours[f"cScale{i}"] = TIMELINE_FILLS[i % len(TIMELINE_FILLS)]
        colours[f"cScaleLabel{i}"] = TIMELINE_TEXT
    lines = ["timeline", "    title Sessions and their notes"]
    for number, notes in overview.timeline:
        events = [f"{_mermaid_text(kind.capitalize())} {day[5:]}" for day, kind in notes]
        if len(events) > TIMELINE_EVENTS:  # the first two and the latest two, the rest counted
            events = [*events[:2], f"and {len(events) - 4} more", *events[-2:]]
        lines.append(f"    Session {number} : {' : '.join(events)}")
    return _mermaid({"themeVariables": colours}, *lines)


def mood_labels(points: list[tuple[str, float]]) -> list[str]:
    """One x-axis label per entry, each different (Mermaid puts equal labels on
    one spot): the month and day, the whole date when the entries span a year
    or more, and a count for a second entry on the same day."""
    days = [day for day, _ in points]
    short = (date.fromisoformat(days[-1]) - date.fromisoformat(days[0])).days < 365
    labels: list[str] = []
    seen: dict[str, int] = {}
    for day in days:
        seen[day] = seen.get(day, 0) + 1
        label = day[5:] if short else day
        labels.append(label if seen[day] == 1 else f"{label} ({seen[day]})")
    return labels


def _mood_size(labels: list[str]) -> dict[str, Any]:
    """Room for every date under the chart: Mermaid neither thins nor turns the
    labels of a category axis, so past a dozen entries they get a smaller font
    and then the chart more width (a pane scales the whole chart down to fit)."""
    chars = max(len(label) for label in labels)
    for font in (14, 10):  # Mermaid's default label size, and the smallest that reads at a glance
        need = len(labels) * font * (0.56 * chars + 0.6) + MOOD_MARGIN  # a digit is ~0.56em wide
        if need <= MOOD_WIDTH:
            break
    size: dict[str, Any] = {} if font == 14 else {"xAxis": {"labelFontSize": font}}
    return {**size, "width": math.ceil(need)} if need > MOOD_WIDTH else size


def mood_chart(overview: Overview, text_line: bool = True) -> str:
    """A line chart of mood through the entries themselves, one point per entry
    with its date beneath it (xychart-beta draws no markers, so no value that
    is not an entry is drawn: its corners are the entries); then (unless the
    page says it already) the same as one line of text, for viewers that
    cannot draw `xychart-beta` (Obsidian 1.4.16 and older)."""
    points = overview.mood
    labels = mood_labels(points)
    config: dict[str, Any] = {"themeVariables": {"xyChart": {"plotColorPalette": MOOD_COLOUR}}}
    if size := _mood_size(labels):
        config = {"xyChart": size, **config}
    chart = _mermaid(
        config,
        "xychart-beta",
        '    title "Mood at each entry (0 to 10)"',
        f'    x-axis "Entries, {points[0][0]} to {points[-1][0]}" [{", ".join(map(json.dumps, labels))}]',
        '    y-axis "Mood" 0 --> 10',
        f"    line [{', '.join(f'{m:g}' for _, m in points)}]",
    )
    text = " · ".join(f"{d}: {m:g}" for d, m in points)
    return f"{chart}\n\nMood (0 to 10), oldest first: {text}" if text_line else chart


def wellbeing_chart(points: tuple[tuple[str, int], ...] | list[tuple[str, int]]) -> str:
    """A line chart of the WHO-5 scores, one point per check-in that has one."""
    labels = [d[5:] for d, _ in points]
    return _mermaid(
        {"themeVariables": {"xyChart": {"plotColorPalette": MOOD_COLOUR}}},
        "xychart-beta",
        '    title "Wellbeing at each check-in (WHO-5, 0 to 100)"',
        f"    x-axis [{', '.join(map(json.dumps, labels))}]",
        '    y-axis "WHO-5" 0 --> 100',
        f"    line [{', '.join(str(s) for _, s in points)}]",
    )


def wellbeing_lines(overview: Overview) -> list[str]:
    """The WHO-5 scores as one line of text (exact, for every viewer), a chart
    when there are two or more, and the source, as its authors ask."""
    points = overview.wellbeing
    out = [f"Wellbeing (WHO-5, 0 to 100), oldest first: {' · '.join(f'{d}: {s}' for d, s in points)}"]
    if len(points) >= 2:
        out += ["", wellbeing_chart(points)]
    return [*out, "", f"*{SOURCE}.*"]


def domain_line(overview: Overview) -> str:
    counts = " · ".join(f"{d.capitalize()} {o} / {n}" for d, o, n in overview.domains)
    return f"- Actions per domain (open / done): {counts}"


def domain_chart(overview: Overview) -> str:
    names = ", ".join(f'"{d.capitalize()}"' for d, _, _ in overview.domains)
    top = max(o + n for _, o, n in overview.domains)
    # No value labels: Mermaid pads the axis by half a label, so a 0 would get a sliver
    # of bar (and the ticks of a small count are 0.1, 0.2...); the line above has the counts.
    config = {
        "xyChart": {"yAxis": {"showLabel": False, "showTick": False}},
        "themeVariables": {"xyChart": {"plotColorPalette": DOMAIN_COLOURS}},
    }
    return _mermaid(
        config,
        "xychart-beta horizontal",
        '    title "Actions per domain (darker part done)"',
        f"    x-axis [{names}]",
        f'    y-axis "Actions" 0 --> {max(top, 1)}',
        f"    bar [{', '.join(str(o + n) for _, o, n in overview.domains)}]",
        f"    bar [{', '.join(str(n) for _, _, n in overview.domains)}]",
    )


def wheel_table(overview: Overview) -> list[str]:
    """The latest integration wheels as a table: exact, and shown by every Markdown viewer."""
    out = [
        "Integration wheel, latest check-ins (0 to 10; – where skipped):",
        "",
        "| Date | " + " | ".join(d.capitalize() for d in DOMAINS) + " |",
        "|---" * (len(DOMAINS) + 1) + "|",
    ]
    for day, scores in overview.wheel:
        given = dict(scores)
        out.append(f"| {day} | " + " | ".join(f"{given[d]:g}" if d in given else "–" for d in DOMAINS) + " |")
    return out


def wheel_chart(overview: Overview) -> str | None:
    """A radar chart of the latest complete wheels (Mermaid's radar needs all six
    values: a skipped one drawn as 0 would say something the person did not)."""
    complete = [(day, scores) for day, scores in overview.wheel if len(scores) == len(DOMAINS)]
    if not complete:
        return None
    # Straight sides (a smoothed curve bulges past the values it joins) and
    # three colours that differ in light and dark themes alike.
    config = {
        "radar": {"curveTension": 0},
        "themeVariables": {f"cScale{i}": colour for i, colour in enumerate(WHEEL_COLOURS)},
    }
    curves = [
        f'    curve c{number}["{day}"]{{{", ".join(f"{v:g}" for _, v in scores)}}}'
        for number, (day, scores) in enumerate(complete[-WHEEL_CURVES:], 1)
    ]
    return _mermaid(
        config,
        "radar-beta",
        "    title Integration wheel (0 to 10)",
        "    axis " + ", ".join(f'{d}["{d.capitalize()}"]' for d in DOMAINS),
        *curves,
        "    max 10",
        "    min 0",
        "    graticule polygon",
    )


def render_overview(overview: Overview) -> list[str]:
    """The summary's overview section, as lines."""
    out = ["## Overview", ""]
    if overview.sessions:
        out.append(
            f"- Sessions: {overview.sessions} (latest: session {overview.last_session}, "
            f"{overview.last_session_date})"
        )
    elif overview.first_ahead:
        number, day = overview.first_ahead
        out.append(f"- Sessions: none yet (session {number} is on {day})")
    else:
        out.append("- Sessions: none yet (`vaultkit new intention` opens the first)")
    out.append(
        f"- Open actions: {overview.open_external} to do, {overview.open_internal} inner"
        + (f", {overview.overdue} overdue" if overview.overdue else "")
    )
    if overview.last_note_date:
        out.append(f"- Last integration note: {overview.last_note_date}")
    if overview.latest_brief:
        out.append(f"- Latest brief: {overview.latest_brief}")
    out.append("")
    if overview.timeline:
        out += [timeline_chart(overview), ""]
    if len(overview.mood) >= 2:
        out += [mood_chart(overview), ""]
    if overview.wellbeing:
        out += [*wellbeing_lines(overview), ""]
    if overview.domains:
        out += [domain_line(overview), "", domain_chart(overview), ""]
    if overview.wheel:
        chart = wheel_chart(overview)
        out += [*wheel_table(overview), "", *([chart, ""] if chart else [])]
    return out


def render_status(overview: Overview) -> str:
    """`vaultkit status` for a terminal: what's due, what's open, the habit."""
    out = ["Due:"] if overview.due else ["Due: nothing right now."]
    out += [
        f"  Session {d['session']}: {d['label']} since {d['since']}  ->  {d['command']}" for d in overview.due
    ]
    out.append(
        f"Open: {overview.open_external} to do, {overview.open_internal} inner"
        + (f" ({overview.overdue} overdue)" if overview.overdue else "")
    )
    if overview.sessions:
        out.append(
            f"Sessions: {overview.sessions}; latest is session {overview.last_session} "
            f"({overview.last_session_date})"
        )
    if overview.last_note_date is not None:
        days = overview.days_since_last_note
        ago = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
        # The streak only where it encourages: never "0 weeks in a row", nor "1".
        streak = f"; {overview.weeks_in_a_row} weeks in a row" if overview.weeks_in_a_row >= 2 else ""
        out.append(
            f"Last integration note: {overview.last_note_date} ({ago}); "
            f"{overview.notes_last_30_days} in the last 30 days{streak}"
        )
    else:
        out.append("No integration notes yet: vaultkit new intention")
    if overview.domains:
        out.append(domain_line(overview).removeprefix("- "))
    return "\n".join(out)
