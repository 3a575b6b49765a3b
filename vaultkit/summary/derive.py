"""What every view shows, worked out on each run from the store's facts. Pure.

From the notes' records alone: which notes are sync-conflict copies, each
note's link, each action's vault-unique id, and for a day the summary's
sections in order, the counts, the practice and the overview. None of it is
stored, so none of it can go stale.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from vaultkit import conflicts
from vaultkit.actions import Action, unique_ids
from vaultkit.errors import VaultkitError
from vaultkit.frontmatter import Problem
from vaultkit.fs import stem
from vaultkit.notes import BRIEF_TYPE, NoteRecord
from vaultkit.overview import MOOD_POINTS, WHEEL_POINTS, Facts, Overview, Tally, build_overview
from vaultkit.practice import Entry, Practice
from vaultkit.practice import build as build_practice
from vaultkit.text import one_line

MIN_PREFIX = 4  # a shorter start of an id ("item 7") could be taken for one


class Counts(NamedTuple):
    notes: int  # notes the summary is made of (conflict copies aside)
    open: int
    external: int
    internal: int
    overdue: int


class Sections(NamedTuple):
    """The summary's lists of actions, each in its order."""

    overdue: list[Action]  # open and past due: the longest overdue first
    external: list[Action]  # open, newest session first (as every list below)
    internal: list[Action]
    done: list[Action]  # done in the last days: the latest first


def newest_first(action: Action) -> tuple[int, int, str, int]:
    """Newest session first, then newest note (none last); path and list order break ties."""
    session, day = action.session, action.date
    return (
        -session if session is not None and session >= 0 else 1,
        -int(day.replace("-", "")) if day else 1,
        action.source,
        action.index,
    )


@dataclass(frozen=True)
class View:
    """The vault as the summary and every command show it (see `derive`)."""

    notes: list[NoteRecord]  # the notes the summary is made of (copies aside), by path
    actions: list[Action]  # theirs, with unique ids, newest session first
    copies: dict[str, str]  # a sync-conflict copy -> the note it is a copy of, by path
    unreadable: list[tuple[str, Problem]]  # notes that could not be read, walk problems; by path
    names: Counter[str]  # how many of the notes have each name (what a link must tell apart)

    @cached_property
    def by_id(self) -> dict[str, Action]:
        return {a.id: a for a in self.actions}

    @cached_property
    def paths(self) -> frozenset[str]:
        return frozenset(n.path for n in self.notes)

    def link(self, rel: str) -> str:
        """The link that opens a note in Obsidian: its name, or its path when names clash."""
        if rel not in self.paths or self.names[stem(rel)] <= 1:
            return f"[[{one_line(stem(rel))}]]"
        return f"[[{one_line(rel[: rel.rfind('.')] if rel.rfind('.') > rel.rfind('/') else rel)}]]"

    def links(self) -> dict[str, str]:
        return {n.path: self.link(n.path) for n in self.notes}

    def note_linked(self, link: str) -> str | None:
        """The note a summary line's link names."""
        return next((n.path for n in self.notes if self.link(n.path) == link), None)

    def conflicts(self) -> list[tuple[str, str]]:
        return sorted(self.copies.items())

    def select(
        self, status: str | None = None, kind: str | None = None, domain: str | None = None
    ) -> list[Action]:
        """The actions with this status, kind and domain (None: any), newest session first."""
        return [
            a
            for a in self.actions
            if status in (None, a.status) and kind in (None, a.kind) and domain in (None, a.domain)
        ]

    def find(self, prefix: str) -> list[Action]:
        """The action with this id, else those whose id starts with it (in any case)."""
        if prefix in self.by_id:
            return [self.by_id[prefix]]
        return [a for a in self.actions if a.id.lower().startswith(prefix.lower())]

    def resolve(self, wanted: Iterable[str]) -> list[Action]:
        """Actions for ids or unique id prefixes; any unknown or ambiguous one is an error."""
        found: list[Action] = []
        errors = []
        for raw in wanted:
            key = raw.strip().lstrip("^")
            matches = self.find(key) if key else []
            if matches and matches[0].id != key and len(key) < MIN_PREFIX:
                errors.append(f"{raw!r} is too short: give at least {MIN_PREFIX} characters of the id")
            elif not matches:
                errors.append(f"no action has id {raw!r} (see `vaultkit actions --status all`)")
            elif len(matches) > 1:
                shown = ", ".join(sorted(a.id for a in matches)[:5])
                errors.append(f"id {raw!r} is ambiguous: it starts {shown}; type more of it")
            else:
                found.append(matches[0])
        if errors:
            raise VaultkitError("; ".join(errors) + ". Nothing was changed")
        return found

    def sections(self, today: date, recently_done_days: int, leaving_out: Iterable[str] = ()) -> Sections:
        """The summary's lists on this day, without the actions of these ids."""
        now, since = today.isoformat(), (today - timedelta(days=recently_done_days)).isoformat()
        left = set(leaving_out)
        found = Sections([], [], [], [])
        for a in self.actions:
            if a.id in left:
                continue
            if a.status == "open":
                overdue = a.due is not None and a.due < now
                (
                    found.overdue if overdue else found.internal if a.kind == "internal" else found.external
                ).append(a)
            elif a.status == "done" and a.done is not None and a.done >= since:
                found.done.append(a)
        found.overdue.sort(key=lambda a: a.due or "")  # sorts are stable: newest first within a day
        found.done.sort(key=lambda a: a.done or "", reverse=True)
        return found

    def counts(self, today: date) -> Counts:
        now = today.isoformat()
        open_ = self.select("open")
        internal = sum(a.kind == "internal" for a in open_)
        overdue = sum(a.due is not None and a.due < now for a in open_)
        return Counts(len(self.notes), len(open_), len(open_) - internal, internal, overdue)

    def integration_notes(self) -> list[NoteRecord]:
        """Notes of the integration work (what the practice and the overview read), by path."""
        return [n for n in self.notes if n.integration]

    def practice(self, follow_ups: Mapping[str, tuple[int, ...]], today: date) -> Practice:
        """The practice (sessions, follow-ups, the next session) as the notes tell it."""
        entries = [
            Entry(n.path, n.type, n.date, n.session, n.session_date, n.next_session, n.dismissed)
            for n in self.integration_notes()
        ]
        return build_practice(entries, follow_ups, today)

    def briefs(self) -> list[tuple[str, str | None, str]]:
        """(path, date, link) of the brief notes (`type: brief`), newest first."""
        found = [n for n in self.notes if n.type == BRIEF_TYPE and n.error is None]
        found.sort(key=lambda n: (n.date is not None, n.date or "", n.path), reverse=True)
        return [(n.path, n.date, self.link(n.path)) for n in found]

    def facts(self, today: date) -> Facts:
        """What the overview reads from the integration notes, beside the practice."""
        now = today.isoformat()
        dated = sorted((n.date, n.path, n) for n in self.integration_notes() if n.date and n.date <= now)
        domains = Counter(
            (a.domain, a.status) for a in self.actions if a.domain and a.status in ("open", "done")
        )
        return Facts(
            sorted({day for day, _, _ in dated}),
            [(day, n.mood) for day, _, n in dated if n.mood is not None][-MOOD_POINTS:],
            domains=tuple((d, s, count) for (d, s), count in sorted(domains.items())),
            wheel=tuple((day, n.wheel) for day, _, n in dated if n.wheel)[-WHEEL_POINTS:],
            wellbeing=tuple((day, n.wellbeing) for day, _, n in dated if n.wellbeing is not None)[
                -MOOD_POINTS:
            ],
        )

    def big_picture(
        self, follow_ups: Mapping[str, tuple[int, ...]], today: date, who5: bool = False
    ) -> tuple[Practice, Overview]:
        """The practice, and the overview (the summary's and `vaultkit status`'s);
        WHO-5 scores only while the setting is on."""
        practice = self.practice(follow_ups, today)
        _, _, external, internal, overdue = self.counts(today)
        facts = self.facts(today)
        facts = facts if who5 else facts._replace(wellbeing=())
        overview = build_overview(facts, Tally(external, internal, overdue), practice)
        briefs = self.briefs()
        return practice, overview._replace(latest_brief=briefs[0][2]) if briefs else overview


def derive(records: Iterable[NoteRecord], walk_problems: Iterable[tuple[str, str]] = ()) -> View:
    """The view of a vault whose notes say these records (any order) and whose
    walk found these problems (path, message)."""
    by_path = {r.path: r for r in sorted(records, key=lambda r: r.path)}

    def facts(rel: str) -> conflicts.Facts | None:
        r = by_path.get(rel)
        if r is None:
            return None
        return conflicts.Facts(r.type, r.date, r.session, frozenset(a.text for a in r.actions))

    copies = {rel: original for rel in by_path if (original := conflicts.original_of(rel, facts))}
    notes = [r for rel, r in by_path.items() if rel not in copies]
    # In path and list order the first action written with an id keeps it; the next get -2, -3, ...
    sharing: dict[str, list[Action]] = defaultdict(list)
    for action in (a for n in notes for a in n.actions):
        sharing[action.written_id].append(action)
    actions = [
        action if action.id == uid else dataclasses.replace(action, id=uid)
        for written, same in sharing.items()
        for action, uid in zip(same, unique_ids(written, len(same), sharing.__contains__), strict=True)
    ]
    unreadable = [(n.path, n.error) for n in notes if n.error is not None]
    unreadable += [(rel, Problem(message)) for rel, message in walk_problems]
    return View(
        notes,
        sorted(actions, key=newest_first),
        copies,
        sorted(unreadable, key=lambda item: item[0]),
        Counter(stem(n.path) for n in notes),
    )
