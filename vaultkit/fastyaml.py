"""A fast path for the simple frontmatter most notes have. Pure.

PyYAML's constructor costs ~0.1 ms per note, most of a cold index. Nearly
every note's frontmatter is a handful of `key: value` lines and block lists,
as Obsidian's Properties editor and vaultkit write them. This module reads
exactly that subset line by line and returns None at the first thing outside
it (escapes in quotes, anchors, aliases, tags, flow mappings, nesting beyond
a list of flat mappings, multi-line scalars, tabs, duplicate keys), so the
caller falls back to the YAML loader. Scalars resolve as `yamlsafe._Loader`
resolves them; a differential property test holds the two to the same
results (tests/test_fastyaml.py).
"""

from __future__ import annotations

import functools
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
# The full class takes a few milliseconds to compile, so it is compiled only for
# text that is not ASCII; ASCII text needs only the control characters checked.
_NOT_PRINTABLE_CLASS = (
    "[^\\x09\\x0a\\x0d\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd"
    "\\U00010000-\\U0010ffff]"
)
_ASCII_NOT_PRINTABLE = re.compile("[^\\x09\\x0a\\x0d\\x20-\\x7e]")


def _not_printable(text: str) -> bool:
    if text.isascii():
        return _ASCII_NOT_PRINTABLE.search(text) is not None
    return re.search(_NOT_PRINTABLE_CLASS, text) is not None  # re caches the compiled class


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


# Most values recur from note to note (statuses, kinds, types, dates, tags), and
# every value returned is immutable, so repeats are looked up, not parsed again.
@functools.lru_cache(maxsize=2048)
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


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The quoted scalar that starts at text[i], and where it ends: double
    quotes without escapes, or single quotes with `''` for a quote."""
    if text[i] == '"':
        end = text.find('"', i + 1)
        if end < 0 or "\\" in text[i:end]:
            raise _Bail
        return text[i + 1 : end], end + 1
    value = []
    i += 1
    while True:
        end = text.find("'", i)
        if end < 0:
            raise _Bail
        value.append(text[i:end])
        if text[end + 1 : end + 2] != "'":
            return "".join(value), end + 1
        value.append("'")
        i = end + 2


def _flow_list(text: str) -> list[Any]:
    """A one-line list of scalars: `[a, "b, c", 'd']` (a trailing comma is allowed)."""
    body = text.strip(" ")
    items: list[Any] = []
    i = 1
    while True:
        while body[i] == " ":  # an IndexError (unclosed) bails, as every one here does
            i += 1
        if body[i] == "]":
            break  # an empty list, or a trailing comma
        if body[i] in "\"'":
            value, i = _quoted(body, i)
        else:
            end = min((cut for cut in (body.find(",", i), body.find("]", i)) if cut >= 0), default=-1)
            item = body[i:end].rstrip(" ") if end >= 0 else ""
            if (
                not item
                or item[0] in _SPECIAL_START
                or ": " in item
                or item.endswith(":")
                or any(c in item for c in "[]{}\"'#&*!|>")
            ):
                raise _Bail
            value, i = _plain(item), end
        items.append(value)
        while body[i] == " ":
            i += 1
        if body[i] == "]":
            break
        if body[i] != ",":
            raise _Bail  # `"a" b`, or `"a": b` (a mapping)
        i += 1
    rest = body[i + 1 :].strip(" ")
    if rest and not rest.startswith("#"):
        raise _Bail
    return items


def fast_load(text: str) -> dict[str, Any] | None:
    """The frontmatter as a dict, or None when it is not in the simple subset."""
    try:
        return _load(text)
    except (_Bail, IndexError, ValueError):
        return None


@functools.lru_cache(maxsize=512)
def _odd_key(key: str) -> bool:
    """Whether YAML would read this key as something other than text."""
    return key in _NULLS or key in _BOOLS or _INT.match(key) is not None


def _new_key(match: re.Match[str], seen: dict[str, Any]) -> str:
    """The key of a `key: value` line; keys YAML would read as other types, or twice, bail."""
    key = match[1]
    if key in seen or _odd_key(key):
        raise _Bail
    return key


# A line is kept as (indent, text without the indent). `_KEY` leaves a value
# with no leading spaces (its `[ ]+` takes them all), so its first character
# tells "none" ("" or a comment), flow list and scalar apart.


def _has_value(raw: str | None) -> bool:
    return raw is not None and raw[:1] not in ("", "#")


def _value(raw: str) -> Any:
    return _flow_list(raw) if raw[0] == "[" else _scalar(raw)


def _load(text: str) -> dict[str, Any]:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            raise _Bail
    if "\t" in text or _not_printable(text):
        raise _Bail
    # Blank and comment lines mean nothing in the subset read here (block
    # scalars, where they would, are left to YAML): drop them once, up front.
    rows = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if stripped and stripped[0] != "#":
            rows.append((len(line) - len(stripped), stripped))
    result: dict[str, Any] = {}
    i = 0
    while i < len(rows):
        indent, line = rows[i]
        match = _KEY.match(line)
        if indent or not match:
            raise _Bail  # indentation or a line we did not expect
        key = _new_key(match, result)
        if _has_value(match[2]):
            result[key] = _value(match[2])
            i += 1
        else:  # nothing after the colon: a null, or a block list below
            result[key], i = _block_list(rows, i + 1)
    return result


def _block_list(rows: list[tuple[int, str]], i: int) -> tuple[Any, int]:
    items: list[Any] = []
    dash_col = None
    while i < len(rows):
        col, stripped = rows[i]
        if not stripped.startswith("- ") and stripped != "-":
            if col == 0:
                break  # the next key
            raise _Bail
        if dash_col is None:
            dash_col = col
        elif col != dash_col:
            raise _Bail
        item_text = stripped[2:]
        match = _KEY.match(item_text)  # a key starts with a letter: never a quoted scalar
        if match:
            mapping, i = _item_mapping(rows, i + 1, match, dash_col + 2)
            items.append(mapping)
        elif item_text.lstrip(" ").startswith("["):
            raise _Bail  # a nested list
        else:
            items.append(_scalar(item_text))
            i += 1
    return (None if dash_col is None else items), i


def _item_mapping(
    rows: list[tuple[int, str]], i: int, match: re.Match[str], indent: int
) -> tuple[dict[str, Any], int]:
    """A list item's flat mapping: its first key is on the `- ` line, the rest at `indent`."""
    mapping: dict[str, Any] = {}
    while True:
        key = _new_key(match, mapping)
        mapping[key] = _value(match[2]) if _has_value(match[2]) else None
        if i >= len(rows) or rows[i][0] < indent:
            return mapping, i
        col, stripped = rows[i]
        if col > indent:
            raise _Bail  # a nested block or a multi-line scalar
        next_match = _KEY.match(stripped)
        if not next_match:
            raise _Bail
        match = next_match
        i += 1
