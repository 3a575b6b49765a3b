"""`vaultkit nudges`: how nudges are set up, what is due, and a test one."""

from __future__ import annotations

import click

from vaultkit.cli.base import App, cli, common, pass_app, scanned, vault_today


@cli.command()
@click.option("--test", "send_test", is_flag=True, help="Send a test nudge now (quiet hours aside).")
@common
@pass_app
def nudges(app: App, send_test: bool) -> None:
    """How nudges are set up, and which follow-ups `vaultkit watch` nudges about.

    While `vaultkit watch` (or the login service) runs, it nudges you when a
    reflection or check-in is due, and once a day while it stays due. Set it
    up in .vaultkit/config.yaml: notify (off, desktop or command),
    notify_command and notify_quiet. A nudge never holds note text.

    \b
    Examples:
      vaultkit nudges
      vaultkit nudges --test
    """
    from vaultkit.config import in_quiet_hours, now
    from vaultkit.errors import VaultkitError
    from vaultkit.notify import TEST_MESSAGE, describe, send_and_wait

    with scanned(app) as (vault, store, _report):
        config = vault.config
        today = vault_today(vault)
        due = store.practice(config.follow_ups, today).due()
        last = {d.key: store.nudged_on(d.key) for d in due}
    if config.notify == "off":
        click.echo(
            "Nudges are off. To have `vaultkit watch` tell you when a follow-up is due, set\n"
            "notify: desktop (or notify: command with notify_command) in .vaultkit/config.yaml."
        )
    else:
        click.echo(f"Channel: {describe(config)}")
        if config.notify_quiet is None:
            click.echo("Quiet hours: none")
        else:
            start, end = config.notify_quiet
            quiet = in_quiet_hours(config.notify_quiet, now(config).time())
            click.echo(f"Quiet hours: {start:%H:%M}-{end:%H:%M}{' (now)' if quiet else ''}")
    if not due:
        click.echo("Due: nothing right now.")
    for follow_up in due:
        day = last[follow_up.key]
        click.echo(
            f"Due: session {follow_up.session}'s {follow_up.label}, since {follow_up.due_on}; "
            + (f"last nudged {day}" if day else "not nudged yet")
        )
    if send_test:
        problem = send_and_wait(config, TEST_MESSAGE)
        if problem is not None:
            raise VaultkitError(problem)
        click.echo(f"Sent: {TEST_MESSAGE}")
