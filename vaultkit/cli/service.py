"""`vaultkit service`: run the watcher at login."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vaultkit.cli.base import App, cli, common, pass_app

# ---------------------------------------------------------------- service


@cli.group()
@common
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
@common
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
@common
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
@common
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
