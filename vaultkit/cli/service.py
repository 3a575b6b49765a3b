"""`vaultkit service`: run the watcher at login."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultkit.cli.base import App, cli, common, pass_app

if TYPE_CHECKING:
    from vaultkit.service import Service


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


def _service(app: App) -> Service:
    from vaultkit.service import current_platform, describe

    return describe(app.vault().root, current_platform(), Path.home())


@service.command("install")
@common
@pass_app
def service_install(app: App) -> None:
    """Write the login service for this vault. Example: vaultkit service install"""
    from vaultkit.service import install

    click.echo("\n".join(install(_service(app))))


@service.command("uninstall")
@common
@pass_app
def service_uninstall(app: App) -> None:
    """Remove the login service for this vault. Example: vaultkit service uninstall"""
    from vaultkit.service import uninstall

    click.echo("\n".join(uninstall(_service(app))))


@service.command("status")
@common
@pass_app
def service_status(app: App) -> None:
    """Say whether a login service is installed, and how to inspect it.

    Example: vaultkit service status
    """
    from vaultkit.service import status

    click.echo("\n".join(status(_service(app))))
