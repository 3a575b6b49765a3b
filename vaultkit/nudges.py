"""Nudges: tell the person that a follow-up is due, through the channel they chose.

`notify:` in the config picks it: `off` (the default), `desktop` (notify-send
on Linux, osascript on macOS) or `command` (`notify_command`, run without a
shell, the message appended as its last argument, so people wire ntfy, mail
or a phone bridge themselves; vaultkit itself makes no network connection).

A message names a note type and a session number, never note text:
"vaultkit: a check-in is due (session 3)". A follow-up is nudged when it is
due, outside quiet hours, and not yet nudged that day; the day is recorded in
the store *before* the channel runs, so a crash can lose a nudge but never
send two in one day, whatever restarts. A channel runs in the background
(the watcher keeps updating the summary meanwhile) and is stopped after
TIMEOUT seconds; a failure is logged and nothing else happens.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from vaultkit.config import Config, in_quiet_hours, logical_today
from vaultkit.practice import FollowUp
from vaultkit.store import Store
from vaultkit.text import a_or_an

TIMEOUT = 10.0  # seconds a channel may take before it is stopped
CLOSE_WAIT = 3.0  # seconds a stopping watcher waits for a channel still running
TEST_MESSAGE = "vaultkit: a test nudge; nudges reach you"
NO_DESKTOP = (
    "desktop nudges need notify-send (Linux: apt install libnotify-bin) or osascript (macOS); "
    "neither was found, so nudges are skipped (notify: command runs a program of your choice)"
)


def message(due: FollowUp) -> str:
    """What a nudge says: a note type and a session number, nothing from a note."""
    return f"vaultkit: {a_or_an(due.type)} is due (session {due.session})"


def channel_argv(
    config: Config,
    text: str,
    platform: str | None = None,
    which: Callable[[str], str | None] | None = None,
) -> list[str] | None:
    """The command that delivers `text`, or None when there is no way to (desktop
    without notify-send or osascript, or notify: off). `platform` and `which`
    default to this machine's, looked up at each call."""
    platform = platform or sys.platform
    which = which or shutil.which
    if config.notify == "command":
        return [*config.notify_command, text]
    if config.notify != "desktop":
        return None
    if platform == "darwin" and (osascript := which("osascript")):
        # The message goes in as an argument, not spliced into the script: no quoting to get wrong.
        script = ["on run argv", 'display notification (item 1 of argv) with title "vaultkit"', "end run"]
        return [osascript, *(part for line in script for part in ("-e", line)), text]
    if notify_send := which("notify-send"):
        return [notify_send, "--app-name=vaultkit", text]
    return None


def describe(config: Config) -> str:
    """The channel in a few words, for `vaultkit nudges` and the watch log (no note text)."""
    if config.notify == "command":
        return f"command ({config.notify_command[0]})"
    if config.notify == "desktop":
        found = channel_argv(config, "")
        return f"desktop ({found[0]})" if found else "desktop (no notify-send or osascript found)"
    return "off"


def setup(config: Config, store: Store, today: date, now: datetime) -> list[str]:
    """`vaultkit nudges`: the channel, the quiet hours, each follow-up due and when it was last nudged."""
    if config.notify == "off":
        lines = [
            "Nudges are off. To have `vaultkit watch` tell you when a follow-up is due, set",
            "notify: desktop (or notify: command with notify_command) in .vaultkit/config.yaml.",
        ]
    elif config.notify_quiet is None:
        lines = [f"Channel: {describe(config)}", "Quiet hours: none"]
    else:
        start, end = config.notify_quiet
        quiet = " (now)" if in_quiet_hours(config.notify_quiet, now.time()) else ""
        lines = [f"Channel: {describe(config)}", f"Quiet hours: {start:%H:%M}-{end:%H:%M}{quiet}"]
    due = store.practice(config.follow_ups, today).due()
    for f in due:
        day = store.nudged_on(f.key)
        last = f"last nudged {day}" if day else "not nudged yet"
        lines.append(f"Due: session {f.session}'s {f.label}, since {f.due_on}; {last}")
    return lines if due else [*lines, "Due: nothing right now."]


@dataclass
class _Running:
    """A channel running in the background."""

    process: subprocess.Popen[bytes]
    program: str
    started: float = field(default_factory=time.monotonic)

    def stop(self) -> None:
        """Stop the program and whatever it started (a wrapper script's `curl`
        would deliver the nudge late otherwise): it leads a session of its own."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (AttributeError, ProcessLookupError, PermissionError):  # AttributeError: Windows
            self.process.kill()
        self.process.wait()

    def problem(self, code: int | None) -> str | None:
        """What went wrong, given its exit status (None: it was stopped)."""
        if code is None:
            return f"nudge not sent: {self.program!r} took over {TIMEOUT:g} s and was stopped"
        return None if code == 0 else f"nudge not sent: {self.program!r} exited with status {code}"


def _start(argv: list[str]) -> _Running | str:
    """The channel, started; or why it cannot be."""
    try:
        # No shell; nothing read from or shown of the program's output (it is the
        # person's program, and the watch log keeps paths and counts only).
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C on the watcher is not sent to it
        )
    except OSError as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else (exc.strerror or type(exc).__name__)
        why = f"cannot run {argv[0]!r} ({reason})"
        return f"nudge not sent: {why}; check notify_command in .vaultkit/config.yaml"
    return _Running(process, argv[0])


def send_and_wait(config: Config, text: str) -> str | None:
    """Deliver one message now and wait for it (`vaultkit nudges --test`): None, or what went wrong."""
    argv = channel_argv(config, text)
    if argv is None:
        return NO_DESKTOP if config.notify == "desktop" else "notify is off in .vaultkit/config.yaml"
    run = _start(argv)
    if isinstance(run, str):
        return run
    code = None
    try:
        code = run.process.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if run.process.returncode is None:  # past TIMEOUT, or Ctrl-C: the program goes too
            run.stop()
    return run.problem(code)


class Nudger:
    """The watcher's nudges: `check` sends what is due, `reap` collects finished
    channels. `clock` gives the wall-clock time in the vault's time zone (tests
    pass their own); neither method raises for a channel's failure."""

    def __init__(self, config: Config, log: Callable[[str], None], clock: Callable[[], datetime]) -> None:
        self.config = config
        self.log = log
        self.clock = clock
        self.running: list[_Running] = []
        self._said_no_desktop = False

    def check(self, store: Store) -> int:
        """Nudge every follow-up that is due and not yet nudged today; how many were sent."""
        if self.config.notify == "off":
            return 0
        now = self.clock()
        today = logical_today(now, self.config.day_starts_at)
        due = store.practice(self.config.follow_ups, today).due()
        day = today.isoformat()
        store.forget_nudges([d.key for d in due], day)
        if not due or in_quiet_hours(self.config.notify_quiet, now.time()):
            return 0  # in quiet hours nothing is recorded: the nudge comes when they end
        texts = []
        for follow_up in due:
            last = store.nudged_on(follow_up.key)
            if last is None or last < day:
                store.set_nudged(follow_up.key, day)  # first: at most one a day, even if we die mid-send
                texts.append(message(follow_up))
        # A session's 1-week and 1-month check-ins, both due, say the same: one nudge for both.
        return sum(self._send(text) for text in dict.fromkeys(texts))

    def _send(self, text: str) -> int:
        argv = channel_argv(self.config, text)
        if argv is None:
            if not self._said_no_desktop:
                self._said_no_desktop = True
                self.log(f"warning: {NO_DESKTOP}")
            return 0
        run = _start(argv)
        if isinstance(run, str):
            self.log(f"warning: {run}")
            return 0
        self.running.append(run)
        self.log(f"{time.strftime('%H:%M:%S')} nudge: {text.removeprefix('vaultkit: ')}")
        return 1

    def reap(self, now: float | None = None) -> None:
        """Collect channels that finished (logging a failure); stop those past TIMEOUT."""
        now = time.monotonic() if now is None else now
        still = []
        for run in self.running:
            code = run.process.poll()
            if code is None and now - run.started < TIMEOUT:
                still.append(run)
                continue
            if code is None:
                run.stop()
            if problem := run.problem(code):
                self.log(f"warning: {problem}")
        self.running = still

    def close(self) -> None:
        """Give channels still running a moment (the watcher is stopping), then stop them."""
        for run in self.running:
            try:
                run.process.wait(max(0.0, min(CLOSE_WAIT, TIMEOUT - (time.monotonic() - run.started))))
            except subprocess.TimeoutExpired:
                run.stop()
        self.reap()
