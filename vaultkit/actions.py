"""Action items: the frontmatter schema, stable ids, the words for statuses and
domains, and the one date parser. Pure.

A note's actions are its frontmatter key `actions`, a list whose items are
either strings (`"Call my sister"`, `"[ ] …"`, `"[x] …"`) or mappings with
`text`, `kind`, `status`, `due`, `done`, `domain` and `id`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

KINDS = ("external", "internal")
# MAPS' integration domains (Bathje, Majeski & Kudowor 2022): one per action, as a tag at its end.
DOMAINS = ("mind", "body", "spirit", "relationships", "lifestyle", "nature")
STATUSES = ("open", "done", "dropped")
BOXES = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}  # a status as a task's box
BOX_STATUS = {" ": "open", "x": "done", "X": "done", "-": "dropped"}
VERBS = {"open": "reopened", "done": "done", "dropped": "dropped"}  # what a change to a status did
INNER = "inner:"  # a string action that starts so is an internal one: `"[ ] inner: Notice my breath"`
ID_CHARS = re.compile(r"^[A-Za-z0-9-]+$")
CHECKBOX = re.compile(r"^\[([ xX-])\]\s*")
# Obsidian Tasks' fields at the end of a string action: due, done, cancelled.
_TASK_FIELDS = re.compile(r"(?:\s+(📅|✅|❌)\uFE0F?\s*(\d{4}-\d{2}-\d{2}))+\s*$")
_TASK_FIELD = re.compile(r"(📅|✅|❌)\uFE0F?\s*(\d{4}-\d{2}-\d{2})")
_DOMAIN_TAG = re.compile(r"\s+#(" + "|".join(DOMAINS) + r")\s*$", re.I)
# An Obsidian block id at the very end, `Call my sister ^call-sister`: the action's own id,
# which a rewording in Obsidian's Properties panel keeps (see README, "Ids").
BLOCK_ID = re.compile(r"(?:^|\s+)\^([A-Za-z0-9-]+)\s*$")
_DATE_START = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")
_DATE_ONLY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Action:
    """One action item. `id` is unique in the vault (the summary's block id);
    `written_id` is the id as the note gives it (its `id:`, else derived from
    path and text): the two differ only where several actions share one."""

    id: str
    text: str
    kind: str  # one of KINDS
    status: str  # one of STATUSES
    due: str | None  # ISO date
    done: str | None  # ISO date
    source: str  # vault-relative path with "/" separators
    date: str | None  # the note's date, ISO
    session: int | None
    index: int  # position in the note's `actions` list
    written_id: str
    explicit: bool = False  # the id came from the mapping's `id`
    domain: str | None = None  # one of DOMAINS

    def to_json(self) -> dict[str, Any]:
        keys = ("id", "text", "kind", "status", "due", "done", "source", "date", "session", "domain")
        return {key: getattr(self, key) for key in keys}


def parse_date(value: Any, whole: bool = False) -> date | None:
    """A date, a datetime or text that starts `YYYY-MM-DD` (is only that, with
    `whole`) as a date; None when it is none, or no real day (2026-02-30)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE_ONLY.fullmatch(value.strip()) if whole else _DATE_START.match(value.strip())
    try:
        return date(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        return None


def iso_date(value: Any) -> str | None:
    """`parse_date` as `YYYY-MM-DD` text."""
    day = parse_date(value)
    return day.isoformat() if day else None


def unflow_link(value: Any) -> Any:
    """Undo YAML's reading of an unquoted `[[Note]]` as a nested list."""
    if (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], list)
        and value[0]
        and all(isinstance(v, (str, int, float)) for v in value[0])
    ):
        return "[[" + ", ".join(str(v) for v in value[0]) + "]]"
    return value


def _tail(text: str) -> tuple[str, list[tuple[str, str]], str | None, str | None]:
    """A text's end taken apart, in any order: a block id (where Tasks puts it,
    last, or where a person adds to the text after it), Obsidian Tasks' dates
    and a domain tag."""
    fields: list[tuple[str, str]] = []
    domain = None
    block_id = None
    while True:
        block = BLOCK_ID.search(text)
        if block and block_id is None:
            block_id = block[1]
            text = text[: block.start()]
            continue
        dates = _TASK_FIELDS.search(text)
        if dates:
            fields += _TASK_FIELD.findall(dates[0])
            text = text[: dates.start()]
            continue
        tag = _DOMAIN_TAG.search(text)
        if tag and domain is None:
            domain = tag[1].lower()
            text = text[: tag.start()]
            continue
        return text, fields, domain, block_id


def clean_text(text: str) -> str:
    """Action text on one line, without a leading checkbox or `inner:`, or the
    trailing Tasks dates and domain tag."""
    body = CHECKBOX.sub("", text.strip())
    if body[: len(INNER)].lower() == INNER:
        body = body[len(INNER) :]
    return " ".join(_tail(body)[0].split())


class StringAction(NamedTuple):
    """The parts of a string action: `"[x] inner: Rest more #body ✅ 2026-11-24 ^rest"`."""

    status: str
    text: str
    due: str | None
    done: str | None
    kind: str
    domain: str | None
    block_id: str | None = None


def split_string_action(raw: str) -> StringAction:
    stripped = raw.strip()
    match = CHECKBOX.match(stripped)
    status = BOX_STATUS[match[1]] if match else "open"
    body = stripped[match.end() :] if match else stripped
    inner = body[: len(INNER)].lower() == INNER
    rest, found, domain, block_id = _tail(body[len(INNER) :] if inner else body)
    fields = dict(found)
    done = fields.get("✅") if status == "done" else fields.get("❌") if status == "dropped" else None
    kind = "internal" if inner else "external"
    return StringAction(
        status, " ".join(rest.split()), iso_date(fields.get("📅")), iso_date(done), kind, domain, block_id
    )


def derive_id(source: str, text: str) -> str:
    """A stable id from the note's path and the action's text as written. Ten
    hex digits keep collisions unlikely (about 1 in 1,000 at 40,000 actions);
    ids that collide anyway are made unique (unique_ids). A box the first
    cleaning uncovers (`[ ] [x] Call`) is taken off too, as ids have always been."""
    clean = clean_text(text)
    if clean.startswith("["):
        clean = clean_text(clean)
    key = unicodedata.normalize("NFC", f"{source}\n{clean.casefold()}")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def unique_ids(written_id: str, count: int, given: Callable[[str], bool]) -> list[str]:
    """The ids of `count` actions written with the same id, in path and list
    order: the first keeps it, then `-2`, `-3`, … skipping every id that some
    action was given (`given`), so with `x` twice and an `x-2` written in
    another note, the second `x` is `x-3`. Suffixed ids of different written
    ids never meet: `a-N` and `b-M` differ unless a = b."""
    ids = [written_id]
    n = 1
    while len(ids) < count:
        n += 1
        if not given(f"{written_id}-{n}"):
            ids.append(f"{written_id}-{n}")
    return ids[:count]


def session_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# A mapping's fields that take one of a few words, and what a misfit is told.
_WORD_FIELDS = (
    ("domain", DOMAINS, f"domain must be one of {', '.join(DOMAINS)}"),
    ("kind", KINDS, "kind must be internal or external"),
    ("status", STATUSES, "status must be open, done or dropped"),
)


def parse_actions(meta: dict[str, Any], source: str) -> tuple[list[Action], list[tuple[int | None, str]]]:
    """The note's actions and its schema problems as (item index, message).

    An item that can't be an action is skipped and reported; a bad field is
    reported and replaced by its default, so one slip never hides an action.
    """
    raw = meta.get("actions")
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], [(None, "`actions` must be a list (one `- item` per line)")]
    note_date = iso_date(meta.get("date"))
    session = session_number(meta.get("session"))
    result: list[Action] = []
    problems: list[tuple[int | None, str]] = []
    for index, item in enumerate(raw):
        item = unflow_link(item)
        if isinstance(item, str):
            written = item
            status, text, due, done, kind, domain, given_id = split_string_action(item)
        elif isinstance(item, dict):
            value = unflow_link(item.get("text"))
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                problems.append((index, "action needs a `text` (the action itself)"))
                continue
            written = str(value)
            text = clean_text(written)
            _, _, tagged, given_id = _tail(written.strip())
            fields = {"domain": tagged, "kind": "external", "status": "open"}
            for key, words, message in _WORD_FIELDS:
                value = item.get(key)
                word = value.strip().lower() if isinstance(value, str) else None
                word = word.lstrip("#") if word and key == "domain" else word
                if word in words:
                    fields[key] = word
                elif value is not None and not (key == "domain" and value == ""):
                    problems.append((index, message))
            domain, kind, status = fields["domain"], str(fields["kind"]), str(fields["status"])
            due, done = iso_date(item.get("due")), iso_date(item.get("done"))
            for key, day in (("due", due), ("done", done)):
                if item.get(key) not in (None, "") and day is None:
                    problems.append((index, f"{key} must be a date like 2026-11-24"))
            if item.get("id") is not None:
                own_id = str(item["id"]).strip().lstrip("^")
                if ID_CHARS.match(own_id):
                    given_id = own_id
                else:
                    problems.append((index, "id may hold only letters, digits and -"))
        else:
            problems.append((index, "action must be a text or a mapping with `text`"))
            continue
        if not text:
            problems.append((index, "action text is empty"))
            continue
        written_id = given_id or derive_id(source, written)
        result.append(
            Action(
                written_id,
                text,
                kind,
                status,
                due,
                done,
                source,
                note_date,
                session,
                index,
                written_id,
                explicit=given_id is not None,
                domain=domain,
            )
        )
    return result, problems


class Change(NamedTuple):
    """A status to give one action (done, dropped or open again)."""

    action: Action
    status: str  # open | done | dropped
    on: date  # the date recorded for done/dropped


class Outcome(NamedTuple):
    """What came of a Change: applied, already so, or refused and why."""

    change: Change
    applied: bool  # False: it already had that status, or see `problem`
    problem: str | None = None
