"""The brief as one printable HTML page. Pure. Markdown -> HTML by markdown-it-py (raw HTML
off: a note's own tags show as text), the mood chart as inline SVG, CSS for A4 and Letter, no
script. Nothing in it loads anything: links show as their text, images as their description,
fonts are the reader's, and a Content-Security-Policy forbids every load even so."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any

from vaultkit.brief.page import MOOD, ORDER, WELLBEING, Brief
from vaultkit.brief.privacy import WIKILINK
from vaultkit.overview import MOOD_COLOUR

DATE_ROOM = 42  # viewBox units between two dates written under the chart ("11-24" is ~30)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
@page { margin: 10mm 13mm; }
:root { color-scheme: light; }
body { font: 10pt/1.32 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1b1b1b; background: #fff; max-width: 46em; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 15pt; margin: 0 0 .1em; }
h2 { font-size: 11.5pt; margin: .8em 0 .25em; padding-bottom: .05em; border-bottom: 1px solid #c8ccd0;
     break-after: avoid; page-break-after: avoid; }
p { margin: .2em 0; }
.covers { color: #555; margin-bottom: .5em; }
blockquote { margin: .1em 0 .3em; padding: 0 .7em; border-left: 3px solid #9fb3c8;
             break-inside: avoid; page-break-inside: avoid; }
blockquote p { margin: .1em 0; }
ul { margin: .15em 0 .35em; padding-left: 1.3em; }
li { margin: .05em 0; }
pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 9pt; }
pre { white-space: pre-wrap; }
svg.mood { display: block; width: 100%; max-width: 27em; height: auto; margin: .3em 0; }
@media print { body { margin: 0; max-width: none; padding: 0; } }
"""


def _markdown() -> Any:
    from markdown_it import MarkdownIt  # here: only `vaultkit brief --html` pays for it

    md = MarkdownIt("commonmark", {"html": False})

    def nothing(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
        return ""  # a link is shown as its text: the page must not point anywhere

    def image(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
        alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
        return html.escape(f"[image{': ' + alt if alt else ''}]")

    md.add_render_rule("link_open", nothing)
    md.add_render_rule("link_close", nothing)
    md.add_render_rule("image", image)
    return md


def _names(text: str) -> str:
    """Obsidian links as the names they show (`[[2026-11-10 Reflection]]` -> *2026-11-10 Reflection*)."""
    return WIKILINK.sub(lambda m: f"*{(m[3] or m[1]).strip()}*", text)


def mood_svg(
    moods: list[tuple[str, float]] | list[tuple[str, int]], scale: int = 10, name: str = "Mood"
) -> str:
    """A line chart of the moods (0 to 10; or other scores, 0 to `scale`) spaced by date
    (Mermaid's xychart cannot), a dot and its value at each entry, dates along the
    bottom where there is room."""
    width, height, left, right, top, bottom = 560, 190, 34, 24, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(moods)
    first = date.fromisoformat(moods[0][0]) if moods else date.min
    days = max(((date.fromisoformat(moods[-1][0]) - first).days if moods else 0), 0)

    def x(day: str) -> float:
        if days == 0:
            return left + plot_w / 2
        return left + plot_w * (date.fromisoformat(day) - first).days / days

    def y(m: float) -> float:
        return top + plot_h * (scale - m) / scale

    label = ", ".join(f"{m:g} on {d}" for d, m in moods)
    out = [
        f'<svg class="mood" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(f"{name}, 0 to {scale}: " + label)}">'
    ]
    for level in (0, scale // 2, scale):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            f'stroke="#d5d9de" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(level) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#555">{level}</text>'
        )
    points = " ".join(f"{x(d):.1f},{y(m):.1f}" for d, m in moods)
    if n > 1:
        out.append(f'<polyline points="{points}" fill="none" stroke="{MOOD_COLOUR}" stroke-width="2.5"/>')
    dated: list[str] = []  # the days written along the bottom, at least DATE_ROOM apart; the last always
    for day, m in moods:
        out.append(f'<circle cx="{x(day):.1f}" cy="{y(m):.1f}" r="3.5" fill="{MOOD_COLOUR}"/>')
        out.append(
            f'<text x="{x(day):.1f}" y="{y(m) - 8:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#1b1b1b">{m:g}</text>'
        )
        if not dated or x(day) - x(dated[-1]) >= DATE_ROOM:
            dated.append(day)
    if moods and dated[-1] != moods[-1][0]:
        if x(moods[-1][0]) - x(dated[-1]) < DATE_ROOM:
            dated.pop()  # the latest day matters more than the one just before it (never the first)
        dated.append(moods[-1][0])
    for day in dated:
        out.append(
            f'<text x="{x(day):.1f}" y="{height - 12}" font-size="11" text-anchor="middle" '
            f'fill="#555">{html.escape(day[5:])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def render_html(brief: Brief) -> str:
    md = _markdown()
    body = [
        f"<h1>{html.escape(brief.title)}</h1>",
        f'<p class="covers">{html.escape(brief.covers)}</p>',
    ]
    for name in ORDER:
        lines = brief.sections[name]
        if not lines:
            continue
        body.append(f"<h2>{html.escape(name)}</h2>")
        body.append(md.render(_names("\n".join(lines))))
        if name == MOOD and len(brief.moods) >= 2:
            body.append(mood_svg(brief.moods))
        if name == WELLBEING and len(brief.scores) >= 2:
            body.append(mood_svg(brief.scores, 100, "Wellbeing (WHO-5)"))
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(brief.title)}</title>\n"
        f"<style>{CSS}</style>\n"
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
