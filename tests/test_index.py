"""The indexer, the summary note, `index`, `actions` and `check`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from vaultkit import notes
from vaultkit.conflicts import Facts, original_of
from vaultkit.notes import record_from_bytes
from vaultkit.summary.file import BEGIN, END
from vaultkit.summary.render import Block, render_block

from .helpers import (
    actions_of,
    age,
    build_tree,
    index_vault,
    make_unreadable,
    read_until,
    saved_now,
    snapshot,
)

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 11, 24)

VAULT = {
    "Integration/2026/2026-11-01 Intention.md": (
        "---\ntype: intention\ndate: 2026-11-01\nsession: 1\nactions:\n"
        '  - "[x] Clear the afternoon"\n---\n# Intention\n'
    ),
    "Integration/2026/2026-11-02 Reflection.md": (
        "---\ntype: reflection\ndate: 2026-11-02\nsession: 1\n"
        'intention: "[[2026-11-01 Intention]]"\nactions:\n'
        '  - "Call my sister"\n'
        '  - "[ ] Book the follow-up"\n'
        "  - text: Notice when I hold my breath\n    kind: internal\n"
        "  - text: Walk on Sundays\n    status: done\n    done: 2026-11-20\n"
        "  - text: Old habit\n    status: dropped\n"
        "---\nBody text.\n"
    ),
    "Integration/2026/2026-11-16 Intention.md": (
        "---\ntype: intention\ndate: 2026-11-16\nsession: 2\nactions: []\n---\n"
    ),
    "Integration/2026/2026-11-17 Reflection.md": (
        "---\ntype: reflection\ndate: 2026-11-17\nsession: 2\nactions:\n"
        "  - text: Write the letter\n    id: letter\n    due: 2026-11-30\n"
        "  - text: Let good enough be enough\n    kind: internal\n"
        "---\n"
    ),
    # Two notes with the same name: links must be path-qualified.
    "Journal/Plans.md": '---\nactions: ["Plan the trip"]\n---\n',
    "Work/Plans.md": "---\nactions:\n  - Plan the review\n---\n",
    "Journal/No frontmatter.md": "Just text.\n",
    # Sync conflicts: flagged, grouped with the original, never counted.
    "Work/Plans.sync-conflict-20261120-101010-ABCDEFG.md": "---\nactions: [Plan the review]\n---\n",
    "Journal/Plans (Alice's conflicted copy 2026-11-20).md": "---\nactions: [x]\n---\n",
    # Unreadable.
    "Broken.md": "---\nactions: [unclosed\n---\n",
    # Ignored places.
    ".trash/Deleted.md": "---\nactions: [Should not appear]\n---\n",
    ".obsidian/x.md": "---\nactions: [Nor this]\n---\n",
}


@pytest.fixture
def full_vault(vault: Path) -> Path:
    return build_tree(vault, VAULT)


def test_summary_golden(full_vault):
    result = index_vault(full_vault, TODAY)
    assert result.summary_written
    text = (full_vault / "Integration Actions.md").read_text()
    golden = GOLDEN / "summary_basic.md"
    if os.environ.get("VAULTKIT_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_summary_is_deterministic_and_written_only_on_change(full_vault):
    index_vault(full_vault, TODAY)
    summary = full_vault / "Integration Actions.md"
    first = summary.read_bytes()
    mtime = summary.stat().st_mtime_ns
    again = index_vault(full_vault, TODAY)
    assert not again.summary_written
    assert summary.read_bytes() == first
    assert summary.stat().st_mtime_ns == mtime
    # A fresh store gives the same bytes too.
    shutil.rmtree(full_vault / ".vaultkit/local")
    assert not index_vault(full_vault, TODAY).summary_written


def test_text_outside_markers_is_kept_byte_for_byte(full_vault):
    summary = full_vault / "Integration Actions.md"
    before = "My own intro\r\nwith CRLF  \n\n"
    after = "\n## My notes\nkeep me\x0c\n"
    summary.write_bytes(f"{before}{BEGIN}\nold\n{END}{after}".encode())
    index_vault(full_vault, TODAY)
    data = summary.read_bytes().decode()
    assert data.startswith(before + BEGIN)
    assert data.endswith(END + after)
    assert "Call my sister" in data


def test_summary_without_markers_is_not_overwritten_unless_adopted(full_vault, run):
    summary = full_vault / "Integration Actions.md"
    summary.write_text("A note I wrote myself.\n")
    result = run("index")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: Integration Actions.md: it has no vaultkit markers, so vaultkit will not "
        "overwrite it; pass --adopt-summary"
    )
    assert summary.read_text() == "A note I wrote myself.\n"
    assert run("index", "--adopt-summary").exit_code == 0
    text = summary.read_text()
    assert text.startswith("A note I wrote myself.\n\n" + BEGIN)
    assert "Call my sister" in text


def test_damaged_markers_are_refused(full_vault, run):
    summary = full_vault / "Integration Actions.md"
    summary.write_text(f"{END}\nmine\n{BEGIN}\n")
    result = run("index")
    assert result.exit_code == 1
    assert "its markers are damaged" in result.stderr
    assert summary.read_text() == f"{END}\nmine\n{BEGIN}\n"


@pytest.mark.parametrize(
    "data, message",
    [
        (f"Mine\n{BEGIN}\nold\n{END}\n".encode("utf-16"), "UTF-16 encoded"),
        (f"Mine \xff\n{BEGIN}\nold\n{END}\n".encode("latin-1"), "not valid UTF-8 (byte 0xff)"),
        (f"Mine\n{BEGIN}\nold \xff\n{END}\n".encode("latin-1"), "not valid UTF-8 (byte 0xff)"),
    ],
    ids=["utf16", "bad-byte-in-my-text", "bad-byte-in-the-block"],
)
def test_a_summary_that_is_not_utf8_is_left_alone(full_vault, run, data, message):
    summary = full_vault / "Integration Actions.md"
    summary.write_bytes(data)
    result = run("index")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Integration Actions.md: it is ")
    assert message in result.stderr
    assert summary.read_bytes() == data


def test_summary_lines_are_obsidian_tasks_with_block_ids(full_vault):
    index_vault(full_vault, TODAY)
    lines = (full_vault / "Integration Actions.md").read_text().splitlines()
    tasks = [line for line in lines if line.startswith(("- [ ] ", "- [x] "))]
    actions = actions_of(full_vault)
    shown = {a.id for a in actions if a.status == "open"} | {
        a.id for a in actions if a.status == "done" and a.done
    }
    assert sorted(t.rsplit(" ^", 1)[1] for t in tasks) == sorted(shown)
    assert "- [ ] Write the letter — [[2026-11-17 Reflection]] 📅 2026-11-30 ^letter" in tasks
    assert "- [ ] Plan the review — [[Work/Plans]] ^" in "\n".join(tasks)
    assert "- [x] Walk on Sundays — [[2026-11-02 Reflection]] ✅ 2026-11-20 ^" in "\n".join(tasks)


def test_index_cli_counts_and_warnings(full_vault, run):
    result = run("index")
    assert result.exit_code == 0
    assert result.stdout == (
        "8 notes and 2 conflict copies (10 read, 0 unchanged), 7 open actions (5 external, 2 internal), 1 unreadable; "
        "Integration Actions.md updated\n"
    )
    assert result.stderr.splitlines() == [
        "warning: Broken.md:3: frontmatter is not valid YAML: did not find expected ',' or ']'",
        "warning: Journal/Plans (Alice's conflicted copy 2026-11-20).md: sync-conflict copy "
        "of Journal/Plans.md; not counted",
        "warning: Work/Plans.sync-conflict-20261120-101010-ABCDEFG.md: sync-conflict copy "
        "of Work/Plans.md; not counted",
    ]
    strict = run("index", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.endswith("Error: 1 note could not be read (see above)\n")


def test_actions_json_fields_filters_and_order(full_vault, run):
    result = run("actions", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["text"] for r in rows] == [
        "Write the letter",
        "Let good enough be enough",
        "Call my sister",
        "Book the follow-up",
        "Notice when I hold my breath",
        "Plan the trip",
        "Plan the review",
    ]
    letter = rows[0]
    assert letter == {
        "id": "letter",
        "text": "Write the letter",
        "kind": "external",
        "status": "open",
        "due": "2026-11-30",
        "done": None,
        "source": "Integration/2026/2026-11-17 Reflection.md",
        "date": "2026-11-17",
        "session": 2,
        "domain": None,
    }
    internal_done = json.loads(run("actions", "--status", "all", "--kind", "internal", "--json").stdout)
    assert {r["text"] for r in internal_done} == {
        "Let good enough be enough",
        "Notice when I hold my breath",
    }
    dropped = json.loads(run("actions", "--status", "dropped", "--json").stdout)
    assert [r["text"] for r in dropped] == ["Old habit"]
    done = json.loads(run("actions", "--status", "done", "--json").stdout)
    assert {r["text"] for r in done} == {"Clear the afternoon", "Walk on Sundays"}


def test_ids_are_stable_and_valid_block_ids(full_vault):
    first = {a.text: a.id for a in actions_of(full_vault)}
    shutil.rmtree(full_vault / ".vaultkit/local")
    second = {a.text: a.id for a in actions_of(full_vault)}
    assert first == second
    assert all(ch.isalnum() or ch == "-" for i in first.values() for ch in i)
    assert first["Write the letter"] == "letter"
    # Ticking a string action keeps its id.
    note = full_vault / "Integration/2026/2026-11-02 Reflection.md"
    note.write_text(note.read_text().replace('"Call my sister"', '"[x] Call my sister"'))
    assert {a.text: a.id for a in actions_of(full_vault)}["Call my sister"] == first["Call my sister"]


def test_duplicate_action_text_gets_distinct_ids(vault):
    build_tree(vault, {"a.md": "---\nactions: [Same, Same, '[x] Same']\n---\n"})
    ids = [a.id for a in actions_of(vault)]
    assert len(set(ids)) == 3
    assert ids[1] == ids[0] + "-2"


def test_an_id_in_several_notes_is_kept_by_the_first_in_path_order(vault):
    notes = {
        rel: f"---\nactions:\n  - text: In {rel}\n    id: same\n---\n" for rel in ("b.md", "a/z.md", "a.md")
    }
    build_tree(vault, notes)
    ids = {a.source: a.id for a in actions_of(vault)}
    assert ids == {"a.md": "same", "a/z.md": "same-2", "b.md": "same-3"}


def test_a_suffix_never_makes_an_id_another_action_was_given(vault, run):
    """`abc` twice in a.md and `abc-2` written in b.md: the second `abc` is `abc-3`,
    so every line has its own block id and a tick reaches the action ticked."""
    build_tree(
        vault,
        {
            "a.md": "---\nactions:\n  - text: One\n    id: abc\n  - text: Two\n    id: abc\n---\n",
            "b.md": "---\nactions:\n  - text: Three\n    id: abc-2\n---\n",
        },
    )
    assert {a.text: a.id for a in actions_of(vault)} == {
        "One": "abc",
        "Two": "abc-3",
        "Three": "abc-2",
    }
    run("index")
    summary = vault / "Integration Actions.md"
    text = summary.read_text()
    assert "- [ ] Two — [[a]] ^abc-3\n" in text and "- [ ] Three — [[b]] ^abc-2\n" in text
    summary.write_text(text.replace("- [ ] Two", "- [x] Two"))
    run("index")
    statuses = {a.text: a.status for a in actions_of(vault)}
    assert statuses == {"One": "open", "Two": "done", "Three": "open"}
    assert run("done", "abc-2").exit_code == 0  # b.md's own id: not a suffix of a.md's
    assert run("reopen", "abc-3").exit_code == 0
    statuses = {a.text: a.status for a in actions_of(vault)}
    assert statuses == {"One": "open", "Two": "open", "Three": "done"}


def test_done_finds_the_action_a_suffixed_id_names_in_its_note(vault, run):
    """The note alone would number its two `x` as `x` and `x-2`; in the vault,
    a.md's `x` comes first, so b.md's are `x-2` and `x-3`."""
    build_tree(
        vault,
        {
            "a.md": "---\nactions:\n  - text: One\n    id: x\n---\n",
            "b.md": "---\nactions:\n  - text: Two\n    id: x\n  - text: Three\n    id: x\n---\n",
        },
    )
    assert [a.id for a in actions_of(vault)] == ["x", "x-2", "x-3"]
    assert run("done", "x-2").exit_code == 0
    statuses = {a.text: a.status for a in actions_of(vault)}
    assert statuses == {"One": "open", "Two": "done", "Three": "open"}


def test_check_reports_path_line_message(vault, run):
    build_tree(
        vault,
        {
            "good.md": "---\nactions: [Fine]\n---\n",
            "schema.md": (
                "---\ntype: reflection\nmood: 11\nactions:\n  - text: Walk\n    kind: outer\n"
                "  - due: 2026-01-01\n  - text: Later\n    due: 2026-02-30\n---\n"
            ),
            "yaml.md": "---\nfine: 1\nactions:\n  - [ ] Call\n---\n",
        },
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "schema.md:3: mood must be a number from 0 to 10",
        "schema.md:5: kind must be internal or external",
        "schema.md:7: action needs a `text` (the action itself)",
        "schema.md:8: due must be a date like 2026-11-24",
        "yaml.md:4: frontmatter is not valid YAML: did not find expected '-' indicator "
        '(put quotes around an action that starts with [ ], e.g. - "[ ] Call")',
    ]
    assert result.stderr == "Error: 5 problems in 2 notes\n"
    (vault / "schema.md").unlink()
    (vault / "yaml.md").unlink()
    ok = run("check")
    assert ok.exit_code == 0
    assert ok.stdout == "1 note checked; no problems.\n"


# ---------------------------------------------------------------- bad input


BAD_NOTES: dict[str, tuple[bytes, str | None]] = {
    "broken-yaml.md": (b"---\nactions: [a, b\n---\n", "not valid YAML"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),  # None: not vaultkit's, never named
    "dashes-only.md": (b"---\n", None),
    "dashes-with-type.md": (b"---\ntype: reflection\n", "never closed"),
    "unclosed.md": (b"---\nactions: [x]\nno end here\n", "never closed"),
    "duplicate-keys.md": (b"---\nactions: [a]\nactions: [b]\n---\n", "duplicate key 'actions'"),
    "python-tag.md": (
        b"---\nactions: []\nx: !!python/object/apply:os.system ['echo hi']\n---\n",
        "not valid YAML",
    ),
    "alias-bomb.md": (
        b"---\na: &a [l,l,l,l,l,l,l,l,l]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nactions: *e\n---\n",
        "expand to more than",
    ),
    "latin1.md": (b"---\nactions: [caf\xe9]\n---\n", "not valid UTF-8"),
    "utf16.md": ("---\nactions: [x]\n---\n".encode("utf-16"), "UTF-16"),
    "list-frontmatter.md": (b"---\n- a\n- b\n---\n", None),
    "intro-swallowed.md": (b"---\n\nIntro\n\n---\nrest\n", None),
    "conflict-markers.md": (
        b"---\n<<<<<<< HEAD\nactions: [a]\n=======\nactions: [b]\n>>>>>>> other\n---\n",
        "git conflict markers",
    ),
    "impossible-date.md": (b"---\ndate: 2026-02-30\nactions: [ok]\n---\n", ""),
}
GOOD_NOTES = {
    "good.md": "---\nactions: [Good one]\n---\n",
    "bom.md": "\ufeff---\nactions:\n  - BOM action\n---\nbody\n",
    "crlf.md": "---\r\nactions:\r\n  - CRLF action\r\n---\r\nbody\r\n",
    "empty.md": "",
    "empty-frontmatter.md": "---\n---\nbody\n",
    "yaml11.md": (
        "---\ntitle: no\nstarted: 1:30\nzip: 012345\nlink: [[Note]]\n"
        "actions:\n  - no\n  - [[Unquoted link]]\n---\n"
    ),
}


def test_malformed_notes_are_reported_and_never_hide_good_ones(vault, run, tmp_path):
    files: dict[str, str | bytes] = {name: data for name, (data, _) in BAD_NOTES.items()}
    files.update(GOOD_NOTES)
    files["huge.md"] = b"---\nactions: [Too big]\n---\n" + b"x" * (20 * 1024 * 1024)
    build_tree(vault, files)
    loop = vault / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    (vault / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    before = snapshot(vault)

    result = run("index")
    assert result.exit_code == 0, result.output
    after = snapshot(vault)
    assert {k: v for k, v in after.items() if k != "Integration Actions.md"} == before

    texts = {a.text for a in actions_of(vault)}
    assert {"Good one", "BOM action", "CRLF action", "no", "[[Unquoted link]]", "ok"} <= texts
    summary = (vault / "Integration Actions.md").read_text()
    for name, (_, reason) in BAD_NOTES.items():
        if reason is None:
            assert f"[[{name[:-3]}]]" not in summary and name not in result.stderr, name
        elif reason:
            assert f"[[{name[:-3]}]]" in summary, name
            line = next(line for line in result.stderr.splitlines() if f" {name}" in line)
            assert reason in line, (name, line)
    assert "[[huge]]: skipped: 20.0 MB is over max_note_mb (10 MB)" in summary
    assert "`loop/self`: symlink loop; not followed" in summary
    assert "`dangling.md`: cannot read" in summary
    # Note text never reaches the messages.
    assert "echo hi" not in result.output and "Too big" not in result.stderr


def test_yaml11_values_are_not_corrupted():
    record = record_from_bytes("n.md", GOOD_NOTES["yaml11.md"].encode())
    assert record.error is None
    assert [a.text for a in record.actions] == ["no", "[[Unquoted link]]"]


def test_note_deleted_between_listing_and_reading(vault, monkeypatch):
    build_tree(vault, {"stays.md": "---\nactions: [Stay]\n---\n", "goes.md": "---\nactions: [Go]\n---\n"})
    real = notes.read_head  # the one read of a note: the note goes just before it

    def vanish(note, limit):
        if os.path.basename(note.path) == "goes.md":
            os.unlink(note.path)
        return real(note, limit)

    monkeypatch.setattr(notes, "read_head", vanish)
    report = index_vault(vault)
    assert [a.text for a in actions_of(vault)] == ["Stay"]
    assert report.counts.notes == 1 and report.unreadable == []


def test_unreadable_permission(vault, run, monkeypatch):
    build_tree(vault, {"secret.md": "---\nactions: [x]\n---\n", "ok.md": "---\nactions: [Fine]\n---\n"})
    make_unreadable(vault, "secret.md", monkeypatch)
    result = run("index")
    assert result.exit_code == 0
    assert "warning: secret.md: cannot read (Permission denied)" in result.stderr
    assert "1 open action " in result.stdout


@pytest.mark.parametrize(
    ("name", "original"),
    [
        ("a/Note.sync-conflict-20260913-101010-ABCDEFG.md", "a/Note.md"),
        ("Note (Alice's conflicted copy 2026-11-24).md", "Note.md"),
        ("Note (Conflicted copy Device 202411281430).md", "Note.md"),
        ("Note (conflicted copy 2018-04-10 093612).md", "Note.md"),
        ("Note_BASE_123.md", "Note.md"),
        ("Note_LOCAL_4567.md", "Note.md"),
        ("Note-LAPTOP.md", "Note.md"),
        ("Note 2.md", "Note.md"),
    ],
)
def test_conflict_names(name, original):
    same = Facts("reflection", "2026-11-24", 3, frozenset({"Call", "Walk"}))
    assert original_of(name, lambda rel: same if rel in (name, original) else None) == original


def test_weak_conflict_patterns_need_the_original_and_the_same_note():
    same = Facts("reflection", "2026-11-24", 3, frozenset({"Call"}))
    assert original_of("Plan-B.md", lambda rel: same if rel == "Plan-B.md" else None) is None
    assert original_of("Chapter 2.md", lambda rel: same if rel != "Chapter.md" else None) is None
    other = Facts("reflection", "2026-12-01", 4, frozenset({"Call"}))  # another session's note
    assert original_of("Week 3.md", lambda rel: same if rel == "Week.md" else other) is None
    undated = Facts(None, None, None, frozenset())  # two plain pages: nothing says they are one
    assert original_of("Week 3.md", lambda rel: undated) is None
    assert original_of("a/Note.sync-conflict-20260913-101010-ABCDEFG.md", lambda rel: None) == "a/Note.md"


def test_a_new_day_is_not_taken_for_an_unchanged_vault(vault):
    build_tree(vault, {"a.md": "---\nactions: ['[x] Call Sam \u2705 2026-11-01']\n---\n"})
    build_tree(vault, {f"n{i:02d}.md": f"---\nactions: ['[ ] Task {i}']\n---\n" for i in range(5)})
    summary = vault / "Integration Actions.md"
    index_vault(vault, date(2026, 11, 2))
    assert "Call Sam" in summary.read_text()  # done yesterday: listed as recently done
    with (vault / "n01.md").open("a") as note:
        note.write("More.\n")
    result = index_vault(vault, date(2026, 12, 2))  # a month on, with only a body edited
    assert result.summary_written and "Call Sam" not in summary.read_text()


def _forty_notes(vault: Path) -> None:
    build_tree(vault, {f"n{i:02d}.md": f"---\nactions: ['[ ] Task {i}']\n---\n" for i in range(40)})
    age(vault)


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_ino


def test_only_changed_notes_are_read_again(full_vault, run):
    age(full_vault)
    assert "(10 read, 0 unchanged)" in run("index").stdout  # conflict copies are read too
    assert "(0 read, 10 unchanged)" in run("index").stdout
    (full_vault / "Work/Plans.md").write_text("---\nactions:\n  - Plan the review\n  - Book a room\n---\n")
    assert "(1 read, 9 unchanged)" in run("index").stdout
    assert "Book a room" in {a.text for a in actions_of(full_vault)}


def test_a_same_size_edit_with_its_mtime_put_back_is_seen(vault):
    note = vault / "a.md"
    note.write_text("---\nactions: [Aaaa]\n---\n")
    age(vault)
    actions_of(vault)
    st = note.stat()
    # A sync client rewrites the file by rename (new inode) and restores the mtime.
    tmp = vault / "a.tmp"
    tmp.write_text("---\nactions: [Bbbb]\n---\n")
    os.replace(tmp, note)
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert note.stat().st_size == st.st_size
    assert [a.text for a in actions_of(vault)] == ["Bbbb"]


def test_a_note_read_just_after_it_was_written_is_read_again(vault, run):
    """A coarse clock (FAT: 2 s) can hide a second edit in the same tick: such a
    note is read again by the next run, until its last write is older than that."""
    _forty_notes(vault)
    run("index")
    (vault / "n05.md").write_text("---\nactions: ['[ ] Task 5, now']\n---\n")
    saved_now(vault / "n05.md")
    assert "(1 read, 39 unchanged)" in run("index").stdout
    assert "(1 read, 39 unchanged)" in run("index").stdout  # still within the tick: read again
    age(vault)
    run("index")
    assert "(0 read, 40 unchanged)" in run("index").stdout


def test_an_edit_below_the_frontmatter_leaves_the_summary_alone(vault, run):
    _forty_notes(vault)
    run("index")
    summary = vault / "Integration Actions.md"
    before = _stat(summary), summary.read_bytes()
    with (vault / "n05.md").open("a") as note:
        note.write("Some thoughts, written after the session.\n")
    out = run("index").stdout
    assert out.startswith("40 notes (1 read, 39 unchanged)")
    assert out.rstrip().endswith("Integration Actions.md unchanged")
    assert (_stat(summary), summary.read_bytes()) == before
    (vault / "n00.md").write_text("---\nactions: ['[ ] Task 0, reworded']\n---\n")
    assert run("index").stdout.rstrip().endswith("Integration Actions.md updated")
    assert "Task 0, reworded" in summary.read_text()


def test_a_body_edit_does_not_hide_a_tick_or_a_new_note(vault, run):
    _forty_notes(vault)
    run("index")
    summary = vault / "Integration Actions.md"
    summary.write_text(summary.read_text().replace("- [ ] Task 7 ", "- [x] Task 7 ", 1))
    with (vault / "n05.md").open("a") as note:
        note.write("More.\n")
    run("index")
    assert (vault / "n07.md").read_text().startswith("---\nactions: ['[x] Task 7 \u2705 ")
    (vault / "n40.md").write_text("---\nactions: ['[ ] Task 40']\n---\n")
    out = run("index").stdout
    assert out.startswith("41 notes (") and out.rstrip().endswith("Integration Actions.md updated")
    assert "Task 40" in summary.read_text()


def test_a_note_dated_before_1970_is_judged_by_its_stat_like_any_other(vault, run):
    _forty_notes(vault)
    os.utime(vault / "n07.md", ns=(-86_400 * 10**9, -86_400 * 10**9))  # 31 December 1969
    assert run("index").stdout.startswith("40 notes (40 read, 0 unchanged)")
    assert run("index").stdout.startswith("40 notes (0 read, 40 unchanged)")
    os.utime(vault / "n07.md", ns=(-2 * 86_400 * 10**9, -2 * 86_400 * 10**9))
    assert run("index").stdout.startswith("40 notes (1 read, 39 unchanged)")


# ---------------------------------------------------------------- the store


def _store_files(vault: Path) -> list[Path]:
    return sorted((vault / ".vaultkit/local").glob("*.sqlite3"))


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda data: b"{not a database" + data[15:], "it is damaged (DatabaseError)"),
        (lambda data: data[: len(data) // 3], "it is damaged (DatabaseError)"),
        (lambda data: b"", None),  # an empty file is a new database
    ],
    ids=["garbage", "cut-short", "empty"],
)
def test_a_damaged_store_is_set_aside_and_rebuilt(full_vault, run, damage, why):
    age(full_vault)
    first = run("index")
    summary = (full_vault / "Integration Actions.md").read_text()
    [store] = _store_files(full_vault)
    store.write_bytes(damage(store.read_bytes()))
    again = run("index")
    assert again.exit_code == 0
    assert "(10 read, 0 unchanged)" in again.stdout and "7 open actions" in again.stdout
    assert (full_vault / "Integration Actions.md").read_text() == summary
    if why:
        assert (
            f"notice: vaultkit's store {store.name} was set aside ({why}); rebuilt from the notes"
            in again.stderr
        )
        assert store.with_name(store.name + ".set-aside").exists()
    assert first.stdout.split(" (")[0] == again.stdout.split(" (")[0]


def test_a_store_of_another_program_or_a_newer_vaultkit_is_set_aside(full_vault, run):
    import sqlite3

    age(full_vault)
    run("index")
    [store] = _store_files(full_vault)
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA user_version = 99")
    again = run("index")
    assert "a newer vaultkit made it (schema 99" in again.stderr and "(10 read, 0 unchanged)" in again.stdout
    store.unlink()
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE photos (id)")
    again = run("index")
    assert "set aside (it is not vaultkit's)" in again.stderr and again.exit_code == 0


def test_a_store_of_the_previous_schema_is_migrated_keeping_the_tick_protocols_state(full_vault, run):
    """Schema 5 kept every note's fields and actions in two tables; schema 6 keeps a
    stat key for every note and a record for vaultkit's own only. The upgrade reads every note
    again and keeps what `reopen`, the ticks and the nudges rely on."""
    from vaultkit.fs import load_vault
    from vaultkit.store import SCHEMA_VERSION, open_store

    age(full_vault)
    run("index")
    loaded = load_vault(full_vault)
    store = open_store(loaded, print)
    store.conn.executescript(
        "DROP TABLE files; DROP TABLE notes; CREATE TABLE notes (path TEXT PRIMARY KEY, key TEXT NOT NULL);"
        "CREATE TABLE actions (path TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL);"
        "INSERT INTO notes VALUES ('a.md', 'a key');"
        "INSERT INTO undo VALUES ('a.md', 'x', 'what done wrote', 'what it replaced');"
        "INSERT INTO nudged VALUES ('1:1-week check-in', '2026-11-30');"
        "PRAGMA user_version = 5;"
    )
    store.close()
    result = run("index")
    assert result.exit_code == 0 and "(10 read, 0 unchanged)" in result.stdout, result.output
    assert "set aside" not in result.stderr
    store = open_store(loaded, print)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert store.undo("a.md", "x") == ("what done wrote", "what it replaced")
        assert store.nudged_on("1:1-week check-in") == "2026-11-30"
    finally:
        store.close()
    assert "7 open actions" in run("index").stdout


def test_a_store_of_an_older_schema_is_set_aside_and_rebuilt(full_vault, run):
    import sqlite3

    from vaultkit.fs import load_vault
    from vaultkit.store import APPLICATION_ID, store_path

    age(full_vault)
    path = store_path(load_vault(full_vault))
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 4")
    result = run("index")
    assert result.exit_code == 0 and "(10 read, 0 unchanged)" in result.stdout, result.output
    assert (
        f"notice: vaultkit's store {path.name} was set aside (an older vaultkit made it (schema 4)); "
        "rebuilt from the notes" in result.stderr
    )
    assert "set aside" not in run("index").stderr


def test_a_store_copied_in_with_the_vault_from_another_folder_is_not_trusted(full_vault, run, tmp_path):
    """Two copies of one vault on one device (a backup restored, a second clone):
    the store that came with the copy describes the other folder's notes."""
    age(full_vault)
    run("index")
    copy = tmp_path / "copy"
    shutil.copytree(full_vault, copy)
    (copy / "Work/Plans.md").write_text("---\nactions: [Plan the review, Only in the copy]\n---\n")
    os.utime(copy / "Work/Plans.md", ns=((full_vault / "Work/Plans.md").stat().st_mtime_ns,) * 2)
    result = run("index", vault_path=copy)
    assert "set aside (it belongs to a copy of this vault in another folder)" in result.stderr
    assert "Only in the copy" in (copy / "Integration Actions.md").read_text()


def test_each_device_keeps_its_own_store_beside_the_others(full_vault, run, tmp_path, monkeypatch, device):
    """A sync client copies .vaultkit/ between devices: each device's store has
    its own name, so one arriving from another device is never opened here."""
    age(full_vault)
    run("index")
    [mine] = _store_files(full_vault)
    laptop = tmp_path / "laptop"
    shutil.copytree(full_vault, laptop)  # the other device's copy of the vault, with this store in it
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "laptop-home"))
    result = run("index", vault_path=laptop)
    assert result.exit_code == 0 and "set aside" not in result.stderr
    assert "(10 read, 0 unchanged)" in result.stdout  # its own store: new
    theirs = [p for p in _store_files(laptop) if p.name != mine.name]
    assert len(theirs) == 1 and (laptop / ".vaultkit/local" / mine.name).exists()
    shutil.copy2(theirs[0], full_vault / ".vaultkit/local" / theirs[0].name)  # the sync step back
    monkeypatch.setenv("XDG_STATE_HOME", str(device))  # this device again
    back = run("index")
    assert back.exit_code == 0 and "(0 read, 10 unchanged)" in back.stdout and "set aside" not in back.stderr


def test_the_store_is_owner_only_and_holds_no_state_files_of_earlier_versions(full_vault, run):
    old = ["cache.json", "cache.jsonl", "summary-state.json", "summary-boxes.json"]
    for name in old:
        (full_vault / ".vaultkit" / name).write_text("{}")
    run("index")
    assert not [name for name in old if (full_vault / ".vaultkit" / name).exists()]
    [store] = _store_files(full_vault)
    assert store.stat().st_mode & 0o777 == 0o600
    assert (full_vault / ".vaultkit/local").stat().st_mode & 0o777 == 0o700


def test_slow_yaml_is_warned_about_when_notes_are_parsed(vault, run, monkeypatch):
    import yaml

    build_tree(vault, {"a.md": "---\nactions: [x]\n---\n"})
    age(vault)
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    first = run("index")
    assert "warning: PyYAML was installed without libyaml" in first.stderr
    second = run("index")  # nothing changed: nothing parsed, nothing to warn about
    assert second.stdout.startswith("1 note (0 read, 1 unchanged)")
    assert "libyaml" not in second.stderr


@pytest.mark.slow
def test_the_progress_bar_shows_on_a_terminal_only_and_not_with_no_color(tmp_path):
    """In a real pseudo-terminal a big first read draws a bar; NO_COLOR or a pipe draw nothing."""
    import pty

    from benchmarks.generate import generate

    root = tmp_path / "big"
    generate(root, 2100, seed=3)

    def on_a_terminal(extra: dict[str, str]) -> bytes:
        shutil.rmtree(root / ".vaultkit" / "local", ignore_errors=True)
        env = {**os.environ, **extra, "PYTHONPATH": str(GOLDEN.parent.parent)}
        leader, follower = pty.openpty()
        proc = subprocess.Popen(  # vaultkit with the terminal as its stderr
            [sys.executable, "-m", "vaultkit", "--vault", str(root), "index"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
            start_new_session=True,
        )
        os.close(follower)
        try:
            out = read_until(leader, None, timeout=60)
            assert proc.wait(timeout=20) == 0, out
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(leader)
        return out

    shown = on_a_terminal({"TERM": "xterm"})
    assert b"Reading notes" in shown and b"2100 notes" in shown
    plain = on_a_terminal({"TERM": "xterm", "NO_COLOR": "1"})
    assert b"Reading notes" not in plain and b"\x1b" not in plain and b"2100 notes" in plain


def test_adopting_a_summary_whose_markers_were_deleted_replaces_the_old_list(full_vault, run):
    """The person deleted the two marker lines by mistake: vaultkit's old list is
    recognised and replaced (not kept as a dead copy above a new one), and their
    own text around it stays."""
    run("index")
    summary = full_vault / "Integration Actions.md"
    text = summary.read_text()
    summary.write_text(
        "My words above\n" + text.replace(BEGIN + "\n", "").replace(END, "") + "## Mine\nbelow\n"
    )
    assert run("index").exit_code == 1  # no markers: refused without --adopt-summary
    adopted = run("index", "--adopt-summary")
    assert adopted.exit_code == 0
    assert (
        "warning: Integration Actions.md: replaced vaultkit's own old list, found without its markers (lines "
        in (adopted.stderr)
    )
    again = summary.read_text()
    assert again.count("## Open actions") == 1 and again.count(BEGIN) == 1
    assert again.startswith("My words above\n# Integration actions\n\n" + BEGIN)
    assert again.endswith(END + "\n## Mine\nbelow\n")


def test_adopting_a_note_of_ones_own_keeps_it_and_says_so(full_vault, run):
    summary = full_vault / "Integration Actions.md"
    summary.write_text("A note I wrote myself.\nTwo lines of it.\n")
    adopted = run("index", "--adopt-summary")
    assert "warning: Integration Actions.md: kept your 2 lines above the new summary block" in adopted.stderr
    assert summary.read_text().startswith("A note I wrote myself.\nTwo lines of it.\n\n" + BEGIN)


def test_inner_actions_and_domains_ride_in_the_text(vault, run):
    """A list of text is all Obsidian's Properties panel edits: `inner:` sets the
    kind and a trailing #domain tag the domain; a mapping may say `domain:`."""
    build_tree(
        vault,
        {
            "a.md": (
                "---\nactions:\n"
                '  - "[ ] inner: Notice when I hold my breath #body"\n'
                '  - "[ ] Book a follow-up 📅 2026-12-20 #relationships"\n'
                '  - "[ ] Walk #Nature 📅 2026-12-21"\n'
                "  - text: Rest more\n    kind: internal\n    domain: mind\n"
                "  - text: Plain\n    domain: moon\n"
                "---\n"
            )
        },
    )
    rows = {r["text"]: r for r in json.loads(run("actions", "--json").stdout)}
    assert {t: (r["kind"], r["domain"], r["due"]) for t, r in rows.items()} == {
        "Notice when I hold my breath": ("internal", "body", None),
        "Book a follow-up": ("external", "relationships", "2026-12-20"),
        "Walk": ("external", "nature", "2026-12-21"),
        "Rest more": ("internal", "mind", None),
        "Plain": ("external", None, None),
    }
    # The same action written either way has the same id: a rewrite by the Properties panel keeps it.
    from vaultkit.actions import derive_id

    assert rows["Notice when I hold my breath"]["id"] == derive_id("a.md", "Notice when I hold my breath")
    body = json.loads(run("actions", "--domain", "body", "--json").stdout)
    assert [r["text"] for r in body] == ["Notice when I hold my breath"]
    assert (
        "a.md:9: domain must be one of mind, body, spirit, relationships, lifestyle, nature"
        in run("check").stdout
    )
    run("index")
    summary = (vault / "Integration Actions.md").read_text()
    assert (
        f"- [ ] Book a follow-up — [[a]] #relationships 📅 2026-12-20 ^{rows['Book a follow-up']['id']}\n"
        in summary
    )
    inner = rows["Notice when I hold my breath"]["id"]
    assert run("done", inner).exit_code == 0
    assert '  - "[x] inner: Notice when I hold my breath #body ✅ ' in (vault / "a.md").read_text()
    run("reopen", inner)
    assert '  - "[ ] inner: Notice when I hold my breath #body"\n' in (vault / "a.md").read_text()


def test_a_summary_path_in_a_folder_not_made_yet(vault, run):
    (vault / ".vaultkit" / "config.yaml").write_text('summary_path: "Sub/Actions.md"\n')
    (vault / "n.md").write_text('---\nactions: ["Walk"]\n---\n')
    result = run("index")
    assert result.exit_code == 0, result.output
    assert "- [ ] Walk" in (vault / "Sub" / "Actions.md").read_text()


def test_an_upgraded_reader_renders_the_summary_anew_even_with_no_note_left(
    vault: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new vaultkit whose reader reads notes differently starts its store
    over; the summary it wrote before must not be taken as still standing
    because nothing was left to read (here the one note went meanwhile)."""
    from vaultkit import store

    build_tree(vault, {"Plans.md": '---\nactions: ["Plan the trip"]\n---\n'})
    age(vault)
    assert run("index").exit_code == 0
    assert run("index").exit_code == 0  # a second run: the summary stands as it is
    summary = vault / "Integration Actions.md"
    assert "Plan the trip" in summary.read_text()
    (vault / "Plans.md").unlink()
    monkeypatch.setattr(store, "READER_VERSION", store.READER_VERSION + 1)
    result = run("index")
    assert result.exit_code == 0, result.output
    assert "Plan the trip" not in summary.read_text()


def test_the_summary_puts_the_tick_list_first_and_the_overview_last():
    """What is due, then the boxes to tick, then what was done and what needs
    fixing; the overview and its charts only after all of that."""
    block = render_block(
        Block(
            14,
            ["- [ ] Late — [[n]] 📅 2026-11-01 ^late"],
            ["- [ ] Call — [[n]] ^call"],
            ["- [ ] Notice — [[n]] ^notice"],
            ["- [x] Walk — [[n]] ✅ 2026-11-20 ^walk"],
            ["- Session 1 — reflection due since 2026-11-02: `vaultkit new reflection --session 1`"],
            ["## Overview", "", "- Sessions: 1", "", "```mermaid", "timeline", "```", ""],
            [("[[Broken]]", 3, "bad YAML")],
            [("- [x] Wait — [[m]] ^wait", "waiting for `m.md` to be readable")],
            [("copy.md", "[[n]]", None)],
            ["a tick on ^gone: no such action"],
        )
    )
    headings = [line for line in block.splitlines() if line.startswith("#")]
    assert headings == [
        "## Follow-ups due",
        "## Open actions",
        "### Overdue",
        "### Things to do (external)",
        "### Inner work (internal)",
        "## Done in the last 14 days",
        "## Notes that could not be read",
        "## Ticks not applied yet",
        "## Changes vaultkit did not apply",
        "## Sync conflict copies to merge",
        "## Overview",
    ]
    assert block.endswith("```\n")


def test_the_example_vaults_open_actions_come_before_any_chart(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "vault", vault)
    index_vault(vault, TODAY)
    lines = (vault / "Integration Actions.md").read_text().splitlines()
    first_chart = lines.index("```mermaid")
    tasks = [i for i, line in enumerate(lines) if line.startswith(("- [ ] ", "- [x] "))]
    assert len(tasks) >= 5 and max(tasks) < first_chart < lines.index("## Overview") + 10
    assert lines.index("## Open actions") < 20  # on the first screen, whatever the charts
