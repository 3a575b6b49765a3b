"""Asking a template's questions in the terminal, for `vaultkit new`.

Questions go to stderr, so stdout keeps only the new note's path."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from vaultkit.text import plural

if TYPE_CHECKING:
    from vaultkit.actions import Action
    from vaultkit.templates import NewAction, Prompt


def _say(text: str, end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def _read_line() -> str | None:
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\r\n")


class Asker:
    """Asks a template's prompts on stderr, so stdout keeps only the path."""

    def __init__(self) -> None:
        self.eof = False

    def intro(self, label: str) -> None:
        _say(f"{label}. Every question is optional: press Enter to skip.")

    def ask(self, prompt: Prompt) -> str:
        if self.eof:
            return ""
        _say(f"\n{prompt.question}\n> ", end="")
        line = _read_line()
        if line is None:
            self.eof = True
            return ""
        return line

    def review(self, actions: list[Action]) -> dict[str, str]:
        """For each open action: done, keep or drop? Returns id -> new status."""
        decisions: dict[str, str] = {}
        if not actions or self.eof:
            return decisions
        _say(
            f"\n{plural(len(actions), 'action')} still open. For each: d = done, k = keep (Enter), "
            "x = drop (let it go)."
        )
        choices = {"d": "done", "done": "done", "x": "dropped", "drop": "dropped"}
        for action in actions:
            while True:
                _say(f"  {action.text}  ({action.source})  [d/k/x] ", end="")
                line = _read_line()
                if line is None:
                    self.eof = True
                    return decisions
                answer = line.strip().lower()
                if answer in ("", "k", "keep"):
                    break
                if answer in choices:
                    decisions[action.id] = choices[answer]
                    break
                _say("  Please answer d, k or x.")
        return decisions

    def ask_actions(self, note_type: str) -> list[NewAction]:
        from vaultkit.templates import NewAction

        result: list[NewAction] = []
        for kind, question in (
            ("external", "Anything you want to do? One action per line; an empty line ends."),
            (
                "internal",
                "Anything you want to change inside: thoughts, feelings, ways of "
                "seeing? One per line; an empty line ends.",
            ),
        ):
            if self.eof:
                break
            _say(f"\n{question}")
            while True:
                _say("> ", end="")
                line = _read_line()
                if line is None:
                    self.eof = True
                    break
                if not line.strip():
                    break
                result.append(NewAction(" ".join(line.split()), kind))
        return result
