"""Split a note into frontmatter and body, and load the frontmatter safely. Pure.

Only the frontmatter is decoded and parsed, so a note's body (which may be
long, or not even valid UTF-8) costs almost nothing. It is read by PyYAML's
safe loader (the C one when libyaml is present) with YAML 1.1's surprises
switched off: only true/false are booleans, `1:30` and `012345` stay text, an
impossible date stays text instead of raising, duplicate keys are an error
(as in Obsidian), and aliases that would expand into a huge value are refused.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import yaml

SLOW_YAML_HINT = (
    "PyYAML was installed without libyaml, so notes are parsed about 6 times slower; "
    "reinstall it with libyaml (e.g. `pip install --force-reinstall --no-binary pyyaml pyyaml` "
    "with libyaml-dev present)"
)
MAX_FRONTMATTER_BYTES = 256 * 1024
MAX_ALIAS_EXPANSION = 10_000
# Deeper flow nesting ([[[...) is refused before parsing: libyaml from 0.2.6 stops
# at 1000 levels, older libyaml went on, and the pure-Python loader runs out of
# stack; one limit of our own makes every PyYAML say the same thing.
MAX_NESTING = 100

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
    """Where a note's frontmatter is and what it holds. `meta` is None when the
    note has no frontmatter block; offsets are byte offsets into the file."""

    meta: dict[str, Any] | None
    newline: str
    start: int = 0  # the first byte after the opening `---` line
    end: int = 0  # the closing `---` line
    body_start: int = 0  # the first byte after the closing line


def slow_yaml() -> bool:
    """Whether PyYAML was needed this run and lacks its C loader."""
    module = sys.modules.get("yaml")
    return module is not None and not hasattr(module, "CSafeLoader")


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
        # "utf-8-sig" differs only in dropping a BOM, and its decoder is Python
        # code (several times slower): only for text that starts with one.
        return data.decode("utf-8-sig" if data.startswith(_UTF8_BOM) else "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NoteError(
            Problem(f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8", line)
        ) from None


def parse_frontmatter(data: bytes, complete: bool = True) -> Frontmatter:
    """Find and load the frontmatter of a note's bytes. `complete` is False when
    `data` is only the start of a larger file: a block not closed within it is
    then "too long" rather than "unclosed". Raises NoteError."""
    if data.startswith(_UTF16_BOMS):
        raise NoteError(Problem("note is UTF-16 encoded; save it as UTF-8"))
    if data.find(b"\x00", 0, 8192) >= 0:
        raise NoteError(Problem("file looks binary (it holds NUL bytes), not like a markdown note"))
    opening = _OPEN.match(data, len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0)
    first_nl = data.find(b"\n")
    newline = "\r\n" if first_nl > 0 and data[first_nl - 1 : first_nl] == b"\r" else "\n"
    if opening is None:
        return Frontmatter(None, newline)
    start = opening.end()
    closing = _CLOSE.search(data, start)
    too_long = f"frontmatter is longer than {MAX_FRONTMATTER_BYTES // 1024} KB"
    if closing is None:
        raise NoteError(
            Problem("frontmatter starts with --- on line 1 but is never closed" if complete else too_long, 1)
        )
    end, after = closing.start(), closing.end()
    after += 2 if data[after : after + 2] == b"\r\n" else 1 if data[after : after + 1] == b"\n" else 0
    if end - start > MAX_FRONTMATTER_BYTES:
        raise NoteError(Problem(too_long, 1))
    text = decode(data[start:end], "frontmatter")
    meta = load_yaml(text, first_line=2) if text.strip() else {}
    if meta is None:  # only comments
        meta = {}
    if not isinstance(meta, dict):
        raise NoteError(Problem("frontmatter is not a set of `key: value` properties", 2))
    return Frontmatter(meta, newline, start, end, after)


# ---------------------------------------------------------------- PyYAML, safely


@functools.cache
def loader() -> type[yaml.SafeLoader]:
    """The safe loader described above (the C one when libyaml is present)."""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type, misc]
        yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # unhashable key: the base class reports it
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
            return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

        def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
            return int(self.construct_scalar(node).replace("_", ""))

        def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:  # 2026-02-30 and friends: keep the text
                return self.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
    for tag, pattern, first in [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9_]*))$", "-+0123456789"),
        (
            "tag:yaml.org,2002:float",
            r"^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+0123456789.",
        ),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
        (
            "tag:yaml.org,2002:timestamp",
            r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
            r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
            r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?)$",
            "0123456789",
        ),
    ]:
        Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])
    return Loader


class _Cycle(Exception):
    pass


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    import yaml

    key = id(node)
    if key in memo:
        if memo[key] < 0:  # still being measured: an alias points back into itself
            raise _Cycle
        return memo[key]
    memo[key] = -1
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[key] = size
    return size


def _yaml_problem(exc: yaml.YAMLError, first_line: int, text: str, what: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    message = f"{what} is not valid YAML: {redact(getattr(exc, 'problem', None) or str(exc).splitlines()[0])}"
    if mark is not None:
        lines = text.splitlines()
        bad_line = lines[mark.line] if mark.line < len(lines) else ""
        if re.match(r"\s*-\s*\[[ xX]?\]", bad_line):
            message += ' (put quotes around an action that starts with [ ], e.g. - "[ ] Call")'
        elif "<<<<<<<" in text or ">>>>>>>" in text:
            message += " (it holds git conflict markers: resolve the conflict)"
    return Problem(message, line)


def _flow_depth(text: str) -> int:
    """Deepest nesting of [ and { in `text`, quotes not considered (an overestimate)."""
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def load_yaml(text: str, first_line: int = 1, what: str = "frontmatter") -> Any:
    """Load a YAML document safely; raise NoteError with a file line number."""
    import yaml

    refused = None
    if text.count("[") + text.count("{") > MAX_NESTING and _flow_depth(text) > MAX_NESTING:
        refused = f"frontmatter nests lists or maps more than {MAX_NESTING} levels deep; refused"
    try:
        if refused is None and "*" in text and "&" in text:  # aliases present: measure before building
            node = yaml.compose(text, Loader=loader())
            try:
                if node is not None and _expanded_size(node, {}) > MAX_ALIAS_EXPANSION:
                    refused = f"frontmatter uses YAML aliases that expand to more than {MAX_ALIAS_EXPANSION} "
                    refused += "values; refused"
            except _Cycle:
                refused = "frontmatter has an alias that refers to itself; refused"
        if refused is None:
            return yaml.load(text, Loader=loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise NoteError(_yaml_problem(exc, first_line, text, what)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML raises ValueError for some bad scalars; never let one escape.
        refused = f"frontmatter has a value YAML cannot read ({type(exc).__name__})"
    raise NoteError(Problem(refused, first_line))


def _list_nodes(data: bytes, fm: Frontmatter, key: str) -> tuple[int, str, yaml.Node | None, list[yaml.Node]]:
    """The first file line of the frontmatter, its text, and the nodes of a
    top-level `key` and of each item of its list (None, [] when absent)."""
    import yaml

    text = data[fm.start : fm.end].decode("utf-8", "replace")
    base = data.count(b"\n", 0, fm.start) + 1
    try:
        root = yaml.compose(text, Loader=loader())
    except (yaml.YAMLError, RecursionError):
        return base, text, None, []
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return (
                    base,
                    text,
                    key_node,
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [],
                )
    return base, text, None, []


def item_lines(data: bytes, fm: Frontmatter, key: str) -> tuple[int | None, list[int]]:
    """1-based file lines of a top-level `key` and of each item of its list, for messages."""
    base, _, key_node, items = _list_nodes(data, fm, key)
    if key_node is None:
        return None, []
    return base + key_node.start_mark.line, [base + n.start_mark.line for n in items]


_TAG_COMMENT = re.compile(r"[ \t]+(#[^\s#][^\n]*)")


def comments_after_items(data: bytes, fm: Frontmatter, key: str) -> list[tuple[int, str, str]]:
    """(file line, the item as read, comment) for each unquoted item of `key`'s list (or
    its `text:`) followed on its line by what YAML reads as a comment but a person
    meant as a tag: `- Walk #body` gives "Walk" and drops "#body"."""
    import yaml

    if b" #" not in data[fm.start : fm.end] and b"\t#" not in data[fm.start : fm.end]:
        return []
    base, text, _, items = _list_nodes(data, fm, key)
    lines = text.split("\n")
    found = []
    for node in items:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == "text"), node)
        if not isinstance(node, yaml.ScalarNode) or node.style:  # quoted or a block scalar
            continue
        end = node.end_mark
        match = _TAG_COMMENT.match(lines[end.line][end.column :]) if end.line < len(lines) else None
        if match:
            found.append((base + end.line, str(node.value), match[1].rstrip()))
    return found
