"""The practice as an iCalendar file that a phone's own calendar follows: one
all-day event per follow-up still to write and per known next session, each
with an alarm at the hour the person set. Events name only a kind and a session
number, never note text. Pure: `render` gives the same bytes for the same practice."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from icalendar import Alarm, Calendar, Event

from vaultkit.atomic import make_dirs, snapshot, swap_until_done
from vaultkit.errors import VaultkitError
from vaultkit.practice import Practice

if TYPE_CHECKING:
    from vaultkit.fs import Vault

PRODID = "-//vaultkit//Integration Calendar//EN"
DEFAULT_FILE = "Integration Calendar.ics"


def events(practice: Practice) -> list[tuple[date, str, str]]:
    """(day, uid, title) for each event, by day: what the practice has still to
    come (Practice.to_come). A uid depends only on the course, the session and
    the kind, so a re-imported file updates its events instead of adding copies."""
    found: dict[str, tuple[date, str, str]] = {}
    # The course of sessions the events belong to, by its first day: a new vault
    # for a later course (or a second person's) never reuses an event's uid.
    course = f"vaultkit-{practice.sessions[0].day:%Y%m%d}" if practice.sessions else "vaultkit"
    follow_ups, sessions = practice.to_come()
    for f in follow_ups:
        uid = f"{course}-session-{f.session}-{_slug(f.label)}"
        found[uid] = (f.due_on, uid, f"Integration {f.label} (session {f.session})")
    for session, day in sessions:
        uid = f"{course}-session-{session}"
        found[uid] = (day, uid, f"Integration session {session}")
    return sorted(found.values())


def render(practice: Practice, alarm: time) -> bytes:
    """The calendar's bytes. DTSTAMP is the event's own day, not the time of the
    run, so the file changes only when an event does."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Integration")
    for day, uid, title in events(practice):
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", datetime.combine(day, time(), tzinfo=timezone.utc))
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", title)
        event.add("transp", "TRANSPARENT")
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", title)
        # Relative to the start of an all-day event: that day, at the hour set.
        reminder.add("trigger", timedelta(hours=alarm.hour, minutes=alarm.minute))
        event.add_component(reminder)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def update(vault: Vault, practice: Practice) -> tuple[str, int, bool]:
    """Write the calendar where the config says (else DEFAULT_FILE), only when its
    bytes change: (vault-relative path, events, whether it was written)."""
    from vaultkit.fs import safe_target

    rel = vault.config.calendar or DEFAULT_FILE
    path = safe_target(vault, rel)
    if path.is_dir():
        raise VaultkitError(f"{rel} is a folder; set calendar: to a file name in .vaultkit/config.yaml")
    data = render(practice, vault.config.calendar_alarm)
    try:
        make_dirs(path.parent, vault.config.dir_mode)
        snap = snapshot(path)
        if snap.data == data:
            return rel, len(events(practice)), False
        # Only vaultkit writes it, but a sync client may replace it meanwhile: compare-and-swap.
        if not swap_until_done(snap, lambda _old: data, vault.config.file_mode):
            raise VaultkitError(f"{rel} kept changing while it was written; run vaultkit calendar again")
    except (NotADirectoryError, FileExistsError, IsADirectoryError) as exc:
        raise VaultkitError(
            f"{rel} cannot be written ({exc.strerror}); set calendar: in .vaultkit/config.yaml "
            "to a file name in the vault"
        ) from None
    return rel, len(events(practice)), True
