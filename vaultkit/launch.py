"""The `vaultkit` command's entry point, and the `index` command's body.

`vaultkit index` is the command people run often, from an editor hook or a
timer as well as by hand. Importing click and defining every command costs
12-15 ms of the 110 ms a warm run takes on 10,000 notes, so the plain forms

    vaultkit [--vault PATH] [--debug] index [--strict] [--adopt-summary]

(each option at most once) run from here without them. Anything else -- help,
--version, another command, a typo, shell completion -- goes to click in
vaultkit.cli, which owns the interface; tests/test_launch.py checks that click
reads every invocation taken here the same way and that both print the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from vaultkit.vault import NoteFile, Vault

Echo = Callable[..., None]  # echo(message, err=False), as click.echo

PROGRESS_MIN = 2000  # notes: fewer are read before a bar would be seen


class PlainIndex(NamedTuple):
    vault_option: str | None
    debug: bool
    strict: bool
    adopt_summary: bool


def plain_index(args: list[str]) -> PlainIndex | None:
    """`args` as an index invocation this module runs itself, or None."""
    vault_option: str | None = None
    seen: set[str] = set()
    at = 0
    while at < len(args) and args[at] != "index":
        arg = args[at]
        if arg == "--vault" and at + 1 < len(args):
            vault_option, at = args[at + 1], at + 2
        elif arg.startswith("--vault="):
            vault_option, at = arg[len("--vault=") :], at + 1
        elif arg == "--debug":
            at += 1
        else:
            return None
        name = arg.partition("=")[0]
        if name in seen or (name == "--vault" and (not vault_option or vault_option.startswith("-"))):
            return None  # repeated, empty or option-like: click decides what it means
        seen.add(name)
    flags = args[at + 1 :]
    if at == len(args) or len(set(flags)) != len(flags) or not set(flags) <= {"--strict", "--adopt-summary"}:
        return None
    return PlainIndex(vault_option, "--debug" in seen, "--strict" in flags, "--adopt-summary" in flags)


def main() -> None:
    plain = None if "_VAULTKIT_COMPLETE" in os.environ else plain_index(sys.argv[1:])
    if plain is None:
        from vaultkit.cli import main as click_main

        click_main()
        return
    try:
        from vaultkit.vault import open_vault

        run_index(open_vault(plain.vault_option), plain.strict, plain.adopt_summary, echo, progress)
    except (Exception, KeyboardInterrupt) as exc:
        sys.exit(report(exc, plain.debug, echo))


def echo(message: str, err: bool = False) -> None:
    print(message, file=sys.stderr if err else sys.stdout, flush=True)


def report(exc: BaseException, debug: bool, echo: Echo) -> int:
    """Tell the user about an exception a command let out; the exit code."""
    from vaultkit.errors import VaultkitError

    if isinstance(exc, VaultkitError):
        echo(f"Error: {exc}", err=True)
        return 1
    if isinstance(exc, KeyboardInterrupt):
        echo("Interrupted.", err=True)
        return 130
    if debug:
        import traceback

        traceback.print_exception(exc)
    else:
        # The type only: an exception's text might quote a note.
        echo(
            f"Error: vaultkit failed unexpectedly ({type(exc).__name__}); "
            "run again with --debug for the details and report it",
            err=True,
        )
    return 1


def progress(files: Iterable[NoteFile]) -> Iterable[NoteFile]:
    """A progress bar on a terminal for big vaults; nothing when piped."""
    files = list(files)
    if not sys.stderr.isatty() or len(files) < PROGRESS_MIN:
        return files
    from vaultkit.cli import ProgressBar  # click draws it: a run this long does not feel its import

    return ProgressBar(files)


def run_index(
    vault: Vault,
    strict: bool,
    adopt_summary: bool,
    echo: Echo,
    progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
) -> None:
    """`vaultkit index`: sync, then say what happened."""
    from vaultkit.dates import local_today
    from vaultkit.errors import VaultkitError
    from vaultkit.sync import sync

    result = sync(vault, local_today(vault.config.day_starts_at), adopt=adopt_summary, progress=progress)
    for outcome in result.harvest.applied:
        action = outcome.change.action
        verb = "done" if outcome.change.status == "done" else "reopened"
        echo(f"{action.source}: ^{action.id} {verb} (changed in the summary)", err=True)
    for problem in result.harvest.problems:
        echo(f"warning: {problem}", err=True)
    counts = result.counts
    for path, line, message in counts.unreadable:
        where = f":{line}" if line else ""
        echo(f"warning: {path}{where}: {message}", err=True)
    for copy, original in counts.conflicts:
        echo(f"warning: {copy}: sync-conflict copy of {original}; not counted", err=True)
    summary = vault.config.summary_path
    echo(
        f"{counts.notes} notes ({result.read} read, {result.cached} cached), "
        f"{counts.open} open actions "
        f"({counts.external} external, {counts.open - counts.external} internal), "
        f"{len(counts.unreadable)} unreadable; "
        f"{summary} {'updated' if result.summary_written else 'unchanged'}"
    )
    if result.read:  # notes were parsed: say so if that was the slow way
        from vaultkit.notes import SLOW_YAML_HINT, has_libyaml

        if not has_libyaml():
            echo(f"warning: {SLOW_YAML_HINT}", err=True)
    if strict and counts.unreadable:
        raise VaultkitError(f"{len(counts.unreadable)} note(s) could not be read (see above)")
