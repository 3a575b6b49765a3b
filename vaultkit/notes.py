"""One note read into a record: its type, date, session, mood and actions,
with every problem located at a file line. Pure but for `read_note`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vaultkit.actions import DOMAINS, Action, iso_date, parse_actions, session_number
from vaultkit.frontmatter import (
    MAX_FRONTMATTER_BYTES,
    NoteError,
    Problem,
    comments_after_items,
    item_lines,
    parse_frontmatter,
)
from vaultkit.fs import NoteFile, Vault, read_head, template_files
from vaultkit.wellbeing import read as read_wellbeing

# The shipped note types, in the order of the practice, and when each is written.
NOTE_TYPES = {
    "intention": "before a session",
    "reflection": "after it",
    "check-in": "a week or a month later",
}
BRIEF_TYPE = "brief"  # `vaultkit brief`'s notes: vaultkit's own, never integration work
# Bumped when what is read from a note changes: the store then reads every note again.
READER_VERSION = 7
_HEAD = MAX_FRONTMATTER_BYTES + 8192  # enough of a note to hold any frontmatter vaultkit reads


@dataclass(frozen=True)
class NoteRecord:
    """What vaultkit reads from one note."""

    path: str
    type: str | None = None
    date: str | None = None
    session: int | None = None
    mood: float | None = None
    actions: tuple[Action, ...] = ()
    problems: tuple[Problem, ...] = ()  # schema problems; the note was still read
    error: Problem | None = None  # the note could not be read at all
    session_date: str | None = None  # an intention's: the day the session is, when not the note's
    wheel: tuple[tuple[str, float], ...] = ()  # (domain, 0-10) a check-in's integration wheel gave
    next_session: str | None = None  # the day the person said their next session is
    dismissed: tuple[str, ...] = ()  # follow-ups of this session the person let go ("1-week check-in")
    wellbeing: int | None = None  # a check-in's WHO-5 score, 0-100, when all five items were answered

    @property
    def integration(self) -> bool:
        """A note of the integration work: what follow-ups and the overview count."""
        return self.error is None and (self.type in NOTE_TYPES or self.session is not None)


def record_from_bytes(path: str, data: bytes, complete: bool = True) -> NoteRecord:
    """Read one note's frontmatter into a record; never raises on bad input."""
    try:
        fm = parse_frontmatter(data, complete)
    except NoteError as exc:
        return NoteRecord(path, error=exc.problem)
    meta = fm.meta
    if not meta:
        return NoteRecord(path)  # no frontmatter, or an empty one: nothing to read
    problems: list[tuple[int | None, str, str]] = []  # (item, message, key)
    type_ = meta.get("type")
    if type_ is not None and (not isinstance(type_, str) or not type_.isprintable()):
        problems.append((None, "type must be one line of text, such as reflection", "type"))
        type_ = None
    dates = {key: iso_date(meta.get(key)) for key in ("date", "session_date", "next_session")}
    for key, day in dates.items():
        if meta.get(key) not in (None, "") and day is None:
            problems.append((None, f"{key} must be a date like 2026-11-24", key))
    dismissed = _texts(meta.get("dismissed"))
    if dismissed is None:
        problems.append((None, "dismissed must list follow-ups, such as 1-week check-in", "dismissed"))
    session = session_number(meta.get("session"))
    if meta.get("session") not in (None, "") and session is None:
        problems.append((None, "session must be a whole number", "session"))
    mood = _score(meta, "mood", problems)
    scores = [(domain, _score(meta, f"wheel_{domain}", problems)) for domain in DOMAINS]
    wheel = tuple((domain, score) for domain, score in scores if score is not None)
    wellbeing, wellbeing_problems = read_wellbeing(meta)
    problems.extend((None, message, key) for key, message in wellbeing_problems)
    actions, action_problems = parse_actions(meta, path)
    problems.extend((index, message, "actions") for index, message in action_problems)
    located: list[Problem] = []
    lines: dict[str, tuple[int | None, list[int]]] = {}
    for index, message, key in problems:
        if key not in lines:
            lines[key] = item_lines(data, fm, key)
        key_line, items = lines[key]
        located.append(
            Problem(message, items[index] if index is not None and index < len(items) else key_line)
        )
    for line, text, comment in comments_after_items(data, fm, "actions"):
        located.append(
            Problem(
                f"YAML reads {comment!r} after {text!r} as a comment and leaves it out; "
                f'quote the whole action: "{text} {comment}"',
                line,
            )
        )
    return NoteRecord(
        path,
        type_,
        dates["date"],
        session,
        mood,
        tuple(actions),
        tuple(located),
        session_date=dates["session_date"],
        wheel=wheel,
        next_session=dates["next_session"],
        dismissed=dismissed or (),
        wellbeing=wellbeing,
    )


def _texts(value: Any) -> tuple[str, ...] | None:
    """A property that is a list of text (or one text): its items; None when it is neither."""
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        return None
    return tuple(item.strip() for item in items if item.strip())


def _score(meta: dict[str, Any], key: str, problems: list[tuple[int | None, str, str]]) -> float | None:
    """A 0-10 property (mood, wheel_body, ...): None when empty; a problem when out of range."""
    value = meta.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
        problems.append((None, f"{key} must be a number from 0 to 10", key))
        return None
    return float(value)


_OPENING = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n")
_CLOSING = re.compile(rb"(?m)^---[ \t]*\r?$")  # as parse_frontmatter closes a block
_OWN_KEY = re.compile(rb"(?m)^(actions|type)[ \t]*:[ \t]*([^\r\n]*)\r?$")


def own_types(vault: Vault) -> frozenset[str]:
    """The note types that make a note vaultkit's own: its templates' (shipped or the
    vault's), and its briefs'."""
    return frozenset({BRIEF_TYPE, *(name for name, _, _ in template_files(vault))})


def is_own(data: bytes, types: frozenset[str]) -> bool:
    """Whether a note is one of vaultkit's own, from its raw frontmatter, unparsed: it
    has an `actions` key, or a `type` naming one of vaultkit's templates. A note whose
    frontmatter is broken counts when its raw text has such a key."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: read it as such, to say so
        data = data.decode("utf-16", "replace").encode("utf-8")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    opening = _OPENING.match(data)
    if opening is None:
        return False
    closing = _CLOSING.search(data, opening.end())
    head = data[opening.end() : closing.start() if closing else len(data)]
    for key, value in _OWN_KEY.findall(head):
        if key == b"actions":
            return True
        named = value.split(b" #", 1)[0].strip().strip(b"'\"").strip()
        if named.decode("utf-8", "replace") in types:
            return True
    return False


def read_note(note: NoteFile, max_bytes: int, types: frozenset[str]) -> NoteRecord | None:
    """Read a note from disk: its record, or None when it vanished before it could be
    read. A note that is not vaultkit's own (`is_own`) gives a record with nothing in
    it: it is never parsed, judged or reported."""
    try:
        data, complete = read_head(note, _HEAD)
    except FileNotFoundError:
        return None
    except OSError as exc:  # which note it is cannot be told: say so
        return NoteRecord(note.rel, error=Problem(f"cannot read ({exc.strerror or exc})"))
    if not is_own(data, types):
        return NoteRecord(note.rel)
    if note.size > max_bytes:
        message = (
            f"skipped: {note.size / 1048576:.1f} MB is over max_note_mb "
            f"({max_bytes / 1048576:g} MB); raise it in .vaultkit/config.yaml to read it"
        )
        return NoteRecord(note.rel, error=Problem(message))
    return record_from_bytes(note.rel, data, complete)
