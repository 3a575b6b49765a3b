"""The command that makes the page for the next session: brief."""

from __future__ import annotations

import click

from vaultkit.cli.base import App, cli, common, pass_app, say, scanned, vault_today
from vaultkit.text import plural


@cli.command()
@click.option(
    "--session",
    type=click.IntRange(min=0),
    help="The session to cover alone (default: the session just past, and the next intention).",
)
@click.option("--since", "since_text", metavar="DATE", help="Cover every note from DATE on (YYYY-MM-DD).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the page instead of writing a note.")
@click.option(
    "--html",
    "html_file",
    metavar="FILE",
    help="Write the page as one printable HTML file instead of a note; FILE is inside the vault "
    "(a relative path starts at the vault's folder).",
)
@click.option(
    "--preview", is_flag=True, help="Show what would be included, section by section; write nothing."
)
@common
@pass_app
def brief(
    app: App,
    session: int | None,
    since_text: str | None,
    to_stdout: bool,
    html_file: str | None,
    preview: bool,
) -> None:
    """Make a page to bring to your next therapy or integration session.

    It is for the session ahead: what you want to bring and the support you
    asked for first, then your intention, what came up (quoted from your
    notes), actions done, open and let go, inner work, your mood over the span
    and follow-ups missed. It covers the latest session that has happened and
    the next intention, if written. Nothing private is included: a note with
    `private: true` or tagged private (any form Obsidian reads, #private in
    the text too), a part under a heading that says private, a [!private]
    callout, a paragraph or item ending in #private, a link to a private
    note. --preview says what was left out and why. Written as a note
    (Briefs/YYYY-MM-DD Brief.md; never overwritten).

    \b
    Examples:
      vaultkit brief --preview
      vaultkit brief
      vaultkit brief --session 2 --html "Briefs/session 2.html"
      vaultkit brief --since 2026-10-01 --stdout
    """
    if session is not None and since_text is not None:
        raise click.UsageError("use --session N or --since DATE, not both")
    if html_file is not None and not html_file.strip():
        raise click.BadParameter('needs a file name, e.g. --html "Briefs/brief.html"', param_hint="--html")
    if html_file == "-":
        raise click.BadParameter(
            "writes a file in the vault, not to the terminal; use --stdout to print the page",
            param_hint="--html",
        )
    if preview and (to_stdout or html_file is not None):
        raise click.UsageError("--preview only shows what would be included; use it on its own")
    from vaultkit.brief.make import make_brief, write_html, write_note
    from vaultkit.brief.page import left_out, render_body, render_preview
    from vaultkit.errors import VaultkitError
    from vaultkit.practice import parse_date_option

    with scanned(app) as (vault, store, _report):
        today = vault_today(vault)
        since = None
        if since_text is not None:
            try:
                since = parse_date_option(since_text, today)
            except VaultkitError:
                raise VaultkitError(f"--since {since_text!r} is not a date; use YYYY-MM-DD") from None
        made = make_brief(vault, store, today, session, since)
    page = made.brief
    if preview:
        click.echo(render_preview(page), nl=False)
        return
    if to_stdout:
        click.echo(render_body(page, made.charts), nl=False)
    if html_file is not None:
        rel = write_html(vault, html_file, made)
        if to_stdout:
            say(f"Wrote {rel}")
        else:
            click.echo(rel)
    if not to_stdout and html_file is None:
        click.echo(write_note(vault, made, today))
    say(  # counts only: what a person may want to check, with no note text
        f"{page.title}: quotes from {plural(page.quoted_from, 'note')}; left out as private: {left_out(page)}"
    )
