"""Change actions' status in their source notes, never losing an edit.

Each note is read, changed in memory (`writeback.set_status`), then read
again just before the atomic replace: if an editor saved it in between, the
change is redone on the new content (up to three times) or reported as a
conflict. The newer edit is never overwritten.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from vaultkit import writeback
from vaultkit.actions import Action
from vaultkit.errors import VaultkitError
from vaultkit.index import VaultIndex, record_from_bytes
from vaultkit.vault import Vault, atomic_write, safe_target

ATTEMPTS = 3


class Change(NamedTuple):
    """A status to give one action (done, dropped or open again)."""

    action: Action
    status: str  # open | done | dropped
    on: date  # the date recorded for done/dropped


class Outcome(NamedTuple):
    """What came of a Change: applied, already so, or refused and why."""

    change: Change
    applied: bool  # False: it already had that status
    problem: str | None = None  # why it was not applied


def resolve_ids(index: VaultIndex, wanted: list[str]) -> list[Action]:
    """Actions for ids or unique id prefixes; any unknown or ambiguous one is an error."""
    found: list[Action] = []
    errors = []
    for raw in wanted:
        key = raw.strip().lstrip("^")
        exact = [a for a in index.actions if a.id == key]
        matches = exact or [a for a in index.actions if a.id.startswith(key)]
        if not key or not matches:
            errors.append(f"no action has id {raw!r} (see `vaultkit actions --status all`)")
        elif len(matches) > 1:
            shown = ", ".join(sorted(a.id for a in matches)[:5])
            errors.append(f"id {raw!r} is ambiguous: it starts {shown}; type more of it")
        else:
            found.append(matches[0])
    if errors:
        raise VaultkitError("; ".join(errors) + ". Nothing was changed")
    return found


def _in_note(actions: tuple[Action, ...], target: Action) -> Action | None:
    """The action, of a note just read (ids as written), that `target` is.

    `target` comes from the vault's index, where an id given to several
    actions got `-2`, `-3`, … in path order, counting other notes' actions:
    the note alone cannot say which suffix is whose. The id as written
    decides (a suffix never makes an id that was given); among the note's
    actions given the same one, the text, then the place in the list."""
    exact = [a for a in actions if a.id == target.id]
    found = exact or [
        a for a in actions if target.id.startswith(a.id + "-") and target.id[len(a.id) + 1 :].isdigit()
    ]
    if len(found) > 1:
        found = [a for a in found if a.text == target.text] or found
    if len(found) > 1:
        found = [a for a in found if a.index == target.index]
    return found[0] if len(found) == 1 else None


def apply_changes(vault: Vault, changes: list[Change]) -> list[Outcome]:
    """Write every change to its note; one atomic write per note."""
    by_source: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_source[change.action.source].append(change)
    outcomes: list[Outcome] = []
    for source in sorted(by_source):
        outcomes += _apply_to_note(vault, source, by_source[source])
    return outcomes


def _apply_to_note(vault: Vault, source: str, changes: list[Change]) -> list[Outcome]:
    try:
        path = safe_target(vault, source)
        real = path.resolve()
    except VaultkitError as exc:
        return [Outcome(c, False, str(exc)) for c in changes]
    for _attempt in range(ATTEMPTS):
        try:
            data = real.read_bytes()
        except OSError as exc:
            return [Outcome(c, False, f"{source}: cannot read ({exc.strerror})") for c in changes]
        record = record_from_bytes(source, data)
        if record.error is not None:
            message = f"{source}: {record.error.message}; not changed"
            return [Outcome(c, False, message) for c in changes]
        new = data
        outcomes: list[Outcome] = []
        for change in changes:
            action = _in_note(record.actions, change.action)
            if action is None:
                outcomes.append(
                    Outcome(
                        change,
                        False,
                        f"{source}: the action ^{change.action.id} is no longer in the note; not changed",
                    )
                )
                continue
            if action.status == change.status:
                outcomes.append(Outcome(change, False))
                continue
            try:
                new = writeback.set_status(new, action.index, change.status, change.on, source)
            except writeback.WritebackError as exc:
                outcomes.append(Outcome(change, False, str(exc)))
                continue
            outcomes.append(Outcome(change, True))
        if new == data:
            return outcomes
        try:
            unchanged = real.read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            continue  # an editor saved meanwhile: redo the change on its content
        atomic_write(real, new)
        return outcomes
    message = f"{source}: it kept changing while vaultkit tried to update it; not changed"
    return [Outcome(c, False, message) for c in changes]
