"""`vaultkit watch`: handlers without threads, then real observers on real files."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from watchdog.events import FileModifiedEvent, FileMovedEvent

from vaultkit import notes
from vaultkit import watch as watch_module
from vaultkit.fs import init_vault, load_vault
from vaultkit.watch import Handler, Settings, Watcher

from .helpers import actions_of, build_tree, default_sigint, index_vault, read_until

TODAY = date(2026, 11, 24)
NOTE = '---\nactions:\n  - "[ ] Walk"\n  - "[ ] Call my sister"\n---\nbody\n'


def summary_of(root: Path) -> str:
    path = root / "Integration Actions.md"
    return path.read_text() if path.exists() else ""


def open_texts(root: Path) -> list[str]:
    return [line for line in summary_of(root).splitlines() if line.startswith("- [ ] ")]


# ---------------------------------------------------------------- without threads


@pytest.fixture
def primed(vault):
    build_tree(vault, {"a.md": NOTE})
    logs: list[str] = []
    watcher = Watcher(load_vault(vault), lambda: TODAY, Settings(debounce=0.1, settle=1.0), logs.append)
    watcher.prime()
    return watcher, logs


def dispatch(watcher, event):
    Handler(watcher.vault, watcher.inbox, watcher.log).dispatch(event)


def test_event_batch_updates_summary_once(primed, vault):
    watcher, _ = primed
    writes = watcher.stats.summary_writes
    (vault / "a.md").write_text(NOTE.replace("Walk", "Run"))
    for _ in range(5):  # a burst of events for one save
        dispatch(watcher, FileModifiedEvent(str(vault / "a.md")))
    now = time.monotonic()
    watcher.step(now)  # too early: still inside the debounce
    assert watcher.stats.summary_writes == writes
    watcher.step(now + 0.2)
    assert watcher.stats.summary_writes == writes + 1
    assert any("Run" in line for line in open_texts(vault))
    watcher.step(now + 0.4)  # nothing pending: nothing written
    assert watcher.stats.summary_writes == writes + 1


def test_a_note_edit_and_a_tick_in_one_batch_are_both_kept(primed, vault):
    """The user marks Walk done in the note and ticks Call in the summary, and
    the watcher sees both at once: the summary still shows Walk open, as it was
    written, so Walk must not be reopened, and the tick on Call must land."""
    watcher, _ = primed
    note = vault / "a.md"
    note.write_text(NOTE.replace('"[ ] Walk"', '"[x] Walk ✅ 2026-11-23"'))
    summary = vault / "Integration Actions.md"
    summary.write_text(summary.read_text().replace("- [ ] Call my sister", "- [x] Call my sister"))
    dispatch(watcher, FileModifiedEvent(str(note)))
    dispatch(watcher, FileModifiedEvent(str(summary)))
    watcher.step(time.monotonic() + 1)
    text = note.read_text()
    assert '"[x] Walk ✅ 2026-11-23"' in text
    assert '"[x] Call my sister ✅ 2026-11-24"' in text
    assert "- [x] Walk — [[a]] ✅ 2026-11-23" in summary_of(vault)


def test_the_watcher_keeps_the_summary_files_permissions(primed, vault):
    watcher, _ = primed
    summary = vault / "Integration Actions.md"
    summary.chmod(0o644)  # the user shares it
    (vault / "a.md").write_text(NOTE.replace("Walk", "Run"))
    dispatch(watcher, FileModifiedEvent(str(vault / "a.md")))
    watcher.step(time.monotonic() + 1)
    (vault / "a.md").write_text(NOTE.replace("Walk", "Swim"))
    dispatch(watcher, FileModifiedEvent(str(vault / "a.md")))
    watcher.step(time.monotonic() + 2)
    assert any("Swim" in line for line in open_texts(vault))
    assert stat.S_IMODE(summary.stat().st_mode) == 0o644


def test_what_the_watcher_wrote_is_what_index_writes(primed, vault):
    watcher, _ = primed
    (vault / "b.md").write_text('---\nactions: ["[ ] Stretch"]\n---\n')
    dispatch(watcher, FileModifiedEvent(str(vault / "b.md")))
    watcher.step(time.monotonic() + 0.2)
    assert any("Stretch" in line for line in open_texts(vault))
    # A later `vaultkit index` finds the summary exactly as it would write it: nothing to apply or write.
    result = index_vault(vault, TODAY)
    assert not result.summary_written
    assert not result.problems and not result.ticked


def test_own_summary_write_and_dot_files_are_ignored(primed, vault):
    watcher, _ = primed
    dispatch(watcher, FileModifiedEvent(str(vault / ".vaultkit/local/store.sqlite3-wal")))
    dispatch(watcher, FileModifiedEvent(str(vault / ".Integration Actions.md.x.vaultkit-tmp")))
    dispatch(watcher, FileModifiedEvent(str(vault / "a.md~")))
    assert not watcher.inbox.pending()
    dispatch(watcher, FileModifiedEvent(str(vault / "Integration Actions.md")))
    writes = watcher.stats.summary_writes
    watcher.step(time.monotonic() + 1)
    assert watcher.stats.summary_writes == writes  # harvest ran, nothing to write


def test_half_written_note_keeps_its_actions_until_it_settles(primed, vault):
    watcher, _ = primed
    note = vault / "a.md"
    note.write_text('---\nactions:\n  - "[ ] Wa')  # truncated, half written
    dispatch(watcher, FileModifiedEvent(str(note)))
    now = time.monotonic()
    watcher.step(now + 0.2)
    assert len(open_texts(vault)) == 2  # the old actions are still listed
    note.write_text(NOTE.replace("Walk", "Walk far"))  # the rest arrives
    dispatch(watcher, FileModifiedEvent(str(note)))
    watcher.step(now + 0.5)
    assert [line.split(" — ")[0] for line in open_texts(vault)] == [
        "- [ ] Walk far",
        "- [ ] Call my sister",
    ]


def test_a_note_that_stays_broken_is_reported_after_settling(primed, vault):
    watcher, _ = primed
    note = vault / "a.md"
    note.write_text("---\nactions: [oops\n---\n")
    dispatch(watcher, FileModifiedEvent(str(note)))
    now = time.monotonic()
    watcher.step(now + 0.2)
    assert len(open_texts(vault)) == 2
    watcher.step(now + 2.0)  # past the settle window: accepted and reported
    assert len(open_texts(vault)) == 2  # its lines stay listed, as last read
    assert "[[a]] (line 3): frontmatter is not valid YAML" in summary_of(vault)
    assert "; its 2 actions are listed as last read" in summary_of(vault)


def test_vim_style_rename_dance_never_drops_the_note(primed, vault):
    watcher, _ = primed
    note = vault / "a.md"
    os.replace(note, vault / "a.md~")
    dispatch(watcher, FileMovedEvent(str(note), str(vault / "a.md~")))
    now = time.monotonic()
    watcher.step(now + 0.2)  # processed mid-dance: the note is missing for now
    assert len(open_texts(vault)) == 2
    note.write_text(NOTE.replace("Walk", "Run"))
    (vault / "a.md~").unlink()
    dispatch(watcher, FileModifiedEvent(str(note)))
    watcher.step(now + 0.4)
    assert any(line.startswith("- [ ] Run") for line in open_texts(vault))


def test_parse_crash_is_logged_and_the_loop_goes_on(primed, vault, monkeypatch):
    watcher, logs = primed
    real = notes.record_from_bytes

    def explode(path, data, complete=True):
        if path == "bad.md":
            raise RuntimeError("boom: secret note text")
        return real(path, data, complete)

    monkeypatch.setattr(notes, "record_from_bytes", explode)
    build_tree(vault, {"bad.md": "---\nactions: [x]\n---\n", "b.md": "---\nactions: [Later]\n---\n"})
    dispatch(watcher, FileModifiedEvent(str(vault / "bad.md")))
    dispatch(watcher, FileModifiedEvent(str(vault / "b.md")))
    watcher.step(time.monotonic() + 1)
    assert "warning: bad.md: RuntimeError; kept its previous actions" in logs
    assert not any("secret" in line for line in logs)
    assert any("Later" in line for line in open_texts(vault))


def test_missed_events_are_repaired_by_the_rescan(primed, vault):
    watcher, _ = primed
    build_tree(vault, {"unseen.md": "---\nactions: [Unseen]\n---\n"})  # no event at all
    watcher.step(time.monotonic() + watcher.settings.rescan_every + 1)
    assert watcher.stats.rescans == 1
    assert any("Unseen" in line for line in open_texts(vault))


# ---------------------------------------------------------------- real observers


@pytest.fixture
def outside_tmp():
    """A folder outside /tmp: vim writes in place under /tmp (its backupskip)."""
    base = Path("/var/tmp") if Path("/var/tmp").is_dir() else Path.home()
    folder = Path(tempfile.mkdtemp(prefix="vaultkit-test-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running(root: Path, **settings) -> Iterator[Watcher]:
    logs: list[str] = []
    watcher = Watcher(load_vault(root), lambda: TODAY, Settings(**settings), logs.append)
    watcher.logs = logs  # type: ignore[attr-defined]
    watcher.start()
    thread = threading.Thread(target=watcher.run, name="watcher")
    thread.start()
    try:
        yield watcher
    finally:
        watcher.stop()
        thread.join(timeout=15)
        assert not thread.is_alive()


def wait_for(predicate, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def has(root: Path, text: str) -> bool:
    return any(text in line for line in open_texts(root))


@pytest.fixture
def live(outside_tmp):
    root = outside_tmp / "vault"
    init_vault(root)
    build_tree(root, {"a.md": NOTE, "Folder/b.md": "---\nactions: [In a folder]\n---\n"})
    return root


def rewrite(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


SAVE_STYLES = {}


def style(fn):
    SAVE_STYLES[fn.__name__] = fn
    return fn


@style
def in_place(note: Path) -> None:
    rewrite(note, "Walk", "Walk in place")


@style
def append(note: Path) -> None:
    with open(note, "a") as handle:  # `>>` style: body grows, actions unchanged
        handle.write("more\n")
    rewrite(note, "Walk", "Walk in place")


@style
def temp_and_replace(note: Path) -> None:
    tmp = note.with_name(".a.md.tmp123")
    tmp.write_text(note.read_text().replace("Walk", "Walk in place"))
    os.replace(tmp, note)


@style
def sed_in_place(note: Path) -> None:
    subprocess.run(["sed", "-i", "s/Walk/Walk in place/", str(note)], check=True, timeout=60)


@style
def delete_and_create(note: Path) -> None:  # git checkout
    text = note.read_text()
    note.unlink()
    time.sleep(0.05)
    note.write_text(text.replace("Walk", "Walk in place"))


@style
def truncate_then_write_with_pause(note: Path) -> None:
    text = note.read_text().replace("Walk", "Walk in place")
    with open(note, "w") as handle:
        handle.write(text[: len(text) // 2])
        handle.flush()
        time.sleep(0.6)  # longer than the debounce: a batch sees half a file
        handle.write(text[len(text) // 2 :])


@style
def vim(note: Path) -> None:
    if not shutil.which("vim"):
        pytest.skip("vim is not installed (.ci/run installs it)")
    subprocess.run(
        [
            "vim",
            "-N",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-es",
            "-c",
            "%s/Walk/Walk in place/",
            "-c",
            "wq",
            str(note),
        ],
        check=True,
        env={"PATH": os.environ["PATH"], "HOME": str(note.parent)},
        stdin=subprocess.DEVNULL,  # -es would read Ex commands from a terminal were -c not to end it
        timeout=60,
    )


@pytest.mark.slow
@pytest.mark.parametrize("save", list(SAVE_STYLES))
def test_every_save_style_gives_one_current_entry(live, save):
    with running(live, debounce=0.2) as watcher:
        assert has(live, "Walk")
        lost: list[str] = []
        checker = threading.Event()

        def watch_for_loss():  # the note's actions must never vanish from the summary
            while not checker.is_set():
                if summary_of(live) and not has(live, "Call my sister"):
                    lost.append(summary_of(live))
                time.sleep(0.01)

        spy = threading.Thread(target=watch_for_loss)
        spy.start()
        try:
            SAVE_STYLES[save](live / "a.md")
            assert wait_for(lambda: has(live, "Walk in place")), summary_of(live)
        finally:
            checker.set()
            spy.join(timeout=10)
        lines = open_texts(live)
        assert sum("Walk" in line for line in lines) == 1
        assert sum("Call my sister" in line for line in lines) == 1
        assert not lost
        assert watcher.stats.errors == 0


@pytest.mark.slow
def test_one_edit_gives_at_most_one_summary_write(live):
    with running(live, debounce=0.2) as watcher:
        writes = watcher.stats.summary_writes
        mtime = (live / "Integration Actions.md").stat().st_mtime_ns
        rewrite(live / "a.md", "Walk", "Stroll")
        assert wait_for(lambda: has(live, "Stroll"))
        time.sleep(1.5)  # its own write must not trigger another
        assert watcher.stats.summary_writes == writes + 1
        assert (live / "Integration Actions.md").stat().st_mtime_ns != mtime
        rewrite(live / "a.md", "body", "new body")  # no action changed: no write
        time.sleep(1.0)
        assert watcher.stats.summary_writes == writes + 1


@pytest.mark.slow
def test_burst_folder_moves_deletes_and_summary_deleted(live):
    with running(live, debounce=0.2) as watcher:
        for i in range(300):  # git pull
            (live / "Burst" / f"n{i:03d}.md").parent.mkdir(exist_ok=True)
            (live / "Burst" / f"n{i:03d}.md").write_text(f"---\nactions: [Burst {i}]\n---\n")
        assert wait_for(lambda: sum("Burst" in line for line in open_texts(live)) == 300)
        os.rename(live / "Folder", live / "Renamed")
        assert wait_for(lambda: any("In a folder — [[b]]" in line for line in open_texts(live)))
        shutil.rmtree(live / "Burst")
        assert wait_for(lambda: not any("Burst" in line for line in open_texts(live)))
        (live / "Integration Actions.md").unlink()
        assert wait_for(lambda: has(live, "Walk"))
        assert {a.source for a in actions_of(live)} == {"a.md", "Renamed/b.md"}
        assert watcher.stats.errors == 0


@pytest.mark.slow
def test_tick_in_summary_while_watching(live):
    with running(live, debounce=0.2):
        summary = live / "Integration Actions.md"
        summary.write_text(summary.read_text().replace("- [ ] Walk", "- [x] Walk"))
        assert wait_for(lambda: '"[x] Walk ✅ 2026-11-24"' in (live / "a.md").read_text())
        assert wait_for(lambda: "- [x] Walk — [[a]] ✅ 2026-11-24" in summary_of(live))


@pytest.mark.slow
def test_crash_in_parsing_leaves_the_watcher_alive(live, monkeypatch):
    real = notes.record_from_bytes

    def explode(path, data, complete=True):
        if path == "bad.md":
            raise ValueError("day is out of range for month")
        return real(path, data, complete)

    monkeypatch.setattr(notes, "record_from_bytes", explode)
    with running(live, debounce=0.2) as watcher:
        (live / "bad.md").write_bytes(b"---\nactions: []\ndue: 2026-02-30\n\xff\xfe\n---\n")
        assert wait_for(
            lambda: watcher.stats.errors >= 1 or any("bad.md: ValueError" in m for m in watcher.logs)
        )
        rewrite(live / "a.md", "Walk", "Still updating")
        assert wait_for(lambda: has(live, "Still updating"))


@pytest.mark.slow
def test_inotify_limit_falls_back_to_polling(live, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(watch_module.Observer, "schedule", full)
    with running(live, debounce=0.2, poll_interval=0.2) as watcher:
        assert "polling" in watcher.stats.observer
        rewrite(live / "a.md", "Walk", "Polled")
        assert wait_for(lambda: has(live, "Polled"))
    assert any("max_user_watches" in line and "--poll" in line for line in watcher.logs)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_signals_stop_the_process_cleanly(live, sig, code):
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "--vault", str(live), "watch"],
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        preexec_fn=default_sigint,  # the test interrupts it, however the suite was started
    )
    try:
        read_until(proc.stderr, b"Watching")
        rewrite(live / "a.md", "Walk", "Signalled")
        assert wait_for(lambda: has(live, "Signalled"))
        proc.send_signal(sig)
        assert proc.wait(timeout=20) == code
        assert read_until(proc.stderr, None).strip().endswith(b"Stopped.")
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_tick_in_a_sync_clients_copy_of_the_summary_reaches_the_note(primed, vault):
    watcher, _ = primed
    text = summary_of(vault).replace("- [ ] Walk", "- [x] Walk")
    copy = vault / "Integration Actions.sync-conflict-20261201-101010-ABCDEFG.md"
    copy.write_text(text)
    dispatch(watcher, FileModifiedEvent(str(copy)))
    watcher.step(time.monotonic() + 1)
    assert '"[x] Walk ✅ 2026-11-24"' in (vault / "a.md").read_text()
    assert not copy.exists()  # nothing of the person's was only in it


@pytest.mark.slow
def test_a_deleted_note_leaves_the_summary_within_about_a_second(live):
    with running(live) as watcher:  # the defaults a person runs with
        assert has(live, "In a folder")
        (live / "Folder" / "b.md").unlink()
        started = time.monotonic()
        assert wait_for(lambda: not has(live, "In a folder"), timeout=5)
        assert time.monotonic() - started < 1.5
        assert watcher.stats.errors == 0


@pytest.mark.slow
def test_an_unreadable_note_is_said_in_the_log_once(live):
    with running(live, debounce=0.2) as watcher:
        (live / "broken.md").write_text("---\nactions: [unclosed\n---\n")
        assert wait_for(lambda: any("broken.md" in line for line in watcher.logs))  # type: ignore[attr-defined]
        rewrite(live / "a.md", "Walk", "Stroll")
        assert wait_for(lambda: has(live, "Stroll"))
        said = [line for line in watcher.logs if "broken.md" in line]  # type: ignore[attr-defined]
        assert len(said) == 1 and said[0].startswith("warning: broken.md:")
