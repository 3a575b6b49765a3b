"""`vaultkit calendar`: the follow-ups and next session as a file a phone's calendar follows."""

from __future__ import annotations

import click

from vaultkit.cli.base import App, cli, common, pass_app, scanned, vault_today


@cli.command()
@common
@pass_app
def calendar(app: App) -> None:
    """Write the follow-ups still to write and the next session as an iCalendar file.

    One all-day event each, with an alarm at `calendar_alarm` (default 09:00),
    in "Integration Calendar.ics" (or the file `calendar:` names in
    .vaultkit/config.yaml; with it set, `vaultkit index` and `watch` keep the file
    current). Events name only the kind and the session, never note text.
    Subscribe to the synced file from your phone's calendar (see the README).

    \b
    Example:
      vaultkit calendar
    """
    from vaultkit.calendar import update

    with scanned(app) as (vault, store, _report):
        practice = store.practice(vault.config.follow_ups, vault_today(vault))
        rel, count, written = update(vault, practice)
    click.echo(f"{rel}: {count} event{'s' if count != 1 else ''}{'' if written else ' (unchanged)'}")
    if vault.config.calendar is None:
        click.echo(
            f'To have index and watch keep it current, set calendar: "{rel}" in .vaultkit/config.yaml.'
        )
