"""`vaultkit new`: plan the note (date, session, links, path), ask the
questions with a draft kept after every answer, create it.

The vault's lock is held while the store is read and again while the check-in
review's answers are written, never while the person is answering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Protocol

from vaultkit.actions import Action
from vaultkit.atomic import create_new
from vaultkit.config import logical_today
from vaultkit.drafts import Draft, DraftFile, started_now
from vaultkit.errors import NoteExistsError, NothingWritten, VaultkitError
from vaultkit.fs import Vault, safe_target
from vaultkit.new_actions import NewAction, parse_action_text
from vaultkit.practice import OPENS_SESSION
from vaultkit.refresh import Request, opened, refresh, scan
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
from vaultkit.text import a_or_an, plural, shorten

if TYPE_CHECKING:
    from vaultkit.store import Store

# ---------------------------------------------------------------- creating

DAY_KEYS = {"d": "draft", "t": "today"}  # a resumed draft's day: its own, or today


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
    def choose(self, question: str, keys: dict[str, str]) -> str | None: ...  # one key; None: Ctrl-D
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
        notice(f"Discarded the draft of {a_or_an(kind)} started {draft.begun}.")
        draft = None
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
            f"({plural(draft.answered, 'answer')}): "
            f"continue it with `vaultkit new {kind} --resume`"
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
    draft: Draft, today: date, day_starts_at: time, asker: Asker, notice: Callable[[str], None]
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
    chosen = asker.choose(f"Write it for {day} or today ({now})? [d/t] ", DAY_KEYS)
    if chosen is None:
        raise NothingWritten(f"Nothing was written; the draft waits: `vaultkit new {kind} --resume`.")
    notice(f"  → {now if chosen == 'today' else day}")
    return today if chosen == "today" else planned


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
    if draft is not None and asker is not None:  # a draft is only resumed when asking
        note_date = _resumed_date(draft, today, vault.config.day_starts_at, asker, notice)
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
        if draft is not None:  # resumed: its review answers meet the notes as they are now
            draft.decisions, skipped = _still_open(store, draft.decisions)
            _tell_skipped(skipped, notice)
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
            draft = Draft(request.type, note_date.isoformat(), session, title, started_now(request.now))
        draft.title = title
        draft.date = note_date.isoformat()  # the day chosen for a resumed draft is kept if it stops again
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
        if asker.ended and asker.terminal and not draft.given:
            left = f" The draft waits: `vaultkit new {request.type} --resume`." if file.exists else ""
            raise NothingWritten(f"Nothing was written (Ctrl-D before any answer).{left}")
        values.answers = [a or "" for a in draft.answers]
        values.actions = draft.actions
        decisions = {i: d for i, d in draft.decisions.items() if d != "keep"}
    values.open_actions = [(a.text, carried_links[a.source]) for a in carried if a.id not in decisions]
    values.path = vault.rel(target)
    text = render_note(template, values)
    create_new(target, text.encode("utf-8"), vault.config.file_mode, vault.config.dir_mode, rel)
    if asker is not None:
        file.discard()  # its words are in the note now (a draft someone else wrote meanwhile stays)
        if file.elsewhere is not None:
            file.elsewhere.unlink(missing_ok=True)
    if decisions:
        summary = (vault.root / vault.config.summary_path).exists()
        with opened(vault, notice) as store:
            scan(vault, store, today)  # a `done` or `drop` made while the person wrote wins
            decisions, skipped = _still_open(store, decisions)
            report = refresh(
                vault,
                store,
                today,
                Request(commands=list(decisions.items()), on=note_date, write_summary=summary),
            )
        _tell_skipped(skipped, notice)
        problems = [o.problem for o in report.commanded if o.problem]
        if problems:
            raise VaultkitError(f"{rel} was created, but: " + "; ".join(problems))
    return vault.rel(target)


def _still_open(store: Store, decisions: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The review answers whose action is still open, and a line for each done
    or drop answer that is not (its action was done, dropped, reworded or
    removed since the answer was given): the note as it is now wins."""
    kept: dict[str, str] = {}
    skipped: list[str] = []
    by_id = {a.id: a for a in store.actions()}
    for uid, decision in decisions.items():
        found = [by_id[uid]] if uid in by_id else []
        if found and found[0].status == "open":
            kept[uid] = decision
        elif decision != "keep":
            said = "done" if decision == "done" else "drop"
            if found:
                skipped.append(f"  {shorten(found[0].text)}: you said {said}; it is {found[0].status} now")
            else:
                skipped.append(f"  ^{uid}: you said {said}; it is no longer in its note")
    return kept, skipped


def _tell_skipped(skipped: list[str], notice: Callable[[str], None]) -> None:
    if skipped:
        notice(
            f"{plural(len(skipped), 'review answer')} not applied: the action changed after you "
            "answered, and the note as it is now wins:\n" + "\n".join(skipped)
        )


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
