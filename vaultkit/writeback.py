"""Change one action's status in its note, touching only what must change
(`set_status`, pure), and write it compare-and-swap (`apply`), never over
another writer's edit.

The action is found with PyYAML's composer, whose marks point at exact
characters, and only its own text is edited: a string keeps its quoting and
changes its checkbox and Obsidian Tasks date (`"[ ] Call"` -> `"[x] Call ✅
2026-11-24"`); a mapping gets its `status:` / `done:` set, inserted or
removed, indented like its other keys. The result is parsed again: if
anything but that one action changed, nothing is written. What an edit
replaced is remembered in the store, so that `reopen` after `done` gives the
note's bytes back in whatever form they were written.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date

import yaml

from vaultkit.actions import BLOCK_ID, BOXES, CHECKBOX, Action, Change, Outcome, parse_actions
from vaultkit.atomic import snapshot, swap_until_done
from vaultkit.errors import VaultkitError
from vaultkit.frontmatter import Frontmatter, NoteError, loader, parse_frontmatter
from vaultkit.fs import Vault, safe_target
from vaultkit.notes import record_from_bytes
from vaultkit.store import Store

ATTEMPTS = 5
_DONE_FIELDS = re.compile(
    r"\s+(?:✅|❌)\uFE0F?\s*\d{4}-\d{2}-\d{2}(?=(?:\s+\S+\uFE0F?\s*\d{4}-\d{2}-\d{2})*\s*$)"
)


class WritebackError(VaultkitError):
    """A note cannot be changed safely; nothing was written."""


class _PureLoader(yaml.SafeLoader):
    """The pure-Python composer: its marks are character offsets we can edit at."""

    yaml_implicit_resolvers = loader().yaml_implicit_resolvers


def new_string_value(old: str, status: str, on: date) -> str:
    body = old.strip()
    match = CHECKBOX.match(body)
    separator = body[3 : match.end()] if match else " "
    rest = body[match.end() :] if match else body
    block = BLOCK_ID.search(rest)  # a block id stays last, as Obsidian Tasks keeps it
    block_id = (block[0] if block[0][:1].isspace() else " " + block[0]) if block else ""
    rest = _DONE_FIELDS.sub("", rest[: block.start()] if block else rest).rstrip()
    if status != "open":
        rest += f" {'✅' if status == 'done' else '❌'} {on.isoformat()}"
    return f"{BOXES[status]}{separator or ' '}{rest}{block_id}"


def emit_scalar(value: str, style: str | None) -> str:
    """`value` single-quoted when it was, else double-quoted (it opens with its box, so never plain)."""
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def _locate(data: bytes, index: int, source: str) -> tuple[Frontmatter, str, yaml.Node]:
    """The note's frontmatter, its text, and the node of action `index`."""
    try:
        fm = parse_frontmatter(data)
    except NoteError as exc:
        raise WritebackError(f"{source}: {exc.problem.message}; not changed") from None
    if fm.meta is None:
        raise WritebackError(f"{source}: has no frontmatter; not changed")
    text = data[fm.start : fm.end].decode("utf-8")
    try:
        root = yaml.compose(text, Loader=_PureLoader)
    except (yaml.YAMLError, RecursionError) as exc:
        raise WritebackError(f"frontmatter cannot be parsed ({type(exc).__name__})") from None
    found = [
        value.value
        for key, value in (root.value if isinstance(root, yaml.MappingNode) else [])
        if isinstance(key, yaml.ScalarNode)
        and key.value == "actions"
        and isinstance(value, yaml.SequenceNode)
    ]
    if not found:
        raise WritebackError("the note has no `actions` list")
    if not 0 <= index < len(found[0]):
        raise WritebackError(f"{source}: action {index + 1} is no longer there; not changed")
    return fm, text, found[0][index]


def _line_end(text: str, pos: int) -> int:
    """Index just after the newline ending the line that holds `pos`."""
    end = text.find("\n", pos)
    return len(text) if end == -1 else end + 1


def _mapping_edit(text: str, node: yaml.MappingNode, wanted: dict[str, str | None], newline: str) -> str:
    """Set (value) or remove (None) keys of a mapping node, minimally."""
    edits: list[tuple[int, int, str]] = []  # made from the back, so that offsets stay valid
    keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    first_key = node.value[0][0] if node.value else None
    inserts = [f"{key}: {value}" for key, value in wanted.items() if key not in keys and value is not None]
    for key, new_value in wanted.items():
        if key not in keys:
            continue
        key_node, value_node = keys[key]
        start, end = value_node.start_mark.index, value_node.end_mark.index
        if new_value is not None:
            pad = " " if start == end and text[start - 1 : start] == ":" else ""  # `status:` with no value
            edits.append((start, end, pad + new_value))
        elif node.flow_style:  # the key goes, with one comma
            k_start = key_node.start_mark.index
            before = text.rfind(",", 0, k_start)
            if before > node.start_mark.index:
                edits.append((before, end, ""))
            else:
                after = text.find(",", end)
                stop = after + 1 if after != -1 and after < node.end_mark.index else end
                while stop < len(text) and text[stop] in " \t":
                    stop += 1
                edits.append((k_start, stop, ""))
        else:  # the key's line goes, or only its value when the line holds more
            line_start = text.rfind("\n", 0, key_node.start_mark.index) + 1
            own_line = text[line_start : key_node.start_mark.index].strip() == ""
            rest_of_line = text[end : _line_end(text, end)].strip()
            if own_line and (not rest_of_line or rest_of_line.startswith("#")) and key_node is not first_key:
                edits.append((line_start, _line_end(text, end), ""))
            else:
                edits.append((start, end, "open" if key == "status" else ""))
    if inserts and node.flow_style:
        close = node.end_mark.index - 1
        while close > 0 and text[close - 1] in " \t\r\n":
            close -= 1
        edits.append((close, close, "".join(f", {item}" for item in inserts)))
    elif inserts:
        assert first_key is not None
        indent = " " * first_key.start_mark.column
        pos = node.value[-1][1].end_mark.index
        at = pos if pos > 0 and text[pos - 1] == "\n" else _line_end(text, pos)
        lead = "" if at == 0 or text[at - 1] == "\n" else newline
        edits.append((at, at, lead + "".join(f"{indent}{item}{newline}" for item in inserts)))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def set_status(data: bytes, index: int, status: str, on: date, source: str = "note") -> bytes:
    """Return `data` with action number `index` set to `status` (open/done/dropped)."""
    if status not in BOXES:
        raise ValueError(status)
    fm, text, node = _locate(data, index, source)
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, yaml.ScalarNode):
        new_text = (
            text[:start] + emit_scalar(new_string_value(node.value, status, on), node.style) + text[end:]
        )
    elif isinstance(node, yaml.MappingNode):
        done = on.isoformat() if status == "done" else None
        new_text = _mapping_edit(
            text, node, {"status": None if status == "open" else status, "done": done}, fm.newline
        )
    else:
        raise WritebackError(f"{source}: action {index + 1} is neither a text nor a mapping")
    result = data[: fm.start] + new_text.encode("utf-8") + data[fm.end :]
    _verify(data, result, index, status, source)
    return result


def _verify(before: bytes, after: bytes, index: int, status: str, source: str) -> None:
    """The edit changed that action's status and nothing else, or raise."""
    try:
        old = parse_frontmatter(before).meta or {}
        new = parse_frontmatter(after).meta or {}
    except NoteError:
        raise WritebackError(f"{source}: the change would break its frontmatter; not changed") from None

    def kept(actions: list[Action]) -> list[tuple[str, str, str, str | None]]:
        return [(a.text, a.id, a.kind, a.due) for a in actions]

    old_actions, new_actions = parse_actions(old, source)[0], parse_actions(new, source)[0]
    old_items, new_items = old.pop("actions", None), new.pop("actions", None)
    ok = (
        old == new
        and isinstance(old_items, list)
        and isinstance(new_items, list)
        and len(old_items) == len(new_items)
        and all(a == b for i, (a, b) in enumerate(zip(old_items, new_items, strict=True)) if i != index)
        and kept(old_actions) == kept(new_actions)
        and [a.status for a in new_actions if a.index == index] == [status]
    )
    if not ok:
        raise WritebackError(f"{source}: could not change the action safely; edit it by hand")


def item_region(data: bytes, index: int) -> tuple[int, int] | None:
    """Byte offsets of action `index`'s own text: from the item to the end of its last line."""
    try:
        fm, text, node = _locate(data, index, "note")
    except WritebackError:
        return None
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    end = _line_end(text, end)
    return fm.start + len(text[:start].encode()), fm.start + len(text[:end].encode())


def _in_note(actions: tuple[Action, ...], target: Action) -> Action | None:
    """The action of a note just read that `target` (from the store) is: the
    same id as written, and among several such the same text, then place."""
    found = [a for a in actions if a.written_id == target.written_id]
    if len(found) > 1:
        found = [a for a in found if a.text == target.text] or found
    if len(found) > 1:
        found = [a for a in found if a.index == target.index]
    return found[0] if len(found) == 1 else None


Memory = tuple[str, str, str | None, str | None]  # (note, id as written, what was written, what it replaced)


def _change(store: Store, source: str, data: bytes, action: Action, change: Change) -> tuple[bytes, Memory]:
    """One action's new status in the note's bytes: what vaultkit replaced when
    it last changed it, if that is what the change asks for and the action is
    as vaultkit left it; else the minimal edit."""
    region = item_region(data, action.index)
    if region is None:
        raise WritebackError(f"{source}: could not find the action's text; edit it by hand")
    was = data[region[0] : region[1]].decode()
    kept = store.undo(source, action.written_id)
    if kept is not None and kept[0] == was:
        status, original = json.loads(kept[1])
        if status == change.status:
            candidate = data[: region[0]] + original.encode() + data[region[1] :]
            try:
                _verify(data, candidate, action.index, change.status, source)
                return candidate, (source, action.written_id, None, None)
            except WritebackError:
                pass  # the note changed around it: make the edit instead
    new = set_status(data, action.index, change.status, change.on, source)
    after = item_region(new, action.index)
    written = new[after[0] : after[1]].decode() if after else None
    return new, (source, action.written_id, written, json.dumps([action.status, was]))


def apply(vault: Vault, store: Store, changes: list[Change]) -> list[Outcome]:
    """Write every change to its note: one compare-and-swap replace per note."""
    by_source: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_source[change.action.source].append(change)
    outcomes: list[Outcome] = []
    for source, mine in sorted(by_source.items()):
        outcomes += _apply_to_note(vault, store, source, mine)
    return outcomes


def _apply_to_note(vault: Vault, store: Store, source: str, changes: list[Change]) -> list[Outcome]:
    try:
        snap = snapshot(safe_target(vault, source).resolve())
    except (VaultkitError, OSError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        return [Outcome(c, False, f"{source}: cannot read ({why}); not changed") for c in changes]
    outcomes: list[Outcome] = []
    memory: list[Memory] = []  # what to remember for undoing, once the note is written

    def edit(data: bytes | None) -> bytes | None:
        outcomes.clear()
        memory.clear()
        if data is None:
            outcomes.extend(Outcome(c, False, f"{source}: the note is gone; not changed") for c in changes)
            return None
        new = data
        for change in changes:
            record = record_from_bytes(source, new)
            action = _in_note(record.actions, change.action)
            if record.error is not None:
                outcomes.append(Outcome(change, False, f"{source}: {record.error.message}; not changed"))
            elif action is None:
                problem = f"{source}: the action ^{change.action.id} is no longer in the note; not changed"
                outcomes.append(Outcome(change, False, problem))
            elif action.status == change.status:
                outcomes.append(Outcome(change, False))
            else:
                try:
                    new, remembered = _change(store, source, new, action, change)
                except WritebackError as exc:
                    outcomes.append(Outcome(change, False, str(exc)))
                    continue
                memory.append(remembered)
                outcomes.append(Outcome(change, True))
        if new == data:
            memory.clear()
        return new

    if not swap_until_done(snap, edit, vault.config.file_mode, ATTEMPTS):
        message = f"{source}: it kept changing while vaultkit tried to update it; not changed"
        return [Outcome(c, False, message) for c in changes]
    for entry in memory:
        store.remember(*entry)
    return outcomes


def add_to_list(data: bytes, key: str, item: str) -> bytes:
    """The note's bytes with `item` added to its list property `key` (made when
    missing), as one more `  - "item"` line; nothing else changes. Refused
    (WritebackError) when the property is in a shape a line cannot extend."""
    try:
        fm = parse_frontmatter(data)
    except NoteError as exc:
        raise WritebackError(f"its properties cannot be read ({exc.problem.message})") from None
    if fm.meta is None:
        raise WritebackError("it has no properties (frontmatter) to record this in")
    nl = fm.newline.encode()
    line = b"  - " + json.dumps(item, ensure_ascii=False).encode("utf-8") + nl
    found = re.search(
        rb"(?m)^" + re.escape(key.encode()) + rb":[ \t]*(\[\])?[ \t]*\r?$", data[fm.start : fm.end]
    )
    if key not in fm.meta:
        new = data[: fm.end] + key.encode() + b":" + nl + line + data[fm.end :]
    elif found is None:
        raise WritebackError(f"its `{key}` property is not a list vaultkit can add to; add {item!r} by hand")
    else:
        at = data.find(b"\n", fm.start + found.end()) + 1  # the line after `key:`
        items = re.compile(rb"[ \t]*- [^\r\n]*\r?\n")
        while not found.group(1) and (more := items.match(data, at)) and at < fm.end:
            at = more.end()
        if found.group(1):  # `key: []`: the list starts here
            new = data[: fm.start + found.start()] + key.encode() + b":" + nl + line + data[at:]
        else:
            new = data[:at] + line + data[at:]
    after = parse_frontmatter(new).meta or {}
    before = dict(fm.meta)
    if after.pop(key, None) != [*(before.pop(key, None) or []), item] or after != before:
        raise WritebackError(f"its `{key}` property could not be extended cleanly; add {item!r} by hand")
    return new


def add_item(vault: Vault, source: str, key: str, item: str) -> None:
    """Add `item` to the list property `key` of the note at `source`, compare-and-swap."""
    snap = snapshot(safe_target(vault, source).resolve())

    def edit(data: bytes | None) -> bytes:
        if data is None:
            raise WritebackError(f"{source} is gone; nothing was changed")
        try:
            return add_to_list(data, key, item)
        except WritebackError as exc:
            raise WritebackError(f"{source}: {exc}; nothing was changed") from None

    if not swap_until_done(snap, edit, vault.config.file_mode, ATTEMPTS):
        raise WritebackError(f"{source} kept changing while vaultkit tried to update it; nothing was changed")
