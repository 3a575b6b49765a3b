"""`index` after notes were edited (actions reworded, added, ticked, moved):
the summary must come out byte for byte as a fresh run writes it, and the
store must then describe the notes as they are."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import TODAY, actions_of, age, build_tree

RECENT = (TODAY - timedelta(days=2)).isoformat()
LONG_AGO = (TODAY - timedelta(days=400)).isoformat()
SOON = (TODAY + timedelta(days=5)).isoformat()
LATE = (TODAY - timedelta(days=3)).isoformat()
SESSION = "Integration/2026-01-05 session 3.md"

NOTES: dict[str, str | bytes] = {
    SESSION: (
        "---\ntype: reflection\ndate: 2026-01-05\nsession: 3\nactions:\n"
        "  - Call my sister\n"
        f"  - text: Walk every morning\n    kind: internal\n    due: {SOON}\n"
        f"  - text: Book the dentist\n    due: {LATE}\n"
        f"  - text: Write to Sam\n    status: done\n    done: {RECENT}\n"
        f"  - text: Sort the photos\n    status: done\n    done: {LONG_AGO}\n"
        "  - text: Old plan\n    status: dropped\n"
        "---\nWhat came up.\n"
    ),
    "Integration/2026-02-01 intention.md": (
        "---\ntype: intention\ndate: 2026-02-01\nsession: 4\nactions:\n  - Rest on Sundays\n---\n"
    ),
    "Journal/plan.md": '---\nactions:\n  - "[ ] Stretch"\n  - text: Keep the promise\n    id: keep-this\n---\n',
    "Other/plan.md": "---\nactions: [Tidy the desk]\n---\n",  # a second "plan": links carry the path
    "crlf.md": b"---\r\nactions:\r\n  - Breathe out slowly\r\n---\r\nBody\r\n",
    "Journal/no actions.md": "Just a page.\n",
}


def _fresh_summary(vault: Path, tmp_path: Path, run) -> bytes:
    """What `index` writes for the same notes with no state or cache at all."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(vault, fresh, ignore=shutil.ignore_patterns(".vaultkit"))
    shutil.copytree(vault / ".vaultkit", fresh / ".vaultkit", ignore=shutil.ignore_patterns("local"))
    run("index", vault_path=fresh)
    return (fresh / "Integration Actions.md").read_bytes()


@pytest.fixture
def indexed(vault, run):
    build_tree(vault, NOTES)
    age(vault)
    summary = vault / "Integration Actions.md"
    run("index")
    # The user's own text around the block is kept byte for byte.
    summary.write_bytes(b"# Mine\n\nmy words\n" + summary.read_bytes() + b"\nmore of mine\n")
    run("index")
    return vault


def _edit(vault: Path, rel: str, old: str, new: str) -> None:
    path = vault / rel
    data = path.read_bytes()
    assert data.count(old.encode()) == 1, old
    path.write_bytes(data.replace(old.encode(), new.encode()))


def _a_body_edit_reads_one_note_and_writes_nothing(vault: Path, run) -> None:
    """A line added below a note's frontmatter: `index` reads that note alone and writes nothing."""
    age(vault)
    run("index")
    with (vault / SESSION).open("a") as note:
        note.write("More below the frontmatter.\n")
    out = run("index").stdout
    assert "(1 read," in out and out.rstrip().endswith("unchanged"), out


# (note, old text, new text) edits that only reword: lines are swapped in place.
REWORDS = {
    "open action": [(SESSION, "Call my sister", "Call my sister on Sunday")],
    "internal action with a due date": [(SESSION, "Walk every morning", "Walk after breakfast")],
    "overdue action": [(SESSION, "Book the dentist", "Book the dentist and the optician")],
    "recently done action": [(SESSION, "Write to Sam", "Write to Sam and Jo")],
    "action done long ago (listed nowhere)": [(SESSION, "Sort the photos", "Sort the old photos")],
    "dropped action": [(SESSION, "Old plan", "Older plan")],
    "action with an explicit id": [("Journal/plan.md", "Keep the promise", "Keep my promise")],
    "action in a note whose name is not unique": [("Other/plan.md", "Tidy the desk", "Tidy the shelf")],
    "action in a CRLF note": [("crlf.md", "Breathe out slowly", "Breathe in slowly")],
    "two notes at once, and a body edit": [
        (SESSION, "Call my sister", "Call my brother"),
        ("Journal/plan.md", "Stretch", "Stretch for ten minutes"),
        ("Journal/no actions.md", "Just a page.", "Just a longer page."),
    ],
    "case only (same id)": [(SESSION, "Call my sister", "call my sister")],
}


# And edits that change more than the wording.
REWORDS |= {
    "an action added": [("Journal/plan.md", '"[ ] Stretch"', '"[ ] Stretch"\n  - "[ ] Stretch"')],
    "reworded into another's text in the same note (ids get -2)": [
        (SESSION, "Call my sister", "Walk every morning")
    ],
    "explicit id changed": [("Journal/plan.md", "id: keep-this", "id: keep-that")],
    "kind changed": [(SESSION, "kind: internal", "kind: external")],
    "ticked in the note": [("Journal/plan.md", '"[ ] Stretch"', '"[x] Stretch"')],
    "due date moved": [(SESSION, f"due: {SOON}", f"due: {LATE}")],
    "session renumbered": [(SESSION, "session: 3", "session: 5")],
}


@pytest.mark.parametrize("edits", REWORDS.values(), ids=REWORDS.keys())
def test_after_an_edit_the_summary_is_what_a_fresh_run_writes(indexed, run, tmp_path, edits):
    vault = indexed
    for rel, old, new in edits:
        _edit(vault, rel, old, new)
    summary = vault / "Integration Actions.md"
    before = summary.read_bytes()
    out = run("index").stdout
    assert out.rstrip().endswith("unchanged" if summary.read_bytes() == before else "updated"), out
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)
    _a_body_edit_reads_one_note_and_writes_nothing(vault, run)
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)


def test_an_action_whose_id_clashes_with_a_hidden_one_gets_its_own(indexed, run, tmp_path):
    """A new derived id that a dropped action already has (same note, same text)."""
    vault = indexed
    _edit(vault, SESSION, "Call my sister", "Old plan")
    run("index")
    summary = (vault / "Integration Actions.md").read_bytes()
    assert summary == _fresh_summary(vault, tmp_path, run)
    assert b"- [ ] Old plan" in summary


def test_a_tick_and_an_untick_after_a_reword_reach_the_note(indexed, run):
    """An untick under "Done" reopens a reworded done action; a tick does the rest."""
    vault = indexed
    _edit(vault, SESSION, "Write to Sam", "Write to Sam and Jo")
    _edit(vault, SESSION, "Call my sister", "Call my brother")
    run("index")
    summary = vault / "Integration Actions.md"
    text = summary.read_text()
    assert "- [x] Write to Sam and Jo" in text and "- [ ] Call my brother" in text
    summary.write_text(
        text.replace("- [x] Write to Sam and Jo", "- [ ] Write to Sam and Jo").replace(
            "- [ ] Call my brother", "- [x] Call my brother"
        )
    )
    run("index")
    statuses = {a.text: a.status for a in actions_of(vault)}
    assert statuses["Write to Sam and Jo"] == "open"
    assert statuses["Call my brother"] == "done"


@pytest.mark.parametrize("form", ["BOM", "CRLF"])
def test_a_summary_with_a_bom_or_crlf_comes_out_as_a_fresh_run_writes_it(indexed, run, tmp_path, form):
    vault = indexed
    summary = vault / "Integration Actions.md"
    data = summary.read_bytes()
    summary.write_bytes(b"\xef\xbb\xbf" + data if form == "BOM" else data.replace(b"\n", b"\r\n"))
    run("index")  # vaultkit's block now follows the file's form
    _edit(vault, SESSION, "Call my sister", "Call my brother")
    run("index")
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)
    assert summary.read_bytes().count(b"\r\n") == (0 if form == "BOM" else summary.read_bytes().count(b"\n"))
