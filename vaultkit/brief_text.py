"""A note's body as the brief may quote it: its sections, the private ones
left out, comments and template boilerplate taken away. Pure.

What is private (README, "A page for your next session"): a whole note with
`private: true` in its frontmatter (the engine decides that), a section under
a heading that ends with `(private)`, with every section nested under it, and
a section that holds an Obsidian comment `%% private %%`. Headings are found
by markdown-it, as CommonMark reads them: a `## ...` inside a code fence or an
HTML comment is not a heading, so it cannot end a private section early.
Comments (`<!-- -->`, `%% %%`) are never quoted; one left open runs to the end
of its section, where Obsidian would hide even more.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

_PRIVATE_HEADING = re.compile(r"\(\s*private\s*\)$", re.I)
_PRIVATE_MARK = re.compile(r"^[ \t]*%%\s*private\s*%%[ \t]*$", re.I | re.M)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|%%.*?(?:%%|\Z)", re.S)
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
_HEADING_END = " \t*_`~#"  # emphasis or a closing run around "(private)" still counts


@dataclass(frozen=True)
class Part:
    """One section of a note that may be quoted: its heading and its text."""

    heading: str
    text: str


@dataclass(frozen=True)
class Sections:
    """A note's sections that may be shared, and how many were left out as private."""

    parts: list[Part]
    private: int


@functools.cache
def _parser() -> Any:
    # Imported here: markdown-it is only needed by `vaultkit brief`, never at start-up.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})  # html: comments are blocks, not text


def is_private_heading(heading: str) -> bool:
    return bool(_PRIVATE_HEADING.search(heading.rstrip(_HEADING_END)))


def strip_comments(text: str) -> str:
    return _COMMENT.sub("", text)


def split_sections(body: str) -> Sections:
    """The body's sections in order, private ones left out. The text above
    the first heading is a section with an empty heading."""
    lines = body.split("\n")
    tokens = _parser().parse(body)
    # (line where the heading starts, line where its section's text starts, level, text)
    heads: list[tuple[int, int, int, str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            heads.append((token.map[0], token.map[1], int(token.tag[1]), tokens[i + 1].content))
    bounds = [(0, 0, 0, ""), *heads]
    parts: list[Part] = []
    private = 0
    hidden_below: int | None = None  # the level of the private heading we are under
    for n, (_, text_from, level, heading) in enumerate(bounds):
        text_to = bounds[n + 1][0] if n + 1 < len(bounds) else len(lines)
        if hidden_below is not None and level > hidden_below:
            continue  # nested under a private heading
        hidden_below = None
        text = "\n".join(lines[text_from:text_to])
        if (level and is_private_heading(heading)) or _PRIVATE_MARK.search(text):
            private += 1
            hidden_below = level if level else None
            continue
        parts.append(Part(heading.strip(), strip_comments(text)))
    return Sections(parts, private)


@dataclass(frozen=True)
class Boilerplate:
    """What a note's template wrote, so that only the person's own words are quoted."""

    lines: tuple[re.Pattern[str], ...] = ()
    skip: frozenset[str] = frozenset()  # headings whose section the template fills (e.g. carried actions)


@functools.cache  # a template's patterns, compiled once per process
def boilerplate(template_text: str) -> Boilerplate:
    """Each line of a template's body, with its placeholders as wildcards; and
    the headings of sections made of `{{open_actions}}` (the brief lists the
    actions itself)."""
    body = re.sub(r"\A---\n.*?\n---\n", "", template_text, flags=re.S)
    patterns = []
    skip = set()
    heading = ""
    for raw in body.split("\n"):
        line = raw.strip()
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        if "{{open_actions}}" in line.replace(" ", ""):
            skip.add(_PLACEHOLDER.sub("", heading).strip().lower())
            continue
        literal = _PLACEHOLDER.sub("", line)
        if len(literal.strip()) < 3 or line.startswith("<!--"):
            continue  # a bare placeholder or a prompt would match the person's own words
        pieces = [re.escape(p) for p in _PLACEHOLDER.split(line)]
        patterns.append(re.compile(".*?".join(pieces)))
    return Boilerplate(tuple(patterns), frozenset(skip))


def own_words(part: Part, template: Boilerplate) -> str:
    """The part's text without the template's lines, blank runs closed up."""
    if _PLACEHOLDER.sub("", part.heading).strip().lower() in template.skip:
        return ""
    kept = [
        line.rstrip()
        for line in part.text.split("\n")
        if not any(p.fullmatch(line.strip()) for p in template.lines)
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")
    return text if text.strip() else ""


def trim(text: str, limit: int) -> tuple[str, bool]:
    """At most `limit` characters, cut at a space; and whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + " …", True
