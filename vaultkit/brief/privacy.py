"""What a person marks private, read the way their own tools read it, and a note's body with
it left out. Pure. The rules are the README's ("A page for your next session"); when in doubt,
text is left out. Structure comes from markdown-it's tokens (CommonMark), so a `#private` in
code is no tag, and a `## ...` in a fence or a comment is no heading and cannot end a private
section early. Quotes are made inert: no embed pulls another note in, no `<` starts a tag."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

# "private" on its own (`Private`, `private/family`, `_private_`), not in a word (`privately`).
_INLINE_TAG = "#private in its text"  # why a whole note is private, as `--preview` says
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
_BLOCKS = ("paragraph_open", "heading_open", "html_block", "fence", "code_block")
_FALSE = ("", "false", "no", "off", "0", "n")
_PRIVATE_MARK = re.compile(r"%%\s*private\s*%%|<!--\s*private\s*-->", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|%%.*?(?:%%|\Z)", re.S)  # one left open runs to the end
# [[target#heading|alias]], ![[...]] (an embed); group 1 the note, 2 the heading or block, 3 the alias
WIKILINK = re.compile(r"!?\[\[([^\]|#^]*)([#^][^\]|]*)?(?:\|([^\]]*))?\]\]")
_MD_EMBED = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_MD_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)>]*)>?\s*\)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*(?:<([^>]*)>|(\S+))")  # [ref]: target "title"
_REF_USE = re.compile(r"\[([^\]]+)\](?:\[([^\]]*)\])?")
_NOT_A_NOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|//)", re.I)  # a web address, an anchor

PrivateLink = Callable[[str], bool]  # a link's target ("Note", "Folder/Note.md") -> private?


def says_private(text: str) -> bool:
    return bool(_WORD.search(text))


def private_tags(text: str) -> list[re.Match[str]]:
    """The inline tags in `text` that say private (`#private`, `#private/family`)."""
    return [m for m in TAG.finditer(text) if says_private(m[1])]


# ---------------------------------------------------------------- a whole note, an action


def _texts(meta: Mapping[Any, Any], *keys: str) -> Iterator[str]:
    """Every text under these properties (any case), lists and mappings walked (an
    unquoted `[[private]]` is a nested list), numbers as text."""

    def flat(value: Any) -> Iterator[str]:
        if isinstance(value, Mapping):
            for key, item in value.items():
                yield from flat(key)
                yield from flat(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                yield from flat(item)
        elif value is not None and not isinstance(value, bool):
            yield str(value)

    for key, value in meta.items():
        if isinstance(key, str) and key.strip().casefold() in keys:
            yield from flat(value)


def private_meta(meta: Mapping[Any, Any]) -> str | None:
    """Why the frontmatter makes the whole note private: `private:` with any value but an
    empty or false one, or a tag (`tags`/`tag`, any form Obsidian reads) that says private."""
    for key, value in meta.items():
        named = isinstance(key, str) and key.strip().casefold() == "private"
        if named and value is not None and value is not False and str(value).strip().casefold() not in _FALSE:
            return "private: true"
    return "tagged private" if any(says_private(text) for text in _texts(meta, "tags", "tag")) else None


def aliases_of(meta: Mapping[Any, Any]) -> list[str]:
    """The note's other names: `aliases`/`alias`, a list or a string, also split on commas."""
    found: list[str] = []
    for text in _texts(meta, "aliases", "alias"):
        found += [text.strip(), *(a.strip() for a in text.split(",") if "," in text)]
    return [a for a in found if a]


# ---------------------------------------------------------------- links and quotes


def link_targets(line: str) -> list[str]:
    """The notes a line links to or embeds: wikilinks, and markdown links to files."""
    found = [m[1].strip() for m in WIKILINK.finditer(line) if m[1].strip()]
    definition = _REF_DEFINITION.match(line)
    for raw in [m[1] for m in _MD_LINK.finditer(line)] + (
        [definition[2] or definition[3]] if definition else []
    ):
        target = unquote(raw.strip().split("#", 1)[0])
        if target and not _NOT_A_NOTE.match(target):
            found.append(target)
    return found


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def escape_html(text: str) -> str:
    """Text no viewer reads as HTML (an `<img>` would be fetched): every `<` as `&lt;`. Idempotent."""
    return text.replace("<", "&lt;")


def _shown(m: re.Match[str]) -> str:
    """A wikilink in a quote: an embed becomes its name; a private heading is taken off."""
    name, part, alias = m[1].strip(), m[2] or "", m[3]
    if m[0].startswith("!"):
        return f"*{(alias or name or 'embed').strip()}*"
    if part and says_private(part[1:]):
        part = ""
    return f"[[{name}{part}{'|' + alias if alias is not None else ''}]]"


def inert(text: str) -> str:
    """Text with no embeds and no raw HTML left: what a quote may hold."""
    text = WIKILINK.sub(_shown, text)
    text = _MD_EMBED.sub(lambda m: f"[image{': ' + m[1].strip() if m[1].strip() else ''}]", text)
    return escape_html(text)


# ---------------------------------------------------------------- marks in a body


def _element_end(lines: list[str], start: int, block_end: int, name: str) -> int:
    """Where the element `name` opened on line `start` closes (`<details>` may hold blank
    lines and markdown); unclosed, the end of the body."""
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


def _html_region(
    lines: list[str], opened: list[tuple[str, int]], where: list[int], content: str
) -> tuple[int, int, str]:
    """What an HTML mark hides: the element an earlier block left open (`<details>`, a blank
    line, `<summary>Private</summary>`), else the one its own block opens, else the block."""
    first = _OPEN_TAG.match(content)
    name, start = opened[-1] if opened else ((first[1] if first else ""), where[0])
    return (start, _element_end(lines, start, where[1], name), "HTML marked private")


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
        else:
            out.append(_plain(child) if child.type == "image" else child.content)
    return "".join(out)


def _trailing(line: str) -> int:
    """How many private tags end the line (after them only tags, a block id, punctuation)."""
    words = _BLOCK_ID.sub("", line).split()
    count = 0
    while words and (words[-1].startswith("#") or not words[-1].strip(".,;:!?)*_~")):
        count += bool(private_tags(words.pop()))
    return count


def _paragraph(text: str) -> str | None:
    """What a paragraph's private tags mean: "whole" (they tag the note), "part" (they end
    the paragraph, and mark only it), or None."""
    lines = text.split("\n")
    if any(
        private_tags(line) and not TAG.sub("", _TAGS_LABEL.sub("", line)).strip(" \t,;:*_~`·|-")
        for line in lines
    ):
        return "whole"  # a line of tags only (`#journal #private`, `Tags: #private`) tags the note
    if any(_TAGS_LABEL.match(line) and says_private(line) for line in lines):
        return "whole"  # `Tags: journal, private`: a tags line without `#` reads the same
    found = len(private_tags(text))
    if not found:
        return None
    return "part" if _trailing(lines[-1]) == found else "whole"


def _marks(tokens: list[Any], lines: list[str]) -> tuple[str | None, list[tuple[int, int, str]]]:
    """Why all of a body is private, or the regions its own marks make private."""
    whole: str | None = None
    regions: list[tuple[int, int, str]] = []
    items: list[list[Any]] = []  # [list item, whether its first paragraph was seen] we are in
    opened: list[tuple[str, int]] = []  # HTML elements open across blocks
    read: set[int] = set()  # lines of the blocks read here, code included
    for i, token in enumerate(tokens):
        if token.map and token.type in _BLOCKS:
            read.update(range(*token.map))
        if token.type == "list_item_open":
            items.append([token, False])
        elif token.type == "list_item_close" and items:
            items.pop()
        elif token.type == "blockquote_open" and token.map:
            first = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open" else None
            callout = _CALLOUT.match(first.content.split("\n", 1)[0]) if first is not None else None
            if callout and says_private(callout[1] + " " + callout[2]):
                regions.append((token.map[0], token.map[1], "a callout marked private"))
        elif token.type == "html_block" and token.map and not token.content.lstrip().startswith("<!--"):
            if says_private(token.content):
                regions.append(_html_region(lines, opened, token.map, token.content))
            _track(opened, token.content, token.map[0])
        elif token.type == "inline" and token.map and tokens[i - 1].type == "paragraph_open":
            where = token.map
            if items and not items[-1][1]:  # an item's first paragraph speaks for the item
                items[-1][1] = True
                where = items[-1][0].map or where
            meaning = _paragraph(_plain(token))
            if meaning == "whole":
                whole = _INLINE_TAG
            elif meaning == "part":
                regions.append((where[0], where[1], "a paragraph or list item ending in #private"))
            elif any(c.type == "html_inline" and says_private(c.content) for c in token.children or []):
                regions.append(_html_region(lines, opened, token.map, ""))
    # A tag on a line no block holds (a link reference definition): what it marks cannot
    # be told, so it marks all of the note.
    if any(private_tags(line) for n, line in enumerate(lines) if n not in read):
        whole = _INLINE_TAG
    return whole, regions


# ---------------------------------------------------------------- a body's sections


@dataclass(frozen=True)
class Part:
    """One section of a note that may be quoted."""

    heading: str
    text: str


@dataclass(frozen=True)
class Sections:
    """A note's sections that may be shared; why each private part was left out; `whole`:
    why the note's own text makes all of it private."""

    parts: list[Part]
    reasons: tuple[str, ...] = ()
    whole: str | None = None
    lines: int = 0  # lines left out because they link to or embed a private note

    @property
    def private(self) -> int:
        return len(self.reasons)


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt  # here: only `vaultkit brief` needs it, never start-up

    return MarkdownIt("commonmark", {"html": True})  # html: comments are blocks, not text


def _headings(tokens: list[Any], lines: list[str]) -> list[tuple[int, int, int, str]]:
    """(line the heading starts on, line its text starts on, level, text) of the headings
    that bound sections: every top-level one, and a private one at any depth (`> ## x
    (private)`). HTML headings (`<h2>`) count too, as Obsidian shows them."""
    heads = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            text = tokens[i + 1].content
            if token.level == 0 or says_private(text):
                heads.append((token.map[0], token.map[1], int(token.tag[1]), text))
        elif token.map and (
            token.type == "html_block"
            or (token.type == "inline" and any(c.type == "html_inline" for c in token.children or []))
        ):
            start, end = token.map
            source = "\n".join(lines[start:end])
            for m in _HTML_HEADING.finditer(source):
                if says_private(m[0]) or (token.level == 0 and token.type == "html_block"):
                    first = start + source.count("\n", 0, m.start())
                    after = start + source.count("\n", 0, m.end()) + 1
                    heads.append((first, after, int(m[1]), _HTML_TAG.sub("", m[3]).strip()))
    return sorted(set(heads))


def _heading_why(heading: str, level: int, text: str, private_link: PrivateLink) -> str | None:
    if level and says_private(heading):
        return "a heading that says private"
    if any(private_link(t) for t in link_targets(heading)):
        return "a heading that links to a private note"
    return "%% private %% in a section" if _PRIVATE_MARK.search(text) else None


def split_sections(body: str, private_link: PrivateLink = lambda _: False) -> Sections:
    """The body's sections in order (the text above the first heading has an empty heading),
    private ones left out, and each line that links to a private note (`private_link`)."""
    lines = body.split("\n")
    references = frozenset(
        _label(m[1])
        for line in lines
        if (m := _REF_DEFINITION.match(line)) is not None and any(private_link(t) for t in link_targets(line))
    )
    tokens = _parser().parse(body)
    whole, regions = _marks(tokens, lines)
    if whole:
        return Sections([], whole=whole)
    bounds = [(0, 0, 0, ""), *_headings(tokens, lines)]

    def span(n: int) -> range:
        return range(bounds[n][1], bounds[n + 1][0] if n + 1 < len(bounds) else len(lines))

    top = "\n".join(lines[i] for i in span(0))
    if len(bounds) > 1 and not _COMMENT.sub("", top).strip():
        _, _, level, heading = bounds[1]
        if says_private(heading) and all(b[2] > level for b in bounds[2:]):
            return Sections([], whole="a heading over all of it says private")  # `# Journal #private`
        if level == 1:
            top += "\n" + "\n".join(lines[i] for i in span(1))  # right under the note's title: "all of it"
    if _PRIVATE_MARK.search(top):
        return Sections([], whole="%% private %% at its top")
    hidden: set[int] = set()
    outermost = []  # the regions not inside another, each counted once
    for start, end, reason in sorted(regions, key=lambda r: (r[0], -r[1])):
        if start not in hidden:
            outermost.append((start, reason))
        hidden.update(range(start, end))
    parts: list[Part] = []
    reasons: list[str] = []
    dropped = 0
    hidden_below: int | None = None  # the level of the private heading we are under
    for n, (_, _, level, heading) in enumerate(bounds):
        if hidden_below is not None and level > hidden_below:
            continue
        hidden_below = None
        why = _heading_why(heading, level, "\n".join(lines[i] for i in span(n)), private_link)
        if why:
            reasons.append(why)
            hidden_below = level if level else None
            continue
        reasons += [reason for start, reason in outermost if start in span(n)]
        kept = []
        for line in _COMMENT.sub("", "\n".join("" if i in hidden else lines[i] for i in span(n))).split("\n"):
            uses = (_label(m[2] or m[1]) for m in _REF_USE.finditer(line))  # [text][ref], [ref][], [ref]
            if any(private_link(t) for t in link_targets(line)) or any(u in references for u in uses):
                dropped += 1
            else:
                kept.append(line)
        parts.append(Part(inert(_COMMENT.sub("", heading)).strip(), inert("\n".join(kept))))
    return Sections(parts, tuple(reasons), lines=dropped)
