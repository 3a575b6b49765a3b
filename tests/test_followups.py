"""Follow-ups, the overview, `vaultkit status`, and the check-in carry-over review."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import overview, practice
from vaultkit.config import logical_today
from vaultkit.frontmatter import Problem
from vaultkit.notes import NoteRecord, record_from_bytes
from vaultkit.overview import Tally, mood_chart, render_overview, timeline_chart
from vaultkit.practice import label
from vaultkit.summary.derive import derive

from .helpers import actions_of, build_tree

CADENCE = {"reflection": (2,), "check-in": (7, 30)}


def facts(notes: list[NoteRecord], today: date) -> tuple[overview.Facts, practice.Practice]:
    """What every view works out from these notes for the overview, and the practice."""
    view = derive(notes)
    return view.facts(today), view.practice(CADENCE, today)


def follow_ups(notes, today):
    """(session, label, state) of every follow-up, through the store, as every view reads them."""
    return [(f.session, f.label, f.state) for f in facts(notes, today)[1].follow_ups]


def due_follow_ups(notes, cadence, today):
    assert cadence == CADENCE
    return facts(notes, today)[1].due()


def build_overview(notes, tally, today):
    found, model = facts(notes, today)
    return overview.build_overview(found, tally, model)


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
    assert [(d.label, d.due_on.isoformat(), d.command) for d in due] == [
        ("2-day reflection", "2026-12-30", "vaultkit new reflection --session 4"),
        ("1-month check-in", "2027-01-27", "vaultkit new check-in --session 4"),
    ]
    # the 1-week check-in's window closed on day 19 (2027-01-16): missed, not due
    assert (4, "1-week check-in", "missed") in follow_ups(notes, date(2027, 1, 31))
    assert due_follow_ups(notes, CADENCE, date(2026, 12, 29)) == []


def test_written_check_ins_clear_the_window_they_fall_in():
    base = [note("i.md", "intention", "2026-11-01", 1), note("r.md", "reflection", "2026-11-02", 1)]
    day = date(2026, 11, 10)
    assert [d.label for d in due_follow_ups(base, CADENCE, day)] == ["1-week check-in"]
    for early in ("2026-11-01", "2026-11-03", "2026-11-19"):  # from the session's day to day 18
        with_check_in = base + [note("c.md", "check-in", early, 1)]
        assert due_follow_ups(with_check_in, CADENCE, day) == [], early
        assert (1, "1-week check-in", "done") in follow_ups(with_check_in, day)
    late = base + [note("c.md", "check-in", "2026-11-20", 1)]  # day 19: the 1-month window
    assert follow_ups(late, date(2026, 12, 15))[1:] == [
        (1, "1-week check-in", "missed"),
        (1, "1-month check-in", "done"),
    ]
    both = base + [note("c.md", "check-in", "2026-11-05", 1), note("c2.md", "check-in", "2026-11-28", 1)]
    assert due_follow_ups(both, CADENCE, date(2026, 12, 15)) == []


def _as_the_docstring_says(notes, follow_ups, today):
    """practice.py's rule spelled out plainly, for comparison (no recorded next
    sessions here): a session's day is its intention's date, else its first
    note's; follow-up k of a type is cleared by a note of that type and session
    dated from the window's start (the session's day, or halfway since the
    previous one) to the next window's start (no end for the last); it is
    overtaken when due on or after the next session's day; else upcoming before
    its day, missed once its window (or the session) is over, due between."""
    usable = [n for n in notes if n.session is not None and n.date is not None and n.error is None]
    starts = {}
    for s in {n.session for n in usable}:
        mine = sorted((n.date, n.path, n.type) for n in usable if n.session == s)
        intentions = [d for d, _, t in mine if t == "intention"]
        starts[s] = date.fromisoformat(intentions[0] if intentions else mine[0][0])
    ordered = sorted(starts)
    found = []
    for position, session in enumerate(ordered):
        start = starts[session]
        following = starts[ordered[position + 1]] if position + 1 < len(ordered) else None
        for note_type, offsets in follow_ups.items():
            offsets = sorted(offsets)
            for k, days in enumerate(offsets):
                opens = (
                    start
                    if k == 0
                    else start + timedelta(days=offsets[k - 1] + (days - offsets[k - 1] + 1) // 2)
                )
                closes = None
                if k + 1 < len(offsets):
                    closes = start + timedelta(days=days + (offsets[k + 1] - days + 1) // 2)
                due_on = start + timedelta(days=days)
                cleared = any(
                    n.session == session
                    and n.type == note_type
                    and opens <= date.fromisoformat(n.date)
                    and (closes is None or date.fromisoformat(n.date) < closes)
                    for n in usable
                )
                over = [d for d in (closes, following) if d is not None]
                if cleared:
                    state = "done"
                elif following is not None and due_on >= following:
                    state = "overtaken"
                elif due_on > today:
                    state = "upcoming"
                elif over and today >= min(over):
                    state = "missed"
                else:
                    state = "due"
                found.append((session, label(days, note_type), state))
    return sorted(found)


@settings(max_examples=300, deadline=None)
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
def test_follow_ups_follow_the_rule_as_written(rows, today_offset):
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
    assert sorted(follow_ups(notes, today)) == _as_the_docstring_says(notes, CADENCE, today)


def test_a_new_session_takes_over_later_follow_ups():
    notes = [
        note("i1.md", "intention", "2026-11-01", 1),
        note("r1.md", "reflection", "2026-11-02", 1),
        note("i2.md", "intention", "2026-11-20", 2),
        note("r2.md", "reflection", "2026-11-21", 2),
    ]
    due = due_follow_ups(notes, CADENCE, date(2026, 11, 30))
    assert [(d.session, d.label) for d in due] == [(2, "1-week check-in")]
    states = follow_ups(notes, date(2026, 11, 30))
    assert (1, "1-week check-in", "missed") in states and (1, "1-month check-in", "overtaken") in states


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
    overview = build_overview(notes, Tally(), date(2027, 1, 14))
    assert overview.weeks_in_a_row == 5
    assert overview.days_since_last_note == 2
    # This week without a note yet still counts from last week; a gap breaks it.
    assert build_overview(notes, Tally(), date(2027, 1, 19)).weeks_in_a_row == 5
    assert build_overview(notes, Tally(), date(2027, 1, 26)).weeks_in_a_row == 0


def test_charts_text_is_deterministic():
    notes = [
        note("a.md", "intention", "2026-11-01", 1, 4.0),
        note("b.md", "reflection", "2026-11-02", 1, 6.5),
        note("c.md", "check-in", "2026-11-09", 1, 7.0),
    ]
    overview = build_overview(notes, Tally(), date(2026, 11, 24))
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
    assert render_overview(overview) == render_overview(build_overview(notes, Tally(), date(2026, 11, 24)))
    single = build_overview(notes[:1], Tally(), date(2026, 11, 24))
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
    # on 2026-12-01 the 1-week check-in's window (to day 18) is over: the 1-month one is due
    assert "Session 1: 1-month check-in since 2026-12-01  ->  vaultkit new check-in --session 1" in lines[1]
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


# ---------------------------------------------------------------- letting a follow-up go


def test_skip_records_the_dismissal_in_the_intention_and_nothing_else(vault, run, monkeypatch):
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-10T12:00")
    original = (
        "---\r\ntype: intention\r\ndate: 2026-11-01\r\nsession: 1\r\n# kept\r\ntags: [a]\r\n---\r\nBody\r\n"
    )
    build_tree(
        vault, {"i.md": original, "r.md": "---\ntype: reflection\ndate: 2026-11-01\nsession: 1\n---\n"}
    )
    assert "Session 1: 1-week check-in since 2026-11-08" in run("status").stdout
    wrong = run("skip", "1", "2-week")
    assert wrong.exit_code == 1
    assert "its follow-ups are: 2-day reflection, 1-week check-in, 1-month check-in" in wrong.stderr
    assert (vault / "i.md").read_bytes().decode() == original
    done = run("skip", "1", "1-week")
    assert done.exit_code == 0, done.output
    assert done.stdout == "Let go: session 1's 1-week check-in  (i.md)\n"
    expected = original.replace("tags: [a]\r\n", 'tags: [a]\r\ndismissed:\r\n  - "1-week check-in"\r\n')
    assert (vault / "i.md").read_bytes().decode() == expected
    assert "Due: nothing right now." in run("status").stdout
    assert run("skip", "1", "check-in").exit_code == 0  # the rest of the check-ins, by type
    assert (vault / "i.md").read_bytes().decode().count("\r\n  - ") == 2
    assert run("skip", "1", "check-in").stdout == (
        "Nothing to let go: session 1's 1-week check-in (already let go), 1-month check-in (already let go)\n"
    )
    assert run("skip", "1", "reflection").stdout.endswith("2-day reflection (written)\n")
    assert run("check").exit_code == 0


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("---\na: 1\n---\n", '---\na: 1\ndismissed:\n  - "all"\n---\n'),
        ("---\ndismissed: []\nb: 2\n---\n", '---\ndismissed:\n  - "all"\nb: 2\n---\n'),
        ("---\ndismissed:\n- x\nb: 2\n---\n", '---\ndismissed:\n- x\n  - "all"\nb: 2\n---\n'),
    ],
)
def test_an_item_is_added_to_a_list_property_touching_nothing_else(before, after):
    from vaultkit.writeback import WritebackError, add_to_list

    try:
        got = add_to_list(before.encode(), "dismissed", "all").decode()
    except WritebackError:
        got = None
    # a block list written without indent takes an indented item only if YAML reads it the same
    assert got in (after, None) if before.endswith("- x\nb: 2\n---\n") else got == after


def test_a_list_property_in_another_shape_is_left_for_the_person():
    from vaultkit.writeback import WritebackError, add_to_list

    with pytest.raises(WritebackError, match="add 'all' by hand"):
        add_to_list(b"---\ndismissed: [x, y]\n---\n", "dismissed", "all")


def test_two_questions_under_one_heading_each_keep_their_question(vault, run):
    template = (
        "---\ntype: mine\n---\n## Faded and stayed\n<!-- prompt: What has faded? -->\n\n"
        "<!-- prompt: What has stayed? -->\n\n## Alone\n<!-- prompt: One more? -->\n"
    )
    build_tree(vault, {".vaultkit/templates/mine.md": template})
    made = run("new", "mine", "--date", "2026-11-24", input="The hands.\nWarm hands.\nYes.\n\n\n")
    assert made.exit_code == 0, made.output
    text = (vault / made.stdout.splitlines()[-1]).read_text()
    assert text.endswith(
        "## Faded and stayed\n**What has faded?**\nThe hands.\n\n**What has stayed?**\nWarm hands.\n\n"
        "## Alone\nYes.\n"
    )


def test_before_the_first_sessions_day_the_overview_names_it(vault, run, monkeypatch):
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-03T21:00")
    build_tree(
        vault, {"i.md": "---\ntype: intention\ndate: 2026-11-03\nsession: 1\nsession_date: 2026-11-05\n---\n"}
    )
    assert run("index").exit_code == 0
    assert (
        "- Sessions: none yet (session 1 is on 2026-11-05)\n"
        in (vault / "Integration Actions.md").read_text()
    )


def test_a_reflection_on_the_recorded_next_session_day_opens_that_session(vault, run, monkeypatch):
    """With next_session recorded and no intention written for it, the reflection
    written on (or after) that day belongs to the new session, not the old one."""
    build_tree(
        vault,
        {
            "i.md": "---\ntype: intention\ndate: 2026-12-01\nsession: 1\n---\n",
            "r.md": "---\ntype: reflection\ndate: 2026-12-01\nsession: 1\nnext_session: 2026-12-15\n---\n",
        },
    )
    monkeypatch.setenv("VAULTKIT_NOW", "2026-12-14T21:00")
    before = run("new", "check-in", "--no-input")  # the day before: still session 1's
    assert "\nsession: 1\n" in (vault / before.stdout.splitlines()[-1]).read_text()
    monkeypatch.setenv("VAULTKIT_NOW", "2026-12-15T21:00")
    made = run("new", "reflection", "--no-input")
    assert made.exit_code == 0, made.output
    assert "\nsession: 2\n" in (vault / made.stdout.splitlines()[-1]).read_text()
    monkeypatch.setenv("VAULTKIT_NOW", "2026-12-23T12:00")
    assert "Session 2: 1-week check-in since 2026-12-22" in run("status").stdout
