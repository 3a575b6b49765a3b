"""The new note's text, from a template and what was planned and answered. Pure.

Placeholders follow Obsidian's core Templates plugin, so one file works in
both: `{{title}}`, `{{date}}`, `{{time}}`, `{{date:FORMAT}}`, `{{time:FORMAT}}`
with Moment-style tokens. vaultkit adds `{{type}}`, `{{session}}`,
`{{intention}}` / `{{reflection}}` (links to the session's notes) and
`{{open_actions}}` (links to actions still open). A skipped prompt leaves its
comment in place as a cue for later.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from vaultkit.actions import BLOCK_ID, INNER, derive_id, parse_date, split_string_action, unique_ids
from vaultkit.errors import TemplateError, UnsafePathError
from vaultkit.frontmatter import NoteError, parse_frontmatter
from vaultkit.journal.templates import PROMPT, Prompt, Template
from vaultkit.notes import NOTE_TYPES
from vaultkit.wellbeing import FIELDS as WHO5
from vaultkit.wellbeing import answer_problem as who5_problem

# ---------------------------------------------------------------- actions as typed


@dataclass(frozen=True)
class NewAction:
    """An action as typed for a new note (`--action` or at the prompt)."""

    text: str
    kind: str = "external"
    done: bool = False
    domain: str | None = None

    def as_property(self, today: date, path: str | None = None) -> str:
        """The action as a line of the `actions` list, which Obsidian's Properties
        panel shows and edits, in Tasks' order: text, #domain, ✅ date, then the
        `^id` vaultkit would derive anyway, so that a rewording keeps it."""
        box = "[x] " if self.done else "[ ] "
        inner = INNER + " " if self.kind == "internal" else ""
        text, named = box + inner + self.text, ""
        if (block := BLOCK_ID.search(text)) is not None:  # a ^name the person typed: kept, and kept last
            text, named = text[: block.start()], block[0]
        if self.domain and split_string_action(text).domain is None:
            text += f" #{self.domain}"
        if self.done and split_string_action(text).done is None:
            text += f" ✅ {today.isoformat()}"
        if named or path is None:
            return text + named
        return f"{text} ^{derive_id(path, text)}"


def with_domain(action: NewAction, domain: str) -> NewAction:
    """The action in `domain`; a different #tag it was typed with is taken out."""
    tagged = split_string_action(action.text).domain
    if tagged == domain:
        return action
    text = action.text
    if tagged is not None and (where := list(re.finditer(rf"\s*#{tagged}\b", text, re.I))):
        text = (text[: where[-1].start()] + text[where[-1].end() :]).strip()
    return NewAction(text, action.kind, action.done, domain)


_KIND_PREFIX = re.compile(r"^(internal|external|inner)\s*:\s*", re.I)
_TYPED_BOX = re.compile(r"^\s*(?:[-*]\s+)?\[([ xX])\]\s*")


def parse_action_text(text: str, kind: str = "external") -> NewAction | None:
    """What a person typed as an action: an optional `[ ]`/`[x]` box (understood,
    not doubled) and an optional `internal:`, `inner:` or `external:` prefix,
    in either order. None for an empty line."""
    rest, done = " ".join(text.split()), False
    for _ in range(2):
        if box := _TYPED_BOX.match(rest):
            done = box[1] != " "
            rest = rest[box.end() :]
        if prefix := _KIND_PREFIX.match(rest):
            kind = "external" if prefix[1].lower() == "external" else "internal"
            rest = rest[prefix.end() :]
    rest = rest.strip()
    return NewAction(rest, kind, done) if rest else None


# ---------------------------------------------------------------- placeholders

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\s*(?::([^}]*))?\}\}")
_MOMENT = re.compile(
    r"\[[^\]]*\]|YYYY|YY|Qo|Q|MMMM|MMM|MM|Mo|M|DDDD|DDD|Do|DD|D|dddd|ddd|dd|do|d|E|"
    r"HH|H|hh|h|kk|k|mm|m|ss|s|A|a|WW|Wo|W|ww|wo|w|X|x|ZZ|Z"
)
_MONTHS = "January February March April May June July August September October November December"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
_FILENAME_DROP = re.compile(r'[*"<>:|?#^\[\]\x00-\x1f]')


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_moment(d: datetime, fmt: str) -> str:
    """Format like Moment.js (the tokens Obsidian users write), in English. A
    number's token doubled is zero-padded; followed by `o`, an ordinal."""
    zone = d.strftime("%z") or "+0000"
    month, day = _MONTHS.split()[d.month - 1], _DAYS.split()[d.weekday()]
    numbers = {
        "Q": (d.month - 1) // 3 + 1,
        "M": d.month,
        "D": d.day,
        "DDD": d.timetuple().tm_yday,
        "d": (d.weekday() + 1) % 7,
        "E": d.isoweekday(),
        "H": d.hour,
        "h": d.hour % 12 or 12,
        "k": d.hour or 24,
        "m": d.minute,
        "s": d.second,
        "W": d.isocalendar()[1],
        "w": int(d.strftime("%U")) + (0 if date(d.year, 1, 1).weekday() == 6 else 1),
        "X": int(d.timestamp()),
        "x": int(d.timestamp() * 1000),
    }
    words = {
        "YYYY": f"{d.year:04d}",
        "YY": f"{d.year % 100:02d}",
        "DDDD": f"{numbers['DDD']:03d}",
        "MMMM": month,
        "MMM": month[:3],
        "dddd": day,
        "ddd": day[:3],
        "dd": day[:2],
        "A": "AM" if d.hour < 12 else "PM",
        "a": "am" if d.hour < 12 else "pm",
        "ZZ": zone,
        "Z": f"{zone[:3]}:{zone[3:]}",
    }

    def token(match: re.Match[str]) -> str:
        t = match[0]
        if t.startswith("["):
            return t[1:-1]
        if t in words:
            return words[t]
        if t in numbers:
            return str(numbers[t])
        return _ordinal(numbers[t[:-1]]) if t.endswith("o") else f"{numbers[t[0]]:02d}"

    return _MOMENT.sub(token, fmt)


@dataclass
class NoteValues:
    """Everything a new note is rendered from."""

    type: str
    title: str
    note_date: date
    now: datetime
    session: int | None
    links: dict[str, str] = field(default_factory=dict)  # note type -> "[[name]]"
    open_actions: list[tuple[str, str]] = field(default_factory=list)  # (text, "[[source]]")
    answers: list[str] = field(default_factory=list)  # one per prompt, "" when skipped
    actions: list[NewAction] = field(default_factory=list)
    path: str | None = None  # the note's vault-relative path: each action is written with its id
    session_day: date | None = None  # an intention's session day as recorded before (next_session)


def default_title(type_name: str) -> str:
    return type_name[:1].upper() + type_name[1:].replace("_", " ")


def clean_title(title: str) -> str:
    """A title usable as a file name in every OS and as an Obsidian link target."""
    if "/" in title or "\\" in title:
        raise UnsafePathError(
            f"--title cannot hold / or \\ (got {title!r}); set folders with note_path in config"
        )
    cleaned = " ".join(_FILENAME_DROP.sub("", title).split()).lstrip(".").strip()
    if not cleaned:
        raise TemplateError(f"--title {title!r} leaves no usable file name")
    return cleaned


def fill_placeholders(text: str, values: NoteValues) -> str:
    moment = datetime.combine(values.note_date, values.now.time(), values.now.tzinfo)

    def one(match: re.Match[str]) -> str:
        name, fmt = match[1], match[2]
        if name in ("date", "time"):
            return format_moment(moment, fmt.strip() if fmt else "YYYY-MM-DD" if name == "date" else "HH:mm")
        if name in ("title", "type"):
            return str(getattr(values, name))
        if name == "session":
            return str(values.session) if values.session is not None else ""
        if name in NOTE_TYPES:
            return values.links.get(name, f"(no {name} note for this session yet)")
        if name == "open_actions":
            if not values.open_actions:
                return "- (no open actions from earlier notes)"
            return "\n".join(f"- {text} — {link}" for text, link in values.open_actions)
        return match[0]  # not ours: leave it for Obsidian or the user

    return _PLACEHOLDER.sub(one, text)


def note_path(pattern: str, values: NoteValues) -> str:
    """The new note's vault-relative path from the configured pattern."""
    rel = fill_placeholders(pattern, values).strip()
    return rel if rel.lower().endswith(".md") else rel + ".md"


# ---------------------------------------------------------------- answers

# Answers that must be a number from 0 to 10: charts read them, and "seven" or
# 11 would silently vanish from them.
_SCALE = re.compile(r"^(mood|wheel_[a-z_]+)$")
# Answers that must be a date: follow-ups count from them.
_DATE_FIELD = re.compile(r"^(session_date|next_session|\w+_date)$")


def answer_problem(prompt: Prompt, answer: str) -> str | None:
    """Why an answer can't be written as given (None when it can, or is empty)."""
    text = answer.strip()
    if not text or prompt.field is None:
        return None
    if _SCALE.match(prompt.field):  # as notes are read: any number from 0 to 10, 6.5 too
        if re.fullmatch(r"\d{1,2}(\.\d+)?", text) and 0 <= float(text) <= 10:
            return None
        return "Please give a number from 0 to 10, or press Enter to skip."
    if prompt.field in WHO5:
        return who5_problem(text)
    if _DATE_FIELD.match(prompt.field) and not isinstance(coerce_field(prompt.field, text), date):
        return "Please give a date as YYYY-MM-DD (e.g. 2026-12-04), or press Enter to skip."
    return None


def coerce_field(key: str, answer: str) -> Any:
    """A prompt's answer as a frontmatter value, as typed: a number only where the
    template asks for one (mood, wheel_*, session), a date where it asks for a date,
    else text (`007` stays `007`; the dumper quotes what YAML would read otherwise)."""
    text = answer.strip()
    if _DATE_FIELD.match(key) and (day := parse_date(text, whole=True)):
        return day
    if (_SCALE.match(key) or key == "session" or key in WHO5) and re.fullmatch(r"-?\d+(\.\d+)?", text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    return text


# ---------------------------------------------------------------- frontmatter


class _NoteDumper(yaml.SafeDumper):
    """Block-style YAML the way Obsidian's Properties editor writes it."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same value twice is written twice: Obsidian reads no anchors


# Plain scalars that YAML 1.2's core schema (Obsidian reads frontmatter with the npm
# `yaml` package) takes for something other than text; PyYAML (YAML 1.1) quotes its
# own such words but not these (`0o17`, `1e3`, `+.5`).
_YAML12_NOT_TEXT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    quoted = value.startswith(("[", "{", "!", "&", "*", "#", "|", ">", "%", "@", "`"))
    style = '"' if quoted or _YAML12_NOT_TEXT.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_NoteDumper.add_representer(str, _represent_str)
_NoteDumper.add_representer(
    type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "")
)

# PyYAML escapes every character beyond the Basic Multilingual Plane, even with
# allow_unicode, so "📅" would be written as "\U0001F4C5": put the character back
# (an escape preceded by an even run of backslashes), if the YAML still reads the same.
_ASTRAL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\U([0-9A-Fa-f]{8})")


def dump_frontmatter(meta: dict[str, Any]) -> str:
    text = yaml.dump(meta, Dumper=_NoteDumper, sort_keys=False, allow_unicode=True, width=10_000)
    plain = _ASTRAL_ESCAPE.sub(lambda m: m[1] + chr(int(m[2], 16)), text)
    if plain != text and yaml.safe_load(plain) != yaml.safe_load(text):
        return text  # a backslash the person typed, outside double quotes: left exactly as is
    return plain


def _unique_ids(items: list[str]) -> list[str]:
    """The same action twice in one note gets `^id` and `^id-2`, so each keeps
    its own (the summary's rule for ids written twice, `unique_ids`)."""
    blocks = [split_string_action(item).block_id for item in items]
    written = {block for block in blocks if block is not None}
    fresh = {block: iter(unique_ids(block, blocks.count(block), written.__contains__)) for block in written}
    out = []
    for item, block in zip(items, blocks, strict=True):
        new = next(fresh[block]) if block is not None else block
        out.append(item if new == block else item[: item.rindex("^" + str(block))] + f"^{new}")
    return out


def _sharing_a_heading(text: str) -> list[bool]:
    """For each prompt in `text`, in order: whether it is a question answered in the
    body under a heading that holds another such question."""
    found: list[tuple[int, bool]] = []  # (section, answered in the body)
    section = 0
    for line in text.splitlines():
        if line.startswith("#"):
            section += 1
        elif (match := PROMPT.match(line)) is not None:
            found.append((section, match[1] is None))
    body = Counter(section for section, in_body in found if in_body)
    return [in_body and body[section] > 1 for section, in_body in found]


def render_note(template: Template, values: NoteValues) -> str:
    """The new note's full text, frontmatter first."""
    text = fill_placeholders(template.text, values)
    answers = iter(values.answers)
    labelled = iter(_sharing_a_heading(text))
    field_values: dict[str, Any] = {}

    def answer_prompt(match: re.Match[str]) -> str:
        answer, label = next(answers, "").strip(), next(labelled)
        if not answer:
            return match[0] if match[1] is None else ""
        if match[1] is not None:
            field_values[match[1]] = coerce_field(match[1], answer)
            return ""  # the whole line goes: the answer lives in the frontmatter
        if label:  # two questions under one heading: each answer keeps its question
            return f"**{match[2]}**\n{answer}" + match[3]
        return answer + match[3]

    text = PROMPT.sub(answer_prompt, text)
    try:
        fm = parse_frontmatter(text.encode("utf-8"))
    except NoteError as exc:
        raise TemplateError(
            f"template {template.location} has broken frontmatter: {exc.problem.message}"
        ) from None
    meta: dict[str, Any] = dict(fm.meta or {})
    body = text.encode("utf-8")[fm.body_start :].decode("utf-8") if fm.meta is not None else text
    meta.setdefault("type", values.type)
    meta["date"] = values.note_date
    if any(prompt.field == "session_date" for prompt in template.prompts):
        # the day of the session: as recorded before (next_session), else the note's, unless told
        meta.setdefault("session_date", values.session_day or values.note_date)
    if values.session is not None:
        meta["session"] = values.session
    meta.update(values.links)
    meta.update(field_values)
    if values.actions or "actions" in meta:
        meta["actions"] = _unique_ids([a.as_property(values.note_date, values.path) for a in values.actions])
    first = ("type", "date", "session", *values.links)
    ordered = {k: meta[k] for k in first if k in meta}
    ordered.update((k, v) for k, v in meta.items() if k not in ordered)
    return f"---\n{dump_frontmatter(ordered)}---\n{body.lstrip(chr(10))}"
