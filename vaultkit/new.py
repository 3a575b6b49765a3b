"""`vaultkit new`: find the template, plan the note (date, session, links,
path), ask the questions, create it; and the template files themselves.

The vault's lock is held while the store is read and again while the check-in
review's answers are written, never while the person is answering."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from vaultkit.actions import Action
from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.config import logical_today
from vaultkit.errors import NoteExistsError, TemplateError, VaultkitError
from vaultkit.fs import Vault, safe_target
from vaultkit.notes import NoteRecord
from vaultkit.refresh import opened, refresh, scan
from vaultkit.templates import (
    TEMPLATE_NAME,
    NewAction,
    NoteValues,
    Prompt,
    Template,
    clean_title,
    default_title,
    fill_placeholders,
    render_note,
)

# Note types that open a session, and the ones a later note links back to.
OPENS_SESSION = "intention"
LINKED_TYPES = ("intention", "reflection")


def parse_date_option(text: str, today: date) -> date:
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise VaultkitError(f"--date {text!r} is not a date; use YYYY-MM-DD, today or yesterday")


def choose_session(notes: list[NoteRecord], note_type: str, given: int | None) -> int:
    """An intention opens the next session; any other note joins the latest one."""
    if given is not None:
        if given < 1:
            raise VaultkitError("--session must be 1 or more")
        return given
    latest = max((n.session for n in notes if n.session is not None), default=0)
    if note_type == OPENS_SESSION:
        return latest + 1
    return max(latest, 1)


def session_links(
    notes: list[NoteRecord], session: int, note_type: str, link: Callable[[str], str]
) -> dict[str, str]:
    """Links from a new note to the earlier notes of its session, by type."""
    links: dict[str, str] = {}
    if note_type == OPENS_SESSION:
        return links
    for linked in LINKED_TYPES:
        if linked == note_type:
            continue
        candidates = sorted(
            (n for n in notes if n.session == session and n.type == linked),
            key=lambda n: (n.date or "", n.path),
        )
        if candidates:
            links[linked] = link(candidates[-1].path)
    return links


def carried_over(actions: list[Action], before: date) -> list[Action]:
    """Open actions from notes dated on or before `before`, oldest note first."""
    cutoff = before.isoformat()
    chosen = [a for a in actions if a.status == "open" and (a.date is None or a.date <= cutoff)]
    return sorted(chosen, key=lambda a: (a.date or "", a.source, a.index))


def note_path(pattern: str, values: NoteValues) -> str:
    """The new note's vault-relative path from the configured pattern."""
    rel = fill_placeholders(pattern, values).strip()
    if not rel.lower().endswith(".md"):
        rel += ".md"
    return rel


# ---------------------------------------------------------------- creating


def parse_action_option(text: str) -> NewAction:
    """`--action "internal: notice my breath"` -> an internal action."""
    kind, sep, rest = text.partition(":")
    if sep and kind.strip().lower() in ("internal", "external"):
        return NewAction(" ".join(rest.split()), kind.strip().lower())
    return NewAction(" ".join(text.split()))


@dataclass
class NewNoteRequest:
    """What the user asked `vaultkit new` for."""

    type: str
    now: datetime
    date_text: str | None = None
    session: int | None = None
    title: str | None = None
    actions: list[NewAction] = field(default_factory=list)


@dataclass(frozen=True)
class Questions:
    """Callbacks the CLI supplies so the terminal stays at the edge."""

    intro: Callable[[str], None]
    ask: Callable[[Prompt], str]
    ask_actions: Callable[[str], list[NewAction]]
    review: Callable[[list[Action]], dict[str, str]]  # open action -> done/dropped


def create_note(
    vault: Vault, request: NewNoteRequest, questions: Questions | None, notice: Callable[[str], None]
) -> str:
    """Create the note; return its vault-relative path. Never overwrites."""
    template = find_template(vault, request.type)
    today = logical_today(request.now, vault.config.day_starts_at)
    note_date = parse_date_option(request.date_text, today) if request.date_text else today
    title = clean_title(request.title) if request.title else default_title(request.type)
    with opened(vault, notice) as store:
        scan(vault, store, today)
        notes = store.integration_notes()
        session = choose_session(notes, request.type, request.session)
        links = session_links(notes, session, request.type, store.link)
        carried = (
            carried_over(store.actions("AND status = 'open'"), note_date)
            if request.type == "check-in"
            else []
        )
        carried_links = {a.source: store.link(a.source) for a in carried}
    values = NoteValues(
        type=request.type,
        title=title,
        note_date=note_date,
        now=request.now,
        session=session,
        links=links,
        actions=list(request.actions),
    )
    rel = note_path(vault.config.note_path, values)
    target = safe_target(vault, rel)
    if target.exists() or target.is_symlink():
        raise NoteExistsError(
            f"{rel} already exists; vaultkit never overwrites a note. "
            "Open it, or pick another name with --title"
        )
    decisions: dict[str, str] = {}
    if questions is not None:
        questions.intro(f"{default_title(request.type)} for session {session}, {note_date.isoformat()}")
        values.answers = [questions.ask(prompt) for prompt in template.prompts]
        decisions = questions.review(carried)  # close old loops before adding new ones
        if template.asks_actions:
            values.actions += questions.ask_actions(request.type)
    values.open_actions = [(a.text, carried_links[a.source]) for a in carried if a.id not in decisions]
    values.path = vault.rel(target)
    text = render_note(template, values)
    make_dirs(target.parent, vault.config.dir_mode)
    try:
        create_exclusive(target, text.encode("utf-8"), vault.config.file_mode)
    except FileExistsError:
        raise NoteExistsError(f"{rel} appeared while it was being written; left untouched") from None
    if decisions:
        summary = (vault.root / vault.config.summary_path).exists()
        with opened(vault, notice) as store:
            report = refresh(
                vault, store, today, commands=list(decisions.items()), on=note_date, write_summary=summary
            )
        problems = [o.problem for o in report.commanded if o.problem]
        if problems:
            raise VaultkitError(f"{rel} was created, but: " + "; ".join(problems))
    return vault.rel(target)


# ---------------------------------------------------------------- template files


def shipped_templates_dir() -> Path:
    """The default templates: inside the installed package, or the source tree."""
    packaged = Path(__file__).parent / "_templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def _read_template(name: str, path: Path, origin: str) -> Template:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from None
    return Template(name, text.replace("\r\n", "\n"), origin, str(path))


def find_template(vault: Vault, name: str) -> Template:
    if not TEMPLATE_NAME.match(name):
        raise TemplateError(f"{name!r} is not a template name (letters, digits, - and _ only)")
    own = vault.state_dir / "templates" / f"{name}.md"
    if own.is_file():
        return _read_template(name, own, "vault")
    shipped = shipped_templates_dir() / f"{name}.md"
    if shipped.is_file():
        return _read_template(name, shipped, "default")
    names = [t.name for t in list_templates(vault)]
    import difflib

    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise TemplateError(f"no template named {name!r}; {hint}available: {', '.join(names)}")


def list_templates(vault: Vault) -> list[Template]:
    """Every template, the vault's own shadowing the shipped ones, sorted by name."""
    found: dict[str, Template] = {}
    for folder, origin in ((shipped_templates_dir(), "default"), (vault.state_dir / "templates", "vault")):
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                if TEMPLATE_NAME.match(path.stem):
                    found[path.stem] = _read_template(path.stem, path, origin)
    return [found[name] for name in sorted(found)]


def copy_template(vault: Vault, name: str) -> Path:
    """Copy a shipped template into `.vaultkit/templates/` for editing."""
    template = find_template(vault, name)
    target = vault.state_dir / "templates" / f"{name}.md"
    if template.origin == "vault":
        raise TemplateError(f"{vault.rel(target)} already exists; edit it there")
    make_dirs(target.parent, vault.config.dir_mode)
    create_exclusive(target, template.text.encode("utf-8"), vault.config.file_mode)
    return target
