"""Asking on a terminal, with prompt_toolkit: answers of several lines and
paragraphs, pasted blocks kept in the answer they were pasted into (bracketed
paste), one key for the editor, one-key choices.

Imported only when `vaultkit new` asks on a terminal, so other commands start
without prompt_toolkit. Everything is drawn on stderr: stdout keeps only the
new note's path."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application, run_in_terminal
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import FormattedTextControl, Layout, Window
from prompt_toolkit.output import create_output

from vaultkit.actions import DOMAINS, split_string_action
from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.prompts import ACTION_QUESTIONS, REVIEW_HELP, review_intro, review_line, say
from vaultkit.templates import NewAction, answer_problem, parse_action_text

if TYPE_CHECKING:
    from vaultkit.actions import Action
    from vaultkit.templates import Prompt

HOW = (
    "Write as much as you like: Enter starts a new line, and Enter on an empty line\n"
    "finishes the answer (Enter straight away skips the question). Esc then Enter\n"
    "keeps a blank line. Ctrl-O writes this answer in your editor. Ctrl-D writes the\n"
    "note now. Ctrl-C stops; your answers are kept, and --resume picks them up."
)
TOOLBAR = " Enter on an empty line: next · Ctrl-O: editor · Ctrl-C: stop (answers kept)"
DOMAIN_KEYS = {name[0]: name for name in DOMAINS}
DOMAIN_CHOICE = "  Domain? " + " ".join(f"({n[0]}){n[1:]}" for n in DOMAINS) + ", or Enter "


class TerminalAsker:
    """The person at a terminal. `scratch` is the owner-only folder (inside the
    vault) where an answer is put for the editor: never /tmp."""

    terminal = True

    def __init__(self, scratch: Path, dir_mode: int, file_mode: int) -> None:
        self.ended = False
        self._scratch = scratch
        self._modes = (dir_mode, file_mode)
        self._output = create_output(stdout=sys.stderr)
        self._session: PromptSession[str] = PromptSession(output=self._output)
        self._pasted: list[str] = []  # further lines of a block pasted at the action prompt

    # ------------------------------------------------------------ keys

    def _one_key(self, text: str, keys: dict[str, str], default: str | None) -> str | None:
        """Wait for one of `keys`; Enter gives `default`."""
        bindings = KeyBindings()

        def choose(result: str | None) -> Callable[[KeyPressEvent], None]:
            return lambda event: event.app.exit(result=result)

        for key, result in keys.items():
            bindings.add(key)(choose(result))
        bindings.add("enter")(choose(default))
        bindings.add("c-c")(lambda event: event.app.exit(exception=KeyboardInterrupt()))
        bindings.add("c-d")(choose(None))
        bindings.add("<any>")(lambda event: None)  # other keys do nothing
        app: Application[str | None] = Application(
            layout=Layout(Window(FormattedTextControl(text), dont_extend_height=True)),
            key_bindings=bindings,
            output=self._output,
        )
        return app.run()

    def _editor(self, text: str) -> str | None:
        """The answer written in $VISUAL/$EDITOR; None when no editor ran."""
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            say("No $VISUAL or $EDITOR is set; type the answer here instead.")
            return None
        dir_mode, file_mode = self._modes
        make_dirs(self._scratch, dir_mode)
        path = self._scratch / f"answer-{os.getpid()}.md"
        path.unlink(missing_ok=True)
        create_exclusive(path, text.encode("utf-8"), file_mode)
        try:
            code = subprocess.call([*shlex.split(command), str(path)])
            written = path.read_text(encoding="utf-8")
        except OSError as exc:
            say(f"Could not run {command!r} ({exc.strerror}); your answer is as it was.")
            return None
        finally:
            path.unlink(missing_ok=True)
        if code != 0:
            say(f"The editor exited with status {code}; your answer is as it was.")
            return None
        return written

    def _answer_keys(self) -> KeyBindings:
        bindings = KeyBindings()

        @bindings.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            doc = buffer.document
            if not buffer.text.strip() or (doc.is_cursor_at_the_end and not doc.current_line.strip()):
                buffer.text = buffer.text.strip()
                buffer.validate_and_handle()
            else:
                buffer.insert_text("\n")

        @bindings.add("escape", "enter")
        def _newline(event: KeyPressEvent) -> None:
            event.current_buffer.insert_text("\n")

        @bindings.add("c-d")
        def _finish(event: KeyPressEvent) -> None:
            self.ended = True  # this answer is kept; the note is written now
            event.current_buffer.validate_and_handle()

        @bindings.add("c-o")
        def _edit(event: KeyPressEvent) -> None:
            buffer = event.current_buffer

            async def edit() -> None:
                written = await run_in_terminal(lambda: self._editor(buffer.text))
                if written is not None:
                    buffer.text = written.strip()
                    buffer.validate_and_handle()

            event.app.create_background_task(edit())

        return bindings

    # ------------------------------------------------------------ the questions

    def intro(self, label: str) -> None:
        say(f"{label}. Every question is optional.\n{HOW}")

    def confirm(self, question: str) -> bool:
        return self._one_key(f"{question} [y/N] ", {"y": "y", "n": "n"}, "n") == "y"

    def review_start(self, count: int) -> None:
        say(review_intro(count))

    def decide(self, action: Action) -> str | None:
        if self.ended:
            return None
        while True:
            keys = {"d": "done", "k": "keep", "x": "dropped", "?": "?"}
            answer = self._one_key(review_line(action), keys, "keep")
            if answer is None:
                self.ended = True
                return None
            if answer != "?":
                return answer
            say(REVIEW_HELP)

    def ask(self, prompt: Prompt) -> str | None:
        if self.ended:
            return None
        say(f"\n{prompt.question}")
        one_line = prompt.field is not None  # a property: a number, a date, a word
        keys = None if one_line else self._answer_keys()
        while True:
            try:
                answer = self._session.prompt(
                    "> ",
                    multiline=not one_line,
                    key_bindings=keys,
                    prompt_continuation="  ",
                    bottom_toolbar=None if one_line else TOOLBAR,
                )
            except EOFError:  # Ctrl-D on an empty one-line answer
                self.ended = True
                return None
            problem = answer_problem(prompt, answer)
            if problem is None:
                return answer
            say(problem)

    def actions_start(self, kind: str) -> None:
        say(f"\n{ACTION_QUESTIONS[kind]}")

    def ask_action(self, kind: str) -> NewAction | None:
        if self.ended:
            return None
        if not self._pasted:
            try:
                typed = self._session.prompt("> ")
            except EOFError:
                self.ended = True
                return None
            # A block pasted here is several actions, one per line.
            self._pasted = [line for line in typed.splitlines() if line.strip()] or [""]
        action = parse_action_text(self._pasted.pop(0), kind)
        if action is None:
            self._pasted.clear()
            return None
        if action.domain is None and split_string_action(action.text).domain is None:
            domain = self._one_key(DOMAIN_CHOICE, DOMAIN_KEYS, None)
            if domain:
                say(f"  #{domain}")
                action = NewAction(action.text, action.kind, action.done, domain)
        return action
