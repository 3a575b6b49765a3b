"""The `vaultkit` command's interface. The only module that imports click.

Each command parses its options, makes one call into the library and echoes
the result. Library modules are imported inside commands so that start-up
stays fast; for the same reason a plain `vaultkit index` is run by
vaultkit.launch (the entry point) without this module. Errors are translated
to exit codes in one place (`launch.report`, called by
`VaultkitGroup.invoke`): 1 with `Error: ...` on stderr, 2 for usage, 130 when
interrupted.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from vaultkit import __version__

if TYPE_CHECKING:
    from vaultkit.templates import NewAction, Prompt
    from vaultkit.vault import Vault


class App:
    """Per-invocation state: the --vault option, resolved into a Vault on demand."""

    def __init__(self, vault_option: str | None, debug: bool) -> None:
        self.vault_option = vault_option
        self.debug = debug
        self._vault: Vault | None = None

    def vault(self) -> Vault:
        if self._vault is None:
            from vaultkit.vault import open_vault

            self._vault = open_vault(self.vault_option)
        return self._vault


pass_app = click.make_pass_decorator(App)


def fail(message: str) -> NoReturn:
    from vaultkit.errors import VaultkitError

    raise VaultkitError(message)


class VaultkitGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from vaultkit.launch import report

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit):
            raise
        except click.Abort:
            ctx.exit(report(KeyboardInterrupt(), False, click.echo))
        except (Exception, KeyboardInterrupt) as exc:
            ctx.exit(report(exc, bool(ctx.params.get("debug")), click.echo))


@click.group(cls=VaultkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--vault",
    "vault_option",
    metavar="PATH",
    help="The vault folder. Default: $VAULTKIT_VAULT, else the nearest folder "
    "above the current one that holds .vaultkit/ or .obsidian/.",
)
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.version_option(__version__, prog_name="vaultkit")
@click.pass_context
def cli(ctx: click.Context, vault_option: str | None, debug: bool) -> None:
    """Integration journaling in your folder of markdown notes.

    \b
    Start with:
      vaultkit init                   make this folder a vault
      vaultkit new intention          before a session
      vaultkit new reflection         after it
      vaultkit new check-in           a week or a month later
      vaultkit index                  gather open actions into one note

    vaultkit is a journaling aid, not a substitute for a clinician.
    """
    ctx.obj = App(vault_option, debug)


# ---------------------------------------------------------------- init


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(path: Path | None) -> None:
    """Make PATH (default: the current folder) a vault.

    Creates .vaultkit/config.yaml with every setting commented out. Running it
    again changes nothing.

    Example: vaultkit init ~/Notes
    """
    from vaultkit.vault import CONFIG_FILE, init_vault

    folder = path or Path.cwd()
    created = init_vault(folder)
    if created:
        click.echo(f"Made {folder} a vault: created {', '.join(created)}.")
        click.echo("Next: vaultkit new intention   (or: vaultkit new reflection)")
    else:
        click.echo(f"{folder} is already a vault ({CONFIG_FILE} exists); nothing changed.")


# ---------------------------------------------------------------- new


def _read_line() -> str | None:
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\r\n")


class _Asker:
    """Asks a template's prompts on stderr, so stdout keeps only the path."""

    def __init__(self) -> None:
        self.eof = False

    def intro(self, label: str) -> None:
        click.echo(f"{label}. Every question is optional: press Enter to skip.", err=True)

    def ask(self, prompt: Prompt) -> str:
        if self.eof:
            return ""
        click.echo(f"\n{prompt.question}\n> ", nl=False, err=True)
        line = _read_line()
        if line is None:
            self.eof = True
            return ""
        return line

    def review(self, actions: list[Any]) -> dict[str, str]:
        """For each open action: done, keep or drop? Returns id -> new status."""
        decisions: dict[str, str] = {}
        if not actions or self.eof:
            return decisions
        click.echo(
            f"\n{len(actions)} action(s) still open. For each: d = done, k = keep (Enter), "
            "x = drop (let it go).",
            err=True,
        )
        choices = {"d": "done", "done": "done", "x": "dropped", "drop": "dropped"}
        for action in actions:
            while True:
                click.echo(f"  {action.text}  ({action.source})  [d/k/x] ", nl=False, err=True)
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
                click.echo("  Please answer d, k or x.", err=True)
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
            click.echo(f"\n{question}", err=True)
            while True:
                click.echo("> ", nl=False, err=True)
                line = _read_line()
                if line is None:
                    self.eof = True
                    break
                if not line.strip():
                    break
                result.append(NewAction(" ".join(line.split()), kind))
        return result


@cli.command()
@click.argument("note_type", metavar="TYPE")
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
@pass_app
def new(
    app: App,
    note_type: str,
    date_text: str | None,
    session: int | None,
    title: str | None,
    actions: tuple[str, ...],
    no_input: bool,
    edit: bool,
) -> None:
    """Create a dated note from a template and print its path.

    TYPE is intention, reflection, check-in, or a template of your own in
    .vaultkit/templates/. The template's questions are asked one by one;
    every one is optional. An existing note is never overwritten.

    \b
    Examples:
      vaultkit new reflection
      vaultkit new check-in --no-input --action "Call my sister"
      vaultkit new intention --date 2026-12-01 --action "internal: notice my breathing"
    """
    from vaultkit.scaffold import NewNoteRequest, create_note, parse_action_option

    vault = app.vault()
    request = NewNoteRequest(
        type=note_type,
        now=datetime.now().astimezone(),
        date_text=date_text,
        session=session,
        title=title,
        actions=[parse_action_option(a) for a in actions if a.strip()],
    )
    questions = None
    if not no_input:
        from vaultkit.scaffold import Questions

        asker = _Asker()
        questions = Questions(asker.intro, asker.ask, asker.ask_actions, asker.review)
    rel = create_note(vault, request, questions)
    if edit:
        if not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
            click.echo("No $VISUAL or $EDITOR set; open the note yourself.", err=True)
        else:
            click.edit(filename=str(vault.root / rel))
    if questions is not None:
        click.echo("", err=True)
    click.echo(rel)


# ---------------------------------------------------------------- templates


@cli.group(invoke_without_command=True)
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
    from vaultkit.vault import list_templates

    vault = ctx.find_object(App).vault()  # type: ignore[union-attr]
    rows = list_templates(vault)
    width = max(len(t.name) for t in rows)
    for template in rows:
        where = vault.rel(Path(template.location)) if template.origin == "vault" else template.location
        click.echo(f"{template.name:<{width}}  {template.origin:<7}  {where}")


@templates.command("copy")
@click.argument("name")
@pass_app
def templates_copy(app: App, name: str) -> None:
    """Copy a shipped template into .vaultkit/templates/ for editing.

    Example: vaultkit templates copy check-in
    """
    from vaultkit.vault import copy_template

    vault = app.vault()
    target = copy_template(vault, name)
    click.echo(f"Copied to {vault.rel(target)}; vaultkit new {name} now uses it.")


# ---------------------------------------------------------------- index


@cli.command()
@click.option("--strict", is_flag=True, help="Exit 1 when any note could not be read.")
@click.option(
    "--adopt-summary",
    is_flag=True,
    help="Add the summary below the text of an existing note at the summary path "
    "that has no vaultkit markers yet.",
)
@pass_app
def index(app: App, strict: bool, adopt_summary: bool) -> None:
    """Gather every open action into the summary note.

    Reads every note's frontmatter (only changed notes, thanks to a cache in
    .vaultkit/) and rewrites the part of the summary note between the vaultkit
    markers, only if it changed.

    Example: vaultkit index
    """
    from vaultkit.launch import progress, run_index

    run_index(app.vault(), strict, adopt_summary, click.echo, progress)


class ProgressBar:
    """Iterates over the notes read, drawing a bar on stderr (see launch.progress)."""

    def __init__(self, files: list[Any]) -> None:
        self.files = files

    def __iter__(self) -> Any:
        with click.progressbar(self.files, label="Reading notes", file=sys.stderr) as bar:
            yield from bar


# ---------------------------------------------------------------- watch


@cli.command()
@click.option(
    "--poll",
    is_flag=True,
    help="Poll for changes instead of using OS events (for network drives and some cloud folders).",
)
@click.option(
    "--debounce",
    type=click.FloatRange(0.05, 10),
    default=0.3,
    show_default=True,
    help="Seconds of quiet before an update.",
)
@click.option(
    "--rescan",
    type=click.FloatRange(5, 86400),
    default=120,
    show_default=True,
    help="Seconds between stat-only rescans that repair missed events.",
)
@pass_app
def watch(app: App, poll: bool, debounce: float, rescan: float) -> None:
    """Keep the summary note current while you write, until Ctrl-C.

    Does what `vaultkit index` does, then updates the summary within about a
    second of each save, in any editor, and applies boxes you tick in the
    summary. Run it in a terminal, or at login with `vaultkit service install`.

    Example: vaultkit watch
    """
    from vaultkit.dates import local_today
    from vaultkit.watch import Settings, watch_forever

    vault = app.vault()

    def today() -> Any:
        return local_today(vault.config.day_starts_at)

    def log(message: str) -> None:
        click.echo(message, err=True)

    settings = Settings(debounce=debounce, rescan_every=rescan, poll=poll)
    code = watch_forever(vault, today, settings, log)
    click.get_current_context().exit(code)


# ---------------------------------------------------------------- service


@cli.group()
def service() -> None:
    """Run `vaultkit watch` for this vault at login.

    Writes a systemd user unit (Linux) or a launchd agent (macOS) and prints
    the commands to start, stop and inspect it.

    \b
    Examples:
      vaultkit service install
      vaultkit service status
      vaultkit service uninstall
    """


def _service(app: App) -> Any:
    from vaultkit.service import current_platform, describe

    return describe(app.vault().root, current_platform(), Path.home())


@service.command("install")
@pass_app
def service_install(app: App) -> None:
    """Write the login service for this vault. Example: vaultkit service install"""
    from vaultkit.service import install

    svc = _service(app)
    changed = install(svc)
    click.echo(f"{'Wrote' if changed else 'Already up to date:'} {svc.path}")
    click.echo("Start it now and at every login with:")
    for line in svc.start:
        click.echo(f"  {line}")
    click.echo("Stop it with:")
    for line in svc.stop:
        click.echo(f"  {line}")


@service.command("uninstall")
@pass_app
def service_uninstall(app: App) -> None:
    """Remove the login service for this vault. Example: vaultkit service uninstall"""
    from vaultkit.service import uninstall

    svc = _service(app)
    if not uninstall(svc):
        click.echo(f"No service installed for this vault ({svc.path} does not exist).")
        return
    click.echo(f"Removed {svc.path}")
    click.echo("If it is running, stop it with:")
    for line in svc.stop:
        click.echo(f"  {line}")


@service.command("status")
@pass_app
def service_status(app: App) -> None:
    """Say whether a login service is installed, and how to inspect it.

    Example: vaultkit service status
    """
    svc = _service(app)
    if not svc.path.exists():
        click.echo(f"Not installed (no {svc.path}). Install it with: vaultkit service install")
        return
    click.echo(f"Installed: {svc.path}")
    for line in svc.status:
        click.echo(f"  {line}")


# ---------------------------------------------------------------- actions


@cli.command()
@click.option(
    "--status",
    type=click.Choice(["open", "done", "dropped", "all"]),
    default="open",
    show_default=True,
)
@click.option("--kind", type=click.Choice(["internal", "external"]), help="Only this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def actions(app: App, status: str, kind: str | None, as_json: bool) -> None:
    """List actions from every note, newest session first.

    \b
    Examples:
      vaultkit actions
      vaultkit actions --status all --kind internal --json
    """
    import json

    from vaultkit.index import build_index
    from vaultkit.summary import newest_first

    idx = build_index(app.vault())
    chosen = newest_first(
        [
            a
            for a in idx.actions
            if (status == "all" or a.status == status) and (kind is None or a.kind == kind)
        ]
    )
    if as_json:
        click.echo(json.dumps([a.to_json() for a in chosen], ensure_ascii=False, indent=2))
        return
    for a in chosen:
        box = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}[a.status]
        due = f"  due {a.due}" if a.due else ""
        click.echo(f"{a.id}  {box} {a.kind[:3]}  {a.text}  ({a.source}){due}")
    if not chosen:
        click.echo("No actions match.", err=True)


# ---------------------------------------------------------------- done / reopen / drop


def _set_status(app: App, ids: tuple[str, ...], status: str) -> None:
    from vaultkit.dates import local_today
    from vaultkit.status import Change, apply_changes, resolve_ids
    from vaultkit.sync import sync

    vault = app.vault()
    today = local_today(vault.config.day_starts_at)
    from vaultkit.index import build_index

    chosen = resolve_ids(build_index(vault), list(ids))
    outcomes = apply_changes(vault, [Change(a, status, today) for a in chosen])
    problems = 0
    verb = {"done": "Done", "open": "Reopened", "dropped": "Dropped"}[status]
    for outcome in outcomes:
        action = outcome.change.action
        if outcome.problem:
            problems += 1
            click.echo(f"Error: {outcome.problem}", err=True)
        elif outcome.applied:
            click.echo(f"{verb}: {action.text}  ({action.source}) ^{action.id}")
        else:
            click.echo(f"Already {status}: {action.text}  ({action.source}) ^{action.id}")
    if vault.root.joinpath(vault.config.summary_path).exists():
        sync(vault, today)  # keep the summary in step; ticks there are harvested first
    if problems:
        click.get_current_context().exit(1)


_IDS = click.argument("ids", nargs=-1, required=True, metavar="ID...")


@cli.command()
@_IDS
@pass_app
def done(app: App, ids: tuple[str, ...]) -> None:
    """Mark actions done in their source notes (a unique id prefix is enough).

    Only the action's own line changes: "[ ] Call" becomes "[x] Call ✅ DATE";
    a mapping gets status: done and done: DATE.

    Example: vaultkit done 3f2a letter-to-self
    """
    _set_status(app, ids, "done")


@cli.command()
@_IDS
@pass_app
def reopen(app: App, ids: tuple[str, ...]) -> None:
    """Mark actions open again in their source notes.

    Example: vaultkit reopen 3f2a
    """
    _set_status(app, ids, "open")


@cli.command()
@_IDS
@pass_app
def drop(app: App, ids: tuple[str, ...]) -> None:
    """Let actions go: mark them dropped in their source notes.

    A dropped action leaves the summary but stays in its note ("[-] Call ❌
    DATE", or status: dropped).

    Example: vaultkit drop 3f2a
    """
    _set_status(app, ids, "dropped")


# ---------------------------------------------------------------- status


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def status(app: App, as_json: bool) -> None:
    """What's due, what's open, and how regular the integration work has been.

    \b
    Examples:
      vaultkit status
      vaultkit status --json
    """
    import json

    from vaultkit.dates import local_today
    from vaultkit.followups import due_follow_ups
    from vaultkit.index import build_index
    from vaultkit.overview import Tally, build_overview, render_status

    vault = app.vault()
    today = local_today(vault.config.day_starts_at)
    idx = build_index(vault)
    due = due_follow_ups(idx.notes, vault.config.follow_ups, today)
    overview = build_overview(idx.notes, Tally.of(idx.actions, today), due, today)
    if as_json:
        click.echo(json.dumps(overview.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_status(overview))


# ---------------------------------------------------------------- check


@cli.command()
@pass_app
def check(app: App) -> None:
    """Report notes whose frontmatter or actions are broken, as path:line: message.

    Exits 1 when there is any problem, so it fits a pre-commit hook.

    Example: vaultkit check
    """
    from vaultkit.index import build_index

    idx = build_index(app.vault())
    count = 0
    rows = [(path, problem) for path, problem in idx.unreadable]
    rows += [(note.path, p) for note in idx.notes for p in note.problems]
    rows += [(copy, _conflict_problem(original)) for copy, original in idx.conflicts]
    for path, problem in sorted(rows, key=lambda r: (r[0], r[1].line or 0)):
        click.echo(f"{path}:{problem.line or 1}: {problem.message}")
        count += 1
    if count:
        fail(f"{count} problem(s) in {len({r[0] for r in rows})} note(s)")
    click.echo(f"{len(idx.notes)} notes checked; no problems.")


def _conflict_problem(original: str) -> Any:
    from vaultkit.notes import Problem

    return Problem(f"sync-conflict copy of {original}; merge it and delete it")


def main() -> None:
    cli(prog_name="vaultkit")
