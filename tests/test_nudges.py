"""Nudges: a fake `command` channel driven by a controllable clock, the config
that sets them up, `vaultkit nudges`, and a real watcher process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest

from vaultkit.config import Config, in_quiet_hours
from vaultkit.fs import load_vault
from vaultkit.nudges import NO_DESKTOP, TEST_MESSAGE, Nudger, channel_argv, send_and_wait
from vaultkit.refresh import opened, scan
from vaultkit.store import open_store
from vaultkit.watch import Settings, Watcher

from .helpers import TODAY, build_tree

MESSAGE = "vaultkit: a check-in is due (session 1)"
# Session 1 starts on 2026-11-10; its reflection is written, so only the
# 1-week check-in falls due, on 2026-11-17.
NOTES = {
    "Integration/2026-11-10 Intention.md": "---\ntype: intention\ndate: 2026-11-10\nsession: 1\n---\n",
    "Integration/2026-11-11 Reflection.md": "---\ntype: reflection\ndate: 2026-11-11\nsession: 1\n---\n",
}
DUE_DAY = date(2026, 11, 17)


class Clock:
    """A wall clock the test sets."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fake_channel(folder: Path, exit_code: int = 0, sleep: float = 0) -> tuple[Path, Path]:
    """A program that appends its arguments (one JSON line per call) to a file."""
    calls = folder / "calls.jsonl"
    script = folder / "fake-notify"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys, time\ntime.sleep({sleep})\n"
        f"with open({str(calls)!r}, 'a') as f:\n    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(0o755)
    return script, calls


def calls_of(calls: Path) -> list[list[str]]:
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


def configure(vault: Path, *lines: str) -> None:
    (vault / ".vaultkit" / "config.yaml").write_text("\n".join(["timezone: UTC", *lines]) + "\n")


@pytest.fixture
def channel(vault: Path, tmp_path: Path) -> tuple[Path, Path]:
    build_tree(vault, NOTES)
    script, calls = fake_channel(tmp_path)
    configure(vault, "notify: command", f'notify_command: "{script} --topic my-topic"')
    return script, calls


class Nudged:
    """A watcher on `vault`, stepped by hand with the clock at a given time."""

    def __init__(self, vault: Path, when: datetime) -> None:
        self.clock = Clock(when)
        self.logs: list[str] = []
        self.watcher = Watcher(
            load_vault(vault), lambda: self.clock().date(), Settings(), self.logs.append, clock=self.clock
        )
        self.watcher.prime()
        self.mono = time.monotonic()

    def at(self, when: datetime) -> None:
        self.clock.now = when
        self.mono += self.watcher.settings.nudge_every + 1
        self.watcher.step(self.mono)
        for run in self.watcher.nudger.running:  # the channel runs in the background
            run.process.wait(10)
        self.watcher.nudger.reap()

    def close(self) -> None:
        self.watcher.close()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute))


# ---------------------------------------------------------------- the watcher, a fake channel, a clock


def test_a_due_follow_up_is_nudged_once_then_once_more_the_next_day(vault, channel):
    script, calls = channel
    nudged = Nudged(vault, at(DUE_DAY - timedelta(days=1), 12))
    try:
        nudged.at(at(DUE_DAY - timedelta(days=1), 12))
        assert calls_of(calls) == []  # not due yet

        nudged.at(at(DUE_DAY, 9))
        assert calls_of(calls) == [["--topic", "my-topic", MESSAGE]]  # the message is the last argument

        nudged.at(at(DUE_DAY, 13))
        nudged.at(at(DUE_DAY, 21, 59))
        assert len(calls_of(calls)) == 1  # at most one a day

        nudged.at(at(DUE_DAY + timedelta(days=1), 9))
        assert calls_of(calls)[1:] == [["--topic", "my-topic", MESSAGE]]  # still due: one more
    finally:
        nudged.close()
    assert any("nudge: a check-in is due (session 1)" in line for line in nudged.logs)


def test_quiet_hours_defer_a_nudge_until_they_end(vault, channel):
    _, calls = channel
    nudged = Nudged(vault, at(DUE_DAY, 0, 5))
    try:
        for hour, minute in ((0, 5), (3, 0), (7, 59)):  # due since midnight, but 22:00-08:00 is quiet
            nudged.at(at(DUE_DAY, hour, minute))
        assert calls_of(calls) == []
        nudged.at(at(DUE_DAY, 8, 0))
        assert calls_of(calls) == [["--topic", "my-topic", MESSAGE]]
        nudged.at(at(DUE_DAY, 23, 30))  # quiet again, and already nudged today
        nudged.at(at(DUE_DAY + timedelta(days=1), 7, 0))  # a new day, but quiet
        assert len(calls_of(calls)) == 1
        nudged.at(at(DUE_DAY + timedelta(days=1), 8, 1))
        assert len(calls_of(calls)) == 2
    finally:
        nudged.close()


def test_a_restarted_watcher_remembers_todays_nudge(vault, channel):
    _, calls = channel
    first = Nudged(vault, at(DUE_DAY, 9))
    first.at(at(DUE_DAY, 9))
    first.close()
    second = Nudged(vault, at(DUE_DAY, 10))
    try:
        second.at(at(DUE_DAY, 10))
        assert len(calls_of(calls)) == 1
        second.at(at(DUE_DAY + timedelta(days=1), 10))
        assert len(calls_of(calls)) == 2
    finally:
        second.close()


def test_writing_the_check_in_stops_the_nudges(vault, channel):
    _, calls = channel
    nudged = Nudged(vault, at(DUE_DAY, 9))
    try:
        nudged.at(at(DUE_DAY, 9))
        build_tree(
            vault, {"Integration/check.md": "---\ntype: check-in\ndate: 2026-11-18\nsession: 1\n---\n"}
        )
        nudged.watcher.inbox.add("Integration/check.md", folder=False)
        nudged.at(at(DUE_DAY + timedelta(days=1), 9))
        nudged.at(at(DUE_DAY + timedelta(days=2), 9))
        assert len(calls_of(calls)) == 1
    finally:
        nudged.close()


def test_off_by_default_nothing_is_run(vault, tmp_path):
    build_tree(vault, NOTES)
    assert load_vault(vault).config.notify == "off"
    nudged = Nudged(vault, at(DUE_DAY, 9))
    try:
        nudged.at(at(DUE_DAY, 9))
        assert nudged.watcher.nudger.running == []
        assert not any("nudge" in line for line in nudged.logs)
    finally:
        nudged.close()


@pytest.mark.parametrize("problem", ["exits 3", "missing", "hangs"])
def test_a_failing_channel_is_logged_and_the_watcher_goes_on(vault, tmp_path, problem):
    build_tree(vault, NOTES)
    script, calls = fake_channel(tmp_path, exit_code=3 if problem == "exits 3" else 0,
                                 sleep=30 if problem == "hangs" else 0)  # fmt: skip
    program = tmp_path / "no-such-program" if problem == "missing" else script
    configure(vault, "notify: command", f"notify_command: {program}")
    nudged = Nudged(vault, at(DUE_DAY, 9))
    try:
        nudged.clock.now = at(DUE_DAY, 9)
        nudged.mono += 61
        nudged.watcher.step(nudged.mono)
        if problem == "hangs":
            nudged.watcher.nudger.reap(time.monotonic() + 11)  # past the timeout: it is stopped
        for run in nudged.watcher.nudger.running:
            run.process.wait(10)
        nudged.watcher.nudger.reap()
        warnings = [line for line in nudged.logs if "nudge not sent" in line]
        assert len(warnings) == 1, nudged.logs
        expected = {"exits 3": "exited with status 3", "missing": "not found", "hangs": "was stopped"}
        assert expected[problem] in warnings[0]
        # ...and the watcher still keeps the summary current
        build_tree(vault, {"new.md": '---\nactions: ["[ ] Stretch"]\n---\n'})
        nudged.watcher.inbox.add("new.md", folder=False)
        nudged.at(at(DUE_DAY, 10))
        assert "Stretch" in (vault / "Integration Actions.md").read_text()
        assert nudged.watcher.stats.errors == 0
    finally:
        nudged.close()


def test_no_nudge_holds_a_word_from_any_note(vault, tmp_path):
    markers = ["ZEBRAFINCH", "QUOKKA", "MARMOSET", "AXOLOTL", "NARWHAL"]
    build_tree(
        vault,
        {
            "Integration/2026-11-10 ZEBRAFINCH.md": (
                "---\ntype: intention\ndate: 2026-11-10\nsession: 1\ntitle: QUOKKA\n"
                'tags: [MARMOSET]\nactions:\n  - "[ ] AXOLOTL #mind"\n---\n# NARWHAL\nZEBRAFINCH QUOKKA\n'
            ),
            "Integration/2026-11-11 QUOKKA.md": (
                "---\ntype: reflection\ndate: 2026-11-11\nsession: 1\n---\nMARMOSET\n"
            ),
            "Later/2026-12-01 NARWHAL.md": (
                "---\ntype: intention\ndate: 2026-11-20\nsession: 2\nactions: [NARWHAL]\n---\nAXOLOTL\n"
            ),
        },
    )
    script, calls = fake_channel(tmp_path)
    configure(vault, "notify: command", f"notify_command: {script}")
    nudged = Nudged(vault, at(DUE_DAY, 9))
    try:
        for day in range(8):  # session 1's check-in, then session 2's reflection
            nudged.at(at(DUE_DAY + timedelta(days=day), 9))
    finally:
        nudged.close()
    sent = [call[-1] for call in calls_of(calls)]
    assert "vaultkit: a reflection is due (session 2)" in sent and MESSAGE in sent
    said = "\n".join(sent + [line for line in nudged.logs if "nudge" in line])
    assert not [word for word in markers if word.lower() in said.lower()]


def test_two_follow_ups_that_read_the_same_give_one_nudge(vault, tmp_path):
    build_tree(vault, NOTES)
    script, calls = fake_channel(tmp_path)
    configure(vault, "notify: command", f"notify_command: {script}", "follow_ups:", "  check-in: [7, 8]")
    nudged = Nudged(vault, at(DUE_DAY + timedelta(days=1), 9))
    try:
        nudged.at(at(DUE_DAY + timedelta(days=1), 9))  # the 7-day and 8-day check-ins are both due
        nudged.at(at(DUE_DAY + timedelta(days=1), 12))
    finally:
        nudged.close()
    assert calls_of(calls) == [[MESSAGE]]


# ---------------------------------------------------------------- the config


@pytest.mark.parametrize(
    ("lines", "line", "says"),
    [
        (["notify: loud"], 2, "notify must be off, desktop or command"),
        (["# a comment", "notify: command"], 3, "notify_command is not set"),
        (["notify: desktop", 'notify_quiet: "25:00-08:00"'], 3, 'notify_quiet must look like "22:00-08:00"'),
        (['notify_quiet: "08:00-08:00"'], 2, "same time"),
        (["notify: command", "notify_command: 'ntfy \"unclosed'"], 3, "check its quotes"),
        (["notify_command: 42"], 2, "notify_command must be a command line"),
    ],
)
def test_bad_nudge_settings_name_the_file_and_line_and_stop_nothing(vault, run, lines, line, says):
    """A typo in a reminder setting turns nudges off, says where, and never stops the
    work itself: index still harvests ticks and writes the summary."""
    configure(vault, *lines)
    build_tree(
        vault, {"r.md": '---\ntype: reflection\ndate: 2026-11-20\nsession: 1\nactions: ["[ ] Walk"]\n---\n'}
    )
    result = run("index")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: ") and f".vaultkit/config.yaml:{line}: " in result.stderr
    assert says in result.stderr and "nudges are off until it is fixed" in result.stderr
    assert "- [ ] Walk — [[r]]" in (vault / "Integration Actions.md").read_text()
    assert "Nudges are off." in run("nudges").stdout


def test_settings_read_as_written(vault):
    configure(vault, "notify: off", "notify_quiet: off")  # YAML 1.1 reads both as false
    config = load_vault(vault).config
    assert (config.notify, config.notify_quiet) == ("off", None)
    configure(vault, "notify: Desktop", 'notify_command: ["/opt/my tools/send", "--to", "me"]',
              'notify_quiet: "21:30 - 07:15"')  # fmt: skip
    config = load_vault(vault).config
    assert config.notify == "desktop"
    assert config.notify_command == ("/opt/my tools/send", "--to", "me")
    assert config.notify_quiet == (clock_time(21, 30), clock_time(7, 15))


def test_init_writes_every_nudge_setting_commented(tmp_path, run):
    result = run("init", str(tmp_path / "fresh"))
    assert result.exit_code == 0
    text = (tmp_path / "fresh" / ".vaultkit" / "config.yaml").read_text()
    for line in ("# notify: off", '# notify_command: ""', '# notify_quiet: "22:00-08:00"'):
        assert line + "\n" in text
    # uncommented, every default reads back as the default
    (tmp_path / "fresh" / ".vaultkit" / "config.yaml").write_text(
        "\n".join(line[2:] for line in text.splitlines() if line.startswith("# notify"))
    )
    config = load_vault(tmp_path / "fresh").config
    assert (config.notify, config.notify_command, config.notify_quiet) == (
        Config().notify,
        Config().notify_command,
        Config().notify_quiet,
    )


def test_quiet_hours_within_a_day_and_across_midnight():
    night = (clock_time(22, 0), clock_time(8, 0))
    assert [in_quiet_hours(night, clock_time(h, m)) for h, m in ((21, 59), (22, 0), (3, 0), (7, 59), (8, 0))] == [
        False, True, True, True, False,
    ]  # fmt: skip
    lunch = (clock_time(12, 0), clock_time(13, 30))
    assert [in_quiet_hours(lunch, clock_time(h, m)) for h, m in ((11, 59), (12, 0), (13, 29), (13, 30))] == [
        False, True, True, False,
    ]  # fmt: skip
    assert not in_quiet_hours(None, clock_time(3, 0))


# ---------------------------------------------------------------- the desktop channel


def test_desktop_uses_osascript_on_macos_and_notify_send_elsewhere():
    desktop = Config(notify="desktop")
    on_mac = channel_argv(desktop, "vaultkit: x", "darwin", lambda name: f"/usr/bin/{name}")
    assert on_mac is not None and on_mac[0] == "/usr/bin/osascript" and on_mac[-1] == "vaultkit: x"
    assert "vaultkit: x" not in " ".join(on_mac[:-1])  # passed as an argument, never spliced into the script
    on_linux = channel_argv(desktop, "vaultkit: x", "linux", lambda name: f"/usr/bin/{name}")
    assert on_linux == ["/usr/bin/notify-send", "--app-name=vaultkit", "vaultkit: x"]
    assert channel_argv(desktop, "vaultkit: x", "win32", lambda name: None) is None


def test_desktop_without_a_notifier_is_skipped_with_one_log_line(vault, monkeypatch):
    from vaultkit import nudges

    monkeypatch.setattr(nudges.shutil, "which", lambda name: None)
    build_tree(
        vault, NOTES | {"Integration/s2.md": "---\ntype: intention\ndate: 2026-11-12\nsession: 2\n---\n"}
    )
    configure(vault, "notify: desktop")
    logs: list[str] = []
    vault_obj = load_vault(vault)
    with opened(vault_obj, logs.append) as store:
        scan(vault_obj, store, DUE_DAY)
        nudger = Nudger(vault_obj.config, logs.append, lambda: at(DUE_DAY, 9))
        nudger.check(store)
        nudger.check(store)
    assert logs == [f"warning: {NO_DESKTOP}"]


def test_the_desktop_channel_runs_notify_send_from_path(vault, tmp_path, monkeypatch):
    build_tree(vault, NOTES)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script, calls = fake_channel(bin_dir)
    script.rename(bin_dir / "notify-send")  # a stand-in with the real one's name, found on PATH
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sys, "platform", "linux")
    configure(vault, "notify: desktop")
    nudged = Nudged(vault, at(DUE_DAY, 9))
    try:
        nudged.at(at(DUE_DAY, 9))
    finally:
        nudged.close()
    assert calls_of(calls) == [["--app-name=vaultkit", MESSAGE]]


@pytest.mark.skipif(
    shutil.which("notify-send") is None or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"),
    reason="needs notify-send and a desktop session to show the notification in",
)
def test_the_real_notify_send():
    assert send_and_wait(Config(notify="desktop"), TEST_MESSAGE) is None


# ---------------------------------------------------------------- `vaultkit nudges`


def test_nudges_command_shows_the_setup_and_sends_a_test(vault, run, channel, monkeypatch):
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-24T12:00")  # in the 1-week check-in's window
    _, calls = channel
    result = run("nudges", "--test")
    assert result.exit_code == 0, result.output
    assert "Channel: command (" in result.stdout
    assert "Quiet hours: 22:00-08:00" in result.stdout
    assert "Due: session 1's 1-week check-in, since 2026-11-17; not nudged yet" in result.stdout
    assert calls_of(calls) == [["--topic", "my-topic", TEST_MESSAGE]]


def test_nudges_test_reports_a_failure(vault, run, tmp_path):
    script, _ = fake_channel(tmp_path, exit_code=3)
    configure(vault, "notify: command", f"notify_command: {script}")
    result = run("nudges", "--test")
    assert result.exit_code == 1
    assert "exited with status 3" in result.stderr and result.stderr.startswith("Error: ")
    configure(vault)
    result = run("nudges", "--test")
    assert result.exit_code == 1 and "Nudges are off" in result.stdout


# ---------------------------------------------------------------- the store


def test_the_store_forgets_a_nudge_once_it_is_no_longer_due_and_its_day_is_over(vault):
    store = open_store(load_vault(vault), print)
    try:
        store.set_nudged("1:1-week check-in", "2026-11-17")
        assert store.nudged_on("1:1-week check-in") == "2026-11-17"
        store.forget_nudges([], "2026-11-17")  # its day is not over yet
        assert store.nudged_on("1:1-week check-in") == "2026-11-17"
        store.forget_nudges([], "2026-11-18")  # no longer due, and its day is over
        assert store.nudged_on("1:1-week check-in") is None
    finally:
        store.close()


# ---------------------------------------------------------------- a real watcher process


@pytest.mark.slow
def test_vaultkit_watch_nudges_once_across_restarts(vault, tmp_path):
    start = TODAY - timedelta(days=8)  # the 1-week check-in is due on the pinned day
    build_tree(
        vault,
        {"Integration/i.md": f"---\ntype: intention\ndate: {start}\nsession: 4\n---\n",
         "Integration/r.md": f"---\ntype: reflection\ndate: {start + timedelta(days=1)}\nsession: 4\n---\n"},
    )  # fmt: skip
    script, calls = fake_channel(tmp_path)
    (vault / ".vaultkit" / "config.yaml").write_text(
        f'notify: command\nnotify_command: "{script}"\nnotify_quiet: ""\n'
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    for attempt in range(2):
        process = subprocess.Popen(
            [sys.executable, "-m", "vaultkit", "--vault", str(vault), "watch"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not calls_of(calls):
                time.sleep(0.2)
            time.sleep(1.5)  # long enough for a second nudge, were there one
        finally:
            process.terminate()
            _, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert calls_of(calls) == [["vaultkit: a check-in is due (session 4)"]], (attempt, err)
        assert "Nudges when a follow-up is due: command (" in err


def alive(pid: int) -> bool:
    """Running, not gone or a zombie waiting to be reaped by whoever adopted it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_hanging_channel_is_stopped_with_what_it_started(vault, tmp_path):
    """A wrapper script whose `curl` (here: sleep) hangs: stopping only the
    script would leave the child to deliver the nudge late."""
    build_tree(vault, NOTES)
    child_pid = tmp_path / "child.pid"
    script = tmp_path / "wrapper.sh"
    script.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {child_pid}\nwait\n")
    script.chmod(0o755)
    configure(vault, "notify: command", f"notify_command: {script}")
    nudged = Nudged(vault, at(DUE_DAY, 9))
    try:
        nudged.clock.now = at(DUE_DAY, 9)
        nudged.mono += 61
        nudged.watcher.step(nudged.mono)
        deadline = time.monotonic() + 10
        while not (child_pid.exists() and child_pid.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(child_pid.read_text())
        nudged.watcher.nudger.reap(time.monotonic() + 11)  # past the timeout
        time.sleep(0.2)
        assert not alive(pid)
        assert any("was stopped" in line for line in nudged.logs)
    finally:
        nudged.close()
