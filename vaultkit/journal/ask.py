"""Asking a template's questions for `vaultkit new`. `Asker` reads the answers
from a pipe, one line each, as a script sends them; `TerminalAsker` (in
`terminal.py`, imported only on a terminal so that other commands start
without prompt_toolkit) asks a person. Questions go to stderr: stdout keeps
only the new note's path."""

from __future__ import annotations

import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from vaultkit.fs import stem
from vaultkit.journal.note import NewAction, answer_problem, parse_action_text
from vaultkit.text import plural, shorten

if TYPE_CHECKING:
    from vaultkit.actions import Action
    from vaultkit.journal.templates import Prompt

REVIEW_CHOICES = {"d": "done", "done": "done", "x": "dropped", "drop": "dropped", "k": "keep", "keep": "keep"}
REVIEW_HELP = (
    "  d  done: you did it, or it happened\n"
    "  k  keep it open (or just press Enter)\n"
    "  x  drop it: let it go, it no longer fits\n"
    "  Your answer is written to the action's note, as `vaultkit done` would."
)
ACTION_QUESTIONS = {
    "external": "Anything you want to do? One action per line; an empty line ends.",
    "internal": "Anything you want to change inside: thoughts, feelings, ways of seeing? "
    "One per line; an empty line ends.",
}


class Stopped(KeyboardInterrupt):
    """SIGHUP (the terminal was closed) or SIGTERM while asking: taken as
    Ctrl-C is, so the answer being typed is saved before vaultkit ends."""


# Signals that stop `new`; while its draft is saved after one, they wait.
STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGHUP", "SIGTERM") if hasattr(signal, name))


@contextmanager
def stopping() -> Iterator[Callable[[], None]]:
    """While asking: SIGHUP and SIGTERM raise `Stopped`. Gives `hold()`, which
    ignores every stop signal until the block ends: the draft is being saved,
    and a second signal must not cut that short."""
    if threading.current_thread() is not threading.main_thread():  # only it may handle signals
        yield lambda: None
        return

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(signum)

    def hold() -> None:
        for sig in STOPS:
            signal.signal(sig, signal.SIG_IGN)

    before = {sig: signal.getsignal(sig) for sig in STOPS}
    for sig in STOPS:
        if sig != signal.SIGINT:  # Ctrl-C is a KeyboardInterrupt already
            signal.signal(sig, stop)
    try:
        yield hold
    finally:
        for sig, handler in before.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)


def say(text: str, end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def review_line(action: Action, width: int | None = None) -> str:
    """One short line per action: its text and the name of its note, cut to fit."""
    width = width or shutil.get_terminal_size((80, 24)).columns
    tail = f"  ({stem(action.source)})  [d/k/x/?] "
    if width - len(tail) - 3 < 24:  # too narrow for both: the action matters more than its note
        tail = "  [d/k/x/?] "
    room = max(width - len(tail) - 3, 12)
    return f"  {shorten(action.text, room)}{tail}"


class Asker:
    """Answers read line by line from a pipe: an empty line skips a question.
    Each question returns None once input has ended (Ctrl-D, the end of a
    pipe); `ended` then stays true."""

    terminal = False  # a person who can be asked to choose
    scratch: Path | None = None  # the drafts folder: where an answer waits for the editor

    def __init__(self) -> None:
        self.ended = False
        # Saves into the draft what is typed but not yet given: an answer so far, actions not yet asked about.
        self.keep: Callable[[str, list[NewAction]], None] = lambda text, actions: None

    def _line(self, ask: str) -> str | None:
        if self.ended:
            return None
        say(ask, end="")
        line = sys.stdin.readline()
        self.ended = line == ""
        return None if self.ended else line.rstrip("\r\n")

    def intro(self, label: str) -> None:
        say(f"{label}. Every question is optional: press Enter to skip.")

    def fit(self, text: str) -> str:
        """Text as shown: a pipe's reader gets it whole."""
        return text

    def choose(self, question: str, keys: dict[str, str], default: str | None = None) -> str | None:
        return None  # nobody to ask: the caller says which flag to add, or keeps what was planned

    def review_start(self, count: int) -> None:
        say(
            f"\n{plural(count, 'action')} still open, newest first. For each: d = done, "
            "k = keep (Enter), x = drop, ? = help."
        )

    def decide(self, action: Action) -> str | None:
        """done, dropped or keep."""
        while (line := self._line(review_line(action))) is not None:
            if answer := REVIEW_CHOICES.get(line.strip().lower() or "k"):
                return answer
            say(REVIEW_HELP if line.strip() == "?" else "  Please answer d, k or x (? for help).")
        return None

    def ask(self, prompt: Prompt, start: str = "") -> str | None:
        """The answer, asked again until it can be written; `start`: words to go on from."""
        if self.ended:
            return None
        say("\n" + self.fit(prompt.question))
        if start and self.terminal:  # a pipe's next line is added to those words
            say("(what you were writing when you stopped)")
        while (answer := self._answer(prompt, start)) is not None:
            if (problem := answer_problem(prompt, answer)) is None:
                return answer
            say(problem)
            start = ""
        return None

    def _answer(self, prompt: Prompt, start: str) -> str | None:
        line = self._line("> ")
        if line is None:
            return start or None  # words left unfinished on a terminal are never dropped
        return f"{start}\n{line}" if start and line.strip() else start or line

    def actions_start(self, kind: str) -> None:
        say(f"\n{ACTION_QUESTIONS[kind]}")

    def ask_action(self, kind: str, start: str = "") -> NewAction | None:
        """One action; None: the list is over."""
        line = start or self._line("> ")
        return None if line is None else parse_action_text(line, kind)

    def salvage(self) -> tuple[str, list[NewAction]]:
        """After an interruption: the answer being typed, and actions typed but
        not yet handed over (the rest of a pasted block)."""
        return "", []  # a pipe's lines are answers once read: nothing is half-typed
