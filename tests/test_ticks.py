"""Ticks in the summary flow back to the notes; `done`, `reopen`, `drop` on the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import actions_of, build_tree

NOTES = {
    "a.md": '---\ntype: reflection\ndate: 2026-11-10\nactions:\n  - "[ ] Call my sister"\n'
    "  - text: Breathe\n    kind: internal\n---\nbody\n",
    "b.md": "---\nactions:\n  - Walk\n---\n",
}


@pytest.fixture
def ticked(vault, run):
    build_tree(vault, NOTES)
    assert run("index").exit_code == 0
    return vault


def ids(vault: Path) -> dict[str, str]:
    return {a.text: a.id for a in actions_of(vault)}


def edit_summary(vault: Path, old: str, new: str) -> None:
    summary = vault / "Integration Actions.md"
    text = summary.read_text()
    assert old in text
    summary.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("tick", ["- [x] Call my sister", "- [X] Call my sister"])
def test_tick_in_summary_marks_done(ticked, run, tick):
    edit_summary(ticked, "- [ ] Call my sister", tick)
    result = run("index")
    assert result.exit_code == 0
    assert result.stderr == f"a.md: ^{ids(ticked)['Call my sister']} done (changed in the summary)\n"
    text = (ticked / "a.md").read_text()
    assert '  - "[x] Call my sister ✅ ' in text
    summary = (ticked / "Integration Actions.md").read_text()
    assert "- [x] Call my sister — [[a]] ✅ " in summary
    assert "- [ ] Call my sister" not in summary


def test_obsidian_tasks_tick_with_done_date(ticked, run):
    action_id = ids(ticked)["Breathe"]
    summary = ticked / "Integration Actions.md"
    text = summary.read_text()
    # Obsidian Tasks ticks the box and adds ✅ DATE before the block id.
    summary.write_text(
        text.replace(
            f"- [ ] Breathe — [[a]] ^{action_id}",
            f"- [x] Breathe — [[a]] ✅ 2026-11-21 ^{action_id}",
        )
    )
    assert run("index").exit_code == 0
    assert "    status: done\n    done: 2026-11-21\n" in (ticked / "a.md").read_text()


def test_untick_reopens(ticked, run):
    edit_summary(ticked, "- [ ] Walk", "- [x] Walk")
    run("index")
    assert (ticked / "b.md").read_text().startswith('---\nactions:\n  - "[x] Walk ✅ ')
    edit_summary(ticked, "- [x] Walk", "- [ ] Walk")
    result = run("index")
    assert f"b.md: ^{ids(ticked)['Walk']} reopened" in result.stderr
    assert (ticked / "b.md").read_text() == NOTES["b.md"]  # as it was before the tick


def test_a_box_unticked_before_a_command_is_said_as_index_says_it(ticked, run):
    walk, breathe = ids(ticked)["Walk"], ids(ticked)["Breathe"]
    assert run("done", walk).exit_code == 0
    edit_summary(ticked, "- [x] Walk", "- [ ] Walk")
    result = run("done", breathe)
    assert result.exit_code == 0
    assert result.stderr == f"b.md: ^{walk} reopened (changed in the summary)\n"
    assert (ticked / "b.md").read_text() == NOTES["b.md"]


def test_direct_edit_of_the_note_is_not_undone_by_a_stale_summary(ticked, run):
    # The user marks the action done in the note itself; the summary still says [ ].
    note = ticked / "b.md"
    note.write_text('---\nactions:\n  - "[x] Walk"\n---\n')
    assert run("index").exit_code == 0
    assert note.read_text() == '---\nactions:\n  - "[x] Walk"\n---\n'
    # And the other way: reopened in the note while the summary showed it done.
    edit_summary(ticked, "- [ ] Call my sister", "- [x] Call my sister")
    run("index")
    (ticked / "a.md").write_text(
        (ticked / "a.md").read_text().replace('"[x] Call my sister', '"[ ] Call my sister')
    )
    run("index")
    assert '"[ ] Call my sister' in (ticked / "a.md").read_text()


def test_without_the_store_ticks_and_unticks_are_judged_as_before(ticked, run):
    """The summary says itself what vaultkit showed (a line's section), so a new
    device, or a store deleted, judges every box as the device that wrote it."""
    shutil.rmtree(ticked / ".vaultkit/local")
    edit_summary(ticked, "- [ ] Walk", "- [x] Walk")
    run("index")
    assert '"[x] Walk' in (ticked / "b.md").read_text()
    shutil.rmtree(ticked / ".vaultkit/local")
    edit_summary(ticked, "- [x] Walk", "- [ ] Walk")  # unticked under "Done": reopen
    run("index")
    assert (ticked / "b.md").read_text() == '---\nactions:\n  - "[ ] Walk"\n---\n'


def test_a_box_left_as_shown_is_never_applied(ticked, run):
    """Open lines unticked and done lines ticked are as vaultkit wrote them,
    whatever happened to the notes since: nothing to apply."""
    run("done", ids(ticked)["Walk"])
    summary = (ticked / "Integration Actions.md").read_text()
    (ticked / "b.md").write_text('---\nactions:\n  - "[ ] Walk"\n---\n')  # reopened by hand
    (ticked / "Integration Actions.md").write_text(summary)  # the summary that shows it done
    run("index")
    assert (ticked / "b.md").read_text() == '---\nactions:\n  - "[ ] Walk"\n---\n'


def test_tick_for_a_vanished_action_is_reported(ticked, run):
    edit_summary(ticked, "- [ ] Walk", "- [x] Walk")
    (ticked / "b.md").write_text("---\nactions:\n  - Walk the dog\n---\n")
    result = run("index")
    assert result.exit_code == 0
    assert "was ticked but that action no longer exists" in result.stderr
    assert (ticked / "b.md").read_text() == "---\nactions:\n  - Walk the dog\n---\n"


def test_tick_waits_while_its_note_is_broken_and_is_never_lost(ticked, run):
    walk = ids(ticked)["Walk"]
    edit_summary(ticked, "- [ ] Walk", "- [x] Walk")
    (ticked / "b.md").write_text("---\nactions:\n  - Walk\n  broken: [\n---\n")
    first = run("index")
    assert f"b.md: cannot be read, so the tick on ^{walk} waits until it can" in first.stderr
    summary = (ticked / "Integration Actions.md").read_text()
    assert (
        f"## Ticks not applied yet\n\n- [x] Walk — [[b]] ^{walk}\n    - waiting for `b.md` to be readable\n"
        in summary
    )
    run("index")  # still broken: still waiting
    (ticked / "b.md").write_text("---\nactions:\n  - Walk\n---\n")
    fixed = run("index")
    assert f"b.md: ^{walk} done" in fixed.stderr
    assert '"[x] Walk' in (ticked / "b.md").read_text()
    assert "waiting for" not in (ticked / "Integration Actions.md").read_text()


def test_done_reopen_drop_cli(ticked, run):
    walk = ids(ticked)["Walk"]
    result = run("done", walk[:5])
    assert result.exit_code == 0
    assert result.stdout == f"Done: Walk  (b.md) ^{walk}\n"
    assert (ticked / "b.md").read_text().startswith('---\nactions:\n  - "[x] Walk ✅ ')
    assert "- [x] Walk — [[b]] ✅ " in (ticked / "Integration Actions.md").read_text()
    again = run("done", walk)
    assert again.stdout == f"Already done: Walk  (b.md) ^{walk}\n"
    assert run("reopen", walk).stdout == f"Reopened: Walk  (b.md) ^{walk}\n"
    assert (ticked / "b.md").read_text() == NOTES["b.md"]
    breathe = ids(ticked)["Breathe"]
    assert run("drop", breathe).exit_code == 0
    assert "    status: dropped\n" in (ticked / "a.md").read_text()
    assert "Breathe" not in (ticked / "Integration Actions.md").read_text()


def test_unknown_and_ambiguous_ids_change_nothing(ticked, run):
    build_tree(ticked, {f"n{i}.md": f"---\nactions: [Thing {i}]\n---\n" for i in range(40)})
    before = {p: p.read_bytes() for p in ticked.glob("*.md")}
    unknown = run("done", "zzzz")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "Error: no action has id 'zzzz' (see `vaultkit actions --status all`). Nothing was changed\n"
    )
    build_tree(
        ticked, {"c.md": "---\nactions:\n  - {text: One, id: thing-1}\n  - {text: Two, id: thing-2}\n---\n"}
    )
    before = {p: p.read_bytes() for p in ticked.glob("*.md")}
    prefix = "thin"
    ambiguous = run("done", prefix, ids(ticked)["Walk"])
    assert ambiguous.exit_code == 1
    assert f"id '{prefix}' is ambiguous" in ambiguous.stderr
    short = run("done", "b", ids(ticked)["Walk"])  # "item b", not an id
    assert short.exit_code == 1 and "'b' is too short: give at least 4 characters" in short.stderr
    assert {p: p.read_bytes() for p in ticked.glob("*.md")} == before


def test_obsidian_tasks_cancel_drops_the_action(ticked, run):
    """Obsidian Tasks' [-] (cancelled) is a drop; an in-progress [/] is still open."""
    edit_summary(ticked, "- [ ] Walk", "- [-] Walk")
    edit_summary(ticked, "- [ ] Call my sister", "- [/] Call my sister")
    run("index")
    assert (ticked / "b.md").read_text().startswith('---\nactions:\n  - "[-] Walk ❌ ')
    assert '"[ ] Call my sister"' in (ticked / "a.md").read_text()


def test_a_waiting_tick_flipped_back_is_taken_back(ticked, run):
    walk = ids(ticked)["Walk"]
    edit_summary(ticked, "- [ ] Walk", "- [x] Walk")
    (ticked / "b.md").write_text("---\nactions:\n  - Walk\n  broken: [\n---\n")
    run("index")
    edit_summary(
        ticked, f"- [x] Walk — [[b]] ^{walk}", f"- [ ] Walk — [[b]] ^{walk}"
    )  # under "Ticks not applied yet"
    run("index")
    assert "Ticks not applied yet" not in (ticked / "Integration Actions.md").read_text()
    (ticked / "b.md").write_text("---\nactions:\n  - Walk\n---\n")
    run("index")
    assert (ticked / "b.md").read_text() == "---\nactions:\n  - Walk\n---\n"  # not applied after all


def test_a_conflict_copy_of_the_summary_without_markers_is_kept_and_listed(ticked, run):
    copy = ticked / "Integration Actions (Alice's conflicted copy 2026-11-24).md"
    copy.write_text("Only my own words, no vaultkit block.\n")
    result = run("index")
    assert result.exit_code == 0 and copy.exists()
    assert (
        "Alice's conflicted copy 2026-11-24).md` is a conflict copy of this note"
        in (ticked / "Integration Actions.md").read_text()
    )
    assert "Only my own words" not in (ticked / "Integration Actions.md").read_text()


def test_a_type_on_two_lines_is_reported_not_shown(ticked, run):
    (ticked / "c.md").write_text('---\ntype: "reflection\\n- [x] sneaky ^abc"\nactions: [Stretch]\n---\n')
    result = run("check")
    assert "c.md:2: type must be one line of text, such as reflection" in result.stdout
    run("index")
    assert "sneaky" not in (ticked / "Integration Actions.md").read_text()


def test_a_kept_conflict_copy_is_read_once_and_never_undoes_a_later_tick(ticked, run):
    """A copy with text of its own stays beside the summary; its boxes are applied
    once, and a box ticked later in the summary is not taken back by the old copy."""
    summary = ticked / "Integration Actions.md"
    copy = ticked / "Integration Actions.sync-conflict-20261201-101010-ABCDEFG.md"
    run("done", ids(ticked)["Walk"])
    old = summary.read_text().replace("- [x] Walk", "- [ ] Walk")  # unticked in the copy: reopen
    copy.write_text("Words only in the copy.\n" + old)
    run("index")
    assert '"[ ] Walk"' in (ticked / "b.md").read_text() or "- Walk" in (ticked / "b.md").read_text()
    assert copy.exists()
    edit_summary(ticked, "- [ ] Walk", "- [x] Walk")  # done again, in the summary
    run("index")
    run("index")
    assert '"[x] Walk ✅ ' in (ticked / "b.md").read_text()
