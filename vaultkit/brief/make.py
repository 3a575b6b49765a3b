"""`vaultkit brief`: choose the span, read its notes from the store and the disk, leave out
what is private, and write the page (a note, or one HTML file in the vault). A brief is a
note of `type: brief` with no `session`, `mood` or `actions`: never integration work, so its
quotes never feed the next brief, the overview or the summary."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vaultkit.actions import Action
from vaultkit.atomic import create_new
from vaultkit.brief.page import MOOD, WELLBEING, Brief, NoteText, Span, boilerplate, build_brief, render_body
from vaultkit.brief.privacy import aliases_of, link_targets, private_meta, private_tags, split_sections
from vaultkit.config import now
from vaultkit.errors import TemplateError, UnsafePathError, VaultkitError
from vaultkit.frontmatter import NoteError, parse_frontmatter
from vaultkit.fs import Vault, nfc, read_head, safe_target, stat_note
from vaultkit.journal.note import NoteValues, dump_frontmatter, note_path
from vaultkit.journal.templates import note_template
from vaultkit.notes import BRIEF_TYPE, NoteRecord
from vaultkit.overview import mood_chart, wellbeing_chart
from vaultkit.practice import Practice
from vaultkit.refresh import big_picture
from vaultkit.store import Store

SOON_DAYS = 3  # `vaultkit status` asks for a brief this many days before the next session


def _read(vault: Vault, rel: str, whole: bool = True) -> tuple[dict[str, Any], str] | None:
    """A note's frontmatter and body; None when it cannot be read (`whole`: read whole)."""
    note = stat_note(vault, rel)
    if note is None:
        return None
    try:
        data, complete = read_head(note, vault.config.max_note_bytes)
        if not whole and b"alias" not in data.lower():
            return {}, ""  # only a note that says alias anywhere is parsed for its aliases
        fm = parse_frontmatter(data, complete)
    except (OSError, NoteError):
        return None
    if whole and not complete:
        return None
    return fm.meta or {}, data[fm.body_start :].decode("utf-8", errors="replace").replace("\r\n", "\n")


def _link_key(target: str) -> str:
    key = nfc(target).strip().casefold().removesuffix(".md")
    while key.startswith(("./", "../", "/")):
        key = key.split("/", 1)[1]
    return key


class Privacy:
    """Which notes of the vault may not be shared at all, each read once: for the notes of
    the span, the actions of notes outside it and the notes a quote links to."""

    def __init__(self, vault: Vault, store: Store) -> None:
        self.vault = vault
        self.paths = [(p, nfc(p).casefold().removesuffix(".md")) for p in store.links()]
        self.why: dict[str, str | None] = {}
        self.targets: dict[str, bool] = {}
        self.aliases: dict[str, list[str]] | None = None  # alias -> the notes that have it

    def of(self, rel: str, got: tuple[dict[str, Any], str] | None = None) -> str | None:
        """Why nothing of the note may be shared: its frontmatter or its text's own marks
        say so, or it cannot be read whole."""
        if rel not in self.why:
            got = got or _read(self.vault, rel)
            if got is None:
                self.why[rel] = "could not be read whole"
            else:
                self.why[rel] = private_meta(got[0]) or split_sections(got[1]).whole
        return self.why[rel]

    def linked(self, target: str) -> bool:
        """Whether a link's target may name a private note. Obsidian finds `[[Name]]` by its
        name anywhere, `[[Folder/Name]]` by its path, ignoring case, and a note by an alias:
        any note it could mean counts (when in doubt, leave it out)."""
        key = _link_key(target)
        if key not in self.targets:
            if self.aliases is None:  # read the first time a quote links anywhere
                self.aliases = {}
                for rel, _ in self.paths:
                    got = _read(self.vault, rel, whole=False)
                    for alias in aliases_of(got[0]) if got else []:
                        self.aliases.setdefault(_link_key(alias), []).append(rel)
            named = [rel for rel, name in self.paths if name == key or name.endswith("/" + key)]
            self.targets[key] = any(self.of(rel) is not None for rel in named + self.aliases.get(key, []))
        return self.targets[key]

    def hides(self, action: Action) -> str | None:
        """Why an action of a shared note is not listed."""
        if any(self.linked(t) for t in link_targets(action.text)):
            return "an action linking to a private note"
        return "an action tagged #private" if private_tags(action.text) else None


def _span(practice: Practice, notes: list[NoteRecord], session: int | None, since: date | None) -> Span:
    """By default the latest session that has happened, with the sessions ahead whose
    intention is written; or one session; or every note since a date. It ends at the next
    session's day, else today (inclusive)."""
    if not notes:
        raise VaultkitError(
            "there are no integration notes to make a brief from yet; start with `vaultkit new intention`"
        )
    end = (practice.today + timedelta(days=1)).isoformat()
    if since is not None:
        start = since.isoformat()
        dated = {n.session for n in notes if n.session is not None and (n.date or "") >= start}
        sessions = tuple(sorted(dated))
        ahead = {s.number for s in practice.ahead()}
        upcoming = sessions[-1] if len(sessions) > 1 and sessions[-1] in ahead else None
        label = f"since {start}"
    elif not practice.sessions:
        raise VaultkitError("no note has a session number yet; use --since DATE for a brief of recent notes")
    elif session is None:
        sessions, prepared = practice.to_prepare()
        upcoming = prepared if prepared in sessions else None
        more = " and the next intention" if upcoming and len(sessions) > 1 else ""
        label = f"session {sessions[0]}{more}"
    else:
        picked = practice.session(session)
        if picked is None:
            known = ", ".join(str(s.number) for s in practice.sessions)
            raise VaultkitError(f"no notes for session {session}; sessions in this vault: {known}")
        sessions, upcoming, label = (session,), None, f"session {session}"
        end = min(picked.end.isoformat() if picked.end else end, end)
    if since is None:  # the session's day, or its intention written before it
        start = min(
            min(found.day.isoformat(), found.notes[0].date or "9999")
            for n in sessions
            if (found := practice.session(n)) is not None
        )
    for_session = None
    if sessions:  # the next intention's session, else the one after the last covered
        number = upcoming if upcoming is not None else sessions[-1] + 1
        day = practice.day_of(number)
        for_session = (number, day.isoformat() if day else None)
    return Span(label, start, end, sessions, upcoming, for_session)


@dataclass
class Made:
    """A brief and what the engine knows about it (for the markdown note and the CLI)."""

    brief: Brief
    charts: dict[str, str]  # Mermaid charts for the note, by section (mood, wellbeing)
    session: int | None  # the session it is for, when it covers one


def make_brief(
    vault: Vault, store: Store, today: date, session: int | None = None, since: date | None = None
) -> Made:
    """The brief for a session (default: the latest that has begun) or since a date; the
    store must be current (`refresh.scan`)."""
    notes = [n for n in store.integration_notes() if n.type != BRIEF_TYPE]
    practice, overview = big_picture(vault, store, today)
    span = _span(practice, notes, session, since)
    chosen = sorted(
        (n for n in notes if ((n.date or "") >= span.start if span.by_date else n.session in span.sessions)),
        key=lambda n: (n.date or "", n.path),
    )
    if not chosen:
        raise VaultkitError(f"no integration notes {span.label}; try an earlier date")
    privacy = Privacy(vault, store)
    texts: list[NoteText] = []
    left_out: list[str] = []

    def score_of(n: NoteRecord) -> int | None:
        return n.wellbeing if vault.config.who5 else None  # shown only while it is on

    for n in chosen:
        got = _read(vault, n.path)
        why = privacy.of(n.path, got)
        if got is None or why is not None:
            left_out.append(f"{store.link(n.path)} ({why})")
        else:
            sections = split_sections(got[1], privacy.linked)
            texts.append(
                NoteText(n.path, store.link(n.path), n.type, n.date, n.session, n.mood, sections, score_of(n))
            )
    # Open actions, those done or let go in the span and the span's own; only the
    # frontmatter of their notes is read, to see which are private.
    shared: list[Action] = []
    hidden: list[str] = []
    in_span = {n.path for n in chosen}
    for action in store.actions():
        recent = action.done is not None and action.done >= span.start
        if (action.status == "open" or recent or action.source in in_span) and not privacy.of(action.source):
            why = privacy.hides(action)
            if why:
                hidden.append(why)
            else:
                shared.append(action)
    templates = {}
    for name in {t.type for t in texts if t.type}:
        try:
            templates[name] = boilerplate(note_template(vault, name, who5=True).text)
        except TemplateError:
            pass  # a note of a type with no template: quote all of it
    missed = practice.missed(span.sessions, date.fromisoformat(span.start) if span.by_date else None)
    brief = build_brief(span, texts, templates, shared, missed, today)
    brief.left_out_notes, brief.left_out_actions = left_out, hidden
    # the page gives the numbers in words already: the charts alone
    charts = {}
    if len(brief.moods) >= 2:
        charts[MOOD] = mood_chart(overview._replace(mood=brief.moods), text_line=False)
    if len(brief.scores) >= 2:
        charts[WELLBEING] = wellbeing_chart(brief.scores)
    return Made(brief, charts, None if span.by_date else span.sessions[0])


def note_text(made: Made, today: date) -> str:
    """The brief as a note: frontmatter that keeps it out of the integration work, then the page."""
    meta = {"type": BRIEF_TYPE, "date": today, "covers": made.brief.covers, "tags": ["brief"]}
    return f"---\n{dump_frontmatter(meta)}---\n{render_body(made.brief, made.charts)}"


def write_note(vault: Vault, made: Made, today: date) -> str:
    """Create the brief note (never overwriting); its vault-relative path."""
    values = NoteValues(BRIEF_TYPE, "Brief", today, now(vault.config), made.session)
    rel = note_path(vault.config.brief_path, values)
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
    """Write the brief as one HTML page at `given` (never overwriting); its vault-relative
    path. A relative path starts at the vault's folder (as `brief_path` does); an absolute
    one must lead into it: the page holds text from the notes, which never leaves the vault."""
    from vaultkit.brief.html import render_html

    try:
        absolute = (Path(given) if Path(given).is_absolute() else vault.root / given).resolve()
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
    target = safe_target(vault, rel)
    try:
        data = render_html(made.brief).encode("utf-8")
        create_new(
            target,
            data,
            vault.config.file_mode,
            vault.config.dir_mode,
            rel,
            "vaultkit never overwrites a file. Pick another name",
        )
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # the one place that reports a full disk says how to free space
        raise _cannot_write(rel, exc) from None
    return rel


def next_session(vault: Vault, store: Store, today: date) -> tuple[date, str | None] | None:
    """The next session's day, when the practice knows it and it is today or later, and the
    link of a brief made since the session before it began."""
    practice = store.practice(vault.config.follow_ups, today)
    number, day = practice.upcoming or (0, None)
    if day is None:
        return None
    before = practice.session(number - 1)
    began = before.day.isoformat() if before else ""
    briefs = [link for _, when, link in store.briefs() if when is not None and when >= began]
    return day, (briefs[0] if briefs else None)


def status_line(found: tuple[date, str | None] | None, today: date) -> str | None:
    """`vaultkit status`'s line about the next session (`next_session`'s answer)."""
    if found is None:
        return None
    day, brief = found
    days = (day - today).days
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    line = f"Next session: {day.isoformat()} ({when})"
    if days <= SOON_DAYS:
        line += f"; brief: {brief}" if brief else "; no brief for it yet  ->  vaultkit brief"
    return line
