"""Split a note into frontmatter and body, and load the frontmatter safely.

Pure: bytes in, records out. Only the frontmatter is decoded and parsed, so a
note's body (which may be long, or not even valid UTF-8) costs almost nothing.

Simple frontmatter is read by `fastyaml`; anything else by the safe YAML
loader in `yamlsafe`. Both are imported on first use: a run that finds every
note in the cache imports neither (start-up time).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

SLOW_YAML_HINT = (
    "PyYAML was installed without libyaml, so notes are parsed about 6 times slower; "
    "reinstall it with libyaml (e.g. `pip install --force-reinstall --no-binary pyyaml pyyaml` "
    "with libyaml-dev present)"
)


def has_libyaml() -> bool:
    """Whether PyYAML's C loader is installed, found without importing PyYAML
    (`find_spec("yaml._yaml")` would run yaml/__init__.py: 20 ms)."""
    import importlib.machinery
    import importlib.util

    try:
        package = importlib.util.find_spec("yaml")
        folders = list(package.submodule_search_locations or []) if package else []
        return bool(folders) and importlib.machinery.PathFinder.find_spec("_yaml", folders) is not None
    except (ImportError, ValueError):
        return False


MAX_FRONTMATTER_BYTES = 256 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OPEN = re.compile(rb"---[ \t]*(\r?\n)")
_CLOSE = re.compile(rb"^---[ \t]*\r?$", re.M)


class Problem(NamedTuple):
    """Something wrong with a note. `line` is 1-based in the file, when known."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return self.message


class NoteError(Exception):
    """The note's frontmatter cannot be used; carries a Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class Frontmatter(NamedTuple):
    """Where a note's frontmatter is and what it holds.

    `meta` is None when the note has no frontmatter block at all. Offsets are
    byte offsets into the file (after the BOM, if any, is counted in).
    """

    meta: dict[str, Any] | None
    bom: bool
    newline: str
    start: int = 0  # offset of the first byte after the opening `---` line
    end: int = 0  # offset of the closing `---` line
    body_start: int = 0  # offset of the first byte after the closing line


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_SAFE_WORDS = {
    "actions",
    "type",
    "date",
    "session",
    "mood",
    "tags",
    "text",
    "kind",
    "status",
    "due",
    "done",
    "id",
    "intention",
    "reflection",
}


def redact(reason: str) -> str:
    """A parser message without note text: quoted fragments become '…' unless
    they are vaultkit's own keys, standard YAML tags or a single character."""

    def one(match: re.Match[str]) -> str:
        inner = match[1] if match[1] is not None else match[2]
        if len(inner) <= 2 or inner in _SAFE_WORDS or inner.startswith("tag:yaml.org,2002:"):
            return match[0]
        return "'…'"

    return _QUOTED.sub(one, reason)


def decode(data: bytes, what: str = "note") -> str:
    """Decode UTF-8 (with or without BOM) or raise NoteError saying where it fails."""
    if data.startswith(_UTF16_BOMS):
        raise NoteError(Problem(f"{what} is UTF-16 encoded; save it as UTF-8"))
    try:
        # "utf-8-sig" only differs in dropping a leading BOM, and its decoder is
        # Python code: use it only when there is one (most text has none).
        return data.decode("utf-8-sig" if data.startswith(_UTF8_BOM) else "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NoteError(
            Problem(f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8", line)
        ) from None


def parse_frontmatter(data: bytes, complete: bool = True) -> Frontmatter:
    """Find and load the frontmatter of a note's bytes.

    `complete` is False when `data` is only the start of a larger file: a block
    that is not closed within it is then "too long" rather than "unclosed".
    Raises NoteError for anything that makes the frontmatter unusable.
    """
    if data.startswith(_UTF16_BOMS):
        raise NoteError(Problem("note is UTF-16 encoded; save it as UTF-8"))
    if data.find(b"\x00", 0, 8192) >= 0:
        raise NoteError(Problem("file looks binary (it holds NUL bytes), not like a markdown note"))
    bom = data.startswith(_UTF8_BOM)
    offset = 3 if bom else 0
    opening = _OPEN.match(data, offset)
    first_nl = data.find(b"\n", offset)
    newline = "\r\n" if first_nl > 0 and data[first_nl - 1 : first_nl] == b"\r" else "\n"
    if opening is None:
        return Frontmatter(None, bom, newline)
    start = opening.end()
    closing = _CLOSE.search(data, start)
    if closing is None:
        if complete:
            raise NoteError(Problem("frontmatter starts with --- on line 1 but is never closed", 1))
        raise NoteError(Problem(f"frontmatter is longer than {MAX_FRONTMATTER_BYTES // 1024} KB", 1))
    end = closing.start()
    after = closing.end()
    if data[after : after + 2] == b"\r\n":
        after += 2
    elif data[after : after + 1] == b"\n":
        after += 1
    if end - start > MAX_FRONTMATTER_BYTES:
        raise NoteError(Problem(f"frontmatter is longer than {MAX_FRONTMATTER_BYTES // 1024} KB", 1))
    text = decode(data[start:end], "frontmatter")
    from vaultkit.fastyaml import fast_load  # here, not at the top: a run from the cache needs neither

    meta = fast_load(text)  # the simple shapes most notes have; None means "ask YAML"
    if meta is None and text.strip():
        from vaultkit.yamlsafe import load_yaml

        meta = load_yaml(text, first_line=2)
    elif meta is None:
        meta = {}
    if meta is None:  # only comments
        meta = {}
    if not isinstance(meta, dict):
        raise NoteError(Problem("frontmatter is not a set of `key: value` properties", 2))
    return Frontmatter(meta, bom, newline, start, end, after)


def item_lines(data: bytes, fm: Frontmatter, key: str) -> tuple[int | None, list[int]]:
    """1-based file lines of `key` and of each item of its list, for messages.

    Only called when something needs reporting, so it may re-parse.
    """
    from vaultkit.yamlsafe import key_lines

    text = data[fm.start : fm.end].decode("utf-8", "replace")
    base = data.count(b"\n", 0, fm.start) + 1
    key_line, items = key_lines(text, key)
    return (base + key_line if key_line is not None else None), [base + line for line in items]
