"""A note's body as the brief may quote it: its sections, the private ones
left out, comments and template boilerplate taken away. Pure.

What is private is decided in `brief_privacy` (README, "A page for your next
session"); here it is applied. A whole note marked so in its text (an inline
`#private` that tags it, `%% private %%` at its top) gives nothing
(`Sections.whole` says why); the engine leaves such notes out. A section
under a heading that says private (a markdown heading or an HTML one, at any
depth, in a block quote or a list too), with every section nested under it,
and a section that holds `%% private %%` anywhere, are left out; so are the
lines of a private callout, of an HTML block marked private (to its closing
tag) and of a paragraph or list item that ends in `#private`. Headings and
blocks are found by markdown-it, as CommonMark reads them: a `## ...` inside
a code fence or an HTML comment is not a heading, so it cannot end a private
section early.
Comments (`<!-- -->`, `%% %%`) are never quoted; one left open runs to the end
of its section, where Obsidian would hide even more.

Quotes are made inert: an embed (`![[Note]]`, `![alt](file)`) is shown as its
name, so that opening or exporting the brief never pulls another note's text
in, no `<` is left to start an HTML tag, and a line that links to or embeds a
private note is left out (the engine says which notes are private, by name or
alias; nothing here relies on a heading's name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from vaultkit.brief_privacy import (
    HEADING,
    HEADING_OVER_ALL,
    LINKED_HEADING,
    MARKED_SECTION,
    body_marks,
    html_headings,
    is_private_heading,
)

_PRIVATE_MARK = re.compile(r"%%\s*private\s*%%|<!--\s*private\s*-->", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|%%.*?(?:%%|\Z)", re.S)
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
# [[target#heading|alias]], ![[...]] (an embed); group 1 the note, 2 the heading or block, 3 the alias
WIKILINK = re.compile(r"!?\[\[([^\]|#^]*)([#^][^\]|]*)?(?:\|([^\]]*))?\]\]")
_MD_EMBED = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_MD_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)>]*)>?\s*\)")
_NOT_A_NOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|//)", re.I)  # a web address, an anchor

PrivateLink = Callable[[str], bool]  # a link's target ("Note", "Folder/Note.md") -> private?


def _public(_: str) -> bool:
    return False


@dataclass(frozen=True)
class Part:
    """One section of a note that may be quoted: its heading and its text."""

    heading: str
    text: str


@dataclass(frozen=True)
class Sections:
    """A note's sections that may be shared, and why each private part was left
    out. `whole`: why the note says in its text that all of it is private."""

    parts: list[Part]
    reasons: tuple[str, ...] = ()  # one per private part left out (a section, a callout, ...)
    whole: str | None = None
    lines: int = 0  # lines left out because they link to or embed a private note

    @property
    def private(self) -> int:
        return len(self.reasons)


@functools.cache
def _parser() -> Any:
    # Imported here: markdown-it is only needed by `vaultkit brief`, never at start-up.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})  # html: comments are blocks, not text


def strip_comments(text: str) -> str:
    return _COMMENT.sub("", text)


def link_targets(line: str) -> list[str]:
    """The notes a line links to or embeds: wikilinks and markdown links to files."""
    found = [m[1].strip() for m in WIKILINK.finditer(line) if m[1].strip()]
    for m in _MD_LINK.finditer(line):
        target = unquote(m[1].strip().split("#", 1)[0])
        if target and not _NOT_A_NOTE.match(target):
            found.append(target)
    return found


def _shown(m: re.Match[str]) -> str:
    """A wikilink in a quote: an embed becomes its note's name as text; a link
    to a private heading loses the heading."""
    name, part, alias = m[1].strip(), m[2] or "", m[3]
    if m[0].startswith("!"):
        return f"*{(alias or name or 'embed').strip()}*"
    if part and is_private_heading(part[1:]):
        part = ""
    return f"[[{name}{part}{'|' + alias if alias is not None else ''}]]"


def escape_html(text: str) -> str:
    """Text that no viewer reads as HTML (`<img src=...>` would be fetched, `<script>`
    run): every `<` written `&lt;`, which Obsidian and any markdown viewer show as
    `<`. Idempotent, so text escaped once may be escaped again."""
    return text.replace("<", "&lt;")


def inert(text: str) -> str:
    """Text with no embeds left, and no raw HTML: what a quote may hold."""
    text = WIKILINK.sub(_shown, text)
    text = _MD_EMBED.sub(lambda m: f"[image{': ' + m[1].strip() if m[1].strip() else ''}]", text)
    return escape_html(text)


def _headings(tokens: list[Any], lines: list[str]) -> list[tuple[int, int, int, str]]:
    """(line where the heading starts, line where its section's text starts, level, text)
    of the headings that bound sections: every top-level one, and a private one at
    any depth (`> ## Quoted (private)`), which starts a private part there. HTML
    headings (`<h2>`) count as well, as Obsidian shows them."""
    heads = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            text = tokens[i + 1].content
            if token.level == 0 or is_private_heading(text):
                heads.append((token.map[0], token.map[1], int(token.tag[1]), text))
        elif token.map and (
            token.type == "html_block"
            or (token.type == "inline" and any(c.type == "html_inline" for c in token.children or []))
        ):
            for start, after, level, text, whole in html_headings(lines, *token.map):
                if is_private_heading(whole) or (token.level == 0 and token.type == "html_block"):
                    heads.append((start, after, level, text))
    return sorted(set(heads))


def _heading_why(heading: str, level: int, text: str, private_link: PrivateLink) -> str | None:
    if level and is_private_heading(heading):
        return HEADING
    if any(private_link(t) for t in link_targets(heading)):
        return LINKED_HEADING
    if _PRIVATE_MARK.search(text):
        return MARKED_SECTION
    return None


def split_sections(body: str, private_link: PrivateLink = _public) -> Sections:
    """The body's sections in order, private ones left out. The text above
    the first heading is a section with an empty heading. `private_link` says
    whether a link's target is a private note: a line with such a link is left out."""
    lines = body.split("\n")
    tokens = _parser().parse(body)
    marks = body_marks(tokens, lines)
    if marks.whole:
        return Sections([], whole=marks.whole)
    bounds = [(0, 0, 0, ""), *_headings(tokens, lines)]

    def span(n: int) -> range:
        return range(bounds[n][1], bounds[n + 1][0] if n + 1 < len(bounds) else len(lines))

    top = "\n".join(lines[i] for i in span(0))
    if len(bounds) > 1 and not strip_comments(top).strip():
        _, _, level, heading = bounds[1]
        if is_private_heading(heading) and all(b[2] > level for b in bounds[2:]):
            return Sections([], whole=HEADING_OVER_ALL)  # `# Journal #private` over all of it
        if level == 1:
            top += "\n" + "\n".join(lines[i] for i in span(1))  # right under the note's title: "all of it"
    if _PRIVATE_MARK.search(top):
        return Sections([], whole="%% private %% at its top")
    hidden: set[int] = set()  # lines of private regions (callouts, HTML blocks, paragraphs)
    outermost = []  # the regions not inside another, each counted once
    for region in sorted(marks.regions, key=lambda r: (r.start, -r.end)):
        if region.start not in hidden:
            outermost.append(region)
        hidden.update(range(region.start, region.end))
    parts: list[Part] = []
    reasons: list[str] = []
    dropped = 0
    hidden_below: int | None = None  # the level of the private heading we are under
    for n, (_, _, level, heading) in enumerate(bounds):
        if hidden_below is not None and level > hidden_below:
            continue  # nested under a private heading
        hidden_below = None
        why = _heading_why(heading, level, "\n".join(lines[i] for i in span(n)), private_link)
        if why:
            reasons.append(why)
            hidden_below = level if level else None
            continue
        reasons += [region.why for region in outermost if region.start in span(n)]
        text = "\n".join("" if i in hidden else lines[i] for i in span(n))
        kept = []
        for line in strip_comments(text).split("\n"):
            if any(private_link(t) for t in link_targets(line)):
                dropped += 1
            else:
                kept.append(line)
        parts.append(Part(inert(strip_comments(heading)).strip(), inert("\n".join(kept))))
    return Sections(parts, tuple(reasons), lines=dropped)


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
    """At most `limit` characters, cut after a sentence if one ends in the second
    half, else at a space; and whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    sentence = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "), cut.rfind("\n"))
    if sentence > limit // 2:
        return cut[: sentence + 1].rstrip() + " …", True
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + " …", True
