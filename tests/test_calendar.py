"""`vaultkit calendar`: the practice's follow-ups and next session as an .ics file,
read back with two parsers; stable ids, alarms, and never a word of a note."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject

from .helpers import build_tree, default_sigint, read_until

CALENDAR = "Integration Calendar.ics"
# Session 1 on 2026-11-28, its reflection written, the next session recorded for 2026-12-15.
NOTES = {
    "Integration/2026-11-28 Intention.md": "---\ntype: intention\ndate: 2026-11-28\nsession: 1\n---\n",
    "Integration/2026-11-28 Reflection.md": (
        "---\ntype: reflection\ndate: 2026-11-28\nsession: 1\nnext_session: 2026-12-15\n---\n"
    ),
}
# The 1-month check-in (2026-12-28) falls after session 2's day: session 2 overtakes it, no alarm.
# Uids start with the course's first day, so a later course never reuses one.
EXPECTED = {
    "vaultkit-20261128-session-1-1-week-check-in": (
        date(2026, 12, 5),
        "Integration 1-week check-in (session 1)",
    ),
    "vaultkit-20261128-session-2": (date(2026, 12, 15), "Integration session 2"),
}


def configure(vault: Path, *lines: str) -> None:
    (vault / ".vaultkit" / "config.yaml").write_text("\n".join(["timezone: UTC", *lines]) + "\n")


def parsed(path: Path) -> dict[str, tuple[date, str, timedelta]]:
    """uid -> (day, title, alarm offset), by icalendar, checked against vobject."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    found = {}
    for event in cal.walk("VEVENT"):
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        found[str(event["uid"])] = (
            event.decoded("dtstart"),
            str(event["summary"]),
            alarm.decoded("trigger"),
        )
    again = vobject.readOne(path.read_text())
    assert {
        e.uid.value: (e.dtstart.value, e.summary.value, e.valarm.trigger.value) for e in again.vevent_list
    } == found
    return found


def test_follow_ups_and_the_next_session_become_events_with_alarms(vault, run):
    build_tree(vault, NOTES)
    configure(vault)
    result = run("calendar")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{CALENDAR}: 2 events"
    found = parsed(vault / CALENDAR)
    assert {uid: (day, title) for uid, (day, title, _alarm) in found.items()} == EXPECTED
    assert {alarm for *_, alarm in found.values()} == {timedelta(hours=9)}
    assert (os.stat(vault / CALENDAR).st_mode & 0o077) == 0


def test_a_run_that_changes_nothing_leaves_the_file_alone(vault, run):
    build_tree(vault, NOTES)
    configure(vault)
    run("calendar")
    path = vault / CALENDAR
    before = path.read_bytes()
    os.utime(path, (1_000_000, 1_000_000))
    again = run("calendar")
    assert again.stdout.splitlines()[0] == f"{CALENDAR}: 2 events (unchanged)"
    assert path.read_bytes() == before and path.stat().st_mtime == 1_000_000


def test_writing_the_check_in_removes_its_event_and_keeps_the_others_ids(vault, run):
    build_tree(vault, NOTES)
    configure(vault)
    run("calendar")
    build_tree(
        vault,
        {"Integration/2026-12-01 Check-in.md": "---\ntype: check-in\ndate: 2026-12-01\nsession: 1\n---\n"},
    )
    run("calendar")
    found = parsed(vault / CALENDAR)
    assert set(found) == set(EXPECTED) - {"vaultkit-20261128-session-1-1-week-check-in"}


def test_the_alarm_hour_and_the_file_are_the_persons_to_set(vault, run):
    build_tree(vault, NOTES)
    configure(vault, 'calendar: "Phone/Reminders.ics"', 'calendar_alarm: "07:30"')
    result = run("calendar")
    assert result.stdout == "Phone/Reminders.ics: 2 events\n", result.stderr
    found = parsed(vault / "Phone" / "Reminders.ics")
    assert {alarm for *_, alarm in found.values()} == {timedelta(hours=7, minutes=30)}


def test_a_bad_calendar_setting_is_named_and_stops_nothing(vault, run):
    """A typo in a calendar setting is said with its file and line; the calendar is
    then not kept by index (nor watch), and every other command goes on."""
    build_tree(vault, NOTES)
    configure(vault, 'calendar: "Integration Calendar.ics"', 'calendar_alarm: "quarter past"')
    result = run("index")
    assert result.exit_code == 0
    assert (
        'config.yaml:3: calendar_alarm must look like "09:00" (a time of day, 00:00 to 23:59), '
        "not 'quarter past'; the calendar file is not kept current until it is fixed"
    ) in result.stderr
    assert not (vault / CALENDAR).exists()
    made = run("new", "reflection", "--no-input")
    assert made.exit_code == 0, made.stderr


def test_a_calendar_path_that_cannot_be_a_file_is_a_clear_error(vault, run):
    build_tree(vault, NOTES)
    configure(vault, 'calendar: "Integration/2026-11-28 Intention.md/x.ics"')
    result = run("calendar")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Integration/2026-11-28 Intention.md/x.ics cannot be written")
    configure(vault, 'calendar: "/tmp/elsewhere.ics"')
    outside = run("index")
    assert "config.yaml:2: calendar must be a file inside the vault" in outside.stderr


def test_without_the_setting_the_command_says_how_to_keep_the_file_current(vault, run):
    build_tree(vault, NOTES)
    configure(vault)
    result = run("calendar")
    assert result.stdout.splitlines()[0] == f"{CALENDAR}: 2 events"
    assert "calendar:" in result.stdout and "keep it current" in result.stdout


def test_no_event_holds_a_word_from_any_note(vault, run):
    markers = ["ZEBRAFINCH", "QUOKKA", "MARMOSET", "AXOLOTL", "NARWHAL"]
    build_tree(
        vault,
        {
            "Integration/2026-11-28 ZEBRAFINCH.md": (
                "---\ntype: intention\ndate: 2026-11-28\nsession: 1\ntitle: QUOKKA\n"
                'tags: [MARMOSET]\nactions:\n  - "[ ] AXOLOTL #mind"\nnext_session: 2026-12-15\n---\n'
                "# NARWHAL\nZEBRAFINCH QUOKKA\n"
            ),
        },
    )
    configure(vault)
    result = run("calendar")
    assert result.exit_code == 0, result.stderr
    text = (vault / CALENDAR).read_text()
    assert "Integration 2-day reflection (session 1)" in text
    assert not [word for word in markers if word.lower() in (text + result.output).lower()]


def test_with_the_setting_index_keeps_the_file_and_a_problem_stops_nothing(vault, run):
    build_tree(vault, NOTES)
    configure(vault, 'calendar: "Integration Calendar.ics"')
    assert run("index").exit_code == 0
    assert set(parsed(vault / CALENDAR)) == set(EXPECTED)
    (vault / CALENDAR).unlink()
    (vault / CALENDAR).mkdir()  # a folder where the file goes: said, and the summary still kept
    build_tree(vault, {"a.md": "---\nactions: [Walk]\n---\n"})
    result = run("index")
    assert result.exit_code == 0
    assert "Integration Calendar.ics is a folder" in result.stderr
    assert "- [ ] Walk" in (vault / "Integration Actions.md").read_text()


def test_without_the_setting_index_writes_no_calendar(vault, run):
    build_tree(vault, NOTES)
    configure(vault)
    assert run("index").exit_code == 0
    assert not (vault / CALENDAR).exists()


@pytest.mark.slow
def test_a_running_watcher_keeps_the_calendar_current(vault):
    build_tree(vault, NOTES)
    configure(vault, 'calendar: "Integration Calendar.ics"')
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "--vault", str(vault), "watch", "--debounce", "0.2"],
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        preexec_fn=default_sigint,
    )
    try:
        read_until(proc.stderr, b"Watching")
        path = vault / CALENDAR
        assert set(parsed(path)) == set(EXPECTED)
        build_tree(
            vault,
            {
                "Integration/2026-12-01 Check-in.md": "---\ntype: check-in\ndate: 2026-12-01\nsession: 1\n---\n"
            },
        )
        deadline = time.monotonic() + 15
        while "1-week-check-in" in path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert set(parsed(path)) == set(EXPECTED) - {"vaultkit-20261128-session-1-1-week-check-in"}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
