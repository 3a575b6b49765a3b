"""What a person marks private, read the way their own tools read it. Pure.

The rules (README, "A page for your next session"); when in doubt, text is
left out:

- A whole note: `private:` with any value but an empty or false one; a tag
  that says private, in any form Obsidian reads tags (`tags:` or `tag:`, a
  list or a string split on commas and spaces, with or without `#`, nested
  `private/family` or `journal/private`); an inline `#private` anywhere in
  its text outside code (a first line of tags, a `Tags:` line, a sentence),
  except where it marks one part (below).
- A part: a heading with the word "private" in it, in any form (`## Private:
  about mum`, `## (private) …`, `## … [private]`, `## … （private）`,
  `## … #private`, an HTML `<h2>`; one at the top, over all of the note,
  makes the whole note private); a callout whose type or title says
  private (`> [!private]`); an HTML block that says private (`<details
  class="private">`, `<summary>Private</summary>`), to its closing tag; a
  paragraph or list item that ends in `#private` (the item with what is
  nested in it).
- An action: one tagged `#private`.

"Says private" is the word `private` on its own (`private`, `Private`,
`private/family`, `private-notes`, `_private_`), not inside another word
(`privately`). Structure comes from markdown-it's tokens (CommonMark, as the
brief's sections are split), so a `#private` inside code is not a tag and a
heading-like line inside a fence is not a heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"(?<![^\W_])private(?![^\W_])", re.I)
# An inline tag as Obsidian writes it; not part of a word, a path or an entity (`a#b`, `/#b`, `&#35;`).
TAG = re.compile(r"(?<![\w/#&])#([\w/-]+)")
_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]+\s*$")
_TAGS_LABEL = re.compile(r"^\W*tags?\W*:+", re.I)  # `Tags:`, `**Tags:**`, Dataview's `tags::`
_CALLOUT = re.compile(r"^\s*\[!([^\]]*)\][+-]?(.*)$")
_HTML_HEADING = re.compile(r"<h([1-6])\b([^>]*)>(.*?)(?:</h\1\s*>|\Z)", re.I | re.S)
_HTML_TAG = re.compile(r"<[^>]*>")
_OPEN_TAG = re.compile(r"^\s*<([A-Za-z][\w-]*)")
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*?(/?)>")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)
_FALSE = ("", "false", "no", "off", "0", "n")

# Why a part was left out, as `--preview` says it (never the text).
HEADING = "a heading that says private"
HEADING_OVER_ALL = "a heading over all of it says private"
LINKED_HEADING = "a heading that links to a private note"
MARKED_SECTION = "%% private %% in a section"
CALLOUT = "a callout marked private"
HTML = "HTML marked private"
ENDS_IN_TAG = "a paragraph or list item ending in #private"
TAGGED_NOTE = "tagged private"
INLINE_TAG = "#private in its text"
TAGGED_ACTION = "an action tagged #private"
LINKED_ACTION = "an action linking to a private note"


def says_private(text: str) -> bool:
    """Whether `text` holds the word private on its own (a heading, a tag, a callout's title)."""
    return bool(_WORD.search(text))


def private_tags(text: str) -> list[re.Match[str]]:
    """The inline tags in `text` that say private (`#private`, `#private/family`)."""
    return [m for m in TAG.finditer(text) if says_private(m[1])]


is_private_heading = says_private


def _flat(value: Any) -> Iterator[str]:
    """Every text in a property's value: lists and mappings walked (an unquoted
    `[[private]]` is a nested list), numbers as text."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flat(key)
            yield from _flat(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _flat(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def tags_of(meta: Mapping[Any, Any]) -> list[str]:
    """The note's tags as Obsidian reads its properties: `tags` or `tag` (any
    case), a list or a string split on commas and spaces, `#` taken off."""
    found = []
    for key, value in meta.items():
        if isinstance(key, str) and key.strip().casefold() in ("tags", "tag"):
            for text in _flat(value):
                found += [t.lstrip("#") for t in re.split(r"[,\s]+", text) if t.lstrip("#")]
    return found


def private_meta(meta: Mapping[Any, Any]) -> str | None:
    """Why the frontmatter makes the whole note private, or None. `Private: true`,
    `private: 1`, `private: yes` all count (anything but an empty or false
    value), and so does any tag that says private."""
    for key, value in meta.items():
        named = isinstance(key, str) and key.strip().casefold() == "private"
        if named and value is not None and value is not False and str(value).strip().casefold() not in _FALSE:
            return "private: true"
    if any(says_private(tag) for tag in tags_of(meta)):
        return TAGGED_NOTE
    return None


def aliases_of(meta: Mapping[Any, Any]) -> list[str]:
    """The note's other names (`aliases` or `alias`, a list or a string; a
    string is also split on commas, as Obsidian once wrote them)."""
    found: list[str] = []
    for key, value in meta.items():
        if isinstance(key, str) and key.strip().casefold() in ("aliases", "alias"):
            for text in _flat(value):
                found += [text.strip(), *(a.strip() for a in text.split(",") if "," in text)]
    return [a for a in found if a]


def hidden_action(text: str, links_private: bool) -> str | None:
    """Why an action's text keeps it off the page, or None (`links_private`: it
    links to a private note)."""
    if links_private:
        return LINKED_ACTION
    return TAGGED_ACTION if private_tags(text) else None


# ---------------------------------------------------------------- parts of a body


@dataclass(frozen=True)
class Region:
    """Lines [start, end) of a body left out, and why."""

    start: int
    end: int
    why: str


@dataclass
class Marks:
    """What a body's own marks make private: all of it (`whole`, why), or regions."""

    whole: str | None = None
    regions: list[Region] = field(default_factory=list)


def html_headings(lines: list[str], start: int, end: int) -> list[tuple[int, int, int, str, str]]:
    """The HTML headings (`<h2>…</h2>`) in lines [start, end): (line it starts on,
    line after it, level, its text without tags, the whole tag as written)."""
    source = "\n".join(lines[start:end])
    found = []
    for m in _HTML_HEADING.finditer(source):
        first = start + source.count("\n", 0, m.start())
        after = start + source.count("\n", 0, m.end()) + 1
        found.append((first, after, int(m[1]), _HTML_TAG.sub("", m[3]).strip(), m[0]))
    return found


def _element_end(lines: list[str], start: int, block_end: int, name: str) -> int:
    """Where the element `name` opened on line `start` is closed: `<details>` …
    `</details>` may hold blank lines and markdown. Unclosed: the end of the body."""
    if not name or name.lower() in _VOID:
        return block_end
    tag = re.compile(rf"<(/?){re.escape(name)}(?=[\s>/])", re.I)
    depth = 0
    for i in range(start, len(lines)):
        for m in tag.finditer(lines[i]):
            depth += -1 if m[1] else 1
            if depth <= 0:
                return max(i + 1, block_end)
    return len(lines)


def _html_region(lines: list[str], opened: list[tuple[str, int]], where: list[int], content: str) -> Region:
    """The lines an HTML mark hides: the element it is in, when an earlier block
    left one open (`<details>`, a blank line, `<summary>Private</summary>`), else
    the element its own block opens, else the block."""
    first = _OPEN_TAG.match(content)
    name, start = opened[-1] if opened else ((first[1] if first else ""), where[0])
    return Region(start, _element_end(lines, start, where[1], name), HTML)


def _track(opened: list[tuple[str, int]], content: str, line: int) -> None:
    """Follow the HTML elements an HTML block leaves open (name, line), across blocks."""
    for m in _ANY_TAG.finditer(content):
        name = m[2].lower()
        if name in _VOID or m[3]:
            continue
        if not m[1]:
            opened.append((name, line + content.count("\n", 0, m.start())))
            continue
        for k in range(len(opened) - 1, -1, -1):
            if opened[k][0] == name:
                del opened[k:]
                break


def _plain(inline: Any) -> str:
    """An inline token's text as a reader sees it, code spans blanked (a tag in code is no tag)."""
    out = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "code_inline":
            out.append(" ")
        elif child.type == "image":
            out.append(_plain(child))
        else:
            out.append(child.content)
    return "".join(out)


def _is_tag_line(line: str) -> bool:
    """A line of tags only (`#journal #private`, `Tags: #private`), which tags the note."""
    rest = TAG.sub("", _TAGS_LABEL.sub("", line))
    return not rest.strip(" \t,;:*_~`·|-")


def _trailing(line: str) -> int:
    """How many private tags end the line (after them only tags, a block id, punctuation)."""
    words = _BLOCK_ID.sub("", line).split()
    count = 0
    while words and (words[-1].startswith("#") or not words[-1].strip(".,;:!?)*_~")):
        word = words.pop()
        count += bool(private_tags(word))
    return count


def _paragraph(text: str) -> str | None:
    """What a paragraph's `#private` tags mean: "whole" (they tag the note), "part"
    (they end it, and mark only it), or None."""
    lines = text.split("\n")
    if any(_is_tag_line(line) and private_tags(line) for line in lines):
        return "whole"
    if any(_TAGS_LABEL.match(line) and says_private(line) for line in lines):
        return "whole"  # `Tags: journal, private`: a tags line without `#` reads the same
    found = len(private_tags(text))
    if not found:
        return None
    return "part" if _trailing(lines[-1]) == found else "whole"


def body_marks(tokens: list[Any], lines: list[str]) -> Marks:
    """The private marks in a body's markdown-it tokens (`lines` is the body, split)."""
    marks = Marks()
    items: list[list[Any]] = []  # [list item, whether its first paragraph was seen] we are in
    opened: list[tuple[str, int]] = []  # HTML elements open across blocks
    read: set[int] = set()  # lines of the blocks read here, code included
    for i, token in enumerate(tokens):
        if token.map and token.type in (
            "paragraph_open",
            "heading_open",
            "html_block",
            "fence",
            "code_block",
        ):
            read.update(range(*token.map))
        if token.type == "list_item_open":
            items.append([token, False])
        elif token.type == "list_item_close" and items:
            items.pop()
        elif token.type == "blockquote_open" and token.map:
            first = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open" else None
            callout = _CALLOUT.match(first.content.split("\n", 1)[0]) if first is not None else None
            if callout and says_private(callout[1] + " " + callout[2]):
                marks.regions.append(Region(token.map[0], token.map[1], CALLOUT))
        elif token.type == "html_block" and token.map and not token.content.lstrip().startswith("<!--"):
            if says_private(token.content):
                marks.regions.append(_html_region(lines, opened, token.map, token.content))
            _track(opened, token.content, token.map[0])
        elif token.type == "inline" and token.map and tokens[i - 1].type == "paragraph_open":
            where = token.map
            if items and not items[-1][1]:  # an item's first paragraph speaks for the item
                items[-1][1] = True
                where = items[-1][0].map or where
            meaning = _paragraph(_plain(token))
            if meaning == "whole":
                marks.whole = INLINE_TAG
            elif meaning == "part":
                marks.regions.append(Region(where[0], where[1], ENDS_IN_TAG))
            elif any(c.type == "html_inline" and says_private(c.content) for c in token.children or []):
                marks.regions.append(_html_region(lines, opened, token.map, ""))
    # A tag on a line no block above holds (a link reference definition): the rules
    # cannot say what it marks, so it marks all of the note.
    if any(private_tags(line) for n, line in enumerate(lines) if n not in read):
        marks.whole = INLINE_TAG
    return marks
