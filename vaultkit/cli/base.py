"""The command group, the per-invocation state, and the one place where
errors become messages and exit codes (`VaultkitGroup.invoke`): 1 with
`Error: ...` on stderr, 2 for usage, 130 when interrupted."""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vaultkit import __version__

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from vaultkit.fs import Vault
    from vaultkit.refresh import Report
    from vaultkit.store import Store

PROGRESS_MIN = 2000  # notes to read before a progress bar is worth drawing
F = TypeVar("F", bound=Callable[..., Any])


class App:
    """Per-invocation state: the --vault option, resolved into a Vault on demand."""

    def __init__(self, vault_option: str | None, debug: bool) -> None:
        self.vault_option = vault_option
        self.debug = debug
        self._vault: Vault | None = None

    def vault(self) -> Vault:
        if self._vault is None:
            from vaultkit.fs import open_vault

            self._vault = open_vault(self.vault_option)
            for warning in self._vault.config.warnings:
                say(f"warning: {warning}")
        return self._vault


pass_app = click.make_pass_decorator(App)


def _completion_vault(ctx: click.Context) -> Vault | None:
    """The vault a command line being completed names, if it names one."""
    from vaultkit.fs import open_vault

    root = ctx.find_root()
    try:
        return open_vault(root.params.get("vault_option") or ctx.params.get("vault"))
    except Exception:  # completion must never fail loudly
        return None


def complete_templates(ctx: click.Context, _: click.Parameter, incomplete: str) -> list[str]:
    from vaultkit.journal.templates import list_templates

    vault = _completion_vault(ctx)
    names = [t.name for t in list_templates(vault)] if vault is not None else []
    return [n for n in names if n.startswith(incomplete)]


# The statuses each command can change an action from: completion offers only
# those (`done` on a done action changes nothing, `reopen` on an open one neither).
ACTS_ON = {"done": ("open",), "drop": ("open",), "reopen": ("done", "dropped")}
HELP_WIDTH = 60  # an action's text beside its id, cut to fit a terminal's line


def complete_ids(ctx: click.Context, _: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Ids of the actions this command can change, as the store last saw them
    (nothing is read or written), each with its text, which zsh and fish show
    beside the id. Shown on the person's own terminal only, never logged."""
    from click.shell_completion import CompletionItem

    from vaultkit.store import open_store, store_path
    from vaultkit.text import one_line, shorten

    vault = _completion_vault(ctx)
    if vault is None or not store_path(vault).exists():
        return []
    statuses = ACTS_ON.get(ctx.command.name or "", ("open", "done", "dropped"))
    store = open_store(vault, lambda _message: None)
    try:
        found = [a for a in store.actions() if a.id.startswith(incomplete) and a.status in statuses]
    finally:
        store.close()
    # on one line: the shells' protocols are line-based
    return [CompletionItem(a.id, help=shorten(" ".join(one_line(a.text).split()), HELP_WIDTH)) for a in found]


def note_types(vault: Vault | None) -> list[tuple[str, str]]:
    """(type, when it is written) for `vaultkit new`: the shipped ones, then the
    vault's own templates (none when there is no vault, or its folder cannot be read)."""
    from vaultkit.errors import VaultkitError
    from vaultkit.journal.templates import list_templates
    from vaultkit.notes import NOTE_TYPES

    own: list[tuple[str, str]] = []
    if vault is not None:
        try:
            own = [
                (t.name, f"your own template, {vault.rel(Path(t.location))}")
                for t in list_templates(vault)
                if t.origin == "vault" and t.name not in NOTE_TYPES
            ]
        except (VaultkitError, OSError):
            pass
    return [*NOTE_TYPES.items(), *own]


# Words people type for a command, and the command they mean (keys in
# lower case, letters and digits only).
MEANT = {
    word: command
    for command, words in (
        ("actions", "list ls todo todos tasks"),
        ("done", "complete finish tick"),
        ("reopen", "undo untick"),
        ("drop", "remove delete cancel"),
        ("index", "summary update refresh"),
        ("new", "write create add note"),
        ("--help", "help"),
    )
    for word in words.split()
}


def meant(word: str, types: Iterable[str]) -> str | None:
    """The command a person who typed `vaultkit WORD` probably meant: a note
    type (`checkin`, `reflect`) is `vaultkit new TYPE`, a usual word for a
    command (`list`) that command; None when nothing fits."""
    key = re.sub(r"[^a-z0-9]", "", word.lower())
    if not key:
        return None
    for name in types:
        plain = re.sub(r"[^a-z0-9]", "", name.lower())
        if plain in (key, key.removesuffix("s")) or (len(key) >= 5 and plain.startswith(key)):
            return f"vaultkit new {name}"
    return f"vaultkit {MEANT[key]}" if key in MEANT else None


def say(message: str) -> None:
    click.echo(message, err=True)


def report_error(exc: BaseException, debug: bool) -> int:
    """Tell the user about an exception a command let out; the exit code."""
    from vaultkit.errors import NothingWritten, VaultkitError

    if isinstance(exc, NothingWritten):
        say(str(exc))
        return 130
    if isinstance(exc, VaultkitError):
        say(f"Error: {exc}")
        return 1
    if isinstance(exc, KeyboardInterrupt):
        say("Interrupted.")
        return 130
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        say(f"Error: no space left on the disk that holds {exc.filename or 'the vault'}; nothing was changed")
        return 1
    if debug:
        import traceback

        traceback.print_exception(exc)
    else:  # the type only: an exception's text might quote a note
        say(
            f"Error: vaultkit failed unexpectedly ({type(exc).__name__}); "
            "run again with --debug for the details and report it"
        )
    return 1


class VaultkitGroup(click.Group):
    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """An unknown command that names a note type or a usual word for a
        command gets the command it meant (click's own guess, by spelling, would
        send `checkin` to `check`)."""
        if args and not ctx.resilient_parsing and self.get_command(ctx, args[0]) is None:
            hint = meant(args[0], (name for name, _ in note_types(_completion_vault(ctx))))
            if hint:
                ctx.fail(f"No such command {args[0]!r}. Did you mean '{hint}'?")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit):
            raise
        except click.Abort:
            ctx.exit(report_error(KeyboardInterrupt(), False))
        except (Exception, KeyboardInterrupt) as exc:
            app = ctx.find_object(App)
            ctx.exit(report_error(exc, bool(app and app.debug) or bool(ctx.params.get("debug"))))


def _late_vault(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(App).vault_option = value


def _late_debug(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(App).debug = True


def common(command: F) -> F:
    """`--vault` and `--debug` after the command too, as people type them."""
    command = click.option("--debug", is_flag=True, expose_value=False, callback=_late_debug, hidden=True)(
        command
    )
    return click.option(
        "--vault", metavar="PATH", expose_value=False, callback=_late_vault, hidden=True, is_eager=True
    )(command)


def _version(debug: bool) -> str:
    """The version line, and with --debug what it runs on (for a bug report)."""
    text = f"vaultkit, version {__version__}"
    if debug:
        import platform
        import sqlite3
        from importlib.metadata import PackageNotFoundError, version

        parts = [
            f"Python {platform.python_version()} ({platform.system()})",
            f"SQLite {sqlite3.sqlite_version}",
        ]
        for name in ("click", "PyYAML", "watchdog", "tzlocal"):
            try:
                parts.append(f"{name} {version(name)}")
            except PackageNotFoundError:
                parts.append(f"{name} missing")
        import yaml

        parts.append("libyaml" if hasattr(yaml, "CSafeLoader") else "no libyaml")
        text += "\n" + ", ".join(parts)
    return text


@click.group(
    cls=VaultkitGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--vault",
    "vault_option",
    metavar="PATH",
    help="The vault folder (before or after the command). Default: $VAULTKIT_VAULT, "
    "else the nearest folder above the current one that holds .vaultkit/ or .obsidian/.",
)
@click.option(
    "--debug", is_flag=True, help="Show a traceback when something fails (with --version: what it runs on)."
)
@click.option("--version", "show_version", is_flag=True, help="Show the version and exit.")
@click.pass_context
def cli(ctx: click.Context, vault_option: str | None, debug: bool, show_version: bool) -> None:
    """Integration journaling in your folder of markdown notes.

    \b
    Start with:
      vaultkit init                   make this folder a vault
      vaultkit new intention          before a session
      vaultkit new reflection         after it
      vaultkit new check-in           a week or a month later
      vaultkit index                  gather open actions into one note
      vaultkit brief                  a page to bring to your next session

    vaultkit is a journaling aid, not a substitute for a clinician.
    """
    if show_version:
        click.echo(_version(debug))
        ctx.exit()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit()
    ctx.obj = App(vault_option, debug)


def progress(notes: list[Any]) -> Iterable[Any]:
    """A progress bar on a terminal for big reads; nothing when piped, on a
    dumb terminal, or with NO_COLOR set (the bar is drawn with escape codes)."""
    plain = os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb"
    if plain or not sys.stderr.isatty() or len(notes) < PROGRESS_MIN:
        return notes
    return _bar(notes)


def _bar(notes: list[Any]) -> Iterator[Any]:
    with click.progressbar(notes, label="Reading notes", file=sys.stderr) as bar:
        yield from bar


def tell(report: Report, notes: bool = True) -> None:
    """What a refresh did besides the command's own work, on stderr: boxes
    applied from the summary, changes not applied, and (`notes`) the notes
    that could not be read and the conflict copies not counted."""
    from vaultkit.actions import VERBS

    for outcome in report.ticked:
        action = outcome.change.action
        say(f"{action.source}: ^{action.id} {VERBS[outcome.change.status]} (changed in the summary)")
    for message in report.problems:
        say(f"warning: {message}")
    for path, problem in report.unreadable if notes else ():
        say(f"warning: {path}{f':{problem.line}' if problem.line else ''}: {problem.message}")
    for copy, original in report.conflicts if notes else ():
        say(f"warning: {copy}: sync-conflict copy of {original}; not counted")


@contextmanager
def engine(app: App) -> Iterator[tuple[Vault, Store]]:
    """The vault and its store, with the vault's lock held."""
    from vaultkit.refresh import opened

    vault = app.vault()
    with opened(vault, say) as store:
        yield vault, store


def vault_today(vault: Vault) -> date:
    """Today in the vault's journaling day (see config.local_today)."""
    from vaultkit.config import local_today

    return local_today(vault.config)


@contextmanager
def scanned(app: App) -> Iterator[tuple[Vault, Store, Report]]:
    """The store brought up to date with the notes (nothing else written)."""
    from vaultkit.refresh import scan

    with engine(app) as (vault, store):
        yield vault, store, scan(vault, store, vault_today(vault), progress=progress)
