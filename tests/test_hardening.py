"""Bad input, crashes, hostile paths, privacy and two devices: nothing lost, nothing leaked."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from watchdog.events import FileModifiedEvent

from vaultkit.frontmatter import MAX_NESTING, NoteError, load_yaml, parse_frontmatter
from vaultkit.fs import init_vault, load_vault
from vaultkit.notes import record_from_bytes
from vaultkit.summary.file import BEGIN, END
from vaultkit.watch import Handler, Settings, Watcher

from .corpus import CORPUS
from .helpers import actions_of, build_tree, index_vault, make_unreadable, read_until, snapshot

ROOT = Path(__file__).parent.parent
TODAY = date(2026, 11, 24)


@pytest.fixture
def hostile(vault, tmp_path, monkeypatch):
    """The corpus, one good note, an unreadable note, a symlink loop, a dangling link."""
    build_tree(vault, {name: data for name, data, _ in CORPUS})
    build_tree(vault, {"good.md": '---\nactions:\n  - "[ ] Good action"\n---\n'})
    build_tree(vault, {"locked.md": "---\nactions: [SECRET]\n---\n"})
    make_unreadable(vault, "locked.md", monkeypatch)
    (vault / "loop").mkdir()
    (vault / "loop" / "again").symlink_to(vault / "loop")
    (vault / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    # Names that are not UTF-8 (copied from an old disk, say): no summary can name them.
    (vault / os.fsdecode(b"caf\xe9.md")).write_text("---\nactions: ['[ ] SECRET']\n---\n")
    (vault / os.fsdecode(b"d\xe9j\xe0")).mkdir()
    (vault / os.fsdecode(b"d\xe9j\xe0") / "inside.md").write_text("---\nactions: ['[ ] SECRET']\n---\n")
    (vault / os.fsdecode(b"gone-\xe9.md")).symlink_to(tmp_path / "nowhere.md")
    return vault


def expected(kind: str) -> set[str]:
    from vaultkit.fs import nfc

    return {nfc(name) for name, _, e in CORPUS if e == kind}


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 40
    assert len({name for name, _, _ in CORPUS}) == len(CORPUS)


def test_index_reports_every_bad_note_and_changes_nothing(hostile, run):
    before = snapshot(hostile)
    result = run("index")
    assert result.exit_code == 0, result.output
    after = snapshot(hostile)
    assert {k: v for k, v in after.items() if k != "Integration Actions.md"} == before
    summary = (hostile / "Integration Actions.md").read_text()
    unreadable_section = summary.split("## Notes that could not be read")[1].split("##")[0]
    for name in expected("unreadable") | {
        "locked.md",
        "dangling.md",
        "loop/again",
        "caf\ufffd.md",
        "d\ufffdj\ufffd",
    }:
        assert shown(name) in unreadable_section, name
    for name in expected("ok") | expected("problem"):
        assert shown(name) not in unreadable_section, name
    for name in expected("ignored"):  # not vaultkit's notes: never named, however broken
        assert shown(name) not in summary and name not in result.stderr, name
    assert "- [ ] Good action — [[good]]" in summary
    assert "SECRET" not in result.stderr  # messages carry paths, never note text
    assert run("index", "--strict").exit_code == 1


WALK_PROBLEMS = {"dangling.md", "loop/again", "caf\ufffd.md", "d\ufffdj\ufffd"}  # no note behind them


def shown(name: str) -> str:
    """How the summary lists an unreadable note (a link that opens it) or another path."""
    return f"`{name}`" if name in WALK_PROBLEMS else f"[[{name.rsplit('/', 1)[-1][:-3]}]]"


def test_check_lists_problems_without_quoting_notes(hostile, run):
    result = run("check")
    assert result.exit_code == 1
    reported = {line.split(":")[0] for line in result.stdout.splitlines()}
    from vaultkit.fs import nfc

    assert expected("unreadable") | expected("problem") <= {nfc(r) for r in reported}
    assert not (expected("ok") - {"cr-only.md"}) & reported
    assert not expected("ignored") & reported
    assert "SECRET" not in result.output


def test_watch_survives_every_bad_note(hostile):
    logs: list[str] = []
    watcher = Watcher(load_vault(hostile), lambda: TODAY, Settings(debounce=0.01), logs.append)
    watcher.prime()
    handler = Handler(watcher.vault, watcher.inbox, logs.append)
    for name, data, _ in CORPUS:
        (hostile / name).write_bytes(data)  # a save of each bad note
        handler.dispatch(FileModifiedEvent(str(hostile / name)))
    undecodable = hostile / os.fsdecode(b"caf\xe9.md")
    undecodable.write_text("---\nactions: ['[ ] SECRET again']\n---\n")
    handler.dispatch(FileModifiedEvent(str(undecodable)))
    watcher.step(time.monotonic() + 5)
    watcher.step(time.monotonic() + 10)  # past the settle window
    assert watcher.stats.errors == 0, logs
    assert "Good action" in (hostile / "Integration Actions.md").read_text()
    assert not any("SECRET" in line for line in logs)


def test_done_on_every_action_in_the_corpus(hostile, run):
    actions = actions_of(hostile)
    assert len(actions) > 10
    before = {p: p.read_bytes() for p in hostile.rglob("*.md") if p.is_file() and os.access(p, os.R_OK)}
    result = run("done", *[a.id for a in actions])
    assert "Traceback" not in result.output
    changed = {p for p, data in before.items() if p.read_bytes() != data}
    sources = {hostile / a.source for a in actions}
    assert changed <= sources | {hostile / "Integration Actions.md"}
    statuses = {a.id: a.status for a in actions_of(hostile)}
    refused = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    done = [i for i, s in statuses.items() if s == "done"]
    assert len(done) + len(refused) >= len(actions)
    assert statuses[next(a.id for a in actions if a.text == "Good action")] == "done"
    for path in changed - {hostile / "Integration Actions.md"}:
        record = record_from_bytes(path.name, path.read_bytes())
        assert record.error is None, path  # never broken by a write
    assert "SECRET" not in result.stderr


# ---------------------------------------------------------------- fuzzing


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=400))
def test_parser_never_raises_on_arbitrary_bytes(data):
    try:
        parse_frontmatter(data)
    except NoteError:
        pass
    record_from_bytes("fuzz.md", data)  # never raises at all


_yamlish = st.lists(
    st.sampled_from(list("abc:- []{}'\"#&*!|>?,\n\t\\0123456789xX.@%`~") + ["  ", "\n  - ", "actions:"]),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_yamlish, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_parser_never_raises_on_yaml_like_frontmatter(body, newline, bom):
    text = (
        ("\ufeff" if bom else "") + "---" + newline + body.replace("\n", newline) + newline + "---" + newline
    )
    try:
        parse_frontmatter(text.encode("utf-8"))
    except NoteError:
        pass
    record = record_from_bytes("fuzz.md", text.encode("utf-8"))
    for action in record.actions:
        assert action.id and all(c.isalnum() or c == "-" for c in action.id)


def test_nesting_limit_is_ours_not_the_yaml_library_version():
    # libyaml >= 0.2.6 stops at 1000 levels, older libyaml did not, and the
    # pure-Python loader runs out of stack: vaultkit refuses past 100 itself.
    fits = "x: " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\ny: 1\n"
    assert load_yaml(fits)["y"] == 1
    too_deep = "x: " + "{a: " * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1) + "\n"
    with pytest.raises(NoteError) as caught:
        load_yaml(too_deep, first_line=2)
    assert "levels deep" in caught.value.problem.message
    assert caught.value.problem.line == 2
    # Many brackets side by side are not nesting.
    wide = "x: [" + ", ".join("[1]" for _ in range(500)) + "]\n"
    assert len(load_yaml(wide)["x"]) == 500


# ---------------------------------------------------------------- crash safety


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
def test_sigkill_during_index_never_leaves_a_broken_file(vault):
    build_tree(vault, {f"n{i:03d}.md": f"---\nactions: ['[ ] Task {i}']\n---\n" for i in range(400)})
    summary = vault / "Integration Actions.md"
    summary.write_text(f"Mine, keep me\n{BEGIN}\nold\n{END}\nafter\n")
    rng = random.Random(4)
    for round_ in range(25):
        if round_ % 2:  # every other round from no store at all: a cold read is killed
            shutil.rmtree(vault / ".vaultkit" / "local", ignore_errors=True)
        (vault / "n000.md").write_text(f"---\nactions: ['[ ] Task 0 v{round_}']\n---\n")
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "--vault", str(vault), "index"],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
        text = summary.read_text()
        assert text.startswith(f"Mine, keep me\n{BEGIN}\n") and text.endswith(f"{END}\nafter\n"), round_
        assert text.count(BEGIN) == 1 and text.count(END) == 1
        for store in (vault / ".vaultkit" / "local").glob("*.sqlite3"):  # SQLite's journal keeps it whole
            with sqlite3.connect(store) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), round_
    result = subprocess.run(
        [sys.executable, "-m", "vaultkit", "--vault", str(vault), "index"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Task 0 v24" in summary.read_text()


def test_a_second_vaultkit_waits_for_the_vault_then_says_so(vault, run, monkeypatch):
    from vaultkit import fs

    monkeypatch.setattr(fs, "LOCK_WAIT", 0.5)
    build_tree(vault, {"note.md": "---\nactions: ['[ ] Call']\n---\n"})
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom pathlib import Path\nfrom vaultkit.fs import vault_lock\n"
            "from vaultkit.fs import load_vault\n"
            "with vault_lock(load_vault(Path(sys.argv[1]))):\n"
            "    print('held', flush=True)\n    sys.stdin.read()\n",
            str(vault),
        ],
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert read_until(holder.stdout, b"held\n") == b"held\n"
        busy = run("index")
        assert busy.exit_code == 1
        assert busy.stderr == (
            "Error: another vaultkit process has been busy with this vault for 0.5 s; try again\n"
        )
        assert not (vault / "Integration Actions.md").exists()
    finally:
        holder.kill()  # the OS lets go of the lock of a process that dies
        holder.wait(timeout=20)
    assert run("index").exit_code == 0
    assert "Call" in (vault / "Integration Actions.md").read_text()


@pytest.mark.slow
def test_sigkill_during_done_leaves_old_or_new_bytes(vault):
    original = '---\n# keep\nactions:\n  - "[ ] Call"  # c\n  - text: Walk\n    kind: internal\n---\nbody\n'
    build_tree(vault, {"note.md": original})
    ids = [a.id for a in actions_of(vault)]
    done_text = None
    rng = random.Random(9)
    for _ in range(25):
        (vault / "note.md").write_text(original)
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "--vault", str(vault), "done", *ids],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.02, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
        now = (vault / "note.md").read_text()
        if now != original:
            done_text = done_text or now
            assert now == done_text  # all or nothing
            assert [a.status for a in record_from_bytes("note.md", now.encode()).actions] == [
                "done",
                "done",
            ]
    (vault / "note.md").write_text(original)
    finished = subprocess.run(
        [sys.executable, "-m", "vaultkit", "--vault", str(vault), "done", *ids],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0
    completed = (vault / "note.md").read_text()
    assert completed != original
    if done_text is not None:  # a killed run that got as far as writing wrote exactly this
        assert done_text == completed


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize("summary_path", ["../outside.md", "/tmp/vaultkit-abs.md", "a/../../x.md"])
def test_summary_path_outside_is_refused(vault, run, summary_path):
    (vault / ".vaultkit/config.yaml").write_text(f'summary_path: "{summary_path}"\n')
    result = run("index")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "vault" in result.stderr
    assert not (vault.parent / "outside.md").exists() and not Path("/tmp/vaultkit-abs.md").exists()


def test_symlinked_summary_pointing_out_is_refused(vault, run, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text(f"{BEGIN}\n{END}\n")
    (vault / "Integration Actions.md").symlink_to(outside)
    result = run("index")
    assert result.exit_code == 1
    assert "points outside the vault" in result.stderr
    assert outside.read_text() == f"{BEGIN}\n{END}\n"


def test_note_path_absolute_is_refused(vault, run, tmp_path):
    (vault / ".vaultkit/config.yaml").write_text(f'note_path: "{tmp_path}/x/{{{{title}}}}.md"\n')
    result = run("new", "reflection", "--no-input")
    assert result.exit_code == 1
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------- privacy

SITECUSTOMIZE = textwrap.dedent("""
    import os, socket
    _log = os.environ["VAULTKIT_NET_LOG"]
    def _refuse(*args, **kwargs):
        with open(_log, "a") as handle:
            handle.write(repr(args)[:200] + "\\n")
        raise OSError("network disabled by the test")
    class _NoSocket(socket.socket):
        def __init__(self, family=-1, *args, **kwargs):
            if family not in (-1, socket.AF_UNIX):
                _refuse("socket", family)
            super().__init__(family, *args, **kwargs)
        def connect(self, *args):
            _refuse("connect", *args)
    socket.socket = _NoSocket
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
""")


@pytest.mark.slow
def test_whole_cli_runs_with_the_network_disabled(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.log"
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "VAULTKIT_NET_LOG": str(log)}
    root = tmp_path / "v"

    def vk(*args, check=True):
        result = subprocess.run(
            [sys.executable, "-m", "vaultkit", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        assert result.returncode == 0 or not check, (args, result.stderr)
        return result

    # Prove the guard works before trusting silence.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert probe.returncode != 0 and log.read_text()
    log.unlink()
    vk("init", str(root))
    vk("--vault", str(root), "new", "intention", "--no-input", "--action", "Walk")
    vk("--vault", str(root), "new", "reflection", "--no-input", "--action", "internal: Breathe")
    vk("--vault", str(root), "new", "check-in", "--no-input")
    vk("--vault", str(root), "index")
    ids = [a["id"] for a in json.loads(vk("--vault", str(root), "actions", "--json").stdout)]
    vk("--vault", str(root), "done", ids[0])
    vk("--vault", str(root), "reopen", ids[0])
    for args in (
        ["check"],
        ["status", "--json"],
        ["templates"],
        ["nudges"],
        ["brief", "--preview"],
        ["brief"],
    ):
        vk("--vault", str(root), *args)
    vk("--vault", str(root), "brief", "--html", str(root / "Briefs" / "page.html"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "--vault", str(root), "watch"],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        read_until(proc.stderr, b"\n")
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not log.exists(), log.read_text()


def test_new_files_are_owner_only_and_mode_is_configurable(vault, run):
    assert stat.S_IMODE((vault / ".vaultkit").stat().st_mode) == 0o700
    run("new", "reflection", "--no-input", "--date", "2026-11-24", "--action", "Walk")
    run("index")
    for rel in (
        "Integration/2026/2026-11-24 Reflection.md",
        "Integration Actions.md",
        *(p.relative_to(vault) for p in (vault / ".vaultkit/local").rglob("*") if p.is_file()),
    ):
        assert stat.S_IMODE((vault / rel).stat().st_mode) == 0o600, rel
    for folder in (p for p in (vault / ".vaultkit/local").rglob("*") if p.is_dir()):  # the merge's bases
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((vault / ".vaultkit/local").stat().st_mode) == 0o700
    assert stat.S_IMODE((vault / "Integration").stat().st_mode) == 0o700
    (vault / ".vaultkit/config.yaml").write_text('file_mode: "0640"\ndir_mode: "0750"\n')
    run("new", "intention", "--no-input", "--date", "2027-01-02", "--yes")
    assert stat.S_IMODE((vault / "Integration/2027/2027-01-02 Intention.md").stat().st_mode) == 0o640
    assert stat.S_IMODE((vault / "Integration/2027").stat().st_mode) == 0o750


# ---------------------------------------------------------------- two devices


def test_two_copies_give_byte_identical_summaries(tmp_path):
    a = tmp_path / "laptop"
    init_vault(a)
    build_tree(
        a,
        {
            "x.md": '---\ntype: reflection\ndate: 2026-11-02\nsession: 1\nmood: 5\nactions:\n  - "[ ] Call"\n'
            "  - text: Breathe\n    kind: internal\n    status: done\n    done: 2026-11-20\n---\n",
            "y/z.md": "---\ntype: intention\ndate: 2026-11-01\nsession: 1\nmood: 3\n---\n",
            "broken.md": "---\nactions: [\n---\n",
        },
    )
    b = tmp_path / "phone"
    shutil.copytree(a, b)  # new inodes and mtimes, as a sync client gives
    index_vault(a, TODAY)
    index_vault(b, TODAY)
    assert (a / "Integration Actions.md").read_bytes() == (b / "Integration Actions.md").read_bytes()


@pytest.mark.slow
def test_two_watchers_on_one_shared_folder_settle(tmp_path):
    root = tmp_path / "shared"
    init_vault(root)
    build_tree(root, {"a.md": '---\nactions:\n  - "[ ] Walk"\n---\n'})
    watchers = [
        Watcher(load_vault(root), lambda: TODAY, Settings(debounce=0.2), lambda m: None) for _ in range(2)
    ]
    threads = []
    for w in watchers:
        w.start()
        threads.append(threading.Thread(target=w.run))
        threads[-1].start()
    try:
        (root / "a.md").write_text('---\nactions:\n  - "[ ] Run"\n---\n')
        deadline = time.monotonic() + 10
        while "Run" not in (root / "Integration Actions.md").read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        writes = sum(w.stats.summary_writes for w in watchers)
        time.sleep(2.0)  # no ping-pong: nobody writes again
        assert sum(w.stats.summary_writes for w in watchers) == writes
        assert writes <= 4  # two primes, one update each at most
    finally:
        for w in watchers:
            w.stop()
        for t in threads:
            t.join(timeout=15)


def test_a_full_disk_is_named_and_changes_nothing(vault, run, monkeypatch):
    """ENOSPC while the summary is written: the message names the cause and the disk, the files stay."""
    import errno as errnos

    from vaultkit import atomic

    build_tree(vault, {"a.md": "---\nactions: [Walk]\n---\n"})
    run("index")
    summary = vault / "Integration Actions.md"
    before = summary.read_bytes()
    (vault / "a.md").write_text("---\nactions: [Walk, Run]\n---\n")

    def full(folder, name, data, mode):
        raise OSError(errnos.ENOSPC, "No space left on device", str(folder))

    monkeypatch.setattr(atomic, "_write_temp", full)
    result = run("index")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no space left on the disk that holds {vault}; nothing was changed\n"
    assert summary.read_bytes() == before


def test_a_file_system_without_hard_links_still_gets_new_files(vault, run, monkeypatch):
    """FAT and exFAT (USB sticks, SD cards) refuse hard links: a new file is then
    created exclusively instead, the summary included."""
    import errno

    def no_links(src, dst, *args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted", str(dst))

    monkeypatch.setattr(os, "link", no_links)
    build_tree(vault, {"note.md": "---\nactions: ['[ ] Call']\n---\n"})
    made = run("new", "reflection", "--no-input")
    assert made.exit_code == 0, made.stderr
    assert (vault / made.stdout.splitlines()[-1]).is_file()
    indexed = run("index")
    assert indexed.exit_code == 0, indexed.stderr
    assert "- [ ] Call" in (vault / "Integration Actions.md").read_text()
    assert not [p.name for p in vault.rglob("*.vaultkit-tmp")]


def test_a_line_appended_in_place_at_the_rename_is_kept(vault, run, monkeypatch):
    """An editor that appends to the note between vaultkit's check and its rename
    writes into the file being replaced: `done` notices, puts the editor's text
    back and ticks again on it, so both the tick and the line are kept."""
    from vaultkit import atomic

    build_tree(vault, {"a.md": "---\nactions: ['[ ] Walk', '[ ] Call']\n---\nBody\n"})
    index_vault(vault)
    note = vault / "a.md"
    replace, appended = atomic._replace, []

    def editor_then_replace(tmp, path):
        if path == note and not appended:
            with open(note, "ab") as f:
                f.write(b"Written at the worst moment\n")
            appended.append(True)
        replace(tmp, path)

    monkeypatch.setattr(atomic, "_replace", editor_then_replace)
    walk = next(a.id for a in actions_of(vault) if a.text == "Walk")
    result = run("done", walk)
    assert result.exit_code == 0, result.stderr
    assert appended
    text = note.read_text()
    assert "Written at the worst moment\n" in text
    assert "[x] Walk" in text
    assert "[ ] Call" in text
