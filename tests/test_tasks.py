"""The summary as Obsidian Tasks sees it: its field order, a tick as Tasks
writes it (with ➕ too), no two identical lines, the global filter, and the
quiet period after a person's own save of the summary."""

from __future__ import annotations

import json
import os
import re
import time
from datetime import date

import pytest
from watchdog.events import FileModifiedEvent

from vaultkit import watch
from vaultkit.fs import load_vault
from vaultkit.watch import Handler, Settings, Watcher

from .helpers import build_tree, saved_now

TODAY = date(2026, 11, 24)
NOTES = {
    "Integration/2026-11-10 Reflection.md": (
        "---\ntype: reflection\ndate: 2026-11-10\nsession: 2\nactions:\n"
        '  - "[ ] Call Sam 📅 2026-11-30 #relationships"\n'
        '  - "[ ] inner: Notice my breath #body ^breath"\n'
        '  - "[x] Write down the image ✅ 2026-11-20"\n'
        '  - "[ ] Walk by the river #nature 📅 2026-11-01"\n'  # overdue
        "  - text: Book the dentist\n    due: 2026-12-01\n"
        "---\n"
    ),
    "Integration/2026-11-17 Check-in.md": (
        "---\ntype: check-in\ndate: 2026-11-17\nsession: 2\nactions:\n"
        '  - "[ ] Call Sam 📅 2026-11-30 #relationships"\n'  # the same text as in the reflection
        '  - "[ ] Call Sam 📅 2026-11-30 #relationships"\n'  # and twice in one note
        '  - "[ ] Rest ^breath"\n'  # an id another note gives too
        "---\n"
    ),
    "Other/2026-11-17 Check-in.md": (  # a namesake in another folder
        '---\ntype: check-in\ndate: 2026-11-17\nsession: 2\nactions:\n  - "[ ] Call Sam"\n---\n'
    ),
}

# ---------------------------------------------------------------- Obsidian Tasks, as its docs describe it

ORDER = ("➕", "🛫", "⏳", "📅", "❌", "✅")  # created, start, scheduled, due, cancelled, done
_LINE = re.compile(r"^- \[(.)\] (.*)$")
_BLOCK = re.compile(r" \^[A-Za-z0-9-]+$")
_FIELD = re.compile(r" (" + "|".join(ORDER) + r") (\d{4}-\d{2}-\d{2})$")
_TAG = re.compile(r" (#[^\s#]+)$")


def tasks_parse(line: str) -> tuple[str, str, dict[str, str], str]:
    """A task line read the way Tasks reads it: backwards from the end, the block
    link, then its fields and tags in any order; trailing tags join the description."""
    match = _LINE.match(line)
    assert match, line
    box, body = match[1], match[2]
    block = _BLOCK.search(body)
    link = block[0] if block else ""
    body = body[: block.start()] if block else body
    fields: dict[str, str] = {}
    tags: list[str] = []
    while True:
        if field := _FIELD.search(body):
            fields[field[1]] = field[2]
        elif tag := _TAG.search(body):
            tags.insert(0, tag[1])
            field = tag
        else:
            break
        body = body[: field.start()]
    return box, " ".join([body, *tags]), fields, link


def tasks_serialize(box: str, description: str, fields: dict[str, str], link: str) -> str:
    """A task line as Tasks writes it: description, then its fields in its own order, the block link last."""
    return f"- [{box}] {description}" + "".join(f" {e} {fields[e]}" for e in ORDER if e in fields) + link


def tasks_tick(line: str, on: str, created: str | None = None) -> str:
    box, description, fields, link = tasks_parse(line)
    assert box == " "
    fields["✅"] = on
    if created:
        fields["➕"] = created
    return tasks_serialize("x", description, fields, link)


def task_lines(vault) -> list[str]:
    return [line for line in (vault / "Integration Actions.md").read_text().splitlines() if _LINE.match(line)]


def replace_line(summary, line: str, new: str) -> None:
    """Change one whole line of the summary, as Tasks does (it finds the line by its exact text)."""
    text = summary.read_text()
    assert text.count(line + "\n") == 1
    summary.write_text(text.replace(line + "\n", new + "\n"))
    saved_now(summary)


def index(run) -> None:
    result = run("index")
    assert result.exit_code == 0, result.output


def meta_actions(vault, rel: str) -> list:
    from vaultkit.frontmatter import parse_frontmatter

    return parse_frontmatter((vault / rel).read_bytes()).meta["actions"]


# ---------------------------------------------------------------- field order


def test_every_line_is_already_in_tasks_order(run, vault):
    build_tree(vault, NOTES)
    index(run)
    lines = task_lines(vault)
    assert len(lines) == 9
    for line in lines:
        assert tasks_serialize(*tasks_parse(line)) == line  # Tasks' rewrite of it is itself
    line = next(line for line in lines if "[[2026-11-10 Reflection]] #relationships" in line)
    assert line.startswith("- [ ] Call Sam — [[2026-11-10 Reflection]] #relationships 📅 2026-11-30 ^")
    # So a tick in Tasks changes the box and adds ✅, nothing else.
    ticked = tasks_tick(line, "2026-11-24")
    head, uid = line.rsplit(" ^", 1)
    assert ticked == f"- [x]{head[5:]} ✅ 2026-11-24 ^{uid}"


@pytest.mark.parametrize("created", [None, "2026-11-20"])
def test_a_tick_as_tasks_writes_it_reaches_the_note(run, vault, created):
    build_tree(vault, NOTES)
    index(run)
    summary = vault / "Integration Actions.md"
    line = next(line for line in task_lines(vault) if "Notice my breath" in line)
    ticked = tasks_tick(line, "2026-11-23", created)
    if created:
        assert "➕ 2026-11-20 ✅ 2026-11-23 ^breath" in ticked
    replace_line(summary, line, ticked)
    index(run)
    assert meta_actions(vault, "Integration/2026-11-10 Reflection.md")[1] == (
        "[x] inner: Notice my breath #body ✅ 2026-11-23 ^breath"
    )
    done = task_lines(vault)
    if created is None:
        assert ticked in done  # what Tasks wrote is the line vaultkit writes: a stale pane still finds it
    else:
        assert ticked.replace(" ➕ 2026-11-20", "") in done
    assert line not in done


# ---------------------------------------------------------------- identical lines


def test_no_two_lines_are_ever_the_same(run, vault):
    build_tree(vault, NOTES)
    index(run)
    lines = task_lines(vault)
    assert len(set(lines)) == len(lines)
    sams = [line for line in lines if "Call Sam" in line]
    assert len(sams) == 4
    assert len({line.rsplit("^", 1)[1] for line in sams}) == 4
    # Ticking one of the twins in the check-in changes that one only.
    twin = next(line for line in sams if "[[Integration/2026-11-17 Check-in]]" in line)
    summary = vault / "Integration Actions.md"
    replace_line(summary, twin, tasks_tick(twin, "2026-11-24"))
    index(run)
    items = meta_actions(vault, "Integration/2026-11-17 Check-in.md")
    assert [item.startswith("[x]") for item in items] == [True, False, False]
    assert meta_actions(vault, "Other/2026-11-17 Check-in.md") == ["[ ] Call Sam"]
    lines = task_lines(vault)
    assert len(set(lines)) == len(lines)


# ---------------------------------------------------------------- the global filter


def test_a_tasks_global_filter_is_on_every_line(run, vault):
    build_tree(vault, NOTES)
    settings = vault / ".obsidian/plugins/obsidian-tasks-plugin/data.json"
    build_tree(vault, {str(settings.relative_to(vault)): json.dumps({"globalFilter": "#task", "other": 1})})
    index(run)
    lines = task_lines(vault)
    assert lines and all(line[6:].startswith("#task ") for line in lines)
    for line in lines:
        assert "#task" in tasks_parse(line)[1]  # Tasks takes it for a task
        assert tasks_serialize(*tasks_parse(line)) == line
    assert not any(
        "#task" in a["text"] for a in json.loads(run("actions", "--json").stdout)
    )  # only the summary has it
    line = next(line for line in lines if "Rest" in line)
    summary = vault / "Integration Actions.md"
    replace_line(summary, line, tasks_tick(line, "2026-11-24"))
    index(run)
    assert meta_actions(vault, "Integration/2026-11-17 Check-in.md")[2] == "[x] Rest ✅ 2026-11-24 ^breath"
    assert "- [x] #task Rest — [[Integration/2026-11-17 Check-in]] ✅ 2026-11-24 ^breath-2" in task_lines(
        vault
    )
    # Settings that can't be read are no filter; none set, none written.
    settings.write_text("{not json")
    index(run)
    assert not any("#task" in line for line in task_lines(vault))


# ---------------------------------------------------------------- the quiet period


def test_index_applies_a_fresh_save_at_once(run, vault, monkeypatch):
    """The quiet period is the watcher's: `index` is the person asking for the
    summary now, so it applies a save made a moment ago and rewrites at once."""
    monkeypatch.setattr(watch, "QUIET", 5.0)
    build_tree(vault, NOTES)
    index(run)
    summary = vault / "Integration Actions.md"
    line = next(line for line in task_lines(vault) if "Rest" in line)
    replace_line(summary, line, tasks_tick(line, "2026-11-24"))
    started = time.monotonic()
    index(run)
    assert time.monotonic() - started < 4
    assert meta_actions(vault, "Integration/2026-11-17 Check-in.md")[2] == "[x] Rest ✅ 2026-11-24 ^breath"
    assert "- [x] Rest — [[Integration/2026-11-17 Check-in]] ✅ 2026-11-24 ^breath-2" in task_lines(vault)


def test_the_watcher_leaves_the_summary_alone_then_comes_back(vault, monkeypatch):
    monkeypatch.setattr(watch, "QUIET", 0.6)
    build_tree(vault, NOTES)
    watcher = Watcher(load_vault(vault), lambda: TODAY, Settings(debounce=0.1, settle=1.0), lambda m: None)
    watcher.prime()
    try:
        summary = vault / "Integration Actions.md"
        line = next(line for line in task_lines(vault) if "Rest" in line)
        theirs = summary.read_text().replace(line, tasks_tick(line, "2026-11-24"))
        summary.write_text(theirs)
        saved_now(summary)
        Handler(watcher.vault, watcher.inbox, watcher.log).dispatch(FileModifiedEvent(os.fspath(summary)))
        watcher.step(time.monotonic() + 0.2)
        # The tick is in the note at once; the summary is the person's own for now.
        assert (
            meta_actions(vault, "Integration/2026-11-17 Check-in.md")[2] == "[x] Rest ✅ 2026-11-24 ^breath"
        )
        assert summary.read_text() == theirs
        assert watcher.summary_due is not None
        watcher.step(time.monotonic())
        assert summary.read_text() == theirs  # still too soon
        time.sleep(max(0.0, watcher.summary_due - time.monotonic()) + 0.05)
        watcher.step(time.monotonic())  # no new event: the watcher comes back by itself
        assert summary.read_text() != theirs
        assert "- [x] Rest — [[Integration/2026-11-17 Check-in]] ✅ 2026-11-24 ^breath-2" in task_lines(vault)
        assert watcher.summary_due is None
    finally:
        watcher.close()


def test_a_summary_dated_in_the_future_waits_once_not_forever(vault, monkeypatch):
    """A sync client can carry a save from a device whose clock runs ahead."""
    watcher = _watching(vault, monkeypatch, quiet=0.5)
    try:
        summary = vault / "Integration Actions.md"
        line = next(line for line in task_lines(vault) if "Rest" in line)
        theirs = summary.read_text().replace(line, tasks_tick(line, "2026-11-24"))
        summary.write_text(theirs)
        ahead = time.time() + 3600
        os.utime(summary, (ahead, ahead))
        Handler(watcher.vault, watcher.inbox, watcher.log).dispatch(FileModifiedEvent(os.fspath(summary)))
        watcher.step(time.monotonic() + 0.2)
        assert summary.read_text() == theirs and watcher.summary_due is not None
        time.sleep(max(0.0, watcher.summary_due - time.monotonic()) + 0.05)
        watcher.step(time.monotonic())
        assert "- [x] Rest — [[Integration/2026-11-17 Check-in]] ✅ 2026-11-24 ^breath-2" in task_lines(vault)
        assert watcher.summary_due is None
    finally:
        watcher.close()


def _watching(vault, monkeypatch, quiet: float = 5.0) -> Watcher:
    monkeypatch.setattr(watch, "QUIET", quiet)
    build_tree(vault, NOTES)
    watcher = Watcher(load_vault(vault), lambda: TODAY, Settings(debounce=0.1, settle=1.0), lambda m: None)
    watcher.prime()
    return watcher


def _saved(watcher: Watcher, path) -> None:
    """A save the watcher hears of, handled as its next batch."""
    saved_now(path)
    Handler(watcher.vault, watcher.inbox, watcher.log).dispatch(FileModifiedEvent(os.fspath(path)))
    watcher.step(time.monotonic() + 0.2)


CHECK_IN = "Integration/2026-11-17 Check-in.md"


def test_a_note_reopened_during_the_quiet_period_stays_open(vault, monkeypatch):
    """The person's summary, not yet rewritten, must not be harvested a second
    time: its old tick would undo the newer edit of the note."""
    watcher = _watching(vault, monkeypatch)
    try:
        summary = vault / "Integration Actions.md"
        line = next(line for line in task_lines(vault) if "Rest" in line)
        summary.write_text(summary.read_text().replace(line, tasks_tick(line, "2026-11-24")))
        _saved(watcher, summary)
        note = vault / CHECK_IN
        assert meta_actions(vault, CHECK_IN)[2] == "[x] Rest ✅ 2026-11-24 ^breath"
        note.write_text(note.read_text().replace('"[x] Rest ✅ 2026-11-24 ^breath"', '"[ ] Rest ^breath"'))
        _saved(watcher, note)
        assert meta_actions(vault, CHECK_IN)[2] == "[ ] Rest ^breath"  # the note's newer word stands
        assert watcher.summary_due is not None  # and the summary is still the person's
    finally:
        watcher.close()


def test_a_tick_taken_back_within_the_quiet_period_is_undone(vault, monkeypatch):
    watcher = _watching(vault, monkeypatch)
    try:
        summary = vault / "Integration Actions.md"
        note = vault / CHECK_IN
        before = note.read_bytes()
        written = summary.read_text()
        line = next(line for line in task_lines(vault) if "Rest" in line)
        summary.write_text(written.replace(line, line.replace("- [ ]", "- [x]", 1)))
        _saved(watcher, summary)
        assert meta_actions(vault, CHECK_IN)[2].startswith("[x] Rest")
        summary.write_text(written)  # the wrong box: ticked back, to vaultkit's own bytes
        _saved(watcher, summary)
        assert note.read_bytes() == before  # open again, the note as it was
    finally:
        watcher.close()


def test_a_failing_refresh_after_the_quiet_period_is_not_retried_in_a_loop(vault, monkeypatch):
    logged: list[str] = []
    monkeypatch.setattr(watch, "QUIET", 0.3)
    build_tree(vault, NOTES)
    watcher = Watcher(load_vault(vault), lambda: TODAY, Settings(debounce=0.1, settle=1.0), logged.append)
    watcher.prime()
    try:
        summary = vault / "Integration Actions.md"
        line = next(line for line in task_lines(vault) if "Rest" in line)
        summary.write_text(summary.read_text().replace(line, tasks_tick(line, "2026-11-24")))
        _saved(watcher, summary)
        assert watcher.summary_due is not None
        summary.write_text("the markers are gone\n")  # saved, and not heard of yet
        saved_now(summary)
        end = time.monotonic() + 1.5
        while time.monotonic() < end:  # the loop comes back once, fails once, and waits for news
            watcher.step(time.monotonic())
            time.sleep(0.01)
        assert sum("no vaultkit markers" in m for m in logged) == 1, logged
    finally:
        watcher.close()


def test_the_same_bytes_saved_again_are_a_new_save(run, vault, monkeypatch):
    watcher = _watching(vault, monkeypatch, quiet=0.5)
    try:
        summary = vault / "Integration Actions.md"
        line = next(line for line in task_lines(vault) if "Rest" in line)
        written = summary.read_text()
        ticked = written.replace(line, line.replace("- [ ]", "- [x]", 1))
        summary.write_text(ticked)
        _saved(watcher, summary)
        assert watcher.summary_due is not None
        time.sleep(max(0.0, watcher.summary_due - time.monotonic()) + 0.05)
        watcher.step(time.monotonic())  # the tick applied, the summary rewritten
        assert run("reopen", "breath-2").exit_code == 0
        assert line in task_lines(vault)  # shown open again
        summary.write_text(ticked)  # the same tick, the same bytes, a new save
        _saved(watcher, summary)
        assert summary.read_text() == ticked and watcher.summary_due is not None  # left alone again
    finally:
        watcher.close()
