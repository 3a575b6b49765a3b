"""`vaultkit watch`: keep the summary current while notes change.

The only module that imports watchdog. The event handler only notes which
paths changed; the loop batches them (a quiet period, with a maximum wait)
and runs the pipeline over each batch, which re-stats each path and decides
from what is on disk, not from the event type (editors save in many ways).
A reading that would hide actions waits for the note to settle; a summary
the person just saved is left alone for the quiet period; a periodic
stat-only rescan repairs missed events. An error is logged and the loop goes on.
"""

from __future__ import annotations

import errno
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from vaultkit.config import now as vault_now
from vaultkit.errors import VaultkitError
from vaultkit.frontmatter import SLOW_YAML_HINT, slow_yaml
from vaultkit.fs import Vault, nfc, vault_lock
from vaultkit.nudges import Nudger, describe
from vaultkit.refresh import Report, Request, Watching, refresh
from vaultkit.store import open_store
from vaultkit.text import plural

# watchdog >= 5 also reports opened/closed_no_write: reading notes would feed
# the watcher its own events. Closed-after-write is kept: some editors' only
# sign of a save on some systems.
EVENT_FILTER = [
    events.FileCreatedEvent,
    events.FileModifiedEvent,
    events.FileMovedEvent,
    events.FileDeletedEvent,
    events.FileClosedEvent,
    events.DirCreatedEvent,
    events.DirMovedEvent,
    events.DirDeletedEvent,
]
# Seconds after someone else's save of the summary (Obsidian, Tasks, an editor, a
# sync client) before the watcher rewrites it: an open pane, and Tasks' lookup of a
# line by its text, are not pulled out from under the person. Its ticks are applied
# to the notes at once. (`index`, which the person runs, writes at once.)
QUIET = 2.0
ENOSPC_HINT = (
    "the system's limit on watched folders (inotify) is reached. Raise it with\n"
    "  echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/60-vaultkit.conf "
    "&& sudo sysctl --system\n"
    "or run `vaultkit watch --poll`. Falling back to polling now."
)


@dataclass
class Settings:
    debounce: float = 0.3  # quiet time before a batch is processed
    max_wait: float = 2.0  # longest a batch waits under continuous events
    settle: float = 0.6  # how long a note that lost its actions is given to come back
    rescan_every: float = 120.0  # stat-only rescan to repair missed events
    poll: bool = False
    poll_interval: float = 1.0
    nudge_every: float = 60.0  # how often to look for follow-ups to nudge about (see nudges.py)


class Inbox:
    """Paths reported by watchdog, waiting for the loop. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self.paths: set[str] = set()
        self.folders: set[str] = set()
        self.first = 0.0
        self.last = 0.0

    def add(self, rel: str, folder: bool) -> None:
        with self._lock:
            now = time.monotonic()
            if not self.pending():
                self.first = now
            self.last = now
            (self.folders if folder else self.paths).add(rel)
            self._lock.notify_all()

    def pending(self) -> bool:
        return bool(self.paths or self.folders)

    def ready(self, settings: Settings, now: float) -> bool:
        with self._lock:
            quiet = now - self.last >= settings.debounce or now - self.first >= settings.max_wait
            return self.pending() and quiet

    def take(self) -> tuple[set[str], set[str]]:
        with self._lock:
            taken = (self.paths, self.folders)
            self.paths, self.folders = set(), set()
            return taken

    def wait(self, timeout: float) -> None:
        with self._lock:
            self._lock.wait(timeout)

    def wake(self) -> None:
        with self._lock:
            self._lock.notify_all()


class Handler(events.FileSystemEventHandler):
    """Turns watchdog events into vault-relative paths in the inbox. Never raises."""

    def __init__(self, vault: Vault, inbox: Inbox, log: Callable[[str], None]) -> None:
        self.root = os.fspath(vault.root)
        self.summary = nfc(vault.config.summary_path)
        self.inbox = inbox
        self.log = log

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        try:
            if isinstance(event, events.DirModifiedEvent):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                rel = nfc(os.path.relpath(os.fsdecode(raw), self.root).replace(os.sep, "/")) if raw else ".."
                if rel == "." or any(part.startswith(".") for part in rel.split("/")):
                    continue  # outside the vault (".."), the vault itself, or a dot-file
                if event.is_directory and rel != self.summary:
                    self.inbox.add(rel, folder=True)
                elif rel.lower().endswith(".md") or rel == self.summary:
                    self.inbox.add(rel, folder=False)
        except Exception as exc:  # an exception here would kill watchdog's thread silently
            self.log(f"error while noting a change ({type(exc).__name__}); a rescan will catch it")


@dataclass
class Stats:
    """Counters a long-running watcher keeps; fixed size, whatever the uptime."""

    summary_writes: int = 0
    errors: int = 0
    rescans: int = 0
    observer: str = ""


class Watcher:
    def __init__(
        self,
        vault: Vault,
        today: Callable[[], date],
        settings: Settings | None = None,
        log: Callable[[str], None] = lambda message: None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.vault = vault
        self.today = today
        self.settings = settings or Settings()
        self.log = log
        self.inbox = Inbox()
        self.store: Any = None
        self.stats = Stats()
        self.deferred: dict[str, float] = {}  # rel -> when to take it as it is (see Watching.settled)
        self.summary_due: float | None = None  # when the summary, left alone after a person's save, is due
        self._save = ("", 0.0)  # the latest save of the summary by someone else, and when it was seen
        self._stop = threading.Event()
        self._observer: Any = None
        self._last_rescan = 0.0
        self._said_unreadable: set[tuple[str, int | None, str]] = set()
        # the wall clock (the vault's time zone) for nudges and quiet hours; tests pass their own
        self.nudger = Nudger(vault.config, log, clock or (lambda: vault_now(vault.config)))
        self._last_nudge = float("-inf")

    # -------------------------------------------------------------- lifecycle

    def prime(self) -> None:
        """Index and write the summary once, as `vaultkit index` would."""
        with vault_lock(self.vault):
            self.store = open_store(self.vault, self.log)
        self._update("started", time.monotonic(), None)
        self._last_rescan = time.monotonic()

    def start(self) -> None:
        """Prime, then start watching."""
        self.prime()
        self._observer = self._start_observer(self.settings.poll)

    def _start_observer(self, poll: bool) -> Any:
        handler = Handler(self.vault, self.inbox, self.log)
        observer: Any = PollingObserver(timeout=self.settings.poll_interval) if poll else Observer()
        try:
            observer.schedule(handler, os.fspath(self.vault.root), recursive=True, event_filter=EVENT_FILTER)
            observer.start()
        except OSError as exc:
            if poll or exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise VaultkitError(f"cannot watch {self.vault.root}: {exc.strerror}") from None
            self.log(f"warning: {ENOSPC_HINT}")
            try:
                observer.stop()
            except Exception:  # noqa: S110 - it never started
                pass
            return self._start_observer(poll=True)
        self.stats.observer = (
            f"checking every {self.settings.poll_interval:g} s (polling)"
            if poll
            else "the system's file events"
        )
        return observer

    def stop(self) -> None:
        self._stop.set()
        self.inbox.wake()

    def close(self) -> None:
        self.nudger.close()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=10)
            self._observer = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def run(self) -> None:
        """Loop until stop(); start() must have been called."""
        try:
            while not self._stop.is_set():
                self.step()
                self.inbox.wait(self._next_timeout())
        finally:
            self.close()

    # -------------------------------------------------------------- the loop

    def _next_timeout(self) -> float:
        now = time.monotonic()
        timeouts = [self.settings.rescan_every - (now - self._last_rescan)]
        if self.inbox.pending():
            timeouts.append(self.settings.debounce / 2)
        if self.deferred:
            timeouts.append(min(self.deferred.values()) - now)
        if self.summary_due is not None:
            timeouts.append(self.summary_due - now)
        # At most half a second: a signal may be delivered to one of watchdog's
        # threads, and the main thread runs its handler only once it wakes up.
        return max(0.02, min(*timeouts, 0.5))

    def step(self, now: float | None = None) -> None:
        """Do whatever is due: a batch, deferred notes, a rescan. Never raises."""
        now = time.monotonic() if now is None else now
        try:
            if now - self._last_rescan >= self.settings.rescan_every:
                self._last_rescan = now
                self.stats.rescans += 1
                self.deferred.clear()
                self._update("rescan", now, None)
            due = {rel for rel, when in self.deferred.items() if when <= now}
            if self.inbox.ready(self.settings, now) or due:
                paths, folders = self.inbox.take()
                for rel in due:
                    self.deferred.pop(rel, None)
                notes = (paths | due) - {nfc(self.vault.config.summary_path)}
                why = f"{plural(len(notes), 'note')} changed" if notes or folders else "summary edited"
                self._update(why, now, paths | due, folders, due)
            elif self.summary_due is not None and now >= self.summary_due:
                self.summary_due = None  # set again if it must wait more; not retried in a loop if it fails
                self._update("summary left alone after your save", now, set())
            if now - self._last_nudge >= self.settings.nudge_every:
                self._last_nudge = now
                self.nudger.check(self.store)
            self.nudger.reap()
        except VaultkitError as exc:
            self.stats.errors += 1
            self.log(f"error: {exc}")
        except Exception as exc:
            self.stats.errors += 1
            self.log(f"error while updating ({type(exc).__name__}); still watching")

    def _update(
        self,
        why: str,
        now: float,
        paths: set[str] | None,
        folders: Iterable[str] = (),
        settled: Iterable[str] = (),
    ) -> None:
        """One run of the pipeline: over the whole vault (`paths` None), or a batch."""
        watching = Watching(frozenset(settled), QUIET, self._save)
        with vault_lock(self.vault):
            report = refresh(
                self.vault, self.store, self.today(), Request(paths, set(folders), watching=watching)
            )
        for rel in report.held:  # a save caught halfway, it seems: taken as it is once it settles
            self.deferred.setdefault(rel, now + self.settings.settle)
        self._save = report.save or self._save
        # Never dropped: the watcher comes back to a summary left alone for quiet.
        self.summary_due = now + report.deferred if report.deferred else None
        self._log(why, report)

    def _log(self, why: str, report: Report) -> None:
        for outcome in report.ticked:
            action = outcome.change.action
            self.log(f"{action.source}: ^{action.id} {outcome.change.status} (changed in the summary)")
        for problem in report.problems:
            self.log(f"warning: {problem}")
        unreadable = {(path, problem.line, problem.message) for path, problem in report.unreadable}
        for path, line, message in sorted(unreadable - self._said_unreadable, key=str):
            self.log(f"warning: {path}{f':{line}' if line else ''}: {message}")  # once, as index says it
        self._said_unreadable = unreadable
        if report.summary_written:
            self.stats.summary_writes += 1
            self.log(
                f"{time.strftime('%H:%M:%S')} {why}: summary updated, "
                f"{plural(report.counts.open, 'open action')} in {plural(report.counts.notes, 'note')}"
            )


def watch_forever(
    vault: Vault, today: Callable[[], date], settings: Settings, log: Callable[[str], None]
) -> int:
    """Run until Ctrl-C (exit 130) or SIGTERM (exit 0)."""
    watcher = Watcher(vault, today, settings, log)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: watcher.stop())
    try:
        watcher.start()
        log(f"Watching {vault.root} for changes ({watcher.stats.observer}); Ctrl-C to stop.")
        if vault.config.notify != "off":
            log(f"Nudges when a follow-up is due: {describe(vault.config)}.")
        if slow_yaml():
            log(f"warning: {SLOW_YAML_HINT}")
        watcher.run()
    except KeyboardInterrupt:
        watcher.stop()
        watcher.close()
        log("Stopped.")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    log("Stopped.")
    return 0
