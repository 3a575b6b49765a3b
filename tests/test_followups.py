"""Follow-ups, the overview, `vaultkit status`, and the check-in carry-over review."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import followups, overview
from vaultkit.config import Config, logical_today
from vaultkit.followups import label
from vaultkit.frontmatter import Problem
from vaultkit.fs import NoteFile, Vault
from vaultkit.notes import NoteRecord, record_from_bytes
from vaultkit.overview import Tally, mood_chart, render_overview, timeline_chart
from vaultkit.schema import open_store
from vaultkit.store import Listing

from .helpers import actions_of, build_tree

CADENCE = {"reflection": (2,), "check-in": (7, 30)}


def facts(notes: list[NoteRecord], today: date) -> overview.Facts:
    """What the store works out from these notes for the overview and the follow-ups."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ".vaultkit").mkdir()
        store = open_store(Vault(Path(tmp), Config()), print)
        try:
            store.update(
                [(NoteFile(n.path, n.path, 0, 0, 0, 0), n) for n in notes], [], Listing.of(today, 14), 0
            )
            return store.facts(today)
        finally:
            store.close()


def due_follow_ups(notes, cadence, today):
    return followups.due_follow_ups(facts(notes, today).spans, cadence, today)


def build_overview(notes, tally, due, today):
    return overview.build_overview(facts(notes, today), tally, due, today)


def note(path, type_, day, session, mood=None):
    return NoteRecord(path, type_, day, session, mood)


def test_labels():
    assert [label(d, "check-in") for d in (2, 7, 14, 30, 60, 10)] == [
        "2-day check-in",
        "1-week check-in",
        "2-week check-in",
        "1-month check-in",
        "2-month check-in",
        "10-day check-in",
    ]


def test_due_across_month_and_year_boundaries():
    notes = [note("i.md", "intention", "2026-12-28", 4)]
    due = due_follow_ups(notes, CADENCE, date(2027, 1, 31))
    assert [(d.label, d.since.isoformat(), d.command) for d in due] == [
        ("2-day reflection", "2026-12-30", "vaultkit new reflection --session 4"),
        ("1-week check-in", "2027-01-04", "vaultkit new check-in --session 4"),
        ("1-month check-in", "2027-01-27", "vaultkit new check-in --session 4"),
    ]
    assert due_follow_ups(notes, CADENCE, date(2026, 12, 29)) == []


def test_written_check_ins_clear_their_follow_up():
    base = [note("i.md", "intention", "2026-11-01", 1), note("r.md", "reflection", "2026-11-02", 1)]
    today = date(2026, 12, 15)
    assert [d.label for d in due_follow_ups(base, CADENCE, today)] == [
        "1-week check-in",
        "1-month check-in",
    ]
    early = base + [note("c.md", "check-in", "2026-11-05", 1)]  # day 4: counts as the 1-week one
    assert [d.label for d in due_follow_ups(early, CADENCE, today)] == ["1-month check-in"]
    too_early = base + [note("c.md", "check-in", "2026-11-03", 1)]  # day 2: too early for either
    assert [d.label for d in due_follow_ups(too_early, CADENCE, today)] == [
        "1-week check-in",
        "1-month check-in",
    ]
    both = early + [note("c2.md", "check-in", "2026-11-28", 1)]
    assert due_follow_ups(both, CADENCE, today) == []


def _due_as_the_docstring_says(notes, follow_ups, today):
    """The module's rule spelled out plainly, for comparison: a session starts
    on its first note's date; a follow-up is due once its day has come and
    before the next session starts, unless a note of its type in the session
    is dated at or after the midpoint since the previous follow-up."""
    usable = [n for n in notes if n.session is not None and n.date is not None and n.error is None]
    starts = {}
    for n in usable:
        day = date.fromisoformat(n.date)
        starts[n.session] = min(starts.get(n.session, day), day)
    ordered = sorted(starts)
    found = []
    for position, session in enumerate(ordered):
        start = starts[session]
        following = starts[ordered[position + 1]] if position + 1 < len(ordered) else None
        for note_type, offsets in follow_ups.items():
            previous = 0
            for days in sorted(offsets):
                due_on = start + timedelta(days=days)
                window = start + timedelta(days=previous + (days - previous + 1) // 2)
                previous = days
                cleared = any(
                    n.session == session and n.type == note_type and date.fromisoformat(n.date) >= window
                    for n in usable
                )
                if due_on <= today and (following is None or due_on < following) and not cleared:
                    found.append((session, label(days, note_type), due_on))
    return sorted(found, key=lambda d: (d[2], d[0], d[1]))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, 1, 2]),
            st.sampled_from(["intention", "reflection", "check-in", None]),
            st.integers(0, 45),  # small, so that notes land on the windows' edges
            st.booleans(),
        ),
        max_size=8,
    ),
    st.integers(0, 60),
)
def test_due_follow_ups_follow_the_rule_as_written(rows, today_offset):
    origin = date(2026, 10, 1)
    notes = [
        NoteRecord(f"n{i}.md", kind, (origin + timedelta(days=day)).isoformat(), session)
        if readable
        else NoteRecord(
            f"n{i}.md", kind, (origin + timedelta(days=day)).isoformat(), session, error=Problem("x")
        )
        for i, (session, kind, day, readable) in enumerate(rows)
    ]
    today = origin + timedelta(days=today_offset)
    due = due_follow_ups(notes, CADENCE, today)
    assert [(d.session, d.label, d.since) for d in due] == _due_as_the_docstring_says(notes, CADENCE, today)


def test_a_new_session_takes_over_later_follow_ups():
    notes = [
        note("i1.md", "intention", "2026-11-01", 1),
        note("r1.md", "reflection", "2026-11-02", 1),
        note("i2.md", "intention", "2026-11-20", 2),
        note("r2.md", "reflection", "2026-11-21", 2),
    ]
    due = due_follow_ups(notes, CADENCE, date(2026, 11, 30))
    assert [(d.session, d.label) for d in due] == [(1, "1-week check-in"), (2, "1-week check-in")]


def test_day_starts_at_across_dst_change():
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone data")
    # 2026-03-29: clocks jump from 02:00 to 03:00. 03:30 is before a 04:00 day start.
    assert logical_today(datetime(2026, 3, 29, 3, 30, tzinfo=berlin), time(4, 0)) == date(2026, 3, 28)
    # 2026-10-25: 02:30 happens twice; both belong to the evening before.
    for fold in (0, 1):
        moment = datetime(2026, 10, 25, 2, 30, fold=fold, tzinfo=berlin)
        assert logical_today(moment, time(4, 0)) == date(2026, 10, 24)


def test_overview_weeks_in_a_row_across_new_year():
    notes = [
        note(f"n{i}.md", "check-in", d, 1)
        for i, d in enumerate(["2026-12-16", "2026-12-22", "2026-12-30", "2027-01-05", "2027-01-12"])
    ]
    overview = build_overview(notes, Tally(), [], date(2027, 1, 14))
    assert overview.weeks_in_a_row == 5
    assert overview.days_since_last_note == 2
    # This week without a note yet still counts from last week; a gap breaks it.
    assert build_overview(notes, Tally(), [], date(2027, 1, 19)).weeks_in_a_row == 5
    assert build_overview(notes, Tally(), [], date(2027, 1, 26)).weeks_in_a_row == 0


def test_charts_text_is_deterministic():
    notes = [
        note("a.md", "intention", "2026-11-01", 1, 4.0),
        note("b.md", "reflection", "2026-11-02", 1, 6.5),
        note("c.md", "check-in", "2026-11-09", 1, 7.0),
    ]
    overview = build_overview(notes, Tally(), [], date(2026, 11, 24))
    assert timeline_chart(overview) == (
        "```mermaid\n"
        '%%{init: {"themeVariables": {"cScale0": "#cfe8ff", "cScaleLabel0": "#1a1a1a", "cScale1": "#d4f5d4", '
        '"cScaleLabel1": "#1a1a1a", "cScale2": "#ffe8c2", "cScaleLabel2": "#1a1a1a", "cScale3": "#f9d6e5", '
        '"cScaleLabel3": "#1a1a1a", "cScale4": "#e3dcff", "cScaleLabel4": "#1a1a1a", "cScale5": "#d2f4f0", '
        '"cScaleLabel5": "#1a1a1a"}}}%%\n'
        "timeline\n    title Sessions and their notes\n"
        "    Session 1 : Intention 11-01 : Reflection 11-02 : Check-in 11-09\n```"
    )
    assert mood_chart(overview) == (
        '```mermaid\n%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\n'
        'xychart-beta\n    title "Mood at each entry (0 to 10)"\n'
        '    x-axis "Entries, 2026-11-01 to 2026-11-09" ["11-01", "11-02", "11-09"]\n'
        '    y-axis "Mood" 0 --> 10\n    line [4, 6.5, 7]\n```\n\n'
        "Mood (0 to 10), oldest first: 2026-11-01: 4 · 2026-11-02: 6.5 · 2026-11-09: 7"
    )
    assert render_overview(overview) == render_overview(
        build_overview(notes, Tally(), [], date(2026, 11, 24))
    )
    single = build_overview(notes[:1], Tally(), [], date(2026, 11, 24))
    assert not any("xychart" in line for line in render_overview(single))  # one point is no line


def test_overdue_actions_get_their_own_section(vault, run):
    build_tree(
        vault,
        {
            "a.md": "---\ntype: reflection\ndate: 2026-11-10\nsession: 1\nactions:\n"
            "  - text: Late\n    due: 2000-01-01\n  - text: Later\n    due: 2999-01-01\n---\n"
        },
    )
    assert run("index").exit_code == 0
    text = (vault / "Integration Actions.md").read_text()
    overdue = text.split("### Overdue\n\n")[1].split("\n\n")[0]
    assert overdue.startswith("- [ ] Late — [[a]] 📅 2000-01-01 ^")
    assert "Later" not in overdue
    assert text.count("Late —") == 1


VAULT = {
    "i.md": "---\ntype: intention\ndate: 2026-11-01\nsession: 1\nmood: 4\nactions: []\n---\n",
    "r.md": (
        "---\ntype: reflection\ndate: 2026-11-02\nsession: 1\nmood: 6\nactions:\n"
        '  - "[ ] Call my sister"\n  - text: Breathe\n    kind: internal\n  - "[ ] Walk"\n---\n'
    ),
}


def test_status_text_and_json(vault, run):
    build_tree(vault, VAULT)
    result = run("status")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Due:"
    assert "Session 1: 1-week check-in since 2026-11-08  ->  vaultkit new check-in --session 1" in lines[1]
    assert "Open: 2 to do, 1 inner" in lines
    assert "Sessions: 1; latest is session 1 (2026-11-01)" in lines
    data = json.loads(run("status", "--json").stdout)
    assert data["open_external"] == 2 and data["open_internal"] == 1
    assert data["sessions"] == 1
    assert data["mood"] == [
        {"date": "2026-11-01", "mood": 4.0},
        {"date": "2026-11-02", "mood": 6.0},
    ]
    assert data["due"][0]["command"] == "vaultkit new check-in --session 1"


def test_check_in_reviews_open_actions(vault, run):
    build_tree(vault, VAULT)
    # The review comes first (newest note first, each note's actions in order,
    # as in the summary), then the 13 prompts (mood, one question, the 6 of the
    # integration wheel, 3 more, what to bring and the next session), then no
    # new actions.
    answers = "\n".join(["d", "k", "x"] + [""] * 13 + ["", ""]) + "\n"
    result = run("new", "check-in", "--date", "2026-11-09", input=answers)
    assert result.exit_code == 0, result.output
    assert "3 actions still open, newest first." in result.stderr
    asked = re.findall(r"  (\S[^(]*?)  \((\w+)\)  \[d/k/x/\?\] ", result.stderr)
    assert asked == [("Call my sister", "r"), ("Breathe", "r"), ("Walk", "r")]
    r = (vault / "r.md").read_text()
    assert '  - "[x] Call my sister ✅ 2026-11-09"' in r
    assert (
        "  - text: Breathe\n    kind: internal\n" in r
        and "status" not in r.split("Breathe")[1].split("Walk")[0]
    )
    assert '  - "[-] Walk ❌ 2026-11-09"' in r
    checkin = (vault / "Integration/2026/2026-11-09 Check-in.md").read_text()
    assert "- Breathe — [[r]]" in checkin
    assert "Call my sister" not in checkin and "Walk" not in checkin
    statuses = {a.text: a.status for a in actions_of(vault)}
    assert statuses == {"Call my sister": "done", "Breathe": "open", "Walk": "dropped"}


def test_check_in_without_input_reviews_nothing(vault, run):
    build_tree(vault, VAULT)
    before = (vault / "r.md").read_bytes()
    assert run("new", "check-in", "--no-input", "--date", "2026-11-09").exit_code == 0
    assert (vault / "r.md").read_bytes() == before
    checkin = (vault / "Integration/2026/2026-11-09 Check-in.md").read_text()
    assert "- Call my sister — [[r]]" in checkin and "- Walk — [[r]]" in checkin


def test_record_keeps_mood():
    assert record_from_bytes("n.md", b"---\nmood: 7.5\n---\n").mood == 7.5


def test_a_session_counts_from_the_day_it_happened(vault, run):
    """The intention asks for the session's day (default: the note's date); follow-ups count from it."""
    answers = "\n".join(["", "", "", "", "2026-11-10", "", ""]) + "\n\n\n"  # 7 prompts, no actions
    made = run("new", "intention", "--date", "2026-11-01", input=answers)
    assert made.exit_code == 0, made.output
    text = (vault / made.stdout.splitlines()[-1]).read_text()
    assert "\nsession_date: 2026-11-10\n" in text
    due = json.loads(run("status", "--json").stdout)["due"]
    assert {"session": 1, "label": "2-day reflection", "since": "2026-11-12"} in [
        {k: d[k] for k in ("session", "label", "since")} for d in due
    ]
    skipped = run("new", "intention", "--date", "2026-11-20", "--no-input")
    assert "\nsession_date: 2026-11-20\n" in (vault / skipped.stdout.splitlines()[-1]).read_text()
