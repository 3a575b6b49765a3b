"""PyYAML, safely: the loader for frontmatter and settings.

PyYAML's safe loader (the C one when libyaml is present) with YAML 1.1's
surprises switched off: only true/false are booleans, `1:30` and `012345`
stay text, an impossible date stays text instead of raising, duplicate keys
are an error (as in Obsidian), and aliases that would expand into a huge
value are refused. Imported only when a note or setting needs it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from vaultkit.notes import NoteError, Problem, redact

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_ALIAS_EXPANSION = 10_000
# Deeper flow nesting ([[[...) is refused before parsing: libyaml from 0.2.6 stops
# at 1000 levels, older libyaml went on, and the pure-Python loader runs out of
# stack; one limit of our own makes every PyYAML say the same thing.
MAX_NESTING = 100


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with YAML-1.2-like scalars and a few guards (see module doc)."""

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


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
for _tag, _pattern, _first in [
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
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])


class _Cycle(Exception):
    pass


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
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


def _yaml_problem(exc: yaml.YAMLError, first_line: int, text: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    reason = redact(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    message = f"frontmatter is not valid YAML: {reason}"
    if mark is not None:
        bad_line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
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


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Load a YAML document safely; raise NoteError with a file line number."""
    if text.count("[") + text.count("{") > MAX_NESTING and _flow_depth(text) > MAX_NESTING:
        raise NoteError(
            Problem(
                f"frontmatter nests lists or maps more than {MAX_NESTING} levels deep; refused", first_line
            )
        )
    try:
        if "*" in text and "&" in text:  # aliases present: measure before building
            node = yaml.compose(text, Loader=_Loader)
            try:
                too_big = node is not None and _expanded_size(node, {}) > MAX_ALIAS_EXPANSION
            except _Cycle:
                raise NoteError(
                    Problem("frontmatter has an alias that refers to itself; refused", first_line)
                ) from None
            if too_big:
                raise NoteError(
                    Problem(
                        "frontmatter uses YAML aliases that expand to more than "
                        f"{MAX_ALIAS_EXPANSION} values; refused",
                        first_line,
                    )
                )
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise NoteError(_yaml_problem(exc, first_line, text)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML raises ValueError for some bad scalars; never let one escape.
        raise NoteError(
            Problem(f"frontmatter has a value YAML cannot read ({type(exc).__name__})", first_line)
        ) from None


def key_lines(text: str, key: str) -> tuple[int | None, list[int]]:
    """0-based lines in `text` of a top-level `key` and of each item of its list."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None, []
    if not isinstance(root, yaml.MappingNode):
        return None, []
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else []
            return key_node.start_mark.line, [n.start_mark.line for n in items]
    return None, []
