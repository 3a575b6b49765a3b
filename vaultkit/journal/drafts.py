"""Drafts: a note being written, saved after every answer (and at each
Enter within one) so that nothing typed is lost to Ctrl-C, a closed
terminal, a kill or a crash.

A draft lives in `.vaultkit/drafts/TYPE.json` (owner-only, inside the vault
like the note it becomes; `.vaultkit-drafts/` at the vault's root when that
folder can't be written) and is removed once its note is written. It holds
the plan (date, session, title), so a resumed note is the note that was
started, and every answer given so far. A sync client may bring another
device's draft beside it as a conflict copy: it is offered, never merged."""

from __future__ import annotations

import json
import os
import shlex
import stat
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vaultkit.atomic import Snapshot, atomic_write, create_exclusive, make_dirs, snapshot, swap
from vaultkit.conflicts import candidates
from vaultkit.errors import VaultkitError
from vaultkit.fs import Vault
from vaultkit.journal.note import NewAction
from vaultkit.text import a_or_an, plural

MAX_BYTES = 16 << 20  # answers never fill this much: a bigger file is not read


@dataclass
class Draft:
    """What was planned and answered so far for one new note."""

    type: str
    date: str  # the note's date, YYYY-MM-DD
    session: int
    title: str
    started: str  # when the draft was begun, for the notice that a draft waits
    answers: list[str | None] = field(default_factory=list)  # per prompt; None: not asked yet
    actions: list[NewAction] = field(default_factory=list)  # --action ones first, then typed ones
    decisions: dict[str, str] = field(default_factory=dict)  # check-in review: id -> done/dropped/keep
    reviewed: bool = False  # the check-in review is over
    lists_done: list[str] = field(default_factory=list)  # action kinds whose list was ended
    unfinished: str = ""  # what was being typed when the writing stopped: offered again on resume

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a) + len(self.decisions)

    @property
    def has_words(self) -> bool:
        """Anything the person gave that would be lost without the draft."""
        return bool(self.answered or self.unfinished.strip() or self.actions)

    @property
    def given(self) -> bool:
        """Anything answered, skipped or typed: a note with it is the person's
        choice. Nothing at all, and Ctrl-D means leave, not an empty note."""
        return self.has_words or any(a is not None for a in self.answers)

    @property
    def begun(self) -> str:
        """When it was started, as a person reads it: `2026-11-24 10:00`."""
        return self.started.replace("T", " ")


def _from_json(data: Any) -> Draft:
    """A draft from its JSON, every field checked: a hand-edited or half-synced
    file must give a message, not a crash halfway through the questions."""
    fields = {k: v for k, v in data.items() if k != "format"}
    fields["actions"] = [NewAction(**a) for a in fields.get("actions", [])]
    draft = Draft(**fields)
    date.fromisoformat(draft.date)
    checks = (
        all(isinstance(v, str) for v in (draft.type, draft.title, draft.started, draft.unfinished)),
        isinstance(draft.session, int),
        isinstance(draft.answers, list) and all(a is None or isinstance(a, str) for a in draft.answers),
        all(isinstance(a.text, str) and isinstance(a.kind, str) for a in draft.actions),
        isinstance(draft.decisions, dict) and all(isinstance(v, str) for v in draft.decisions.values()),
        isinstance(draft.lists_done, list),
    )
    if not all(checks):
        raise TypeError("a field has the wrong type")
    return draft


class Unreadable(ValueError):
    """A draft file that can't be used: `why` it can't be read, or None when
    it is JSON but not a draft."""

    def __init__(self, why: str | None) -> None:
        super().__init__(why)
        self.why = why


def parse(data: bytes) -> Draft:
    """A draft from its file's bytes, or `Unreadable`: a hand-edited,
    half-synced or hostile file gets a message, never a crash."""
    try:
        parsed = json.loads(data)
    except RecursionError:
        raise Unreadable("nested too deeply to read") from None
    except ValueError:
        raise Unreadable("not valid JSON") from None
    try:
        return _from_json(parsed)
    except (TypeError, ValueError, AttributeError):
        raise Unreadable(None) from None


def folders(vault: Vault) -> tuple[Path, Path]:
    """Where drafts are kept: `.vaultkit/drafts/`, and where they go when that
    can't be written. Both inside the vault, both dot-folders nothing indexes."""
    return vault.state_dir / "drafts", vault.root / ".vaultkit-drafts"


def kind_of(name: str) -> tuple[str, str]:
    """The note type a draft file is for, by its name, and which file it is:
    `draft` (TYPE.json), `kept` (TYPE.PID.json: this device's answers kept
    apart) or `copy` (another device's, named as sync clients name a conflict
    copy of a note)."""
    stem = name.removesuffix(".json")
    original, _ = candidates(stem + ".md")  # the names notes' conflict copies have
    if original is not None:
        return original.removesuffix(".md"), "copy"
    note_type, _, pid = stem.partition(".")
    return note_type, "kept" if pid else "draft"


def command(note_type: str, flag: str, name: str | None = None) -> str:
    """`vaultkit new TYPE --resume` (or another flag), for the file `name` when it is not TYPE.json."""
    return f"vaultkit new {note_type} {flag}" + (f" --draft {shlex.quote(name)}" if name else "")


def load(path: Path) -> tuple[Snapshot, str]:
    """A draft file as read, and why it can't be read ("" when it could be):
    only a file, and never one bigger than answers fill."""
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            return Snapshot(path, b"", None), "it is a folder"
        if not stat.S_ISREG(st.st_mode):
            return Snapshot(path, b"", None), "it is not a file"
        if st.st_size > MAX_BYTES:
            return Snapshot(path, b"", None), f"it is over {MAX_BYTES >> 20} MB, more than answers ever fill"
        return snapshot(path), ""
    except (FileNotFoundError, NotADirectoryError):  # NotADirectory: a file where its folder should be
        return Snapshot(path, None, None), ""
    except OSError as exc:
        return Snapshot(path, b"", None), _why(exc)


def _unwritable(folder: Path, mode: int) -> str | None:
    """Why no file can be made in `folder` (made if missing), or None."""
    try:
        make_dirs(folder, mode)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".vaultkit-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return _why(exc)
    return None


def _why(exc: OSError) -> str:
    return (exc.strerror or exc.__class__.__name__).lower()  # "permission denied", "not a directory"


class DraftFile:
    """One type's draft file (or, with `name`, another device's copy of it).
    Another `vaultkit new` in a second terminal, or a sync client bringing
    another device's draft, may write it too: every save and the removal check
    that it still holds what this run read or wrote."""

    def __init__(self, vault: Vault, note_type: str, name: str | None = None) -> None:
        self.vault, self.type, self.name = vault, note_type, name
        paths = [folder / (name or f"{note_type}.json") for folder in folders(vault)]
        self.path = next((p for p in paths if os.path.lexists(p)), paths[0])
        self.snap, self.problem = load(self.path)
        self.last: bytes | None = None  # the bytes last sent to the file
        self.elsewhere: Path | None = None  # where this run's answers went when the file was taken

    @property
    def exists(self) -> bool:
        return self.snap.data is not None

    def command(self, flag: str) -> str:
        return command(self.type, flag, self.name)

    def read(self) -> Draft | None:
        """The waiting draft, if any. One vaultkit can't read is an error that
        names the file and the way out: it may hold someone's words, so it is
        never deleted or replaced without being asked."""
        if self.snap.data is None:
            return None
        try:
            if self.problem:
                raise Unreadable(self.problem)
            return parse(self.snap.data)
        except Unreadable as exc:
            rel, discard = self.vault.rel(self.path), self.command("--discard-draft")
            if exc.why is None:
                raise VaultkitError(
                    f"{rel} is not a draft this vaultkit understands; copy what you need from it, "
                    f"then `{discard}` sets it aside"
                ) from None
            raise VaultkitError(
                f"cannot read the draft {rel} ({exc.why}); any words in it are still there: copy what "
                f"you need, then `{discard}` sets it aside"
            ) from None

    def throw_away(self) -> str:
        """--discard-draft: remove the draft, or set one vaultkit can't read
        aside, unread (it may hold words); what was done, as a sentence."""
        if not self.exists:
            return ""
        try:
            draft = self.read()
        except VaultkitError:
            draft = None
        aside, n = self.path.with_name(f"{self.path.name}.discarded"), 1
        while os.path.lexists(aside):
            n += 1
            aside = self.path.with_name(f"{self.path.name}.discarded-{n}")
        rel = self.vault.rel(self.path)
        try:
            if draft is not None:
                self.discard()
                return f"Discarded the draft of {a_or_an(self.type)} started {draft.begun}."
            os.rename(self.path, aside)
        except OSError as exc:
            raise VaultkitError(
                f"cannot remove the draft {rel} ({_why(exc)}); move or delete it yourself"
            ) from None
        self.snap = Snapshot(self.path, None, None)
        return (
            f"Set the draft {rel} aside, unread, as {self.vault.rel(aside)}; "
            "copy what you need from it, then delete it."
        )

    def make_room(self, notice: Callable[[str], None]) -> None:
        """Before the first question: a folder the draft can be saved in. When
        its own can't be written (permissions, a file in its place), the other
        one, said once; when neither can, an error now, not lost words later."""
        mode = self.vault.config.dir_mode
        tried: list[str] = []
        for folder in dict.fromkeys((self.path.parent, *folders(self.vault))):
            if (why := _unwritable(folder, mode)) is not None:
                tried.append(f"{self.vault.rel(folder)} ({why})")
                continue
            if folder != self.path.parent:
                notice(
                    f"Note: drafts can't be saved in {tried[0]}; they are kept in "
                    f"{self.vault.rel(folder)}/ instead (owner-only)."
                )
                self.path = folder / self.path.name
                self.snap = Snapshot(self.path, None, None)  # a file there already is not overwritten
            return
        raise VaultkitError(
            f"no draft can be saved, in {' or '.join(tried)}, so words typed could be lost; "
            "make .vaultkit/drafts a folder you can write, or use --no-input"
        )

    def save(self, draft: Draft) -> None:
        """Write the draft if the file is still this run's; else keep this run's
        answers in a file of their own and say where (nothing overwritten)."""
        if not (self.exists or draft.has_words):
            return  # a draft of nothing would only stand in the way
        config = self.vault.config
        data = json.dumps({**asdict(draft), "format": 1}, ensure_ascii=False, indent=1).encode("utf-8")
        if self.elsewhere is not None:
            atomic_write(self.elsewhere, data, config.file_mode)  # only this run writes that one
            return
        make_dirs(self.path.parent, config.dir_mode)
        last, self.last = self.last, data
        newer = swap(self.snap, data, config.file_mode)
        if newer is not None and newer.data == last:  # it landed; a signal came before it was noted
            newer = swap(newer, data, config.file_mode)
        if newer is None:
            self.snap = Snapshot(self.path, data, os.stat(self.path))
            return
        self.elsewhere = self.path.with_name(f"{draft.type}.{os.getpid()}.json")
        create_exclusive(self.elsewhere, data, config.file_mode)
        raise VaultkitError(
            f"{self.vault.rel(self.path)} was changed by another vaultkit (or a sync client) while "
            f"you wrote; your answers are kept in {self.vault.rel(self.elsewhere)}: copy them from there"
        )

    def discard(self) -> None:
        """Remove the draft, if it is still the one this run read or wrote, and
        the answers this run kept apart."""
        if self.elsewhere is not None:
            self.elsewhere.unlink(missing_ok=True)
        if self.snap.data is not None and snapshot(self.path).data == self.snap.data:
            self.path.unlink(missing_ok=True)
            self.snap = Snapshot(self.path, None, None)


@dataclass(frozen=True)
class Waiting:
    """A draft file that waits, as `vaultkit status` shows it."""

    type: str
    path: str  # vault-relative
    draft: Draft | None  # None: the file can't be read as a draft
    kind: str = "draft"  # draft, kept (answers kept apart: TYPE.PID.json) or copy (another device's)
    name: str = ""  # the file's name

    def line(self) -> str:
        if self.kind == "kept":
            return f"Answers kept apart: {self.path} (a draft of {a_or_an(self.type)}); copy them from there"
        if self.draft is None:
            return f"Draft waiting: {self.path} cannot be read; copy your answers out, then remove it"
        told = f"{a_or_an(self.type)} started {self.draft.begun}"
        if self.kind == "copy":
            return (
                f"Draft from another device: {self.path} ({told}, {plural(self.draft.answered, 'answer')})"
                f"  ->  {self.resume}"
            )
        return f"Draft waiting: {told} ({plural(self.draft.answered, 'answer')})  ->  {self.resume}"

    @property
    def resume(self) -> str:
        return command(self.type, "--resume", self.name if self.kind == "copy" else None)

    def offer(self) -> str:
        """Another device's draft, offered when this type is written here."""
        where = f"Another device's draft of {a_or_an(self.type)} waits in {self.path}"
        discard = command(self.type, "--discard-draft", self.name)
        if self.draft is None:
            return f"{where} (it cannot be read: copy what you need from it); throw it away with `{discard}`."
        return (
            f"{where} (started {self.draft.begun}, {plural(self.draft.answered, 'answer')}); it is kept "
            f"apart from yours, never merged: continue it with `{self.resume}`, or throw it away with "
            f"`{discard}`."
        )

    def to_json(self) -> dict[str, Any]:
        draft = self.draft
        return {
            "type": self.type,
            "path": self.path,
            "started": draft and draft.started,
            "date": draft and draft.date,
            "session": draft and draft.session,
            "answers": draft and draft.answered,
            "resume": self.resume if draft and self.kind != "kept" else None,
            "readable": draft is not None,
        }


def waiting_drafts(vault: Vault) -> list[Waiting]:
    """Every draft that waits, by folder and name: each holds someone's words."""
    waiting = []
    for folder in folders(vault):
        for path in sorted(folder.glob("*.json")):
            snap, problem = load(path)
            if snap.data is None:
                continue  # gone meanwhile
            try:
                draft: Draft | None = None if problem else parse(snap.data)
            except Unreadable:
                draft = None
            note_type, kind = kind_of(path.name)
            waiting.append(Waiting(note_type, vault.rel(path), draft, kind, path.name))
    return waiting
