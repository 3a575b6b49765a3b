"""`vaultkit new`: plan the note (date, session, links, path), ask the
questions with a draft kept after every answer, create it.

The vault's lock is held while the store is read and again while the check-in
review's answers are written, never while the person is answering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from vaultkit.actions import Action
from vaultkit.atomic import create_new
from vaultkit.config import logical_today
from vaultkit.errors import NoteExistsError, NothingWritten, VaultkitError
from vaultkit.fs import Vault, notes_folder, safe_target
from vaultkit.journal.ask import Asker, stopping
from vaultkit.journal.drafts import Draft, DraftFile, kind_of, waiting_drafts
from vaultkit.journal.note import NewAction, NoteValues, clean_title, default_title, note_path, render_note
from vaultkit.journal.templates import Template, note_template
from vaultkit.practice import (
    OPENS_SESSION,
    carried_over,
    choose_session,
    expected_day,
    parse_date_option,
    session_links,
)
from vaultkit.refresh import Request, opened, refresh, scan
from vaultkit.text import a_or_an, plural, shorten

if TYPE_CHECKING:
    from vaultkit.store import Store

Notice = Callable[[str], None]


@dataclass
class NewNoteRequest:
    """What the person asked `vaultkit new` for."""

    type: str
    now: datetime
    date_text: str | None = None
    session: int | None = None
    title: str | None = None
    actions: list[NewAction] = field(default_factory=list)
    yes: bool = False  # a date in the future is meant
    resume: bool = False
    discard_draft: bool = False
    draft: str | None = None  # the draft file to resume or discard: another device's copy


def _check_date(note_date: date, today: date, request: NewNoteRequest, asker: Asker | None) -> None:
    if note_date <= today or request.yes:
        return
    question = f"{note_date.isoformat()} is in the future (today is {today.isoformat()}). Write it anyway?"
    if asker is not None and asker.terminal:
        if asker.choose(f"{question} [y/N] ", {"y": "yes", "n": "no"}, "no") == "yes":
            return
        raise VaultkitError("nothing written; give --date the day the note is about")
    raise VaultkitError(
        f"--date {note_date.isoformat()} is in the future (today is {today.isoformat()}); "
        "add --yes if you mean it"
    )


def _waiting_draft(
    file: DraftFile, request: NewNoteRequest, asking: bool, notice: Notice
) -> tuple[Draft | None, Draft | None]:
    """The draft this run continues, if any, and one that waits while this run
    asks nothing; refuses to start over a waiting draft. Another device's
    draft (a sync-conflict copy) is offered, never merged."""
    kind = request.type
    if request.draft is None:
        for copy in waiting_drafts(file.vault):
            if copy.kind == "copy" and copy.type == kind:
                notice(copy.offer())
    elif not (request.resume or request.discard_draft):
        raise VaultkitError("--draft names the draft to --resume or --discard-draft; add one of them")
    elif kind_of(file.path.name)[0] != kind or not file.exists:
        raise VaultkitError(
            f"there is no draft of {a_or_an(kind)} named {file.path.name}; `vaultkit status` lists the drafts"
        )
    if request.discard_draft:  # before reading: one that can't be read is set aside
        if said := file.throw_away():
            notice(said)
        draft = None
    else:
        try:
            draft = file.read()
        except VaultkitError as exc:
            if asking or request.resume:
                raise
            notice(f"warning: {exc}")  # --no-input does not use the draft: go on, say so
            return None, None
    if request.resume:
        if draft is None:
            raise VaultkitError(
                f"there is no draft of {a_or_an(kind)} to resume; start one with `vaultkit new {kind}`"
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
            f"a draft of {a_or_an(kind)} started {draft.begun} is waiting "
            f"({plural(draft.answered, 'answer')}): continue it with `vaultkit new {kind} --resume`"
        )
        if asking:
            raise VaultkitError(f"{waiting}, or start over with `vaultkit new {kind} --discard-draft`")
        if not request.title:  # an empty note beside the draft would clear its follow-up
            raise VaultkitError(
                f"{waiting}; or discard it with --discard-draft, or give this note a --title of its own"
            )
        notice(waiting[0].upper() + waiting[1:] + ".")
    return None, draft


def _resumed_date(
    draft: Draft, today: date, day_starts_at: time, asker: Asker, notice: Notice, resume: str
) -> date:
    """The day a resumed draft's note is for. A draft begun on an earlier day,
    for a day that is not today, is asked about on a terminal (the note may be
    about then, or about now); without one, it keeps its day and says so."""
    planned = date.fromisoformat(draft.date)
    try:
        begun = logical_today(datetime.fromisoformat(draft.started), day_starts_at)
    except ValueError:  # a hand-edited start: ask
        begun = date.min
    if planned == today or begun >= today:  # the day was chosen today: not asked again
        return planned
    kind, day, now = draft.type, planned.isoformat(), today.isoformat()
    if not asker.terminal:
        notice(
            f"The draft of {a_or_an(kind)} started {draft.begun} is for {day}; today is {now}. "
            f"Writing it for {day} (resume it on a terminal to choose today)."
        )
        return planned
    notice(f"This draft of {a_or_an(kind)} was started {draft.begun}.")
    chosen = asker.choose(f"Write it for {day} or today ({now})? [d/t] ", {"d": "draft", "t": "today"})
    if chosen is None:
        raise NothingWritten(f"Nothing was written; the draft waits: `{resume}`.")
    notice(f"  → {now if chosen == 'today' else day}")
    return today if chosen == "today" else planned


def _interview(
    asker: Asker, template: Template, draft: Draft, carried: list[Action], file: DraftFile
) -> None:
    """Ask what is still unanswered, saving the draft after every answer, and
    what is typed meanwhile (an answer so far at each Enter, an action before
    its domain question) as it comes: a kill then loses no line."""

    def keep(text: str, typed: list[NewAction]) -> None:
        file.save(replace(draft, unfinished=text, actions=[*draft.actions, *typed]))

    asker.keep = keep
    asker.intro(f"{default_title(draft.type)} for session {draft.session}, {draft.date}")
    if not draft.reviewed:  # close old loops before adding new ones
        todo = [a for a in carried if a.id not in draft.decisions]
        if todo:
            asker.review_start(len(todo))
        for action in todo:
            if (decision := asker.decide(action)) is None:
                return
            draft.decisions[action.id] = decision
            file.save(draft)
        draft.reviewed = True
        file.save(draft)

    def start() -> str:
        text, draft.unfinished = draft.unfinished, ""
        return text

    for i, prompt in enumerate(template.prompts):
        if draft.answers[i] is None:
            if (answer := asker.ask(prompt, start())) is None:
                return
            draft.answers[i] = answer
            file.save(draft)
    for kind in ("external", "internal") if template.asks_actions else ():
        if kind in draft.lists_done:
            continue
        asker.actions_start(kind)
        while (typed := asker.ask_action(kind, start())) is not None:
            draft.actions.append(typed)
            file.save(draft)
        if asker.ended:
            return
        draft.lists_done.append(kind)
        file.save(draft)


def _ask(
    asker: Asker, file: DraftFile, template: Template, draft: Draft, carried: list[Action], notice: Notice
) -> None:
    """The interview; after an interruption (Ctrl-C, the terminal closed, a
    kill with SIGTERM), what was typed is saved too and the person told how
    to go on."""
    with stopping() as hold:
        try:
            _interview(asker, template, draft, carried, file)
        except BaseException:
            hold()  # a second signal must not cut the saving short
            unfinished, typed = asker.salvage()
            draft.unfinished = unfinished or draft.unfinished
            draft.actions += typed
            file.save(draft)  # to this run's own file if the draft was taken meanwhile: never raises twice
            if file.elsewhere is not None:
                notice(f"Your answers are kept in {file.vault.rel(file.elsewhere)}.")
            elif file.exists:
                resume = file.command("--resume")
                notice(f"Your answers are kept in a draft; `{resume}` picks up where you left off.")
            raise
    if asker.ended and asker.terminal and not draft.given:
        left = f" The draft waits: `{file.command('--resume')}`." if file.exists else ""
        raise NothingWritten(f"Nothing was written (Ctrl-D before any answer).{left}")


def create_note(vault: Vault, request: NewNoteRequest, asker: Asker | None, notice: Notice) -> str:
    """Create the note; return its vault-relative path. Never overwrites."""
    config, kind, now = vault.config, request.type, request.now
    template = note_template(vault, kind, config.who5)
    today = logical_today(now, config.day_starts_at)
    file = DraftFile(vault, kind, Path(request.draft).name if request.draft else None)
    draft, waiting = _waiting_draft(file, request, asker is not None, notice)
    if draft is not None and asker is not None:  # a draft is only resumed when asking
        note_date = _resumed_date(draft, today, config.day_starts_at, asker, notice, file.command("--resume"))
        title = clean_title(request.title) if request.title else draft.title
    else:
        note_date = parse_date_option(request.date_text, today) if request.date_text is not None else today
        _check_date(note_date, today, request, asker)
        title = clean_title(request.title) if request.title else default_title(kind)
    with opened(vault, notice) as store:  # the sessions: its own notes, and the folder it writes in
        own = Request(paths=store.own_notes(), folders=[notes_folder(vault)], write_summary=False)
        refresh(vault, store, today, own)
        practice = store.practice(config.follow_ups, today)
        session = draft.session if draft else choose_session(practice, kind, request.session, note_date)
        values = NoteValues(
            kind,
            title,
            note_date,
            now,
            session,
            links=session_links(store.integration_notes(), session, kind, store.link),
            actions=list(request.actions),
            session_day=expected_day(practice, session, note_date) if kind == OPENS_SESSION else None,
        )
        carried = carried_over(store.actions("open"), note_date) if kind == "check-in" else []
        carried_links = {a.source: store.link(a.source) for a in carried}
        if draft is not None:  # resumed: its review answers meet the notes as they are now
            draft.decisions = _still_open(store, draft.decisions, notice)
    rel = note_path(config.note_path, values)
    target = safe_target(vault, rel)
    if target.exists() or target.is_symlink():
        again = f"`{file.command('--resume')} --title ...`" if draft else "--title"
        raise NoteExistsError(
            f"{rel} already exists; vaultkit never overwrites a note. "
            f"Open it, or pick another name with {again}"
        )
    if waiting is not None:
        planned = NoteValues(
            waiting.type, waiting.title, date.fromisoformat(waiting.date), now, waiting.session
        )
        if note_path(config.note_path, planned) == rel:
            raise VaultkitError(
                f"the waiting draft is for this very note ({rel}): continue it with "
                f"`vaultkit new {kind} --resume`, or give this one another --title"
            )
    decisions: dict[str, str] = {}
    if asker is not None:
        prompts = template.prompts
        started = now.replace(tzinfo=None).isoformat(timespec="minutes")
        draft = draft or Draft(kind, note_date.isoformat(), session, title, started)
        draft.title = title
        draft.date = note_date.isoformat()  # the day chosen for a resumed draft is kept if it stops again
        draft.actions += [a for a in request.actions if a not in draft.actions]
        draft.answers = (draft.answers + [None] * len(prompts))[: len(prompts)]
        file.make_room(notice)
        asker.scratch = file.path.parent
        _ask(asker, file, template, draft, carried, notice)
        values.answers = [a or "" for a in draft.answers]
        values.actions = draft.actions
        decisions = {i: d for i, d in draft.decisions.items() if d != "keep"}
    values.open_actions = [(a.text, carried_links[a.source]) for a in carried if a.id not in decisions]
    values.path = vault.rel(target)
    text = render_note(template, values)
    create_new(target, text.encode("utf-8"), config.file_mode, config.dir_mode, rel)
    if asker is not None:
        file.discard()  # its words are in the note now (a draft someone else wrote meanwhile stays)
    if decisions:
        summary = (vault.root / config.summary_path).exists()
        with opened(vault, notice) as store:
            scan(vault, store, today)  # a `done` or `drop` made while the person wrote wins
            decisions = _still_open(store, decisions, notice)
            report = refresh(
                vault,
                store,
                today,
                Request(commands=list(decisions.items()), on=note_date, write_summary=summary),
            )
        problems = [o.problem for o in report.commanded if o.problem]
        if problems:
            raise VaultkitError(f"{rel} was created, but: " + "; ".join(problems))
    return vault.rel(target)


def _still_open(store: Store, decisions: dict[str, str], notice: Notice) -> dict[str, str]:
    """The review answers whose action is still open. A done or drop answer
    whose action was done, dropped, reworded or removed since is said and left:
    the note as it is now wins."""
    kept: dict[str, str] = {}
    skipped: list[str] = []
    by_id = {a.id: a for a in store.actions()}
    for uid, decision in decisions.items():
        action = by_id.get(uid)
        if action is not None and action.status == "open":
            kept[uid] = decision
        elif decision != "keep":
            said = "done" if decision == "done" else "drop"
            if action is not None:
                skipped.append(f"  {shorten(action.text)}: you said {said}; it is {action.status} now")
            else:
                skipped.append(f"  ^{uid}: you said {said}; it is no longer in its note")
    if skipped:
        notice(
            f"{plural(len(skipped), 'review answer')} not applied: the action changed after you "
            "answered, and the note as it is now wins:\n" + "\n".join(skipped)
        )
    return kept
