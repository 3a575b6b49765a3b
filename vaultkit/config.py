"""Settings: the defaults, overridden by `.vaultkit/config.yaml`, each setting
checked and converted by its entry in FIELDS."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from vaultkit.errors import ConfigError

CONFIG_TEMPLATE = """\
# vaultkit settings for this vault.
# Every setting is optional and shown with its default: remove the leading
# "# " from a line to change it. Paths are relative to the vault folder.

# Where `vaultkit new` puts a note. Placeholders: {{date:FORMAT}} (Moment-style
# tokens such as YYYY, MM, DD, dddd), {{title}}, {{type}}, {{session}}.
# note_path: "Integration/{{date:YYYY}}/{{date:YYYY-MM-DD}} {{title}}.md"

# The rolling summary note that `vaultkit index` and `vaultkit watch` keep.
# summary_path: "Integration Actions.md"

# Where `vaultkit brief` puts the page for your next session (same placeholders).
# brief_path: "Briefs/{{date:YYYY-MM-DD}} Brief.md"

# When your day starts. With "04:00", a note written at 01:30 belongs to the
# evening before.
# day_starts_at: "00:00"

# The time zone "today" is in, for every device that syncs this vault (an
# IANA name). `vaultkit init` wrote the zone of the device it ran on, so that
# devices elsewhere agree on what is due and overdue (and do not rewrite each
# other's summary); without it, each device uses its own.
@TIMEZONE@

# Extra files and folders never to read (glob patterns, relative to the vault).
# Dot-folders such as .obsidian, .trash and .git are always skipped.
# ignore: ["Archive/**", "Templates/**"]

# Follow-ups after each session, in days after the session date.
# follow_ups:
#   reflection: 2
#   check-in: [7, 30]

# How many days a done action stays in the summary's "Done in the last N days".
# recently_done_days: 14

# Notes larger than this many megabytes are skipped with a message.
# max_note_mb: 10

# Permission bits for files and folders vaultkit creates (owner-only).
# file_mode: "0600"
# dir_mode: "0700"

# Nudges: while `vaultkit watch` (or the login service) runs, it can tell you
# when a reflection or check-in is due, and again once a day while it stays
# due. The message names no note and holds no note text, only
# "vaultkit: a check-in is due (session 3)". `vaultkit nudges --test` tries it.
#   off      no nudges
#   desktop  a desktop notification (notify-send on Linux, osascript on macOS)
#   command  run notify_command, with the message added as its last argument
# notify: off

# The program `notify: command` runs, with its arguments (no shell: quote an
# argument that holds spaces), e.g. "ntfy publish my-topic" or a script of
# yours that mails or messages you. It is stopped after 10 seconds.
# notify_command: ""

# No nudges between these times (the vault's time zone); one that falls due
# meanwhile waits until they end. "" for none.
# notify_quiet: "22:00-08:00"

# A calendar file your phone's own calendar can follow: one event for each
# follow-up still to write and for the next session, with an alarm. Events
# name only the kind and the session. `vaultkit calendar` writes it; set
# this and `vaultkit index` and `vaultkit watch` keep it current.
# calendar: "Integration Calendar.ics"

# When each event's alarm sounds, on its day.
# calendar_alarm: "09:00"

# Check-ins can also ask the five items of the WHO-5 Well-Being Index (each
# optional); the overview and the brief then show its 0-100 score over time.
# wellbeing: off
"""

_DAY_START = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_QUIET = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
NOTIFY_CHANNELS = ("off", "desktop", "command")


class Config(NamedTuple):
    """Settings for one vault; see CONFIG_TEMPLATE for what each one means."""

    note_path: str = "Integration/{{date:YYYY}}/{{date:YYYY-MM-DD}} {{title}}.md"
    summary_path: str = "Integration Actions.md"
    brief_path: str = "Briefs/{{date:YYYY-MM-DD}} Brief.md"
    day_starts_at: time = time(0, 0)
    ignore: tuple[str, ...] = ()
    follow_ups: Mapping[str, tuple[int, ...]] = MappingProxyType({"reflection": (2,), "check-in": (7, 30)})
    recently_done_days: int = 14
    max_note_mb: float = 10
    file_mode: int = 0o600
    dir_mode: int = 0o700
    timezone: str | None = None  # an IANA name; None: the device's own
    notify: str = "off"  # one of NOTIFY_CHANNELS
    notify_command: tuple[str, ...] = ()  # argv, split as a shell would but run without one
    notify_quiet: tuple[time, time] | None = (time(22, 0), time(8, 0))  # start, end; may span midnight
    calendar: str | None = None  # the .ics file `watch` keeps (`vaultkit calendar` writes it anyway)
    calendar_alarm: time = time(9, 0)  # when each event's alarm sounds, on its day
    wellbeing: str = "off"  # "who5": check-ins ask the WHO-5 Well-Being Index
    warnings: tuple[str, ...] = ()  # settings that were set aside (not a setting itself)

    @property
    def who5(self) -> bool:
        """Check-ins ask the WHO-5, and its scores are shown."""
        return self.wellbeing == "who5"

    @property
    def max_note_bytes(self) -> int:
        return int(self.max_note_mb * 1024 * 1024)


Converter = Callable[[str, Any], Any]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(fits: Callable[[Any], bool], message: str) -> Converter:
    """A setting taken as it is once it `fits`; else `message` (with {key} and {value})."""

    def convert(key: str, value: Any) -> Any:
        if not fits(value):
            raise ConfigError(message.format(key=key, value=value))
        return value

    return convert


def _clock(example: str, default: time) -> Converter:
    """A time of day, "HH:MM"; a whole number is an hour (`day_starts_at: 4` is
    04:00); left empty, the default."""

    def convert(key: str, value: Any) -> time:
        if value is None or value == "":
            return default
        if _whole(value) and 0 <= value <= 23:
            value = f"{value:02d}:00"
        match = _DAY_START.match(str(value).strip())
        if not match:
            raise ConfigError(
                f'{key} must look like "{example}" (a time of day, 00:00 to 23:59), not {value!r}'
            )
        return time(int(match[1]), int(match[2]))

    return convert


def _wellbeing(key: str, value: Any) -> str:
    if value is False or value is None or value == "":  # YAML 1.1 reads an unquoted `off` as false
        return "off"
    if not isinstance(value, str) or value.strip().lower() not in ("off", "who5"):
        raise ConfigError(f"wellbeing must be off or who5, not {value!r}")
    return value.strip().lower()


def _calendar(key: str, value: Any) -> str | None:
    if value is None or value is False or value == "" or str(value).strip().lower() == "off":
        return None
    if value is True:
        return "Integration Calendar.ics"
    text = str(value).strip()
    if text.startswith(("/", "\\", "~")) or ":" in text or ".." in text.replace("\\", "/").split("/"):
        raise ConfigError(
            f'calendar must be a file inside the vault, like "Integration Calendar.ics", not {value!r}'
        )
    if not isinstance(value, str) or not text.lower().endswith(".ics"):
        raise ConfigError(
            f'calendar must be a file name ending in .ics, like "Integration Calendar.ics", not {value!r}'
        )
    return value.strip()


def _globs(key: str, value: Any) -> tuple[str, ...]:
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("ignore must be a list of glob patterns")
    return tuple(value)


def _follow_ups(key: str, value: Any) -> dict[str, tuple[int, ...]]:
    if not isinstance(value, dict):
        raise ConfigError("follow_ups must map a note type to days, e.g. check-in: [7, 30]")
    result = {}
    for kind, days in value.items():
        days = days if isinstance(days, list) else [days]
        if not all(_whole(d) and d >= 0 for d in days):
            raise ConfigError(f"follow_ups.{kind} must be a number of days or a list of them")
        result[str(kind)] = tuple(days)
    return result


def _mode(key: str, value: Any) -> int:
    if _whole(value):
        # YAML 1.1 reads 0600 as octal already; 600 (decimal) is a common slip.
        text = str(value) if value > 0o777 or value == 600 else oct(value)[2:]
    elif isinstance(value, str):
        text = value
    else:
        raise ConfigError(f'{key} must be an octal string like "0600"')
    try:
        mode = int(text, 8)
    except ValueError:
        raise ConfigError(f'{key} must be an octal string like "0600", not {value!r}') from None
    if not 0 <= mode <= 0o777:
        raise ConfigError(f"{key} must be between 0000 and 0777")
    return mode


def _zone(key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'timezone must be an IANA time zone name like "Europe/London", not {value!r}'
        ) from None
    return str(value)


def _notify(key: str, value: Any) -> str:
    if value is False or value is None:  # YAML 1.1 reads an unquoted `off` as false
        return "off"
    if not isinstance(value, str) or value.strip().lower() not in NOTIFY_CHANNELS:
        raise ConfigError(f"notify must be off, desktop or command, not {value!r}")
    return value.strip().lower()


def _command(key: str, value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)  # already split: nothing for shlex to misread (Windows paths, say)
    if not isinstance(value, str):
        raise ConfigError('notify_command must be a command line like "ntfy publish my-topic"')
    import shlex

    try:
        argv = shlex.split(value)
    except ValueError as exc:  # an unclosed quote
        raise ConfigError(f"notify_command cannot be split into words ({exc}); check its quotes") from None
    if not argv:
        raise ConfigError('notify_command must name a program, like "ntfy publish my-topic"')
    return tuple(argv)


def _quiet(key: str, value: Any) -> tuple[time, time] | None:
    if value is None or value is False or value == "" or str(value).strip().lower() in ("off", "none"):
        return None
    match = _QUIET.match(str(value))
    if not match:
        raise ConfigError(f'notify_quiet must look like "22:00-08:00" (from-to), not {value!r}')
    start, end = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
    if start == end:
        raise ConfigError('notify_quiet starts and ends at the same time; use "" for no quiet hours')
    return start, end


# Each setting of the file and what checks it and turns it into the type Config holds.
_PATH = _checked(lambda v: isinstance(v, str) and bool(v.strip()), "{key} must be a non-empty text")
FIELDS: dict[str, Converter] = {
    "note_path": _PATH,
    "summary_path": _PATH,
    "brief_path": _PATH,
    "day_starts_at": _clock("04:00", time(0, 0)),
    "ignore": _globs,
    "follow_ups": _follow_ups,
    "recently_done_days": _checked(
        lambda v: _whole(v) and v >= 0, "recently_done_days must be a whole number of days"
    ),
    "max_note_mb": _checked(
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
        "max_note_mb must be a positive number",
    ),
    "file_mode": _mode,
    "dir_mode": _mode,
    "timezone": _zone,
    "notify": _notify,
    "notify_command": _command,
    "notify_quiet": _quiet,
    "calendar": _calendar,
    "calendar_alarm": _clock("09:00", time(9, 0)),
    "wellbeing": _wellbeing,
}
# A mistake in these turns nudges off, with a warning; it never stops a command.
# A mistake in one of these turns its feature off with a warning (setting, value
# meaning off, what is said); it never stops a command.
SOFT_SETTINGS = {
    **dict.fromkeys(("notify", "notify_command", "notify_quiet"), ("notify", "off", "nudges are off")),
    **dict.fromkeys(
        ("calendar", "calendar_alarm"), ("calendar", None, "the calendar file is not kept current")
    ),
    "wellbeing": ("wellbeing", "off", "check-ins do not ask the WHO-5"),
}


def in_quiet_hours(quiet: tuple[time, time] | None, moment: time) -> bool:
    """Whether a wall-clock time falls in quiet hours (which may span midnight)."""
    if quiet is None:
        return False
    start, end = quiet
    moment = moment.replace(second=0, microsecond=0, tzinfo=None)
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def config_text() -> str:
    """What `vaultkit init` writes: every setting commented, but this device's time zone."""
    try:
        import tzlocal

        tzlocal.reload_localzone()  # as the device is now (it caches the first answer)
        zone = tzlocal.get_localzone_name()
        _zone("timezone", zone)
        line = f'timezone: "{zone}"'
    except Exception:  # no zone to be found (a bare container, say): leave it to each device
        line = '# timezone: "Europe/London"'
    return CONFIG_TEMPLATE.replace("@TIMEZONE@", line)


def config_from_mapping(data: Any, source: str, lines: dict[str, str] | None = None) -> Config:
    """Build a Config from the parsed config file; `source` names it in errors,
    and `lines` gives each key's `:LINE` in it."""
    lines = lines or {}
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected settings as `key: value` lines")
    unknown = sorted(str(k) for k in data if k not in FIELDS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown {'setting' if len(unknown) == 1 else 'settings'} {', '.join(unknown)}; "
            f"known settings are {', '.join(sorted(FIELDS))}"
        )
    values: dict[str, Any] = {}
    broken: dict[str, str] = {}  # feature -> the warning for it
    for key, value in data.items():
        try:
            values[key] = FIELDS[key](key, value)
        except ConfigError as exc:
            if key not in SOFT_SETTINGS:
                raise ConfigError(f"{source}{lines.get(key, '')}: {exc}") from None
            broken.setdefault(SOFT_SETTINGS[key][0], f"{source}{lines.get(key, '')}: {exc}")
    if values.get("notify") == "command" and not values.get("notify_command"):
        broken.setdefault(
            "notify",
            f"{source}{lines.get('notify', '')}: notify is command but notify_command is not set; "
            'add e.g. notify_command: "ntfy publish my-topic", or use notify: desktop',
        )
    warnings = []
    for feature, (setting, off, said) in {v[0]: v for v in SOFT_SETTINGS.values()}.items():
        if feature in broken:  # a side feature never stops the work itself (ticks, the summary)
            values[setting] = off
            warnings.append(f"{broken[feature]}; {said} until it is fixed")
    return Config(**values, warnings=tuple(warnings))


def logical_today(now: datetime, day_starts_at: time) -> date:
    """Today's date for journaling: before `day_starts_at` it is still yesterday."""
    return (now - timedelta(hours=day_starts_at.hour, minutes=day_starts_at.minute)).date()


def now(config: Config) -> datetime:
    """Now, in the vault's time zone (the device's own if it has none), from the one clock."""
    from zoneinfo import ZoneInfo

    from vaultkit import clock

    return clock.now(ZoneInfo(config.timezone) if config.timezone else None)


def local_today(config: Config) -> date:
    return logical_today(now(config), config.day_starts_at)
