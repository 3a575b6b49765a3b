"""`index` after a few actions were reworded: the summary's lines are swapped in
place (sync._reword), and must come out byte for byte as a fresh run writes them.
Every other change takes the full path, with the same promise."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import build_tree
from vaultkit import sync as sync_module

TODAY = date.today()
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
    shutil.copytree(vault / ".vaultkit", fresh / ".vaultkit", ignore=shutil.ignore_patterns("*.json*"))
    run("index", vault_path=fresh)
    return (fresh / "Integration Actions.md").read_bytes()


@pytest.fixture
def indexed(vault, run):
    build_tree(vault, NOTES)
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


def _rebuilds(monkeypatch, vault: Path) -> list[Path]:
    """Lists the runs on `vault` that take the full path (build the summary anew) from here on."""
    rebuilt: list[Path] = []
    real = sync_module._rebuild

    def counted(loaded, *args, **kwargs):
        if loaded.root == vault:
            rebuilt.append(vault)
        return real(loaded, *args, **kwargs)

    monkeypatch.setattr(sync_module, "_rebuild", counted)
    return rebuilt


def _a_body_edit_takes_the_quick_path(vault: Path, run) -> None:
    """A line added below a note's frontmatter: `index` reads that note alone and writes nothing."""
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


@pytest.mark.parametrize("edits", REWORDS.values(), ids=REWORDS.keys())
def test_a_reworded_action_is_swapped_in_place_as_a_fresh_run_writes_it(
    indexed, run, tmp_path, monkeypatch, edits
):
    vault = indexed
    for rel, old, new in edits:
        _edit(vault, rel, old, new)
    summary = vault / "Integration Actions.md"
    before = summary.read_bytes()
    rebuilt = _rebuilds(monkeypatch, vault)
    out = run("index").stdout
    listed = any(old.encode() in before for _, old, _ in edits)
    assert out.rstrip().endswith("updated" if listed else "unchanged"), out
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)
    # The state and the patched cache describe what was written: the next run
    # reads nothing, and the one after a body edit reads one note and writes nothing.
    assert "(0 read," in run("index").stdout
    _a_body_edit_takes_the_quick_path(vault, run)
    assert rebuilt == []


# Edits that look like rewordings but change more: the full path, same result.
NOT_REWORDS = {
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


@pytest.mark.parametrize("edits", NOT_REWORDS.values(), ids=NOT_REWORDS.keys())
def test_other_edits_take_the_full_path_and_agree_with_a_fresh_run(
    indexed, run, tmp_path, monkeypatch, edits
):
    vault = indexed
    for rel, old, new in edits:
        _edit(vault, rel, old, new)
    rebuilt = _rebuilds(monkeypatch, vault)
    run("index")
    assert len(rebuilt) == 1
    assert (vault / "Integration Actions.md").read_bytes() == _fresh_summary(vault, tmp_path, run)
    # The full path patched the note into the cache: a body edit now takes the quick path.
    _a_body_edit_takes_the_quick_path(vault, run)
    assert len(rebuilt) == 1


def test_an_action_whose_id_clashes_with_a_hidden_one_takes_the_full_path(
    indexed, run, tmp_path, monkeypatch
):
    """A new derived id that a dropped action already has (same note, same
    text): only the full path knows to make it unique."""
    vault = indexed
    _edit(vault, SESSION, "Call my sister", "Old plan")
    rebuilt = _rebuilds(monkeypatch, vault)
    run("index")
    assert len(rebuilt) == 1
    summary = (vault / "Integration Actions.md").read_bytes()
    assert summary == _fresh_summary(vault, tmp_path, run)
    assert b"- [ ] Old plan" in summary


def test_a_tick_and_an_untick_after_a_reword_reach_the_note(indexed, run, monkeypatch):
    """The boxes on record follow the new ids: an untick (only applied against
    a box vaultkit wrote ticked) reopens a reworded done action."""
    vault = indexed
    _edit(vault, SESSION, "Write to Sam", "Write to Sam and Jo")
    _edit(vault, SESSION, "Call my sister", "Call my brother")
    rebuilt = _rebuilds(monkeypatch, vault)
    run("index")
    assert rebuilt == []
    summary = vault / "Integration Actions.md"
    text = summary.read_text()
    assert "- [x] Write to Sam and Jo" in text and "- [ ] Call my brother" in text
    summary.write_text(
        text.replace("- [x] Write to Sam and Jo", "- [ ] Write to Sam and Jo").replace(
            "- [ ] Call my brother", "- [x] Call my brother"
        )
    )
    run("index")
    from vaultkit.index import build_index
    from vaultkit.vault import load_vault

    statuses = {a.text: a.status for a in build_index(load_vault(vault), use_cache=False).actions}
    assert statuses["Write to Sam and Jo"] == "open"
    assert statuses["Call my brother"] == "done"


def test_a_cache_that_cannot_be_patched_costs_only_speed(indexed, run, tmp_path, monkeypatch):
    from vaultkit import index as index_module

    vault = indexed
    _edit(vault, SESSION, "Call my sister", "Call my brother")
    rebuilt = _rebuilds(monkeypatch, vault)
    with monkeypatch.context() as patched:
        patched.setattr(index_module, "save_cache", lambda *_args: False)  # a full disk, say
        run("index")
    assert rebuilt == []
    summary = vault / "Integration Actions.md"
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)
    _edit(vault, SESSION, "Call my brother", "Call my brother today")
    run("index")  # the cache no longer matches the summary: the full path
    assert len(rebuilt) == 1
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)


@pytest.mark.parametrize("form", ["BOM", "CRLF"])
def test_a_summary_with_a_bom_or_crlf_comes_out_as_a_fresh_run_writes_it(
    indexed, run, tmp_path, monkeypatch, form
):
    vault = indexed
    summary = vault / "Integration Actions.md"
    data = summary.read_bytes()
    summary.write_bytes(b"\xef\xbb\xbf" + data if form == "BOM" else data.replace(b"\n", b"\r\n"))
    run("index")  # vaultkit's block now follows the file's form
    rebuilt = _rebuilds(monkeypatch, vault)
    _edit(vault, SESSION, "Call my sister", "Call my brother")
    run("index")
    assert len(rebuilt) == (0 if form == "BOM" else 1)  # a CRLF block is left to the full path
    assert summary.read_bytes() == _fresh_summary(vault, tmp_path, run)
    assert summary.read_bytes().count(b"\r\n") == (0 if form == "BOM" else summary.read_bytes().count(b"\n"))
