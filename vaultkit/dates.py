"""The journaling day. Pure and tiny: imported on every command's start-up."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta


def logical_today(now: datetime, day_starts_at: time) -> date:
    """Today's date for journaling: before `day_starts_at` it is still yesterday."""
    shift = timedelta(hours=day_starts_at.hour, minutes=day_starts_at.minute)
    return (now - shift).date()


def local_today(day_starts_at: time) -> date:
    return logical_today(datetime.now().astimezone(), day_starts_at)
