"""`vaultkit brief`: gather the span's notes from the store and the disk,
leave out what is private, and write the page (a note in the vault, or one
HTML file inside it). The page itself: `brief.py`; a body's sections:
`brief_text.py`; the HTML: `brief_html.py`.

Briefs are notes with `type: brief` and no `session`, `mood` or `actions`,
so the store never counts one as integration work: a brief's quotes never
feed the next brief, the overview or the summary's actions.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vaultkit.actions import Action
from vaultkit.atomic import create_exclusive, create_new, make_dirs
from vaultkit.brief import Brief, NoteText, Span, build_brief, render_body
from vaultkit.brief_privacy import aliases_of, hidden_action, private_meta
from vaultkit.brief_text import Boilerplate, Sections, boilerplate, link_targets, split_sections
from vaultkit.config import now
from vaultkit.errors import NoteExistsError, TemplateError, UnsafePathError, VaultkitError
from vaultkit.frontmatter import NoteError, parse_frontmatter
from vaultkit.fs import Vault, nfc, read_head, safe_target, stat_note
from vaultkit.journal.note import NoteValues, dump_frontmatter, note_path
from vaultkit.journal.templates import find_template
from vaultkit.notes import BRIEF_TYPE, NoteRecord
from vaultkit.overview import mood_chart
from vaultkit.practice import Practice
from vaultkit.refresh import big_picture
from vaultkit.store import Store

SOON_DAYS = 3  # `vaultkit status` asks for a brief this many days before the next session


@dataclass(frozen=True)
class Read:
    """A note as the brief reads it: its frontmatter, its body, whether it is private."""

    meta: dict[str, Any]
    body: str
    private: str | None  # why the whole note is private ("private: true"), or None


def read_for_brief(vault: Vault, rel: str) -> Read | None:
    """The note's frontmatter and body, through `fs`; None when it cannot be
    read whole (then nothing of it is quoted: when in doubt, leave it out)."""
    note = stat_note(vault, rel)
    if note is None:
        return None
    try:
        data, complete = read_head(note, vault.config.max_note_bytes)
        fm = parse_frontmatter(data, complete)
    except (OSError, NoteError):
        return None
    if not complete:
        return None
    meta = fm.meta or {}
    body = data[fm.body_start :].decode("utf-8", errors="replace").replace("\r\n", "\n")
    return Read(meta, body, private_meta(meta))


class Privacy:
    """Which notes of the vault may not be shared at all, read once each: for
    the actions of notes outside the span and for the notes a quote links to."""

    def __init__(self, vault: Vault, store: Store) -> None:
        self.vault = vault
        self.paths = [(p, nfc(p).casefold().removesuffix(".md")) for p in store.links()]
        self.why: dict[str, str | None] = {}
        self.targets: dict[str, bool] = {}
        self.aliases: dict[str, list[str]] | None = None  # alias -> the notes that have it

    def of(self, rel: str, got: Read | None = None) -> str | None:
        """Why nothing of the note may be shared, or None. Read whole: its text's own
        marks count too (`#private`, `%% private %%` at its top). A note that cannot
        be read whole counts as private."""
        if rel not in self.why:
            got = got or read_for_brief(self.vault, rel)
            if got is None:
                self.why[rel] = "could not be read whole"
            else:
                self.why[rel] = got.private or split_sections(got.body).whole
        return self.why[rel]

    def linked(self, target: str) -> bool:
        """Whether a link's target may name a private note. Obsidian finds `[[Name]]`
        by its name anywhere and `[[Folder/Name]]` by its path, ignoring case, and
        a note by an alias in its `aliases:`: any note it could mean counts (when in
        doubt, leave it out)."""
        key = _link_key(target)
        if key not in self.targets:
            if self.aliases is None:  # read the first time a quote links anywhere
                self.aliases = {}
                for rel, _ in self.paths:
                    for alias in _aliases(self.vault, rel):
                        self.aliases.setdefault(_link_key(alias), []).append(rel)
            named = [rel for rel, name in self.paths if name == key or name.endswith("/" + key)]
            self.targets[key] = any(self.of(rel) is not None for rel in named + self.aliases.get(key, []))
        return self.targets[key]

    def hides(self, action: Action) -> str | None:
        """Why an action of a shared note is not listed, or None: it is tagged
        `#private`, or it links to a private note."""
        return hidden_action(action.text, any(self.linked(t) for t in link_targets(action.text)))


def _link_key(target: str) -> str:
    key = nfc(target).strip().casefold().removesuffix(".md")
    while key.startswith(("./", "../", "/")):
        key = key.split("/", 1)[1]
    return key


def _aliases(vault: Vault, rel: str) -> list[str]:
    """The aliases in a note's frontmatter; only a note that says `alias` anywhere is parsed."""
    note = stat_note(vault, rel)
    if note is None:
        return []
    try:
        data, complete = read_head(note, vault.config.max_note_bytes)
        if b"alias" not in data.lower():
            return []
        meta = parse_frontmatter(data, complete).meta
    except (OSError, NoteError):
        return []
    return aliases_of(meta or {})


def _span(practice: Practice, notes: list[NoteRecord], session: int | None, since: date | None) -> Span:
    """The notes a brief covers: by default the latest session that has happened, with
    the sessions ahead whose intention is written (Practice.to_prepare); or one
    session; or every note since a date. Bounded at both ends: the next session's
    day, else today (inclusive)."""
    today = practice.today
    if not notes:
        raise VaultkitError(
            "there are no integration notes to make a brief from yet; start with `vaultkit new intention`"
        )
    tomorrow = (today + timedelta(days=1)).isoformat()
    if since is not None:
        start = since.isoformat()
        chosen = {
            n.session for n in notes if n.session is not None and n.date is not None and n.date >= start
        }
        sessions = tuple(sorted(chosen))
        to_come = {s.number for s in practice.ahead()}
        upcoming = sessions[-1] if len(sessions) > 1 and sessions[-1] in to_come else None
        return Span(f"since {start}", start, tomorrow, sessions, upcoming, _for(practice, sessions, upcoming))
    if not practice.sessions:
        raise VaultkitError("no note has a session number yet; use --since DATE for a brief of recent notes")
    if session is None:
        covered, prepared = practice.to_prepare()
        ahead = prepared if prepared in covered else None
        label = f"session {covered[0]}" + (" and the next intention" if ahead and len(covered) > 1 else "")
        return Span(
            label, _start(practice, covered), tomorrow, covered, ahead, _for(practice, covered, ahead)
        )
    picked = practice.session(session)
    if picked is None:
        known = ", ".join(str(s.number) for s in practice.sessions)
        raise VaultkitError(f"no notes for session {session}; sessions in this vault: {known}")
    end = min(picked.end.isoformat() if picked.end else tomorrow, tomorrow)
    return Span(
        f"session {session}",
        _start(practice, (session,)),
        end,
        (session,),
        None,
        _for(practice, (session,), None),
    )


def _start(practice: Practice, sessions: tuple[int, ...]) -> str:
    """The first day of these sessions' work: the session's day, or its intention
    written before it."""
    days = [
        min(found.day.isoformat(), found.notes[0].date or "9999")
        for n in sessions
        if (found := practice.session(n)) is not None
    ]
    return min(days)


def _for(
    practice: Practice, sessions: tuple[int, ...], upcoming: int | None
) -> tuple[int, str | None] | None:
    """The session the page is for, and its day when known: the next intention's
    session, else the one after the last covered."""
    if not sessions:
        return None
    number = upcoming if upcoming is not None else sessions[-1] + 1
    day = practice.day_of(number)
    return number, day.isoformat() if day else None


def _in_span(note: NoteRecord, span: Span) -> bool:
    if span.by_date:
        return note.date is not None and note.date >= span.start
    return note.session in span.sessions


def _templates(vault: Vault, types: set[str]) -> dict[str, Boilerplate]:
    found = {}
    for name in types:
        try:
            found[name] = boilerplate(find_template(vault, name).text)
        except TemplateError:
            pass  # a note of a type with no template: quote all of it
    return found


@dataclass
class Made:
    """A brief and what the engine knows about it (for the markdown note and the CLI)."""

    brief: Brief
    chart: str | None  # the Mermaid mood chart, for the note
    session: int | None  # the session it is for, when it covers one


def make_brief(
    vault: Vault, store: Store, today: date, session: int | None = None, since: date | None = None
) -> Made:
    """The brief for a session (default: the latest that has begun) or since a date.
    The store must be current (`refresh.scan`)."""
    notes = [n for n in store.integration_notes() if n.type != BRIEF_TYPE]
    practice, overview = big_picture(vault, store, today)
    span = _span(practice, notes, session, since)
    chosen = sorted((n for n in notes if _in_span(n, span)), key=lambda n: (n.date or "", n.path))
    if not chosen:
        raise VaultkitError(f"no integration notes {span.label}; try an earlier date")
    privacy = Privacy(vault, store)
    texts: list[NoteText] = []
    left_out: list[str] = []
    hidden_sections = hidden_lines = 0
    why_hidden: list[str] = []  # why each private part of a shared note was left out
    for n in chosen:
        got = read_for_brief(vault, n.path)
        why = privacy.of(n.path, got)
        if got is None or why is not None:
            left_out.append(f"{store.link(n.path)} ({why})")
            continue
        sections: Sections = split_sections(got.body, privacy.linked)
        hidden_sections += sections.private
        hidden_lines += sections.lines
        why_hidden += sections.reasons
        texts.append(NoteText(n.path, store.link(n.path), n.type, n.date, n.session, n.mood, sections))
    # The page lists open actions and those done or let go in the span: only
    # their notes' frontmatter is read, to see which are private.
    shared: list[Action] = []
    actions_hidden: list[str] = []  # why each action of a shared note was left out
    in_span = {n.path for n in chosen}
    for action in store.actions():
        recent = action.done is not None and action.done >= span.start
        if not (action.status == "open" or recent or action.source in in_span):
            continue
        if privacy.of(action.source) is not None:
            continue
        hidden = privacy.hides(action)
        if hidden:
            actions_hidden.append(hidden)
        else:
            shared.append(action)
    missed = practice.missed(span.sessions, date.fromisoformat(span.start) if span.by_date else None)
    brief = build_brief(
        span, texts, _templates(vault, {t.type for t in texts if t.type}), shared, missed, today
    )
    brief.left_out_notes = left_out
    brief.left_out_sections = hidden_sections
    brief.left_out_lines = hidden_lines
    brief.left_out_why = why_hidden
    brief.left_out_actions = actions_hidden
    # the page gives the numbers in words already: the chart alone
    chart = (
        mood_chart(overview._replace(mood=brief.moods), text_line=False) if len(brief.moods) >= 2 else None
    )
    return Made(brief, chart, None if span.by_date else span.sessions[0])


def note_text(made: Made, today: date) -> str:
    """The brief as a note: frontmatter that keeps it out of the integration work, then the page."""
    meta = {"type": BRIEF_TYPE, "date": today, "covers": made.brief.covers, "tags": ["brief"]}
    return f"---\n{dump_frontmatter(meta)}---\n{render_body(made.brief, made.chart)}"


def brief_rel(vault: Vault, made: Made, today: date) -> str:
    values = NoteValues(
        type=BRIEF_TYPE, title="Brief", note_date=today, now=now(vault.config), session=made.session
    )
    return note_path(vault.config.brief_path, values)


def write_note(vault: Vault, made: Made, today: date) -> str:
    """Create the brief note; its vault-relative path. Never overwrites."""
    rel = brief_rel(vault, made, today)
    target = safe_target(vault, rel)
    create_new(
        target,
        note_text(made, today).encode("utf-8"),
        vault.config.file_mode,
        vault.config.dir_mode,
        rel,
        "vaultkit never overwrites a note. "
        "Open it, rename or delete it to make a new one, or print this one with --stdout",
    )
    return vault.rel(target)


def html_rel(vault: Vault, given: str) -> str:
    """Where `--html` writes, relative to the vault: a relative path is taken from the
    vault's folder (as `brief_path` is), an absolute one must lead into it (the page
    holds text from the notes, and nothing of that leaves the vault's folder)."""
    path = Path(given)
    try:
        absolute = (path if path.is_absolute() else vault.root / path).resolve()
        rel = absolute.relative_to(vault.root.resolve()).as_posix()
        folder = rel == "." or given.endswith(("/", "\\")) or absolute.is_dir()
    except ValueError:
        raise UnsafePathError(
            f"{given} is outside the vault; the page holds text from your notes, so it stays in the "
            f'vault\'s folder: try --html "Briefs/brief.html" (inside {vault.root}) and print that'
        ) from None
    except OSError as exc:
        raise _cannot_write(given, exc) from None
    if folder:
        raise VaultkitError(f'{given} is a folder; name the page\'s file, e.g. --html "Briefs/brief.html"')
    return rel


def _cannot_write(rel: str, exc: OSError) -> VaultkitError:
    shown = rel if len(rel) <= 80 else rel[:60] + "…"
    if exc.errno == errno.ENAMETOOLONG:
        return VaultkitError(f"cannot write {shown}: a name in that path is too long; pick a shorter one")
    if exc.errno == errno.ENOTDIR:
        return VaultkitError(
            f"cannot write {shown}: part of that path is a file, not a folder; pick another path"
        )
    return VaultkitError(f"cannot write {shown}: {exc.strerror or type(exc).__name__}")


def write_html(vault: Vault, given: str, made: Made) -> str:
    """Write the brief as one HTML page at `given` (see `html_rel`). Never overwrites.
    Its vault-relative path."""
    from vaultkit.brief_html import render_html

    rel = html_rel(vault, given)
    target = safe_target(vault, rel)
    try:
        if target.exists() or target.is_symlink():
            raise NoteExistsError(
                f"{rel} already exists; vaultkit never overwrites a file. Pick another name"
            )
        make_dirs(target.parent, vault.config.dir_mode)
        create_exclusive(target, render_html(made.brief).encode("utf-8"), vault.config.file_mode)
    except FileExistsError:
        raise NoteExistsError(f"{rel} appeared while it was being written; left untouched") from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # the one place that reports a full disk says how to free space
        raise _cannot_write(rel, exc) from None
    return rel


# ---------------------------------------------------------------- for `vaultkit status`


def next_session(vault: Vault, store: Store, today: date) -> tuple[date, str | None] | None:
    """The next session's day, when the practice knows it and it is today or later,
    and the link of a brief made since the session before it began."""
    practice = store.practice(vault.config.follow_ups, today)
    number, day = practice.upcoming or (0, None)
    if day is None:
        return None
    before = practice.session(number - 1)
    began = before.day.isoformat() if before else ""
    briefs = [link for _, when, link in store.briefs() if when is not None and when >= began]
    return day, (briefs[0] if briefs else None)


def status_line(found: tuple[date, str | None] | None, today: date) -> str | None:
    """A line for `vaultkit status` about the next session (`next_session`'s answer)."""
    if found is None:
        return None
    day, brief = found
    days = (day - today).days
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    line = f"Next session: {day.isoformat()} ({when})"
    if days <= SOON_DAYS:
        line += f"; brief: {brief}" if brief else "; no brief for it yet  ->  vaultkit brief"
    return line
