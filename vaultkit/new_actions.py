"""An action as a person types it for a new note (`--action`, or at the
prompt), and as it is written into the note's `actions` list. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vaultkit.actions import BLOCK_ID, INNER, derive_id, split_string_action


@dataclass(frozen=True)
class NewAction:
    """An action as typed for a new note (`--action` or at the prompt)."""

    text: str
    kind: str = "external"
    done: bool = False
    domain: str | None = None

    def as_property(self, today: date, path: str | None = None) -> str:
        """The action as a line of the `actions` list, which Obsidian's Properties
        panel shows and edits (it cannot edit a list of mappings), in Tasks'
        order: text, #domain, ✅ date, then the `^id` (the id vaultkit would
        derive anyway, written so that the action keeps it when reworded in the
        panel)."""
        box = "[x] " if self.done else "[ ] "
        inner = INNER + " " if self.kind == "internal" else ""
        text, named = box + inner + self.text, ""
        if (block := BLOCK_ID.search(text)) is not None:  # a ^name the person typed: kept, and kept last
            text, named = text[: block.start()], block[0]
        if self.domain and split_string_action(text).domain is None:
            text += f" #{self.domain}"
        if self.done and split_string_action(text).done is None:
            text += f" ✅ {today.isoformat()}"
        if named or path is None:
            return text + named
        return f"{text} ^{derive_id(path, text)}"


def with_domain(action: NewAction, domain: str) -> NewAction:
    """The action in `domain`; a different #tag it was typed with is taken out."""
    tagged = split_string_action(action.text).domain
    if tagged == domain:
        return action
    text = action.text
    if tagged is not None:
        where = list(re.finditer(rf"\s*#{tagged}\b", text, re.I))
        text = (text[: where[-1].start()] + text[where[-1].end() :]).strip() if where else text
    return NewAction(text, action.kind, action.done, domain)


_KIND_PREFIX = re.compile(r"^(internal|external|inner)\s*:\s*", re.I)
_TYPED_BOX = re.compile(r"^\s*(?:[-*]\s+)?\[([ xX])\]\s*")


def parse_action_text(text: str, kind: str = "external") -> NewAction | None:
    """What a person typed as an action: an optional `[ ]`/`[x]` box (understood,
    not doubled) and an optional `internal:`, `inner:` or `external:` prefix
    (in either order). None for an empty line."""
    rest = " ".join(text.split())
    done = False
    for _ in range(2):
        box = _TYPED_BOX.match(rest)
        if box:
            done = box[1] != " "
            rest = rest[box.end() :]
        prefix = _KIND_PREFIX.match(rest)
        if prefix:
            kind = "external" if prefix[1].lower() == "external" else "internal"
            rest = rest[prefix.end() :]
    rest = rest.strip()
    return NewAction(rest, kind, done) if rest else None
