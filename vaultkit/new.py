"""`vaultkit new`: plan the note (date, session, links, path), ask the
questions with a draft kept after every answer, create it.

The vault's lock is held while the store is read and again while the check-in
review's answers are written, never while the person is answering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from vaultkit.actions import Action
from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.config import logical_today
from vaultkit.drafts import Draft, DraftFile, started_now
from vaultkit.errors import NoteExistsError, VaultkitError
from vaultkit.fs import Vault, safe_target
from vaultkit.new_actions import NewAction, parse_action_text
from vaultkit.practice import OPENS_SESSION
from vaultkit.refresh import opened, refresh, scan
from vaultkit.sessions import carried_over, choose_session, expected_day, parse_date_option, session_links
from vaultkit.template_files import find_template, note_path
from vaultkit.templates import (
    NoteValues,
    Prompt,
    Template,
    clean_title,
    default_title,
    render_note,
)
from vaultkit.text import plural

# ---------------------------------------------------------------- creating


def parse_action_option(text: str) -> NewAction | None:
    """`--action "internal: notice my breath"` -> an internal action; the
    same rules as an action typed at the prompt."""
    return parse_action_text(text)


@dataclass
class NewNoteRequest:
    """What the user asked `vaultkit new` for."""

    type: str
    now: datetime
    date_text: str | None = None
    session: int | None = None
    title: str | None = None
    actions: list[NewAction] = field(default_factory=list)
    yes: bool = False  # a date in the future is meant
    resume: bool = False
    discard_draft: bool = False


class Asker(Protocol):
    """The person at the terminal (or a pipe). Each question returns None when
    input has ended (Ctrl-D, end of a pipe); `ended` then stays true."""

    ended: bool
    terminal: bool  # a person who can be asked to confirm

    def intro(self, label: str) -> None: ...
    def confirm(self, question: str) -> bool: ...
    def review_start(self, count: int) -> None: ...
    def decide(self, action: Action) -> str | None: ...  # done, dropped or keep
    def ask(self, prompt: Prompt, start: str = "") -> str | None: ...  # start: text to go on from
    def actions_start(self, kind: str) -> None: ...
    def ask_action(self, kind: str, start: str = "") -> NewAction | None: ...  # None: the list is over
    def salvage(self) -> tuple[str, list[NewAction]]:
        """After an interruption: the answer being typed, and actions typed but
        not yet handed over (the rest of a pasted block)."""
        ...


def _check_date(note_date: date, today: date, request: NewNoteRequest, asker: Asker | None) -> None:
    if note_date <= today or request.yes:
        return
    question = f"{note_date.isoformat()} is in the future (today is {today.isoformat()}). Write it anyway?"
    if asker is not None and asker.terminal:
        if asker.confirm(question):
            return
        raise VaultkitError("nothing written; give --date the day the note is about")
    raise VaultkitError(
        f"--date {note_date.isoformat()} is in the future (today is {today.isoformat()}); "
        "add --yes if you mean it"
    )


def _waiting_draft(
    file: DraftFile, request: NewNoteRequest, asking: bool, notice: Callable[[str], None]
) -> tuple[Draft | None, Draft | None]:
    """The draft this run continues, if any, and one that waits while this run
    asks nothing; refuses to start over a waiting draft."""
    kind = request.type
    try:
        draft = file.read()
    except VaultkitError as exc:
        if asking or request.resume or request.discard_draft:
            raise
        notice(f"warning: {exc}")  # --no-input does not use the draft: go on, say so
        return None, None
    if request.discard_draft and draft is not None:
        file.discard()
        notice(f"Discarded the draft of a {kind} started {draft.started}.")
        draft = None
    if request.resume:
        if draft is None:
            raise VaultkitError(
                f"there is no draft of a {kind} to resume; start one with `vaultkit new {kind}`"
            )
        if request.date_text or request.session is not None:
            raise VaultkitError(
                "--resume continues the draft for the date and session it was planned for; "
                "leave out --date and --session"
            )
        if not asking:
            raise VaultkitError("--resume asks the remaining questions; leave out --no-input")
        return draft, None
    if draft is not None:
        waiting = (
            f"a draft of a {kind} started {draft.started} is waiting ({plural(draft.answered, 'answer')}): "
            f"continue it with `vaultkit new {kind} --resume`"
        )
        if asking:
            raise VaultkitError(f"{waiting}, or start over with `vaultkit new {kind} --discard-draft`")
        notice(waiting[0].upper() + waiting[1:] + ".")
    return None, draft


def _interview(
    asker: Asker, template: Template, draft: Draft, carried: list[Action], save: Callable[[], None]
) -> None:
    """Ask what is still unanswered, saving the draft after every answer."""
    prompts = template.prompts
    asker.intro(f"{default_title(draft.type)} for session {draft.session}, {draft.date}")
    if not draft.reviewed:
        # Close old loops before adding new ones.
        todo = [a for a in carried if a.id not in draft.decisions]
        if todo:
            asker.review_start(len(todo))
        for action in todo:
            decision = asker.decide(action)
            if decision is None:
                return
            draft.decisions[action.id] = decision
            save()
        draft.reviewed = True
        save()

    def start() -> str:
        text, draft.unfinished = draft.unfinished, ""
        return text

    for i, prompt in enumerate(prompts):
        if draft.answers[i] is not None:
            continue
        answer = asker.ask(prompt, start())
        if answer is None:
            return
        draft.answers[i] = answer
        save()
    if not template.asks_actions:
        return
    for kind in ("external", "internal"):
        if kind in draft.lists_done:
            continue
        asker.actions_start(kind)
        while (typed := asker.ask_action(kind, start())) is not None:
            draft.actions.append(typed)
            save()
        if asker.ended:
            return
        draft.lists_done.append(kind)
        save()


def create_note(
    vault: Vault, request: NewNoteRequest, asker: Asker | None, notice: Callable[[str], None]
) -> str:
    """Create the note; return its vault-relative path. Never overwrites."""
    template = find_template(vault, request.type)
    today = logical_today(request.now, vault.config.day_starts_at)
    file = DraftFile(vault, request.type)
    draft, waiting = _waiting_draft(file, request, asker is not None, notice)
    if draft is not None:
        note_date = date.fromisoformat(draft.date)
        title = clean_title(request.title) if request.title else draft.title
    else:
        note_date = parse_date_option(request.date_text, today) if request.date_text is not None else today
        _check_date(note_date, today, request, asker)
        title = clean_title(request.title) if request.title else default_title(request.type)
    with opened(vault, notice) as store:
        scan(vault, store, today)
        notes = store.integration_notes()
        practice = store.practice(vault.config.follow_ups, today)
        session = (
            draft.session if draft else choose_session(practice, request.type, request.session, note_date)
        )
        session_day = expected_day(practice, session, note_date) if request.type == OPENS_SESSION else None
        links = session_links(notes, session, request.type, store.link)
        carried = carried_over(store.actions("open"), note_date) if request.type == "check-in" else []
        carried_links = {a.source: store.link(a.source) for a in carried}
    values = NoteValues(
        type=request.type,
        title=title,
        note_date=note_date,
        now=request.now,
        session=session,
        links=links,
        actions=list(request.actions),
        session_day=session_day,
    )
    rel = note_path(vault.config.note_path, values)
    target = safe_target(vault, rel)
    if target.exists() or target.is_symlink():
        again = f"`vaultkit new {request.type} --resume --title ...`" if draft else "--title"
        raise NoteExistsError(
            f"{rel} already exists; vaultkit never overwrites a note. "
            f"Open it, or pick another name with {again}"
        )
    if waiting is not None and _planned_path(vault, waiting, values) == rel:
        raise VaultkitError(
            f"the waiting draft is for this very note ({rel}): continue it with "
            f"`vaultkit new {request.type} --resume`, or give this one another --title"
        )
    decisions: dict[str, str] = {}
    if asker is not None:
        prompts = template.prompts
        if draft is None:
            draft = Draft(request.type, note_date.isoformat(), session, title, started_now())
        draft.title = title
        draft.actions += [a for a in request.actions if a not in draft.actions]
        draft.answers = (draft.answers + [None] * len(prompts))[: len(prompts)]
        being_written = draft
        saved = file.exists

        def save() -> None:
            nonlocal saved
            if saved or being_written.has_words:  # a draft of nothing would only stand in the way
                saved = True
                file.save(being_written)

        try:
            _interview(asker, template, draft, carried, save)
        except BaseException:
            unfinished, typed = asker.salvage()
            draft.unfinished = unfinished or draft.unfinished
            draft.actions += typed
            save()  # to this run's own file if the draft was taken meanwhile: never raises twice
            if file.elsewhere is not None:
                notice(f"Your answers are kept in {vault.rel(file.elsewhere)}.")
            elif saved:
                notice(
                    f"Your answers are kept in a draft; `vaultkit new {request.type} --resume` "
                    "picks up where you left off."
                )
            raise
        values.answers = [a or "" for a in draft.answers]
        values.actions = draft.actions
        decisions = {i: d for i, d in draft.decisions.items() if d != "keep"}
    values.open_actions = [(a.text, carried_links[a.source]) for a in carried if a.id not in decisions]
    values.path = vault.rel(target)
    text = render_note(template, values)
    make_dirs(target.parent, vault.config.dir_mode)
    try:
        create_exclusive(target, text.encode("utf-8"), vault.config.file_mode)
    except FileExistsError:
        raise NoteExistsError(f"{rel} appeared while it was being written; left untouched") from None
    if asker is not None:
        file.discard()  # its words are in the note now (a draft someone else wrote meanwhile stays)
        if file.elsewhere is not None:
            file.elsewhere.unlink(missing_ok=True)
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


def _planned_path(vault: Vault, draft: Draft, like: NoteValues) -> str:
    """Where a waiting draft's note will go."""
    values = NoteValues(
        type=draft.type,
        title=draft.title,
        note_date=date.fromisoformat(draft.date),
        now=like.now,
        session=draft.session,
    )
    return note_path(vault.config.note_path, values)
