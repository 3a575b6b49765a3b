"""The incremental board must give exactly what the full rebuild gives.

`summary_text` (every note, from scratch) is the reference. Hypothesis drives
random sequences of notes appearing, changing and vanishing through a board,
and after each step the summary block, the listed boxes, the id lookup and
the counts must equal the reference's for the same notes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.actions import Action, derive_id
from vaultkit.board import Board
from vaultkit.config import Config
from vaultkit.index import Indexer, NoteRecord
from vaultkit.notes import Problem
from vaultkit.summary import shown
from vaultkit.sync import Counts, assemble, board_counts, summary_text
from vaultkit.vault import Vault

TODAY = date(2026, 11, 24)
VAULT = Vault(Path("/nonexistent-vault"), Config())

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
        done_on = draw(st.sampled_from(DAYS)) if status == "done" else None
        actions.append(
            Action(
                explicit or derive_id(path, text),
                text,
                draw(st.sampled_from(["external", "external", "internal"])),
                status,
                draw(st.sampled_from(DAYS)),
                done_on,
                path,
                note_date,
                session,
                index + draw(st.integers(0, 1)) * 10,  # positions may skip invalid items
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
        gone = draw(st.integers(0, 4)) == 0
        steps.append((path, None if gone else draw(records(path))))
    return steps


def reference(notes: dict[str, NoteRecord]) -> tuple[str, dict[str, list[object]], dict[str, Action], Counts]:
    indexer = Indexer(VAULT, use_cache=False)
    indexer.records = dict(notes)
    index = indexer.index()
    listed = shown(index.actions, TODAY, VAULT.config.recently_done_days)
    block = summary_text(VAULT, index, TODAY, {}, listed)
    boxes = {a.id: [a.status == "done", a.source] for a in listed[0] + listed[1]}
    return block, boxes, {a.id: a for a in index.actions}, Counts.of(index)


def board_block(board: Board) -> bytes:
    due, overview = board.overview()
    lines = assemble(
        VAULT, board.sections(), board.stems, board.unreadable([]), board.conflicts(), due, overview, {}
    )
    return b"\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(histories(), st.booleans())
def test_board_matches_the_full_rebuild_after_every_change(
    steps: list[tuple[str, NoteRecord | None]], shared: bool
) -> None:
    """`shared`: as in the watcher, the board reads the indexer's own dict of
    records, which already holds each change when the board is told of it."""
    board = Board(TODAY, VAULT.config.recently_done_days, VAULT.config.follow_ups)
    notes: dict[str, NoteRecord] = {}
    if shared:
        board.load(notes)
    for path, record in steps:
        if record is None:
            notes.pop(path, None)
        else:
            notes[path] = record
        board.update(path, record)
        block, boxes, by_id, counts = reference(notes)
        assert board_block(board) == block
        assert {i: [t, src] for i, t, src in board.box_items()} == boxes
        assert board.by_id == by_id
        assert board_counts(board, board.unreadable([])) == counts


@settings(max_examples=100, deadline=None)
@given(histories())
def test_a_loaded_board_matches_one_built_note_by_note(steps: list[tuple[str, NoteRecord | None]]) -> None:
    notes: dict[str, NoteRecord] = {}
    for path, record in steps:
        if record is None:
            notes.pop(path, None)
        else:
            notes[path] = record
    loaded = Board(TODAY, VAULT.config.recently_done_days, VAULT.config.follow_ups)
    loaded.load(notes)
    block, boxes, by_id, _ = reference(notes)
    assert board_block(loaded) == block
    assert {i: [t, src] for i, t, src in loaded.box_items()} == boxes
    assert loaded.by_id == by_id
