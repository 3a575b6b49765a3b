"""A fast path for the simple frontmatter most notes have. Pure.

PyYAML's constructor costs ~0.1 ms per note, most of a cold index. Nearly
every note's frontmatter is a handful of `key: value` lines and block lists,
as Obsidian's Properties editor and vaultkit write them. This module reads
exactly that subset line by line and returns None at the first thing outside
it (escapes in quotes, anchors, aliases, tags, flow mappings, nesting beyond
a list of flat mappings, multi-line scalars, tabs, duplicate keys), so the
caller falls back to the YAML loader. Scalars resolve as `notes._Loader`
resolves them; a differential property test holds the two to the same
results (tests/test_fastyaml.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_ -]*?)[ ]*:(?:[ ]+(.*))?$")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_STARTS_OTHER = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ]")  # datetimes: leave to YAML
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL_START = set("[]{}!&*#|>%@`,?:-\"'")
# Characters YAML refuses (the class PyYAML's reader checks), a stray BOM, and the
# characters YAML 1.1 reads as line breaks (NEL, LS, PS): all left to the YAML loader.
_NOT_PRINTABLE = re.compile(
    "[^\\x09\\x0a\\x0d\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd"
    "\\U00010000-\\U0010ffff]"
)


class _Bail(Exception):
    pass


def _plain(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    first = text[0]
    if first in "-+0123456789.":
        if _INT.match(text):
            return int(text.replace("_", ""))
        if _FLOAT.match(text):
            return float(text.replace("_", ""))
        match = _DATE.match(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return text  # as the YAML loader: an impossible date stays text
        if _STARTS_OTHER.match(text):
            raise _Bail
    if text in (".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN") or text.startswith(("-.", "+.")):
        raise _Bail
    return text


def _scalar(raw: str) -> Any:
    """One scalar value, with an optional trailing comment."""
    text = raw.strip(" ")
    if not text:
        return None
    first = text[0]
    if first == '"':
        end = text.find('"', 1)
        if end < 0 or "\\" in text[:end]:
            raise _Bail
        rest = text[end + 1 :].strip(" ")
        if rest and not rest.startswith("#"):
            raise _Bail
        return text[1:end]
    if first == "'":
        value, i = [], 1
        while True:
            end = text.find("'", i)
            if end < 0:
                raise _Bail
            value.append(text[i:end])
            if text[end + 1 : end + 2] == "'":
                value.append("'")
                i = end + 2
                continue
            break
        rest = text[end + 1 :].strip(" ")
        if rest and not rest.startswith("#"):
            raise _Bail
        return "".join(value)
    cut = text.find(" #")
    if cut >= 0:
        text = text[:cut].rstrip(" ")
    if (
        first in _SPECIAL_START
        and not (first == "-" and len(text) > 1 and text[1] not in " ")
        or ": " in text
        or text.endswith(":")
        or "\t" in text
    ):
        raise _Bail
    return _plain(text)


def _flow_list(text: str) -> list[Any]:
    body = text.strip(" ")
    cut = body.rfind("]")
    if not body.startswith("[") or cut < 0:
        raise _Bail
    rest = body[cut + 1 :].strip(" ")
    if rest and not rest.startswith("#"):
        raise _Bail
    inner = body[1:cut]
    if any(c in inner for c in "[]{}\"'#&*!|>"):
        raise _Bail
    if not inner.strip(" "):
        return []
    items = [part.strip(" ") for part in inner.split(",")]
    if items and items[-1] == "":
        items.pop()  # a trailing comma
    if any(not item or ": " in item or item.endswith(":") or item[0] in "-?:" for item in items):
        raise _Bail
    return [_plain(item) for item in items]


def fast_load(text: str) -> dict[str, Any] | None:
    """The frontmatter as a dict, or None when it is not in the simple subset."""
    try:
        return _load(text)
    except (_Bail, IndexError, ValueError):
        return None


def _load(text: str) -> dict[str, Any]:
    if "\t" in text or "\r" in text.replace("\r\n", "\n") or _NOT_PRINTABLE.search(text):
        raise _Bail
    lines = text.replace("\r\n", "\n").split("\n")
    result: dict[str, Any] = {}
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        if line[0] == " ":
            raise _Bail  # indentation we did not expect
        match = _KEY.match(line)
        if not match:
            raise _Bail
        key, value = match[1], match[2]
        if key in result or key.endswith(" ") or key in _NULLS or key in _BOOLS or _INT.match(key):
            raise _Bail
        i += 1
        if value is not None and value.strip(" ") and not value.strip(" ").startswith("#"):
            result[key] = _flow_list(value) if value.lstrip(" ").startswith("[") else _scalar(value)
            continue
        # Nothing after the colon: a null, or a block list below.
        items, i = _block_list(lines, i)
        result[key] = items
    return result


def _block_list(lines: list[str], i: int) -> tuple[Any, int]:
    items: list[Any] = []
    dash_col = None
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        col = len(line) - len(stripped)
        if not stripped.startswith("- ") and stripped != "-":
            if col == 0:
                break  # the next key
            raise _Bail
        if dash_col is None:
            dash_col = col
        elif col != dash_col:
            raise _Bail
        item_text = stripped[2:] if stripped != "-" else ""
        i += 1
        match = _KEY.match(item_text)
        if match and not item_text.lstrip(" ").startswith(("'", '"')):
            mapping, i = _item_mapping(lines, i, match, dash_col + 2)
            items.append(mapping)
        elif item_text.lstrip(" ").startswith("["):
            raise _Bail  # a nested list
        else:
            items.append(_scalar(item_text))
    if dash_col is None:
        return None, i
    return items, i


def _item_mapping(lines: list[str], i: int, first: re.Match[str], indent: int) -> tuple[dict[str, Any], int]:
    mapping: dict[str, Any] = {}

    def put(match: re.Match[str]) -> None:
        key, value = match[1], match[2]
        if key in mapping or key in _NULLS or key in _BOOLS or _INT.match(key):
            raise _Bail
        if value is None or not value.strip(" ") or value.strip(" ").startswith("#"):
            mapping[key] = None
        elif value.lstrip(" ").startswith("["):
            mapping[key] = _flow_list(value)
        else:
            mapping[key] = _scalar(value)

    put(first)
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        col = len(line) - len(stripped)
        if col < indent:
            break
        if col > indent:
            raise _Bail  # nested block or a multi-line scalar
        match = _KEY.match(stripped)
        if not match:
            raise _Bail
        put(match)
        i += 1
        if match[2] is None or not match[2].strip(" "):
            # `key:` then a deeper block would be nesting: make sure none follows
            j = i
            while j < n and (not lines[j].strip(" ") or lines[j].lstrip(" ").startswith("#")):
                j += 1
            if j < n and len(lines[j]) - len(lines[j].lstrip(" ")) > indent:
                raise _Bail
    return mapping, i
