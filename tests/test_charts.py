"""The overview's charts as text: the mood line through its entries, its plain-text
line, the timeline one column per session (pure; tests/test_charts_render.py
renders them in Chromium)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from vaultkit.overview import (
    TIMELINE_SESSIONS,
    Facts,
    Tally,
    build_overview,
    mood_chart,
    mood_labels,
    timeline_chart,
)
from vaultkit.practice import Entry, build


def overview(timeline=(), mood=()):  # type: ignore[no-untyped-def]
    """The overview of notes given as (session, date, type), and moods."""
    notes = [Entry(f"n{i}.md", kind, day, session) for i, (session, day, kind) in enumerate(timeline)]
    return build_overview(Facts([], list(mood)), Tally(), build(notes, {}, date(2026, 12, 1)))


def test_the_mood_chart_draws_the_entries_and_nothing_between_them():
    chart = mood_chart(overview(mood=[("2026-11-01", 4.0), ("2026-11-03", 6.5), ("2026-11-29", 7.0)]))
    assert chart == (
        "```mermaid\n"
        '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\n'
        "xychart-beta\n"
        '    title "Mood at each entry (0 to 10)"\n'
        '    x-axis "Entries, 2026-11-01 to 2026-11-29" ["11-01", "11-03", "11-29"]\n'
        '    y-axis "Mood" 0 --> 10\n'
        "    line [4, 6.5, 7]\n"  # the entries, and no made-up day between them
        "```\n"
        "\n"
        "Mood (0 to 10), oldest first: 2026-11-01: 4 · 2026-11-03: 6.5 · 2026-11-29: 7"
    )


def test_each_entry_has_a_label_of_its_own():
    # Mermaid puts equal category labels on one spot: two entries on a day
    # are told apart, and a span of a year or more shows whole dates.
    assert mood_labels([("2026-11-03", 5.0), ("2026-11-03", 6.0), ("2026-11-04", 7.0)]) == [
        "11-03",
        "11-03 (2)",
        "11-04",
    ]
    assert mood_labels([("2025-11-03", 5.0), ("2026-01-10", 6.0), ("2026-11-03", 7.0)]) == [
        "2025-11-03",
        "2026-01-10",
        "2026-11-03",
    ]
    assert mood_labels([("2025-01-05", 5.0), ("2025-12-30", 6.0), ("2026-01-04", 7.0)]) == [
        "01-05",
        "12-30",
        "01-04",
    ]


def _config(chart: str) -> dict:
    return json.loads(chart.splitlines()[1].removeprefix("%%{init: ").removesuffix("}%%"))


def test_many_entries_get_smaller_labels_then_a_wider_chart():
    def entries(n: int) -> list[tuple[str, float]]:
        return [((date(2026, 1, 1) + timedelta(days=7 * i)).isoformat(), 5.0) for i in range(n)]

    assert "xyChart" not in _config(mood_chart(overview(mood=entries(12))))
    assert _config(mood_chart(overview(mood=entries(16))))["xyChart"] == {"xAxis": {"labelFontSize": 10}}
    wide = _config(mood_chart(overview(mood=entries(30))))["xyChart"]
    assert wide["xAxis"] == {"labelFontSize": 10} and wide["width"] > 1000
    assert _config(mood_chart(overview(mood=entries(30))))["themeVariables"]  # the colour is kept


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
