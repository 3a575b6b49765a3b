"""The indexer, the summary note, `index`, `actions` and `check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import index as index_module
from vaultkit.index import build_index, conflict_original, record_from_bytes
from vaultkit.summary import BEGIN, END, same_bytes
from vaultkit.sync import sync
from vaultkit.vault import load_vault, read_head

from .helpers import build_tree, make_unreadable, snapshot

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
    result = sync(load_vault(full_vault), TODAY)
    assert result.summary_written
    text = (full_vault / "Integration Actions.md").read_text()
    golden = GOLDEN / "summary_basic.md"
    if os.environ.get("VAULTKIT_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_summary_is_deterministic_and_written_only_on_change(full_vault):
    vault = load_vault(full_vault)
    sync(vault, TODAY)
    summary = full_vault / "Integration Actions.md"
    first = summary.read_bytes()
    mtime = summary.stat().st_mtime_ns
    again = sync(vault, TODAY)
    assert not again.summary_written
    assert summary.read_bytes() == first
    assert summary.stat().st_mtime_ns == mtime
    # A fresh cache gives the same bytes too.
    (full_vault / ".vaultkit/cache.jsonl").unlink()
    assert not sync(vault, TODAY).summary_written


def test_text_outside_markers_is_kept_byte_for_byte(full_vault):
    summary = full_vault / "Integration Actions.md"
    before = "My own intro\r\nwith CRLF  \n\n"
    after = "\n## My notes\nkeep me\x0c\n"
    summary.write_bytes(f"{before}{BEGIN}\nold\n{END}{after}".encode())
    sync(load_vault(full_vault), TODAY)
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
    assert result.stderr.startswith("Error: Integration Actions.md: summary note is ")
    assert message in result.stderr
    assert summary.read_bytes() == data


def test_summary_lines_are_obsidian_tasks_with_block_ids(full_vault):
    vault = load_vault(full_vault)
    sync(vault, TODAY)
    lines = (full_vault / "Integration Actions.md").read_text().splitlines()
    tasks = [line for line in lines if line.startswith(("- [ ] ", "- [x] "))]
    idx = build_index(vault)
    shown = {a.id for a in idx.actions if a.status == "open"} | {
        a.id for a in idx.actions if a.status == "done" and a.done
    }
    assert sorted(t.rsplit(" ^", 1)[1] for t in tasks) == sorted(shown)
    assert "- [ ] Write the letter — [[2026-11-17 Reflection]] 📅 2026-11-30 ^letter" in tasks
    assert "- [ ] Plan the review — [[Work/Plans]] ^" in "\n".join(tasks)
    assert "- [x] Walk on Sundays — [[2026-11-02 Reflection]] ✅ 2026-11-20 ^" in "\n".join(tasks)


def test_index_cli_counts_and_warnings(full_vault, run):
    result = run("index")
    assert result.exit_code == 0
    assert result.stdout == (
        "8 notes (10 read, 0 cached), 7 open actions (5 external, 2 internal), 1 unreadable; "
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
    assert strict.stderr.endswith("Error: 1 note(s) could not be read (see above)\n")


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
    vault = load_vault(full_vault)
    first = {a.text: a.id for a in build_index(vault, use_cache=False).actions}
    second = {a.text: a.id for a in build_index(vault, use_cache=False).actions}
    assert first == second
    assert all(ch.isalnum() or ch == "-" for i in first.values() for ch in i)
    assert first["Write the letter"] == "letter"
    # Ticking a string action keeps its id.
    note = full_vault / "Integration/2026/2026-11-02 Reflection.md"
    note.write_text(note.read_text().replace('"Call my sister"', '"[x] Call my sister"'))
    assert {a.text: a.id for a in build_index(vault).actions}["Call my sister"] == first["Call my sister"]


def test_duplicate_action_text_gets_distinct_ids(vault):
    build_tree(vault, {"a.md": "---\nactions: [Same, Same, '[x] Same']\n---\n"})
    ids = [a.id for a in build_index(load_vault(vault)).actions]
    assert len(set(ids)) == 3
    assert ids[1] == ids[0] + "-2"


def test_an_id_in_several_notes_is_kept_by_the_first_in_path_order(vault):
    notes = {
        rel: f"---\nactions:\n  - text: In {rel}\n    id: same\n---\n" for rel in ("b.md", "a/z.md", "a.md")
    }
    build_tree(vault, notes)
    ids = {a.source: a.id for a in build_index(load_vault(vault)).actions}
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
    assert {a.text: a.id for a in build_index(load_vault(vault)).actions} == {
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
    statuses = {a.text: a.status for a in build_index(load_vault(vault), use_cache=False).actions}
    assert statuses == {"One": "open", "Two": "done", "Three": "open"}
    assert run("done", "abc-2").exit_code == 0  # b.md's own id: not a suffix of a.md's
    assert run("reopen", "abc-3").exit_code == 0
    statuses = {a.text: a.status for a in build_index(load_vault(vault), use_cache=False).actions}
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
    assert [a.id for a in build_index(load_vault(vault)).actions] == ["x", "x-2", "x-3"]
    assert run("done", "x-2").exit_code == 0
    statuses = {a.text: a.status for a in build_index(load_vault(vault), use_cache=False).actions}
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
    assert result.stderr == "Error: 5 problem(s) in 2 note(s)\n"
    (vault / "schema.md").unlink()
    (vault / "yaml.md").unlink()
    ok = run("check")
    assert ok.exit_code == 0
    assert ok.stdout == "1 notes checked; no problems.\n"


# ---------------------------------------------------------------- the cache


def test_cache_reparses_only_changed_notes(full_vault):
    vault = load_vault(full_vault)
    cold = build_index(vault)
    assert (cold.parsed, cold.cached) == (10, 0)  # conflict copies are read too
    warm = build_index(vault)
    assert (warm.parsed, warm.cached) == (0, 10)
    note = full_vault / "Work/Plans.md"
    note.write_text("---\nactions:\n  - Plan the review\n  - Book a room\n---\n")
    one = build_index(vault)
    assert (one.parsed, one.cached) == (1, 9)
    assert "Book a room" in {a.text for a in one.actions}


def test_cache_notices_same_size_edit_with_restored_mtime(vault):
    note = vault / "a.md"
    note.write_text("---\nactions: [Aaaa]\n---\n")
    vault_obj = load_vault(vault)
    build_index(vault_obj)
    st = note.stat()
    # A sync client rewrites the file by rename (new inode) and restores the mtime.
    tmp = vault / "a.tmp"
    tmp.write_text("---\nactions: [Bbbb]\n---\n")
    os.replace(tmp, note)
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert note.stat().st_size == st.st_size
    assert [a.text for a in build_index(vault_obj).actions] == ["Bbbb"]


def test_corrupt_cache_is_ignored(full_vault):
    vault = load_vault(full_vault)
    build_index(vault)
    (full_vault / ".vaultkit/cache.jsonl").write_text("{not json")
    again = build_index(vault)
    assert again.parsed == 10
    assert len(again.actions) == 10


def test_a_cache_cut_short_is_ignored_whole(full_vault):
    vault = load_vault(full_vault)
    build_index(vault)
    cache = full_vault / ".vaultkit/cache.jsonl"
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) - 7])  # the last note's line is cut off mid-way
    again = build_index(vault)
    assert (again.parsed, again.cached) == (10, 0)
    assert len(again.actions) == 10


def test_the_old_cache_file_is_removed_when_the_new_one_is_written(full_vault):
    old = full_vault / ".vaultkit/cache.json"
    old.write_text('{"version": 1, "notes": {}}')
    build_index(load_vault(full_vault))
    assert not old.exists()
    assert (full_vault / ".vaultkit/cache.jsonl").exists()


# ---------------------------------------------------------------- bad input


BAD_NOTES: dict[str, tuple[bytes, str]] = {
    "broken-yaml.md": (b"---\nactions: [a, b\n---\n", "not valid YAML"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
    "dashes-only.md": (b"---\n", "never closed"),
    "unclosed.md": (b"---\nactions: [x]\nno end here\n", "never closed"),
    "duplicate-keys.md": (b"---\nactions: [a]\nactions: [b]\n---\n", "duplicate key 'actions'"),
    "python-tag.md": (
        b"---\nx: !!python/object/apply:os.system ['echo hi']\n---\n",
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
    "list-frontmatter.md": (b"---\n- a\n- b\n---\n", "not a set of"),
    "intro-swallowed.md": (b"---\n\nIntro\n\n---\nrest\n", "not a set of"),
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

    texts = {a.text for a in build_index(load_vault(vault)).actions}
    assert {"Good one", "BOM action", "CRLF action", "no", "[[Unquoted link]]", "ok"} <= texts
    summary = (vault / "Integration Actions.md").read_text()
    for name, (_, reason) in BAD_NOTES.items():
        if reason:
            assert f"`{name}`" in summary, name
            line = next(line for line in result.stderr.splitlines() if f" {name}" in line)
            assert reason in line, (name, line)
    assert "`huge.md`: skipped: 20.0 MB is over max_note_mb (10 MB)" in summary
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
    real = index_module.read_head

    def vanish(path, limit, expected=0):
        if os.path.basename(path) == "goes.md":
            os.unlink(path)
        return real(path, limit, expected)

    monkeypatch.setattr(index_module, "read_head", vanish)
    idx = build_index(load_vault(vault))
    assert [a.text for a in idx.actions] == ["Stay"]
    assert idx.vanished == ["goes.md"]


def test_unreadable_permission(vault, run, monkeypatch):
    build_tree(vault, {"secret.md": "---\nactions: [x]\n---\n", "ok.md": "---\nactions: [Fine]\n---\n"})
    make_unreadable(vault, "secret.md", monkeypatch)
    result = run("index")
    assert result.exit_code == 0
    assert "warning: secret.md: cannot read (Permission denied)" in result.stderr
    assert "1 open actions" in result.stdout


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
    assert conflict_original(name, {original}) == original


def test_weak_conflict_patterns_need_the_original():
    assert conflict_original("Plan-B.md", set()) is None
    assert conflict_original("Chapter 2.md", {"Chapter 1.md"}) is None


def test_slow_yaml_is_warned_about_only_when_notes_are_parsed(vault, run, monkeypatch):
    import vaultkit.notes

    build_tree(vault, {"a.md": "---\nactions: [x]\n---\n"})
    monkeypatch.setattr(vaultkit.notes, "has_libyaml", lambda: False)
    first = run("index")
    assert "warning: PyYAML was installed without libyaml" in first.stderr
    second = run("index")  # nothing changed: nothing parsed, nothing to warn about
    assert second.stdout.startswith("1 notes (0 read, 1 cached)")
    assert "libyaml" not in second.stderr
    monkeypatch.setattr(vaultkit.notes, "has_libyaml", lambda: True)
    (vault / "a.md").write_text("---\nactions: [y]\n---\n")
    assert "libyaml" not in run("index").stderr


_LIBYAML_CHECK = """
import sys
from vaultkit.notes import has_libyaml
print(has_libyaml(), "yaml" in sys.modules)
"""


def test_libyaml_is_found_without_importing_pyyaml(tmp_path):
    import yaml

    here = subprocess.run([sys.executable, "-c", _LIBYAML_CHECK], capture_output=True, text=True, check=True)
    assert here.stdout.split() == [str(hasattr(yaml, "CSafeLoader")), "False"]
    # A PyYAML built without libyaml: the package is there, its _yaml module is not.
    (tmp_path / "yaml").mkdir()
    (tmp_path / "yaml" / "__init__.py").write_text("raise SystemExit('imported')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).parents[1])])}
    bare = subprocess.run([sys.executable, "-c", _LIBYAML_CHECK], capture_output=True, text=True, env=env)
    assert bare.stdout.split() == ["False", "False"], bare.stderr


# What a run imports is start-up time: a run whose notes are all in the cache
# must not load the YAML loader or the fast parser (they cost ~20 ms), no
# index needs click (12 ms; see vaultkit.launch) or dataclasses (see
# vaultkit.config), and no run needs hashlib (OpenSSL, 2 ms) or tempfile (3 ms).
_IMPORTS_AFTER = """
import sys
from vaultkit.launch import main
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("yaml", "vaultkit.yamlsafe", "vaultkit.fastyaml", "multiprocessing", "hashlib", "tempfile", "click",
         "dataclasses", "inspect")
heavy = sorted(m for m in heavy if m in sys.modules)
print("loaded:", ",".join(heavy), file=sys.stderr)
"""


def _loaded_after(vault: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS_AFTER, "--vault", str(vault), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.slow
def test_cached_runs_do_not_import_the_parsers(vault):
    build_tree(vault, {"a.md": "---\nsession: 1\ntype: intention\nactions: ['[ ] Walk']\n---\n"})
    first = _loaded_after(vault, "index")
    assert "vaultkit.fastyaml" in first  # a.md had to be read: the check sees it
    assert "hashlib" not in first and "tempfile" not in first and "click" not in first
    assert "dataclasses" not in first and "inspect" not in first  # 8-11 ms (see vaultkit.config)
    (vault / "Integration Actions.md").write_text("mine\n<!-- vaultkit:begin -->\n<!-- vaultkit:end -->\n")
    assert _loaded_after(vault, "index") == "loaded:"  # everything cached; the summary rewritten
    # `new` writes YAML (PyYAML's dumper) and reads its note back (the fast parser),
    # but needs neither the safe loader nor a second process.
    loaded = _loaded_after(vault, "new", "reflection", "--no-input")
    assert "vaultkit.yamlsafe" not in loaded and "multiprocessing" not in loaded
    assert "click" in loaded  # every command but index goes through click


@pytest.mark.parametrize(
    "size, expected, limit, whole",
    [
        (0, 0, 100, True),  # empty
        (50, 50, 100, True),  # as listed: one read
        (5000, 50, 100_000, True),  # grew since it was listed
        (50, 5000, 100, True),  # shrank since it was listed
        (101, 101, 100, False),  # one byte over the limit, as listed
        (100, 100, 100, True),  # exactly the limit
        (300_000, 300_000, 100_000, False),  # far over the limit
    ],
)
def test_read_head_returns_at_most_the_limit_and_says_if_that_is_all(tmp_path, size, expected, limit, whole):
    path = tmp_path / "note.md"
    content = bytes(i % 251 for i in range(size))
    path.write_bytes(content)
    data, complete = read_head(str(path), limit, expected)
    assert data == content[:limit]
    assert complete is whole


def test_index_patches_a_few_stale_notes_into_the_cache_and_rewrites_it_for_many(vault, run, monkeypatch):
    monkeypatch.setattr(index_module, "CACHE_CHUNK", 8)  # five runs of rows
    patches = []
    real_patch = index_module.patch_cache
    monkeypatch.setattr(index_module, "patch_cache", lambda *a: patches.append(len(a[3])) or real_patch(*a))
    build_tree(vault, {f"n{i:02d}.md": f"---\nactions: ['[ ] Task {i}']\n---\n" for i in range(40)})
    assert run("index").stdout.startswith("40 notes (40 read, 0 cached)")
    cache = vault / ".vaultkit/cache.jsonl"
    written = cache.read_bytes().splitlines()
    # A second action is more than a reword: the full path, which patches n00 in.
    (vault / "n00.md").write_text("---\nactions: ['[ ] Task 0', '[ ] Task 0b']\n---\n")
    assert run("index").stdout.startswith("40 notes (1 read, 39 cached)")
    assert patches == [1]
    changed = [
        i for i, (a, b) in enumerate(zip(written, cache.read_bytes().splitlines(), strict=True)) if a != b
    ]
    assert len(changed) == 2 and b'"n00.md"' in written[changed[0]]  # n00's run: its keys and rows
    assert "(0 read, 40 cached)" in run("index").stdout  # current: nothing to read again
    for i in range(1, 21):
        (vault / f"n{i:02d}.md").write_text(f"---\nactions: ['[ ] Task {i}', '[ ] Task {i}b']\n---\n")
    assert run("index").stdout.startswith("40 notes (20 read, 20 cached)")
    assert patches == [1]  # 20 stale: written anew
    assert "(0 read, 40 cached)" in run("index").stdout
    (vault / "n39.md").unlink()  # a note gone cannot be patched out: written anew
    assert run("index").stdout.startswith("39 notes (0 read, 39 cached)")
    assert patches == [1] and b"n39.md" not in cache.read_bytes()


def test_a_note_forgotten_after_a_scan_leaves_the_cache_when_it_is_saved(vault):
    _forty_notes(vault)
    build_index(load_vault(vault))
    indexer = index_module.Indexer(load_vault(vault))
    indexer.scan()  # every note from the cache: nothing stale
    (vault / "n07.md").unlink()
    assert indexer.refresh({"n07.md"}) == {"n07.md"}  # as the watcher sees a deletion
    indexer.save_cache()  # as the watcher saves it
    assert b'"n07.md"' not in (vault / ".vaultkit/cache.jsonl").read_bytes()


def _forty_notes(vault: Path) -> None:
    build_tree(vault, {f"n{i:02d}.md": f"---\nactions: ['[ ] Task {i}']\n---\n" for i in range(40)})


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_ino


def test_an_edit_below_the_frontmatter_leaves_the_summary_alone(vault, run):
    _forty_notes(vault)
    run("index")
    summary = vault / "Integration Actions.md"
    before = _stat(summary), summary.read_bytes()
    with (vault / "n05.md").open("a") as note:
        note.write("Some thoughts, written after the session.\n")
    out = run("index").stdout
    assert out.startswith("40 notes (1 read, 39 cached)")
    assert out.rstrip().endswith("Integration Actions.md unchanged")
    assert (_stat(summary), summary.read_bytes()) == before
    # Nothing was written, so the next run reads that note again, and again writes nothing.
    assert run("index").stdout.startswith("40 notes (1 read, 39 cached)")
    assert (_stat(summary), summary.read_bytes()) == before
    # Enough such edits make the cache worth rewriting; that still leaves the summary alone,
    # and the next edit is judged against the rewritten cache.
    cache = vault / ".vaultkit/cache.jsonl"
    old_cache = cache.read_bytes()
    for i in range(20, 40):
        with (vault / f"n{i:02d}.md").open("a") as note:
            note.write("More.\n")
    assert run("index").stdout.startswith("40 notes (21 read, 19 cached)")
    assert cache.read_bytes() != old_cache
    with (vault / "n00.md").open("a") as note:
        note.write("More.\n")
    assert run("index").stdout.startswith("40 notes (1 read, 39 cached)")
    assert (_stat(summary), summary.read_bytes()) == before
    (vault / "n00.md").write_text("---\nactions: ['[ ] Task 0, reworded']\n---\n")
    assert run("index").stdout.rstrip().endswith("Integration Actions.md updated")
    assert "Task 0, reworded" in summary.read_text()


def test_a_change_undone_while_the_cache_lags_still_reaches_the_summary(vault, run):
    _forty_notes(vault)
    run("index")
    summary = vault / "Integration Actions.md"
    original = (vault / "n00.md").read_text()
    (vault / "n00.md").write_text("---\nactions: ['[ ] Task 0, reworded']\n---\n")
    run("index")  # one stale note: the cache keeps the old wording
    assert "Task 0, reworded" in summary.read_text()
    (vault / "n00.md").write_text(original)  # the cache's wording again, but not the summary's
    assert run("index").stdout.rstrip().endswith("Integration Actions.md updated")
    text = summary.read_text()
    assert "Task 0, reworded" not in text and "Task 0 " in text


def test_a_cache_that_could_not_be_written_is_not_taken_for_the_summary(vault, run, monkeypatch):
    _forty_notes(vault)
    run("index")
    summary = vault / "Integration Actions.md"
    originals = {i: (vault / f"n{i:02d}.md").read_text() for i in range(20)}

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(index_module, "atomic_write", disk_full)
        for i in range(20):  # enough to make the cache worth rewriting; the rewrite fails
            (vault / f"n{i:02d}.md").write_text(f"---\nactions: ['[ ] Task {i}, reworded']\n---\n")
        run("index")
    assert "Task 3, reworded" in summary.read_text()
    for i, text in originals.items():  # back to what the old cache file still says
        (vault / f"n{i:02d}.md").write_text(text)
    assert run("index").stdout.rstrip().endswith("Integration Actions.md updated")
    assert "reworded" not in summary.read_text()


def test_a_new_day_is_not_taken_for_an_unchanged_vault(vault):
    build_tree(vault, {"a.md": "---\nactions: ['[x] Call Sam \u2705 2026-11-01']\n---\n"})
    build_tree(vault, {f"n{i:02d}.md": f"---\nactions: ['[ ] Task {i}']\n---\n" for i in range(5)})
    loaded = load_vault(vault)
    summary = vault / "Integration Actions.md"
    sync(loaded, date(2026, 11, 2))
    assert "Call Sam" in summary.read_text()  # done yesterday: listed as recently done
    with (vault / "n01.md").open("a") as note:
        note.write("More.\n")
    result = sync(loaded, date(2026, 12, 2))  # a month on, with only a body edited
    assert result.summary_written and "Call Sam" not in summary.read_text()


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
    with (vault / "n06.md").open("a") as note:
        note.write("More.\n")
    out = run("index").stdout
    assert out.startswith("41 notes (") and out.rstrip().endswith("Integration Actions.md updated")
    assert "Task 40" in summary.read_text()


@pytest.mark.parametrize(
    "pieces, data, same",
    [
        ([b"ab", b"", b"cd"], b"abcd", True),
        ([b"ab", b"cd"], b"abce", False),
        ([b"ab", b"cd"], b"abc", False),
        ([b"ab", b"cd"], None, False),
        ([], b"", True),
    ],
)
def test_same_bytes_compares_pieces_with_a_file_in_place(pieces, data, same):
    assert same_bytes(pieces, data) is same


def test_cached_records_share_their_session_numbers_and_moods():
    # One object per distinct value, as for dates: at 100,000 notes that is 2 MB of the watcher.
    row = [None, None, 300, 7.5, [], [], None]
    first = index_module.NoteRecord.from_cache("a.md", json.loads(json.dumps(row)))
    second = index_module.NoteRecord.from_cache("b.md", json.loads(json.dumps(row)))
    assert (first.session, first.mood) == (300, 7.5)
    assert first.session is second.session and first.mood is second.mood
    assert first == index_module.NoteRecord("a.md", session=300, mood=7.5)


def test_a_note_dated_before_1970_is_judged_by_its_stat_like_any_other(vault, run):
    _forty_notes(vault)
    os.utime(vault / "n07.md", ns=(-86_400 * 10**9, -86_400 * 10**9))  # 31 December 1969
    assert run("index").stdout.startswith("40 notes (40 read, 0 cached)")
    state = vault / ".vaultkit/summary-state.json"
    fingerprint = json.loads(state.read_text())["fingerprint"]
    assert fingerprint
    assert run("index").stdout.startswith("40 notes (0 read, 40 cached)")
    from vaultkit.sync import _fingerprint
    from vaultkit.vault import walk_notes

    def current() -> tuple[str, str]:
        loaded = load_vault(vault)
        return _fingerprint(loaded, list(walk_notes(loaded)), [], date(2026, 11, 29))

    before = current()
    os.utime(vault / "n07.md", ns=(-2 * 86_400 * 10**9, -2 * 86_400 * 10**9))
    after = current()
    assert after[0] != before[0] and after[1] == before[1]  # the stat changed, the names did not
    assert run("index").stdout.startswith("40 notes (1 read, 39 cached)")


def _edited_and_walked(vault: Path, *names: str) -> tuple[index_module.Indexer, list]:
    from vaultkit.vault import walk_notes

    for name in names:
        with (vault / name).open("a") as note:
            note.write("A line below the frontmatter.\n")
    loaded = load_vault(vault)
    return index_module.Indexer(loaded), list(walk_notes(loaded))


def test_reread_changed_reads_just_the_changed_notes(vault):
    _forty_notes(vault)
    build_index(load_vault(vault))
    indexer, files = _edited_and_walked(vault, "n05.md", "n33.md")
    pairs, data = indexer.reread_changed(files, fewer_than=20)
    assert data == (vault / ".vaultkit/cache.jsonl").read_bytes()  # what patch_cache is handed
    assert sorted((old.path, old == new) for old, new in pairs) == [("n05.md", True), ("n33.md", True)]
    for old, new in pairs:
        assert new.key == next(n.key for n in files if n.rel == new.path) != old.key
    assert indexer.reread_changed(files, fewer_than=2) is None  # too many to be worth it
    (vault / "n06.md").write_text("---\nactions: ['[ ] Task 6, reworded']\n---\n")
    indexer, files = _edited_and_walked(vault)
    pairs, _ = indexer.reread_changed(files, fewer_than=20)
    [(old, new)] = [
        pair for pair in pairs if pair[0].path == "n06.md"
    ]  # n05 and n33 are still other in the cache
    assert (old.actions[0].text, new.actions[0].text) == ("Task 6", "Task 6, reworded")
    (vault / "n06.md").unlink()
    indexer, files = _edited_and_walked(vault)
    assert indexer.reread_changed(files, fewer_than=20) is None  # a note gone


def test_reread_changed_says_no_on_a_damaged_cache(vault):
    _forty_notes(vault)
    build_index(load_vault(vault))
    cache = vault / ".vaultkit/cache.jsonl"
    header, keys, rows = cache.read_bytes().splitlines(keepends=True)
    indexer, files = _edited_and_walked(vault, "n05.md")
    for damaged in (header + keys + b'[["cut short"\n', header + keys, header + keys + b"[]\n"):
        cache.write_bytes(damaged)
        assert indexer.reread_changed(files, fewer_than=20) is None, damaged[-20:]
    cache.write_bytes(header + keys + rows)
    assert indexer.reread_changed(files, fewer_than=20) is not None


def test_patch_cache_replaces_just_the_notes_given(vault, monkeypatch):
    monkeypatch.setattr(index_module, "CACHE_CHUNK", 7)  # several runs of rows
    _forty_notes(vault)
    loaded = load_vault(vault)
    build_index(loaded)
    cache = vault / ".vaultkit/cache.jsonl"
    written = cache.read_bytes()
    (vault / "n09.md").write_text("---\nactions: ['[ ] Task 9, reworded']\n---\n")
    indexer, files = _edited_and_walked(vault, "n30.md")
    pairs, _ = indexer.reread_changed(files, fewer_than=20)
    assert index_module.patch_cache(loaded, cache, written, [new for _, new in pairs])
    rewritten = index_module.Indexer(loaded)
    rewritten.scan()
    assert (rewritten.parsed, rewritten.cached) == (0, 40)  # every key as the files have it now
    fresh = index_module.Indexer(loaded, use_cache=False)
    fresh.scan()
    assert rewritten.records == fresh.records  # and every record
    assert rewritten.records["n09.md"].actions[0].text == "Task 9, reworded"
    runs = written.splitlines()
    # Both notes' keys lines, and n09's rows line (n30 reads the same): the other 11 lines as they were.
    assert sum(a != b for a, b in zip(runs, cache.read_bytes().splitlines(), strict=True)) == 3
    for damaged in (
        written[:-30],
        b'{"version": 1}\n' + written.partition(b"\n")[2],
        written.replace(b"n30", b"m30"),
    ):
        assert not index_module.patch_cache(loaded, cache, damaged, [new for _, new in pairs])


def test_an_edit_below_the_frontmatter_makes_index_write_nothing(vault, run, monkeypatch):
    _forty_notes(vault)
    run("index")
    state_dir = vault / ".vaultkit"
    before = {p.name: (p.read_bytes(), _stat(p)) for p in state_dir.iterdir()}
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    with (vault / "n05.md").open("a") as note:
        note.write("A line below the frontmatter.\n")
    assert run("index").stdout.rstrip().endswith("Integration Actions.md unchanged")
    assert synced == []  # no file written at all: cache, state and summary as they were
    assert {p.name: (p.read_bytes(), _stat(p)) for p in state_dir.iterdir()} == before
    (vault / "n05.md").write_text("---\nactions: ['[ ] Task 5, reworded']\n---\n")
    assert run("index").stdout.rstrip().endswith("Integration Actions.md updated")
    assert len(synced) >= 4  # the summary and the state: each file and its folder


def test_the_hashes_without_openssl_give_hashlibs_digests():
    import hashlib

    from vaultkit.hashing import digester, sha1

    for data in (b"", b"Integration/2026-11-24.md\ncall my sister", "caf\u00e9 \u2705".encode()):
        assert sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()  # ids stay as they were
        assert digester(data).hexdigest() == hashlib.blake2b(data, digest_size=20).hexdigest()
    streamed = sha1()
    streamed.update(b"ab")
    streamed.update(b"c")
    assert streamed.hexdigest() == hashlib.sha1(b"abc").hexdigest()


_TWO_CORES = pytest.mark.skipif(
    sys.platform != "linux" or (os.cpu_count() or 1) < 2, reason="reads on two cores only there"
)


@pytest.fixture
def read_on_one_core(vault, monkeypatch):
    """60 notes (9 broken), what reading them in this process gives, and
    read_many set to fork for any number of notes."""
    from vaultkit.vault import walk_notes

    build_tree(
        vault,
        {
            f"n{i:03d}.md": (
                f'---\nactions:\n  - "[ ] Task {i}"\n---\n' if i % 7 else "---\nactions: [broken\n---\n"
            )
            for i in range(60)
        },
    )
    notes = sorted(walk_notes(load_vault(vault)))
    one = index_module.read_many(notes, 10**6)
    monkeypatch.setattr(index_module, "PARALLEL_MIN", 1)
    return notes, one


@_TWO_CORES
def test_reading_on_two_cores_gives_what_one_gives(read_on_one_core):
    notes, one = read_on_one_core
    two = index_module.read_many(notes, 10**6)
    assert two == one
    assert sum(r.error is not None for r in two) == 9 and sum(len(r.actions) for r in two) == 51


@_TWO_CORES
def test_the_child_leaves_notes_that_need_pyyaml_to_the_parent(read_on_one_core, monkeypatch):
    notes, one = read_on_one_core
    monkeypatch.delitem(sys.modules, "vaultkit.yamlsafe")  # as in a fresh run: not loaded before the fork
    read_here = []

    def spy(note, max_bytes):
        read_here.append(note.rel)  # only this process's calls are seen: the child's list is its own
        return real(note, max_bytes)

    real = index_module.read_record
    monkeypatch.setattr(index_module, "read_record", spy)
    assert index_module.read_many(notes, 10**6) == one
    theirs = [n.rel for n in notes[int(len(notes) * index_module.PARENT_SHARE) :]]
    broken_theirs = [rel for rel in theirs if int(rel[1:4]) % 7 == 0]
    assert len(broken_theirs) == 4
    assert [rel for rel in read_here if rel in theirs] == broken_theirs


@_TWO_CORES
def test_a_child_that_fails_leaves_its_notes_to_the_parent(read_on_one_core, monkeypatch):
    notes, one = read_on_one_core

    def broken(*_args):
        raise MemoryError  # in the forked child only: the parent reads its share itself

    monkeypatch.setattr(index_module, "_read_rows", broken)
    assert index_module.read_many(notes, 10**6) == one


@_TWO_CORES
def test_a_fork_that_fails_leaves_every_note_to_this_process(read_on_one_core, monkeypatch):
    notes, one = read_on_one_core

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert index_module.read_many(notes, 10**6) == one


_ACTION_BITS = st.sampled_from(
    ["[ ]", "[x]", "[-]", "[X]", "[", "]", " ", "  ", "\t", "\u00a0", "\x1c", "Call", "my sister", "a"]
    + ["📅 2026-11-24", "✅ 2026-11-25", "❌ 2026-11-26", "📅\ufe0f 2026-01-02", "2026-11-24", "📅"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_ACTION_BITS, max_size=8).map("".join))
def test_an_action_id_is_derive_id_of_its_text_however_it_is_written(raw):
    from vaultkit.actions import _id_of_clean, clean_text, derive_id

    text = clean_text(raw)
    assert _id_of_clean("Integration/a.md", text) == derive_id("Integration/a.md", text)


def test_records_compare_by_what_the_note_says_and_actions_rename_to_copies():
    from vaultkit.actions import Action
    from vaultkit.index import NoteRecord
    from vaultkit.notes import Problem

    walk = Action("abc", "Walk", "external", "open", "2026-12-01", None, "a.md", "2026-11-24", 3, 0)
    record = NoteRecord("a.md", "reflection", "2026-11-24", 3, None, (walk,), (Problem("odd", 4),), key=1)
    same = NoteRecord("a.md", "reflection", "2026-11-24", 3, None, (walk,), (Problem("odd", 4),), key=2)
    assert record == same  # the file's key is not part of what the note says
    assert record != NoteRecord("a.md", "reflection", "2026-11-24", 4, None, (walk,), (Problem("odd", 4),))
    assert record != "a.md" and walk != ("abc",)
    renamed = walk.renamed("abc-2")
    assert renamed.id == "abc-2" and walk.id == "abc"
    assert [getattr(renamed, f) for f in Action.__slots__[1:]] == [
        getattr(walk, f) for f in Action.__slots__[1:]
    ]
    assert renamed != walk and renamed == walk.renamed("abc-2")
    assert repr(walk).startswith("Action(id='abc', text='Walk', kind='external'")
    assert "key=1" in repr(record)
    with pytest.raises(TypeError):
        hash(walk)  # equal by value but not frozen: as a dataclass with eq had it
