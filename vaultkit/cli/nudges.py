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
    from vaultkit.config import now
    from vaultkit.errors import VaultkitError
    from vaultkit.nudges import TEST_MESSAGE, send_and_wait, setup

    with scanned(app) as (vault, store, _report):
        click.echo("\n".join(setup(vault.config, store, vault_today(vault), now(vault.config))))
    if send_test:
        problem = send_and_wait(vault.config, TEST_MESSAGE)
        if problem is not None:
            raise VaultkitError(problem)
        click.echo(f"Sent: {TEST_MESSAGE}")
