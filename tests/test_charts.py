"""The overview's charts as text: the mood line spaced by time, its plain-text
line, the timeline one column per session (pure; tests/test_charts_render.py
renders them in Chromium)."""

from __future__ import annotations

from datetime import date

from vaultkit.overview import (
    TIMELINE_SESSIONS,
    Facts,
    Tally,
    build_overview,
    mood_chart,
    mood_line,
    timeline_chart,
)
from vaultkit.practice import Entry, build


def overview(timeline=(), mood=()):  # type: ignore[no-untyped-def]
    """The overview of notes given as (session, date, type), and moods."""
    notes = [Entry(f"n{i}.md", kind, day, session) for i, (session, day, kind) in enumerate(timeline)]
    return build_overview(Facts([], list(mood)), Tally(), build(notes, {}, date(2026, 12, 1)))


def test_the_mood_line_is_spaced_by_time():
    # Two entries a day apart, then one a month later: the second point sits a
    # thirtieth of the way along, not halfway.
    span, step, values = mood_line([("2026-11-01", 4.0), ("2026-11-02", 8.0), ("2026-12-01", 5.0)])
    assert (span, step) == (30, 1)
    assert len(values) == 31
    assert values[:2] == [4.0, 8.0]
    assert values[-1] == 5.0
    assert values[16] == 8.0 + (5.0 - 8.0) * 15 / 29  # on the straight line between its neighbours


def test_a_long_span_is_drawn_in_steps_and_a_day_with_two_entries_is_their_mean():
    span, step, values = mood_line(
        [("2025-01-01", 2.0), ("2025-06-01", 6.0), ("2025-06-01", 8.0), ("2026-01-01", 4.0)]
    )
    assert step == 7  # 365 days in at most 60 steps
    assert span == len(values) * step - step == 364
    assert values[0] == 2.0 and values[-1] == 4.0
    assert max(values) == 7.0  # 2025-06-01: the mean of 6 and 8


def test_the_mood_chart_and_its_text_line():
    chart = mood_chart(overview(mood=[("2026-11-01", 4.0), ("2026-11-03", 6.5), ("2026-11-05", 7.0)]))
    assert chart == (
        "```mermaid\n"
        '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\n'
        "xychart-beta\n"
        '    title "Mood over time (0 to 10)"\n'
        '    x-axis "Days since 2026-11-01" 0 --> 4\n'
        '    y-axis "Mood" 0 --> 10\n'
        "    line [4, 5.25, 6.5, 6.75, 7]\n"
        "```\n"
        "\n"
        "Mood (0 to 10), oldest first: 2026-11-01: 4 · 2026-11-03: 6.5 · 2026-11-05: 7"
    )


def test_the_timeline_has_one_column_per_session_and_counts_what_it_does_not_list():
    notes = [(1, "2026-11-01", "intention"), (1, "2026-11-02", "reflection")]
    notes += [(1, f"2026-11-{d:02d}", "check-in") for d in (9, 16, 23, 30)]
    notes += [(2, "2026-12-01", None)]
    chart = timeline_chart(overview(timeline=notes))
    assert chart.splitlines()[2:] == [
        "timeline",
        "    title Sessions and their notes",
        "    Session 1 : Intention 11-01 : Reflection 11-02 : and 2 more : Check-in 11-23 : Check-in 11-30",
        "    Session 2 : Note 12-01",
        "```",
    ]
    init = chart.splitlines()[1]
    assert init.count('"cScaleLabel') == TIMELINE_SESSIONS  # a dark label on every column's fill
    assert "#ffffff" not in init.lower()
