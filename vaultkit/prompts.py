"""Asking a template's questions, for `vaultkit new`: what the terminal and
piped askers share, and the piped one (one line per answer, as a script
would send them). The terminal one, with multi-line answers, lives in
`terminal.py` and is imported only on a terminal.

Questions go to stderr, so stdout keeps only the new note's path."""

from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING

from vaultkit.fs import stem
from vaultkit.new_actions import parse_action_text
from vaultkit.templates import answer_problem
from vaultkit.text import plural

if TYPE_CHECKING:
    from vaultkit.actions import Action
    from vaultkit.new_actions import NewAction
    from vaultkit.templates import Prompt

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


def say(text: str, end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def review_line(action: Action, width: int | None = None) -> str:
    """One short line per action: its text and the name of its note, cut to fit."""
    width = width or shutil.get_terminal_size((80, 24)).columns
    tail = f"  ({stem(action.source)})  [d/k/x/?] "
    if width - len(tail) - 3 < 24:  # too narrow for both: the action matters more than its note
        tail = "  [d/k/x/?] "
    room = max(width - len(tail) - 3, 12)
    text = action.text if len(action.text) <= room else action.text[: room - 1].rstrip() + "…"
    return f"  {text}{tail}"


class Headings:
    """What both askers say before a list of questions."""

    def review_start(self, count: int) -> None:
        say(
            f"\n{plural(count, 'action')} still open, newest first. For each: d = done, "
            "k = keep (Enter), x = drop, ? = help."
        )

    def actions_start(self, kind: str) -> None:
        say(f"\n{ACTION_QUESTIONS[kind]}")


class PipedAsker(Headings):
    """Reads answers line by line from a pipe: one line per answer, an empty
    line to skip; the end of input ends the questions."""

    terminal = False

    def __init__(self) -> None:
        self.ended = False

    def _line(self, ask: str) -> str | None:
        if self.ended:
            return None
        say(ask, end="")
        line = sys.stdin.readline()
        if line == "":
            self.ended = True
            return None
        return line.rstrip("\r\n")

    def intro(self, label: str) -> None:
        say(f"{label}. Every question is optional: press Enter to skip.")

    def confirm(self, question: str) -> bool:
        return False  # nobody to ask: the command says which flag to add

    def choose(self, question: str, keys: dict[str, str]) -> str | None:
        return None  # nobody to ask: the caller keeps what was planned, and says so

    def decide(self, action: Action) -> str | None:
        while True:
            line = self._line(review_line(action))
            if line is None:
                return None
            answer = REVIEW_CHOICES.get(line.strip().lower() or "k")
            if answer:
                return answer
            say(REVIEW_HELP if line.strip() == "?" else "  Please answer d, k or x (? for help).")

    def ask(self, prompt: Prompt, start: str = "") -> str | None:
        ask = f"\n{prompt.question}\n> "
        while True:
            line = self._line(ask)
            if line is None:
                return start or None  # words left unfinished on a terminal are never dropped
            if start:
                line = f"{start}\n{line}" if line.strip() else start
            problem = answer_problem(prompt, line)
            if problem is None:
                return line
            say(problem)
            ask = "> "

    def ask_action(self, kind: str, start: str = "") -> NewAction | None:
        line = start or self._line("> ")
        return None if line is None else parse_action_text(line, kind)

    def salvage(self) -> tuple[str, list[NewAction]]:
        return "", []  # a pipe's lines are answers once read: nothing is half-typed
