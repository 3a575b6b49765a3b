"""Asking on a terminal, with prompt_toolkit: answers of several lines and
paragraphs, pasted blocks kept in the answer they were pasted into (bracketed
paste), one key for the editor, one-key choices. Everything is drawn on
stderr: stdout keeps only the new note's path."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application, run_in_terminal
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import FormattedTextControl, Layout, Window
from prompt_toolkit.output import create_output

from vaultkit.actions import DOMAINS, split_string_action
from vaultkit.atomic import create_exclusive, make_dirs
from vaultkit.journal.ask import REVIEW_HELP, Asker, Stopped, review_line, say
from vaultkit.journal.note import NewAction, parse_action_text, with_domain
from vaultkit.text import shorten

if TYPE_CHECKING:
    from vaultkit.actions import Action
    from vaultkit.journal.templates import Prompt

HOW = (
    "Write as much as you like: Enter starts a new line, and Enter on an empty line "
    "finishes the answer (Enter straight away skips the question). Esc then Enter "
    "keeps a blank line. Ctrl-O writes this answer in your editor. Ctrl-D writes the "
    "note now (before any answer: leaves, writing nothing). Ctrl-C stops; what you typed "
    "is kept, and --resume picks it up."
)
# The toolbar under a multi-line answer, longest first: the widest that fits is shown.
TOOLBARS = (
    " Enter on an empty line: next · Ctrl-O: editor · Ctrl-C: stop (answers kept)",
    " Empty line: next · Ctrl-O: editor · Ctrl-C: stop",
    " Empty line: next · Ctrl-C: stop",
)
# Digits, not letters: a person who starts typing the next action at this
# question must not have its first letter taken for a domain.
DOMAIN_KEYS = {str(n): name for n, name in enumerate(DOMAINS, 1)}
DOMAIN_CHOICE = " Domain? " + " ".join(f"{k} {name}" for k, name in DOMAIN_KEYS.items()) + ", Enter: "
REVIEW_KEYS = {"d": "done", "k": "keep", "x": "dropped", "?": "?"}
SAID = {"done": "done", "dropped": "dropped", "keep": "kept open"}
# Shown at an empty action prompt: this is where an empty line ends the list.
ENDS_LIST = FormattedText([("fg:ansibrightblack", "(an empty line ends this list)")])


def _width() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def drain_typeahead() -> None:
    """Throw away what was typed but not yet read. Called as `new` ends on a
    terminal: words typed for the journal after its last question must never
    reach the shell, which would run them (and keep them in its history)."""
    try:
        import termios
    except ImportError:  # not a POSIX terminal
        return
    try:
        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (OSError, ValueError, termios.error):
        pass  # stdin closed or no longer a terminal: nothing is waiting there


class TerminalAsker(Asker):
    """The person at a terminal. `shown` names a path in the vault as the
    person reads it. `edit_file` is the CLI's editor: None when it ran
    cleanly, else why not."""

    terminal = True

    def __init__(
        self,
        shown: Callable[[Path], str],
        dir_mode: int,
        file_mode: int,
        edit_file: Callable[[Path], str | None],
    ) -> None:
        super().__init__()
        self._shown, self._modes, self._edit_file = shown, (dir_mode, file_mode), edit_file
        self._output = create_output(stdout=sys.stderr)
        # Two sessions: a one-line prompt must not inherit the multi-line keys.
        self._answers: PromptSession[str] = PromptSession(
            output=self._output,
            multiline=True,
            key_bindings=self._answer_keys(),
            prompt_continuation="  ",
            bottom_toolbar=lambda: next((t for t in TOOLBARS if len(t) < _width()), ""),
        )
        self._lines: PromptSession[str] = PromptSession(output=self._output)
        self._typing = ""  # what was being typed when Ctrl-C came
        self._pasted: list[str] = []  # further lines of a block pasted at the action prompt
        self._block = False  # the action being asked about is a line of a pasted block
        self._held: list[NewAction] = []  # typed actions not yet handed over (Ctrl-C at "Domain?")
        self._kind = "external"
        self._carried = ""  # typed at the domain question: the start of the next action

    def _prompt(self, session: PromptSession[str], start: str, hint: FormattedText | None) -> str | None:
        """One answer; None for Ctrl-D on an empty one."""
        try:
            return session.prompt("> ", default=start, placeholder=hint)
        except EOFError:
            self.ended = True
            if session.input.closed:  # not Ctrl-D: the terminal went away mid-answer
                self._typing = session.default_buffer.text
                raise Stopped() from None
            return None
        except BaseException:  # Ctrl-C, a hang-up, a kill: what was typed is kept
            self._typing = session.default_buffer.text
            raise

    def choose(
        self, question: str, keys: dict[str, str], default: str | None = None, carry: bool = False
    ) -> str | None:
        """One of `keys`; Enter gives `default` (with None, Enter does nothing: a
        choice must be made); Ctrl-D gives None. Other keys do nothing, unless
        `carry`: then other text typed (or pasted) ends the question as Enter
        does, and is kept as the start of the next answer."""
        bindings = KeyBindings()

        def choose(result: str | None) -> Callable[[KeyPressEvent], None]:
            return lambda event: event.app.exit(result=result)

        def typed(event: KeyPressEvent) -> None:
            pasted = event.key_sequence[0].key == Keys.BracketedPaste  # lines and all
            if carry and (pasted or event.data.isprintable()):
                self._carried = event.data
                event.app.exit(result=default)

        for key, result in keys.items():
            bindings.add(key)(choose(result))
        if default is not None:
            bindings.add("enter")(choose(default))
        bindings.add("c-c")(lambda event: event.app.exit(exception=KeyboardInterrupt()))
        bindings.add("c-d")(choose(None))
        bindings.add(Keys.BracketedPaste)(typed)
        bindings.add("<any>")(typed)
        window = Window(FormattedTextControl(question), dont_extend_height=True, wrap_lines=True)
        app: Application[str | None] = Application(Layout(window), key_bindings=bindings, output=self._output)
        try:
            return app.run()
        except EOFError:  # not Ctrl-D (that is a key here): the terminal went away
            raise Stopped() from None

    def _editor(self, text: str) -> str | None:
        """The answer written in $VISUAL/$EDITOR; None when no editor ran. It
        waits for the editor in the vault's owner-only drafts folder: it is
        note text, so never in /tmp."""
        dir_mode, file_mode = self._modes
        assert self.scratch is not None  # set before the first question
        make_dirs(self.scratch, dir_mode)
        path = self.scratch / f"answer-{os.getpid()}.md"
        path.unlink(missing_ok=True)
        create_exclusive(path, text.encode("utf-8"), file_mode)
        written = None
        try:
            if (problem := self._edit_file(path)) is None:
                written = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = f"Could not read the answer back ({exc.__class__.__name__})"
        # Not on a hang-up or kill meanwhile: what the editor saved stays, and the next `new` names it.
        path.unlink(missing_ok=True)
        if problem is not None:
            say(f"{problem}; your answer is as it was.")
        return written

    def _answer_keys(self) -> KeyBindings:
        bindings = KeyBindings()

        def add(event: KeyPressEvent, text: str) -> None:
            """`text` (a new line, a pasted block) added, and the answer so far
            saved in the draft: a kill now loses none of it."""
            buffer = event.current_buffer
            buffer.insert_text(text)
            try:
                self.keep(buffer.text.rstrip("\n"), [])
            except Exception as exc:  # the draft can't be saved: stop here, as an answer's save would
                event.app.exit(exception=exc)

        @bindings.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            doc = buffer.document
            if not buffer.text.strip() or (doc.is_cursor_at_the_end and not doc.current_line.strip()):
                buffer.text = buffer.text.strip()
                buffer.validate_and_handle()
            else:
                add(event, "\n")

        @bindings.add("escape", "enter")
        def _newline(event: KeyPressEvent) -> None:
            add(event, "\n")

        @bindings.add(Keys.BracketedPaste)
        def _paste(event: KeyPressEvent) -> None:
            add(event, event.data.replace("\r\n", "\n").replace("\r", "\n"))

        @bindings.add("c-d")
        def _finish(event: KeyPressEvent) -> None:
            self.ended = True  # this answer is kept; the note is written now
            if not event.current_buffer.text.strip():  # no answer: not a skip either
                event.app.exit(exception=EOFError())
            else:
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

    def fit(self, text: str) -> str:
        """Long text wrapped at words for the terminal (it would break words)."""
        return textwrap.fill(text, min(_width(), 100) - 1)

    def intro(self, label: str) -> None:
        say(self.fit(f"{label}. Every question is optional."))
        say(self.fit(HOW))
        for left in sorted(self.scratch.glob("answer-*.md")) if self.scratch else ():
            say(
                f"Note: an answer being written in an editor was left in {self._shown(left)}; "
                "copy what you need from it, then delete it."
            )

    def decide(self, action: Action) -> str | None:
        if self.ended:
            return None
        while (answer := self.choose(review_line(action), REVIEW_KEYS, "keep")) == "?":
            say(REVIEW_HELP)
        self.ended = answer is None
        if answer is not None:
            say(f"    → {SAID[answer]}")
        return answer

    def _answer(self, prompt: Prompt, start: str) -> str | None:
        session = self._lines if prompt.field is not None else self._answers  # a property: one line
        return self._prompt(session, start, None)

    def ask_action(self, kind: str, start: str = "") -> NewAction | None:
        """One action, then its domain question: after every action, one at a
        time (the lines of a pasted block too), so the rhythm never changes.
        Only an empty line at this prompt ends the list; Enter at the domain
        question is "no domain" (or the #tag's), never the end of the list."""
        if self.ended:  # Ctrl-D at a domain question: the rest of a pasted block is kept, unasked
            return self._next_pasted(kind)
        self._kind = kind
        start, self._carried = start or self._carried, ""
        while (action := self._next_pasted(kind)) is None:
            typed = self._prompt(self._lines, start, ENDS_LIST)
            # A block pasted here is several actions, one per line.
            self._pasted = [line for line in (typed or "").splitlines() if line.strip()]
            if not self._pasted:
                return None
            self._block, start = len(self._pasted) > 1, ""
        self._held = [action]
        self.keep("", self.salvage()[1])  # a kill at the domain question loses none of them
        tagged = split_string_action(action.text).domain
        label = f"  {shorten(action.text)} ·" if self._block else " "  # a line of a block: named
        question = f"{label}{DOMAIN_CHOICE}{f'{tagged} (its tag)' if tagged else 'none'} "
        chosen = self.choose(question, DOMAIN_KEYS, tagged or "", carry=True)
        self._held, self.ended = [], chosen is None
        if domain := chosen or tagged:  # a key; Enter, Ctrl-D or words typed keep the tag
            say(f"  #{domain}")
            action = with_domain(action, domain)
        lines = [line for line in self._carried.splitlines() if line.strip()]
        if len(lines) > 1:  # a block pasted at the question: the next actions
            self._pasted += lines
            self._block, self._carried = True, ""
        return action

    def _next_pasted(self, kind: str) -> NewAction | None:
        """The next line of a pasted block as an action (a line that is only a box is none)."""
        while self._pasted:
            if (action := parse_action_text(self._pasted.pop(0), kind)) is not None:
                return action
        self._block = False
        return None

    def salvage(self) -> tuple[str, list[NewAction]]:
        rest = [a for a in (parse_action_text(line, self._kind) for line in self._pasted) if a]
        return self._typing or self._carried, [*self._held, *rest]
