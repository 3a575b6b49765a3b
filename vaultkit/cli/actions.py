"""Commands about actions and the summary: index, watch, actions, skip, done, reopen, drop, status, check."""

from __future__ import annotations

import click

from vaultkit.actions import BOXES, DOMAINS, STATUSES, VERBS
from vaultkit.cli.base import (
    App,
    cli,
    common,
    complete_ids,
    engine,
    pass_app,
    progress,
    say,
    scanned,
    tell,
    vault_today,
)
from vaultkit.errors import VaultkitError
from vaultkit.text import plural


@cli.command()
@click.option("--strict", is_flag=True, help="Exit 1 when any note could not be read.")
@click.option(
    "--adopt-summary",
    is_flag=True,
    help="Add the summary below the text of an existing note at the summary path "
    "that has no vaultkit markers yet.",
)
@common
@pass_app
def index(app: App, strict: bool, adopt_summary: bool) -> None:
    """Gather every open action into the summary note.

    Applies the boxes you ticked in the summary, reads the notes that changed
    since the last run, and rewrites the part of the summary note between the
    vaultkit markers, only if it changed.

    Example: vaultkit index
    """
    from vaultkit.frontmatter import SLOW_YAML_HINT, slow_yaml
    from vaultkit.refresh import Request, refresh

    with engine(app) as (vault, store):
        report = refresh(vault, store, vault_today(vault), Request(adopt=adopt_summary), progress)
    tell(report)
    for copy, note in report.merged:
        say(f"{note}: merged its sync-conflict copy `{copy}` into it; the copy is in .vaultkit/trash/")
    counts, copies = report.counts, plural(len(report.conflicts), "conflict copy", "conflict copies")
    unchanged = report.files - report.read  # with the copies: the parts add up to all the files
    click.echo(
        f"{plural(counts.notes, 'note')}{f' and {copies}' if report.conflicts else ''} "
        f"({report.read} read, {unchanged} unchanged), "
        f"{plural(counts.open, 'open action')} ({counts.external} external, {counts.internal} internal), "
        f"{len(report.unreadable)} unreadable; "
        f"{vault.config.summary_path} {'updated' if report.summary_written else 'unchanged'}"
    )
    if report.read and slow_yaml():
        say(f"warning: {SLOW_YAML_HINT}")
    if strict and report.unreadable:
        raise VaultkitError(f"{plural(len(report.unreadable), 'note')} could not be read (see above)")


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
@common
@pass_app
def watch(app: App, poll: bool, debounce: float, rescan: float) -> None:
    """Keep the summary note current while you write, until Ctrl-C.

    Does what `vaultkit index` does, then updates the summary within about a
    second of each save, in any editor, and applies boxes you tick in the
    summary. Run it in a terminal, or at login with `vaultkit service install`.
    With `notify:` set in .vaultkit/config.yaml it also nudges you when a
    follow-up note is due (see `vaultkit nudges`).

    Example: vaultkit watch
    """
    from vaultkit.watch import Settings, watch_forever

    vault = app.vault()
    settings = Settings(debounce=debounce, rescan_every=rescan, poll=poll)
    click.get_current_context().exit(watch_forever(vault, lambda: vault_today(vault), settings, say))


@cli.command()
@click.option("--status", type=click.Choice([*STATUSES, "all"]), default="open", show_default=True)
@click.option("--kind", type=click.Choice(["internal", "external"]), help="Only this kind.")
@click.option(
    "--domain",
    type=click.Choice(DOMAINS, case_sensitive=False),
    help="Only actions tagged with this integration domain (#body at the end of the text).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@common
@pass_app
def actions(app: App, status: str, kind: str | None, domain: str | None, as_json: bool) -> None:
    """List actions from every note, newest session first.

    \b
    Examples:
      vaultkit actions
      vaultkit actions --status all --kind internal --json
      vaultkit actions --domain body
    """
    import json

    with scanned(app) as (_, store, _report):
        chosen = store.actions(None if status == "all" else status, kind, domain)
    if as_json:
        click.echo(json.dumps([a.to_json() for a in chosen], ensure_ascii=False, indent=2))
        return
    for a in chosen:
        due = f"  due {a.due}" if a.due else ""
        click.echo(f"{a.id}  {BOXES[a.status]} {a.kind[:3]}  {a.text}  ({a.source}){due}")
    if not chosen:
        say("No actions match.")


@cli.command()
@click.argument("session", type=int)
@click.argument("which")
@common
@pass_app
def skip(app: App, session: int, which: str) -> None:
    """Let a follow-up go: it is no longer shown as due, nudged, or listed as missed.

    WHICH is its name ("1-week check-in"), its span (1-week), its type
    (reflection, check-in) or all. It is recorded in the vault, as
    `dismissed:` in the session's intention (or its first note), so every
    device agrees; delete the item there to take it back.

    \b
    Examples:
      vaultkit skip 3 reflection
      vaultkit skip 3 1-week
    """
    from vaultkit.practice import OPENS_SESSION, named
    from vaultkit.refresh import Request, refresh
    from vaultkit.writeback import add_item

    with scanned(app) as (vault, store, _report):
        today = vault_today(vault)
        practice = store.practice(vault.config.follow_ups, today)
        found = practice.session(session)
        if found is None:
            known = ", ".join(str(s.number) for s in practice.sessions) or "none yet"
            raise VaultkitError(f"there is no session {session} (sessions: {known})")
        matched = named(practice, session, which)
        if not matched:
            labels = ", ".join(f.label for f in practice.follow_ups if f.session == session) or "none"
            raise VaultkitError(
                f"session {session} has no follow-up {which!r}; its follow-ups are: {labels} "
                "(or give a type, a span like 1-week, or all)"
            )
        left = [f for f in matched if f.state not in ("done", "dismissed", "overtaken")]
        if not left:
            said = {
                "done": "written",
                "dismissed": "already let go",
                "overtaken": "overtaken by the next session",
            }
            states = ", ".join(f"{f.label} ({said[f.state]})" for f in matched)
            click.echo(f"Nothing to let go: session {session}'s {states}")
            return
        intentions = [n for n in found.notes if n.type == OPENS_SESSION]
        target = (intentions or list(found.notes))[0].path
        # one follow-up is recorded by its full name, which reads plainly in the note
        add_item(vault, target, "dismissed", left[0].label if len(left) == 1 else which.strip())
        summary = (vault.root / vault.config.summary_path).exists()
        refresh(vault, store, today, Request(write_summary=summary))
    click.echo(f"Let go: session {session}'s {', '.join(f.label for f in left)}  ({target})")


def _set_status(app: App, ids: tuple[str, ...], status: str) -> None:
    from vaultkit.refresh import Request, refresh

    with engine(app) as (vault, store):
        summary = (vault.root / vault.config.summary_path).exists()  # kept in step, when there is one
        request = Request(commands=[(i, status) for i in ids], write_summary=summary)
        report = refresh(vault, store, vault_today(vault), request)
    for outcome in report.commanded:
        action = outcome.change.action
        if outcome.problem:
            say(f"Error: {outcome.problem}")
        else:
            said = VERBS[status].capitalize() if outcome.applied else f"Already {status}"
            click.echo(f"{said}: {action.text}  ({action.source}) ^{action.id}")
    tell(report, notes=False)
    if any(outcome.problem for outcome in report.commanded):
        click.get_current_context().exit(1)


_IDS = click.argument("ids", nargs=-1, required=True, metavar="ID...", shell_complete=complete_ids)


@cli.command()
@_IDS
@common
@pass_app
def done(app: App, ids: tuple[str, ...]) -> None:
    """Mark actions done in their source notes (a unique id prefix of 4 or more characters is enough).

    Only the action's own line changes: "[ ] Call" becomes "[x] Call ✅ DATE";
    a mapping gets status: done and done: DATE.

    Example: vaultkit done 3f2a letter-to-self
    """
    _set_status(app, ids, "done")


@cli.command()
@_IDS
@common
@pass_app
def reopen(app: App, ids: tuple[str, ...]) -> None:
    """Mark actions open again in their source notes.

    After `vaultkit done`, it gives the note its bytes back as they were.

    Example: vaultkit reopen 3f2a
    """
    _set_status(app, ids, "open")


@cli.command()
@_IDS
@common
@pass_app
def drop(app: App, ids: tuple[str, ...]) -> None:
    """Let actions go: mark them dropped in their source notes.

    A dropped action leaves the summary but stays in its note ("[-] Call ❌
    DATE", or status: dropped).

    Example: vaultkit drop 3f2a
    """
    _set_status(app, ids, "dropped")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@common
@pass_app
def status(app: App, as_json: bool) -> None:
    """What's due, what's open, how regular the integration work has been, and drafts waiting.

    \b
    Examples:
      vaultkit status
      vaultkit status --json
    """
    import json

    from vaultkit.brief.make import next_session, status_line
    from vaultkit.journal.drafts import waiting_drafts
    from vaultkit.overview import render_status
    from vaultkit.refresh import big_picture

    with scanned(app) as (vault, store, _report):
        today = vault_today(vault)
        _, overview = big_picture(vault, store, today)
        upcoming = next_session(vault, store, today)
        line = status_line(upcoming, today)
    drafts = waiting_drafts(vault)  # words not yet in a note: never out of sight
    if as_json:
        data = overview.to_json()
        data["next_session"] = upcoming[0].isoformat() if upcoming else None
        data["drafts"] = [d.to_json() for d in drafts]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        lines = [line, *(d.line() for d in drafts)]
        click.echo(render_status(overview) + "".join(f"\n{text}" for text in lines if text))


@cli.command()
@common
@pass_app
def check(app: App) -> None:
    """Report notes whose frontmatter or actions are broken, as path:line: message.

    Exits 1 when there is any problem, so it fits a pre-commit hook.

    Example: vaultkit check
    """
    from vaultkit.frontmatter import Problem

    with scanned(app) as (_, store, report):
        rows = [*report.unreadable, *((n.path, p) for n in store.view().notes for p in n.problems)]
    rows += [
        (copy, Problem(f"sync-conflict copy of {original}; merge it and delete it"))
        for copy, original in report.conflicts
    ]
    for path, problem in sorted(rows, key=lambda r: (r[0], r[1].line or 0)):
        click.echo(f"{path}:{problem.line or 1}: {problem.message}")
    if rows:
        raise VaultkitError(f"{plural(len(rows), 'problem')} in {plural(len({r[0] for r in rows}), 'note')}")
    click.echo(f"{plural(report.counts.notes, 'note')} checked; no problems.")
