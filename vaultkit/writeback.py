"""Change one action's status in a note's bytes, touching only what must change.

Pure: bytes in, bytes out. The action is found with PyYAML's composer (whose
marks point at exact characters), and then only its own text is edited:

- a string action keeps its quoting and changes its checkbox, adding or
  removing an Obsidian Tasks date: `"[ ] Call"` -> `"[x] Call ✅ 2026-11-24"`;
- a mapping action gets its `status:` value replaced, or a `status:` / `done:`
  line inserted or removed, indented like its other keys.

Everything else (comments, quotes, key order, flow or block style, CRLF, BOM,
the body) stays byte for byte. The result is parsed again and compared with
the original: if anything but that one action changed, nothing is returned.

Reopening undoes "done" exactly for the forms vaultkit writes (`"[ ] text"`
strings and mappings without a `status` key). A plain string without a
checkbox comes back as `"[ ] text"`, and an explicit `status: open` comes back
as no `status` line; both mean the same.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import yaml

from vaultkit.actions import _CHECKBOX, parse_actions
from vaultkit.errors import VaultkitError
from vaultkit.notes import NoteError, parse_frontmatter
from vaultkit.yamlsafe import _Loader

BOXES = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}
_DONE_FIELDS = re.compile(
    r"\s+(?:✅|❌)\uFE0F?\s*\d{4}-\d{2}-\d{2}(?=(?:\s+\S+\uFE0F?\s*\d{4}-\d{2}-\d{2})*\s*$)"
)


class WritebackError(VaultkitError):
    """A note cannot be changed safely; nothing was written."""


class _PureLoader(yaml.SafeLoader):
    """The pure-Python composer: its marks are character offsets we can edit at."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def new_string_value(old: str, status: str, on: date) -> str:
    body = old.strip()
    match = _CHECKBOX.match(body)
    separator = body[3 : match.end()] if match else " "
    rest = body[match.end() :] if match else body
    rest = _DONE_FIELDS.sub("", rest).rstrip()
    if status == "done":
        rest += f" ✅ {on.isoformat()}"
    elif status == "dropped":
        rest += f" ❌ {on.isoformat()}"
    return f"{BOXES[status]}{separator or ' '}{rest}"


def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or "\n" in value:
        return False
    if value[0] in "[]{}!&*#|>%@`\"',?:-" or ": " in value or " #" in value:
        return False
    try:
        return bool(yaml.load(value, Loader=_PureLoader) == value)  # noqa: S506 - safe loader
    except yaml.YAMLError:
        return False


def emit_scalar(value: str, style: str | None) -> str:
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style is None and _plain_ok(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _find_actions(text: str) -> yaml.SequenceNode:
    try:
        root = yaml.compose(text, Loader=_PureLoader)
    except (yaml.YAMLError, RecursionError) as exc:
        raise WritebackError(f"frontmatter cannot be parsed ({type(exc).__name__})") from None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value == "actions"
                and isinstance(value, yaml.SequenceNode)
            ):
                return value
    raise WritebackError("the note has no `actions` list")


def _line_end(text: str, pos: int) -> int:
    """Index just after the newline ending the line that holds `pos`."""
    end = text.find("\n", pos)
    return len(text) if end == -1 else end + 1


class _Edit:
    """Edits to one text, applied from the back so offsets stay valid."""

    def __init__(self) -> None:
        self.parts: list[tuple[int, int, str]] = []

    def replace(self, start: int, end: int, new: str) -> None:
        self.parts.append((start, end, new))

    def apply(self, text: str) -> str:
        for start, end, new in sorted(self.parts, reverse=True):
            text = text[:start] + new + text[end:]
        return text


def _mapping_edit(text: str, node: yaml.MappingNode, wanted: dict[str, str | None], newline: str) -> str:
    """Set (value) or remove (None) keys of a mapping node, minimally."""
    edit = _Edit()
    keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    flow = node.flow_style
    first_key = node.value[0][0] if node.value else None
    inserts: list[str] = []
    for key, new_value in wanted.items():
        found = keys.get(key)
        if found is None:
            if new_value is not None:
                inserts.append(f"{key}: {new_value}")
            continue
        key_node, value_node = found
        start, end = value_node.start_mark.index, value_node.end_mark.index
        if new_value is not None:
            if start == end:  # `status:` with no value
                edit.replace(start, end, (" " if text[start - 1 : start] == ":" else "") + new_value)
            else:
                edit.replace(start, end, new_value)
            continue
        # Remove the key.
        if flow:
            k_start = key_node.start_mark.index
            before = text.rfind(",", 0, k_start)
            opening = node.start_mark.index
            if before > opening:
                edit.replace(before, end, "")
            else:
                after = text.find(",", end)
                stop = after + 1 if after != -1 and after < node.end_mark.index else end
                while stop < len(text) and text[stop] in " \t":
                    stop += 1
                edit.replace(k_start, stop, "")
            continue
        line_start = text.rfind("\n", 0, key_node.start_mark.index) + 1
        own_line = text[line_start : key_node.start_mark.index].strip() == ""
        rest_of_line = text[end : _line_end(text, end)].strip()
        if own_line and (not rest_of_line or rest_of_line.startswith("#")) and key_node is not first_key:
            edit.replace(line_start, _line_end(text, end), "")
        elif key == "status":
            edit.replace(start, end, "open")
        else:
            edit.replace(start, end, "")
    if inserts:
        if flow:
            close = node.end_mark.index - 1
            while close > 0 and text[close - 1] in " \t\r\n":
                close -= 1
            edit.replace(close, close, "".join(f", {item}" for item in inserts))
        else:
            assert first_key is not None
            indent = " " * first_key.start_mark.column
            last_value = node.value[-1][1]
            pos = last_value.end_mark.index
            if pos > 0 and text[pos - 1] == "\n":
                at = pos
            else:
                at = _line_end(text, pos)
            lead = "" if at == 0 or text[at - 1] == "\n" else newline
            edit.replace(at, at, lead + "".join(f"{indent}{item}{newline}" for item in inserts))
    return edit.apply(text)


def set_status(data: bytes, index: int, status: str, on: date, source: str = "note") -> bytes:
    """Return `data` with action number `index` set to `status` (open/done/dropped)."""
    if status not in BOXES:
        raise ValueError(status)
    try:
        fm = parse_frontmatter(data)
    except NoteError as exc:
        raise WritebackError(f"{source}: {exc.problem.message}; not changed") from None
    if fm.meta is None:
        raise WritebackError(f"{source}: has no frontmatter; not changed")
    text = data[fm.start : fm.end].decode("utf-8")
    seq = _find_actions(text)
    if not 0 <= index < len(seq.value):
        raise WritebackError(f"{source}: action {index + 1} is no longer there; not changed")
    node = seq.value[index]
    if isinstance(node, yaml.ScalarNode):
        old = yaml.load(text[node.start_mark.index : node.end_mark.index], Loader=_PureLoader)  # noqa: S506
        value = new_string_value(str(old), status, on)
        new_text = (
            text[: node.start_mark.index] + emit_scalar(value, node.style) + text[node.end_mark.index :]
        )
    elif isinstance(node, yaml.MappingNode):
        wanted: dict[str, str | None]
        if status == "open":
            wanted = {"status": None, "done": None}
        elif status == "done":
            wanted = {"status": "done", "done": on.isoformat()}
        else:
            wanted = {"status": "dropped", "done": None}
        new_text = _mapping_edit(text, node, wanted, fm.newline)
    else:
        raise WritebackError(f"{source}: action {index + 1} is neither a text nor a mapping")
    result = data[: fm.start] + new_text.encode("utf-8") + data[fm.end :]
    _verify(data, result, index, status, source)
    return result


def _verify(before: bytes, after: bytes, index: int, status: str, source: str) -> None:
    """The edit changed that action's status and nothing else, or raise."""
    try:
        old_meta = parse_frontmatter(before).meta or {}
        new_meta = parse_frontmatter(after).meta or {}
    except NoteError:
        raise WritebackError(f"{source}: the change would break its frontmatter; not changed") from None
    old_actions, _ = parse_actions(old_meta, source)
    new_actions, _ = parse_actions(new_meta, source)

    def others(meta: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in meta.items() if k != "actions"}

    ok = (
        others(old_meta) == others(new_meta)
        and len(old_meta["actions"]) == len(new_meta["actions"])
        and all(
            a == b
            for i, (a, b) in enumerate(zip(old_meta["actions"], new_meta["actions"], strict=True))
            if i != index
        )
        and len(old_actions) == len(new_actions)
    )
    if ok:
        changed = [b for b in new_actions if b.index == index]
        original = [a for a in old_actions if a.index == index]
        ok = (
            len(changed) == 1 == len(original)
            and changed[0].status == status
            and changed[0].text == original[0].text
            and changed[0].id == original[0].id
            and changed[0].kind == original[0].kind
            and changed[0].due == original[0].due
        )
    if not ok:
        raise WritebackError(f"{source}: could not change the action safely; edit it by hand")
