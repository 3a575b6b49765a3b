"""The files of Obsidian's own that vaultkit reads or, when asked, writes:
`.obsidian/types.json` (one Properties type per property name, across the
vault) and Obsidian Tasks' settings (its global filter).

vaultkit touches nothing in `.obsidian/` unless the person accepted it
(`vaultkit init --obsidian-types`), and then only adds the names it lacks.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, NamedTuple

from vaultkit.actions import DOMAINS
from vaultkit.atomic import snapshot, swap_until_done
from vaultkit.errors import VaultkitError
from vaultkit.wellbeing import FIELDS as WHO5

TYPES_FILE = ".obsidian/types.json"

# Every property vaultkit writes, as Obsidian names its types ("multitext" is
# the panel's List). The links to a session's notes are text: Obsidian shows a
# quoted "[[link]]" in a Text property as a link.
PROPERTY_TYPES: dict[str, str] = {
    "type": "text",
    "date": "date",
    "session": "number",
    "session_date": "date",
    "next_session": "date",
    "intention": "text",
    "reflection": "text",
    "check-in": "text",
    "tags": "tags",
    "mood": "number",
    "actions": "multitext",
    "dismissed": "multitext",  # follow-ups let go (`vaultkit skip`)
    "private": "checkbox",
    "covers": "text",  # a brief's span
    **{f"wheel_{domain}": "number" for domain in DOMAINS},
    **{field: "number" for field in WHO5},
}
# What the panel shows each type as, for messages.
TYPE_NAMES = {
    "text": "Text",
    "multitext": "List",
    "number": "Number",
    "checkbox": "Checkbox",
    "date": "Date",
    "datetime": "Date & time",
    "tags": "Tags",
    "aliases": "Aliases",
}


class TypesResult(NamedTuple):
    """What recording the types did: names added, names left with another type."""

    added: list[str]
    differing: list[tuple[str, str]]  # (name, the type Obsidian has for it)


def _indent(text: str) -> str | int:
    """The indent the file uses (Obsidian's JSON.stringify(…, null, 2) gives 2 spaces)."""
    match = re.search(r"\n([ \t]+)\S", text)
    if not match:
        return 2
    unit = match[1]
    return unit if "\t" in unit else len(unit)


def merged_types(text: str | None) -> tuple[str | None, TypesResult]:
    """types.json's new text with vaultkit's names added (None: nothing to add).
    Every name and value already there stays as it is, in its order; only the
    names it lacks are appended to `types`."""
    data: dict[str, Any]
    indent: str | int
    if text is None or not text.strip():
        data, indent, ending = {}, 2, ""
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise VaultkitError(
                f"{TYPES_FILE} is not valid JSON ({exc.msg}, line {exc.lineno}); "
                "fix it or delete it (Obsidian makes it again), then run vaultkit init --obsidian-types"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("types", {}), dict):
            raise VaultkitError(
                f'{TYPES_FILE} does not hold {{"types": {{…}}}} as Obsidian writes it; '
                "vaultkit leaves it alone"
            )
        indent, ending = _indent(text), text[len(text.rstrip()) :]
    types: dict[str, Any] = data.setdefault("types", {})
    added = [name for name in PROPERTY_TYPES if name not in types]
    differing = [(n, str(types[n])) for n in PROPERTY_TYPES if n in types and types[n] != PROPERTY_TYPES[n]]
    if not added:
        return None, TypesResult(added, differing)
    types.update((name, PROPERTY_TYPES[name]) for name in added)
    return json.dumps(data, indent=indent, ensure_ascii=False) + ending, TypesResult(added, differing)


def types_missing(root: Path) -> bool:
    """Whether .obsidian/types.json lacks any of vaultkit's names (False when it can't be read)."""
    try:
        return merged_types(_text(snapshot(root / TYPES_FILE).data))[0] is not None
    except VaultkitError:
        return False


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise VaultkitError(f"{TYPES_FILE} is not UTF-8; vaultkit leaves it alone") from None


def record_types(root: Path) -> TypesResult:
    """Add vaultkit's property types to the vault's .obsidian/types.json,
    compare-and-swap: Obsidian may write the file meanwhile, and its write wins
    the race, then vaultkit merges into what it wrote."""
    folder = root / ".obsidian"
    if not folder.is_dir():
        raise VaultkitError(f"{root} has no .obsidian/ folder: open it as a vault in Obsidian first")
    path = root / TYPES_FILE
    if folder.is_symlink() or path.is_symlink() or not path.resolve().is_relative_to(root.resolve()):
        raise VaultkitError(
            f"{TYPES_FILE} is reached through a symbolic link; vaultkit writes nothing through links. "
            "Record the types in Obsidian (Settings, Properties) instead"
        )
    result = TypesResult([], [])

    def edit(data: bytes | None) -> bytes | None:
        nonlocal result
        if data is not None and not data.strip():
            raise _BeingWritten  # Obsidian truncates, then writes: never merge into that
        new, result = merged_types(_text(data))
        return None if new is None else new.encode("utf-8")

    try:
        for _attempt in range(EMPTY_READS):
            try:
                if swap_until_done(snapshot(path), edit, 0o600):
                    return result
                break
            except _BeingWritten:
                time.sleep(EMPTY_WAIT)
        else:
            raise VaultkitError(
                f"{TYPES_FILE} is empty, as if Obsidian were writing it; vaultkit left it alone. "
                "Run vaultkit init --obsidian-types again in a moment"
            )
    except OSError as exc:
        what = "is a folder, not a file" if path.is_dir() else f"cannot be written ({exc.strerror or exc})"
        raise VaultkitError(
            f"{TYPES_FILE} {what}; vaultkit changed nothing. Record the types in Obsidian "
            "(Settings, Properties) instead"
        ) from None
    raise VaultkitError(f"{TYPES_FILE} kept changing while vaultkit wrote it; run vaultkit init again")


class _BeingWritten(Exception):
    """types.json was read empty: someone is writing it."""


EMPTY_READS = 10  # reads of an empty types.json, EMPTY_WAIT apart, before giving up
EMPTY_WAIT = 0.1


def _settings(root: Path, name: str) -> dict[str, Any]:
    """One of Obsidian's settings files in .obsidian/ ({} when it can't be read)."""
    try:
        data = json.loads((root / ".obsidian" / name).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def template_places(root: Path) -> tuple[str, ...]:
    """Ignore patterns for Obsidian's templates: the core Templates plugin's folder
    (`.obsidian/templates.json`) and the daily note's template (`daily-notes.json`).
    Their `{{date}}` placeholders are not YAML until used: templates, not notes."""
    import glob

    found = []
    for name, key, suffix in (("templates.json", "folder", ""), ("daily-notes.json", "template", ".md")):
        place = _settings(root, name).get(key)
        if isinstance(place, str) and place.strip("/ "):
            place = place.strip("/ ")
            found.append(glob.escape(place if place.endswith(".md") or not suffix else place + suffix))
    return tuple(found)


def tasks_global_filter(root: Path) -> str:
    """Obsidian Tasks' global filter ("" when none, or when its settings can't be read):
    with one set, Tasks takes only lines that hold it for tasks."""
    value = _settings(root, "plugins/obsidian-tasks-plugin/data.json").get("globalFilter")
    return " ".join(value.split()) if isinstance(value, str) else ""
