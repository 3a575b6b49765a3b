"""Regression tests for engine bugs a user reproduced: summary ticks, bad summary text, write-back bytes,
in-place edits that keep their mtime. Public behaviour only: the CLI, real files and their bytes."""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path

import pytest

from .helpers import TODAY, build_tree

NOTE = "Integration/2026-11-20 Reflection.md"
NOTE_TEXT = (
    "---\n"
    "type: reflection\n"
    "date: 2026-11-20\n"
    "session: 1\n"
    "actions:\n"
    '  - "[ ] Call my sister"\n'
    "  - text: Notice when I hold my breath\n"
    "    kind: internal\n"
    "---\n"
    "Body\n"
)
SISTER = '  - "[ ] Call my sister"\n'
BREATH = "  - text: Notice when I hold my breath\n    kind: internal\n"
LINK = "[[2026-11-20 Reflection]]"
SUMMARY = "Integration Actions.md"


def ids(run) -> dict[str, str]:
    result = run("actions", "--status", "all", "--json")
    assert result.exit_code == 0, result.output
    return {a["text"]: a["id"] for a in json.loads(result.stdout)}


@pytest.fixture
def indexed(vault, run):
    """The reflection note, indexed once; returns {text: id}."""
    build_tree(vault, {NOTE: NOTE_TEXT})
    assert run("index").exit_code == 0
    return ids(run)


def sister_line(box: str, action_id: str, tail: str = "") -> str:
    return f"- [{box}] Call my sister — {LINK}{tail} ^{action_id}"


def breath_line(box: str, action_id: str) -> str:
    return f"- [{box}] Notice when I hold my breath — {LINK} ^{action_id}"


def edit_summary(vault: Path, old: str, new: str) -> int:
    """Replace one whole line of the summary; return its 1-based line number."""
    path = vault / SUMMARY
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines.count(old) == 1, f"{old!r} not once in the summary"
    number = lines.index(old)
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Overwrite bytes in place, same size, same inode, and put the old mtime back."""
    assert len(old) == len(new)
    st = path.stat()
    with open(path, "r+b") as handle:
        data = handle.read()
        assert data.count(old) == 1
        handle.seek(data.index(old))
        handle.write(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)


def note(vault: Path) -> str:
    return (vault / NOTE).read_text(encoding="utf-8")


def reports_line(stderr: str, number: int) -> bool:
    return re.search(rf"(?::|line ){number}\b", stderr) is not None


# ---------------------------------------------------------------- 1. a command beats a stale tick


@pytest.mark.parametrize(
    ("text", "line", "dropped"),
    [
        ("Call my sister", "sister", '  - "[-] Call my sister ❌ {today}"\n'),
        ("Notice when I hold my breath", "breath", BREATH + "    status: dropped\n"),
    ],
)
def test_drop_wins_over_an_unharvested_tick_in_the_summary(vault, run, indexed, text, line, dropped):
    """`drop ID` after an unharvested tick of that action in the summary leaves it dropped, also after `index`."""
    action_id = indexed[text]
    make = sister_line if line == "sister" else breath_line
    edit_summary(vault, make(" ", action_id), make("x", action_id))
    result = run("drop", action_id[:6])
    assert result.exit_code == 0
    assert result.stdout.startswith("Dropped: ")
    today = TODAY.isoformat()
    old = SISTER if line == "sister" else BREATH
    expected = NOTE_TEXT.replace(old, dropped.format(today=today))
    assert note(vault) == expected
    assert run("index").exit_code == 0
    assert note(vault) == expected
    assert f"^{action_id}" not in (vault / SUMMARY).read_text(encoding="utf-8")


# ---------------------------------------------------------------- 2. a done date that is no date


def test_impossible_done_date_in_the_summary_is_reported_and_the_tick_kept(vault, run, indexed):
    """A ticked summary line ending `✅ 2026-13-45` is reported with its line number, and the action ends done."""
    action_id = indexed["Call my sister"]
    number = edit_summary(vault, sister_line(" ", action_id), sister_line("x", action_id, " ✅ 2026-13-45"))
    result = run("index")
    assert result.exit_code == 0, result.output
    assert reports_line(result.stderr, number), result.stderr
    assert re.search(r'\n  - "\[x\] Call my sister ✅ \d{4}-\d{2}-\d{2}"\n', note(vault)), note(vault)
    again = run("index")
    assert again.exit_code == 0, again.output


# ---------------------------------------------------------------- 3. the Tasks date after the block id


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("Call my sister", '  - "[x] Call my sister ✅ {day}"\n'),
        ("Notice when I hold my breath", BREATH + "    status: done\n    done: {day}\n"),
    ],
)
def test_tick_with_done_date_after_the_block_id_is_applied(vault, run, indexed, text, done):
    """A summary line `- [x] text — [[note]] ^id ✅ DATE` marks that action done on DATE."""
    day = (TODAY - datetime.timedelta(days=3)).isoformat()
    action_id = indexed[text]
    make = sister_line if text == "Call my sister" else breath_line
    edit_summary(vault, make(" ", action_id), make("x", action_id) + f" ✅ {day}")
    result = run("index")
    assert result.exit_code == 0, result.output
    old = SISTER if text == "Call my sister" else BREATH
    assert note(vault) == NOTE_TEXT.replace(old, done.format(day=day))
    assert f"- [x] {text} — {LINK} ✅ {day} ^{action_id}" in (vault / SUMMARY).read_text(encoding="utf-8")


# ---------------------------------------------------------------- 4. done then reopen gives the bytes back


@pytest.mark.parametrize(
    "item",
    [
        "  - text: Walk\n    status: open\n",
        "  - text: Walk\n    kind: internal\n    status: open  # still on it\n",
        "  - text: Walk\n    status: open\n    done:\n",
        "  - text: Walk\n    done: \n",
        "  - text: Walk\n    status: open\n    done: 2026-01-01\n",
        "  - {text: Walk, status: open}\n",
        "  - {text: Walk, kind: internal, status: open, done: 2026-01-01}\n",
    ],
)
def test_done_then_reopen_gives_the_original_bytes_of_a_mapping_action(vault, run, item):
    """`done ID` then `reopen ID` on a mapping action restores the note byte for byte."""
    original = f'---\ntype: reflection\nactions:\n{item}  - "[ ] Other"\n---\nBody\n'.encode()
    path = vault / "a.md"
    path.write_bytes(original)
    action_id = ids(run)["Walk"]
    assert run("done", action_id).exit_code == 0
    status = {a["id"]: a["status"] for a in json.loads(run("actions", "--status", "all", "--json").stdout)}
    assert status[action_id] == "done"
    assert path.read_bytes() != original
    assert run("reopen", action_id).exit_code == 0
    assert path.read_bytes() == original


# ---------------------------------------------------------------- 5. in-place edits that keep the mtime


@pytest.mark.parametrize("then", ["nothing", "reword another action"])
def test_in_place_tick_with_the_old_mtime_is_applied(vault, run, indexed, then):
    """A same-size in-place tick in the summary that keeps the file's mtime is applied by `index`."""
    action_id = indexed["Call my sister"]
    assert run("index").exit_code == 0
    old = sister_line(" ", action_id).encode()
    edit_in_place(vault / SUMMARY, old, sister_line("x", action_id).encode())
    if then == "reword another action":
        (vault / NOTE).write_text(NOTE_TEXT.replace("hold my breath", "hold my breeth"), encoding="utf-8")
    assert run("index").exit_code == 0
    assert re.search(r'\n  - "\[x\] Call my sister ✅ \d{4}-\d{2}-\d{2}"\n', note(vault)), note(vault)
    build_tree(vault, {"Integration/later.md": "---\nactions:\n  - Other\n---\n"})
    assert run("index").exit_code == 0
    assert '  - "[x] Call my sister ✅ ' in note(vault)
    assert "- [ ] Call my sister" not in (vault / SUMMARY).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["index", "actions"])
def test_in_place_edit_of_a_note_with_the_old_mtime_is_seen(vault, run, command):
    """A same-size in-place edit of an action's text that keeps the note's mtime is seen by the next command."""
    path = vault / "a.md"
    path.write_text('---\nactions:\n  - "[ ] Aaaa"\n---\nBody\n', encoding="utf-8")
    assert run("index").exit_code == 0
    assert run("index").exit_code == 0
    edit_in_place(path, b"Aaaa", b"Bbbb")
    if command == "index":
        assert run("index").exit_code == 0
        summary = (vault / SUMMARY).read_text(encoding="utf-8")
        assert "- [ ] Bbbb — [[a]] ^" in summary
        assert "Aaaa" not in summary
    else:
        result = run("actions", "--json")
        assert result.exit_code == 0
        assert [a["text"] for a in json.loads(result.stdout)] == ["Bbbb"]


# ---------------------------------------------------------------- 6. bad summary text never stops the run


@pytest.mark.parametrize("bad", ["impossible done date", "no block id", "odd box"])
def test_bad_summary_line_is_reported_and_other_ticks_are_applied(vault, run, indexed, bad):
    """A summary line vaultkit can't read is reported with its line number; index exits 0 and applies the other ticks."""
    sister, breath = indexed["Call my sister"], indexed["Notice when I hold my breath"]
    edit_summary(vault, breath_line(" ", breath), breath_line("x", breath))
    if bad == "impossible done date":
        number = edit_summary(vault, sister_line(" ", sister), sister_line("x", sister, " ✅ 2026-02-30"))
    elif bad == "odd box":
        number = edit_summary(vault, sister_line(" ", sister), sister_line("?", sister))
    else:
        line = sister_line(" ", sister)
        number = edit_summary(vault, line, "- [x] no block id here\n" + line)
    result = run("index")
    assert result.exit_code == 0, result.output
    assert reports_line(result.stderr, number), result.stderr
    assert BREATH + "    status: done\n    done: " in note(vault)
