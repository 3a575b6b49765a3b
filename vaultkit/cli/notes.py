"""Commands that make notes: init, new, templates."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vaultkit.cli.base import App, cli, common, complete_templates, note_types, pass_app, say
from vaultkit.errors import VaultkitError

# ---------------------------------------------------------------- init


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--obsidian-types/--no-obsidian-types",
    default=None,
    help="Record vaultkit's property types in .obsidian/types.json (asked on a terminal; default no).",
)
@common
@pass_app
def init(app: App, path: Path | None, obsidian_types: bool | None) -> None:
    """Make PATH (default: the current folder) a vault.

    Creates .vaultkit/config.yaml with every setting commented out. Running it
    again changes nothing. In an Obsidian vault it offers to record the types
    of vaultkit's properties (date: Date, mood: Number, actions: List, ...)
    in .obsidian/types.json; nothing else there is changed.

    \b
    Examples:
      vaultkit init ~/Notes
      vaultkit init --obsidian-types
    """
    import sys

    from vaultkit.fs import CONFIG_FILE, init_vault
    from vaultkit.obsidian import PROPERTY_TYPES, TYPE_NAMES, TYPES_FILE, record_types, types_missing

    folder = path or (Path(app.vault_option) if app.vault_option else Path.cwd())  # `--vault V init` too
    obsidian = (folder / ".obsidian").is_dir()
    if obsidian_types and not obsidian:  # said before anything is made
        raise VaultkitError(
            f"{folder} has no .obsidian/ folder, so there is no types.json to write; "
            "open the folder as a vault in Obsidian once, then run vaultkit init --obsidian-types"
        )
    created = init_vault(folder)
    if created:
        click.echo(f"Made {folder} a vault: created {', '.join(created)}.")
    else:
        click.echo(f"{folder} is already a vault ({CONFIG_FILE} exists); its files are left as they are.")
    if obsidian and obsidian_types is None and types_missing(folder):
        # Asked only when the vault is new: re-running init changes nothing unless told to.
        if created and sys.stdin.isatty() and sys.stdout.isatty():
            obsidian_types = click.confirm(
                f"Record the types of vaultkit's properties in {TYPES_FILE}, so Obsidian's "
                "Properties panel shows dates as dates and actions as a list?",
                default=False,
            )
        else:
            click.echo(
                "To give vaultkit's properties their types in Obsidian: vaultkit init --obsidian-types"
            )
    if obsidian_types:
        result = record_types(folder)
        if result.added:
            click.echo(
                f"Recorded {len(result.added)} property types in {TYPES_FILE}: {', '.join(result.added)}."
            )
        else:
            click.echo(f"{TYPES_FILE} already has a type for each of vaultkit's properties; nothing changed.")
        for name, kind in result.differing:
            say(
                f"Note: {TYPES_FILE} gives `{name}` the type {TYPE_NAMES.get(kind, kind)}, not vaultkit's "
                f"{TYPE_NAMES[PROPERTY_TYPES[name]]}; left as it is "
                "(change it in Obsidian: the property's icon, then Property type)"
            )
    if created:
        click.echo("Next: vaultkit new intention   (or: vaultkit new reflection)")


# ---------------------------------------------------------------- new


@cli.command()
@click.argument("note_type", metavar="TYPE", required=False, shell_complete=complete_templates)
@click.option("--date", "date_text", metavar="DATE", help="YYYY-MM-DD, today or yesterday.")
@click.option(
    "--session",
    type=int,
    help="Session number (default: an intention opens the next one; other notes join the latest).",
)
@click.option("--title", help="Title and file name (default: the type, e.g. Reflection).")
@click.option(
    "--action",
    "actions",
    multiple=True,
    metavar="TEXT",
    help='An action for the note; repeatable. Prefix "internal:" for an inner change.',
)
@click.option("--no-input", is_flag=True, help="Ask nothing; leave every prompt for later.")
@click.option("--edit/--no-edit", default=False, help="Open the note in $VISUAL or $EDITOR.")
@click.option("--yes", is_flag=True, help="Write a note dated in the future without asking.")
@click.option("--resume", is_flag=True, help="Continue the draft left by an interrupted `new`.")
@click.option("--discard-draft", is_flag=True, help="Throw away a waiting draft and start over.")
@click.option(
    "--draft",
    metavar="NAME",
    help="With --resume or --discard-draft: another device's draft (a sync-conflict copy), by file name.",
)
@common
@pass_app
def new(
    app: App, /, note_type: str | None, actions: tuple[str, ...], no_input: bool, edit: bool, **plan: Any
) -> None:
    """Create a dated note from a template and print its path.

    TYPE is intention, reflection, check-in, or a template of your own in
    .vaultkit/templates/. The template's questions are asked one by one;
    every one is optional. On a terminal an answer can run to several lines:
    Enter on an empty line finishes it, Ctrl-O writes it in your editor.
    Answers are kept in a draft as you go: after Ctrl-C, --resume continues.
    An existing note is never overwritten.

    \b
    Examples:
      vaultkit new reflection
      vaultkit new reflection --resume
      vaultkit new check-in --no-input --action "Call my sister"
      vaultkit new intention --date 2026-12-01 --action "internal: notice my breathing"
    """
    import sys

    from vaultkit.config import now
    from vaultkit.journal.ask import Asker
    from vaultkit.journal.note import parse_action_text
    from vaultkit.journal.plan import NewNoteRequest, create_note

    if note_type is None:
        raise click.UsageError(_which_note(app), click.get_current_context())
    vault = app.vault()
    parsed = [a for a in map(parse_action_text, actions) if a is not None]
    request = NewNoteRequest(note_type, now(vault.config), actions=parsed, **plan)
    asker: Asker | None = None if no_input else Asker()
    drain: Callable[[], None] | None = None
    if asker is not None and sys.stdin.isatty() and sys.stderr.isatty():
        from vaultkit.journal.terminal import TerminalAsker, drain_typeahead

        config = vault.config
        asker = TerminalAsker(vault.rel, config.dir_mode, config.file_mode, edit_file)
        drain = drain_typeahead
    try:
        rel = create_note(vault, request, asker, say)
        if asker is not None:
            say("")
        if edit and (problem := edit_file(vault.root / rel)) is not None:
            say(f"{problem}; the note was kept, open it yourself.")
        click.echo(rel)
    finally:
        if drain is not None:  # keys typed ahead are for vaultkit, never for the shell
            drain()


def _which_note(app: App) -> str:
    """`vaultkit new` without a type: each type there is, as the command that writes it."""
    try:
        vault = app.vault()
    except VaultkitError:  # not in a vault: the shipped types are still worth showing
        vault = None
    rows = note_types(vault)
    width = max(len(name) for name, _ in rows)
    lines = (f"  vaultkit new {name:<{width}}  {when}" for name, when in rows)
    return "Missing argument 'TYPE', the note to write; one of:\n" + "\n".join(lines)


def edit_file(path: Path) -> str | None:
    """Open `path` in $VISUAL or $EDITOR (click.edit) and wait for it: the one
    way vaultkit starts an editor, for --edit and for an answer (Ctrl-O). None
    when it ran and exited cleanly, else what went wrong, as the start of a
    sentence."""
    if not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        return "No $VISUAL or $EDITOR is set"
    try:
        click.edit(filename=str(path))
    except click.ClickException as exc:
        return f"The editor did not run cleanly ({exc.format_message()})"
    except (OSError, ValueError) as exc:  # ValueError: a $VISUAL whose quotes don't close
        return f"Could not start $VISUAL/$EDITOR ({exc.__class__.__name__})"
    return None


# ---------------------------------------------------------------- templates


@cli.group(invoke_without_command=True)
@common
@click.pass_context
def templates(ctx: click.Context) -> None:
    """List note templates and where each comes from.

    A template in .vaultkit/templates/ replaces the shipped one of the same
    name. Copy a shipped one there to edit it:

    \b
      vaultkit templates copy reflection
    """
    if ctx.invoked_subcommand is not None:
        return
    from vaultkit.journal.templates import list_templates

    vault = ctx.find_object(App).vault()  # type: ignore[union-attr]
    rows = list_templates(vault)
    width = max(len(t.name) for t in rows)
    for template in rows:
        where = vault.rel(Path(template.location)) if template.origin == "vault" else template.location
        click.echo(f"{template.name:<{width}}  {template.origin:<7}  {where}")


@templates.command("copy")
@click.argument("name")
@common
@pass_app
def templates_copy(app: App, name: str) -> None:
    """Copy a shipped template into .vaultkit/templates/ for editing.

    Example: vaultkit templates copy check-in
    """
    from vaultkit.journal.templates import copy_template

    vault = app.vault()
    target = copy_template(vault, name)
    click.echo(f"Copied to {vault.rel(target)}; vaultkit new {name} now uses it.")
