"""Drafts: a note being written, saved after every answer so that nothing
typed is lost to Ctrl-C, a closed terminal or a crash.

A draft lives in `.vaultkit/drafts/TYPE.json` (owner-only, inside the vault
like the note it becomes) and is removed once its note is written. It holds
the plan (date, session, title), so a resumed note is the note that was
started, and every answer given so far."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vaultkit.atomic import Snapshot, atomic_write, create_exclusive, make_dirs, snapshot, swap
from vaultkit.errors import VaultkitError
from vaultkit.fs import Vault
from vaultkit.journal.note import NewAction
from vaultkit.text import a_or_an, plural


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


class DraftFile:
    """One type's draft file. Another `vaultkit new` in a second terminal, or a
    sync client bringing another device's draft, may write it too: every save
    and the removal check that it still holds what this run read or wrote."""

    def __init__(self, vault: Vault, note_type: str) -> None:
        self.vault = vault
        self.path = vault.state_dir / "drafts" / f"{note_type}.json"
        self.snap = snapshot(self.path)
        self.elsewhere: Path | None = None  # where this run's answers went when the file was taken

    @property
    def exists(self) -> bool:
        return self.snap.data is not None

    def read(self) -> Draft | None:
        """The waiting draft, if any. One vaultkit can't read is an error that
        names the file: it may hold someone's words, so it is never deleted or
        replaced without being asked."""
        if self.snap.data is None:
            return None
        rel = self.vault.rel(self.path)
        try:
            data = json.loads(self.snap.data)
        except ValueError as exc:
            raise VaultkitError(
                f"cannot read the draft {rel} ({exc.__class__.__name__}); your answers are "
                "still in it: copy them out, then remove it or use --discard-draft"
            ) from None
        try:
            return _from_json(data)
        except (TypeError, ValueError, AttributeError):
            raise VaultkitError(
                f"{rel} is not a draft this vaultkit understands; copy your answers out, "
                "then remove it or use --discard-draft"
            ) from None

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
        if swap(self.snap, data, config.file_mode) is None:
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
    """A draft file that waits in `.vaultkit/drafts/`, as `vaultkit status` shows it."""

    type: str
    path: str  # vault-relative
    draft: Draft | None  # None: the file can't be read as a draft
    kept: bool = False  # this run's answers, kept apart when another wrote the draft (TYPE.PID.json)

    def line(self) -> str:
        if self.kept:
            return f"Answers kept apart: {self.path} (a draft of {a_or_an(self.type)}); copy them from there"
        if self.draft is None:
            return f"Draft waiting: {self.path} cannot be read; copy your answers out, then remove it"
        return (
            f"Draft waiting: {a_or_an(self.type)} started {self.draft.begun} "
            f"({plural(self.draft.answered, 'answer')})  ->  vaultkit new {self.type} --resume"
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
            "resume": f"vaultkit new {self.type} --resume" if draft and not self.kept else None,
            "readable": draft is not None,
        }


def waiting_drafts(vault: Vault) -> list[Waiting]:
    """Every draft that waits, by type: each holds someone's words."""
    waiting = []
    for path in sorted((vault.state_dir / "drafts").glob("*.json")):
        try:
            draft: Draft | None = _from_json(json.loads(path.read_bytes()))
        except (OSError, ValueError, TypeError, AttributeError):
            draft = None
        note_type, _, pid = path.stem.partition(".")
        waiting.append(Waiting(note_type, vault.rel(path), draft, kept=bool(pid)))
    return waiting
