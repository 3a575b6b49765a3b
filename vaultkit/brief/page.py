"""The page for the next session, as data and as markdown or a preview. Pure. It reads as a
page a person hands over: short headings, quotes in the person's words with the note's name,
no ids and no paths; what the person wants to raise first, then the session being prepared
for, then what came before it."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from vaultkit.actions import Action
from vaultkit.brief.privacy import Part, Sections, escape_html, inert
from vaultkit.practice import FollowUp
from vaultkit.text import plural
from vaultkit.wellbeing import SOURCE

QUOTE_LIMIT = 240  # characters of one answer (two short sentences); the rest is in the note it names
STALLED_DAYS = 30  # an action to do open longer than this is listed as stalled (inner work never is)
LISTED = 5  # actions of one kind, and missed follow-ups, on the page: a page to hand over, not the list

INTENTION = "Intention"
CAME_UP = "What came up"
BRING = "To bring to this session"
NEXT = "Intention for this session"  # the next session's intention, written before it
SUPPORT = "Support asked for"
ACTIONS = "Actions"
MOOD = "Mood"
WELLBEING = "Wellbeing (WHO-5)"
MISSED = "Follow-ups missed"
ORDER = (BRING, SUPPORT, NEXT, INTENTION, CAME_UP, ACTIONS, MOOD, WELLBEING, MISSED)
HEADED = (INTENTION, NEXT, CAME_UP)  # quotes led by the answer's heading, under the note's name
# Quoted text per part, shared among its notes (once full, it names the rest): together
# with the actions and the chart, two pages; "What came up" the largest.
SECTION_CHARS = {INTENTION: 4 * QUOTE_LIMIT, CAME_UP: 7 * QUOTE_LIMIT, BRING: 5 * QUOTE_LIMIT}
OTHER_CHARS = 3 * QUOTE_LIMIT  # the next intention, support asked for
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")


@dataclass(frozen=True)
class NoteText:
    """One note of the span, as the engine read it."""

    path: str
    link: str  # "[[2026-11-10 Reflection]]"
    type: str | None
    date: str | None
    session: int | None
    mood: float | None
    sections: Sections
    wellbeing: int | None = None  # the WHO-5 score, 0-100, of a check-in that has one


@dataclass(frozen=True)
class Span:
    """The part of the integration work a brief covers."""

    label: str  # "session 2" or "since 2026-10-01"
    start: str  # ISO date
    end: str  # ISO date, exclusive: the next session's day, or tomorrow
    sessions: tuple[int, ...]
    next: int | None = None  # a session in the span that has only its intention so far
    for_session: tuple[int, str | None] | None = None  # the session the page is for, and its day

    @property
    def by_date(self) -> bool:
        """A span from a date on (`--since`), not one session."""
        return self.label.startswith("since")


@dataclass
class Brief:
    """The page: sections in ORDER, each a list of markdown lines; and what was left out."""

    title: str
    covers: str
    sections: dict[str, list[str]]
    moods: list[tuple[str, float]]
    quoted_from: int = 0  # notes with at least one part quoted
    scores: list[tuple[str, int]] = field(default_factory=list)  # (date, WHO-5 score) of the span
    left_out_notes: list[str] = field(default_factory=list)  # "[[name]] (why)" of each note left out
    left_out_why: list[str] = field(default_factory=list)  # why, for each private part of a shared note
    left_out_lines: int = 0  # lines that link to or embed a private note
    left_out_actions: list[str] = field(default_factory=list)  # why, for each action of a shared note

    @property
    def left_out_sections(self) -> int:
        return len(self.left_out_why)


@dataclass(frozen=True)
class Boilerplate:
    """What a note's template wrote, so that only the person's own words are quoted."""

    lines: tuple[re.Pattern[str], ...] = ()
    skip: frozenset[str] = frozenset()  # headings whose section the template fills (carried actions)


@functools.cache
def boilerplate(template_text: str) -> Boilerplate:
    """Each line of a template's body, its placeholders as wildcards; and the headings of
    sections made of `{{open_actions}}` (the brief lists the actions itself)."""
    body = re.sub(r"\A---\n.*?\n---\n", "", template_text, flags=re.S)
    patterns = []
    skip = set()
    heading = ""
    for raw in body.split("\n"):
        line = raw.strip()
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif "{{open_actions}}" in line.replace(" ", ""):
            skip.add(_PLACEHOLDER.sub("", heading).strip().lower())
        elif len(_PLACEHOLDER.sub("", line).strip()) >= 3 and not line.startswith("<!--"):
            # (a bare placeholder or a prompt would match the person's own words)
            patterns.append(re.compile(".*?".join(re.escape(p) for p in _PLACEHOLDER.split(line))))
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


def trim(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a sentence that ends in the second half, else at a space."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "), cut.rfind("\n"))
    if sentence > limit // 2:
        return cut[: sentence + 1].rstrip() + " …"
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit // 2 else cut).rstrip() + " …"


def _where(note: NoteText, heading: str, span: Span) -> str:
    lowered = heading.lower()
    if note.type == "intention":
        return NEXT if span.next is not None and note.session == span.next else INTENTION
    if lowered.startswith("to bring") or "bring to" in lowered:
        return BRING
    return SUPPORT if lowered.startswith("support") else CAME_UP


def _quote(label: str, text: str, bold: bool) -> list[str]:
    """A quote led by the answer's heading (bold) or by the note's name; HTML in either is
    escaped (Obsidian renders inline HTML)."""
    lines = escape_html(text).split("\n")
    label = escape_html(label)
    lead = (f"**{label}:** " if bold else f"{label}: ") if label else ""
    return [f"> {lead}{lines[0]}".rstrip(), *(f"> {line}".rstrip() for line in lines[1:]), ""]


def _section_quotes(name: str, from_notes: list[tuple[str, list[list[str]]]]) -> list[str]:
    """A section's quotes within its SECTION_CHARS: each note's first answer, in date order,
    while there is room (the notes past that are named), then one more answer per note,
    round by round, while the next fits; every note says how many more answers it has."""
    budget = SECTION_CHARS.get(name, OTHER_CHARS)
    sizes = [[sum(len(line) for line in quote) for quote in quotes] for _, quotes in from_notes]
    keep: list[int] = []
    used = 0
    for first, *_ in sizes:
        if used >= budget:
            break
        keep.append(1)
        used += first
    grew = True
    while grew:
        grew = False
        for i, n in enumerate(keep):
            if n < len(sizes[i]) and used + sizes[i][n] <= budget:
                keep[i], used, grew = n + 1, used + sizes[i][n], True
    lines: list[str] = []
    from_notes = [(escape_html(link), quotes) for link, quotes in from_notes]  # a name may hold "<"
    for (link, quotes), n in zip(from_notes, keep, strict=False):
        more = plural(len(quotes) - n, "more answer") if n < len(quotes) else ""
        if name in HEADED:
            lines += [f"From {link} ({more} in the note):" if more else f"From {link}:", ""]
        lines += [line for quote in quotes[:n] for line in quote]
        if more and name not in HEADED:
            lines += [f"*And {more} in {link}.*", ""]
    if len(keep) < len(from_notes):
        lines += [f"*More in {', '.join(link for link, _ in from_notes[len(keep) :])}.*", ""]
    return lines


def _listed(lines: list[str]) -> list[str]:
    return [*lines[:LISTED], f"- and {len(lines) - LISTED} more"] if len(lines) > LISTED else lines


def _action_line(action: Action, note: str) -> str:
    inner = " (inner)" if action.kind == "internal" else ""
    return f"- {inert(action.text)}{inner}{note}"  # no HTML, no embeds: as a quote


def _actions(actions: list[Action], span: Span, span_paths: set[str], last: date) -> list[str]:
    """The span's actions as they stood at its end (`last`, its last day): one done or let go
    after it is listed as still open, and "stalled" counts from that day."""
    stalled_before = (last - timedelta(days=STALLED_DAYS)).isoformat()
    done, still, inner, stalled, dropped = [], [], [], [], []
    for a in actions:
        mine = a.source in span_paths
        in_span = a.done is not None and span.start <= a.done < span.end
        status = "open" if a.status != "open" and a.done is not None and a.done >= span.end else a.status
        if status == "done" and (in_span or (not a.done and mine)):
            done.append(_action_line(a, f" · done {a.done}" if a.done else ""))
        elif status == "dropped" and (mine or in_span):
            dropped.append(_action_line(a, ""))
        elif status != "open" or (not mine and a.date is not None and a.date >= span.end):
            continue  # done or let go before the span; or from a later session, whose brief lists it
        elif a.kind == "internal":
            inner.append(f"- {inert(a.text)}")  # inner work takes the time it takes: never "stalled"
        elif a.date is not None and a.date < stalled_before:
            stalled.append(_action_line(a, f" · open since {a.date}"))
        else:
            still.append(_action_line(a, f" · due {a.due}" if a.due else ""))
    out: list[str] = []
    for label, lines in (
        ("Done", done),
        ("Still open", still),
        (f"Open for more than {STALLED_DAYS} days", stalled),
        ("Inner work I am with", inner),
        ("Let go", dropped),
    ):
        if lines:
            out += [f"**{label}**", "", *_listed(lines), ""]
    return out


def _mood(moods: list[tuple[str, float]]) -> list[str]:
    if not moods:
        return []
    values = [m for _, m in moods]
    line = "Mood, 0 to 10: " + ", ".join(f"{m:g} on {d}" for d, m in moods) + "."
    if len(values) >= 2:
        line += f" From {values[0]:g} to {values[-1]:g}; lowest {min(values):g}, highest {max(values):g}."
    return [line, ""]


def _wellbeing(scores: list[tuple[str, int]]) -> list[str]:
    if not scores:
        return []
    line = "Score, 0 to 100: " + ", ".join(f"{s} on {d}" for d, s in scores) + "."
    return [line, "", f"*{SOURCE}.*", ""]


def build_brief(
    span: Span,
    notes: list[NoteText],
    templates: dict[str, Boilerplate],
    actions: list[Action],
    missed: list[FollowUp],
    today: date,
) -> Brief:
    """The page for `span`, from its shared notes in date order and their shared actions."""
    found: dict[str, list[tuple[str, list[list[str]]]]] = {}  # section -> (note's link, its quotes)
    quoted_from = 0
    for note in notes:
        template = templates.get(note.type or "", Boilerplate())
        by_section: dict[str, list[list[str]]] = {}
        for part in note.sections.parts:
            words = own_words(part, template)
            if words:
                where = _where(note, part.heading, span)
                # Under "To bring" and "Support" the note's heading would only repeat the
                # section's: the note's name leads the quote instead, a line shorter.
                label = part.heading if where in HEADED else note.link
                by_section.setdefault(where, []).append(
                    _quote(label, trim(words, QUOTE_LIMIT), where in HEADED)
                )
        for name, quotes in by_section.items():
            found.setdefault(name, []).append((note.link, quotes))
        quoted_from += bool(by_section)
    sections = {name: _section_quotes(name, found[name]) if name in found else [] for name in ORDER}
    last = min(date.fromisoformat(span.end) - timedelta(days=1), today)
    sections[ACTIONS] = _actions(actions, span, {n.path for n in notes}, last)
    moods = [(n.date, n.mood) for n in notes if n.mood is not None and n.date is not None]
    scores = [(n.date, n.wellbeing) for n in notes if n.wellbeing is not None and n.date is not None]
    sections[MOOD] = _mood(moods)
    sections[WELLBEING] = _wellbeing(scores)
    missed_lines = [f"- Session {f.session}: {f.label}, due {f.due_on.isoformat()}" for f in missed]
    sections[MISSED] = [*_listed(missed_lines), ""] if missed_lines else []
    if span.for_session is None:
        title = "For the next session"
    else:
        number, day = span.for_session
        title = f"For session {number}" + (f" · {day}" if day else "")
    # "since DATE" names the start already: "From 2026-10-01 to ...", not "Since 2026-10-01, 2026-10-01"
    covers = f"From {span.start}" if span.by_date else f"{span.label.capitalize()}, {span.start}"
    return Brief(
        title,
        f"{covers} to {last.isoformat()}",
        sections,
        moods,
        quoted_from,
        scores=scores,
        left_out_why=[why for n in notes for why in n.sections.reasons],
        left_out_lines=sum(n.sections.lines for n in notes),
    )


def render_body(brief: Brief, charts: dict[str, str] | None = None) -> str:
    """The page as markdown (no frontmatter); `charts` are Mermaid charts for Obsidian, by section."""
    out = [f"# {brief.title}", "", f"*{brief.covers}. Quotes are from my own notes.*", ""]
    for name in ORDER:
        if brief.sections[name]:
            out += [f"## {name}", "", *brief.sections[name]]
            if name in (charts or {}):
                out += [(charts or {})[name], ""]
    return "\n".join(out).rstrip("\n") + "\n"


def left_out(brief: Brief) -> str:
    """What was left out as private, in counts: "1 note, 2 parts" (and actions and lines, if any)."""
    counts = f"{plural(len(brief.left_out_notes), 'note')}, {plural(brief.left_out_sections, 'part')}"
    if brief.left_out_actions:
        counts += f", {plural(len(brief.left_out_actions), 'action')}"
    if brief.left_out_lines:
        counts += f", {plural(brief.left_out_lines, 'line')} linking to a private note"
    return counts


def render_preview(brief: Brief) -> str:
    """What `--preview` prints: each section with what it holds, and what is left out and why."""
    out = [f"{brief.title} ({brief.covers}), as it would be written:", ""]
    for name in ORDER:
        lines = brief.sections[name]
        out.append(f"== {name}: {'included' if lines else 'nothing to include'}")
        while lines and not lines[-1]:
            lines = lines[:-1]
        out += [f"   {line}".rstrip() for line in lines] + ([""] if lines else [])
    out.append(f"== Left out as private: {left_out(brief)}")
    out += [f"   {note}" for note in brief.left_out_notes]
    whys = Counter(brief.left_out_why + brief.left_out_actions)
    out += [f"   {n} × {why}" for why, n in whys.items()]  # why, never the text
    out += ["", "Nothing was written. Run `vaultkit brief` to write it as a note."]
    return "\n".join(out) + "\n"
