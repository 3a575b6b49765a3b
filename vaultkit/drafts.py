"""Drafts: a note being written, saved after every answer so that nothing
typed is lost to Ctrl-C, a closed terminal or a crash.

A draft lives in `.vaultkit/drafts/TYPE.json` (owner-only, inside the vault
like the note it becomes) and is removed once its note is written. It holds
the plan (date, session, title), so a resumed note is the note that was
started, and every answer given so far."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vaultkit.atomic import atomic_write, make_dirs
from vaultkit.errors import VaultkitError
from vaultkit.fs import Vault
from vaultkit.new_actions import NewAction

FORMAT = 1


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = FORMAT
        return data


def _from_json(data: Any) -> Draft:
    """A draft from its JSON, every field checked (a hand-edited or half-synced
    file must give the message below, not a crash halfway through the questions)."""
    if not isinstance(data, dict):
        raise TypeError("not a mapping")
    data = dict(data)
    data.pop("format", None)
    actions = [NewAction(**a) for a in data.pop("actions", [])]
    draft = Draft(**data, actions=actions)
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


def draft_path(vault: Vault, note_type: str) -> Path:
    return vault.state_dir / "drafts" / f"{note_type}.json"


def load_draft(vault: Vault, note_type: str) -> Draft | None:
    """The waiting draft of this type, if any. A draft vaultkit can't read is an
    error that names the file: it may hold someone's words, so it is never
    deleted or replaced without being asked."""
    path = draft_path(vault, note_type)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise VaultkitError(
            f"cannot read the draft {vault.rel(path)} ({exc.__class__.__name__}); your answers are "
            "still in it: copy them out, then remove it or use --discard-draft"
        ) from None
    try:
        return _from_json(data)
    except (TypeError, ValueError, AttributeError):
        raise VaultkitError(
            f"{vault.rel(path)} is not a draft this vaultkit understands; copy your answers out, "
            "then remove it or use --discard-draft"
        ) from None


def save_draft(vault: Vault, draft: Draft) -> None:
    path = draft_path(vault, draft.type)
    make_dirs(path.parent, vault.config.dir_mode)
    data = json.dumps(draft.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write(path, data, vault.config.file_mode)


def discard_draft(vault: Vault, note_type: str) -> bool:
    try:
        draft_path(vault, note_type).unlink()
    except FileNotFoundError:
        return False
    return True


def started_now() -> str:
    return datetime.now().isoformat(timespec="minutes")
