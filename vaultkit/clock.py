"""The one "now" vaultkit asks.

Every date-dependent rule (today's note, the journaling day, follow-ups, the
watcher's day roll, nudges, the brief's span) reads the time here. The
environment variable VAULTKIT_NOW fixes it, to reproduce a day in tests,
demos and bug reports: an ISO date (`2026-11-24`, noon that day) or datetime
(`2026-11-24T20:00`), in the vault's time zone unless it carries its own.
"""

from __future__ import annotations

import os
from datetime import datetime, time, tzinfo

from vaultkit.actions import parse_date
from vaultkit.errors import ConfigError

ENV = "VAULTKIT_NOW"


def now(zone: tzinfo | None = None) -> datetime:
    """Now, aware, in `zone` (the device's own zone when None)."""
    fixed = os.environ.get(ENV, "").strip()
    if not fixed:
        return datetime.now(zone) if zone is not None else datetime.now().astimezone()
    moment = parse(fixed)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def parse(value: str) -> datetime:
    """VAULTKIT_NOW's value as a datetime (naive unless it names an offset)."""
    day = parse_date(value, whole=True)
    if day is not None:
        return datetime.combine(day, time(12, 0))
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{ENV}={value!r} is not a date or time; use e.g. {ENV}=2026-11-24 or {ENV}=2026-11-24T20:00, "
            f"or unset it to use the clock"
        ) from None
