"""A run after an unchanged one: whatever changed since, the summary is what a
from-scratch run gives.

Each test indexes twice (the second run finds nothing new), changes exactly
one thing, indexes again, and compares the summary's bytes with those a fresh
store gives for a copy of the same vault, then looks for the change itself.
Written apart from the engine, through the CLI and the engine's public
functions only, to guard any shortcut that skips reading or rendering.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaultkit
import vaultkit.summary.render
from vaultkit.fs import load_vault
from vaultkit.refresh import Request, opened, refresh
from vaultkit.summary.render import DONE_HEADING

from .helpers import actions_of, age, build_tree, index_vault

TODAY = date(2026, 11, 24)
SUMMARY = "Integration Actions.md"
END = "<!-- vaultkit:end -->"
TASKS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"
OLD = 1_700_000_000 * 10**9  # long before any run: no note is within a coarse clock's tick of it
_times = itertools.count(1)


def note(
    actions: list[str],
    *,
    type_: str = "reflection",
    day: str = "2026-11-02",
    session: int = 1,
    extra: str = "",
    body: str = "Body.\n",
) -> str:
    items = "".join(f'  - "{a}"\n' for a in actions)
    head = f"type: {type_}\ndate: {day}\nsession: {session}\n{extra}"
    if not actions:
        return f"---\n{head}actions: []\n---\n{body}"
    return f"---\n{head}actions:\n{items}---\n{body}"


INTENTION_1 = "Integration/2026-11-01 Intention.md"
REFLECTION_1 = "Integration/2026-11-02 Reflection.md"
INTENTION_2 = "Integration/2026-11-16 Intention.md"
REFLECTION_2 = "Integration/2026-11-17 Reflection.md"
CHECK_IN_2 = "Integration/2026-11-27 Check-in.md"  # dated after TODAY: not in the overview yet
PLANS = "Journal/Plans.md"
REVIEW = "Work/Review.md"

VAULT = {
    INTENTION_1: note([], type_="intention", day="2026-11-01", extra="mood: 4\n"),
    REFLECTION_1: (
        "---\ntype: reflection\ndate: 2026-11-02\nsession: 1\nmood: 6\nactions:\n"
        '  - "Call my sister"\n'
        "  - text: Write the letter\n    due: 2026-11-26\n"
        "  - text: Notice when I hold my breath\n    kind: internal\n"
        '  - "[x] Walk on Sundays \u2705 2026-11-20"\n'
        "---\nBody text.\n"
    ),
    INTENTION_2: note([], type_="intention", day="2026-11-16", session=2, extra="mood: 5\n"),
    REFLECTION_2: note(
        ["Book the follow-up", "Let good enough be enough"], day="2026-11-17", session=2, extra="mood: 7\n"
    ),
    CHECK_IN_2: note(["Ask for the notes"], type_="check-in", day="2026-11-27", session=2, extra="mood: 8\n"),
    PLANS: '---\nactions: ["Plan the trip"]\n---\n',
    REVIEW: '---\nactions: ["Plan the review"]\n---\n',
}


@pytest.fixture
def full(vault: Path) -> Path:
    build_tree(vault, VAULT)
    age(vault)
    return vault


def summary_of(root: Path) -> bytes:
    return (root / SUMMARY).read_bytes()


def text_of(root: Path) -> str:
    return summary_of(root).decode()


def index(root: Path, today: date = TODAY):  # type: ignore[no-untyped-def]
    return index_vault(root, today)


def batch(root: Path, paths: set[str], folders: tuple[str, ...] = (), today: date = TODAY):  # type: ignore[no-untyped-def]
    """One batch of `vaultkit watch`: the pipeline over the paths it was told of."""
    vault = load_vault(root)
    with opened(vault, print) as store:
        return refresh(vault, store, today, Request(paths, folders))


def fresh(root: Path, via: Callable[[Path], object] | None = None, today: date = TODAY) -> bytes:
    """The summary a from-scratch run gives: a copy of the vault (summary and
    its copies included) without this device's store, indexed once."""
    copy = Path(tempfile.mkdtemp(prefix="fresh-")) / root.name
    try:
        store = root / ".vaultkit"
        shutil.copytree(
            root, copy, symlinks=True, ignore=lambda d, names: ["local"] if Path(d) == store else []
        )
        assert not (copy / ".vaultkit/local").exists()
        (via or (lambda p: index(p, today)))(copy)
        return summary_of(copy)
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def settled(root: Path, today: date = TODAY) -> bytes:
    """Index twice (the second run is an unchanged one); the summary's bytes."""
    index(root, today)
    second = index(root, today)
    assert not second.summary_written
    return summary_of(root)


def rewrite(path: Path, text: str) -> None:
    """Save a note as an editor would, dated in the past (each save its own
    time), so that only its stat key tells the run it changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    then = OLD + next(_times) * 10**9
    os.utime(path, ns=(then, then))


def section(text: str, heading: str) -> str:
    """The lines of one section of the summary (up to the next heading of its level or higher)."""
    level = heading.split(" ")[0]
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    out = []
    for line in lines[start + 1 :]:
        if line.startswith("#") and len(line.split(" ")[0]) <= len(level) or line == END:
            break
        out.append(line)
    return "\n".join(out)


def ids(root: Path) -> dict[str, str]:
    return {a.text: a.id for a in actions_of(root)}


def tick(root: Path, text: str) -> None:
    summary = root / SUMMARY
    lines = summary.read_text().split("\n")
    hit = [i for i, line in enumerate(lines) if line.startswith(f"- [ ] {text} ")]
    assert len(hit) == 1, f"no single open line for {text!r}"
    lines[hit[0]] = "- [x] " + lines[hit[0]][6:]
    summary.write_text("\n".join(lines))


# ---------------------------------------------------------------- 1. a new day


def test_a_new_day_moves_what_depends_on_the_date(full):
    before = settled(full)
    text = before.decode()
    assert "Write the letter" in section(text, "### Things to do")
    assert "### Overdue" not in text
    assert "Check-in 11-27" not in text and "2026-11-27: 8" not in text
    assert "Walk on Sundays" in section(text, "## Done in the last 14 days")

    day = date(2026, 11, 28)  # the letter falls overdue; the check-in of the 27th is in the past
    assert index(full, day).summary_written
    text = text_of(full)
    assert summary_of(full) == fresh(full, today=day)
    assert "Write the letter" in section(text, "### Overdue")
    assert "Write the letter" not in section(text, "### Things to do")
    assert "Check-in 11-27" in section(text, "## Overview")
    assert "2026-11-27: 8" in section(text, "## Overview")
    assert "Last integration note: 2026-11-27" in text
    assert not index(full, day).summary_written

    later = date(2026, 12, 20)  # the walk was done more than 14 days ago; a 1-month check-in is due
    assert index(full, later).summary_written
    text = text_of(full)
    assert summary_of(full) == fresh(full, today=later)
    assert "Walk on Sundays" not in text
    assert "Session 2 — 1-month check-in due since 2026-12-16" in section(text, "## Follow-ups due")


def test_a_day_back_again_gives_the_first_summary_back(full):
    before = settled(full)
    index(full, date(2026, 12, 20))
    assert summary_of(full) != before
    index(full, TODAY)
    assert summary_of(full) == before == fresh(full)


# ---------------------------------------------------------------- 2. settings


def _config(root: Path, text: str) -> None:
    with (root / ".vaultkit/config.yaml").open("a") as config:
        config.write("\n" + text)


@pytest.mark.parametrize(
    ("setting", "seen"),
    [
        (
            "recently_done_days: 3\n",
            lambda t: "Walk on Sundays" not in t and "## Done in the last 3 days" in t,
        ),
        (
            "recently_done_days: 30\n",
            lambda t: "Walk on Sundays" in section(t, "## Done in the last 30 days"),
        ),
        (  # with the default follow-ups nothing is due on TODAY; a 4-day "letter" is
            "follow_ups:\n  letter: [4]\n",
            lambda t: "Session 2 — 4-day letter due since 2026-11-20" in t and "check-in due" not in t,
        ),
        (
            'ignore: ["Journal/**"]\n',
            lambda t: "Plan the trip" not in t and "Plan the review" in t,
        ),
        (
            'ignore: ["Integration/2026-11-17*"]\n',
            lambda t: "Book the follow-up" not in t and "Session 2 " in t,
        ),
    ],
)
def test_a_changed_setting_is_seen(full, setting, seen):
    before = settled(full)
    _config(full, setting)
    assert index(full).summary_written
    text = text_of(full)
    assert summary_of(full) == fresh(full)
    assert seen(text), text
    assert not index(full).summary_written
    # And the setting taken out again: the first summary back.
    (full / ".vaultkit/config.yaml").write_text(
        (full / ".vaultkit/config.yaml").read_text().replace("\n" + setting, "")
    )
    index(full)
    assert summary_of(full) == before


# ---------------------------------------------------------------- 3. Obsidian Tasks' global filter


def _open_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- [ ] ")]


def test_the_tasks_global_filter_added_changed_and_removed(full):
    before = settled(full)
    settings_file = full / TASKS
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"globalFilter": "#task", "other": 1}))
    index(full)
    assert summary_of(full) == fresh(full)
    assert all(line.startswith("- [ ] #task ") for line in _open_lines(text_of(full)))

    settings_file.write_text(json.dumps({"globalFilter": "#todo", "other": 1}))
    index(full)
    assert summary_of(full) == fresh(full)
    assert all(line.startswith("- [ ] #todo ") for line in _open_lines(text_of(full)))
    assert "#task" not in text_of(full)

    settings_file.write_text(json.dumps({"globalFilter": "", "other": 1}))
    index(full)
    assert summary_of(full) == before == fresh(full)

    settings_file.write_text(json.dumps({"globalFilter": "#todo"}))
    index(full)
    settings_file.unlink()
    index(full)
    assert summary_of(full) == before == fresh(full)


def test_a_global_filter_set_before_the_first_run_and_then_removed(full):
    settings_file = full / TASKS
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"globalFilter": "#task"}))
    settled(full)
    shutil.rmtree(full / ".obsidian")
    index(full)
    assert summary_of(full) == fresh(full)
    assert "#task" not in text_of(full)


# ---------------------------------------------------------------- 4. the summary edited by a person


def test_a_box_ticked_in_the_summary_reaches_its_note(full):
    settled(full)
    tick(full, "Call my sister")
    report = index(full)
    assert [o.change.action.text for o in report.ticked] == ["Call my sister"]
    assert '"[x] Call my sister \u2705 2026-11-24"' in (full / REFLECTION_1).read_text()
    assert summary_of(full) == fresh(full)
    assert "Call my sister" in section(text_of(full), "## Done in the last")
    assert not index(full).summary_written


def test_text_written_outside_the_markers_is_kept(full):
    settled(full)
    summary = full / SUMMARY
    text = summary.read_text()
    summary.write_text("My intro\n\n" + text + "\n## My own notes\nkeep me\n")
    index(full)
    assert summary.read_text().startswith("My intro\n\n")
    assert summary.read_text().endswith(END + "\n\n## My own notes\nkeep me\n")
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written


def test_text_inside_the_markers_written_over_is_put_right(full):
    before = settled(full)
    summary = full / SUMMARY
    summary.write_text(summary.read_text().replace("Plan the trip", "Plan the trap"))
    assert index(full).summary_written
    assert summary_of(full) == before == fresh(full)


def test_a_deleted_summary_is_written_again(full):
    before = settled(full)
    (full / SUMMARY).unlink()
    report = index(full)
    assert report.summary_written
    assert summary_of(full) == before == fresh(full)


def test_an_older_copy_of_the_summary_does_not_undo_a_tick(full):
    old = settled(full)
    tick(full, "Call my sister")
    index(full)
    ticked = summary_of(full)
    assert '"[x] Call my sister' in (full / REFLECTION_1).read_text()
    (full / SUMMARY).write_bytes(old)  # a stale buffer saved, or a sync client's older copy wins
    index(full)
    assert '"[x] Call my sister' in (full / REFLECTION_1).read_text()
    assert summary_of(full) == ticked == fresh(full)


@pytest.mark.parametrize("own_text", ["", "A line of mine\n"])
def test_a_conflict_copy_of_the_summary_appearing(full, own_text):
    settled(full)
    summary = full / SUMMARY
    text = summary.read_text()
    copy = full / "Integration Actions.sync-conflict-20261124-101010-ABCDEFG.md"
    copy.write_text(own_text + text.replace("- [ ] Plan the trip ", "- [x] Plan the trip ", 1))
    index(full)
    assert (full / PLANS).read_text().startswith('---\nactions: ["[x] Plan the trip \u2705 2026-11-24"]')
    assert "Plan the trip" in section(summary.read_text(), "## Done in the last")
    assert copy.exists() == bool(own_text)  # merged and deleted unless the person's text differs
    if own_text:
        assert f"`{copy.name}` is a conflict copy of this note" in summary.read_text()
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written
    if own_text:  # the copy kept, then ticked again on the phone: read again, applied
        kept = copy.read_text()
        copy.write_text(kept.replace("- [ ] Plan the review ", "- [x] Plan the review ", 1))
        index(full)
        assert "Plan the review" in section(summary.read_text(), "## Done in the last")
        assert summary_of(full) == fresh(full)
        copy.unlink()
        index(full)
        assert "## Sync conflict copies" not in summary.read_text()
        assert summary_of(full) == fresh(full)


# ---------------------------------------------------------------- 5. a body edited, then an action


def test_a_body_edit_leaves_the_summary_alone_and_a_reworded_action_does_not(full):
    before = settled(full)
    summary = full / SUMMARY
    stat = summary.stat()
    note_path = full / REFLECTION_2
    rewrite(note_path, note_path.read_text() + "\nMore thoughts after the session.\n")
    report = index(full)
    assert report.read == 1 and not report.summary_written
    assert summary_of(full) == before == fresh(full)
    assert (summary.stat().st_mtime_ns, summary.stat().st_ino) == (stat.st_mtime_ns, stat.st_ino)

    rewrite(note_path, note_path.read_text().replace("Book the follow-up", "Book the next session"))
    assert index(full).summary_written
    text = text_of(full)
    assert "Book the next session" in text and "Book the follow-up" not in text
    assert summary_of(full) == fresh(full)


def test_a_body_edit_then_a_mood_or_date_edit_of_the_same_note(full):
    settled(full)
    note_path = full / REFLECTION_2
    rewrite(note_path, note_path.read_text() + "More.\n")
    index(full)
    rewrite(note_path, note_path.read_text().replace("mood: 7", "mood: 2"))
    index(full)
    assert "2026-11-17: 2" in text_of(full)
    assert summary_of(full) == fresh(full)
    rewrite(note_path, note_path.read_text().replace("date: 2026-11-17", "date: 2026-11-18"))
    index(full)
    assert "Reflection 11-18" in text_of(full)
    assert summary_of(full) == fresh(full)


# ---------------------------------------------------------------- 6. stat keys


def test_a_touch_then_a_same_size_edit_with_its_mtime_put_back(full):
    before = settled(full)
    note_path = full / PLANS
    os.utime(note_path, ns=(OLD, OLD))  # touched: only its mtime moves
    assert not index(full).summary_written
    assert summary_of(full) == before == fresh(full)

    st = note_path.stat()
    data = note_path.read_bytes()
    new = data.replace(b"Plan the trip", b"Plan the ship")
    assert len(new) == len(data)
    with note_path.open("r+b") as f:  # in place: same inode, same size
        f.write(new)
    os.utime(note_path, ns=(st.st_atime_ns, st.st_mtime_ns))  # mtime put back; ctime moves
    assert note_path.stat().st_mtime_ns == st.st_mtime_ns and note_path.stat().st_ino == st.st_ino
    assert index(full).summary_written
    assert "Plan the ship" in text_of(full) and "Plan the trip" not in text_of(full)
    assert summary_of(full) == fresh(full)


def test_a_note_replaced_by_rename_with_its_stat_put_back(full):
    settled(full)
    note_path = full / REVIEW
    st = note_path.stat()
    tmp = full / "Work/.Review.tmp"
    tmp.write_bytes(note_path.read_bytes().replace(b"Plan the review", b"Plan the reward"))
    os.replace(tmp, note_path)
    os.utime(note_path, ns=(st.st_atime_ns, st.st_mtime_ns))
    index(full)
    assert "Plan the reward" in text_of(full)
    assert summary_of(full) == fresh(full)


# ---------------------------------------------------------------- 7. unreadable notes


BROKEN = "---\nactions: [unclosed\n---\n"


def test_a_broken_note_fixed_and_a_readable_one_broken(full):
    build_tree(full, {"Broken.md": BROKEN})
    settled(full)
    unreadable = section(text_of(full), "## Notes that could not be read")
    assert "[[Broken]] (line 3)" in unreadable  # never read whole: nothing of it to list
    assert (
        "[[Broken]] (line 3): " in unreadable
        and "none of its actions are listed until it can be read" in unreadable
    )

    rewrite(full / "Broken.md", '---\nactions: ["Mend it"]\n---\n')
    index(full)
    text = text_of(full)
    assert "## Notes that could not be read" not in text and "Mend it" in text
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written

    # A note listed before keeps its open lines, listed, while it is broken.
    good = (full / PLANS).read_text()
    rewrite(full / PLANS, BROKEN)
    index(full)
    text = text_of(full)
    unreadable = section(text, "## Notes that could not be read")
    assert "[[Plans]] (line 3)" in unreadable and "its 1 action is listed as last read" in unreadable
    assert "- [ ] Plan the trip — [[Plans]]" in section(text, "## Open actions")
    assert not index(full).summary_written
    assert summary_of(full) == fresh(full)  # taken from the summary: no device's store decides
    rewrite(full / PLANS, good)
    index(full)
    assert "## Notes that could not be read" not in text_of(full)
    assert summary_of(full) == fresh(full)


def test_a_note_that_cannot_be_decoded_and_then_can(full):
    settled(full)
    (full / PLANS).write_bytes(b'---\nactions: ["Plan the \xff trip"]\n---\n')
    os.utime(full / PLANS, ns=(OLD, OLD))
    index(full)
    text = text_of(full)
    assert "its 1 action is listed as last read" in section(text, "## Notes that could not be read")
    assert "- [ ] Plan the trip — [[Plans]]" in section(text, "## Open actions")
    rewrite(full / PLANS, '---\nactions: ["Plan the trip"]\n---\n')
    index(full)
    assert "## Notes that could not be read" not in text_of(full)
    assert summary_of(full) == fresh(full)


# ---------------------------------------------------------------- 8. briefs and private notes


def test_a_brief_note_added_is_linked_from_the_overview(full):
    settled(full)
    build_tree(full, {"Briefs/2026-11-24 Brief.md": "---\ntype: brief\ndate: 2026-11-24\n---\n# Brief\n"})
    assert index(full).summary_written
    assert "- Latest brief: [[2026-11-24 Brief]]" in section(text_of(full), "## Overview")
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written
    build_tree(full, {"Briefs/2026-11-30 Brief.md": "---\ntype: brief\ndate: 2026-11-30\n---\n"})
    index(full)
    assert "- Latest brief: [[2026-11-30 Brief]]" in text_of(full)
    assert summary_of(full) == fresh(full)
    (full / "Briefs/2026-11-30 Brief.md").unlink()
    (full / "Briefs/2026-11-24 Brief.md").unlink()
    index(full)
    assert "Latest brief" not in text_of(full)
    assert summary_of(full) == fresh(full)


def test_a_private_note_toggled(full):
    before = settled(full)
    path = full / REFLECTION_2
    rewrite(path, path.read_text().replace("mood: 7\n", "mood: 7\nprivate: true\n"))
    index(full)
    assert summary_of(full) == fresh(full)
    assert "Book the follow-up" in text_of(full)  # the summary is the person's own: it lists them
    rewrite(path, path.read_text().replace("private: true\n", "private: false\n"))
    index(full)
    assert summary_of(full) == fresh(full) == before
    rewrite(path, path.read_text().replace("private: false\n", ""))
    index(full)
    assert summary_of(full) == before


# ---------------------------------------------------------------- 9. names


def test_a_rename_into_a_name_another_note_has(full):
    before = settled(full)
    assert "[[Plans]]" in before.decode() and "[[Review]]" in before.decode()
    os.rename(full / REVIEW, full / "Work/Plans.md")
    index(full)
    text = text_of(full)
    assert "Plan the trip — [[Journal/Plans]]" in text
    assert "Plan the review — [[Work/Plans]]" in text
    assert "[[Plans]]" not in text and "[[Review]]" not in text
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written

    os.rename(full / "Work/Plans.md", full / REVIEW)
    index(full)
    assert summary_of(full) == before == fresh(full)


def test_a_unique_name_made_by_a_delete_changes_the_other_link(full):
    build_tree(full, {"Work/Plans.md": '---\nactions: ["Plan the budget"]\n---\n'})
    settled(full)
    assert "[[Journal/Plans]]" in text_of(full)
    (full / "Work/Plans.md").unlink()
    index(full)
    assert "Plan the trip — [[Plans]]" in text_of(full) and "Plan the budget" not in text_of(full)
    assert summary_of(full) == fresh(full)


@pytest.mark.parametrize(
    "name",
    [
        "Journal/Plans (Alice's conflicted copy 2026-11-24).md",
        "Journal/Plans.sync-conflict-20261124-101010-ABCDEFG.md",
        "Journal/Plans_LOCAL_1234.md",
    ],
)
def test_a_conflict_copy_of_a_note_appearing_and_going(full, name):
    before = settled(full)
    build_tree(full, {name: '---\nactions: ["Plan the trip", "Plan the tripe"]\n---\n'})
    report = index(full)
    text = text_of(full)
    assert f"`{name}` is a conflict copy of [[Plans]]" in section(text, "## Sync conflict copies")
    assert "Plan the tripe" not in text and report.counts.open == 8
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written
    (full / name).unlink()
    index(full)
    assert summary_of(full) == before == fresh(full)


# ---------------------------------------------------------------- 10. a tick that waits


def test_a_tick_whose_note_cannot_be_read_waits_then_lands(full):
    settled(full)
    path = full / PLANS
    good = path.read_text()
    tick(full, "Plan the trip")
    rewrite(path, good.replace("---\n", "---\nbad: [\n", 1))  # broken in the same breath
    report = index(full)
    assert report.ticked == []
    text = text_of(full)
    assert "- [x] Plan the trip" in section(text, "## Ticks not applied yet")
    assert "waiting for `Journal/Plans.md` to be readable" in text
    assert "Plan the trip" not in section(text, "## Open actions")
    assert "[[Plans]]" in section(text, "## Notes that could not be read")
    assert summary_of(full) == fresh(full)
    again = index(full)
    assert not again.summary_written and again.ticked == []

    rewrite(path, good)
    report = index(full)
    assert [o.change.action.text for o in report.ticked] == ["Plan the trip"]
    assert path.read_text().startswith('---\nactions: ["[x] Plan the trip \u2705 2026-11-24"]')
    text = text_of(full)
    assert "## Ticks not applied yet" not in text
    assert "Plan the trip" in section(text, "## Done in the last")
    assert summary_of(full) == fresh(full)


# ---------------------------------------------------------------- 11. status commands


def test_done_reopen_and_drop_right_after_an_unchanged_index(full, run):
    def cli_index(root: Path) -> object:
        result = run("index", vault_path=root)
        assert result.exit_code == 0, result.output
        return result

    cli_index(full)
    assert run("index").stdout.rstrip().endswith(f"{SUMMARY} unchanged")
    before = summary_of(full)
    original = (full / REFLECTION_2).read_bytes()
    uid = ids(full)["Book the follow-up"]

    assert run("done", uid[:6]).exit_code == 0
    assert '"[x] Book the follow-up \u2705' in (full / REFLECTION_2).read_text()
    assert "Book the follow-up" in section(text_of(full), "## Done in the last")
    assert summary_of(full) == fresh(full, cli_index)
    assert run("index").stdout.rstrip().endswith(f"{SUMMARY} unchanged")

    assert run("reopen", uid).exit_code == 0
    assert (full / REFLECTION_2).read_bytes() == original
    assert summary_of(full) == before == fresh(full, cli_index)
    assert run("index").stdout.rstrip().endswith(f"{SUMMARY} unchanged")

    assert run("drop", uid).exit_code == 0
    assert "Book the follow-up" not in text_of(full)
    assert summary_of(full) == fresh(full, cli_index)
    assert run("index").stdout.rstrip().endswith(f"{SUMMARY} unchanged")


def test_done_after_a_tick_in_the_summary_of_another_action(full, run):
    run("index")
    run("index")
    tick(full, "Plan the trip")
    uid = ids(full)["Plan the review"]
    assert run("done", uid).exit_code == 0
    text = text_of(full)
    assert "Plan the trip" in section(text, "## Done in the last")
    assert "Plan the review" in section(text, "## Done in the last")
    assert summary_of(full) == fresh(full, lambda p: run("index", vault_path=p))


# ---------------------------------------------------------------- random sequences

KINDS = [
    "body",  # a note's text below its frontmatter
    "reword",  # an action reworded or added
    "tick",  # a box ticked in the summary
    "untick",  # a box of a done action unticked in the summary
    "add",  # a new note
    "delete",
    "rename",  # a note moved to another folder under the same name
    "copy",  # a sync client's copy of a note (`Name 2.md`, same text)
    "break",  # its frontmatter made unreadable
    "fix",
    "day",  # a later day
    "touch",  # only its mtime moves
    "mood",
    "stale",  # an older copy of the summary saved over it
    "filter",  # Obsidian Tasks' global filter toggled
]


class Sequence:
    """A vault and what a random step does to it; each step says which paths
    it touched, as a watcher would be told."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.today = TODAY
        self.added = 0
        self.summaries: list[bytes] = []

    def notes(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*.md") if p.name != SUMMARY and ".obsidian" not in p.parts)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def step(self, kind: str, n: int) -> set[str]:
        notes = self.notes()
        target = notes[n % len(notes)] if notes else None
        summary = self.root / SUMMARY
        self.summaries.append(summary.read_bytes())
        text = target.read_text() if target else ""
        if kind == "body" and target:
            rewrite(target, text + f"More {n}.\n")
        elif kind == "reword" and target and "actions:\n" in text:
            rewrite(target, text.replace("actions:\n", f'actions:\n  - "New thing {n}"\n', 1))
        elif kind == "reword" and target and 'actions: ["' in text:
            rewrite(target, text.replace('actions: ["', f'actions: ["Re {n} ', 1))
        elif kind in ("tick", "untick"):
            box, to = ("- [ ] ", "- [x] ") if kind == "tick" else ("- [x] ", "- [ ] ")
            lines = summary.read_text().split("\n")
            found = [i for i, line in enumerate(lines) if line.startswith(box) and " ^" in line]
            if found:
                i = found[n % len(found)]
                lines[i] = to + lines[i][6:]
                summary.write_text("\n".join(lines))
                return {SUMMARY}
        elif kind == "add":
            self.added += 1
            path = self.root / f"Notes/Added {self.added}.md"
            rewrite(path, note([f"Added thing {self.added}"], day=f"2026-11-2{n % 10}", session=2))
            return {self.rel(path)}
        elif kind == "delete" and target:
            target.unlink()
        elif kind == "rename" and target:
            moved = self.root / "Elsewhere" / target.name
            if not moved.exists():
                moved.parent.mkdir(exist_ok=True)
                os.rename(target, moved)
                return {self.rel(target), self.rel(moved)}
        elif kind == "copy" and target and not target.stem.endswith(" 2"):
            copy = target.with_name(target.stem + " 2.md")
            rewrite(copy, text)
            return {self.rel(copy)}
        elif kind == "break" and target and text.startswith("---\n") and "bad: [" not in text:
            rewrite(target, text.replace("---\n", "---\nbad: [\n", 1))
        elif kind == "fix":
            broken = [p for p in notes if "bad: [\n" in p.read_text()]
            if broken:
                target = broken[n % len(broken)]
                rewrite(target, target.read_text().replace("bad: [\n", "", 1))
        elif kind == "day":
            self.today += timedelta(days=1 + n % 20)
            return set()
        elif kind == "touch" and target:
            then = OLD + next(_times) * 10**9
            os.utime(target, ns=(then, then))
        elif kind == "mood" and target and "mood: " in text:
            rewrite(target, text.replace("mood: ", f"mood: {n % 10}\nold_mood: ", 1))
        elif kind == "stale" and len(self.summaries) > 1:
            summary.write_bytes(self.summaries[n % (len(self.summaries) - 1)])
            return {SUMMARY}
        elif kind == "filter":
            tasks = self.root / TASKS
            if tasks.exists():
                tasks.unlink()
            else:
                tasks.parent.mkdir(parents=True, exist_ok=True)
                tasks.write_text(json.dumps({"globalFilter": "#task"}))
            return set()
        return {self.rel(target)} if target else set()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.booleans()), min_size=1, max_size=8
    )
)
def test_any_sequence_of_changes_gives_the_from_scratch_summary(steps):
    """After each step, `index` or a watcher's batch of the paths it touched:
    the summary is what a fresh store gives for the same vault."""
    with tempfile.TemporaryDirectory() as tmp:
        from vaultkit.fs import init_vault

        root = Path(tmp) / "vault"
        init_vault(root)
        build_tree(root, VAULT)
        age(root)
        run = Sequence(root)
        settled(root, run.today)
        for kind, n, whole in steps:
            paths = run.step(kind, n)
            if whole:
                index(root, run.today)
            else:
                batch(root, paths, today=run.today)
            assert summary_of(root) == fresh(root, today=run.today), (kind, n, whole)


# ---------------------------------------------------------------- what in a note's frontmatter counts


@pytest.mark.parametrize(
    ("path", "old", "new", "seen"),
    [
        (REFLECTION_1, "due: 2026-11-26", "due: 2026-11-29", "\U0001f4c5 2026-11-29"),
        (REFLECTION_1, "    kind: internal\n", "    kind: external\n", "- [ ] Notice when I hold my breath"),
        (REFLECTION_1, '"Call my sister"', '"[x] Call my sister \u2705 2026-11-23"', "- [x] Call my sister"),
        (
            REFLECTION_1,
            "  - text: Write the letter\n",
            "  - text: Write the letter\n    id: letter\n",
            "^letter",
        ),
        (REFLECTION_1, "\u2705 2026-11-20", "\u2705 2026-11-21", "\u2705 2026-11-21"),
        (REFLECTION_1, '"Call my sister"', '"Call my sister #relationships"', "Relationships 1 / 0"),
        (REFLECTION_1, "    kind: internal\n", "    kind: internal\n    status: dropped\n", "Nothing open."),
        (REFLECTION_1, "session: 1\n", "session: 3\n", "Session 3 : Reflection 11-02"),
        (REFLECTION_1, "type: reflection", "type: check-in", "Check-in 11-02"),
        (REFLECTION_1, "date: 2026-11-02", "date: 2026-11-03", "Reflection 11-03"),
        (REFLECTION_1, "mood: 6\n", "mood: 6\nwheel_mind: 7\n", "Integration wheel"),
        (REFLECTION_1, "mood: 6\n", "", "2026-11-01: 4 · 2026-11-16: 5"),
        (INTENTION_2, "mood: 5\n", "mood: 5\nsession_date: 2026-11-15\n", "session 2, 2026-11-15"),
        (PLANS, "---\nactions:", "---\ntype: brief\ndate: 2026-11-23\nactions:", "Latest brief: [[Plans]]"),
    ],
)
def test_a_frontmatter_edit_that_shows_is_seen(full, path, old, new, seen):
    before = settled(full)
    text = (full / path).read_text()
    assert old in text
    rewrite(full / path, text.replace(old, new, 1))
    assert index(full).summary_written
    assert summary_of(full) != before
    assert seen in text_of(full)
    assert summary_of(full) == fresh(full)
    assert not index(full).summary_written
    rewrite(full / path, text)
    index(full)
    assert summary_of(full) == before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("mood: 6\n", "mood: 6  # a good day\n"),  # a comment
        ("mood: 6\n", "mood: 6\ntags: [integration]\n"),  # a property the summary does not show
        ('"Call my sister"', "'Call my sister'"),  # other quotes
        ("type: reflection\ndate: 2026-11-02\n", "date: 2026-11-02\ntype: reflection\n"),  # key order
        ("mood: 6\n", "mood: 6.0\n"),  # the same number
        ("Body text.\n", "Body text, and more of it.\n"),
    ],
)
def test_a_frontmatter_edit_that_does_not_show_leaves_the_summary_alone(full, old, new):
    before = settled(full)
    path = full / REFLECTION_1
    rewrite(path, path.read_text().replace(old, new, 1))
    report = index(full)
    assert report.read == 1 and not report.summary_written
    assert summary_of(full) == before == fresh(full)


def test_obsidians_properties_rewrite_of_a_block_leaves_the_summary_alone(full):
    before = settled(full)
    rewrite(full / PLANS, "---\nactions:\n  - Plan the trip\n---\n")  # flow list to a block list
    assert not index(full).summary_written
    assert summary_of(full) == before == fresh(full)


# ---------------------------------------------------------------- a body edit, then the note's actions changed


def test_a_tick_in_the_summary_after_a_body_edit_keeps_the_edit(full):
    settled(full)
    path = full / REFLECTION_2
    rewrite(path, path.read_text() + "Later thoughts.\n")
    index(full)
    tick(full, "Book the follow-up")
    index(full)
    text = path.read_text()
    assert '"[x] Book the follow-up \u2705 2026-11-24"' in text and text.endswith("Later thoughts.\n")
    assert "Book the follow-up" in section(text_of(full), "## Done in the last")
    assert summary_of(full) == fresh(full)


def test_done_a_body_edit_and_reopen(full, run):
    run("index")
    run("index")
    path = full / REFLECTION_2
    original = path.read_text()
    uid = ids(full)["Book the follow-up"]
    assert run("done", uid).exit_code == 0
    with path.open("a") as f:
        f.write("Written after done.\n")
    assert run("index").exit_code == 0
    assert run("reopen", uid).exit_code == 0
    assert path.read_text() == original + "Written after done.\n"
    assert "- [ ] Book the follow-up" in text_of(full)
    assert summary_of(full) == fresh(full, lambda p: run("index", vault_path=p))


# ---------------------------------------------------------------- size limits and the summary's place


def test_a_body_edit_that_makes_a_note_too_big_and_small_again(full):
    _config(full, "max_note_mb: 0.01\n")  # 10 KB
    before = settled(full)
    path = full / REFLECTION_2
    small = path.read_text()
    rewrite(path, small + "words " * 3000)  # the frontmatter is as it was
    index(full)
    text = text_of(full)
    unreadable = section(text, "## Notes that could not be read")
    assert "is over max_note_mb" in unreadable and "its 2 actions are listed as last read" in unreadable
    assert "- [ ] Book the follow-up — [[2026-11-17 Reflection]]" in section(text, "## Open actions")
    assert summary_of(full) == fresh(full)
    rewrite(path, small)
    index(full)
    assert summary_of(full) == before == fresh(full)


def test_a_size_limit_raised_reads_a_note_it_skipped(full):
    path = full / REFLECTION_2
    rewrite(path, path.read_text() + "words " * 3000)
    _config(full, "max_note_mb: 0.01\n")
    settled(full)
    assert "is over max_note_mb" in text_of(full)
    config = full / ".vaultkit/config.yaml"
    config.write_text(config.read_text().replace("max_note_mb: 0.01", "max_note_mb: 1"))
    index(full)
    text = text_of(full)
    assert "## Notes that could not be read" not in text and "Book the follow-up" in text
    assert summary_of(full) == fresh(full)


def test_a_size_limit_lowered_skips_a_note_it_read(full):
    path = full / REFLECTION_2
    rewrite(path, path.read_text() + "words " * 3000)
    settled(full)
    assert "Book the follow-up" in text_of(full)
    _config(full, "max_note_mb: 0.01\n")
    index(full)
    assert "is over max_note_mb" in text_of(full)
    assert summary_of(full) == fresh(full)


def test_the_summary_moved_by_the_setting(full):
    settled(full)
    _config(full, 'summary_path: "Lists/Actions.md"\n')
    index(full)
    moved = (full / "Lists/Actions.md").read_bytes()
    copy = Path(tempfile.mkdtemp(prefix="fresh-")) / "vault"
    shutil.copytree(full, copy, ignore=lambda d, names: ["local"] if d.endswith(".vaultkit") else [])
    (copy / "Lists/Actions.md").unlink()
    index(copy)
    assert moved == (copy / "Lists/Actions.md").read_bytes()
    shutil.rmtree(copy.parent)
    assert "- [ ] Plan the trip" in moved.decode()
    assert not index(full).summary_written


# ---------------------------------------------------------------- what depends on other notes


@pytest.mark.parametrize(
    "head",
    [
        pytest.param("", id="untyped"),  # once an IntegrityError in every index
        pytest.param("type: note\n", id="typed"),
        pytest.param("type: reflection\ndate: 2026-11-10\nsession: 1\n", id="integration"),
    ],
)
def test_a_name_like_a_copy_follows_what_its_original_says(full, head):
    """`Plans 2.md` is a copy only while `Plans.md` beside it says the same:
    the copy's own file never changes here, only the original does. (Its text
    differs from the original's, with no base to merge it against: it stays.)"""
    original = f'---\n{head}actions: ["Plan the trip"]\n---\n'
    build_tree(full, {PLANS: original, "Journal/Plans 2.md": original + "A line only the copy has.\n"})
    os.utime(full / PLANS, ns=(OLD, OLD))
    os.utime(full / "Journal/Plans 2.md", ns=(OLD, OLD))
    before = settled(full)
    assert "`Journal/Plans 2.md` is a conflict copy of [[Plans]]" in before.decode()
    plans = full / PLANS

    rewrite(plans, f'---\n{head}actions: ["Plan the holiday"]\n---\n')  # no longer the same note
    index(full)
    text = text_of(full)
    assert "## Sync conflict copies" not in text
    assert "Plan the trip — [[Plans 2]]" in text and "Plan the holiday — [[Plans]]" in text
    assert summary_of(full) == fresh(full)

    rewrite(plans, original)
    index(full)
    assert summary_of(full) == before == fresh(full)

    plans.unlink()  # the original gone: the copy is a note of its own
    index(full)
    text = text_of(full)
    assert "## Sync conflict copies" not in text and "Plan the trip — [[Plans 2]]" in text
    assert summary_of(full) == fresh(full)


def test_a_change_vaultkit_could_not_apply_is_shown_then_the_summary_settles(full):
    """A box ticked on an action whose text changed meanwhile is reported in
    the run that saw it; the next run gives what a fresh store gives."""
    settled(full)
    tick(full, "Plan the trip")
    rewrite(full / PLANS, '---\nactions: ["Plan the trip, reworded"]\n---\n')
    report = index(full)
    assert any("no longer exists" in p for p in report.problems)
    assert "no longer exists" in section(text_of(full), "## Changes vaultkit did not apply")
    assert (full / PLANS).read_text() == '---\nactions: ["Plan the trip, reworded"]\n---\n'
    index(full)
    assert summary_of(full) == fresh(full)
    assert "- [ ] Plan the trip, reworded" in text_of(full)
    assert not index(full).summary_written


def test_a_tick_taken_back_in_the_summary(full):
    before = settled(full)
    tick(full, "Call my sister")
    index(full)
    summary = full / SUMMARY
    summary.write_text(summary.read_text().replace("- [x] Call my sister ", "- [ ] Call my sister ", 1))
    report = index(full)
    assert [o.change.status for o in report.ticked] == ["open"]
    assert (full / REFLECTION_1).read_text() == VAULT[REFLECTION_1]
    assert summary_of(full) == before == fresh(full)


# ---------------------------------------------------------------- a watcher's batches


def test_batches_after_an_unchanged_one(full):
    """What `vaultkit watch` runs per batch: refresh over the paths it was told of."""
    before = settled(full)
    assert not batch(full, set()).summary_written
    path = full / REFLECTION_2
    rewrite(path, path.read_text() + "A body edit.\n")
    assert not batch(full, {REFLECTION_2}).summary_written
    assert summary_of(full) == before
    rewrite(path, path.read_text().replace("Book the follow-up", "Book a walk"))
    assert batch(full, {REFLECTION_2}).summary_written
    assert "Book a walk" in text_of(full)
    assert summary_of(full) == fresh(full)
    tick(full, "Book a walk")
    assert [o.change.action.text for o in batch(full, {SUMMARY}).ticked] == ["Book a walk"]
    assert "Book a walk" in section(text_of(full), "## Done in the last")
    assert summary_of(full) == fresh(full)


def test_a_batch_on_a_new_day_or_with_a_new_global_filter(full):
    settled(full)
    day = date(2026, 11, 28)
    batch(full, set(), today=day)  # the summary's own timer, or an event elsewhere
    assert "Write the letter" in section(text_of(full), "### Overdue")
    assert summary_of(full) == fresh(full, today=day)
    settings_file = full / TASKS
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"globalFilter": "#task"}))
    path = full / PLANS
    rewrite(path, path.read_text() + "Body.\n")  # the next event a watcher gets: a body edit
    batch(full, {PLANS}, today=day)
    assert all(line.startswith("- [ ] #task ") for line in _open_lines(text_of(full)))
    assert summary_of(full) == fresh(full, today=day)


def test_a_batch_with_a_folder_renamed_and_a_copy_of_the_summary(full):
    settled(full)
    os.rename(full / "Journal", full / "Diary")
    batch(full, set(), folders=("Journal", "Diary"))
    assert "Plan the trip — [[Plans]]" in text_of(full)
    build_tree(full, {"Diary/Review.md": '---\nactions: ["Review the diary"]\n---\n'})
    batch(full, {"Diary/Review.md"})
    text = text_of(full)
    assert "Review the diary — [[Diary/Review]]" in text and "Plan the review — [[Work/Review]]" in text
    assert summary_of(full) == fresh(full)
    copy = "Integration Actions (Conflicted copy Phone 202611241430).md"
    (full / copy).write_text(text.replace("- [ ] Plan the trip ", "- [x] Plan the trip ", 1))
    batch(full, {copy})
    assert not (full / copy).exists()
    assert "Plan the trip" in section(text_of(full), "## Done in the last")
    assert summary_of(full) == fresh(full)


# ---------------------------------------------------------------- older copies against commands


def test_drop_after_a_tick_of_the_same_action_in_the_summary(full, run):
    run("index")
    run("index")
    tick(full, "Plan the trip")
    uid = ids(full)["Plan the trip"]
    assert run("drop", uid).exit_code == 0  # the command's own change wins over the box
    assert [a.status for a in actions_of(full) if a.text == "Plan the trip"] == ["dropped"]
    assert "Plan the trip" not in text_of(full)
    assert summary_of(full) == fresh(full, lambda p: run("index", vault_path=p))


def test_an_older_copy_of_the_summary_after_done_does_not_reopen(full, run):
    run("index")
    old = summary_of(full)
    uid = ids(full)["Plan the trip"]
    assert run("done", uid).exit_code == 0
    (full / SUMMARY).write_bytes(old)  # it shows the action open, as it was then
    run("index")
    assert [a.status for a in actions_of(full) if a.text == "Plan the trip"] == ["done"]
    assert summary_of(full) == fresh(full, lambda p: run("index", vault_path=p))


def test_a_tick_on_a_summary_like_an_earlier_one_is_never_lost(full):
    """After `done` then `reopen`, the summary is byte for byte the one the first
    tick was made on (output is deterministic, and reopen gives the note its
    bytes back). A tick saved on it now cannot be told from that first copy
    saved again by a stale buffer, so it is applied, as a tick is never lost,
    and shows under Done, where the person sees it and can reopen it."""
    settled(full)
    before = summary_of(full)
    tick(full, "Plan the trip")
    ticked_copy = summary_of(full)
    index(full)
    uid = ids(full)["Plan the trip"]
    index_vault(full, TODAY, commands=[(uid, "open")])
    assert (full / PLANS).read_text() == VAULT[PLANS]
    assert summary_of(full) == before  # the very bytes the tick was made on
    (full / SUMMARY).write_bytes(ticked_copy)
    index(full)
    assert "[x] Plan the trip" in (full / PLANS).read_text()
    done_section = text_of(full).split(DONE_HEADING, 1)[1]
    assert f"^{uid}" in done_section


# ---------------------------------------------------------------- found in review


def test_a_new_vaultkit_that_renders_the_block_differently_rewrites_it(full, monkeypatch):
    """An upgrade that changes only how the block is rendered (a heading's words,
    the overview, an escaping fix), with no note changed and the same day and
    settings: the first run after it writes what a fresh store writes."""
    settled(full)
    render_block = vaultkit.summary.render.render_block
    monkeypatch.setattr(
        vaultkit.summary.render, "render_block", lambda block: render_block(block) + "\nNew in 9.9.\n"
    )
    monkeypatch.setattr(vaultkit, "__version__", "9.9.9")  # what an upgrade changes too
    index(full)
    assert "New in 9.9." in text_of(full)
    assert summary_of(full) == fresh(full)


def test_a_kept_conflict_copy_of_the_summary_stays_listed_through_watcher_batches(full):
    """A copy of the summary with the person's own text in it stays beside it and
    is listed for them to merge; a watcher's batch about a note (or its timer after
    a save of the summary) does not take that line out of the summary."""
    settled(full)
    copy = "Integration Actions.sync-conflict-20261124-101010-ABCDEFG.md"
    (full / copy).write_text("A line of mine\n" + text_of(full))
    index(full)
    listed = f"`{copy}` is a conflict copy of this note"
    assert listed in text_of(full)
    path = full / PLANS
    rewrite(path, path.read_text().replace("Plan the trip", "Plan the journey"))
    batch(full, {PLANS})
    assert "Plan the journey" in text_of(full)
    assert listed in text_of(full)  # a batch about a note once took it out
    assert summary_of(full) == fresh(full)
    batch(full, set())  # the watcher coming back to a summary left alone after a save
    assert listed in text_of(full)
    assert summary_of(full) == fresh(full)
    (full / copy).unlink()  # merged and deleted by the person: a batch of its path takes it out
    batch(full, {copy})
    assert listed not in text_of(full)
    assert summary_of(full) == fresh(full)
