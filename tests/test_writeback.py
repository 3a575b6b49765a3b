"""Minimal-diff write-back: golden files, a hypothesis round trip, and races."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import writeback
from vaultkit.fs import load_vault
from vaultkit.notes import record_from_bytes
from vaultkit.refresh import opened
from vaultkit.writeback import Change, WritebackError, set_status

from .helpers import actions_of, build_tree

ON = date(2026, 11, 24)
GOLDEN = Path(__file__).parent / "golden" / "writeback"
# (case, index of the action to mark done)
CASES = [
    ("obsidian-properties", 1),
    ("hand-written", 0),
    ("flow", 2),
    ("explicit-status", 1),
    ("bom-crlf", 0),
    ("plain-string", 0),
]


@pytest.mark.parametrize(("case", "index"), CASES)
def test_done_golden_minimal_diff(case, index):
    before = (GOLDEN / f"{case}.before.md").read_bytes()
    after = (GOLDEN / f"{case}.after.md").read_bytes()
    assert set_status(before, index, "done", ON) == after
    # Only the lines of that one action changed.
    diff = [
        line
        for line in difflib.ndiff(before.decode().splitlines(True), after.decode().splitlines(True))
        if line[:1] in "+-"
    ]
    assert 1 <= len(diff) <= 3, diff


@pytest.mark.parametrize(
    ("case", "index"), [c for c in CASES if c[0] not in ("plain-string", "explicit-status")]
)
def test_reopen_undoes_done_byte_for_byte(case, index):
    before = (GOLDEN / f"{case}.before.md").read_bytes()
    assert set_status(set_status(before, index, "done", ON), index, "open", ON) == before


def test_reopen_of_explicit_status_and_plain_string_keeps_the_meaning():
    before = (GOLDEN / "explicit-status.before.md").read_bytes()
    reopened = set_status(set_status(before, 1, "done", ON), 1, "open", ON)
    assert reopened == before.replace(b"    status: open\n", b"")
    plain = (GOLDEN / "plain-string.before.md").read_bytes()
    assert set_status(set_status(plain, 0, "done", ON), 0, "open", ON) == (
        b'---\nactions:\n  - "[ ] Plain words here"\n---\n'
    )


def test_drop_string_and_mapping():
    note = b'---\nactions:\n  - "[ ] Call"\n  - text: Walk\n    done: 2026-01-01\n---\n'
    dropped = set_status(set_status(note, 0, "dropped", ON), 1, "dropped", ON)
    assert dropped == (
        b'---\nactions:\n  - "[-] Call \xe2\x9d\x8c 2026-11-24"\n  - text: Walk\n    status: dropped\n---\n'
    )
    record = record_from_bytes("n.md", dropped)
    assert [a.status for a in record.actions] == ["dropped", "dropped"]


def test_due_date_in_a_string_is_kept():
    note = '---\nactions:\n  - "[ ] Call 📅 2026-12-01"\n---\n'.encode()
    done = set_status(note, 0, "done", ON)
    assert done == '---\nactions:\n  - "[x] Call 📅 2026-12-01 ✅ 2026-11-24"\n---\n'.encode()
    action = record_from_bytes("n.md", done).actions[0]
    assert (action.status, action.due, action.done, action.text) == (
        "done",
        "2026-12-01",
        "2026-11-24",
        "Call",
    )
    assert set_status(done, 0, "open", ON) == note


@pytest.mark.parametrize(
    "note",
    [
        b"---\nactions: [a\n---\n",  # broken YAML
        b"---\ntitle: x\n---\n",  # no actions
        b"no frontmatter\n",
        b"---\n\nIntro\n\n---\nrest\n",  # not a mapping
    ],
)
def test_unsafe_notes_are_refused(note):
    with pytest.raises(WritebackError):
        set_status(note, 0, "done", ON)


# ---------------------------------------------------------------- hypothesis

_word = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄéß ", min_size=1, max_size=12).map(str.strip).filter(bool)
)


@st.composite
def notes(draw):
    """Notes written the way vaultkit and Obsidian write them, with noise around."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    items = []
    for i in range(draw(st.integers(1, 5))):
        text = f"{draw(_word)} {i}"
        form = draw(st.sampled_from(["dq", "sq", "block", "block-kind", "flow", "due"]))
        if form == "dq":
            items.append(f'  - "[ ] {text}"')
        elif form == "sq":
            items.append(f"  - '[ ] {text}'")
        elif form == "block":
            items.append(f"  - text: {text}")
        elif form == "block-kind":
            comment = draw(st.sampled_from(["", "  # why"]))
            items.append(f"  - text: {text}\n    kind: internal{comment}")
        elif form == "due":
            items.append(f"  - text: {text}\n    due: 2026-12-0{i + 1}")
        else:
            items.append(f"  - {{text: {text}, kind: external}}")
    head = draw(st.sampled_from(["", "# comment\n", "type: reflection\ntags:\n  - a\n", "mood: 5\n"]))
    tail = draw(st.sampled_from(["", "title: 'x'\n", 'links: ["[[A]]"]\n']))
    body = draw(st.text(max_size=40).filter(lambda b: "\r" not in b and "\x00" not in b))
    fm = head + "actions:\n" + "\n".join(items) + "\n" + tail
    text = "---\n" + fm + "---\n" + body
    data = text.replace("\n", nl).encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + data, len(items)


@settings(max_examples=300, deadline=None)
@given(notes(), st.data())
def test_done_then_reopen_returns_the_original_bytes(generated, data):
    note, count = generated
    index = data.draw(st.integers(0, count - 1))
    done = set_status(note, index, "done", ON)
    assert record_from_bytes("n.md", done).actions[index].status == "done"
    assert done[:3] == note[:3]
    assert set_status(done, index, "open", ON) == note


# ---------------------------------------------------------------- races


def _vault_with_note(vault):
    build_tree(vault, {"note.md": '---\nactions:\n  - "[ ] Call"\n  - "[ ] Walk"\n---\nbody\n'})
    return vault, actions_of(vault)


def apply_changes(root, changes):
    """The engine's write-back of status changes (what done, reopen and ticks use)."""
    v = load_vault(root)
    with opened(v, print) as store:
        return writeback.apply(v, store, changes)


def test_editor_saves_between_read_and_write_then_change_is_redone(vault, monkeypatch):
    v, idx = _vault_with_note(vault)
    call = next(a for a in idx if a.text == "Call")
    real = writeback.set_status
    calls = []

    def editor_saves_once(data, *args, **kw):
        calls.append(1)
        if len(calls) == 1:  # an editor saves after vaultkit read the note
            (vault / "note.md").write_text('---\nactions:\n  - "[ ] Call"\n  - "[ ] Walk"\n---\nnew words\n')
        return real(data, *args, **kw)

    monkeypatch.setattr(writeback, "set_status", editor_saves_once)
    [outcome] = apply_changes(v, [Change(call, "done", ON)])
    assert outcome.applied and outcome.problem is None
    assert len(calls) == 2
    assert (vault / "note.md").read_text() == (
        '---\nactions:\n  - "[x] Call ✅ 2026-11-24"\n  - "[ ] Walk"\n---\nnew words\n'
    )


def test_editor_that_keeps_saving_wins_and_a_conflict_is_reported(vault, monkeypatch):
    v, idx = _vault_with_note(vault)
    call = next(a for a in idx if a.text == "Call")
    real = writeback.set_status
    counter = iter(range(100))

    def editor_always_saves(data, *args, **kw):
        (vault / "note.md").write_text(f'---\nactions:\n  - "[ ] Call"\n---\nedit {next(counter)}\n')
        return real(data, *args, **kw)

    monkeypatch.setattr(writeback, "set_status", editor_always_saves)
    [outcome] = apply_changes(v, [Change(call, "done", ON)])
    assert not outcome.applied
    assert "kept changing" in outcome.problem
    assert (
        vault / "note.md"
    ).read_text() == f'---\nactions:\n  - "[ ] Call"\n---\nedit {writeback.ATTEMPTS - 1}\n'


def test_action_removed_meanwhile_is_reported(vault):
    v, idx = _vault_with_note(vault)
    walk = next(a for a in idx if a.text == "Walk")
    (vault / "note.md").write_text('---\nactions:\n  - "[ ] Call"\n---\n')
    [outcome] = apply_changes(v, [Change(walk, "done", ON)])
    assert "no longer in the note" in outcome.problem
    assert (vault / "note.md").read_text() == '---\nactions:\n  - "[ ] Call"\n---\n'


def test_write_keeps_file_mode_and_refuses_symlink_out(vault, tmp_path):
    v, idx = _vault_with_note(vault)
    (vault / "note.md").chmod(0o640)
    call = next(a for a in idx if a.text == "Call")
    apply_changes(v, [Change(call, "done", ON)])
    assert (vault / "note.md").stat().st_mode & 0o777 == 0o640

    outside = tmp_path / "outside.md"
    outside.write_text('---\nactions:\n  - "[ ] Out"\n---\n')
    (vault / "link.md").symlink_to(outside)
    out = next(a for a in actions_of(vault) if a.text == "Out")
    [outcome] = apply_changes(v, [Change(out, "done", ON)])
    assert "outside the vault" in outcome.problem
    assert outside.read_text() == '---\nactions:\n  - "[ ] Out"\n---\n'
