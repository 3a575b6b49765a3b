"""The store keeps facts, and every view is derived from them.

Hypothesis drives random sequences of notes appearing, changing and vanishing
through `Store.put`, one note at a time: after each step the store gives back
exactly the records last put. Unique ids are held to the rule as README
states it, worked out here from scratch, and the views by hand.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultkit.actions import Action, derive_id
from vaultkit.config import Config
from vaultkit.frontmatter import Problem
from vaultkit.fs import Vault
from vaultkit.notes import NoteRecord
from vaultkit.store import Store, open_store
from vaultkit.summary.derive import derive
from vaultkit.summary.render import render

TODAY = date(2026, 11, 24)

# Names chosen to collide: shared stems in different folders, conflict copies
# of both kinds (strong, and weak ones that only count beside their original).
PATHS = [
    "n.md",
    "a/n.md",
    "b/n.md",
    "a/n 2.md",
    "a/n.sync-conflict-20260101-101010-ABCDEFG.md",
    "x/m.md",
    "x/m-Laptop.md",
    "Integration/2026-11-20 Reflection.md",
    "Integration/2026-11-20 Reflection (conflicted copy).md",
    "j/2026-11-01.md",
]
DAYS = [None, "2026-10-01", "2026-11-10", "2026-11-20", "2026-11-23", "2026-11-24", "2026-11-30"]
TEXTS = ["Call Sam", "Walk", "Breathe", "Call Sam"]  # a repeat: same derived id in one note


@st.composite
def records(draw: st.DrawFn, path: str) -> NoteRecord:
    if draw(st.integers(0, 9)) == 0:
        return NoteRecord(path, error=Problem("frontmatter is not valid YAML", 3))
    note_date = draw(st.sampled_from(DAYS))
    session = draw(st.sampled_from([None, 1, 2, 3]))
    actions = []
    for index in range(draw(st.integers(0, 4))):
        text = draw(st.sampled_from(TEXTS))
        # "shared-2" and "shared-3" are what a second and third "shared" would be made.
        explicit = draw(st.sampled_from([None, None, None, "shared", "other", "shared-2", "shared-3"]))
        status = draw(st.sampled_from(["open", "open", "done", "dropped"]))
        written = explicit or derive_id(path, text)
        actions.append(
            Action(
                written,
                text,
                draw(st.sampled_from(["external", "external", "internal"])),
                status,
                draw(st.sampled_from(DAYS)),
                draw(st.sampled_from(DAYS)) if status == "done" else None,
                path,
                note_date,
                session,
                2 * index + draw(st.integers(0, 1)),  # positions may skip invalid items
                written,
                explicit is not None,
            )
        )
    return NoteRecord(
        path,
        draw(st.sampled_from([None, "intention", "reflection", "check-in", "journal"])),
        note_date,
        session,
        draw(st.sampled_from([None, 3.0, 7.5])),
        tuple(actions),
    )


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, NoteRecord | None]]:
    steps = []
    for _ in range(draw(st.integers(1, 25))):
        path = draw(st.sampled_from(PATHS))
        steps.append((path, None if draw(st.integers(0, 4)) == 0 else draw(records(path))))
    return steps


def reference_ids(notes: dict[str, NoteRecord]) -> dict[tuple[str, int], str]:
    """The rule from scratch: in path and list order the first keeps its id, the
    others get -2, -3, ... skipping every id some action was given."""
    shown = [notes[rel] for rel in sorted(notes) if not _copy(rel, notes)]
    actions = sorted((a for note in shown for a in note.actions), key=lambda a: (a.source, a.index))
    given = {a.written_id for a in actions}
    last: dict[str, int] = {}
    result = {}
    for action in actions:
        if action.written_id not in last:
            last[action.written_id] = 1
            result[action.source, action.index] = action.written_id
            continue
        n = last[action.written_id] + 1
        while f"{action.written_id}-{n}" in given:
            n += 1
        last[action.written_id] = n
        result[action.source, action.index] = f"{action.written_id}-{n}"
    return result


def _copy(rel: str, notes: dict[str, NoteRecord]) -> bool:
    from vaultkit.conflicts import Facts, original_of

    def facts(path: str) -> Facts | None:
        n = notes.get(path)
        return None if n is None else Facts(n.type, n.date, n.session, frozenset(a.text for a in n.actions))

    return original_of(rel, facts) is not None


@pytest.fixture
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("vault")
    (root / ".vaultkit").mkdir()
    opened = open_store(Vault(root, Config()), print)
    yield opened
    opened.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories())
def test_the_store_gives_back_what_the_notes_said(
    store: Store, steps: list[tuple[str, NoteRecord | None]]
) -> None:
    store.put([], store.keys())
    notes: dict[str, NoteRecord] = {}
    for path, record in steps:
        if record is None:
            notes.pop(path, None)
            store.put([], [path])
        else:
            notes[path] = record
            store.put([(f"key of {path}", record)], [])
        assert store.records() == [notes[rel] for rel in sorted(notes)]
        assert store.keys() == {rel: f"key of {rel}" for rel in notes}


@settings(max_examples=200, deadline=None)
@given(histories())
def test_unique_ids_follow_the_rule(steps: list[tuple[str, NoteRecord | None]]) -> None:
    notes = {path: record for path, record in steps if record is not None}
    view = derive(notes.values())
    assert {(a.source, a.index): a.id for a in view.actions} == reference_ids(notes)
    assert set(view.copies) == {rel for rel in notes if _copy(rel, notes)}


def test_views_hold_what_the_notes_say() -> None:
    """A plain check of the views themselves, by hand."""
    walk = Action("w", "Walk", "external", "open", "2026-11-01", None, "a.md", "2026-11-20", 2, 0, "w", True)
    rest = Action("r", "Rest", "internal", "done", None, "2026-11-23", "a.md", "2026-11-20", 2, 1, "r", True)
    old = Action("o", "Old", "external", "open", None, None, "b.md", "2026-10-01", 1, 0, "o", True)
    view = derive(
        [
            NoteRecord("a.md", "reflection", "2026-11-20", 2, 7.0, (walk, rest)),
            NoteRecord("b.md", "reflection", "2026-10-01", 1, None, (old,)),
            NoteRecord("c.md", error=Problem("broken", 2)),
            NoteRecord("x/a.md"),  # a namesake: a.md's link is its path
        ]
    )
    sections = view.sections(TODAY, 14)
    assert [[a.id for a in listed] for listed in sections] == [["w"], ["o"], [], ["r"]]
    assert view.link("a.md") == "[[a]]" and view.link("b.md") == "[[b]]"
    assert view.counts(TODAY) == (4, 2, 2, 0, 1)
    assert view.unreadable == [("c.md", Problem("broken", 2))]
    assert [a.id for a in view.find("w")] == ["w"]
    block = render(view, TODAY, Config(), {}, [], [], "")  # the summary, from plain data
    tasks = [line for line in block.splitlines() if line.startswith(("- [ ]", "- [x]"))]
    assert tasks == [
        "- [ ] Walk — [[a]] 📅 2026-11-01 ^w",
        "- [ ] Old — [[b]] ^o",
        "- [x] Rest — [[a]] ✅ 2026-11-23 ^r",
    ]
    assert "- [[c]] (line 2): broken" in block


_ACTION_BITS = st.sampled_from(
    ["[ ]", "[x]", "[-]", "[X]", "[", "]", " ", "  ", "\t", "\u00a0", "\x1c", "Call", "my sister", "a"]
    + ["📅 2026-11-24", "✅ 2026-11-25", "❌ 2026-11-26", "📅\ufe0f 2026-01-02", "2026-11-24", "📅"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_ACTION_BITS, max_size=8).map("".join))
def test_an_action_id_is_derive_id_of_its_text_however_it_is_written(raw: str) -> None:
    """The id a note's action gets is derive_id of its text, whatever the text holds."""
    from vaultkit.actions import parse_actions

    actions, _ = parse_actions({"actions": [raw, {"text": raw}]}, "Integration/a.md")
    for action in actions:
        assert action.written_id == derive_id("Integration/a.md", raw)
